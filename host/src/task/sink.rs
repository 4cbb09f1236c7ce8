//! The sink task loop: consume as group `connect-<name>` → convert → transforms → put; every
//! `offset.flush.interval.ms`, on shutdown and when partitions are revoked in a rebalance: flush
//! the plugin, then commit consumer offsets (only after the plugin acknowledged the flush).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rdkafka::ClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::{Offset, TopicPartitionList};
use wasm_connect_data::{ConnectRecord, Header};

use super::dlq::DeadLetterQueue;
use super::throttle::THROTTLE_STEP;
use super::{
    RecordError, RetryError, RetryPolicy, TaskSetup, TaskThrottle, TransformChain, describe_record,
    tolerate,
};
use crate::config::ErrorTolerance;
use crate::herder::{ConnectorState, TopicTracker};
use crate::kafka::client_config;
use crate::runtime::SinkTaskInstance;

/// Records per `put` call at most.
const MAX_BATCH: usize = 1000;

/// Runs one sink task on the current thread until stopped or failed.
pub struct SinkTaskRunner {
    setup: TaskSetup,
}

/// A record read from Kafka and converted: the record, its Kafka offset, and the original message
/// when a dead letter queue may need it.
type PendingRecord = (ConnectRecord, i64, Option<rdkafka::message::OwnedMessage>);

/// Whether a batch reached the plugin.
enum Delivered {
    /// `put` succeeded (or every record was dropped or skipped).
    Yes,
    /// The task was stopped while `put` was being retried; the batch was not delivered.
    StoppedWhileRetrying,
}

/// Next offsets to commit, per (topic, partition).
type Positions = BTreeMap<(String, i32), i64>;

/// What the task loop shares with the consumer's rebalance callback, which runs inside `poll` on
/// the task's own thread (so the lock is never contended): the plugin, to flush it before the
/// offsets of revoked partitions are committed, and those offsets.
struct SinkShared {
    /// The plugin's task instance.
    task: SinkTaskInstance,
    /// Next offset per partition of everything put to the plugin (or skipped): what may be
    /// committed after a flush.
    delivered: Positions,
    /// Offsets last committed.
    committed: Positions,
    /// Partitions revoked since the loop last looked: their records still waiting to be put are
    /// dropped (the new owner reads them from the committed offset).
    revoked: Vec<(String, i32)>,
    /// Flushing or committing on a revocation failed: the loop fails the task with this.
    error: Option<String>,
    /// The loop has ended and the plugin is stopped: closing the consumer must not flush it.
    closed: bool,
}

/// The sink consumer's context: when partitions are revoked, flush the plugin and commit their
/// offsets before they move to another task, as Kafka Connect's `WorkerSinkTask` does in
/// `onPartitionsRevoked`, so the new owner resumes where this task stopped instead of
/// redelivering everything since the last periodic commit.
struct SinkConsumerContext {
    shared: Arc<Mutex<SinkShared>>,
}

impl ClientContext for SinkConsumerContext {}

impl ConsumerContext for SinkConsumerContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(partitions) = rebalance else {
            return;
        };
        let Ok(mut shared) = self.shared.lock() else {
            return;
        };
        let revoked: Vec<(String, i32)> = partitions
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect();
        if !shared.closed
            && shared.error.is_none()
            && let Err(e) = flush_and_commit(&mut shared, consumer, None, |tp| revoked.contains(tp))
        {
            tracing::error!("committing the offsets of revoked partitions failed: {e}");
            shared.error = Some(e);
        }
        for tp in &revoked {
            shared.delivered.remove(tp);
            shared.committed.remove(tp);
        }
        tracing::debug!(partitions = revoked.len(), "partitions revoked");
        shared.revoked.extend(revoked);
    }
}

/// The consumer of a sink task.
type SinkConsumer = BaseConsumer<SinkConsumerContext>;

/// Lock the shared state (only the task's thread uses it).
fn lock(shared: &Mutex<SinkShared>) -> Result<MutexGuard<'_, SinkShared>, String> {
    shared
        .lock()
        .map_err(|_| "sink task state poisoned by an earlier panic".to_string())
}

impl SinkTaskRunner {
    /// A runner for `setup`.
    pub fn new(setup: TaskSetup) -> SinkTaskRunner {
        SinkTaskRunner { setup }
    }

