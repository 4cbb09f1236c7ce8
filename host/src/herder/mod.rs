//! Herders own connectors and tasks and answer the REST API: [`StandaloneHerder`] runs everything
//! in one process; a distributed herder will implement the same [`Herder`] trait.

mod active_topics;
mod catalog;
mod context;
mod distributed;
mod offsets;
mod prepare;
mod running;
mod standalone;
mod status;
mod tenant_policy;
mod validation;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

pub use active_topics::{ActiveTopicStore, MemoryActiveTopics, TopicTracker};
pub use catalog::PluginVersionInfo;
pub use context::WorkerContext;
pub use distributed::DistributedHerder;
pub use offsets::{ConnectorOffset, ConnectorOffsets, sink_group_id};
pub(crate) use prepare::grants_for;
pub use standalone::StandaloneHerder;
pub use status::{ConnectorState, StatusCell};

use crate::config::{ConfigInfos, ConfigKeyInfo};
use crate::runtime::ComponentKind;
use crate::tenancy::{AuditEntry, IssuedKey, Tenant, TenantDirectory};

/// The error of a tenant operation on a worker without tenancy.
fn tenancy_off() -> HerderError {
    HerderError::NotFound(
        "Tenancy is not enabled on this cluster (set tenancy.enabled=true in distributed mode)"
            .into(),
    )
}

/// A connector's configuration: Kafka Connect's string map.
pub type ConfigMap = BTreeMap<String, String>;

/// Source or sink, as REST reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// A connector's target state: what its owner should make of it (`target-state-<c>` in the
/// config topic; `initial_state` of `POST /connectors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TargetState {
    /// Running.
    #[default]
    Started,
    /// Paused: tasks stay assigned but do not process records.
    Paused,
    /// Stopped: no tasks, config kept; offsets may be edited (Kafka 3.5's `STOPPED`).
    Stopped,
}

impl TargetState {
    /// `initial_state` of `POST /connectors`: RUNNING, PAUSED or STOPPED (case-insensitive).
    pub fn from_initial_state(value: &str) -> Option<TargetState> {
        match value.to_ascii_uppercase().as_str() {
            "RUNNING" => Some(TargetState::Started),
            "PAUSED" => Some(TargetState::Paused),
            "STOPPED" => Some(TargetState::Stopped),
            _ => None,
        }
    }

    /// The state a connector or task in this target state reports when it runs well.
    pub fn running_state(self) -> ConnectorState {
        match self {
            TargetState::Started => ConnectorState::Running,
            TargetState::Paused => ConnectorState::Paused,
            TargetState::Stopped => ConnectorState::Stopped,
        }
    }
}

/// `{connector, task}` as in `GET /connectors/{c}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ConnectorTaskId {
    /// Connector name.
    pub connector: String,
    /// Task number.
    pub task: u32,
}

/// `GET /connectors/{c}` and the body of `POST /connectors`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
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
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
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
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TaskStateInfo {
    /// Task number.
    pub id: u32,
    /// Its state.
    #[serde(flatten)]
    pub state: StateInfo,
}

/// `GET /connectors/{c}/status`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
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
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskInfo {
    /// `{connector, task}`.
    pub id: ConnectorTaskId,
    /// The task's configuration.
    pub config: ConfigMap,
}

