//! The REST API on `listeners`: Kafka Connect's paths, JSON shapes, status codes and
//! `{"error_code": N, "message": "…"}` errors, served by axum over any [`Herder`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::config::{ConfigInfos, ConfigKeyInfo, connector_json_to_map, json_object_to_string_map};
use crate::herder::{
    ConfigMap, ConnectorInfo, ConnectorOffsets, ConnectorStatus, Herder, HerderError, PluginInfo,
    PluginVersionInfo, TargetState, TaskInfo, TaskStateInfo,
};
use crate::logging::{LogLevels, LoggerLevel, kafka_level};
use crate::tenancy::Caller;

/// Largest request body accepted (connector configs are small; plugins are uploaded elsewhere).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Kafka Connect's REST request timeout: a request still running after this answers 500.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// What `GET /` reports about this worker.
#[derive(Clone, Debug, Serialize)]
pub struct ServerInfo {
    /// Wasm Connect version.
    pub version: String,
    /// Source commit the binary was built from.
    pub commit: String,
}

/// An error answered as Kafka Connect's `{"error_code": N, "message": "…"}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 for a path no route matches, worded as Kafka Connect (Jersey) words it.
    fn no_route() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "HTTP 404 Not Found")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error_code": self.status.as_u16(), "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

impl From<HerderError> for ApiError {
    fn from(error: HerderError) -> ApiError {
        let status = match &error {
            HerderError::ConnectorNotFound(_)
            | HerderError::TaskNotFound { .. }
            | HerderError::PluginNotFound(_)
            | HerderError::NotFound(_) => StatusCode::NOT_FOUND,
            HerderError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            HerderError::AlreadyExists(_) => StatusCode::CONFLICT,
            HerderError::InvalidConfig(_)
            | HerderError::BadRequest(_)
            | HerderError::NotStopped(_) => StatusCode::BAD_REQUEST,
            HerderError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            HerderError::Conflict(_) => StatusCode::CONFLICT,
            HerderError::Forbidden(_) => StatusCode::FORBIDDEN,
            HerderError::Forwarded { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        };
        ApiError::new(status, error.to_string())
    }
}

type ApiResult<T> = Result<T, ApiError>;

struct AppState<H> {
    herder: Arc<H>,
    info: ServerInfo,
    loggers: Arc<LogLevels>,
}

type Shared<H> = State<Arc<AppState<H>>>;

/// A request body of at most [`MAX_BODY_BYTES`]; a body too large or unreadable is a JSON error.
struct RawBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<RawBody, ApiError> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection| {
                let status = rejection.status();
                let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    format!("Request body is larger than {MAX_BODY_BYTES} bytes")
                } else {
                    format!("Cannot read the request body: {rejection}")
                };
                ApiError::new(status, message)
            })
    }
}

/// Answer Kafka Connect's 500 when a request runs longer than `timeout`.
async fn time_limit(timeout: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Request timed out").into_response()
        }
    }
}

/// Limits of the REST server.
#[derive(Clone, Debug)]
pub struct RestLimits {
    /// A request still running after this answers 500 "Request timed out".
    pub request_timeout: Duration,
    /// `plugin.upload.max.bytes`: the body limit of `POST /connector-plugins`.
    pub plugin_upload_max_bytes: usize,
}

impl Default for RestLimits {
    fn default() -> RestLimits {
        RestLimits {
            request_timeout: REQUEST_TIMEOUT,
            plugin_upload_max_bytes: crate::plugins::DEFAULT_UPLOAD_MAX_BYTES,
        }
    }
}

/// The REST API's routes over `herder`, with the process's logger levels and default limits.
pub fn router<H: Herder>(herder: Arc<H>, info: ServerInfo) -> Router {
    router_with(
        herder,
        info,
        crate::logging::levels(),
        &RestLimits::default(),
    )
}

