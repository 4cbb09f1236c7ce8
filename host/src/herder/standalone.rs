//! The standalone herder: every connector and task of this worker, in this process.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::prepare::PreparedConnector;
use super::running::{RunningTask, spawn_task, stop_tasks};
use super::validation::{Validated, validate};
use super::{
    ConfigMap, ConnectorInfo, ConnectorOffsets, ConnectorState, ConnectorStatus, ConnectorTaskId,
    ConnectorType, Herder, HerderError, PluginInfo, PluginVersionInfo, StateInfo, StatusCell,
    TaskInfo, TaskStateInfo, WorkerContext,
};
use super::{TargetState, catalog, offsets};
use crate::config::{ConfigInfos, ConfigKeyInfo};
use crate::runtime::{ComponentKind, ConnectorInstance};
use crate::tenancy::TenantDirectory;

struct ConnectorEntry {
    config: ConfigMap,
    kind: Option<ComponentKind>,
    status: StatusCell,
    target: TargetState,
    tasks: Vec<RunningTask>,
    instance: Option<ConnectorInstance>,
}

/// Runs connectors and tasks in this process (`connect-standalone`).
pub struct StandaloneHerder {
    ctx: Arc<WorkerContext>,
    connectors: Arc<Mutex<BTreeMap<String, ConnectorEntry>>>,
    /// Held while a connector is created, replaced, stopped, started or deleted, by the blocking
    /// work itself: changes happen one at a time, and finish even if the request is dropped.
    lifecycle: Arc<tokio::sync::Mutex<()>>,
}

type Connectors = Mutex<BTreeMap<String, ConnectorEntry>>;

fn lock_map(connectors: &Connectors) -> MutexGuard<'_, BTreeMap<String, ConnectorEntry>> {
    match connectors.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn internal(e: impl std::fmt::Display) -> HerderError {
    HerderError::Internal(e.to_string())
}

impl StandaloneHerder {
    /// A herder with no connectors.
    pub fn new(ctx: Arc<WorkerContext>) -> StandaloneHerder {
        StandaloneHerder {
            ctx,
            connectors: Arc::new(Mutex::new(BTreeMap::new())),
            lifecycle: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, ConnectorEntry>> {
        lock_map(&self.connectors)
    }

    fn worker_id(&self) -> String {
        self.ctx.config.worker_id.clone()
    }

    /// Stop every connector gracefully (flush and commit), within the graceful timeout.
    pub async fn shutdown(&self) {
        let entries: Vec<(String, ConnectorEntry)> =
            std::mem::take(&mut *self.lock()).into_iter().collect();
        let timeout = self.ctx.config.task_shutdown_graceful_timeout;
        let _ = tokio::task::spawn_blocking(move || {
            for (name, entry) in entries {
                stop_connector(&name, entry, timeout);
            }
        })
        .await;
    }

    fn state_info(&self, status: &StatusCell) -> StateInfo {
        let (state, trace) = status.get();
        StateInfo {
            state,
            worker_id: self.worker_id(),
            trace,
        }
    }

    fn status_of(&self, name: &str, entry: &ConnectorEntry) -> ConnectorStatus {
        ConnectorStatus {
            name: name.to_string(),
            connector: self.state_info(&entry.status),
            tasks: entry
                .tasks
                .iter()
                .map(|t| TaskStateInfo {
                    id: t.id,
                    state: self.state_info(&t.status),
                })
                .collect(),
            connector_type: ConnectorType::from_kind(entry.kind),
        }
    }

    fn info_of(name: &str, entry: &ConnectorEntry) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_string(),
            config: entry.config.clone(),
            tasks: entry
                .tasks
                .iter()
                .map(|t| ConnectorTaskId {
                    connector: name.to_string(),
                    task: t.id,
                })
                .collect(),
            connector_type: ConnectorType::from_kind(entry.kind),
        }
    }
}

