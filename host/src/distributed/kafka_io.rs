//! Reading and writing an internal topic: a reader that starts at the beginning of every partition
//! and knows when it has caught up, and a writer that returns only after the broker acknowledged.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use rdkafka::ClientContext;
use rdkafka::message::DeliveryResult;
use rdkafka::producer::{BaseRecord, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;

use crate::kafka::client_config;

/// One record read from an internal topic.
#[derive(Clone, Debug)]
pub struct LogRecord {
    /// Partition.
    pub partition: i32,
    /// Offset in the partition.
    pub offset: i64,
    /// Key, as UTF-8 text.
    pub key: String,
    /// Value (`None` = tombstone).
    pub value: Option<Vec<u8>>,
}

/// Reads every partition of a topic from the beginning, without a consumer group.
pub struct TopicReader {
    consumer: BaseConsumer,
    topic: String,
    partitions: Vec<i32>,
    /// Next offset to read per partition.
    positions: BTreeMap<i32, i64>,
}

impl TopicReader {
    /// Open `topic` (which must exist) from the beginning of each partition.
    pub fn open(settings: &BTreeMap<String, String>, topic: &str) -> Result<TopicReader, String> {
        let mut settings = settings.clone();
        settings.insert("enable.auto.commit".into(), "false".into());
        settings.insert("enable.partition.eof".into(), "false".into());
        settings
            .entry("group.id".into())
            .or_insert_with(|| format!("wasm-connect-reader-{topic}"));
        let consumer: BaseConsumer = client_config(&settings)
            .create()
            .map_err(|e| format!("cannot create a reader of {topic}: {e}"))?;
        let metadata = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(30))
            .map_err(|e| format!("cannot read metadata of {topic}: {e}"))?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .map(|t| t.partitions().iter().map(|p| p.id()).collect())
            .unwrap_or_default();
        if partitions.is_empty() {
            return Err(format!("topic {topic} has no partitions"));
        }
        let mut assignment = TopicPartitionList::new();
        for p in &partitions {
            assignment
                .add_partition_offset(topic, *p, Offset::Beginning)
                .map_err(|e| e.to_string())?;
        }
        consumer
            .assign(&assignment)
            .map_err(|e| format!("cannot read {topic}: {e}"))?;
        Ok(TopicReader {
            consumer,
            topic: topic.to_string(),
            positions: partitions.iter().map(|p| (*p, 0)).collect(),
            partitions,
        })
    }

    /// The next record, waiting up to `timeout`.
    pub fn poll(&mut self, timeout: Duration) -> Result<Option<LogRecord>, String> {
        match self.consumer.poll(timeout) {
            None => Ok(None),
            Some(Err(e)) => {
                tracing::debug!(topic = %self.topic, "reader: {e}");
                Ok(None)
            }
            Some(Ok(message)) => {
                self.positions
                    .insert(message.partition(), message.offset() + 1);
                Ok(Some(LogRecord {
                    partition: message.partition(),
                    offset: message.offset(),
                    key: message
                        .key()
                        .map(|k| String::from_utf8_lossy(k).into_owned())
                        .unwrap_or_default(),
                    value: message.payload().map(<[u8]>::to_vec),
                }))
            }
        }
    }

    /// The end offset of every partition now (one ListOffsets request for all partitions).
    pub fn end_offsets(&self) -> Result<BTreeMap<i32, i64>, String> {
        let mut query = TopicPartitionList::new();
        for p in &self.partitions {
            query
                .add_partition_offset(&self.topic, *p, Offset::End)
                .map_err(|e| e.to_string())?;
        }
        let answer = self
            .consumer
            .offsets_for_times(query, Duration::from_secs(10))
            .map_err(|e| format!("cannot read the end of {}: {e}", self.topic))?;
        answer
            .elements()
            .iter()
            .map(|e| match e.offset() {
                Offset::Offset(end) => Ok((e.partition(), end)),
                // An empty partition may answer "end" itself.
                Offset::End | Offset::Beginning => Ok((e.partition(), 0)),
                other => Err(format!(
                    "cannot read the end of {}-{}: {other:?}",
                    self.topic,
                    e.partition()
                )),
            })
            .collect()
    }

    /// True once every partition has been read up to `ends`.
    pub fn reached(&self, ends: &BTreeMap<i32, i64>) -> bool {
        ends.iter()
            .all(|(p, end)| self.positions.get(p).copied().unwrap_or(0) >= *end)
    }

    /// Read until the current end of every partition, handing each record to `apply`.
    pub fn read_to_end(
        &mut self,
        timeout: Duration,
        mut apply: impl FnMut(LogRecord),
    ) -> Result<(), String> {
        let ends = self.end_offsets()?;
        let deadline = Instant::now() + timeout;
        while !self.reached(&ends) {
            if Instant::now() > deadline {
                return Err(format!("timed out reading {} to its end", self.topic));
            }
            if let Some(record) = self.poll(Duration::from_millis(100))? {
                apply(record);
            }
        }
        Ok(())
    }
}