/// The REST API's routes over `herder`, with these logger levels and limits.
pub fn router_with<H: Herder>(
    herder: Arc<H>,
    info: ServerInfo,
    loggers: Arc<LogLevels>,
    limits: &RestLimits,
) -> Router {
    let state = Arc::new(AppState {
        herder,
        info,
        loggers,
    });
    let timeout = limits.request_timeout;
    Router::new()
        .route("/", get(root::<H>))
        .route("/health", get(health))
        .route("/openapi.json", get(openapi::document))
        .route(
            "/connectors",
            get(list_connectors::<H>).post(create_connector::<H>),
        )
        .route(
            "/connectors/{name}",
            get(connector_info::<H>).delete(delete_connector::<H>),
        )
        .route(
            "/connectors/{name}/config",
            get(connector_config::<H>)
                .put(put_connector_config::<H>)
                .patch(patch_connector_config::<H>),
        )
        .route("/connectors/{name}/status", get(connector_status::<H>))
        .route("/connectors/{name}/tasks", get(task_configs::<H>))
        .route(
            "/connectors/{name}/tasks/{task}/status",
            get(task_status::<H>),
        )
        .route(
            "/connectors/{name}/tasks/{task}/restart",
            post(restart_task::<H>),
        )
        .route("/connectors/{name}/pause", put(pause_connector::<H>))
        .route("/connectors/{name}/resume", put(resume_connector::<H>))
        .route("/connectors/{name}/restart", post(restart_connector::<H>))
        .route("/connectors/{name}/stop", put(stop_connector::<H>))
        .route(
            "/connectors/{name}/offsets",
            get(connector_offsets::<H>)
                .patch(alter_offsets::<H>)
                .delete(reset_offsets::<H>),
        )
        .route("/connectors/{name}/topics", get(connector_topics::<H>))
        .route(
            "/connectors/{name}/topics/reset",
            put(reset_connector_topics::<H>),
        )
        .route("/admin/loggers", get(list_loggers::<H>))
        .route(
            "/admin/loggers/{logger}",
            get(get_logger::<H>).put(set_logger::<H>),
        )
        .route(
            "/admin/tenants",
            get(tenancy::list_tenants::<H>).post(tenancy::create_tenant::<H>),
        )
        .route(
            "/admin/tenants/{tenant}",
            get(tenancy::get_tenant::<H>)
                .put(tenancy::put_tenant::<H>)
                .delete(tenancy::delete_tenant::<H>),
        )
        .route(
            "/admin/tenants/{tenant}/keys",
            post(tenancy::create_key::<H>),
        )
        .route(
            "/admin/tenants/{tenant}/keys/{id}",
            axum::routing::delete(tenancy::delete_key::<H>),
        )
        .route("/admin/audit", get(tenancy::audit_log::<H>))
        .route(
            "/connector-plugins",
            get(list_plugins::<H>).post(upload_plugin::<H>).layer(
                // Room for multipart framing around a component of the maximum size.
                axum::extract::DefaultBodyLimit::max(
                    limits.plugin_upload_max_bytes.saturating_add(64 * 1024),
                ),
            ),
        )
        .route(
            "/connector-plugins/{plugin}/versions",
            get(plugin_versions::<H>),
        )
        .route(
            "/connector-plugins/{plugin}/versions/{version}",
            axum::routing::delete(delete_plugin_version::<H>),
        )
        .route(
            "/connector-plugins/{plugin}/config",
            get(plugin_config::<H>),
        )
        .route(
            "/connector-plugins/{plugin}/config/validate",
            put(validate_config::<H>),
        )
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "HTTP 405 Method Not Allowed",
            )
        })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            tenancy::authenticate::<H>,
        ))
        .layer(axum::middleware::from_fn(move |request, next| {
            time_limit(timeout, request, next)
        }))
        .with_state(state)
}

/// Serve the REST API on `listener` until `cancel` fires, then finish in-flight requests.
pub async fn serve<H: Herder>(
    herder: Arc<H>,
    info: ServerInfo,
    limits: RestLimits,
    listener: tokio::net::TcpListener,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let app = router_with(herder, info, crate::logging::levels(), &limits);
    axum::serve(listener, app)
        .with_graceful_shutdown(cancel.cancelled_owned())
        .await
}

/// Query parameters as (key, value) pairs; repeated keys (`expand=status&expand=info`) are kept.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// A boolean query parameter; absent means `default`, anything but true/false is a 400 naming it.
fn bool_param(pairs: &[(String, String)], name: &str, default: bool) -> ApiResult<bool> {
    match pairs.iter().rev().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, v)) => match v.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" | "" => Ok(false),
            _ => Err(ApiError::bad_request(format!(
                "Query parameter {name} must be true or false, got '{v}'"
            ))),
        },
    }
}

