//! The distributed herder: one worker of a cluster that shares a `group.id`.
//!
//! A driver thread reads the config topic in order (Kafka Connect's connector, task, commit and
//! target-state records, and the workers' coordination records), feeds it to the
//! [`Coordinator`] state machine, and carries out its decisions: start and stop connectors and
//! tasks here, write heartbeats, assignments and releases. Statuses go to the status topic,
//! source offsets to the offset topic. REST reads answer from this worker's view; config writes
//! go to the leader (forwarded over REST when this worker is not the leader).

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use wasm_connect_coordination::{Action, CoordinationRecord, Coordinator, CoordinatorConfig, Work};

use super::prepare::PreparedConnector;
use super::running::{RunningTask, spawn_task, stop_tasks};
use super::validation::validate;
use super::{
    ConfigMap, ConnectorInfo, ConnectorOffsets, ConnectorState, ConnectorStatus, ConnectorTaskId,
    ConnectorType, Herder, HerderError, PluginInfo, PluginVersionInfo, StateInfo, StatusCell,
    TaskInfo, TaskStateInfo, WorkerContext,
};
use super::{catalog, offsets};
use crate::config::{ConfigInfos, ConfigKeyInfo, DistributedConfig};
use crate::distributed::kafka_io::{TopicReader, TopicWriter};
use crate::distributed::offsets::KafkaOffsetStore;
use crate::distributed::records::{ConfigRecord, ConfigState, TargetState};
use crate::distributed::status::{StatusStore, StatusValue, connector_key, task_key};
use crate::runtime::{ComponentKind, ConnectorInstance};
use crate::tenancy::{AuditEntry, IssuedKey, KeyRecord, Tenant, TenantDirectory};

/// How long a REST write waits for its record to come back from the config topic.
const WRITE_TIMEOUT: Duration = DistributedHerder::WRITE_TIMEOUT;

/// A connector instance running on this worker.
struct LocalConnector {
    instance: Option<ConnectorInstance>,
    status: StatusCell,
    /// The config it was started with.
    config: ConfigMap,
}

/// A task running on this worker.
struct LocalTask {
    running: RunningTask,
    /// The config it was started with.
    config: ConfigMap,
    /// Its connector's config when it started (transforms, converters, plugin versions).
    connector_config: ConfigMap,
}

/// What REST reads: the config topic's state and this worker's part in the cluster.
#[derive(Default)]
struct View {
    config: ConfigState,
    generation: u64,
    leader: Option<(String, String)>,
    /// Owner of each work item in the accepted assignment, with the owner's REST URL.
    owners: BTreeMap<Work, (String, String)>,
    connectors: BTreeMap<String, LocalConnector>,
    tasks: BTreeMap<(String, u32), LocalTask>,
}

/// State shared by the driver thread and REST handlers.
struct Shared {
    ctx: Arc<WorkerContext>,
    view: Mutex<View>,
    config_writer: TopicWriter,
    status: Arc<StatusStore>,
    offsets: Arc<KafkaOffsetStore>,
    worker_id: String,
    /// Validated connector configs, so that starting a task does not validate again.
    prepared: Mutex<BTreeMap<String, (ConfigMap, Arc<PreparedConnector>)>>,
}

impl Shared {
    /// The connector's config, validated and prepared (cached per config).
    fn prepared(
        &self,
        name: &str,
        config: &ConfigMap,
    ) -> Result<Arc<PreparedConnector>, HerderError> {
        let mut cache = self.prepared.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cached, prepared)) = cache.get(name)
            && cached == config
        {
            return Ok(prepared.clone());
        }
        let prepared = match PreparedConnector::prepare(&self.ctx, config) {
            Ok(prepared) => prepared,
            // A plugin (version) uploaded elsewhere may not have reached this worker yet.
            Err(HerderError::InvalidConfig(_)) if self.ctx.plugin_store.sync().is_ok() => {
                PreparedConnector::prepare(&self.ctx, config)?
            }
            Err(e) => return Err(e),
        };
        let prepared = Arc::new(prepared);
        cache.insert(name.to_string(), (config.clone(), prepared.clone()));
        Ok(prepared)
    }

    fn view(&self) -> MutexGuard<'_, View> {
        self.view.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self, records: &[ConfigRecord]) -> Result<(), String> {
        let encoded: Vec<(String, Option<Vec<u8>>)> =
            records.iter().map(ConfigRecord::encode).collect();
        self.config_writer.write(&encoded, WRITE_TIMEOUT)
    }

    /// Wait until the view shows connector `name` with `config`.
    fn wait_for_config(&self, name: &str, config: &ConfigMap) -> Result<(), HerderError> {
        self.wait_for(|v| {
            v.config
                .connectors
                .get(name)
                .is_some_and(|e| e.config == *config)
        })
    }

    /// Wait until `done` holds on the view (the driver applied what was written).
    fn wait_for(&self, done: impl Fn(&View) -> bool) -> Result<(), HerderError> {
        let deadline = Instant::now() + WRITE_TIMEOUT;
        while Instant::now() < deadline {
            if done(&self.view()) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(HerderError::Internal(
            "timed out waiting for the config topic to show the change".into(),
        ))
    }
}

/// Runs this worker's share of a distributed cluster's connectors and tasks.
pub struct DistributedHerder {
    shared: Arc<Shared>,
    stop: mpsc::Sender<()>,
    driver: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Held by the leader while it validates and writes a connector config.
    decide: tokio::sync::Mutex<()>,
    /// The cluster's internal topics (no tenant prefix may reach them).
    internal_topics: Vec<String>,
}

fn internal(e: impl std::fmt::Display) -> HerderError {
    HerderError::Internal(e.to_string())
}

fn no_leader() -> HerderError {
    HerderError::Conflict(
        "Cannot complete request because of a conflicting operation (e.g. worker rebalance)".into(),
    )
}

impl DistributedHerder {
    /// How long a write to an internal topic (and a REST write waiting for it) may take.
    pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

