//! REST handler tests through `tower::ServiceExt::oneshot` against an in-memory herder that keeps
//! connector configs and states, so routing, status codes and JSON shapes are checked without Kafka.

use std::sync::Mutex;

use axum::body::Body;
use axum::http::{Method, Request};
use tower::ServiceExt;

use super::*;
use crate::config::{
    ConfigDef, ConfigInfos, ConfigKeyDef, ConfigKeyInfo, ConfigType, Importance, Validator,
};
use crate::herder::{
    ConnectorInfo, ConnectorOffset, ConnectorState, ConnectorStatus, ConnectorTaskId,
    ConnectorType, PluginInfo, PluginVersionInfo, StateInfo, TaskInfo, TaskStateInfo,
};

/// Connectors with one task each; `fail-task` in a config makes its task FAILED.
#[derive(Default)]
struct MemoryHerder {
    connectors: Mutex<BTreeMap<String, (ConfigMap, ConnectorState, ConnectorState)>>,
    restarts: Mutex<Vec<(String, bool, bool)>>,
    /// Initial states asked for by `POST /connectors`.
    initial_states: Mutex<Vec<(String, Option<TargetState>)>>,
    /// Source offsets per connector.
    offsets: Mutex<BTreeMap<String, Vec<ConnectorOffset>>>,
    /// Connectors whose topics were reset.
    topics_reset: Mutex<Vec<String>>,
    /// Uploaded components.
    uploads: Mutex<Vec<Vec<u8>>>,
    /// Tenants (off unless a test turns tenancy on).
    tenants: Arc<crate::tenancy::TenantDirectory>,
    /// Audit entries recorded.
    audited: Mutex<Vec<crate::tenancy::AuditEntry>>,
}

impl MemoryHerder {
    fn def() -> ConfigDef {
        let mut def = ConfigDef::default();
        def.define(ConfigKeyDef::new(
            "connector.class",
            ConfigType::String,
            None,
            Importance::High,
            "Plugin.",
        ))
        .define(
            ConfigKeyDef::new(
                "tasks.max",
                ConfigType::Int,
                Some("1"),
                Importance::High,
                "Tasks.",
            )
            .validate(Validator::Range {
                min: Some(1.0),
                max: None,
            }),
        )
        .define(ConfigKeyDef::new(
            "topic",
            ConfigType::String,
            None,
            Importance::High,
            "Topic.",
        ));
        def
    }

    fn with(self, name: &str) -> MemoryHerder {
        let mut config = ConfigMap::new();
        config.insert("connector.class".into(), "CountingSource".into());
        config.insert("topic".into(), "t".into());
        config.insert("name".into(), name.into());
        let lock = self.connectors.lock();
        lock.unwrap().insert(
            name.into(),
            (config, ConnectorState::Running, ConnectorState::Failed),
        );
        self
    }

    fn state(&self, state: ConnectorState, trace: Option<&str>) -> StateInfo {
        StateInfo {
            state,
            worker_id: "127.0.0.1:8083".into(),
            trace: trace.map(str::to_string),
        }
    }

    fn get(&self, name: &str) -> Result<(ConfigMap, ConnectorState, ConnectorState), HerderError> {
        self.connectors
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .ok_or_else(|| HerderError::ConnectorNotFound(name.into()))
    }
}

impl Herder for MemoryHerder {
    fn connector_names(&self) -> Vec<String> {
        self.connectors.lock().unwrap().keys().cloned().collect()
    }