/// One entry of `GET /connector-plugins`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
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
    /// Offsets may only change while the connector is STOPPED (400, Kafka's message).
    #[error(
        "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{0}/stop' endpoint"
    )]
    NotStopped(String),
    /// Something else is not there (404), e.g. a plugin version.
    #[error("{0}")]
    NotFound(String),
    /// A request body over a limit (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A rebalance or leader change is in progress (409).
    #[error("{0}")]
    Conflict(String),
    /// Not allowed, e.g. a tenant's quota is exceeded (403).
    #[error("{0}")]
    Forbidden(String),
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
    /// Create or replace a connector (`POST /connectors`, `PUT /connectors/{c}/config`); returns
    /// whether it was created. `AlreadyExists` when it exists and `allow_replace` is false.
    /// `initial_state` applies only to a connector this call creates (default RUNNING).
    fn put_connector_config(
        &self,
        name: &str,
        config: ConfigMap,
        allow_replace: bool,
        initial_state: Option<TargetState>,
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
    fn pause_connector(&self, name: &str) -> impl Future<Output = Result<(), HerderError>> + Send;
    /// `PUT /connectors/{c}/resume`.
    fn resume_connector(&self, name: &str) -> impl Future<Output = Result<(), HerderError>> + Send;
    /// `PUT /connectors/{c}/stop`: stop the connector and its tasks, keep its config.
    fn stop_connector(&self, name: &str) -> impl Future<Output = Result<(), HerderError>> + Send;
    /// `GET /connectors/{c}/offsets`.
    fn connector_offsets(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<ConnectorOffsets, HerderError>> + Send;
    /// `PATCH /connectors/{c}/offsets` (`Some`) or `DELETE` (`None`), only while STOPPED;
    /// returns Kafka's success message.
    fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: Option<ConnectorOffsets>,
    ) -> impl Future<Output = Result<String, HerderError>> + Send;
    /// `GET /connectors/{c}/topics`: the topics the connector has used since the last reset.
    fn connector_topics(&self, name: &str) -> Result<Vec<String>, HerderError>;
    /// `PUT /connectors/{c}/topics/reset`.
    fn reset_connector_topics(&self, name: &str) -> Result<(), HerderError>;
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
    /// `GET /connector-plugins`: the plugins connectors of `tenant` may use (public ones and
    /// the tenant's own; `None`: public ones).
    fn plugins(&self, tenant: Option<&str>, connectors_only: bool) -> Vec<PluginInfo>;
    /// `GET /connector-plugins/{p}/config`: the plugin's own config definition.
    fn plugin_config(
        &self,
        tenant: Option<&str>,
        plugin: &str,
    ) -> Result<Vec<ConfigKeyInfo>, HerderError>;
    /// `PUT /connector-plugins/{p}/config/validate`; a tenant's config has its qualified name.
    fn validate_config(
        &self,
        tenant: Option<&str>,
        plugin: &str,
        config: ConfigMap,
    ) -> impl Future<Output = Result<ConfigInfos, HerderError>> + Send;
    /// The Kafka cluster id for `GET /`.
    fn kafka_cluster_id(&self) -> String;
    /// `POST /connector-plugins`: install an uploaded component on every worker; whether it is
    /// new (false: the same name, version and content was there). A tenant's upload is private
    /// to it.
    fn upload_plugin(
        &self,
        tenant: Option<&str>,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<(PluginVersionInfo, bool), HerderError>> + Send;
    /// `GET /connector-plugins/{p}/versions`.
    fn plugin_versions(
        &self,
        tenant: Option<&str>,
        name: &str,
    ) -> Result<Vec<PluginVersionInfo>, HerderError>;
    /// `DELETE /connector-plugins/{p}/versions/{v}`: 409 while a connector uses it. A tenant
    /// deletes its own uploads; `None` public ones.
    fn delete_plugin_version(
        &self,
        tenant: Option<&str>,
        name: &str,
        version: &str,
    ) -> impl Future<Output = Result<(), HerderError>> + Send;
    /// Tenants, keys and the audit log this worker knows (off unless `tenancy.enabled`).
    fn tenants(&self) -> Arc<TenantDirectory>;
    /// `POST`/`PUT /admin/tenants[/{t}]`: create or replace a tenant; whether it was created.
    fn put_tenant(&self, tenant: Tenant) -> impl Future<Output = Result<bool, HerderError>> + Send {
        let _ = tenant;
        std::future::ready(Err(tenancy_off()))
    }
    /// `DELETE /admin/tenants/{t}` (409 while it has connectors or plugins).
    fn delete_tenant(&self, name: &str) -> impl Future<Output = Result<(), HerderError>> + Send {
        let _ = name;
        std::future::ready(Err(tenancy_off()))
    }
    /// `POST /admin/tenants/{t}/keys`: a new key, shown this once.
    fn create_tenant_key(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<IssuedKey, HerderError>> + Send {
        let _ = tenant;
        std::future::ready(Err(tenancy_off()))
    }
    /// `DELETE /admin/tenants/{t}/keys/{id}`.
    fn delete_tenant_key(
        &self,
        tenant: &str,
        id: &str,
    ) -> impl Future<Output = Result<(), HerderError>> + Send {
        let _ = (tenant, id);
        std::future::ready(Err(tenancy_off()))
    }
    /// Add an entry to the audit log (kept only with tenancy on).
    fn record_audit(&self, entry: AuditEntry) -> impl Future<Output = ()> + Send {
        let _ = entry;
        std::future::ready(())
    }
    /// `PUT /admin/loggers/{name}?scope=cluster`: set a log level on every worker. A standalone
    /// worker is its own cluster.
    fn set_cluster_logger_level(
        &self,
        logger: &str,
        level: &str,
    ) -> impl Future<Output = Result<(), HerderError>> + Send {
        let result = crate::logging::levels()
            .set(logger, level)
            .map(|_| ())
            .map_err(HerderError::BadRequest);
        std::future::ready(result)
    }
}