    /// Join the cluster: read the config topic to its end, then run the driver thread.
    pub fn start(
        ctx: Arc<WorkerContext>,
        offsets: Arc<KafkaOffsetStore>,
        status: Arc<StatusStore>,
        distributed: &DistributedConfig,
        url: String,
    ) -> Result<DistributedHerder, String> {
        let settings = ctx.config.client_settings("admin", &BTreeMap::new());
        let config_writer = TopicWriter::open(&settings, &distributed.config_topic)?;
        let reader = TopicReader::open(&settings, &distributed.config_topic)?;
        let worker_id = ctx.config.worker_id.clone();
        let shared = Arc::new(Shared {
            ctx,
            view: Mutex::new(View::default()),
            config_writer,
            status,
            offsets,
            worker_id: worker_id.clone(),
            prepared: Mutex::new(BTreeMap::new()),
        });
        let coordinator = Coordinator::new(
            worker_id,
            uuid::Uuid::new_v4().to_string(),
            url,
            CoordinatorConfig {
                session_timeout_ms: millis(distributed.session_timeout),
                heartbeat_interval_ms: millis(distributed.heartbeat_interval),
                rebalance_delay_ms: millis(distributed.rebalance_delay),
            },
        );
        let (stop, stopped) = mpsc::channel();
        let driver_shared = shared.clone();
        let driver = std::thread::Builder::new()
            .name("distributed-herder".into())
            .spawn(move || Driver::new(driver_shared, coordinator, reader).run(&stopped))
            .map_err(|e| e.to_string())?;
        // Serve REST only once this worker knows the cluster: caught up with the config topic and
        // a leader known (Kafka Connect answers 409 until then).
        let deadline = Instant::now() + distributed.session_timeout * 2 + Duration::from_secs(10);
        while shared.view().leader.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if shared.view().leader.is_none() {
            tracing::warn!("no leader known yet; REST writes answer 409 until one is");
        }
        Ok(DistributedHerder {
            shared,
            stop,
            driver: Mutex::new(Some(driver)),
            decide: tokio::sync::Mutex::new(()),
            internal_topics: vec![
                distributed.config_topic.clone(),
                distributed.offset_topic.clone(),
                distributed.status_topic.clone(),
                distributed.plugin_topic.clone(),
            ],
        })
    }

    /// Leave the cluster: stop this worker's work, announce it (so others take over at once).
    pub async fn shutdown(&self) {
        let _ = self.stop.send(());
        let driver = self.driver.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(driver) = driver {
            let _ = tokio::task::spawn_blocking(move || driver.join()).await;
        }
    }

    /// The leader's REST URL, or None when this worker leads.
    fn leader_url(&self) -> Result<Option<String>, HerderError> {
        let view = self.shared.view();
        match &view.leader {
            Some((id, _)) if *id == self.shared.worker_id => Ok(None),
            Some((_, url)) => Ok(Some(url.clone())),
            None => Err(no_leader()),
        }
    }

    fn entry_type(&self, config: &ConfigMap) -> ConnectorType {
        ConnectorType::from_kind(self.plugin_kind(config))
    }

    fn info(&self, name: &str, view: &View) -> Result<ConnectorInfo, HerderError> {
        let entry = view
            .config
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        Ok(ConnectorInfo {
            name: name.to_string(),
            config: entry.config.clone(),
            tasks: (0..live_tasks(entry))
                .map(|n| ConnectorTaskId {
                    connector: name.to_string(),
                    task: u32::try_from(n).unwrap_or(u32::MAX),
                })
                .collect(),
            connector_type: self.entry_type(&entry.config),
        })
    }

    /// The state of a work item: this worker's own cell when it runs it, else the status topic.
    fn state_of(&self, view: &View, work: &Work) -> StateInfo {
        let local = match work {
            Work::Connector(c) => view.connectors.get(c).map(|l| l.status.get()),
            Work::Task { connector, task } => view
                .tasks
                .get(&(connector.clone(), *task))
                .map(|t| t.running.status.get()),
        };
        if let Some((state, trace)) = local {
            return StateInfo {
                state,
                worker_id: self.shared.worker_id.clone(),
                trace,
            };
        }
        let key = match work {
            Work::Connector(c) => connector_key(c),
            Work::Task { connector, task } => task_key(connector, *task),
        };
        let owner = view.owners.get(work).map(|(id, _)| id.clone());
        match self.shared.status.get(&key) {
            // A status written by the current owner (or any, when the owner is not known yet).
            Some(s) if owner.as_ref().is_none_or(|o| *o == s.worker_id) => StateInfo {
                state: s.connector_state(),
                worker_id: s.worker_id,
                trace: s.trace,
            },
            _ => StateInfo {
                state: ConnectorState::Unassigned,
                worker_id: owner.unwrap_or_default(),
                trace: None,
            },
        }
    }

    async fn forward(
        &self,
        url: String,
        method: &'static str,
        path: String,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value, HerderError> {
        let key = self.shared.ctx.tenants.forward_key().map(str::to_string);
        tokio::task::spawn_blocking(move || {
            forward_blocking(&url, method, &path, body, key.as_deref())
        })
        .await
        .map_err(internal)?
    }
}

/// How many tasks a connector has: none while it is STOPPED (Kafka empties its task configs).
fn live_tasks(entry: &crate::distributed::records::ConnectorEntry) -> usize {
    if entry.target == TargetState::Stopped {
        0
    } else {
        entry.tasks.len()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Send a REST request to another worker; its error answers come back as the same status.
/// With tenancy on, `key` (the forwarding key derived from the admin key) authenticates it.
fn forward_blocking(
    base: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    key: Option<&str>,
) -> Result<serde_json::Value, HerderError> {
    let url = format!("{}{path}", base.trim_end_matches('/'));
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(WRITE_TIMEOUT + Duration::from_secs(5)))
            .build(),
    );
    let bearer = key.map(|k| format!("Bearer {k}"));
    macro_rules! authorized {
        ($request:expr) => {
            match &bearer {
                Some(b) => $request.header("Authorization", b),
                None => $request,
            }
        };
    }
    let result = match (method, body) {
        ("PUT", Some(b)) => authorized!(agent.put(&url)).send_json(b),
        ("PUT", None) => authorized!(agent.put(&url)).send_empty(),
        ("POST", Some(b)) => authorized!(agent.post(&url)).send_json(b),
        ("POST", None) => authorized!(agent.post(&url)).send_empty(),
        ("DELETE", _) => authorized!(agent.delete(&url)).call(),
        _ => authorized!(agent.get(&url)).call(),
    };
    let mut response = result.map_err(|e| HerderError::Forwarded {
        status: 409,
        message: format!("Cannot forward the request to the leader at {base}: {e}"),
    })?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let json: serde_json::Value = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
    };
    if (200..300).contains(&status) {
        Ok(json)
    } else {
        let message = json
            .get("message")
            .and_then(|m| m.as_str())
            .map_or_else(|| json.to_string(), str::to_string);
        Err(HerderError::Forwarded { status, message })
    }
}