/// Signal every task to stop, wait up to `timeout` in total, then stop the connector instance.
fn stop_connector(name: &str, mut entry: ConnectorEntry, timeout: Duration) {
    stop_tasks(name, &mut entry.tasks, timeout);
    if let Some(mut instance) = entry.instance.take()
        && let Err(e) = instance.stop()
    {
        tracing::warn!(connector = name, "connector stop failed: {e}");
    }
}

/// Start a validated connector: instance, `start`, `task-configs`, one thread per task. A
/// connector that fails to start is kept, FAILED, so that its status says why; a STOPPED one is
/// kept without starting anything.
fn start_connector(
    ctx: &Arc<WorkerContext>,
    name: &str,
    config: ConfigMap,
    v: Validated,
    target: TargetState,
) -> ConnectorEntry {
    let status = StatusCell::new();
    let mut entry = ConnectorEntry {
        config: config.clone(),
        kind: v.plugin.as_ref().map(|p| p.kind()),
        status: status.clone(),
        target,
        tasks: Vec::new(),
        instance: None,
    };
    if target == TargetState::Stopped {
        status.set(ConnectorState::Stopped);
        tracing::info!(connector = name, "connector stopped");
        return entry;
    }
    let paused = target == TargetState::Paused;
    let prepared = match PreparedConnector::from_validated(v, &config) {
        Ok(prepared) => prepared,
        Err(e) => {
            status.fail(format!("connector configuration is invalid: {e}"));
            return entry;
        }
    };
    let span = tracing::info_span!("connector", connector = name);
    let _enter = span.enter();
    let (instance, task_configs) = match prepared.start_with_task_configs(ctx) {
        Ok(ok) => ok,
        Err(e) => {
            tracing::error!("connector failed to start: {e}");
            status.fail(format!("connector failed to start: {e}"));
            return entry;
        }
    };
    let converters = match prepared.converters(ctx) {
        Ok(c) => c,
        Err(e) => {
            status.fail(format!("cannot create converter: {e}"));
            return entry;
        }
    };
    entry.instance = Some(instance);
    status.set(if paused {
        ConnectorState::Paused
    } else {
        ConnectorState::Running
    });
    tracing::info!(tasks = task_configs.len(), "connector started");
    for (id, task_config) in task_configs.into_iter().enumerate() {
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        let setup = prepared.task_setup(ctx, id, task_config, &converters);
        entry.tasks.push(spawn_task(setup, paused, prepared.kind()));
    }
    entry
}

impl StandaloneHerder {
    /// Validate and start a connector given as a config map (used for the files on the command
    /// line); fails when the config is invalid.
    pub async fn add_connector(&self, config: ConfigMap) -> Result<ConnectorInfo, HerderError> {
        let name = config.get("name").cloned().unwrap_or_default();
        self.put_connector_config(&name, config, false, None)
            .await
            .map(|(_, info)| info)
    }
}