fn parse_json(RawBody(body): &RawBody) -> ApiResult<serde_json::Value> {
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "Request body is empty; expected a JSON object",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Cannot parse request body as JSON: {e}")))
}

fn parse_task(task: &str) -> ApiResult<u32> {
    task.parse().map_err(|_| ApiError::no_route())
}

#[utoipa::path(get, path = "/", tag = "worker",
    responses((status = 200, description = "Version of this worker and id of its Kafka cluster", body = openapi::RootInfo)))]
async fn root<H: Herder>(State(state): Shared<H>) -> Json<serde_json::Value> {
    Json(json!({
        "version": state.info.version,
        "commit": state.info.commit,
        "kafka_cluster_id": state.herder.kafka_cluster_id(),
    }))
}

/// Kafka Connect's `GET /health` (KIP-1017): the router only exists once the worker has started.
#[utoipa::path(get, path = "/health", tag = "worker",
    responses((status = 200, description = "The worker has started", body = openapi::Health)))]
async fn health() -> Json<serde_json::Value> {
    Json(json!({
        "status": "healthy",
        "message": "Worker has completed startup and is ready to handle requests."
    }))
}

#[utoipa::path(get, path = "/connectors", tag = "connectors",
    params(("expand" = Option<Vec<openapi::Expand>>, Query, explode, description = "Add each connector's status and/or info")),
    responses(
        (status = 200, description = "Connector names, or (with expand) name → {status, info}", body = Object),
        (status = 400, description = "Unknown expand value", body = openapi::ErrorBody)))]
async fn list_connectors<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    let pairs = query_pairs(query.as_deref());
    let mut expand_status = false;
    let mut expand_info = false;
    for (key, value) in &pairs {
        if key == "expand" {
            match value.as_str() {
                "status" => expand_status = true,
                "info" => expand_info = true,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "Query parameter expand must be status or info, got '{other}'"
                    )));
                }
            }
        }
    }
    // Each name as the caller knows it, with the cluster's name for it.
    let names: Vec<(String, String)> = state
        .herder
        .connector_names()
        .into_iter()
        .filter_map(|name| caller.show(&name).map(|shown| (shown, name)))
        .collect();
    if !expand_status && !expand_info {
        let shown: Vec<&String> = names.iter().map(|(shown, _)| shown).collect();
        return Ok(Json(json!(shown)));
    }
    let mut out = serde_json::Map::new();
    for (shown, name) in names {
        let mut entry = serde_json::Map::new();
        // A connector deleted between listing and expanding is left out, as Kafka Connect does.
        if expand_status {
            match state.herder.connector_status(&name) {
                Ok(status) => {
                    entry.insert("status".into(), json!(caller.status(status)));
                }
                Err(HerderError::ConnectorNotFound(_)) => continue,
                Err(e) => return Err(caller.error(e)),
            }
        }
        if expand_info {
            match state.herder.connector_info(&name) {
                Ok(info) => {
                    entry.insert("info".into(), json!(caller.info(info)));
                }
                Err(HerderError::ConnectorNotFound(_)) => continue,
                Err(e) => return Err(caller.error(e)),
            }
        }
        out.insert(shown, serde_json::Value::Object(entry));
    }
    Ok(Json(serde_json::Value::Object(out)))
}

/// Put the URL's connector name into `config`, or reject a different `name` in it.
fn check_name(url_name: &str, config: &mut ConfigMap) -> ApiResult<()> {
    match config.get("name") {
        Some(name) if name != url_name => Err(ApiError::bad_request(format!(
            "Connector name configuration ({name}) doesn't match connector name in the URL ({url_name})"
        ))),
        Some(_) => Ok(()),
        None => {
            config.insert("name".into(), url_name.to_string());
            Ok(())
        }
    }
}