/// `initial_state` of `POST /connectors` for a target state.
fn initial_state_name(state: TargetState) -> &'static str {
    match state {
        TargetState::Started => "RUNNING",
        TargetState::Paused => "PAUSED",
        TargetState::Stopped => "STOPPED",
    }
}

/// Path segment encoding for connector names in forwarded URLs.
fn segment(name: &str) -> String {
    url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl Herder for DistributedHerder {
    fn connector_names(&self) -> Vec<String> {
        self.shared
            .view()
            .config
            .connectors
            .keys()
            .cloned()
            .collect()
    }

    async fn put_connector_config(
        &self,
        name: &str,
        mut config: ConfigMap,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> Result<(bool, ConnectorInfo), HerderError> {
        if name.trim().is_empty() {
            return Err(HerderError::BadRequest("Connector name is required".into()));
        }
        config.insert("name".into(), name.to_string());
        if let Some(leader) = self.leader_url()? {
            if allow_replace {
                let body = serde_json::to_value(&config).map_err(internal)?;
                self.forward(
                    leader,
                    "PUT",
                    format!("/connectors/{}/config", segment(name)),
                    Some(body),
                )
                .await?;
            } else {
                let mut body = serde_json::json!({ "name": name, "config": config });
                if let Some(state) = initial_state {
                    body["initial_state"] = initial_state_name(state).into();
                }
                self.forward(leader, "POST", "/connectors".into(), Some(body))
                    .await?;
            }
            let existed_before = self.shared.view().config.connectors.contains_key(name);
            let shared = self.shared.clone();
            let wanted = config.clone();
            let owned = name.to_string();
            tokio::task::spawn_blocking(move || shared.wait_for_config(&owned, &wanted))
                .await
                .map_err(internal)??;
            let info = self
                .info(name, &self.shared.view())
                .unwrap_or(ConnectorInfo {
                    name: name.to_string(),
                    config: config.clone(),
                    tasks: Vec::new(),
                    connector_type: self.entry_type(&config),
                });
            return Ok((!existed_before, info));
        }
        // The leader decides creates and updates one at a time, so quotas hold under races.
        let _decide = self.decide.lock().await;
        let exists = self.shared.view().config.connectors.contains_key(name);
        if exists && !allow_replace {
            return Err(HerderError::AlreadyExists(name.to_string()));
        }
        let ctx = self.shared.ctx.clone();
        let checked = config.clone();
        let validated = tokio::task::spawn_blocking(move || {
            let validated = validate(&ctx, &checked, None);
            // A plugin just uploaded to another worker may not have reached this one yet:
            // catch up with the plugin topic and look again before refusing.
            if validated.infos.error_count > 0 && ctx.plugin_store.sync().is_ok() {
                return validate(&ctx, &checked, None);
            }
            validated
        })
        .await
        .map_err(internal)?;
        if validated.infos.error_count > 0 {
            return Err(HerderError::InvalidConfig(Box::new(validated.infos)));
        }
        self.check_quotas(name, &config)?;
        let shared = self.shared.clone();
        let owned = name.to_string();
        let wanted = config.clone();
        let mut records = Vec::new();
        // Kafka writes a new connector's initial target state before its config.
        if !exists && let Some(state) = initial_state {
            records.push(ConfigRecord::TargetState {
                connector: name.to_string(),
                state: Some(state),
            });
        }
        records.push(ConfigRecord::Connector {
            name: name.to_string(),
            config: Some(config.clone()),
        });
        tokio::task::spawn_blocking(move || {
            shared.write(&records).map_err(HerderError::Internal)?;
            shared.wait_for_config(&owned, &wanted)
        })
        .await
        .map_err(internal)??;
        let info = self.info(name, &self.shared.view())?;
        Ok((!exists, info))
    }

    fn connector_info(&self, name: &str) -> Result<ConnectorInfo, HerderError> {
        self.info(name, &self.shared.view())
    }

    fn connector_config(&self, name: &str) -> Result<ConfigMap, HerderError> {
        self.connector_info(name).map(|i| i.config)
    }

    fn connector_status(&self, name: &str) -> Result<ConnectorStatus, HerderError> {
        let view = self.shared.view();
        let entry = view
            .config
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        let mut connector = self.state_of(&view, &Work::Connector(name.to_string()));
        if entry.target == TargetState::Stopped {
            connector.state = ConnectorState::Stopped;
        }
        let tasks = (0..live_tasks(entry))
            .map(|n| {
                let task = u32::try_from(n).unwrap_or(u32::MAX);
                TaskStateInfo {
                    id: task,
                    state: self.state_of(
                        &view,
                        &Work::Task {
                            connector: name.to_string(),
                            task,
                        },
                    ),
                }
            })
            .collect();
        Ok(ConnectorStatus {
            name: name.to_string(),
            connector,
            tasks,
            connector_type: self.entry_type(&entry.config),
        })
    }

    fn task_status(&self, name: &str, task: u32) -> Result<TaskStateInfo, HerderError> {
        self.connector_status(name)?
            .tasks
            .into_iter()
            .find(|t| t.id == task)
            .ok_or_else(|| HerderError::TaskNotFound {
                connector: name.to_string(),
                task,
            })
    }

    fn task_configs(&self, name: &str) -> Result<Vec<TaskInfo>, HerderError> {
        let view = self.shared.view();
        let entry = view
            .config
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        Ok(entry
            .tasks
            .iter()
            .take(live_tasks(entry))
            .enumerate()
            .map(|(n, config)| TaskInfo {
                id: ConnectorTaskId {
                    connector: name.to_string(),
                    task: u32::try_from(n).unwrap_or(u32::MAX),
                },
                config: config.clone(),
            })
            .collect())
    }

    async fn delete_connector(&self, name: &str) -> Result<(), HerderError> {
        let task_count = {
            let view = self.shared.view();
            view.config
                .connectors
                .get(name)
                .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?
                .tasks
                .len()
        };
        if let Some(leader) = self.leader_url()? {
            self.forward(
                leader,
                "DELETE",
                format!("/connectors/{}", segment(name)),
                None,
            )
            .await?;
        } else {
            let shared = self.shared.clone();
            let owned = name.to_string();
            tokio::task::spawn_blocking(move || {
                shared
                    .write(&[
                        ConfigRecord::Connector {
                            name: owned.clone(),
                            config: None,
                        },
                        ConfigRecord::TargetState {
                            connector: owned.clone(),
                            state: None,
                        },
                    ])
                    .map_err(HerderError::Internal)?;
                let mut tombstones = vec![(connector_key(&owned), None)];
                for n in 0..task_count {
                    tombstones.push((task_key(&owned, u32::try_from(n).unwrap_or(u32::MAX)), None));
                }
                shared.status.put(tombstones).map_err(HerderError::Internal)
            })
            .await
            .map_err(internal)??;
        }
        let shared = self.shared.clone();
        let owned = name.to_string();
        tokio::task::spawn_blocking(move || {
            shared.wait_for(|v| !v.config.connectors.contains_key(&owned))
        })
        .await
        .map_err(internal)??;
        Ok(())
    }

    async fn pause_connector(&self, name: &str) -> Result<(), HerderError> {
        self.set_target_state(name, TargetState::Paused).await
    }

    async fn resume_connector(&self, name: &str) -> Result<(), HerderError> {
        self.set_target_state(name, TargetState::Started).await
    }

    async fn stop_connector(&self, name: &str) -> Result<(), HerderError> {
        self.set_target_state(name, TargetState::Stopped).await?;
        // Answer once this worker's share has stopped (others stop theirs on their own).
        let shared = self.shared.clone();
        let owned = name.to_string();
        tokio::task::spawn_blocking(move || {
            shared.wait_for(|v| {
                !v.connectors.contains_key(&owned) && !v.tasks.keys().any(|(c, _)| *c == owned)
            })
        })
        .await
        .map_err(internal)?
    }

    async fn connector_offsets(&self, name: &str) -> Result<ConnectorOffsets, HerderError> {
        let (config, _) = self.config_and_target(name)?;
        let kind = self.plugin_kind(&config);
        offsets::read(&self.shared.ctx, name, config, kind).await
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        changes: Option<ConnectorOffsets>,
    ) -> Result<String, HerderError> {
        let (config, target) = self.config_and_target(name)?;
        let kind = self.plugin_kind(&config);
        offsets::alter(&self.shared.ctx, name, config, kind, target, changes).await
    }

    fn connector_topics(&self, name: &str) -> Result<Vec<String>, HerderError> {
        self.config_and_target(name)?;
        Ok(self.shared.ctx.active_topics.topics(name))
    }

    fn reset_connector_topics(&self, name: &str) -> Result<(), HerderError> {
        self.config_and_target(name)?;
        self.shared.ctx.active_topics.reset(name).map_err(internal)
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus, HerderError> {
        let status = self.connector_status(name)?;
        let shared = self.shared.clone();
        let record = ConfigRecord::Restart {
            connector: name.to_string(),
            include_tasks,
            only_failed,
        };
        // Restart requests may come from any worker; every worker restarts what it runs.
        tokio::task::spawn_blocking(move || shared.write(&[record]))
            .await
            .map_err(internal)?
            .map_err(HerderError::Internal)?;
        Ok(status)
    }

    async fn restart_task(&self, name: &str, task: u32) -> Result<(), HerderError> {
        let work = Work::Task {
            connector: name.to_string(),
            task,
        };
        let (local, owner) = {
            let view = self.shared.view();
            let entry = view
                .config
                .connectors
                .get(name)
                .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
            if usize::try_from(task).map_or(true, |t| t >= entry.tasks.len()) {
                return Err(HerderError::TaskNotFound {
                    connector: name.to_string(),
                    task,
                });
            }
            (
                view.tasks.contains_key(&(name.to_string(), task)),
                view.owners.get(&work).cloned(),
            )
        };
        if local {
            let shared = self.shared.clone();
            return tokio::task::spawn_blocking(move || {
                restart_local(&shared, &work);
                Ok(())
            })
            .await
            .map_err(internal)?;
        }
        let Some((_, url)) = owner else {
            return Err(no_leader());
        };
        self.forward(
            url,
            "POST",
            format!("/connectors/{}/tasks/{task}/restart", segment(name)),
            None,
        )
        .await
        .map(|_| ())
    }

    fn plugins(&self, tenant: Option<&str>, connectors_only: bool) -> Vec<PluginInfo> {
        catalog::plugins(&self.shared.ctx, tenant, connectors_only)
    }

    fn plugin_config(
        &self,
        tenant: Option<&str>,
        plugin: &str,
    ) -> Result<Vec<ConfigKeyInfo>, HerderError> {
        catalog::plugin_config(&self.shared.ctx, tenant, plugin)
    }

    async fn validate_config(
        &self,
        tenant: Option<&str>,
        plugin: &str,
        config: ConfigMap,
    ) -> Result<ConfigInfos, HerderError> {
        catalog::validate_config(&self.shared.ctx, tenant, plugin, config).await
    }

    fn tenants(&self) -> Arc<TenantDirectory> {
        self.shared.ctx.tenants.clone()
    }

    fn kafka_cluster_id(&self) -> String {
        self.shared.ctx.cluster_id.clone()
    }

    async fn upload_plugin(
        &self,
        tenant: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<(PluginVersionInfo, bool), HerderError> {
        // Any worker may publish: the plugin topic carries it to every worker.
        catalog::upload_plugin(&self.shared.ctx, bytes, tenant).await
    }

    fn plugin_versions(
        &self,
        tenant: Option<&str>,
        name: &str,
    ) -> Result<Vec<PluginVersionInfo>, HerderError> {
        catalog::plugin_versions(&self.shared.ctx, tenant, name)
    }

    async fn delete_plugin_version(
        &self,
        tenant: Option<&str>,
        name: &str,
        version: &str,
    ) -> Result<(), HerderError> {
        let configs: Vec<(String, ConfigMap)> = self
            .shared
            .view()
            .config
            .connectors
            .iter()
            .map(|(n, e)| (n.clone(), e.config.clone()))
            .collect();
        catalog::delete_plugin_version(&self.shared.ctx, tenant, name, version, configs).await
    }

    async fn put_tenant(&self, tenant: Tenant) -> Result<bool, HerderError> {
        let tenants = self.tenancy_on()?;
        let mut problems = tenant.problems();
        // Prefixes may not reach the cluster's internal topics, Kafka's (`__…`), or another
        // tenant's topics.
        for (i, prefix) in tenant.topic_prefixes.iter().enumerate() {
            let field = format!("topic.prefixes[{i}]");
            if prefix.starts_with('_') {
                problems.push((
                    field.clone(),
                    format!("'{prefix}' would reach Kafka's internal topics"),
                ));
            }
            if let Some(internal) = self
                .internal_topics
                .iter()
                .find(|t| t.starts_with(prefix.as_str()))
            {
                problems.push((
                    field.clone(),
                    format!("'{prefix}' would reach the internal topic {internal}"),
                ));
            }
            for other in tenants.tenant_names().iter().filter(|n| **n != tenant.name) {
                if let Some(theirs) = tenants.tenant(other).and_then(|t| {
                    t.topic_prefixes
                        .iter()
                        .find(|p| p.starts_with(prefix.as_str()) || prefix.starts_with(p.as_str()))
                        .cloned()
                }) {
                    problems.push((
                        field.clone(),
                        format!("'{prefix}' overlaps '{theirs}' of another tenant"),
                    ));
                }
            }
        }
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            return Err(HerderError::BadRequest(format!(
                "Invalid tenant: {}",
                list.join("; ")
            )));
        }
        let created = tenants.tenant(&tenant.name).is_none();
        let name = tenant.name.clone();
        let wanted = tenant.clone();
        self.write_and_wait(
            vec![ConfigRecord::Tenant {
                name: name.clone(),
                tenant: Some(tenant),
            }],
            move |t| t.tenant(&name).is_some_and(|t| *t == wanted),
        )
        .await?;
        Ok(created)
    }

    async fn delete_tenant(&self, name: &str) -> Result<(), HerderError> {
        let tenants = self.tenancy_on()?;
        if tenants.tenant(name).is_none() {
            return Err(HerderError::NotFound(format!("Tenant {name} not found")));
        }
        let connectors = self
            .connector_names()
            .into_iter()
            .filter(|c| crate::tenancy::belongs_to(c, name))
            .count();
        let plugins = self
            .shared
            .ctx
            .registry
            .all()
            .iter()
            .filter(|p| p.owner.as_deref() == Some(name))
            .count();
        if connectors > 0 || plugins > 0 {
            return Err(HerderError::Conflict(format!(
                "Tenant {name} still has {connectors} connector(s) and {plugins} plugin version(s); delete them first"
            )));
        }
        let mut records: Vec<ConfigRecord> = tenants
            .keys_of(name)
            .into_iter()
            .map(|k| ConfigRecord::TenantKey {
                tenant: name.to_string(),
                id: k.id,
                record: None,
            })
            .collect();
        records.push(ConfigRecord::Tenant {
            name: name.to_string(),
            tenant: None,
        });
        let owned = name.to_string();
        self.write_and_wait(records, move |t| {
            t.tenant(&owned).is_none() && t.keys_of(&owned).is_empty()
        })
        .await
    }

    async fn create_tenant_key(&self, tenant: &str) -> Result<IssuedKey, HerderError> {
        let tenants = self.tenancy_on()?;
        if tenants.tenant(tenant).is_none() {
            return Err(HerderError::NotFound(format!("Tenant {tenant} not found")));
        }
        let (id, key) = crate::tenancy::new_key();
        let record = KeyRecord {
            id: id.clone(),
            tenant: tenant.to_string(),
            sha256: crate::tenancy::hash_key(&key),
            created: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        };
        let (owned, wanted) = (tenant.to_string(), id.clone());
        self.write_and_wait(
            vec![ConfigRecord::TenantKey {
                tenant: tenant.to_string(),
                id: id.clone(),
                record: Some(record),
            }],
            move |t| t.keys_of(&owned).iter().any(|k| k.id == wanted),
        )
        .await?;
        Ok(IssuedKey { id, key })
    }

    async fn delete_tenant_key(&self, tenant: &str, id: &str) -> Result<(), HerderError> {
        let tenants = self.tenancy_on()?;
        if !tenants.keys_of(tenant).iter().any(|k| k.id == id) {
            return Err(HerderError::NotFound(format!(
                "Key {id} of tenant {tenant} not found"
            )));
        }
        let (owned, wanted) = (tenant.to_string(), id.to_string());
        self.write_and_wait(
            vec![ConfigRecord::TenantKey {
                tenant: tenant.to_string(),
                id: id.to_string(),
                record: None,
            }],
            move |t| !t.keys_of(&owned).iter().any(|k| k.id == wanted),
        )
        .await
    }

    async fn record_audit(&self, entry: AuditEntry) {
        if !self.shared.ctx.tenants.is_enabled() {
            return;
        }
        let shared = self.shared.clone();
        let record = ConfigRecord::Audit {
            id: uuid::Uuid::new_v4().simple().to_string(),
            entry,
        };
        let written = tokio::task::spawn_blocking(move || shared.write(&[record])).await;
        if !matches!(written, Ok(Ok(()))) {
            tracing::error!("cannot write an audit record to the config topic: {written:?}");
        }
    }

    async fn set_cluster_logger_level(&self, logger: &str, level: &str) -> Result<(), HerderError> {
        let shared = self.shared.clone();
        let record = ConfigRecord::LoggerLevel {
            namespace: logger.to_string(),
            level: level.to_string(),
        };
        // Every worker, this one included, applies it when it reads the record.
        tokio::task::spawn_blocking(move || shared.write(&[record]))
            .await
            .map_err(internal)?
            .map_err(HerderError::Internal)
    }
}

impl DistributedHerder {
    /// The tenant directory, or 404 when tenancy is off.
    fn tenancy_on(&self) -> Result<Arc<TenantDirectory>, HerderError> {
        let tenants = self.shared.ctx.tenants.clone();
        if !tenants.is_enabled() {
            return Err(HerderError::NotFound(
                "Tenancy is not enabled on this cluster (set tenancy.enabled=true)".into(),
            ));
        }
        Ok(tenants)
    }

    /// Write `records` to the config topic and wait until this worker's tenant directory
    /// shows `done`.
    async fn write_and_wait(
        &self,
        records: Vec<ConfigRecord>,
        done: impl Fn(&TenantDirectory) -> bool + Send + 'static,
    ) -> Result<(), HerderError> {
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || {
            shared.write(&records).map_err(HerderError::Internal)?;
            let tenants = shared.ctx.tenants.clone();
            shared.wait_for(|_| done(&tenants))
        })
        .await
        .map_err(internal)?
    }

    /// A tenant's connector and task quotas for `name` with `config`, counting every other
    /// connector of the tenant as the config topic has it.
    fn check_quotas(&self, name: &str, config: &ConfigMap) -> Result<(), HerderError> {
        let Some(tenant) = self.shared.ctx.tenants.policy_for_connector(name) else {
            return Ok(());
        };
        let tasks_of = |c: &ConfigMap| -> u64 {
            c.get("tasks.max")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(1)
        };
        let view = self.shared.view();
        let others: Vec<&ConfigMap> = view
            .config
            .connectors
            .iter()
            .filter(|(n, _)| n.as_str() != name && crate::tenancy::belongs_to(n, &tenant.name))
            .map(|(_, e)| &e.config)
            .collect();
        let tasks: u64 = others.iter().map(|c| tasks_of(c)).sum::<u64>() + tasks_of(config);
        crate::tenancy::check_connector_quotas(&tenant, others.len() + 1, tasks)
            .map_err(|e| HerderError::Forbidden(e.to_string()))
    }

    /// Pause, resume or stop: any worker may write a target state. Returns once the record is
    /// in the config topic and this worker has read it.
    async fn set_target_state(&self, name: &str, state: TargetState) -> Result<(), HerderError> {
        self.config_and_target(name)?;
        let shared = self.shared.clone();
        let owned = name.to_string();
        tokio::task::spawn_blocking(move || {
            shared
                .write(&[ConfigRecord::TargetState {
                    connector: owned.clone(),
                    state: Some(state),
                }])
                .map_err(HerderError::Internal)?;
            shared.wait_for(|v| {
                v.config
                    .connectors
                    .get(&owned)
                    .is_none_or(|e| e.target == state)
            })
        })
        .await
        .map_err(internal)?
    }

    /// The connector's config and target state, or 404.
    fn config_and_target(&self, name: &str) -> Result<(ConfigMap, TargetState), HerderError> {
        let view = self.shared.view();
        let entry = view
            .config
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        Ok((entry.config.clone(), entry.target))
    }

    fn plugin_kind(&self, config: &ConfigMap) -> Option<ComponentKind> {
        let owner = catalog::config_owner(&self.shared.ctx, config);
        config
            .get("connector.class")
            .and_then(|c| self.shared.ctx.registry.find_for(owner, c, None))
            .map(|p| p.kind())
    }
}

/// The driver thread: reads the config topic, runs the coordinator, starts and stops work.
struct Driver {
    shared: Arc<Shared>,
    coordinator: Coordinator,
    reader: TopicReader,
    /// Slow actions (starting and stopping work, and the records that must follow them), carried
    /// out in order on their own thread so that this thread keeps reading and heartbeating.
    executor: Option<Executor>,
    started: Instant,
    /// Statuses last written to the status topic, by key.
    published: BTreeMap<String, (ConnectorState, Option<String>)>,
}

impl Driver {
    fn new(shared: Arc<Shared>, coordinator: Coordinator, reader: TopicReader) -> Driver {
        let executor = Executor::start(shared.clone());
        Driver {
            shared,
            coordinator,
            reader,
            executor: Some(executor),
            started: Instant::now(),
            published: BTreeMap::new(),
        }
    }

    fn now(&self) -> u64 {
        millis(self.started.elapsed())
    }

    fn run(mut self, stop: &mpsc::Receiver<()>) {
        let span = tracing::info_span!("herder", worker = %self.shared.worker_id);
        let _enter = span.enter();
        // Replay the config topic up to its end before taking part.
        let ends = match self.reader.end_offsets() {
            Ok(ends) => ends,
            Err(e) => {
                tracing::error!("cannot read the config topic: {e}");
                BTreeMap::new()
            }
        };
        while !self.reader.reached(&ends) {
            if stop.try_recv().is_ok() {
                return;
            }
            self.poll_once(Duration::from_millis(100));
        }
        let now = self.now();
        let actions = self.coordinator.caught_up(now);
        self.execute(actions);
        tracing::info!("caught up with the config topic; joining the cluster");
        let mut last_tick = Instant::now();
        let mut last_publish = Instant::now();
        loop {
            if stop.try_recv().is_ok() {
                break;
            }
            self.poll_once(Duration::from_millis(50));
            if last_tick.elapsed() >= Duration::from_millis(100) {
                last_tick = Instant::now();
                let now = self.now();
                let actions = self.coordinator.tick(now);
                self.execute(actions);
                self.refresh_view();
            }
            if last_publish.elapsed() >= Duration::from_millis(250) {
                last_publish = Instant::now();
                self.publish_statuses();
            }
        }
        tracing::info!("leaving the cluster");
        let actions = self.coordinator.leave();
        self.execute(actions);
        if let Some(executor) = self.executor.take() {
            executor.finish();
        }
        self.publish_statuses();
    }

    fn poll_once(&mut self, timeout: Duration) {
        let record = match self.reader.poll(timeout) {
            Ok(Some(record)) => record,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!("{e}");
                return;
            }
        };
        let parsed = match ConfigRecord::parse(&record.key, record.value.as_deref()) {
            Ok(parsed) => parsed,
            Err(e) => {
                tracing::warn!("skipping config record at offset {}: {e}", record.offset);
                return;
            }
        };
        self.apply(parsed);
    }

    fn apply(&mut self, record: ConfigRecord) {
        let now = self.now();
        if let ConfigRecord::Coordination(c) = &record {
            let actions = self.coordinator.on_record(c, now);
            self.execute(actions);
            self.refresh_view();
            return;
        }
        let (work_changed, work) = {
            let mut view = self.shared.view();
            let changed = view.config.apply(&record);
            (changed, view.config.work())
        };
        if work_changed {
            let actions = self.coordinator.on_work(work, now);
            self.execute(actions);
        }
        self.react_locally(&record);
        self.refresh_view();
    }

    /// Config changes that concern work running here: reconfigure, pause, restart.
    fn react_locally(&mut self, record: &ConfigRecord) {
        match record {
            ConfigRecord::Connector {
                name,
                config: Some(config),
            } => {
                let changed = self
                    .shared
                    .view()
                    .connectors
                    .get(name)
                    .is_some_and(|l| l.config != *config);
                if changed {
                    let work = Work::Connector(name.clone());
                    self.enqueue(Action::Stop(work.clone()));
                    self.enqueue(Action::Start(work));
                }
                // Tasks here run the connector's transforms, converters and plugin versions:
                // restart them on the new config, one after another (offsets are kept).
                let stale: Vec<Work> = self
                    .shared
                    .view()
                    .tasks
                    .iter()
                    .filter(|((c, _), local)| c == name && local.connector_config != *config)
                    .map(|((c, n), _)| Work::Task {
                        connector: c.clone(),
                        task: *n,
                    })
                    .collect();
                for work in stale {
                    self.enqueue(Action::Stop(work.clone()));
                    self.enqueue(Action::Start(work));
                }
            }
            ConfigRecord::Commit { connector, .. } => {
                // Tasks whose committed config changed restart with the new one.
                let stale: Vec<Work> = {
                    let view = self.shared.view();
                    let Some(entry) = view.config.connectors.get(connector) else {
                        return;
                    };
                    view.tasks
                        .iter()
                        .filter(|((c, n), local)| {
                            c == connector
                                && usize::try_from(*n)
                                    .ok()
                                    .and_then(|n| entry.tasks.get(n))
                                    .is_some_and(|cfg| *cfg != local.config)
                        })
                        .map(|((c, n), _)| Work::Task {
                            connector: c.clone(),
                            task: *n,
                        })
                        .collect()
                };
                for work in stale {
                    self.enqueue(Action::Stop(work.clone()));
                    self.enqueue(Action::Start(work));
                }
            }
            ConfigRecord::TargetState { connector, state } => {
                // A STOPPED connector's work is revoked by the coordinator.
                if *state == Some(TargetState::Stopped) {
                    return;
                }
                let paused = *state == Some(TargetState::Paused);
                let view = self.shared.view();
                for ((c, _), task) in view.tasks.iter() {
                    if c == connector {
                        task.running.control.set_paused(paused);
                    }
                }
                if let Some(local) = view.connectors.get(connector)
                    && local.status.get().0 != ConnectorState::Failed
                {
                    local.status.set(if paused {
                        ConnectorState::Paused
                    } else {
                        ConnectorState::Running
                    });
                }
            }
            ConfigRecord::Restart {
                connector,
                include_tasks,
                only_failed,
            } => {
                let failed = |s: &StatusCell| s.get().0 == ConnectorState::Failed;
                let mut restart = Vec::new();
                {
                    let view = self.shared.view();
                    if let Some(local) = view.connectors.get(connector)
                        && (!only_failed || failed(&local.status))
                    {
                        restart.push(Work::Connector(connector.clone()));
                    }
                    if *include_tasks {
                        for ((c, n), task) in &view.tasks {
                            if c == connector && (!only_failed || failed(&task.running.status)) {
                                restart.push(Work::Task {
                                    connector: c.clone(),
                                    task: *n,
                                });
                            }
                        }
                    }
                }
                for work in restart {
                    self.enqueue(Action::Stop(work.clone()));
                    self.enqueue(Action::Start(work));
                }
            }
            ConfigRecord::LoggerLevel { namespace, level } => {
                if let Err(e) = crate::logging::levels().set(namespace, level) {
                    tracing::warn!(logger = %namespace, "cannot apply the cluster log level: {e}");
                }
            }
            ConfigRecord::Tenant { name, tenant } => {
                self.shared.ctx.tenants.apply_tenant(name, tenant.clone());
                // Running work keeps the policy it started with: restart the tenant's
                // connectors and tasks here so a changed policy applies at once.
                let mut restart = Vec::new();
                {
                    let view = self.shared.view();
                    let owned = |c: &str| crate::tenancy::belongs_to(c, name);
                    for connector in view.connectors.keys().filter(|c| owned(c)) {
                        restart.push(Work::Connector(connector.clone()));
                    }
                    for (c, n) in view.tasks.keys().filter(|(c, _)| owned(c)) {
                        restart.push(Work::Task {
                            connector: c.clone(),
                            task: *n,
                        });
                    }
                }
                for work in restart {
                    self.enqueue(Action::Stop(work.clone()));
                    self.enqueue(Action::Start(work));
                }
            }
            ConfigRecord::TenantKey { tenant, id, record } => {
                self.shared
                    .ctx
                    .tenants
                    .apply_key(tenant, id, record.clone());
            }
            ConfigRecord::Audit { entry, .. } => {
                self.shared.ctx.tenants.apply_audit(entry.clone());
            }
            _ => {}
        }
    }

    fn refresh_view(&mut self) {
        let mut view = self.shared.view();
        view.leader = self
            .coordinator
            .leader()
            .map(|(id, url)| (id.clone(), url.to_string()));
        // Owners change only with a newly accepted assignment, i.e. a new generation.
        if view.generation == self.coordinator.generation() {
            return;
        }
        view.generation = self.coordinator.generation();
        view.owners = self
            .coordinator
            .assignment()
            .map(|a| {
                a.work
                    .iter()
                    .flat_map(|(worker, items)| {
                        let url = a
                            .members
                            .get(worker)
                            .map(|m| m.url.clone())
                            .unwrap_or_default();
                        items
                            .iter()
                            .map(move |w| (w.clone(), (worker.clone(), url.clone())))
                    })
                    .collect()
            })
            .unwrap_or_default();
    }

    /// Heartbeats and proposals are written at once; starts, stops and what follows them (a
    /// release after stops) go to the executor, in order.
    fn execute(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Write(
                    record @ (CoordinationRecord::Heartbeat { .. }
                    | CoordinationRecord::Assignment(_)),
                ) => {
                    if let Err(e) = self.shared.write(&[ConfigRecord::Coordination(record)]) {
                        tracing::warn!("cannot write a coordination record: {e}");
                    }
                }
                other => self.enqueue(other),
            }
        }
    }

    fn enqueue(&mut self, action: Action) {
        if let Action::Start(work) = &action {
            tracing::info!(
                ?work,
                generation = self.coordinator.generation(),
                "starting"
            );
        }
        if let Some(executor) = &self.executor {
            executor.submit(action);
        }
    }

    /// Write the statuses of work running here that changed since last time.
    fn publish_statuses(&mut self) {
        let generation = self.coordinator.generation();
        let current: BTreeMap<String, (ConnectorState, Option<String>)> = {
            let view = self.shared.view();
            view.connectors
                .iter()
                .map(|(c, l)| (connector_key(c), l.status.get()))
                .chain(
                    view.tasks
                        .iter()
                        .map(|((c, n), t)| (task_key(c, *n), t.running.status.get())),
                )
                .collect()
        };
        let changed: Vec<(String, Option<StatusValue>)> = current
            .iter()
            .filter(|(k, v)| self.published.get(*k) != Some(*v))
            .map(|(k, (state, trace))| {
                (
                    k.clone(),
                    Some(StatusValue {
                        state: state.name().to_string(),
                        trace: trace.clone(),
                        worker_id: self.shared.worker_id.clone(),
                        generation,
                    }),
                )
            })
            .collect();
        if changed.is_empty() {
            return;
        }
        match self.shared.status.put(changed) {
            Ok(()) => self.published = current,
            Err(e) => tracing::warn!("cannot write statuses: {e}"),
        }
    }
}

