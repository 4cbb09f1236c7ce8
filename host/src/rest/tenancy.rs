//! Tenancy in the REST API: who sends each request (the `Authorization: Bearer` key), the
//! tenant's view of connector names, and the admin's `/admin/tenants` and `/admin/audit`.
//!
//! A tenant's requests use Kafka Connect's paths unchanged; the tenant comes from the key. Its
//! connector `x` is `<tenant>/x` inside the cluster, and every answer shows it as `x`. Another
//! tenant's connector or plugin simply does not exist for it (404). The admin key manages
//! tenants, keys, public plugins and loggers, and may address any connector by its qualified
//! name (`/connectors/a%2Fx`), which is also how workers forward requests to each other.

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::{ApiError, ApiResult, RawBody, Shared, parse_json, query_pairs};
use crate::herder::{ConnectorInfo, ConnectorStatus, Herder, HerderError, TaskInfo};
use crate::tenancy::{AuditEntry, Caller, IssuedKey, Tenant, qualify, split};

/// Paths anyone may read without a key.
fn is_public(path: &str) -> bool {
    matches!(path, "/" | "/health" | "/openapi.json")
}

/// Work out the [`Caller`] of every request (401 without a valid key when tenancy is on) and
/// hand it to the handlers as a request extension.
pub(super) async fn authenticate<H: Herder>(
    State(state): Shared<H>,
    mut request: Request,
    next: Next,
) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let caller = match state.herder.tenants().authenticate(authorization) {
        Ok(caller) => caller,
        Err(_) if is_public(request.uri().path()) => Caller::Open,
        Err(e) => {
            let mut response =
                ApiError::new(StatusCode::UNAUTHORIZED, e.to_string()).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// How a caller's requests and answers map to the cluster's connector names.
pub(super) trait CallerScope {
    /// The cluster's name for the connector the caller calls `name`.
    fn qualify(&self, name: &str) -> String;
    /// The caller's name for the cluster's connector `name`; `None` when it is not the caller's.
    fn show(&self, name: &str) -> Option<String>;
    /// The tenant whose plugins the caller sees and uploads (`None`: public plugins).
    fn plugin_tenant(&self) -> Option<&str>;
    /// Whether the caller may use names with `/` (the qualified names of every tenant).
    fn sees_everything(&self) -> bool;
    /// 403 unless the caller is the admin (or tenancy is off).
    fn require_admin(&self) -> ApiResult<()>;
    /// A herder error with connector names as the caller knows them.
    fn error(&self, error: HerderError) -> ApiError;
    /// `info` as the caller sees it.
    fn info(&self, info: ConnectorInfo) -> ConnectorInfo;
    /// `status` as the caller sees it.
    fn status(&self, status: ConnectorStatus) -> ConnectorStatus;
    /// Task configs as the caller sees them.
    fn tasks(&self, tasks: Vec<TaskInfo>) -> Vec<TaskInfo>;
}

impl CallerScope for Caller {
    fn qualify(&self, name: &str) -> String {
        match self.tenant() {
            Some(tenant) => qualify(tenant, name),
            None => name.to_string(),
        }
    }

    fn show(&self, name: &str) -> Option<String> {
        match self.tenant() {
            Some(tenant) => match split(name) {
                Some((owner, local)) if owner == tenant => Some(local.to_string()),
                _ => None,
            },
            None => Some(name.to_string()),
        }
    }

    fn plugin_tenant(&self) -> Option<&str> {
        self.tenant()
    }

    fn sees_everything(&self) -> bool {
        matches!(self, Caller::Admin | Caller::Internal)
    }

    fn require_admin(&self) -> ApiResult<()> {
        match self {
            Caller::Tenant { .. } => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "Only the admin key may do this",
            )),
            _ => Ok(()),
        }
    }

    fn error(&self, error: HerderError) -> ApiError {
        let show = |name: String| self.show(&name).unwrap_or(name);
        let error = match error {
            HerderError::ConnectorNotFound(n) => HerderError::ConnectorNotFound(show(n)),
            HerderError::AlreadyExists(n) => HerderError::AlreadyExists(show(n)),
            HerderError::NotStopped(n) => HerderError::NotStopped(show(n)),
            HerderError::TaskNotFound { connector, task } => HerderError::TaskNotFound {
                connector: show(connector),
                task,
            },
            other => other,
        };
        error.into()
    }

    fn info(&self, mut info: ConnectorInfo) -> ConnectorInfo {
        if self.tenant().is_none() {
            return info;
        }
        let local = self.show(&info.name).unwrap_or_default();
        info.config.insert("name".into(), local.clone());
        for task in &mut info.tasks {
            task.connector = local.clone();
        }
        info.name = local;
        info
    }

    fn status(&self, mut status: ConnectorStatus) -> ConnectorStatus {
        if let Some(local) = self.show(&status.name) {
            status.name = local;
        }
        status
    }

    fn tasks(&self, mut tasks: Vec<TaskInfo>) -> Vec<TaskInfo> {
        if self.tenant().is_none() {
            return tasks;
        }
        for task in &mut tasks {
            if let Some(local) = self.show(&task.id.connector) {
                if task.config.get("name") == Some(&task.id.connector) {
                    task.config.insert("name".into(), local.clone());
                }
                task.id.connector = local;
            }
        }
        tasks
    }
}