    async fn put_connector_config(
        &self,
        name: &str,
        config: ConfigMap,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> Result<(bool, ConnectorInfo), HerderError> {
        self.initial_states
            .lock()
            .unwrap()
            .push((name.into(), initial_state));
        let infos = Self::def().validate("CountingSource", &config, &[]);
        if infos.error_count > 0 {
            return Err(HerderError::InvalidConfig(Box::new(infos)));
        }
        let mut connectors = self.connectors.lock().unwrap();
        let created = !connectors.contains_key(name);
        if !created && !allow_replace {
            return Err(HerderError::AlreadyExists(name.into()));
        }
        connectors.insert(
            name.into(),
            (config, ConnectorState::Running, ConnectorState::Running),
        );
        drop(connectors);
        Ok((created, self.connector_info(name)?))
    }

    fn connector_info(&self, name: &str) -> Result<ConnectorInfo, HerderError> {
        let (config, ..) = self.get(name)?;
        Ok(ConnectorInfo {
            name: name.into(),
            config,
            tasks: vec![ConnectorTaskId {
                connector: name.into(),
                task: 0,
            }],
            connector_type: ConnectorType::Source,
        })
    }

    fn connector_config(&self, name: &str) -> Result<ConfigMap, HerderError> {
        Ok(self.get(name)?.0)
    }

    fn connector_status(&self, name: &str) -> Result<ConnectorStatus, HerderError> {
        let (_, connector, task) = self.get(name)?;
        Ok(ConnectorStatus {
            name: name.into(),
            connector: self.state(connector, None),
            tasks: vec![self.task_status(name, 0)?],
            connector_type: ConnectorType::Source,
        })
        .map(|mut s| {
            s.tasks[0].state.state = task;
            s
        })
    }

    fn task_status(&self, name: &str, task: u32) -> Result<TaskStateInfo, HerderError> {
        let (_, _, state) = self.get(name)?;
        if task != 0 {
            return Err(HerderError::TaskNotFound {
                connector: name.into(),
                task,
            });
        }
        let trace = (state == ConnectorState::Failed).then_some("wasm trap: unreachable");
        Ok(TaskStateInfo {
            id: 0,
            state: self.state(state, trace),
        })
    }

    fn task_configs(&self, name: &str) -> Result<Vec<TaskInfo>, HerderError> {
        let (config, ..) = self.get(name)?;
        Ok(vec![TaskInfo {
            id: ConnectorTaskId {
                connector: name.into(),
                task: 0,
            },
            config,
        }])
    }

    async fn delete_connector(&self, name: &str) -> Result<(), HerderError> {
        self.connectors
            .lock()
            .unwrap()
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| HerderError::ConnectorNotFound(name.into()))
    }