/// Runs slow actions in order on a thread of their own.
struct Executor {
    queue: mpsc::Sender<Action>,
    thread: std::thread::JoinHandle<()>,
}

impl Executor {
    fn start(shared: Arc<Shared>) -> Executor {
        let (queue, actions) = mpsc::channel::<Action>();
        let span = tracing::info_span!("herder", worker = %shared.worker_id);
        let thread = std::thread::spawn(move || {
            let _enter = span.enter();
            for action in actions {
                match action {
                    Action::Start(work) => start_local(&shared, &work),
                    Action::Stop(work) => {
                        tracing::info!(?work, "stopping");
                        stop_local(&shared, &work);
                    }
                    Action::Write(record) => {
                        if let Err(e) = shared.write(&[ConfigRecord::Coordination(record)]) {
                            tracing::warn!("cannot write a coordination record: {e}");
                        }
                    }
                }
            }
        });
        Executor { queue, thread }
    }

    fn submit(&self, action: Action) {
        if self.queue.send(action).is_err() {
            tracing::error!("the herder's executor thread has stopped");
        }
    }

    /// Carry out everything queued, then stop.
    fn finish(self) {
        drop(self.queue);
        let _ = self.thread.join();
    }
}

/// Start `work` on this worker (a failure to start is a FAILED status, not an error).
fn start_local(shared: &Arc<Shared>, work: &Work) {
    let ctx = &shared.ctx;
    let name = work.connector();
    let (config, target, task_config) = {
        let view = shared.view();
        let Some(entry) = view.config.connectors.get(name) else {
            return;
        };
        let task_config = match work {
            Work::Task { task, .. } => usize::try_from(*task)
                .ok()
                .and_then(|t| entry.tasks.get(t))
                .cloned(),
            Work::Connector(_) => None,
        };
        (entry.config.clone(), entry.target, task_config)
    };
    let paused = target == TargetState::Paused;
    let prepared = shared.prepared(name, &config);
    match work {
        Work::Connector(name) => {
            let status = StatusCell::new();
            let mut local = LocalConnector {
                instance: None,
                status: status.clone(),
                config: config.clone(),
            };
            let span = tracing::info_span!("connector", connector = %name);
            let _enter = span.enter();
            match prepared
                .map_err(|e| e.to_string())
                .and_then(|p| p.start_with_task_configs(ctx).map_err(|e| e.to_string()))
            {
                Ok((instance, task_configs)) => {
                    local.instance = Some(instance);
                    status.set(if paused {
                        ConnectorState::Paused
                    } else {
                        ConnectorState::Running
                    });
                    publish_task_configs(shared, name, task_configs);
                }
                Err(e) => {
                    tracing::error!("connector failed to start: {e}");
                    status.fail(format!("connector failed to start: {e}"));
                }
            }
            shared.view().connectors.insert(name.clone(), local);
        }
        Work::Task { connector, task } => {
            let Some(task_config) = task_config else {
                return;
            };
            let is_source = prepared
                .as_ref()
                .is_ok_and(|p| p.kind() == ComponentKind::Source);
            if is_source && let Err(e) = shared.offsets.sync() {
                tracing::warn!(
                    "cannot catch up with the offset topic before starting {connector}-{task}: {e}"
                );
            }
            let running = match prepared.and_then(|p| {
                let converters = p.converters(ctx).map_err(HerderError::Internal)?;
                let setup = p.task_setup(ctx, *task, task_config.clone(), &converters);
                Ok(spawn_task(setup, paused, p.kind()))
            }) {
                Ok(running) => running,
                Err(e) => {
                    let status = StatusCell::new();
                    status.fail(format!("task failed to start: {e}"));
                    RunningTask {
                        id: *task,
                        config: task_config.clone(),
                        status,
                        control: Arc::default(),
                        thread: None,
                    }
                }
            };
            shared.view().tasks.insert(
                (connector.clone(), *task),
                LocalTask {
                    running,
                    config: task_config,
                    connector_config: config,
                },
            );
        }
    }
}