fn check_new_name(name: &str, caller: &Caller) -> ApiResult<()> {
    if name.is_empty() {
        return Err(ApiError::bad_request("Connector name must not be empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "Connector name must not contain control characters",
        ));
    }
    // The admin (and a worker forwarding a request) names tenants' connectors `<tenant>/<name>`.
    if name.contains('/') && !caller.sees_everything() {
        return Err(ApiError::bad_request(
            "Connector name must not contain '/' (it could not be used in URLs)",
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/connectors", tag = "connectors",
    request_body = openapi::CreateConnector,
    responses(
        (status = 201, description = "Created", body = ConnectorInfo),
        (status = 400, description = "Malformed request or invalid configuration", body = openapi::ErrorBody),
        (status = 409, description = "The connector exists, or a rebalance is in progress", body = openapi::ErrorBody)))]
async fn create_connector<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    body: RawBody,
) -> ApiResult<Response> {
    let json = parse_json(&body)?;
    let object = json
        .as_object()
        .ok_or_else(|| ApiError::bad_request("Request body must be a JSON object"))?;
    let name = match object.get("name") {
        Some(serde_json::Value::String(name)) => name.trim().to_string(),
        Some(_) => return Err(ApiError::bad_request("Field \"name\" must be a string")),
        None => return Err(ApiError::bad_request("Field \"name\" is required")),
    };
    check_new_name(&name, &caller)?;
    let config = object
        .get("config")
        .ok_or_else(|| ApiError::bad_request("Field \"config\" is required"))?;
    let mut config = json_object_to_string_map(config).map_err(ApiError::bad_request)?;
    check_name(&name, &mut config)?;
    let qualified = caller.qualify(&name);
    config.insert("name".into(), qualified.clone());
    let initial_state = match object.get("initial_state") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => {
            Some(TargetState::from_initial_state(s).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Field \"initial_state\" must be RUNNING, PAUSED or STOPPED, got '{s}'"
                ))
            })?)
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "Field \"initial_state\" must be a string: RUNNING, PAUSED or STOPPED",
            ));
        }
    };
    let (_, info) = state
        .herder
        .put_connector_config(&qualified, config, false, initial_state)
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.create", &name).await;
    let location = format!("/connectors/{}", url_segment(&name));
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        Json(caller.info(info)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/connectors/{name}", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 200, body = ConnectorInfo), (status = 404, body = openapi::ErrorBody)))]
async fn connector_info<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let info = state
        .herder
        .connector_info(&caller.qualify(&name))
        .map_err(|e| caller.error(e))?;
    Ok(Json(caller.info(info)).into_response())
}

#[utoipa::path(delete, path = "/connectors/{name}", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 204, description = "Deleted"), (status = 404, body = openapi::ErrorBody), (status = 409, body = openapi::ErrorBody)))]
async fn delete_connector<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .herder
        .delete_connector(&caller.qualify(&name))
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.delete", &name).await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 200, body = BTreeMap<String, String>), (status = 404, body = openapi::ErrorBody)))]
async fn connector_config<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Json<ConfigMap>> {
    let mut config = state
        .herder
        .connector_config(&caller.qualify(&name))
        .map_err(|e| caller.error(e))?;
    if caller.tenant().is_some() {
        config.insert("name".into(), name);
    }
    Ok(Json(config))
}

#[utoipa::path(put, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    request_body(content = BTreeMap<String, String>, description = "The whole configuration"),
    responses(
        (status = 200, description = "Updated", body = ConnectorInfo),
        (status = 201, description = "Created", body = ConnectorInfo),
        (status = 400, body = openapi::ErrorBody), (status = 409, body = openapi::ErrorBody)))]
async fn put_connector_config<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let json = parse_json(&body)?;
    if !json.is_object() {
        return Err(ApiError::bad_request(
            "Request body must be a JSON object of config keys",
        ));
    }
    check_new_name(&name, &caller)?;
    let mut config = connector_json_to_map(&json).map_err(ApiError::bad_request)?;
    check_name(&name, &mut config)?;
    let qualified = caller.qualify(&name);
    config.insert("name".into(), qualified.clone());
    let (created, info) = state
        .herder
        .put_connector_config(&qualified, config, true, None)
        .await
        .map_err(|e| caller.error(e))?;
    let action = if created {
        "connector.create"
    } else {
        "connector.update"
    };
    audit(&*state.herder, &caller, action, &name).await;
    let info = caller.info(info);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(info)).into_response())
}

/// `PATCH /connectors/{c}/config`: merge into the current config; `null` removes a key.
#[utoipa::path(patch, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    request_body(content = Object, description = "Keys to set; null removes a key"),
    responses((status = 200, body = ConnectorInfo), (status = 400, body = openapi::ErrorBody), (status = 404, body = openapi::ErrorBody)))]
