//! The source task loop: poll → transforms → convert → produce. A record's source offset counts
//! as committed only after the broker acknowledged it and every earlier record of the same
//! source partition; offsets are flushed every `offset.flush.interval.ms` and on shutdown.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::message::{Header as KafkaHeader, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{ClientContext, error::KafkaError, types::RDKafkaErrorCode};
use wasm_connect_data::{OffsetMap, offset_map_to_json};

use super::throttle::THROTTLE_STEP;
use super::{
    RecordError, RetryError, RetryPolicy, TaskSetup, TaskThrottle, TransformChain, describe_record,
    tolerate,
};
use crate::herder::{ConnectorState, TopicTracker};
use crate::kafka::client_config;
use crate::runtime::{PolledRecord, SourceTaskInstance};

/// Stop polling while this many records await acknowledgement.
const MAX_IN_FLIGHT: usize = 50_000;

/// Delivery reports: mark each record acknowledged, remember the first failure.
struct AckContext {
    failure: Arc<Mutex<Option<String>>>,
}

impl ClientContext for AckContext {}

impl ProducerContext for AckContext {
    type DeliveryOpaque = Arc<AtomicBool>;

    fn delivery(&self, result: &DeliveryResult<'_>, acked: Arc<AtomicBool>) {
        match result {
            Ok(_) => acked.store(true, Ordering::Release),
            Err((e, message)) => {
                let topic = rdkafka::Message::topic(message);
                let mut failure = match self.failure.lock() {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
                failure.get_or_insert_with(|| {
                    format!("KAFKA_PRODUCE failed: cannot send a record to topic {topic}: {e}")
                });
            }
        }
    }
}

/// One source partition's last committable offset and its records in flight, in send order, each
/// with a flag set once the broker acknowledged it.
type PartitionOffsets = (OffsetMap, VecDeque<(Arc<AtomicBool>, OffsetMap)>);

/// Records sent but not yet committed, per source partition, in send order (Kafka's
/// `SubmittedRecords`).
#[derive(Default)]
struct SubmittedRecords {
    partitions: HashMap<String, PartitionOffsets>,
    in_flight: usize,
}

impl SubmittedRecords {
    fn submit(&mut self, partition: &OffsetMap, offset: OffsetMap, acked: Arc<AtomicBool>) {
        let key = offset_map_to_json(partition).to_string();
        let entry = self
            .partitions
            .entry(key)
            .or_insert_with(|| (partition.clone(), VecDeque::new()));
        entry.1.push_back((acked, offset));
        self.in_flight += 1;
    }

    /// Pop every acknowledged prefix; the last offset of each prefix is committable.
    fn committable(&mut self) -> Vec<(OffsetMap, OffsetMap)> {
        let mut out = Vec::new();
        for (partition, queue) in self.partitions.values_mut() {
            let mut last = None;
            while queue
                .front()
                .is_some_and(|(acked, _)| acked.load(Ordering::Acquire))
            {
                last = queue.pop_front().map(|(_, offset)| offset);
                self.in_flight -= 1;
            }
            if let Some(offset) = last {
                out.push((partition.clone(), offset));
            }
        }
        self.partitions.retain(|_, (_, q)| !q.is_empty());
        out
    }
}

/// Runs one source task on the current thread until stopped or failed.
pub struct SourceTaskRunner {
    setup: TaskSetup,
}

impl SourceTaskRunner {
    /// A runner for `setup`.
    pub fn new(setup: TaskSetup) -> SourceTaskRunner {
        SourceTaskRunner { setup }
    }

    /// Run to completion; the final state is written to the task's status.
    pub fn run(self) {
        let name = self.setup.task_name();
        let span = tracing::info_span!("source_task", task = %name);
        let _enter = span.enter();
        let status = self.setup.status.clone();
        match self.run_inner() {
            Ok(()) => tracing::info!("task stopped"),
            Err(trace) => {
                tracing::error!("task failed: {trace}");
                status.fail(trace);
            }
        }
    }