/// Stop `work` if it runs here, waiting up to `task.shutdown.graceful.timeout.ms`.
fn stop_local(shared: &Arc<Shared>, work: &Work) {
    let timeout = shared.ctx.config.task_shutdown_graceful_timeout;
    match work {
        Work::Connector(name) => {
            let local = shared.view().connectors.remove(name);
            if let Some(mut local) = local
                && let Some(mut instance) = local.instance.take()
                && let Err(e) = instance.stop()
            {
                tracing::warn!(connector = %name, "connector stop failed: {e}");
            }
        }
        Work::Task { connector, task } => {
            let local = shared.view().tasks.remove(&(connector.clone(), *task));
            if let Some(mut local) = local {
                stop_tasks(connector, std::slice::from_mut(&mut local.running), timeout);
            }
        }
    }
}

fn restart_local(shared: &Arc<Shared>, work: &Work) {
    stop_local(shared, work);
    start_local(shared, work);
}

/// Write the connector's task configs when they differ from the committed ones (Kafka's
/// `task-<c>-<n>` records followed by `commit-<c>`).
fn publish_task_configs(shared: &Arc<Shared>, name: &str, configs: Vec<ConfigMap>) {
    let same = shared
        .view()
        .config
        .connectors
        .get(name)
        .is_some_and(|e| e.tasks == configs);
    if same {
        return;
    }
    let mut records: Vec<ConfigRecord> = configs
        .iter()
        .enumerate()
        .map(|(n, config)| ConfigRecord::Task {
            connector: name.to_string(),
            task: u32::try_from(n).unwrap_or(u32::MAX),
            config: Some(config.clone()),
        })
        .collect();
    records.push(ConfigRecord::Commit {
        connector: name.to_string(),
        tasks: u32::try_from(configs.len()).unwrap_or(u32::MAX),
    });
    match shared.write(&records) {
        Ok(()) => tracing::info!(
            connector = name,
            tasks = configs.len(),
            "wrote task configs"
        ),
        Err(e) => tracing::error!(connector = name, "cannot write task configs: {e}"),
    }
}