async fn patch_connector_config<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let json = parse_json(&body)?;
    let patch = json.as_object().ok_or_else(|| {
        ApiError::bad_request("Request body must be a JSON object of config keys")
    })?;
    if patch.is_empty() {
        return Err(ApiError::bad_request(
            "Connector config patch must not be empty",
        ));
    }
    let qualified = caller.qualify(&name);
    let mut config = state
        .herder
        .connector_config(&qualified)
        .map_err(|e| caller.error(e))?;
    for (key, value) in patch {
        match value {
            serde_json::Value::Null => {
                config.remove(key);
            }
            serde_json::Value::String(s) => {
                config.insert(key.clone(), s.clone());
            }
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {
                config.insert(key.clone(), value.to_string());
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Config value of {key} must be a string, number, boolean or null"
                )));
            }
        }
    }
    check_name(&qualified, &mut config)?;
    let (_, info) = state
        .herder
        .put_connector_config(&qualified, config, true, None)
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.update", &name).await;
    Ok(Json(caller.info(info)).into_response())
}

#[utoipa::path(get, path = "/connectors/{name}/status", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 200, body = ConnectorStatus), (status = 404, body = openapi::ErrorBody)))]
async fn connector_status<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let status = state
        .herder
        .connector_status(&caller.qualify(&name))
        .map_err(|e| caller.error(e))?;
    Ok(Json(caller.status(status)).into_response())
}

#[utoipa::path(get, path = "/connectors/{name}/tasks", tag = "tasks",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 200, body = Vec<TaskInfo>), (status = 404, body = openapi::ErrorBody)))]
async fn task_configs<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let tasks = state
        .herder
        .task_configs(&caller.qualify(&name))
        .map_err(|e| caller.error(e))?;
    Ok(Json(caller.tasks(tasks)).into_response())
}

#[utoipa::path(get, path = "/connectors/{name}/tasks/{task}/status", tag = "tasks",
    params(("name" = String, Path, description = "Connector name"), ("task" = u32, Path, description = "Task number")),
    responses((status = 200, body = TaskStateInfo), (status = 404, body = openapi::ErrorBody)))]
async fn task_status<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path((name, task)): Path<(String, String)>,
) -> ApiResult<Response> {
    let task = parse_task(&task)?;
    let status = state
        .herder
        .task_status(&caller.qualify(&name), task)
        .map_err(|e| caller.error(e))?;
    Ok(Json(status).into_response())
}

#[utoipa::path(post, path = "/connectors/{name}/tasks/{task}/restart", tag = "tasks",
    params(("name" = String, Path, description = "Connector name"), ("task" = u32, Path, description = "Task number")),
    responses((status = 204, description = "Restarted"), (status = 404, body = openapi::ErrorBody), (status = 409, body = openapi::ErrorBody)))]
async fn restart_task<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path((name, task)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let task = parse_task(&task)?;
    state
        .herder
        .restart_task(&caller.qualify(&name), task)
        .await
        .map_err(|e| caller.error(e))?;
    audit(
        &*state.herder,
        &caller,
        "task.restart",
        &format!("{name}/{task}"),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/connectors/{name}/pause", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 202, description = "Pausing"), (status = 404, body = openapi::ErrorBody)))]
async fn pause_connector<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .herder
        .pause_connector(&caller.qualify(&name))
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.pause", &name).await;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(put, path = "/connectors/{name}/resume", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 202, description = "Resuming"), (status = 404, body = openapi::ErrorBody)))]
async fn resume_connector<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .herder
        .resume_connector(&caller.qualify(&name))
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.resume", &name).await;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(post, path = "/connectors/{name}/restart", tag = "connectors",
    params(("name" = String, Path, description = "Connector name"),
        ("includeTasks" = Option<bool>, Query, description = "Restart its tasks too"),
        ("onlyFailed" = Option<bool>, Query, description = "Only instances that FAILED")),
    responses(
        (status = 202, description = "Restarting; the status shows what restarts", body = ConnectorStatus),
        (status = 204, description = "The connector (only) restarted"),
        (status = 400, body = openapi::ErrorBody), (status = 404, body = openapi::ErrorBody), (status = 409, body = openapi::ErrorBody)))]