    async fn pause_connector(&self, name: &str) -> Result<(), HerderError> {
        let mut connectors = self.connectors.lock().unwrap();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.into()))?;
        entry.1 = ConnectorState::Paused;
        entry.2 = ConnectorState::Paused;
        Ok(())
    }

    async fn resume_connector(&self, name: &str) -> Result<(), HerderError> {
        let mut connectors = self.connectors.lock().unwrap();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.into()))?;
        entry.1 = ConnectorState::Running;
        entry.2 = ConnectorState::Running;
        Ok(())
    }

    async fn stop_connector(&self, name: &str) -> Result<(), HerderError> {
        let mut connectors = self.connectors.lock().unwrap();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.into()))?;
        entry.1 = ConnectorState::Stopped;
        entry.2 = ConnectorState::Stopped;
        Ok(())
    }

    async fn connector_offsets(&self, name: &str) -> Result<ConnectorOffsets, HerderError> {
        if name == "slow" {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        }
        self.get(name)?;
        let offsets = self.offsets.lock().unwrap();
        Ok(ConnectorOffsets {
            offsets: offsets.get(name).cloned().unwrap_or_default(),
        })
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        changes: Option<ConnectorOffsets>,
    ) -> Result<String, HerderError> {
        if self.get(name)?.1 != ConnectorState::Stopped {
            return Err(HerderError::NotStopped(name.into()));
        }
        let mut offsets = self.offsets.lock().unwrap();
        let stored = offsets.entry(name.into()).or_default();
        match changes {
            None => stored.clear(),
            Some(changes) => {
                for change in changes.offsets {
                    stored.retain(|o| o.partition != change.partition);
                    if change.offset.is_some() {
                        stored.push(change);
                    }
                }
            }
        }
        Ok("The offsets for this connector have been altered successfully".into())
    }

    fn connector_topics(&self, name: &str) -> Result<Vec<String>, HerderError> {
        self.get(name)?;
        if self.topics_reset.lock().unwrap().iter().any(|c| c == name) {
            return Ok(Vec::new());
        }
        Ok(vec!["t".into()])
    }

    fn reset_connector_topics(&self, name: &str) -> Result<(), HerderError> {
        self.get(name)?;
        self.topics_reset.lock().unwrap().push(name.into());
        Ok(())
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus, HerderError> {
        self.get(name)?;
        self.restarts
            .lock()
            .unwrap()
            .push((name.into(), include_tasks, only_failed));
        self.connector_status(name)
    }

    async fn restart_task(&self, name: &str, task: u32) -> Result<(), HerderError> {
        self.task_status(name, task).map(|_| ())
    }

    fn tenants(&self) -> Arc<crate::tenancy::TenantDirectory> {
        self.tenants.clone()
    }

    async fn put_tenant(&self, tenant: crate::tenancy::Tenant) -> Result<bool, HerderError> {
        let created = self.tenants.tenant(&tenant.name).is_none();
        self.tenants
            .apply_tenant(&tenant.name.clone(), Some(tenant));
        Ok(created)
    }

    async fn create_tenant_key(
        &self,
        tenant: &str,
    ) -> Result<crate::tenancy::IssuedKey, HerderError> {
        let (id, key) = crate::tenancy::new_key();
        self.tenants.apply_key(
            tenant,
            &id,
            Some(crate::tenancy::KeyRecord {
                id: id.clone(),
                tenant: tenant.into(),
                sha256: crate::tenancy::hash_key(&key),
                created: "2026-11-26T08:00:00Z".into(),
            }),
        );
        Ok(crate::tenancy::IssuedKey { id, key })
    }

    async fn record_audit(&self, entry: crate::tenancy::AuditEntry) {
        self.audited.lock().unwrap().push(entry);
    }

    fn plugins(&self, _tenant: Option<&str>, connectors_only: bool) -> Vec<PluginInfo> {
        let mut plugins = vec![PluginInfo {
            class: "CountingSource".into(),
            plugin_type: "source".into(),
            version: "0.1.0".into(),
        }];
        if !connectors_only {
            plugins.push(PluginInfo {
                class: "RegexRouter".into(),
                plugin_type: "transformation".into(),
                version: "0.1.0".into(),
            });
        }
        plugins
    }

    fn plugin_config(
        &self,
        _tenant: Option<&str>,
        plugin: &str,
    ) -> Result<Vec<ConfigKeyInfo>, HerderError> {
        if plugin != "CountingSource" {
            return Err(HerderError::PluginNotFound(plugin.into()));
        }
        Ok(Self::def().key_infos())
    }

    async fn validate_config(
        &self,
        _tenant: Option<&str>,
        plugin: &str,
        config: ConfigMap,
    ) -> Result<ConfigInfos, HerderError> {
        if plugin != "CountingSource" {
            return Err(HerderError::PluginNotFound(plugin.into()));
        }
        Ok(Self::def().validate(plugin, &config, &[]))
    }

    fn kafka_cluster_id(&self) -> String {
        "cluster-1".into()
    }

    async fn upload_plugin(
        &self,
        _tenant: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<(PluginVersionInfo, bool), HerderError> {
        if bytes.starts_with(b"\0asm") {
            let mut uploads = self.uploads.lock().unwrap();
            let created = !uploads.contains(&bytes);
            uploads.push(bytes.clone());
            return Ok((
                PluginVersionInfo {
                    class: "Uploaded".into(),
                    plugin_type: "transformation".into(),
                    version: "1.0.0".into(),
                    sha256: "ab".into(),
                    size: bytes.len(),
                    source: "uploaded".into(),
                },
                created,
            ));
        }
        Err(HerderError::BadRequest(
            "The upload is not WebAssembly".into(),
        ))
    }

    fn plugin_versions(
        &self,
        _tenant: Option<&str>,
        name: &str,
    ) -> Result<Vec<PluginVersionInfo>, HerderError> {
        if name != "CountingSource" {
            return Err(HerderError::PluginNotFound(name.into()));
        }
        Ok(vec![PluginVersionInfo {
            class: "CountingSource".into(),
            plugin_type: "source".into(),
            version: "0.1.0".into(),
            sha256: "cd".into(),
            size: 10,
            source: "bundled".into(),
        }])
    }

    async fn delete_plugin_version(
        &self,
        _tenant: Option<&str>,
        name: &str,
        version: &str,
    ) -> Result<(), HerderError> {
        match (name, version) {
            ("CountingSource", "0.1.0") => Err(HerderError::BadRequest(
                "Plugin CountingSource comes from embedded:x and cannot be deleted".into(),
            )),
            ("Uploaded", "1.0.0") => Ok(()),
            _ => Err(HerderError::NotFound(format!(
                "Plugin {name} has no version {version}"
            ))),
        }
    }
}

fn app(herder: MemoryHerder) -> (Router, Arc<MemoryHerder>) {
    let herder = Arc::new(herder);
    let info = ServerInfo {
        version: "0.1.0".into(),
        commit: "abc".into(),
    };
    (router(herder.clone(), info), herder)
}

async fn call(
    app: &Router,
    method: Method,
    uri: &str,
    body: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    call_as(app, None, method, uri, body).await
}

/// [`call`] with `Authorization: Bearer <key>`.
async fn call_as(
    app: &Router,
    key: Option<&str>,
    method: Method,
    uri: &str,
    body: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let request = request
        .body(
            body.map(|b| Body::from(b.to_string()))
                .unwrap_or_else(Body::empty),
        )
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let json = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, json)
}

#[tokio::test]
async fn root_reports_version_commit_and_cluster() {
    let (app, _) = app(MemoryHerder::default());
    let (status, body) = call(&app, Method::GET, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"version": "0.1.0", "commit": "abc", "kafka_cluster_id": "cluster-1"})
    );
    let (status, body) = call(&app, Method::GET, "/health", None).await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, json!("healthy"))
    );
}