/// Remembers the first delivery failure since it was last taken.
#[derive(Default)]
struct DeliveryErrors(Mutex<Option<String>>);

impl ClientContext for DeliveryErrors {}

impl ProducerContext for DeliveryErrors {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result
            && let Ok(mut slot) = self.0.lock()
        {
            slot.get_or_insert_with(|| e.to_string());
        }
    }
}

/// Writes to an internal topic and waits for the broker's acknowledgement.
pub struct TopicWriter {
    producer: ThreadedProducer<DeliveryErrors>,
    topic: String,
}

impl TopicWriter {
    /// A writer of `topic`. Keys are partitioned like Kafka's Java clients (murmur2), so that
    /// Kafka Connect workers and tools find the same records in the same partitions.
    pub fn open(settings: &BTreeMap<String, String>, topic: &str) -> Result<TopicWriter, String> {
        let mut settings = settings.clone();
        settings.insert("acks".into(), "all".into());
        settings.insert("enable.idempotence".into(), "true".into());
        settings.insert("partitioner".into(), "murmur2_random".into());
        settings
            .entry("linger.ms".into())
            .or_insert_with(|| "0".into());
        let producer = client_config(&settings)
            .create_with_context(DeliveryErrors::default())
            .map_err(|e| format!("cannot create a writer of {topic}: {e}"))?;
        Ok(TopicWriter {
            producer,
            topic: topic.to_string(),
        })
    }

    /// Send records and wait until the broker has them all.
    pub fn write(
        &self,
        records: &[(String, Option<Vec<u8>>)],
        timeout: Duration,
    ) -> Result<(), String> {
        for (key, value) in records {
            let mut record: BaseRecord<'_, str, [u8]> = BaseRecord::to(&self.topic).key(key);
            if let Some(v) = value {
                record = record.payload(v);
            }
            self.producer
                .send(record)
                .map_err(|(e, _)| format!("cannot write {key} to {}: {e}", self.topic))?;
        }
        self.producer
            .flush(timeout)
            .map_err(|e| format!("writing to {} was not acknowledged: {e}", self.topic))?;
        let failure = self
            .producer
            .context()
            .0
            .lock()
            .map(|mut slot| slot.take())
            .unwrap_or_else(|poisoned| poisoned.into_inner().take());
        match failure {
            Some(e) => Err(format!("writing to {} failed: {e}", self.topic)),
            None => Ok(()),
        }
    }
}

/// A background reader that applies every record of a topic to shared state, and can be asked to
/// catch up with the topic's current end (so that what others wrote before is visible).
pub struct TopicTail<S> {
    state: Arc<Mutex<S>>,
    sync: mpsc::Sender<mpsc::Sender<Result<(), String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    stop: CancellationToken,
}

impl<S: Send + 'static> TopicTail<S> {
    /// Read `topic` from the beginning into `state` with `apply`, until `stop`; returns once the
    /// records present at start have been applied.
    pub fn start(
        settings: &BTreeMap<String, String>,
        topic: &str,
        state: S,
        apply: impl Fn(&mut S, LogRecord) + Send + 'static,
    ) -> Result<TopicTail<S>, String> {
        let mut reader = TopicReader::open(settings, topic)?;
        let state = Arc::new(Mutex::new(state));
        let mut apply_to = {
            let state = state.clone();
            move |record: LogRecord| match state.lock() {
                Ok(mut s) => apply(&mut s, record),
                Err(poisoned) => apply(&mut poisoned.into_inner(), record),
            }
        };
        reader.read_to_end(Duration::from_secs(60), &mut apply_to)?;
        let (sync, requests) = mpsc::channel::<mpsc::Sender<Result<(), String>>>();
        let stop = CancellationToken::new();
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name(format!("read-{topic}"))
            .spawn(move || {
                while !stopping.is_cancelled() {
                    while let Ok(reply) = requests.try_recv() {
                        let _ =
                            reply.send(reader.read_to_end(Duration::from_secs(30), &mut apply_to));
                    }
                    match reader.poll(Duration::from_millis(50)) {
                        Ok(Some(record)) => apply_to(record),
                        Ok(None) => {}
                        Err(e) => tracing::warn!("{e}"),
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(TopicTail {
            state,
            sync,
            thread: Some(thread),
            stop,
        })
    }

    /// Read up to the topic's current end before returning.
    pub fn sync(&self, timeout: Duration) -> Result<(), String> {
        let (reply, answer) = mpsc::channel();
        self.sync
            .send(reply)
            .map_err(|_| "the topic reader has stopped".to_string())?;
        answer
            .recv_timeout(timeout)
            .map_err(|_| "timed out catching up with the topic".to_string())?
    }

    /// Run `f` on the state.
    pub fn with<T>(&self, f: impl FnOnce(&S) -> T) -> T {
        match self.state.lock() {
            Ok(s) => f(&s),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    /// Change the state (e.g. with what this worker just wrote).
    pub fn update<T>(&self, f: impl FnOnce(&mut S) -> T) -> T {
        match self.state.lock() {
            Ok(mut s) => f(&mut s),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}

impl<S> Drop for TopicTail<S> {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