async fn restart_connector<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let pairs = query_pairs(query.as_deref());
    let include_tasks = bool_param(&pairs, "includeTasks", false)?;
    let only_failed = bool_param(&pairs, "onlyFailed", false)?;
    let status = state
        .herder
        .restart_connector(&caller.qualify(&name), include_tasks, only_failed)
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.restart", &name).await;
    let status = caller.status(status);
    // Kafka Connect answers the plain form (connector only) with 204 and no body.
    if !include_tasks && !only_failed {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok((StatusCode::ACCEPTED, Json(status)).into_response())
}

#[utoipa::path(put, path = "/connectors/{name}/stop", tag = "connectors",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 204, description = "Stopped: no tasks, config kept"), (status = 404, body = openapi::ErrorBody)))]
async fn stop_connector<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .herder
        .stop_connector(&caller.qualify(&name))
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.stop", &name).await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 200, body = ConnectorOffsets), (status = 404, body = openapi::ErrorBody)))]
async fn connector_offsets<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let offsets = state
        .herder
        .connector_offsets(&caller.qualify(&name))
        .await
        .map_err(|e| caller.error(e))?;
    Ok(Json(offsets).into_response())
}

#[utoipa::path(patch, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path, description = "Connector name")),
    request_body = ConnectorOffsets,
    responses(
        (status = 200, body = openapi::Message),
        (status = 400, description = "Malformed offsets, or the connector is not STOPPED", body = openapi::ErrorBody),
        (status = 404, body = openapi::ErrorBody)))]
async fn alter_offsets<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let json = parse_json(&body)?;
    if !json.get("offsets").is_some_and(serde_json::Value::is_array) {
        return Err(ApiError::bad_request(
            "Request body must be {\"offsets\": [{\"partition\": {…}, \"offset\": {…}}]}",
        ));
    }
    let offsets: ConnectorOffsets = serde_json::from_value(json)
        .map_err(|e| ApiError::bad_request(format!("Invalid offsets: {e}")))?;
    let message = state
        .herder
        .alter_connector_offsets(&caller.qualify(&name), Some(offsets))
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.offsets.alter", &name).await;
    Ok(Json(json!({ "message": message })).into_response())
}

#[utoipa::path(delete, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path, description = "Connector name")),
    responses(
        (status = 200, body = openapi::Message),
        (status = 400, description = "The connector is not STOPPED", body = openapi::ErrorBody),
        (status = 404, body = openapi::ErrorBody)))]
async fn reset_offsets<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let message = state
        .herder
        .alter_connector_offsets(&caller.qualify(&name), None)
        .await
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.offsets.reset", &name).await;
    Ok(Json(json!({ "message": message })).into_response())
}

#[utoipa::path(get, path = "/connectors/{name}/topics", tag = "topics",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 200, description = "{name: {topics: [...]}}", body = Object), (status = 404, body = openapi::ErrorBody)))]
async fn connector_topics<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let topics = state
        .herder
        .connector_topics(&caller.qualify(&name))
        .map_err(|e| caller.error(e))?;
    Ok(Json(json!({ name: { "topics": topics } })).into_response())
}

#[utoipa::path(put, path = "/connectors/{name}/topics/reset", tag = "topics",
    params(("name" = String, Path, description = "Connector name")),
    responses((status = 202, description = "Reset"), (status = 404, body = openapi::ErrorBody)))]
async fn reset_connector_topics<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .herder
        .reset_connector_topics(&caller.qualify(&name))
        .map_err(|e| caller.error(e))?;
    audit(&*state.herder, &caller, "connector.topics.reset", &name).await;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(get, path = "/admin/loggers", tag = "admin",
    responses((status = 200, description = "Logger → level", body = BTreeMap<String, LoggerLevel>)))]
async fn list_loggers<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require_admin()?;
    Ok(Json(json!(state.loggers.all())))
}

#[utoipa::path(get, path = "/admin/loggers/{logger}", tag = "admin",
    params(("logger" = String, Path, description = "A tracing target (module path), or root")),
    responses((status = 200, body = LoggerLevel), (status = 404, body = openapi::ErrorBody)))]
async fn get_logger<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(logger): Path<String>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let level = state.loggers.get(&logger).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, format!("Logger {logger} not found."))
    })?;
    Ok(Json(level).into_response())
}