    /// Run to completion; the final state is written to the task's status.
    pub fn run(self) {
        let name = self.setup.task_name();
        let span = tracing::info_span!("sink_task", task = %name);
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

    fn consumer(&self, shared: Arc<Mutex<SinkShared>>) -> Result<SinkConsumer, String> {
        let s = &self.setup;
        let mut settings = s
            .worker
            .client_settings("consumer", &s.connector_config.raw);
        settings.insert(
            "group.id".into(),
            crate::herder::sink_group_id(&s.connector),
        );
        settings.insert("enable.auto.commit".into(), "false".into());
        settings
            .entry("client.id".into())
            .or_insert_with(|| format!("connector-consumer-{}", s.task_name()));
        settings
            .entry("auto.offset.reset".into())
            .or_insert_with(|| "earliest".into());
        settings
            .entry("max.poll.interval.ms".into())
            .or_insert_with(|| "300000".into());
        settings
            .entry("partition.assignment.strategy".into())
            .or_insert_with(|| "cooperative-sticky".into());
        // librdkafka only re-checks a subscribed topic that does not exist yet on its periodic
        // metadata refresh (default 5 min); a sink started before its source's topic exists
        // should pick it up within seconds.
        settings
            .entry("topic.metadata.refresh.interval.ms".into())
            .or_insert_with(|| "5000".into());
        let consumer: SinkConsumer = client_config(&settings)
            .create_with_context(SinkConsumerContext { shared })
            .map_err(|e| format!("cannot create consumer: {e}"))?;
        let config = &s.connector_config;
        let subscription: Vec<String> = match &config.topics_regex {
            Some(regex) if config.topics.is_empty() => {
                // Kafka matches topics.regex against whole names: anchor both ends, around the
                // whole alternation (`^a|b` would match any topic containing `b`).
                vec![format!("^({regex})$")]
            }
            _ => config.topics.clone(),
        };
        let topics: Vec<&str> = subscription.iter().map(String::as_str).collect();
        consumer
            .subscribe(&topics)
            .map_err(|e| format!("cannot subscribe to {topics:?}: {e}"))?;
        Ok(consumer)
    }

    fn run_inner(self) -> Result<(), String> {
        let s = &self.setup;
        let mut throttle =
            TaskThrottle::new(&s.limits).map_err(|e| format!("invalid task limits: {e}"))?;
        let mut task = SinkTaskInstance::new(s.plugin.loaded.clone(), &s.instance)
            .map_err(|e| e.to_string())?;
        task.start(&s.task_config)
            .map_err(|e| format!("task start failed: {e}"))?;
        let mut chain = TransformChain::new(&s.transforms, &s.instance)?;
        let shared = Arc::new(Mutex::new(SinkShared {
            task,
            delivered: Positions::new(),
            committed: Positions::new(),
            revoked: Vec::new(),
            error: None,
            closed: false,
        }));
        let consumer = self.consumer(shared.clone())?;
        let dead_letter_queue = s
            .connector_config
            .dead_letter_queue
            .clone()
            .map(|config| DeadLetterQueue::new(s, config))
            .transpose()?;
        s.status.set(ConnectorState::Running);
        // Next offset per partition of every record consumed (put, being put, or skipped).
        let mut positions = Positions::new();
        let mut last_flush = Instant::now();
        let mut paused = false;
        // The consumer's partitions are paused: while the task is paused or throttled.
        let mut consumer_paused = false;
        let mut undelivered = false;
        // The original message is needed after the transforms by the DLQ and the error log.
        let keep_originals = dead_letter_queue.is_some() || s.connector_config.errors_log_enable;
        let mut active_topics = TopicTracker::new(s.active_topics.clone(), &s.connector, s.task_id);
        let result = loop {
            if s.control.stopping() {
                break Ok(());
            }
            if last_flush.elapsed() >= s.worker.offset_flush_interval {
                if let Err(e) = commit_assigned(&shared, &consumer, &mut throttle) {
                    break Err(e);
                }
                last_flush = Instant::now();
            }
            if s.control.paused() != paused {
                paused = s.control.paused();
                s.status.set(if paused {
                    ConnectorState::Paused
                } else {
                    ConnectorState::Running
                });
            }
            // A throttled task pays for the batches it took like a paused one: its partitions
            // are paused and it sleeps in steps, then polls (which fetches nothing) so it keeps
            // its place in the group and serves rebalances, and commits offsets on time.
            let throttled_for = if paused {
                Duration::ZERO
            } else {
                throttle.remaining()
            };
            let throttled = !throttled_for.is_zero();
            // Re-paused at every throttled step: partitions assigned meanwhile start unpaused.
            if paused != consumer_paused || throttled {
                if let Err(e) = set_consumer_paused(&consumer, paused || throttled) {
                    break Err(e);
                }
                consumer_paused = paused || throttled;
            }
            if throttled {
                s.control.sleep(throttled_for.min(THROTTLE_STEP));
            }
            let mut batch: Vec<PendingRecord> = Vec::new();
            let mut consumed_bytes = 0;
            let mut consumed_records = 0;
            let mut wait = if throttled {
                Duration::ZERO
            } else {
                Duration::from_millis(100)
            };
            while batch.len() < MAX_BATCH {
                let polled = consumer.poll(wait);
                // A rebalance runs inside `poll`: forget what was consumed from revoked partitions.
                forget_revoked(&shared, &mut positions, &mut batch)?;
                let Some(message) = polled else {
                    break;
                };
                wait = Duration::ZERO;
                let message = match message {
                    Ok(message) => message,
                    Err(e) if is_transient(&e) => {
                        tracing::debug!("consumer: {e}");
                        break;
                    }
                    Err(e) => return Err(format!("KAFKA_CONSUME failed: {e}")),
                };
                consumed_records += 1;
                consumed_bytes +=
                    message.key().map_or(0, <[u8]>::len) + message.payload().map_or(0, <[u8]>::len);
                positions.insert(
                    (message.topic().to_string(), message.partition()),
                    message.offset() + 1,
                );
                if let Some(tenant) = &s.tenant
                    && let Err(message_text) = tenant.check_topic(message.topic())
                {
                    // Never hand a record of another tenant's topic to the plugin, nor copy it to
                    // the dead letter queue: skip (errors.tolerance=all) or fail the task.
                    let error = RecordError {
                        stage: super::TOPIC_ISOLATION,
                        plugin: format!("tenant {}", tenant.name),
                        message: message_text,
                    };
                    self.skip_or_fail(None, None::<&BorrowedMessage<'_>>, error)?;
                    continue;
                }
                active_topics.saw(message.topic());
                match self.to_connect(&message) {
                    Ok(record) => batch.push((
                        record,
                        message.offset(),
                        keep_originals.then(|| message.detach()),
                    )),
                    Err(error) => {
                        self.skip_or_fail(dead_letter_queue.as_ref(), Some(&message), error)?
                    }
                }
            }
            if consumed_records > 0 {
                // The wait is taken at the top of the loop, after the batch is delivered.
                throttle.records(consumed_records, consumed_bytes);
            }
            let mut guard = match lock(&shared) {
                Ok(guard) => guard,
                Err(e) => break Err(e),
            };
            // An empty batch (nothing consumed, or everything skipped) has nothing to put.
            let delivered = if batch.is_empty() {
                Ok(Delivered::Yes)
            } else {
                self.deliver(
                    batch,
                    &mut chain,
                    &mut guard.task,
                    dead_letter_queue.as_ref(),
                    &mut throttle,
                )
            };
            match delivered {
                // Everything consumed so far was put or skipped: its offsets may be committed.
                Ok(Delivered::Yes) => {
                    guard
                        .delivered
                        .extend(positions.iter().map(|(k, v)| (k.clone(), *v)));
                }
                Ok(Delivered::StoppedWhileRetrying) => {
                    undelivered = true;
                    break Ok(());
                }
                Err(e) => break Err(e),
            }
        };
        // Offsets of a batch that was never put must not be committed: skip the final commit.
        let commit = if result.is_ok() && !undelivered {
            commit_assigned(&shared, &consumer, &mut throttle)
        } else {
            Ok(())
        };
        if let Ok(mut shared) = lock(&shared) {
            shared.closed = true;
            let _ = shared.task.stop();
        }
        consumer.unsubscribe();
        result.and(commit)
    }

    fn to_connect(&self, message: &BorrowedMessage<'_>) -> Result<ConnectRecord, RecordError> {
        let s = &self.setup;
        let topic = message.topic();
        let key = s
            .key_converter
            .to_connect(topic, message.key())
            .map_err(|e| RecordError {
                stage: "KEY_CONVERTER",
                plugin: s.key_converter.name().to_string(),
                message: format!(
                    "{e} (topic {topic}, partition {}, offset {})",
                    message.partition(),
                    message.offset()
                ),
            })?;
        let value = s
            .value_converter
            .to_connect(topic, message.payload())
            .map_err(|e| RecordError {
                stage: "VALUE_CONVERTER",
                plugin: s.value_converter.name().to_string(),
                message: format!(
                    "{e} (topic {topic}, partition {}, offset {})",
                    message.partition(),
                    message.offset()
                ),
            })?;
        let mut headers = Vec::new();
        if let Some(hs) = message.headers() {
            for h in hs.iter() {
                let value = s
                    .header_converter
                    .to_connect_header(topic, h.key, h.value)
                    .map_err(|e| RecordError {
                        stage: "HEADER_CONVERTER",
                        plugin: s.header_converter.name().to_string(),
                        message: format!(
                            "header '{}': {e} (topic {topic}, partition {}, offset {})",
                            h.key,
                            message.partition(),
                            message.offset()
                        ),
                    })?;
                headers.push(Header {
                    key: h.key.to_string(),
                    value,
                });
            }
        }
        Ok(ConnectRecord {
            topic: topic.to_string(),
            kafka_partition: Some(message.partition()),
            key,
            value,
            timestamp: message.timestamp().to_millis(),
            headers,
        })
    }

    /// A record failed: with `errors.tolerance=all` send the original message to the dead letter
    /// queue (if any) and skip it; with `none` fail the task, leaving the record uncommitted.
    fn skip_or_fail<M: Message>(
        &self,
        dead_letter_queue: Option<&DeadLetterQueue>,
        original: Option<&M>,
        error: RecordError,
    ) -> Result<(), String> {
        let config = &self.setup.connector_config;
        if let (Some(dlq), Some(original)) = (dead_letter_queue, original)
            && config.errors_tolerance == ErrorTolerance::All
        {
            dlq.report(original, &error)?;
        }
        tolerate(
            config,
            &self.setup.task_name(),
            error,
            |include| match original {
                Some(m) => describe_record(
                    "consumed",
                    &format!(
                        "topic='{}', partition={}, offset={}, timestamp={:?}",
                        m.topic(),
                        m.partition(),
                        m.offset(),
                        m.timestamp().to_millis()
                    ),
                    include,
                    || lossy(m.key()),
                    || lossy(m.payload()),
                ),
                None => "consumed record is unknown".into(),
            },
        )
    }

    fn deliver(
        &self,
        batch: Vec<PendingRecord>,
        chain: &mut TransformChain,
        task: &mut SinkTaskInstance,
        dead_letter_queue: Option<&DeadLetterQueue>,
        throttle: &mut TaskThrottle,
    ) -> Result<Delivered, String> {
        let s = &self.setup;
        let (records, origins): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .map(|(record, offset, original)| (record, (offset, original)))
            .unzip();
        let batch: Vec<(ConnectRecord, i64)> = if chain.is_empty() {
            records
                .into_iter()
                .zip(origins.into_iter().map(|(offset, _)| offset))
                .collect()
        } else {
            let mut kept = Vec::with_capacity(records.len());
            let outcomes = throttle.time(|| chain.apply(records))?;
            for (outcome, (offset, original)) in outcomes.into_iter().zip(origins) {
                match outcome {
                    Ok(Some(record)) => kept.push((record, offset)),
                    Ok(None) => {}
                    Err(error) => self.skip_or_fail(dead_letter_queue, original.as_ref(), error)?,
                }
            }
            kept
        };
        if batch.is_empty() {
            return Ok(Delivered::Yes);
        }
        match RetryPolicy::for_task_calls(&s.connector_config)
            .run(&s.control, "put", || throttle.time(|| task.put(&batch)))
        {
            Ok(()) => Ok(Delivered::Yes),
            Err(RetryError::Stopped(_)) => Ok(Delivered::StoppedWhileRetrying),
            Err(e) => Err(format!("TASK_PUT failed ({}): {e}", s.plugin.name())),
        }
    }
}

/// Bytes of a key or value for the error log.
fn lossy(bytes: Option<&[u8]>) -> String {
    bytes.map_or_else(
        || "null".into(),
        |b| String::from_utf8_lossy(b).into_owned(),
    )
}

/// Consumer errors that resolve by themselves (a topic not created yet, a partition EOF).
fn is_transient(e: &rdkafka::error::KafkaError) -> bool {
    use rdkafka::error::{KafkaError, RDKafkaErrorCode as Code};
    matches!(
        e,
        KafkaError::MessageConsumption(
            Code::UnknownTopicOrPartition | Code::UnknownTopic | Code::PartitionEOF
        ) | KafkaError::PartitionEOF(_)
    )
}

/// Pause or resume fetching from every partition currently assigned to `consumer`.
fn set_consumer_paused(consumer: &SinkConsumer, paused: bool) -> Result<(), String> {
    let assignment = consumer.assignment().map_err(|e| e.to_string())?;
    let change = if paused {
        consumer.pause(&assignment)
    } else {
        consumer.resume(&assignment)
    };
    change.map_err(|e| format!("cannot pause or resume the consumer: {e}"))
}

/// Drop what was consumed from partitions revoked during the last `poll`: their positions and
/// the records not put yet. Fails when committing them on revocation failed.
fn forget_revoked(
    shared: &Mutex<SinkShared>,
    positions: &mut Positions,
    batch: &mut Vec<PendingRecord>,
) -> Result<(), String> {
    let mut shared = lock(shared)?;
    if let Some(e) = shared.error.take() {
        return Err(e);
    }
    if shared.revoked.is_empty() {
        return Ok(());
    }
    let revoked = std::mem::take(&mut shared.revoked);
    positions.retain(|tp, _| !revoked.contains(tp));
    batch.retain(|(record, _, _)| {
        let tp = (record.topic.clone(), record.kafka_partition.unwrap_or(-1));
        !revoked.contains(&tp)
    });
    Ok(())
}

/// Flush the plugin and commit the offsets of everything delivered from the partitions still
/// assigned (the periodic and the final commit).
fn commit_assigned(
    shared: &Mutex<SinkShared>,
    consumer: &SinkConsumer,
    throttle: &mut TaskThrottle,
) -> Result<(), String> {
    let assignment = consumer.assignment().map_err(|e| e.to_string())?;
    let mut shared = lock(shared)?;
    flush_and_commit(
        &mut shared,
        consumer,
        Some(throttle),
        |(topic, partition)| assignment.find_partition(topic, *partition).is_some(),
    )
}

/// Flush the plugin up to the delivered offsets of the partitions `include` selects (those not
/// committed yet), then commit them. `throttle` accounts the flush's time when given.
fn flush_and_commit(
    shared: &mut SinkShared,
    consumer: &SinkConsumer,
    throttle: Option<&mut TaskThrottle>,
    include: impl Fn(&(String, i32)) -> bool,
) -> Result<(), String> {
    let owned: Vec<((String, i32), i64)> = shared
        .delivered
        .iter()
        .filter(|(tp, offset)| shared.committed.get(*tp) != Some(*offset))
        .filter(|(tp, _)| include(tp))
        .map(|(tp, o)| (tp.clone(), *o))
        .collect();
    if owned.is_empty() {
        return Ok(());
    }
    let flush: Vec<(String, i32, i64)> = owned
        .iter()
        .map(|((t, p), o)| (t.clone(), *p, *o))
        .collect();
    let task = &mut shared.task;
    match throttle {
        Some(throttle) => throttle.time(|| task.flush(&flush)),
        None => task.flush(&flush),
    }
    .map_err(|e| format!("flush failed: {e}"))?;
    let mut list = TopicPartitionList::new();
    for ((topic, partition), offset) in &owned {
        list.add_partition_offset(topic, *partition, Offset::Offset(*offset))
            .map_err(|e| format!("bad offset for {topic}-{partition}: {e}"))?;
    }
    consumer
        .commit(&list, CommitMode::Sync)
        .map_err(|e| format!("cannot commit consumer offsets: {e}"))?;
    for (tp, offset) in owned {
        shared.committed.insert(tp, offset);
    }
    tracing::debug!(partitions = list.count(), "committed sink offsets");
    Ok(())
}
