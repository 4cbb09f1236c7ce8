//! Task runners: each task runs on its own thread with its own plugin instances, so a plugin that
//! traps, loops or runs out of memory fails only that task.

mod dlq;
mod retry;
mod sink;
mod source;
mod throttle;
mod transforms;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasm_connect_data::converter::{Converter, HeaderConverter};

pub use retry::{RetryError, RetryPolicy};
pub use sink::SinkTaskRunner;
pub use source::SourceTaskRunner;
pub use throttle::{InvalidLimit, TaskLimits, TaskThrottle, TokenBucket};
pub use transforms::swap_key_and_value;
pub use transforms::{ResolvedTransform, TransformChain};

use crate::config::{ConnectorConfig, ErrorTolerance, WorkerConfig};
use crate::herder::StatusCell;
use crate::offsets::OffsetBackingStore;
use crate::plugins::RegisteredPlugin;
use crate::runtime::InstanceContext;

/// Signals from the herder to a running task.
#[derive(Debug, Default)]
pub struct TaskControl {
    stop: AtomicBool,
    paused: AtomicBool,
}

impl TaskControl {
    /// Ask the task to stop gracefully.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether stop was requested.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Pause or resume.
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    /// Whether the task is paused.
    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Sleep up to `duration`, waking early when stop is requested.
    pub fn sleep(&self, duration: Duration) {
        let step = Duration::from_millis(20);
        let mut left = duration;
        while !left.is_zero() && !self.stopping() {
            let now = left.min(step);
            std::thread::sleep(now);
            left -= now;
        }
    }
}

/// Everything a task runner needs, prepared by the herder.
pub struct TaskSetup {
    /// The policy of the connector's tenant: every topic the task produces to or consumes from
    /// must lie inside its prefixes. `None` without tenancy.
    pub tenant: Option<Arc<crate::tenancy::Tenant>>,
    /// Connector name.
    pub connector: String,
    /// Task number.
    pub task_id: u32,
    /// The connector's parsed configuration.
    pub connector_config: ConnectorConfig,
    /// This task's configuration (from the connector's `task-configs`).
    pub task_config: BTreeMap<String, String>,
    /// The connector plugin.
    pub plugin: Arc<RegisteredPlugin>,
    /// The connector's transforms, resolved to plugins.
    pub transforms: Vec<ResolvedTransform>,
    /// Sandbox and limits for every instance of this task.
    pub instance: InstanceContext,
    /// Key converter.
    pub key_converter: Arc<dyn Converter>,
    /// Value converter.
    pub value_converter: Arc<dyn Converter>,
    /// Header converter.
    pub header_converter: Arc<dyn HeaderConverter>,
    /// The worker's configuration.
    pub worker: Arc<WorkerConfig>,
    /// Source offsets.
    pub offsets: Arc<dyn OffsetBackingStore>,
    /// Where the task reports the topics it uses.
    pub active_topics: Arc<dyn crate::herder::ActiveTopicStore>,
    /// Where the task reports its state.
    pub status: StatusCell,
    /// Stop and pause signals.
    pub control: Arc<TaskControl>,
    /// Runtime for async Kafka admin calls.
    pub tokio: tokio::runtime::Handle,
    /// Throughput and CPU-share limits the task loop enforces (unlimited by default).
    pub limits: TaskLimits,
}

impl TaskSetup {
    /// `<connector>-<task>`, as Kafka names tasks.
    pub fn task_name(&self) -> String {
        format!("{}-{}", self.connector, self.task_id)
    }
}

/// A record that could not be processed, with the stage that failed (Kafka's `Stage`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{stage} failed ({plugin}): {message}")]
pub struct RecordError {
    /// KEY_CONVERTER, VALUE_CONVERTER, HEADER_CONVERTER, TRANSFORMATION, KAFKA_PRODUCE, …
    pub stage: &'static str,
    /// The plugin or converter involved.
    pub plugin: String,
    /// What went wrong.
    pub message: String,
}

/// The stage of a record error for a topic outside the tenant's prefixes.
pub const TOPIC_ISOLATION: &str = "TOPIC_ISOLATION";

/// Apply `errors.tolerance` to a record error: `Ok` to skip the record, `Err` to fail the task.
///
/// With `errors.log.enable` the error is logged with Kafka's wording; `describe` says where the
/// record came from, and is given `errors.log.include.messages` to decide whether to include the
/// record's key and value.
pub(crate) fn tolerate(
    config: &ConnectorConfig,
    task: &str,
    error: RecordError,
    describe: impl FnOnce(bool) -> String,
) -> Result<(), String> {
    if config.errors_log_enable {
        let record = describe(config.errors_log_include_messages);
        tracing::error!(
            task,
            stage = error.stage,
            "Error encountered in task {task}. Executing stage '{}' with class '{}', where {record}: {}",
            error.stage,
            error.plugin,
            error.message
        );
    }
    match config.errors_tolerance {
        ErrorTolerance::All => {
            tracing::debug!(task, "skipping record (errors.tolerance=all): {error}");
            Ok(())
        }
        ErrorTolerance::None => Err(format!("Tolerance exceeded in error handler: {error}")),
    }
}

/// A record for the error log: where it is, plus its key and value when `include_messages`.
pub(crate) fn describe_record(
    kind: &str,
    position: &str,
    include_messages: bool,
    key: impl FnOnce() -> String,
    value: impl FnOnce() -> String,
) -> String {
    if include_messages {
        format!(
            "{kind} record is {{{position}, key={}, value={}}}",
            key(),
            value()
        )
    } else {
        format!("{kind} record is {{{position}}}")
    }
}