/// Record a change in the audit log (tenancy on; a forwarded request was recorded where it
/// arrived).
pub(super) async fn audit<H: Herder>(herder: &H, caller: &Caller, action: &str, target: &str) {
    if matches!(caller, Caller::Open | Caller::Internal) {
        return;
    }
    herder
        .record_audit(AuditEntry::now(
            caller.tenant(),
            caller.key_id(),
            action,
            target,
        ))
        .await;
}

/// A tenant as `GET /admin/tenants/{t}` shows it: its settings and its keys (ids only).
fn tenant_json<H: Herder>(herder: &H, tenant: &Tenant) -> serde_json::Value {
    let mut value = json!(tenant.redacted());
    value["keys"] = json!(herder.tenants().keys_of(&tenant.name));
    value
}

/// A tenant from a request body; `url_name` must match its `name` (which may be left out).
fn tenant_from_body(body: &RawBody, url_name: Option<&str>) -> ApiResult<Tenant> {
    let json = parse_json(body)?;
    let mut tenant: Tenant = serde_json::from_value(json)
        .map_err(|e| ApiError::bad_request(format!("Invalid tenant: {e}")))?;
    match url_name {
        Some(url) if tenant.name.is_empty() => tenant.name = url.to_string(),
        Some(url) if tenant.name != url => {
            return Err(ApiError::bad_request(format!(
                "Tenant name in the body ({}) doesn't match the name in the URL ({url})",
                tenant.name
            )));
        }
        _ => {}
    }
    if tenant.name.is_empty() {
        return Err(ApiError::bad_request("Field \"name\" is required"));
    }
    Ok(tenant)
}

#[utoipa::path(get, path = "/admin/tenants", tag = "tenants",
    responses(
        (status = 200, description = "Tenant names", body = Vec<String>),
        (status = 401, body = super::openapi::ErrorBody), (status = 403, body = super::openapi::ErrorBody),
        (status = 404, description = "Tenancy is off", body = super::openapi::ErrorBody)))]
pub(super) async fn list_tenants<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let tenants = state.herder.tenants();
    if !tenants.is_enabled() {
        return Err(HerderError::NotFound("Tenancy is not enabled on this cluster".into()).into());
    }
    Ok(Json(tenants.tenant_names()).into_response())
}

#[utoipa::path(post, path = "/admin/tenants", tag = "tenants",
    request_body = Tenant,
    responses(
        (status = 201, description = "Created", body = Tenant),
        (status = 400, body = super::openapi::ErrorBody), (status = 401, body = super::openapi::ErrorBody),
        (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "It exists", body = super::openapi::ErrorBody)))]