    fn run_inner(self) -> Result<(), String> {
        let s = &self.setup;
        let mut throttle =
            TaskThrottle::new(&s.limits).map_err(|e| format!("invalid task limits: {e}"))?;
        let mut task = SourceTaskInstance::new(s.plugin.loaded.clone(), &s.instance)
            .map_err(|e| e.to_string())?;
        task.start(&s.task_config)
            .map_err(|e| format!("task start failed: {e}"))?;
        let mut chain = TransformChain::new(&s.transforms, &s.instance)?;
        let failure = Arc::new(Mutex::new(None));
        let mut settings = s
            .worker
            .client_settings("producer", &s.connector_config.raw);
        settings
            .entry("client.id".into())
            .or_insert_with(|| format!("connector-producer-{}", s.task_name()));
        settings
            .entry("enable.idempotence".into())
            .or_insert_with(|| "true".into());
        settings
            .entry("acks".into())
            .or_insert_with(|| "all".into());
        settings
            .entry("linger.ms".into())
            .or_insert_with(|| "5".into());
        let producer: ThreadedProducer<AckContext> = client_config(&settings)
            .create_with_context(AckContext {
                failure: failure.clone(),
            })
            .map_err(|e| format!("cannot create producer: {e}"))?;
        s.status.set(ConnectorState::Running);
        let mut submitted = SubmittedRecords::default();
        let mut topics = TopicCreator::new(s);
        let mut active_topics = TopicTracker::new(s.active_topics.clone(), &s.connector, s.task_id);
        let mut last_flush = Instant::now();
        let mut idle_polls = 0u32;
        let poll_retry = RetryPolicy::for_task_calls(&s.connector_config);
        let mut paused = false;
        let result = loop {
            if s.control.stopping() {
                break Ok(());
            }
            if let Some(error) = take_failure(&failure) {
                break Err(error);
            }
            if last_flush.elapsed() >= s.worker.offset_flush_interval {
                self.commit_offsets(&mut task, &mut submitted, &mut throttle)?;
                last_flush = Instant::now();
            }
            if s.control.paused() {
                if !paused {
                    s.status.set(ConnectorState::Paused);
                    paused = true;
                }
                s.control.sleep(Duration::from_millis(100));
                continue;
            } else if paused {
                s.status.set(ConnectorState::Running);
                paused = false;
            }
            // Pay for the previous batches before polling again, in steps so offsets are still
            // committed on time.
            let throttled_for = throttle.remaining();
            if !throttled_for.is_zero() {
                s.control.sleep(throttled_for.min(THROTTLE_STEP));
                continue;
            }
            if submitted.in_flight >= MAX_IN_FLIGHT {
                submitted.committable();
                s.control.sleep(Duration::from_millis(5));
                continue;
            }
            let batch = match poll_retry.run(&s.control, "poll", || throttle.time(|| task.poll())) {
                Ok(batch) => batch,
                Err(RetryError::Stopped(_)) => break Ok(()),
                Err(e) => break Err(format!("TASK_POLL failed ({}): {e}", s.plugin.name())),
            };
            tracing::trace!(records = batch.len(), "polled");
            if batch.is_empty() {
                idle_polls = idle_polls.saturating_add(1);
                s.control
                    .sleep(Duration::from_millis(u64::from(idle_polls.min(10)) * 20));
                continue;
            }
            idle_polls = 0;
            let polled = batch.len();
            match self.send_batch(
                batch,
                &mut chain,
                &producer,
                &mut submitted,
                (&mut topics, &mut active_topics),
                &mut throttle,
            ) {
                // The wait is taken at the top of the loop.
                Ok(produced_bytes) => {
                    throttle.records(polled, produced_bytes);
                }
                Err(e) => break Err(e),
            }
        };
        // Graceful stop (or failure): wait for acknowledgements, then commit what was acknowledged.
        let flush_timeout = s
            .worker
            .task_shutdown_graceful_timeout
            .max(s.worker.offset_flush_timeout);
        if let Err(e) = producer.flush(flush_timeout) {
            tracing::warn!("producer flush on shutdown: {e}");
        }
        let commit = self.commit_offsets(&mut task, &mut submitted, &mut throttle);
        let _ = task.stop();
        result?;
        commit?;
        take_failure(&failure).map_or(Ok(()), Err)
    }