/// `PUT /admin/loggers/{name}[?scope=worker|cluster]` with `{"level": "DEBUG"}`.
#[utoipa::path(put, path = "/admin/loggers/{logger}", tag = "admin",
    params(("logger" = String, Path, description = "A tracing target (module path), or root"),
        ("scope" = Option<openapi::LoggerScope>, Query, description = "This worker (default) or every worker")),
    request_body = openapi::SetLevel,
    responses(
        (status = 200, description = "Loggers whose level changed", body = Vec<String>),
        (status = 204, description = "Cluster scope: every worker will apply it"),
        (status = 400, body = openapi::ErrorBody)))]
async fn set_logger<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(logger): Path<String>,
    RawQuery(query): RawQuery,
    body: RawBody,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let pairs = query_pairs(query.as_deref());
    let cluster = match pairs.iter().rev().find(|(k, _)| k == "scope") {
        None => false,
        Some((_, scope)) => match scope.to_ascii_lowercase().as_str() {
            "worker" => false,
            "cluster" => true,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Query parameter scope must be worker or cluster, got '{scope}'"
                )));
            }
        },
    };
    let json = parse_json(&body)?;
    let level = match json.get("level") {
        Some(serde_json::Value::String(level)) => level.clone(),
        Some(_) => return Err(ApiError::bad_request("Field \"level\" must be a string")),
        None => {
            return Err(ApiError::bad_request(
                "Desired 'level' parameter was not specified in request.",
            ));
        }
    };
    let level = kafka_level(&level).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if logger.trim().is_empty() {
        return Err(ApiError::bad_request("Logger name must not be empty"));
    }
    if cluster {
        state
            .herder
            .set_cluster_logger_level(&logger, &level)
            .await?;
        audit(&*state.herder, &caller, "logger.set.cluster", &logger).await;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let affected = state
        .loggers
        .set(&logger, &level)
        .map_err(ApiError::bad_request)?;
    audit(&*state.herder, &caller, "logger.set", &logger).await;
    Ok(Json(affected).into_response())
}

/// The component of a `POST /connector-plugins`: the raw body (`application/wasm`, or any type
/// but multipart), or the first file part of a `multipart/form-data` body.
async fn upload_bytes(request: Request) -> ApiResult<Vec<u8>> {
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return match Bytes::from_request(request, &()).await {
            Ok(bytes) => Ok(bytes.to_vec()),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "The plugin is larger than plugin.upload.max.bytes",
                ))
            }
            Err(rejection) => Err(ApiError::new(
                rejection.status(),
                format!("Cannot read the request body: {rejection}"),
            )),
        };
    }
    let mut form = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|e| ApiError::new(e.status(), format!("Cannot read the multipart body: {e}")))?;
    loop {
        let field = form.next_field().await.map_err(|e| {
            ApiError::new(e.status(), format!("Cannot read the multipart body: {e}"))
        })?;
        let Some(field) = field else {
            return Err(ApiError::bad_request(
                "The multipart body has no file part; send the component as a file field",
            ));
        };
        if field.file_name().is_some() || field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|e| {
                ApiError::new(e.status(), format!("Cannot read the uploaded file: {e}"))
            })?;
            return Ok(bytes.to_vec());
        }
    }
}

#[utoipa::path(post, path = "/connector-plugins", tag = "plugins",
    request_body(content = openapi::PluginComponent, description = "The plugin component's bytes (any content type but multipart, e.g. application/wasm), or multipart/form-data with a file field", content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Installed", body = PluginVersionInfo),
        (status = 200, description = "The same name, version and content was already installed", body = PluginVersionInfo),
        (status = 400, description = "Not a component, not a plugin, imports the worker lacks, does not compile", body = openapi::ErrorBody),
        (status = 409, description = "This name and version exist with other content", body = openapi::ErrorBody),
        (status = 413, description = "Over plugin.upload.max.bytes", body = openapi::ErrorBody)))]
async fn upload_plugin<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> ApiResult<Response> {
    let bytes = upload_bytes(request).await?;
    let (info, created) = state
        .herder
        .upload_plugin(caller.plugin_tenant(), bytes)
        .await?;
    audit(
        &*state.herder,
        &caller,
        "plugin.upload",
        &format!("{} {}", info.class, info.version),
    )
    .await;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(info)).into_response())
}

