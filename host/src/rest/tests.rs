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
    ConnectorInfo, ConnectorState, ConnectorStatus, ConnectorTaskId, ConnectorType, PluginInfo,
    StateInfo, TaskInfo, TaskStateInfo,
};

/// Connectors with one task each; `fail-task` in a config makes its task FAILED.
#[derive(Default)]
struct MemoryHerder {
    connectors: Mutex<BTreeMap<String, (ConfigMap, ConnectorState, ConnectorState)>>,
    restarts: Mutex<Vec<(String, bool, bool)>>,
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
    ) -> Result<(bool, ConnectorInfo), HerderError> {
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

    fn pause_connector(&self, name: &str) -> Result<(), HerderError> {
        let mut connectors = self.connectors.lock().unwrap();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.into()))?;
        entry.1 = ConnectorState::Paused;
        entry.2 = ConnectorState::Paused;
        Ok(())
    }

    fn resume_connector(&self, name: &str) -> Result<(), HerderError> {
        let mut connectors = self.connectors.lock().unwrap();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.into()))?;
        entry.1 = ConnectorState::Running;
        entry.2 = ConnectorState::Running;
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

    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
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

    fn plugin_config(&self, plugin: &str) -> Result<Vec<ConfigKeyInfo>, HerderError> {
        if plugin != "CountingSource" {
            return Err(HerderError::PluginNotFound(plugin.into()));
        }
        Ok(Self::def().key_infos())
    }

    async fn validate_config(
        &self,
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
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
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

#[test]
fn plugin_names_match_like_kafka() {
    assert!(same_plugin(
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "FileStreamSource"
    ));
    assert!(same_plugin("CountingSource", "CountingSource"));
    assert!(!same_plugin("FileStreamSink", "FileStreamSource"));
}