    /// Transform, convert and produce a polled batch; the serialized key and value bytes produced.
    fn send_batch(
        &self,
        batch: Vec<PolledRecord>,
        chain: &mut TransformChain,
        producer: &ThreadedProducer<AckContext>,
        submitted: &mut SubmittedRecords,
        (topics, active_topics): (&mut TopicCreator, &mut TopicTracker),
        throttle: &mut TaskThrottle,
    ) -> Result<usize, String> {
        let s = &self.setup;
        let task_name = s.task_name();
        let (records, positions): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .map(|p| (p.record, (p.partition, p.offset)))
            .unzip();
        let outcomes = if chain.is_empty() {
            records.into_iter().map(|r| Ok(Some(r))).collect()
        } else {
            throttle.time(|| chain.apply(records))?
        };
        let mut produced_bytes = 0;
        for (outcome, (partition, offset)) in outcomes.into_iter().zip(positions) {
            // A tenant's records go only to its topics, whatever the plugin or a transform
            // (RegexRouter) chose: a record routed outside is an error, never written.
            let outcome = outcome.and_then(|r| match (&s.tenant, &r) {
                (Some(tenant), Some(record)) => tenant
                    .check_topic(&record.topic)
                    .map(|()| r)
                    .map_err(|message| RecordError {
                        stage: super::TOPIC_ISOLATION,
                        plugin: format!("tenant {}", tenant.name),
                        message,
                    }),
                _ => Ok(r),
            });
            let record = match outcome {
                Ok(Some(record)) => record,
                Ok(None) => {
                    submitted.submit(&partition, offset, Arc::new(AtomicBool::new(true)));
                    continue;
                }
                Err(error) => {
                    // The chain consumed the record: describe it by its source position.
                    tolerate(&s.connector_config, &task_name, error, |_| {
                        format!(
                            "source record is {{sourcePartition={}, sourceOffset={}}}",
                            offset_map_to_json(&partition),
                            offset_map_to_json(&offset)
                        )
                    })?;
                    submitted.submit(&partition, offset, Arc::new(AtomicBool::new(true)));
                    continue;
                }
            };
            let converted = s
                .key_converter
                .from_connect(&record.topic, &record.key)
                .map_err(|e| RecordError {
                    stage: "KEY_CONVERTER",
                    plugin: s.key_converter.name().to_string(),
                    message: e.to_string(),
                })
                .and_then(|key| {
                    s.value_converter
                        .from_connect(&record.topic, &record.value)
                        .map(|value| (key, value))
                        .map_err(|e| RecordError {
                            stage: "VALUE_CONVERTER",
                            plugin: s.value_converter.name().to_string(),
                            message: e.to_string(),
                        })
                })
                .and_then(|(key, value)| {
                    let headers = record
                        .headers
                        .iter()
                        .map(|h| {
                            s.header_converter
                                .from_connect_header(&record.topic, &h.key, &h.value)
                                .map(|bytes| (h.key.as_str(), bytes))
                                .map_err(|e| RecordError {
                                    stage: "HEADER_CONVERTER",
                                    plugin: s.header_converter.name().to_string(),
                                    message: format!("header '{}': {e}", h.key),
                                })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok((key, value, headers))
                });
            let (key, value, header_bytes) = match converted {
                Ok(kv) => kv,
                Err(error) => {
                    tolerate(&s.connector_config, &task_name, error, |include| {
                        describe_record(
                            "source",
                            &format!(
                                "topic='{}', sourcePartition={}, sourceOffset={}",
                                record.topic,
                                offset_map_to_json(&partition),
                                offset_map_to_json(&offset)
                            ),
                            include,
                            || format!("{:?}", record.key.value),
                            || format!("{:?}", record.value.value),
                        )
                    })?;
                    submitted.submit(&partition, offset, Arc::new(AtomicBool::new(true)));
                    continue;
                }
            };
            topics.ensure(s, &record.topic);
            active_topics.saw(&record.topic);
            let mut headers = OwnedHeaders::new_with_capacity(header_bytes.len());
            for (key, bytes) in &header_bytes {
                headers = headers.insert(KafkaHeader {
                    key,
                    value: bytes.as_deref(),
                });
            }
            let acked = Arc::new(AtomicBool::new(false));
            let mut kafka_record: BaseRecord<'_, [u8], [u8], Arc<AtomicBool>> =
                BaseRecord::with_opaque_to(&record.topic, acked.clone()).headers(headers);
            if let Some(k) = key.as_deref() {
                kafka_record = kafka_record.key(k);
            }
            if let Some(v) = value.as_deref() {
                kafka_record = kafka_record.payload(v);
            }
            if let Some(p) = record.kafka_partition {
                kafka_record = kafka_record.partition(p);
            }
            if let Some(ts) = record.timestamp {
                kafka_record = kafka_record.timestamp(ts);
            }
            loop {
                match producer.send(kafka_record) {
                    Ok(()) => break,
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), returned)) => {
                        kafka_record = returned;
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err((e, _)) => {
                        return Err(format!("cannot send record to topic {}: {e}", record.topic));
                    }
                }
            }
            submitted.submit(&partition, offset, acked);
            produced_bytes += key.as_ref().map_or(0, Vec::len) + value.as_ref().map_or(0, Vec::len);
        }
        Ok(produced_bytes)
    }