#[utoipa::path(get, path = "/connector-plugins/{plugin}/versions", tag = "plugins",
    params(("plugin" = String, Path, description = "Plugin name or alias")),
    responses((status = 200, body = Vec<PluginVersionInfo>), (status = 404, body = openapi::ErrorBody)))]
async fn plugin_versions<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(plugin): Path<String>,
) -> ApiResult<Response> {
    Ok(Json(
        state
            .herder
            .plugin_versions(caller.plugin_tenant(), &plugin)?,
    )
    .into_response())
}

#[utoipa::path(delete, path = "/connector-plugins/{plugin}/versions/{version}", tag = "plugins",
    params(("plugin" = String, Path, description = "Plugin name or alias"), ("version" = String, Path, description = "Version")),
    responses(
        (status = 204, description = "Deleted on every worker"),
        (status = 400, description = "A bundled or plugin.path plugin", body = openapi::ErrorBody),
        (status = 404, body = openapi::ErrorBody),
        (status = 409, description = "A connector uses it", body = openapi::ErrorBody)))]
async fn delete_plugin_version<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path((plugin, version)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .herder
        .delete_plugin_version(caller.plugin_tenant(), &plugin, &version)
        .await?;
    audit(
        &*state.herder,
        &caller,
        "plugin.delete",
        &format!("{plugin} {version}"),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Percent-encode a connector name for a URL path segment.
fn url_segment(name: &str) -> String {
    url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[utoipa::path(get, path = "/connector-plugins", tag = "plugins",
    params(("connectorsOnly" = Option<bool>, Query, description = "false lists transforms, predicates and converters too")),
    responses((status = 200, body = Vec<PluginInfo>), (status = 400, body = openapi::ErrorBody)))]
async fn list_plugins<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let pairs = query_pairs(query.as_deref());
    let connectors_only = bool_param(&pairs, "connectorsOnly", true)?;
    Ok(Json(
        state
            .herder
            .plugins(caller.plugin_tenant(), connectors_only),
    )
    .into_response())
}

#[utoipa::path(get, path = "/connector-plugins/{plugin}/config", tag = "plugins",
    params(("plugin" = String, Path, description = "Plugin name or Kafka class name")),
    responses((status = 200, body = Vec<ConfigKeyInfo>), (status = 404, body = openapi::ErrorBody)))]
async fn plugin_config<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(plugin): Path<String>,
) -> ApiResult<Response> {
    Ok(Json(
        state
            .herder
            .plugin_config(caller.plugin_tenant(), &plugin)?,
    )
    .into_response())
}

#[utoipa::path(put, path = "/connector-plugins/{plugin}/config/validate", tag = "plugins",
    params(("plugin" = String, Path, description = "Connector plugin name or Kafka class name")),
    request_body(content = BTreeMap<String, String>, description = "A connector configuration"),
    responses((status = 200, body = ConfigInfos), (status = 400, body = openapi::ErrorBody), (status = 404, body = openapi::ErrorBody)))]
async fn validate_config<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(plugin): Path<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let json = parse_json(&body)?;
    let mut config: BTreeMap<String, String> =
        json_object_to_string_map(&json).map_err(ApiError::bad_request)?;
    match config.get("connector.class") {
        Some(class) if !same_plugin(class, &plugin) => {
            return Err(ApiError::bad_request(format!(
                "Included connector type {class} does not match request type {plugin}"
            )));
        }
        Some(_) => {}
        None => {
            config.insert("connector.class".into(), plugin.clone());
        }
    }
    let infos = state
        .herder
        .validate_config(caller.plugin_tenant(), &plugin, config)
        .await?;
    Ok(Json(infos).into_response())
}

/// Kafka Connect's loose plugin-name match: case-insensitive, ignoring a package prefix and a
/// `Connector` suffix (`FileStreamSource` matches `org.apache.kafka.connect.file.FileStreamSourceConnector`).
fn same_plugin(a: &str, b: &str) -> bool {
    let normalize = |s: &str| {
        let s = s.to_ascii_lowercase();
        let s = s.rsplit('.').next().unwrap_or_default().to_string();
        s.strip_suffix("connector").map(str::to_string).unwrap_or(s)
    };
    normalize(a) == normalize(b)
}

pub mod openapi;
mod tenancy;

use tenancy::{CallerScope, audit};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
