//! The traits a plugin implements, and the records connectors exchange with the host.

use crate::config::{Config, ConfigError, ConfigKey};
use crate::error::Result;
use crate::types::{ConnectRecord, OffsetMap, SchemaAndValue};

/// What a plugin says about itself (WIT `plugin-info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginInfo {
    /// Name used in `connector.class` / `transforms.<a>.type`, e.g. `FileStreamSource`.
    pub name: String,
    /// Version.
    pub version: String,
    /// Other names that select this plugin, e.g. Kafka's class name.
    pub aliases: Vec<String>,
    /// One-line description.
    pub description: String,
}

impl PluginInfo {
    /// Info with `name`, version `0.0.0`, no aliases and no description.
    pub fn new(name: impl Into<String>) -> PluginInfo {
        PluginInfo {
            name: name.into(),
            version: "0.0.0".into(),
            aliases: Vec::new(),
            description: String::new(),
        }
    }

    /// Set the version (typically `env!("CARGO_PKG_VERSION")`).
    pub fn version(mut self, version: impl Into<String>) -> PluginInfo {
        self.version = version.into();
        self
    }

    /// Add an alias.
    pub fn alias(mut self, alias: impl Into<String>) -> PluginInfo {
        self.aliases.push(alias.into());
        self
    }

    /// Set the description.
    pub fn description(mut self, description: impl Into<String>) -> PluginInfo {
        self.description = description.into();
        self
    }
}

/// A record produced by a source task.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SourceRecord {
    /// Topic, key, value, headers, timestamp and partition.
    pub record: ConnectRecord,
    /// Where the record came from, e.g. `{"filename": "/tmp/in.txt"}`.
    pub source_partition: OffsetMap,
    /// Position within the source partition, e.g. `{"position": 42}`.
    pub source_offset: OffsetMap,
}

impl SourceRecord {
    /// A record for `topic` with `value`, no key and empty partition/offset maps.
    pub fn new(topic: impl Into<String>, value: SchemaAndValue) -> SourceRecord {
        SourceRecord {
            record: ConnectRecord {
                topic: topic.into(),
                value,
                ..ConnectRecord::default()
            },
            ..SourceRecord::default()
        }
    }

    /// Set the key.
    pub fn key(mut self, key: SchemaAndValue) -> SourceRecord {
        self.record.key = key;
        self
    }

    /// Set the source partition.
    pub fn partition(mut self, partition: OffsetMap) -> SourceRecord {
        self.source_partition = partition;
        self
    }

    /// Set the source offset.
    pub fn offset(mut self, offset: OffsetMap) -> SourceRecord {
        self.source_offset = offset;
        self
    }

    /// Set the timestamp (milliseconds since the Unix epoch).
    pub fn timestamp(mut self, timestamp: i64) -> SourceRecord {
        self.record.timestamp = Some(timestamp);
        self
    }
}

/// A record delivered to a sink task.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SinkRecord {
    /// Topic, partition, key, value, headers and timestamp.
    pub record: ConnectRecord,
    /// Offset of the record in its Kafka partition.
    pub kafka_offset: i64,
}

/// A partition's position: the next offset the sink expects, as Kafka commits it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TopicPartitionOffset {
    /// Topic.
    pub topic: String,
    /// Kafka partition.
    pub partition: i32,
    /// Next offset.
    pub offset: i64,
}

/// Describes a plugin: implemented by connectors, transforms and predicates.
pub trait Plugin {
    /// Name, version, aliases and description.
    fn info() -> PluginInfo;

    /// The configuration keys the host checks before start (Kafka's `config()`).
    fn config_def() -> Vec<ConfigKey> {
        Vec::new()
    }
}

/// The connector half of a source or sink plugin: runs once per connector and splits work into
/// task configurations. Also available as [`SourceConnector`] and [`SinkConnector`].
pub trait Connector: Plugin + Sized + 'static {
    /// Checks beyond the config definition (e.g. rules across keys); empty means valid.
    fn validate(config: &Config) -> Vec<ConfigError> {
        let _ = config;
        Vec::new()
    }

    /// Start the connector.
    fn start(config: Config) -> Result<Self>;

    /// Configurations for at most `max_tasks` tasks.
    fn task_configs(&mut self, max_tasks: u32) -> Result<Vec<Config>>;

    /// Stop the connector.
    fn stop(&mut self) {}
}

pub use Connector as SourceConnector;
pub use Connector as SinkConnector;

/// A source task: reads from an external system and returns records in batches.
pub trait SourceTask: Sized + 'static {
    /// Start the task with one of the configurations from [`Connector::task_configs`].
    fn start(config: Config) -> Result<Self>;

    /// The next batch of records; an empty batch tells the host to back off briefly.
    fn poll(&mut self) -> Result<Vec<SourceRecord>>;

    /// The host committed the offsets of every record returned so far.
    fn commit(&mut self) -> Result<()> {
        Ok(())
    }

    /// Stop the task.
    fn stop(&mut self) {}
}

/// A sink task: receives batches of records read from Kafka.
pub trait SinkTask: Sized + 'static {
    /// Start the task with one of the configurations from [`Connector::task_configs`].
    fn start(config: Config) -> Result<Self>;

    /// Deliver a batch of records.
    fn put(&mut self, records: Vec<SinkRecord>) -> Result<()>;

    /// Make everything put so far durable; the host commits `offsets` only after `Ok`.
    fn flush(&mut self, offsets: &[TopicPartitionOffset]) -> Result<()> {
        let _ = offsets;
        Ok(())
    }

    /// Stop the task.
    fn stop(&mut self) {}
}

/// A single message transform (Kafka's `Transformation`).
pub trait Transform: Plugin + Sized + 'static {
    /// Create the transform from its configuration.
    fn configure(config: Config) -> Result<Self>;

    /// Transform one record; `Ok(None)` drops it.
    fn apply(&mut self, record: ConnectRecord) -> Result<Option<ConnectRecord>>;

    /// Transform a batch: one result per input record, in order. Calls [`Transform::apply`].
    fn apply_batch(&mut self, records: Vec<ConnectRecord>) -> Vec<Result<Option<ConnectRecord>>> {
        records.into_iter().map(|r| self.apply(r)).collect()
    }
}

/// A predicate deciding whether a transform applies (Kafka's `Predicate`).
pub trait Predicate: Plugin + Sized + 'static {
    /// Create the predicate from its configuration.
    fn configure(config: Config) -> Result<Self>;

    /// Whether `record` matches.
    fn test(&mut self, record: &ConnectRecord) -> Result<bool>;

    /// One answer per input record, in order. Calls [`Predicate::test`].
    fn test_batch(&mut self, records: &[ConnectRecord]) -> Vec<Result<bool>> {
        records.iter().map(|r| self.test(r)).collect()
    }
}
