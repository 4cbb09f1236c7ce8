//! The OpenAPI 3 description of the REST API (`GET /openapi.json`), generated from the
//! handlers' `#[utoipa::path]` annotations and the answer types' `ToSchema` derives.

use std::collections::BTreeMap;

use axum::Json;
use utoipa::{OpenApi, ToSchema};

use crate::config::{ConfigInfo, ConfigInfos, ConfigKeyInfo, ConfigValueInfo};
use crate::herder::{
    ConnectorInfo, ConnectorOffset, ConnectorOffsets, ConnectorState, ConnectorStatus,
    ConnectorTaskId, ConnectorType, PluginInfo, PluginVersionInfo, StateInfo, TaskInfo,
    TaskStateInfo,
};
use crate::logging::LoggerLevel;

/// Every error: Kafka Connect's `{"error_code": N, "message": "…"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// The HTTP status.
    error_code: u16,
    /// What went wrong, naming the field.
    message: String,
}

/// `GET /`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RootInfo {
    /// Wasm Connect version.
    version: String,
    /// Source commit.
    commit: String,
    /// Id of the Kafka cluster the worker uses.
    kafka_cluster_id: String,
}

/// `GET /health`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Health {
    /// `healthy`.
    status: String,
    /// Details.
    message: String,
}

/// The body of `POST /connectors`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateConnector {
    /// Connector name (no `/` or control characters).
    name: String,
    /// Its configuration.
    config: BTreeMap<String, String>,
    /// RUNNING (default), PAUSED or STOPPED.
    initial_state: Option<InitialState>,
}

/// `initial_state` of a new connector.
#[derive(ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
pub enum InitialState {
    /// Start it.
    RUNNING,
    /// Start it paused.
    PAUSED,
    /// Keep it stopped.
    STOPPED,
}

/// `expand` values of `GET /connectors`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum Expand {
    /// Each connector's status.
    Status,
    /// Each connector's info.
    Info,
}

/// `scope` of `PUT /admin/loggers/{logger}`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum LoggerScope {
    /// This worker only.
    Worker,
    /// Every worker of the cluster.
    Cluster,
}

/// The body of `PUT /admin/loggers/{logger}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SetLevel {
    /// OFF, FATAL, ERROR, WARN, INFO, DEBUG or TRACE.
    level: String,
}

/// A plugin component's bytes, the body of `POST /connector-plugins`.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct PluginComponent(Vec<u8>);

/// `{"message": "…"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Message {
    /// What was done.
    message: String,
}

/// The whole API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Wasm Connect REST API",
        description = "Kafka Connect's REST API (same paths, JSON shapes and status codes), served by Wasm Connect workers."
    ),
    paths(
        super::root,
        super::health,
        super::list_connectors,
        super::create_connector,
        super::connector_info,
        super::delete_connector,
        super::connector_config,
        super::put_connector_config,
        super::patch_connector_config,
        super::connector_status,
        super::task_configs,
        super::task_status,
        super::restart_task,
        super::pause_connector,
        super::resume_connector,
        super::restart_connector,
        super::stop_connector,
        super::connector_offsets,
        super::alter_offsets,
        super::reset_offsets,
        super::connector_topics,
        super::reset_connector_topics,
        super::list_loggers,
        super::get_logger,
        super::set_logger,
        super::list_plugins,
        super::plugin_config,
        super::validate_config,
        super::upload_plugin,
        super::plugin_versions,
        super::delete_plugin_version,
        super::tenancy::list_tenants,
        super::tenancy::create_tenant,
        super::tenancy::get_tenant,
        super::tenancy::put_tenant,
        super::tenancy::delete_tenant,
        super::tenancy::create_key,
        super::tenancy::delete_key,
        super::tenancy::audit_log,
    ),
    components(schemas(
        crate::tenancy::Tenant,
        crate::tenancy::Quotas,
        crate::tenancy::IssuedKey,
        crate::tenancy::KeyInfo,
        crate::tenancy::AuditEntry,
        PluginVersionInfo,
        ErrorBody,
        RootInfo,
        Health,
        CreateConnector,
        InitialState,
        Expand,
        LoggerScope,
        SetLevel,
        Message,
        ConnectorInfo,
        ConnectorTaskId,
        ConnectorType,
        ConnectorStatus,
        StateInfo,
        ConnectorState,
        TaskStateInfo,
        TaskInfo,
        PluginInfo,
        ConfigInfos,
        ConfigInfo,
        ConfigKeyInfo,
        ConfigValueInfo,
        ConnectorOffsets,
        ConnectorOffset,
        LoggerLevel,
    ))
)]
pub struct ApiDoc;

/// `GET /openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_described() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for (path, method) in [
            ("/", "get"),
            ("/connectors", "post"),
            ("/connectors/{name}/config", "patch"),
            ("/connectors/{name}/stop", "put"),
            ("/connectors/{name}/offsets", "delete"),
            ("/connectors/{name}/topics/reset", "put"),
            ("/admin/loggers/{logger}", "put"),
            ("/connector-plugins/{plugin}/config/validate", "put"),
        ] {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is missing"
            );
        }
        assert_eq!(paths.len(), 28, "{:?}", paths.keys().collect::<Vec<_>>());
        assert!(doc["components"]["schemas"]["ConnectorStatus"].is_object());
    }
}