impl Herder for StandaloneHerder {
    fn connector_names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
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
        let exists = self.lock().contains_key(name);
        if exists && !allow_replace {
            return Err(HerderError::AlreadyExists(name.to_string()));
        }
        let ctx = self.ctx.clone();
        let checked = config.clone();
        let validated = tokio::task::spawn_blocking(move || validate(&ctx, &checked, None))
            .await
            .map_err(internal)?;
        if validated.infos.error_count > 0 {
            return Err(HerderError::InvalidConfig(Box::new(validated.infos)));
        }
        let guard = self.lifecycle.clone().lock_owned().await;
        let created = !self.lock().contains_key(name);
        if !created && !allow_replace {
            return Err(HerderError::AlreadyExists(name.to_string()));
        }
        let ctx = self.ctx.clone();
        let timeout = self.ctx.config.task_shutdown_graceful_timeout;
        let owned_name = name.to_string();
        let connectors = self.connectors.clone();
        tokio::task::spawn_blocking(move || {
            let _guard = guard;
            let old = lock_map(&connectors).remove(&owned_name);
            let target = old
                .as_ref()
                .map_or(initial_state.unwrap_or_default(), |o| o.target);
            if let Some(old) = old {
                stop_connector(&owned_name, old, timeout);
            }
            let entry = start_connector(&ctx, &owned_name, config, validated, target);
            let info = Self::info_of(&owned_name, &entry);
            lock_map(&connectors).insert(owned_name, entry);
            (created, info)
        })
        .await
        .map_err(internal)
    }

    fn connector_info(&self, name: &str) -> Result<ConnectorInfo, HerderError> {
        let connectors = self.lock();
        let entry = connectors
            .get(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        Ok(Self::info_of(name, entry))
    }

    fn connector_config(&self, name: &str) -> Result<ConfigMap, HerderError> {
        self.connector_info(name).map(|i| i.config)
    }

    fn connector_status(&self, name: &str) -> Result<ConnectorStatus, HerderError> {
        let connectors = self.lock();
        let entry = connectors
            .get(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        Ok(self.status_of(name, entry))
    }

    fn task_status(&self, name: &str, task: u32) -> Result<TaskStateInfo, HerderError> {
        let status = self.connector_status(name)?;
        status
            .tasks
            .into_iter()
            .find(|t| t.id == task)
            .ok_or_else(|| HerderError::TaskNotFound {
                connector: name.to_string(),
                task,
            })
    }

    fn task_configs(&self, name: &str) -> Result<Vec<TaskInfo>, HerderError> {
        let connectors = self.lock();
        let entry = connectors
            .get(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        Ok(entry
            .tasks
            .iter()
            .map(|t| TaskInfo {
                id: ConnectorTaskId {
                    connector: name.to_string(),
                    task: t.id,
                },
                config: t.config.clone(),
            })
            .collect())
    }

    async fn delete_connector(&self, name: &str) -> Result<(), HerderError> {
        let guard = self.lifecycle.clone().lock_owned().await;
        let entry = self
            .lock()
            .remove(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        let timeout = self.ctx.config.task_shutdown_graceful_timeout;
        let owned = name.to_string();
        tokio::task::spawn_blocking(move || {
            let _guard = guard;
            stop_connector(&owned, entry, timeout);
        })
        .await
        .map_err(internal)?;
        tracing::info!(connector = name, "connector deleted");
        Ok(())
    }

    async fn pause_connector(&self, name: &str) -> Result<(), HerderError> {
        self.set_target_state(name, TargetState::Paused).await
    }

    async fn resume_connector(&self, name: &str) -> Result<(), HerderError> {
        self.set_target_state(name, TargetState::Started).await
    }

    async fn stop_connector(&self, name: &str) -> Result<(), HerderError> {
        self.set_target_state(name, TargetState::Stopped).await
    }

    async fn connector_offsets(&self, name: &str) -> Result<ConnectorOffsets, HerderError> {
        let (config, kind) = self.config_and_kind(name)?;
        offsets::read(&self.ctx, name, config, kind).await
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        changes: Option<ConnectorOffsets>,
    ) -> Result<String, HerderError> {
        let (config, kind) = self.config_and_kind(name)?;
        let target = self
            .lock()
            .get(name)
            .map_or(TargetState::Started, |e| e.target);
        offsets::alter(&self.ctx, name, config, kind, target, changes).await
    }

    fn connector_topics(&self, name: &str) -> Result<Vec<String>, HerderError> {
        self.config_and_kind(name)?;
        Ok(self.ctx.active_topics.topics(name))
    }

    fn reset_connector_topics(&self, name: &str) -> Result<(), HerderError> {
        self.config_and_kind(name)?;
        self.ctx.active_topics.reset(name).map_err(internal)
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus, HerderError> {
        let (restart_connector, restart_tasks, config) = {
            let connectors = self.lock();
            let entry = connectors
                .get(name)
                .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
            let failed = |s: &StatusCell| s.get().0 == ConnectorState::Failed;
            let restart_connector = !only_failed || failed(&entry.status);
            let restart_tasks: Vec<u32> = if include_tasks {
                entry
                    .tasks
                    .iter()
                    .filter(|t| !only_failed || failed(&t.status))
                    .map(|t| t.id)
                    .collect()
            } else {
                Vec::new()
            };
            if entry.target == TargetState::Stopped {
                // Nothing runs: there is nothing to restart.
                return Ok(self.status_of(name, entry));
            }
            if restart_connector {
                entry.status.set(ConnectorState::Restarting);
            }
            for t in entry.tasks.iter().filter(|t| restart_tasks.contains(&t.id)) {
                t.status.set(ConnectorState::Restarting);
            }
            (restart_connector, restart_tasks, entry.config.clone())
        };
        let status = self.connector_status(name)?;
        if restart_connector && include_tasks && !only_failed {
            // The connector and all its tasks: a fresh start from the same config.
            self.put_connector_config(name, config, true, None).await?;
            return Ok(status);
        }
        if restart_connector {
            self.restart_connector_instance(name).await?;
        }
        for task in restart_tasks {
            self.restart_task(name, task).await?;
        }
        Ok(status)
    }

    async fn restart_task(&self, name: &str, task: u32) -> Result<(), HerderError> {
        let (old, setup_source) = {
            let mut connectors = self.lock();
            let entry = connectors
                .get_mut(name)
                .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
            let index = entry
                .tasks
                .iter()
                .position(|t| t.id == task)
                .ok_or_else(|| HerderError::TaskNotFound {
                    connector: name.to_string(),
                    task,
                })?;
            let old = RunningTask {
                id: task,
                config: entry.tasks[index].config.clone(),
                status: entry.tasks[index].status.clone(),
                control: entry.tasks[index].control.clone(),
                thread: entry.tasks[index].thread.take(),
            };
            (
                old,
                (entry.config.clone(), entry.target == TargetState::Paused),
            )
        };
        let ctx = self.ctx.clone();
        let timeout = self.ctx.config.task_shutdown_graceful_timeout;
        let owned = name.to_string();
        let (config, paused) = setup_source;
        let new_task = tokio::task::spawn_blocking(move || -> Result<RunningTask, HerderError> {
            let mut old = old;
            old.status.set(ConnectorState::Restarting);
            stop_tasks(&owned, std::slice::from_mut(&mut old), timeout);
            let prepared = PreparedConnector::prepare(&ctx, &config)?;
            let converters = prepared.converters(&ctx).map_err(HerderError::Internal)?;
            let setup = prepared.task_setup(&ctx, task, old.config.clone(), &converters);
            Ok(spawn_task(setup, paused, prepared.kind()))
        })
        .await
        .map_err(internal)??;
        let mut connectors = self.lock();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        match entry.tasks.iter_mut().find(|t| t.id == task) {
            Some(slot) => *slot = new_task,
            None => entry.tasks.push(new_task),
        }
        Ok(())
    }

    fn plugins(&self, tenant: Option<&str>, connectors_only: bool) -> Vec<PluginInfo> {
        catalog::plugins(&self.ctx, tenant, connectors_only)
    }

    fn plugin_config(
        &self,
        tenant: Option<&str>,
        plugin: &str,
    ) -> Result<Vec<ConfigKeyInfo>, HerderError> {
        catalog::plugin_config(&self.ctx, tenant, plugin)
    }

    async fn validate_config(
        &self,
        tenant: Option<&str>,
        plugin: &str,
        config: ConfigMap,
    ) -> Result<ConfigInfos, HerderError> {
        catalog::validate_config(&self.ctx, tenant, plugin, config).await
    }

    fn tenants(&self) -> Arc<TenantDirectory> {
        self.ctx.tenants.clone()
    }

    fn kafka_cluster_id(&self) -> String {
        self.ctx.cluster_id.clone()
    }

    async fn upload_plugin(
        &self,
        tenant: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<(PluginVersionInfo, bool), HerderError> {
        catalog::upload_plugin(&self.ctx, bytes, tenant).await
    }

    fn plugin_versions(
        &self,
        tenant: Option<&str>,
        name: &str,
    ) -> Result<Vec<PluginVersionInfo>, HerderError> {
        catalog::plugin_versions(&self.ctx, tenant, name)
    }

    async fn delete_plugin_version(
        &self,
        tenant: Option<&str>,
        name: &str,
        version: &str,
    ) -> Result<(), HerderError> {
        let configs: Vec<(String, ConfigMap)> = self
            .lock()
            .iter()
            .map(|(n, e)| (n.clone(), e.config.clone()))
            .collect();
        catalog::delete_plugin_version(&self.ctx, tenant, name, version, configs).await
    }
}

impl StandaloneHerder {
    /// The connector's config and plugin kind, or 404.
    fn config_and_kind(
        &self,
        name: &str,
    ) -> Result<(ConfigMap, Option<ComponentKind>), HerderError> {
        let connectors = self.lock();
        let entry = connectors
            .get(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        Ok((entry.config.clone(), entry.kind))
    }

    /// Pause, resume or stop. Pausing and resuming a running connector signals its tasks; a
    /// stop stops them and the connector; leaving STOPPED starts everything again.
    async fn set_target_state(&self, name: &str, target: TargetState) -> Result<(), HerderError> {
        let guard = self.lifecycle.clone().lock_owned().await;
        let config = {
            let mut connectors = self.lock();
            let entry = connectors
                .get_mut(name)
                .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
            let before = entry.target;
            if before == target {
                return Ok(());
            }
            if before != TargetState::Stopped && target != TargetState::Stopped {
                entry.target = target;
                let paused = target == TargetState::Paused;
                if entry.status.get().0 != ConnectorState::Failed {
                    entry.status.set(target.running_state());
                }
                for task in &entry.tasks {
                    task.control.set_paused(paused);
                }
                tracing::info!(connector = name, paused, "connector target state changed");
                return Ok(());
            }
            entry.config.clone()
        };
        // Into or out of STOPPED: stop everything, then start again in the new target state.
        let ctx = self.ctx.clone();
        let timeout = self.ctx.config.task_shutdown_graceful_timeout;
        let owned = name.to_string();
        let connectors = self.connectors.clone();
        tokio::task::spawn_blocking(move || {
            let _guard = guard;
            let Some(old) = lock_map(&connectors).remove(&owned) else {
                return;
            };
            stop_connector(&owned, old, timeout);
            let validated = validate(&ctx, &config, None);
            let entry = start_connector(&ctx, &owned, config, validated, target);
            lock_map(&connectors).insert(owned, entry);
        })
        .await
        .map_err(internal)
    }

    async fn restart_connector_instance(&self, name: &str) -> Result<(), HerderError> {
        let (config, old_instance) = {
            let mut connectors = self.lock();
            let entry = connectors
                .get_mut(name)
                .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
            (entry.config.clone(), entry.instance.take())
        };
        let ctx = self.ctx.clone();
        let result = tokio::task::spawn_blocking(move || -> Result<ConnectorInstance, String> {
            if let Some(mut old) = old_instance {
                let _ = old.stop();
            }
            let prepared = PreparedConnector::prepare(&ctx, &config).map_err(|e| e.to_string())?;
            prepared.start_instance(&ctx).map_err(|e| e.to_string())
        })
        .await
        .map_err(internal)?;
        let mut connectors = self.lock();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        match result {
            Ok(instance) => {
                entry.instance = Some(instance);
                entry.status.set(entry.target.running_state());
            }
            Err(e) => entry.status.fail(format!("connector failed to start: {e}")),
        }
        Ok(())
    }
}