    fn commit_offsets(
        &self,
        task: &mut SourceTaskInstance,
        submitted: &mut SubmittedRecords,
        throttle: &mut TaskThrottle,
    ) -> Result<(), String> {
        let offsets = submitted.committable();
        if offsets.is_empty() {
            return Ok(());
        }
        self.setup
            .offsets
            .put(&self.setup.connector, &offsets)
            .map_err(|e| format!("cannot commit source offsets: {e}"))?;
        tracing::debug!(partitions = offsets.len(), "committed source offsets");
        throttle
            .time(|| task.commit())
            .map_err(|e| format!("task commit failed: {e}"))
    }
}

/// Creates topics a source writes to before the first record (Kafka Connect's
/// `topic.creation.enable`, with `topic.creation.default.partitions` and
/// `topic.creation.default.replication.factor`, -1 meaning the broker's default).
/// Creates each topic a source task writes to, once, with the settings of its topic creation
/// group (`topic.creation.*`); off when the worker sets `topic.creation.enable=false`.
struct TopicCreator {
    enabled: bool,
    known: std::collections::HashSet<String>,
}

impl TopicCreator {
    fn new(s: &super::TaskSetup) -> TopicCreator {
        TopicCreator {
            enabled: !s
                .worker
                .raw
                .get("topic.creation.enable")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("false")),
            known: std::collections::HashSet::new(),
        }
    }

    fn ensure(&mut self, s: &super::TaskSetup, topic: &str) {
        if !self.enabled || self.known.contains(topic) {
            return;
        }
        let Some(creation) = &s.connector_config.topic_creation else {
            return;
        };
        let group = creation.group_for(topic);
        let settings = s.worker.client_settings("admin", &s.connector_config.raw);
        let configs: Vec<(&str, &str)> = group
            .topic_configs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        tracing::debug!(topic, group = %group.name, "creating topic if missing");
        let created = s.tokio.block_on(crate::kafka::ensure_topic(
            &settings,
            topic,
            group.partitions,
            group.replication_factor,
            &configs,
        ));
        if let Err(e) = created {
            tracing::warn!("{e}; relying on the broker to create it");
        }
        self.known.insert(topic.to_string());
    }
}

fn take_failure(failure: &Mutex<Option<String>>) -> Option<String> {
    match failure.lock() {
        Ok(mut guard) => guard.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_connect_data::OffsetValue;

    fn offset(n: i64) -> OffsetMap {
        vec![("position".into(), OffsetValue::Int64(n))]
    }

    #[test]
    fn only_acknowledged_prefixes_are_committable() {
        let partition: OffsetMap = vec![("filename".into(), OffsetValue::String("a".into()))];
        let mut submitted = SubmittedRecords::default();
        let acks: Vec<_> = (0..3).map(|_| Arc::new(AtomicBool::new(false))).collect();
        for (i, ack) in acks.iter().enumerate() {
            submitted.submit(&partition, offset(i as i64), ack.clone());
        }
        acks[1].store(true, Ordering::Release);
        assert!(
            submitted.committable().is_empty(),
            "record 0 is not acknowledged yet"
        );
        acks[0].store(true, Ordering::Release);
        assert_eq!(
            submitted.committable(),
            vec![(partition.clone(), offset(1))]
        );
        assert_eq!(submitted.in_flight, 1);
        acks[2].store(true, Ordering::Release);
        assert_eq!(submitted.committable(), vec![(partition, offset(2))]);
        assert_eq!(submitted.in_flight, 0);
    }
}