pub(super) async fn create_tenant<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    body: RawBody,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let tenant = tenant_from_body(&body, None)?;
    if state.herder.tenants().tenant(&tenant.name).is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("Tenant {} already exists", tenant.name),
        ));
    }
    state.herder.put_tenant(tenant.clone()).await?;
    audit(&*state.herder, &caller, "tenant.create", &tenant.name).await;
    let location = format!("/admin/tenants/{}", tenant.name);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(tenant_json(&*state.herder, &tenant)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/admin/tenants/{tenant}", tag = "tenants",
    params(("tenant" = String, Path, description = "Tenant name")),
    responses((status = 200, body = Tenant), (status = 401, body = super::openapi::ErrorBody),
        (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn get_tenant<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let tenant = state
        .herder
        .tenants()
        .tenant(&name)
        .ok_or_else(|| HerderError::NotFound(format!("Tenant {name} not found")))?;
    Ok(Json(tenant_json(&*state.herder, &tenant)).into_response())
}

#[utoipa::path(put, path = "/admin/tenants/{tenant}", tag = "tenants",
    params(("tenant" = String, Path, description = "Tenant name")),
    request_body = Tenant,
    responses((status = 200, description = "Updated", body = Tenant), (status = 201, description = "Created", body = Tenant),
        (status = 400, body = super::openapi::ErrorBody), (status = 401, body = super::openapi::ErrorBody),
        (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn put_tenant<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    body: RawBody,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let tenant = tenant_from_body(&body, Some(&name))?;
    let created = state.herder.put_tenant(tenant.clone()).await?;
    let action = if created {
        "tenant.create"
    } else {
        "tenant.update"
    };
    audit(&*state.herder, &caller, action, &name).await;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(tenant_json(&*state.herder, &tenant))).into_response())
}

#[utoipa::path(delete, path = "/admin/tenants/{tenant}", tag = "tenants",
    params(("tenant" = String, Path, description = "Tenant name")),
    responses((status = 204, description = "Deleted, with its keys"), (status = 401, body = super::openapi::ErrorBody),
        (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "It still has connectors or plugins", body = super::openapi::ErrorBody)))]
pub(super) async fn delete_tenant<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require_admin()?;
    state.herder.delete_tenant(&name).await?;
    audit(&*state.herder, &caller, "tenant.delete", &name).await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/admin/tenants/{tenant}/keys", tag = "tenants",
    params(("tenant" = String, Path, description = "Tenant name")),
    responses((status = 201, description = "The key, shown this once", body = IssuedKey),
        (status = 401, body = super::openapi::ErrorBody), (status = 403, body = super::openapi::ErrorBody),
        (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn create_key<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let issued = state.herder.create_tenant_key(&name).await?;
    audit(
        &*state.herder,
        &caller,
        "tenant.key.create",
        &format!("{name}/{}", issued.id),
    )
    .await;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

#[utoipa::path(delete, path = "/admin/tenants/{tenant}/keys/{id}", tag = "tenants",
    params(("tenant" = String, Path, description = "Tenant name"), ("id" = String, Path, description = "Key id")),
    responses((status = 204, description = "Deleted: the key no longer authenticates"),
        (status = 401, body = super::openapi::ErrorBody), (status = 403, body = super::openapi::ErrorBody),
        (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn delete_key<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    Path((name, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require_admin()?;
    state.herder.delete_tenant_key(&name, &id).await?;
    audit(
        &*state.herder,
        &caller,
        "tenant.key.delete",
        &format!("{name}/{id}"),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/admin/audit", tag = "tenants",
    params(("tenant" = Option<String>, Query, description = "Only this tenant's changes"),
        ("limit" = Option<usize>, Query, description = "At most this many of the newest entries (default 1000)")),
    responses((status = 200, description = "Changes, oldest first", body = Vec<AuditEntry>),
        (status = 400, body = super::openapi::ErrorBody), (status = 401, body = super::openapi::ErrorBody),
        (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn audit_log<H: Herder>(
    State(state): Shared<H>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let tenants = state.herder.tenants();
    if !tenants.is_enabled() {
        return Err(HerderError::NotFound("Tenancy is not enabled on this cluster".into()).into());
    }
    let pairs = query_pairs(query.as_deref());
    let tenant = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "tenant")
        .map(|(_, v)| v.clone());
    let limit = match pairs.iter().rev().find(|(k, _)| k == "limit") {
        None => 1000,
        Some((_, v)) => v.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!(
                "Query parameter limit must be a non-negative number, got '{v}'"
            ))
        })?,
    };
    Ok(Json(tenants.audit(tenant.as_deref(), limit)).into_response())
}