#[tokio::test]
async fn create_list_get_and_delete() {
    let (app, _) = app(MemoryHerder::default());
    let body = r#"{"name": "c1", "config": {"connector.class": "CountingSource", "topic": "t", "tasks.max": 1}}"#;
    let (status, info) = call(&app, Method::POST, "/connectors", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(info["name"], "c1");
    assert_eq!(info["config"]["tasks.max"], "1");
    assert_eq!(info["config"]["name"], "c1");
    assert_eq!(info["tasks"], json!([{"connector": "c1", "task": 0}]));
    assert_eq!(info["type"], "source");

    let (status, names) = call(&app, Method::GET, "/connectors", None).await;
    assert_eq!((status, names), (StatusCode::OK, json!(["c1"])));

    let (status, _) = call(&app, Method::POST, "/connectors", Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, config) = call(&app, Method::GET, "/connectors/c1/config", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(config["topic"], "t");

    let (status, body) = call(&app, Method::DELETE, "/connectors/c1", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::NO_CONTENT, serde_json::Value::Null)
    );
    let (status, error) = call(&app, Method::GET, "/connectors/c1", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        error,
        json!({"error_code": 404, "message": "Connector c1 not found"})
    );
}

#[tokio::test]
async fn invalid_config_is_400_naming_every_field() {
    let (app, _) = app(MemoryHerder::default());
    let body =
        r#"{"name": "bad", "config": {"connector.class": "CountingSource", "tasks.max": "0"}}"#;
    let (status, error) = call(&app, Method::POST, "/connectors", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error_code"], 400);
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("2 error(s)"), "{message}");
    assert!(message.contains("tasks.max"), "{message}");
    assert!(message.contains("topic"), "{message}");
}

#[tokio::test]
async fn malformed_requests_are_400() {
    let (app, _) = app(MemoryHerder::default());
    for (body, needle) in [
        ("{not json", "Cannot parse request body as JSON"),
        (r#"{"config": {}}"#, "\"name\" is required"),
        (r#"{"name": "x"}"#, "\"config\" is required"),
        (r#"{"name": "x", "config": {"a": {"b": 1}}}"#, "\"a\""),
        (
            r#"{"name": "x", "config": {"name": "y"}}"#,
            "doesn't match connector name",
        ),
    ] {
        let (status, error) = call(&app, Method::POST, "/connectors", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            error["message"].as_str().unwrap().contains(needle),
            "{body}: {error}"
        );
    }
}

#[tokio::test]
async fn put_config_creates_then_updates() {
    let (app, _) = app(MemoryHerder::default());
    let config = r#"{"connector.class": "CountingSource", "topic": "t"}"#;
    let (status, info) = call(&app, Method::PUT, "/connectors/c2/config", Some(config)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(info["config"]["name"], "c2");
    let (status, _) = call(&app, Method::PUT, "/connectors/c2/config", Some(config)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn status_tasks_and_expand() {
    let (app, _) = app(MemoryHerder::default().with("c"));
    let (status, body) = call(&app, Method::GET, "/connectors/c/status", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["connector"],
        json!({"state": "RUNNING", "worker_id": "127.0.0.1:8083"})
    );
    assert_eq!(body["tasks"][0]["id"], 0);
    assert_eq!(body["tasks"][0]["state"], "FAILED");
    assert_eq!(body["tasks"][0]["trace"], "wasm trap: unreachable");

    let (status, body) = call(&app, Method::GET, "/connectors/c/tasks/0/status", None).await;
    assert_eq!(
        (status, body["state"].clone()),
        (StatusCode::OK, json!("FAILED"))
    );
    let (status, _) = call(&app, Method::GET, "/connectors/c/tasks/7/status", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, Method::GET, "/connectors/c/tasks/x/status", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, tasks) = call(&app, Method::GET, "/connectors/c/tasks", None).await;
    assert_eq!(tasks[0]["id"], json!({"connector": "c", "task": 0}));

    let (_, expanded) = call(
        &app,
        Method::GET,
        "/connectors?expand=status&expand=info",
        None,
    )
    .await;
    assert_eq!(expanded["c"]["status"]["name"], "c");
    assert_eq!(expanded["c"]["info"]["type"], "source");
}

#[tokio::test]
async fn pause_resume_and_restart_codes() {
    let (app, herder) = app(MemoryHerder::default().with("c"));
    let (status, _) = call(&app, Method::PUT, "/connectors/c/pause", None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, body) = call(&app, Method::GET, "/connectors/c/status", None).await;
    assert_eq!(body["connector"]["state"], "PAUSED");
    let (status, _) = call(&app, Method::PUT, "/connectors/c/resume", None).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let (status, body) = call(&app, Method::POST, "/connectors/c/restart", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::NO_CONTENT, serde_json::Value::Null)
    );
    let (status, body) = call(
        &app,
        Method::POST,
        "/connectors/c/restart?includeTasks=true&onlyFailed=true",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["name"], "c");
    let (status, _) = call(
        &app,
        Method::POST,
        "/connectors/c/restart?includeTasks=maybe",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        *herder.restarts.lock().unwrap(),
        vec![
            ("c".to_string(), false, false),
            ("c".to_string(), true, true)
        ]
    );

    let (status, _) = call(&app, Method::POST, "/connectors/c/tasks/0/restart", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, Method::PUT, "/connectors/nope/pause", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn plugins_and_validate() {
    let (app, _) = app(MemoryHerder::default());
    let (_, plugins) = call(&app, Method::GET, "/connector-plugins", None).await;
    assert_eq!(
        plugins,
        json!([{"class": "CountingSource", "type": "source", "version": "0.1.0"}])
    );
    let (_, plugins) = call(
        &app,
        Method::GET,
        "/connector-plugins?connectorsOnly=false",
        None,
    )
    .await;
    assert_eq!(plugins.as_array().unwrap().len(), 2);

    let (status, infos) = call(
        &app,
        Method::PUT,
        "/connector-plugins/CountingSource/config/validate",
        Some(r#"{"tasks.max": "0"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(infos["name"], "CountingSource");
    assert_eq!(infos["error_count"], 2);
    let (status, _) = call(
        &app,
        Method::PUT,
        "/connector-plugins/CountingSource/config/validate",
        Some(r#"{"connector.class": "FileStreamSink"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(
        &app,
        Method::PUT,
        "/connector-plugins/Nope/config/validate",
        Some("{}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn plugin_config_lists_the_definition() {
    let (app, _) = app(MemoryHerder::default());
    let (status, keys) = call(
        &app,
        Method::GET,
        "/connector-plugins/CountingSource/config",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let first = &keys.as_array().unwrap()[0];
    for field in [
        "name",
        "type",
        "required",
        "default_value",
        "importance",
        "documentation",
        "group",
        "order",
        "width",
        "display_name",
        "dependents",
    ] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    let (status, body) = call(&app, Method::GET, "/connector-plugins/Nope/config", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error_code"], 404);
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let (app, _) = app(MemoryHerder::default());
    let (status, body) = call(&app, Method::GET, "/nope", None).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"error_code": 404, "message": "HTTP 404 Not Found"})
        )
    );
    let (status, body) = call(&app, Method::PATCH, "/connectors", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error_code"], 405);
}

#[tokio::test]
async fn create_with_initial_state_and_location() {
    let herder = Arc::new(MemoryHerder::default());
    let app = router(
        herder.clone(),
        ServerInfo {
            version: "0".into(),
            commit: "c".into(),
        },
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri("/connectors")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"name": "my conn", "config": {"connector.class": "CountingSource", "topic": "t"}, "initial_state": "paused"}"#,
        ))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        "/connectors/my%20conn"
    );
    assert_eq!(
        herder.initial_states.lock().unwrap().clone(),
        vec![("my conn".to_string(), Some(TargetState::Paused))]
    );
    for (body, field) in [
        (
            r#"{"name": "x", "config": {"connector.class": "CountingSource", "topic": "t"}, "initial_state": "SLEEPING"}"#,
            "initial_state",
        ),
        (
            r#"{"name": "x", "config": {"connector.class": "CountingSource", "topic": "t"}, "initial_state": 1}"#,
            "initial_state",
        ),
        (
            r#"{"name": "a/b", "config": {"connector.class": "CountingSource", "topic": "t"}}"#,
            "'/'",
        ),
    ] {
        let (status, error) = call(&app, Method::POST, "/connectors", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            error["message"].as_str().unwrap().contains(field),
            "{error}"
        );
    }
}

#[tokio::test]
async fn patch_config_merges_and_removes() {
    let (app, _) = app(MemoryHerder::default().with("c1"));
    let (status, info) = call(
        &app,
        Method::PATCH,
        "/connectors/c1/config",
        Some(r#"{"topic": "other", "tasks.max": 3, "extra": "x"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["config"]["topic"], "other");
    assert_eq!(info["config"]["tasks.max"], "3");
    let (status, info) = call(
        &app,
        Method::PATCH,
        "/connectors/c1/config",
        Some(r#"{"extra": null}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(info["config"].get("extra").is_none(), "{info}");
    assert_eq!(info["config"]["connector.class"], "CountingSource");

    for (uri, body, code) in [
        ("/connectors/c1/config", "{}", StatusCode::BAD_REQUEST),
        ("/connectors/c1/config", "[1]", StatusCode::BAD_REQUEST),
        (
            "/connectors/c1/config",
            r#"{"name": "other"}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/connectors/c1/config",
            r#"{"tasks.max": 0}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/connectors/c1/config",
            r#"{"topic": {"a": 1}}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/connectors/nope/config",
            r#"{"a": "b"}"#,
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, error) = call(&app, Method::PATCH, uri, Some(body)).await;
        assert_eq!(status, code, "{body}: {error}");
        assert_eq!(error["error_code"], code.as_u16());
    }
}

#[tokio::test]
async fn stop_then_edit_offsets() {
    let (app, herder) = app(MemoryHerder::default().with("c1"));
    let patch = r#"{"offsets": [{"partition": {"filename": "/in"}, "offset": {"position": 7}}]}"#;
    let (status, error) = call(&app, Method::PATCH, "/connectors/c1/offsets", Some(patch)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("must be in the STOPPED state"),
        "{error}"
    );
    let (status, error) = call(&app, Method::DELETE, "/connectors/c1/offsets", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");

    let (status, body) = call(&app, Method::PUT, "/connectors/c1/stop", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::NO_CONTENT, serde_json::Value::Null)
    );
    let (_, status_body) = call(&app, Method::GET, "/connectors/c1/status", None).await;
    assert_eq!(status_body["connector"]["state"], "STOPPED");

    let (status, body) = call(&app, Method::PATCH, "/connectors/c1/offsets", Some(patch)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("altered successfully")
    );
    let (status, body) = call(&app, Method::GET, "/connectors/c1/offsets", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"offsets": [{"partition": {"filename": "/in"}, "offset": {"position": 7}}]})
    );
    for bad in [
        "{}",
        r#"{"offsets": {}}"#,
        r#"{"offsets": [{"offset": {"position": 1}}]}"#,
        r#"{"offsets": [{"partition": "x", "offset": {}}]}"#,
        "not json",
    ] {
        let (status, error) = call(&app, Method::PATCH, "/connectors/c1/offsets", Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {error}");
    }
    let (status, body) = call(&app, Method::DELETE, "/connectors/c1/offsets", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(herder.offsets.lock().unwrap()["c1"].is_empty());
    for (method, uri) in [
        (Method::GET, "/connectors/nope/offsets"),
        (Method::DELETE, "/connectors/nope/offsets"),
        (Method::PUT, "/connectors/nope/stop"),
    ] {
        let (status, _) = call(&app, method, uri, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn topics_and_reset() {
    let (app, _) = app(MemoryHerder::default().with("c1"));
    let (status, body) = call(&app, Method::GET, "/connectors/c1/topics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"c1": {"topics": ["t"]}}));
    let (status, _) = call(&app, Method::PUT, "/connectors/c1/topics/reset", None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, body) = call(&app, Method::GET, "/connectors/c1/topics", None).await;
    assert_eq!(body, json!({"c1": {"topics": []}}));
    let (status, _) = call(&app, Method::GET, "/connectors/nope/topics", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, Method::PUT, "/connectors/nope/topics/reset", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn loggers_list_get_and_set() {
    let (app, _) = app(MemoryHerder::default());
    let (status, all) = call(&app, Method::GET, "/admin/loggers", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["root"]["level"], "INFO", "{all}");
    assert_eq!(all["root"]["last_modified"], serde_json::Value::Null);

    let (status, affected) = call(
        &app,
        Method::PUT,
        "/admin/loggers/wasm_connect::task",
        Some(r#"{"level": "debug"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{affected}");
    assert_eq!(affected, json!(["wasm_connect::task"]));
    let (status, level) = call(&app, Method::GET, "/admin/loggers/wasm_connect::task", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(level["level"], "DEBUG");
    assert!(level["last_modified"].is_u64(), "{level}");

    let (status, body) = call(
        &app,
        Method::PUT,
        "/admin/loggers/x?scope=cluster",
        Some(r#"{"level": "WARN"}"#),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::NO_CONTENT, serde_json::Value::Null)
    );

    for (uri, body, code) in [
        ("/admin/loggers/nope", None, StatusCode::NOT_FOUND),
        (
            "/admin/loggers/x",
            Some(r#"{"level": "LOUD"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/admin/loggers/x",
            Some(r#"{"lvl": "INFO"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/admin/loggers/x",
            Some(r#"{"level": 3}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/admin/loggers/x?scope=galaxy",
            Some(r#"{"level": "INFO"}"#),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let method = if body.is_some() {
            Method::PUT
        } else {
            Method::GET
        };
        let (status, error) = call(&app, method, uri, body).await;
        assert_eq!(status, code, "{uri}: {error}");
        assert!(error["message"].is_string(), "{error}");
    }
}

#[tokio::test]
async fn oversized_bodies_unknown_expansions_and_timeouts() {
    let (app, _) = app(MemoryHerder::default().with("c1"));
    let big = format!(
        r#"{{"name": "big", "config": {{"x": "{}"}}}}"#,
        "a".repeat(MAX_BODY_BYTES)
    );
    let (status, error) = call(&app, Method::POST, "/connectors", Some(&big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        error["message"].as_str().unwrap().contains("larger than"),
        "{error}"
    );

    let (status, error) = call(&app, Method::GET, "/connectors?expand=everything", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["message"].as_str().unwrap().contains("expand"),
        "{error}"
    );

    let herder = Arc::new(MemoryHerder::default().with("slow"));
    let app = router_with(
        herder,
        ServerInfo {
            version: "0".into(),
            commit: "c".into(),
        },
        crate::logging::levels(),
        &RestLimits {
            request_timeout: std::time::Duration::from_millis(100),
            ..RestLimits::default()
        },
    );
    let (status, error) = call(&app, Method::GET, "/connectors/slow/offsets", None).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error_code": 500, "message": "Request timed out"})
        )
    );
}

#[tokio::test]
async fn plugin_upload_versions_and_delete() {
    let (app, herder) = app(MemoryHerder::default());
    let upload = |content_type: &'static str, body: Vec<u8>| {
        Request::builder()
            .method(Method::POST)
            .uri("/connector-plugins")
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let component = b"\0asm\x0d\x00\x01\x00payload".to_vec();
    let response = app
        .clone()
        .oneshot(upload("application/wasm", component.clone()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = app
        .clone()
        .oneshot(upload("application/wasm", component.clone()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "same content again");
    // The same component as a multipart file.
    let mut multipart = b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.wasm\"\r\nContent-Type: application/wasm\r\n\r\n".to_vec();
    multipart.extend_from_slice(&component);
    multipart.extend_from_slice(b"\r\n--XYZ--\r\n");
    let response = app
        .clone()
        .oneshot(upload("multipart/form-data; boundary=XYZ", multipart))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(herder.uploads.lock().unwrap().len(), 3);
    assert!(
        herder
            .uploads
            .lock()
            .unwrap()
            .iter()
            .all(|u| *u == component)
    );

    let response = app
        .clone()
        .oneshot(upload("application/wasm", b"not wasm".to_vec()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let no_file =
        b"--XYZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--XYZ--\r\n"
            .to_vec();
    let response = app
        .clone()
        .oneshot(upload("multipart/form-data; boundary=XYZ", no_file))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let (status, versions) = call(
        &app,
        Method::GET,
        "/connector-plugins/CountingSource/versions",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(versions[0]["version"], "0.1.0");
    assert_eq!(versions[0]["source"], "bundled");
    let (status, _) = call(&app, Method::GET, "/connector-plugins/Nope/versions", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (uri, code) in [
        (
            "/connector-plugins/Uploaded/versions/1.0.0",
            StatusCode::NO_CONTENT,
        ),
        (
            "/connector-plugins/CountingSource/versions/0.1.0",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/connector-plugins/Uploaded/versions/9",
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, _) = call(&app, Method::DELETE, uri, None).await;
        assert_eq!(status, code, "{uri}");
    }
}

#[test]
fn plugin_names_match_like_kafka() {
    assert!(same_plugin(
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "FileStreamSource"
    ));
    assert!(same_plugin("CountingSource", "CountingSource"));
    assert!(!same_plugin("FileStreamSink", "FileStreamSource"));
}

const ADMIN: &str = "admin-key-0123456789";

/// A herder with tenancy on, tenants `a` (prefix `a.`) and `b`, and a key for each.
async fn tenanted() -> (Router, Arc<MemoryHerder>, String, String) {
    let herder = MemoryHerder {
        tenants: Arc::new(crate::tenancy::TenantDirectory::enabled(ADMIN)),
        ..MemoryHerder::default()
    };
    let (app, herder) = app(herder);
    let mut keys = Vec::new();
    for t in ["a", "b"] {
        let body = format!(
            r#"{{"name": "{t}", "topic.prefixes": ["{t}."], "quotas": {{"connectors": 5}}}}"#
        );
        let (status, json) = call_as(
            &app,
            Some(ADMIN),
            Method::POST,
            "/admin/tenants",
            Some(&body),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        assert_eq!(json["topic.prefixes"], json!([format!("{t}.")]));
        let (status, json) = call_as(
            &app,
            Some(ADMIN),
            Method::POST,
            &format!("/admin/tenants/{t}/keys"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        keys.push(json["key"].as_str().unwrap().to_string());
    }
    let b = keys.pop().unwrap();
    let a = keys.pop().unwrap();
    (app, herder, a, b)
}

#[tokio::test]
async fn tenancy_needs_a_key_and_keeps_admin_routes_for_the_admin() {
    let (app, _, a, _) = tenanted().await;
    let (status, json) = call(&app, Method::GET, "/connectors", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("Authorization: Bearer"),
        "{json}"
    );
    let (status, _) = call_as(&app, Some("wrong"), Method::GET, "/connectors", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Health and the root stay open.
    assert_eq!(
        call(&app, Method::GET, "/health", None).await.0,
        StatusCode::OK
    );
    for (method, uri) in [
        (Method::GET, "/admin/tenants"),
        (Method::GET, "/admin/tenants/b"),
        (Method::POST, "/admin/tenants/b/keys"),
        (Method::GET, "/admin/audit"),
        (Method::GET, "/admin/loggers"),
    ] {
        let (status, json) = call_as(&app, Some(&a), method, uri, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {json}");
    }
    let (status, json) = call_as(&app, Some(ADMIN), Method::GET, "/admin/tenants", None).await;
    assert_eq!((status, json), (StatusCode::OK, json!(["a", "b"])));
    let (status, json) = call_as(&app, Some(ADMIN), Method::GET, "/admin/tenants/a", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["keys"].as_array().unwrap().len(), 1);
    assert!(
        json["keys"][0].get("key").is_none(),
        "keys are never shown again: {json}"
    );
    let (status, json) = call_as(
        &app,
        Some(ADMIN),
        Method::POST,
        "/admin/tenants",
        Some(r#"{"name": "a"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");
    let (status, json) = call_as(
        &app,
        Some(ADMIN),
        Method::POST,
        "/admin/tenants",
        Some(r#"{"name": "c", "quota": 1}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `quota`"),
        "{json}"
    );
    let (status, _) = call_as(
        &app,
        Some(ADMIN),
        Method::PUT,
        "/admin/tenants/c",
        Some(r#"{"name": "d"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn tenants_see_only_their_own_connectors_by_their_own_names() {
    let (app, herder, a, b) = tenanted().await;
    let body =
        r#"{"name": "src", "config": {"connector.class": "CountingSource", "topic": "a.t"}}"#;
    let (status, json) = call_as(&app, Some(&a), Method::POST, "/connectors", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(json["name"], "src");
    assert_eq!(json["config"]["name"], "src");
    // Inside the cluster the connector is a/src.
    assert_eq!(herder.connector_names(), ["a/src"]);
    let (_, json) = call_as(
        &app,
        Some(&a),
        Method::GET,
        "/connectors?expand=status&expand=info",
        None,
    )
    .await;
    assert_eq!(json["src"]["status"]["name"], "src", "{json}");
    assert_eq!(
        json["src"]["info"]["tasks"][0]["connector"], "src",
        "{json}"
    );
    let (_, json) = call_as(&app, Some(&a), Method::GET, "/connectors/src/config", None).await;
    assert_eq!(json["name"], "src");
    let (_, json) = call_as(&app, Some(&a), Method::GET, "/connectors/src/tasks", None).await;
    assert_eq!(json[0]["id"]["connector"], "src", "{json}");
    // Tenant b sees nothing of it: not in the list, and every path is a 404 naming only what b asked.
    let (_, json) = call_as(&app, Some(&b), Method::GET, "/connectors", None).await;
    assert_eq!(json, json!([]));
    for (method, uri) in [
        (Method::GET, "/connectors/src"),
        (Method::GET, "/connectors/src/status"),
        (Method::GET, "/connectors/src/config"),
        (Method::GET, "/connectors/src/offsets"),
        (Method::PUT, "/connectors/src/pause"),
        (Method::POST, "/connectors/src/restart"),
        (Method::DELETE, "/connectors/src"),
        (Method::GET, "/connectors/a%2Fsrc"),
    ] {
        let (status, json) = call_as(&app, Some(&b), method, uri, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {json}");
        // The message names only what b asked for (here b typed "a/src" itself).
        if !uri.contains("%2F") {
            assert!(
                !json.to_string().contains("a/"),
                "{uri} leaks a's name: {json}"
            );
        }
    }
    // A tenant cannot name another tenant's connector with '/'.
    let (status, _) = call_as(
        &app,
        Some(&b),
        Method::PUT,
        "/connectors/a%2Fsrc/config",
        Some(r#"{"connector.class": "CountingSource"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(herder.connector_names(), ["a/src"]);
    // The admin addresses it by its qualified name.
    let (status, json) = call_as(
        &app,
        Some(ADMIN),
        Method::GET,
        "/connectors/a%2Fsrc/status",
        None,
    )
    .await;
    assert_eq!(
        (status, json["name"].clone()),
        (StatusCode::OK, json!("a/src"))
    );
    // Changes are audited with the tenant and key id.
    let audited = herder.audited.lock().unwrap().clone();
    let create = audited
        .iter()
        .find(|e| e.action == "connector.create")
        .unwrap();
    assert_eq!(
        (create.tenant.as_deref(), create.target.as_str()),
        (Some("a"), "src")
    );
    assert_ne!(create.key_id, "admin");
    assert!(
        audited
            .iter()
            .any(|e| e.action == "tenant.key.create" && e.key_id == "admin")
    );
}
