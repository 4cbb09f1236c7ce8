//! Herders own connectors and tasks and answer the REST API: [`StandaloneHerder`] runs everything
//! in one process; a distributed herder will implement the same [`Herder`] trait.

mod catalog;
mod context;
mod distributed;
mod prepare;
mod running;
mod standalone;
mod status;
mod validation;

use std::collections::BTreeMap;

use serde::Serialize;

pub use context::WorkerContext;
pub use distributed::DistributedHerder;
pub use standalone::StandaloneHerder;
pub use status::{ConnectorState, StatusCell};

use crate::config::{ConfigInfos, ConfigKeyInfo};
use crate::runtime::ComponentKind;

/// A connector's configuration: Kafka Connect's string map.
pub type ConfigMap = BTreeMap<String, String>;

/// Source or sink, as REST reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorType {
    /// Source connector.
    Source,
    /// Sink connector.
    Sink,
    /// Not known (plugin missing).
    Unknown,
}

impl ConnectorType {
    /// The type of a connector plugin of `kind` (`Unknown` when the plugin is missing).
    pub fn from_kind(kind: Option<ComponentKind>) -> ConnectorType {
        match kind {
            Some(ComponentKind::Source) => ConnectorType::Source,
            Some(ComponentKind::Sink) => ConnectorType::Sink,
            _ => ConnectorType::Unknown,
        }
    }
}

/// `{connector, task}` as in `GET /connectors/{c}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectorTaskId {
    /// Connector name.
    pub connector: String,
    /// Task number.
    pub task: u32,
}

/// `GET /connectors/{c}` and the body of `POST /connectors`.
#[derive(Clone, Debug, Serialize)]
pub struct ConnectorInfo {
    /// Connector name.
    pub name: String,
    /// Its configuration.
    pub config: ConfigMap,
    /// Its tasks.
    pub tasks: Vec<ConnectorTaskId>,
    /// Source or sink.
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// State of a connector or task in `GET /connectors/{c}/status`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StateInfo {
    /// UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED or RESTARTING.
    pub state: ConnectorState,
    /// The worker running it, as `host:port`.
    pub worker_id: String,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// One task in a status answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskStateInfo {
    /// Task number.
    pub id: u32,
    /// Its state.
    #[serde(flatten)]
    pub state: StateInfo,
}

/// `GET /connectors/{c}/status`.
#[derive(Clone, Debug, Serialize)]
pub struct ConnectorStatus {
    /// Connector name.
    pub name: String,
    /// The connector's own state.
    pub connector: StateInfo,
    /// Its tasks' states.
    pub tasks: Vec<TaskStateInfo>,
    /// Source or sink.
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// One entry of `GET /connectors/{c}/tasks`.
#[derive(Clone, Debug, Serialize)]
pub struct TaskInfo {
    /// `{connector, task}`.
    pub id: ConnectorTaskId,
    /// The task's configuration.
    pub config: ConfigMap,
}

/// One entry of `GET /connector-plugins`.
#[derive(Clone, Debug, Serialize)]
pub struct PluginInfo {
    /// Name to use in `connector.class` / `transforms.<a>.type`.
    pub class: String,
    /// source, sink, transformation, predicate or converter.
    #[serde(rename = "type")]
    pub plugin_type: String,
    /// Plugin version.
    pub version: String,
}

/// Errors a herder reports; REST maps each to Kafka Connect's status code.
#[derive(Debug, thiserror::Error)]
pub enum HerderError {
    /// No connector with this name (404).
    #[error("Connector {0} not found")]
    ConnectorNotFound(String),
    /// No such task (404).
    #[error("Task {connector}-{task} not found")]
    TaskNotFound {
        /// Connector name.
        connector: String,
        /// Task number.
        task: u32,
    },
    /// No such plugin (404).
    #[error("Failed to find any class that implements Connector and which name matches {0}")]
    PluginNotFound(String),
    /// A connector with this name exists (409).
    #[error("Connector {0} already exists")]
    AlreadyExists(String),
    /// The configuration is invalid (400); the message lists every error.
    #[error("{}", .0.error_message())]
    InvalidConfig(Box<ConfigInfos>),
    /// A malformed request (400).
    #[error("{0}")]
    BadRequest(String),
    /// The worker failed (500).
    #[error("{0}")]
    Internal(String),
    /// A rebalance or leader change is in progress (409).
    #[error("{0}")]
    Conflict(String),
    /// The leader (or the worker running a task) answered a forwarded request with an error.
    #[error("{message}")]
    Forwarded {
        /// The HTTP status it answered with.
        status: u16,
        /// Its message.
        message: String,
    },
}

/// What the REST API needs from a herder.
pub trait Herder: Send + Sync + 'static {
    /// Names of all connectors, sorted.
    fn connector_names(&self) -> Vec<String>;
    /// Create a connector (`POST /connectors`); `None` when it exists and `allow_replace` is false.
    fn put_connector_config(
        &self,
        name: &str,
        config: ConfigMap,
        allow_replace: bool,
    ) -> impl Future<Output = Result<(bool, ConnectorInfo), HerderError>> + Send;
    /// `GET /connectors/{c}`.
    fn connector_info(&self, name: &str) -> Result<ConnectorInfo, HerderError>;
    /// `GET /connectors/{c}/config`.
    fn connector_config(&self, name: &str) -> Result<ConfigMap, HerderError>;
    /// `GET /connectors/{c}/status`.
    fn connector_status(&self, name: &str) -> Result<ConnectorStatus, HerderError>;
    /// `GET /connectors/{c}/tasks/{t}/status`.
    fn task_status(&self, name: &str, task: u32) -> Result<TaskStateInfo, HerderError>;
    /// `GET /connectors/{c}/tasks`.
    fn task_configs(&self, name: &str) -> Result<Vec<TaskInfo>, HerderError>;
    /// `DELETE /connectors/{c}`.
    fn delete_connector(&self, name: &str) -> impl Future<Output = Result<(), HerderError>> + Send;
    /// `PUT /connectors/{c}/pause`.
    fn pause_connector(&self, name: &str) -> Result<(), HerderError>;
    /// `PUT /connectors/{c}/resume`.
    fn resume_connector(&self, name: &str) -> Result<(), HerderError>;
    /// `POST /connectors/{c}/restart`; returns the status after the restart was requested.
    fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> impl Future<Output = Result<ConnectorStatus, HerderError>> + Send;
    /// `POST /connectors/{c}/tasks/{t}/restart`.
    fn restart_task(
        &self,
        name: &str,
        task: u32,
    ) -> impl Future<Output = Result<(), HerderError>> + Send;
    /// `GET /connector-plugins`.
    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo>;
    /// `GET /connector-plugins/{p}/config`: the plugin's own config definition.
    fn plugin_config(&self, plugin: &str) -> Result<Vec<ConfigKeyInfo>, HerderError>;
    /// `PUT /connector-plugins/{p}/config/validate`.
    fn validate_config(
        &self,
        plugin: &str,
        config: ConfigMap,
    ) -> impl Future<Output = Result<ConfigInfos, HerderError>> + Send;
    /// The Kafka cluster id for `GET /`.
    fn kafka_cluster_id(&self) -> String;
}
