//! The standalone herder: every connector and task of this worker, in this process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use wasm_connect_data::converter::{Converter, create_converter};

use super::{
    ConfigMap, ConnectorInfo, ConnectorState, ConnectorStatus, ConnectorTaskId, ConnectorType,
    Herder, HerderError, PluginInfo, StateInfo, StatusCell, TaskInfo, TaskStateInfo,
};
use crate::config::connector::sink_config_def;
use crate::config::{
    ConfigDef, ConfigInfos, ConfigKeyDef, ConfigKeyInfo, ConfigType, ConnectorConfig, Importance,
    PathAccess, SandboxSettings, WorkerConfig, connector_config_def, converter_config_def,
};
use crate::offsets::{ConnectorOffsetReader, OffsetBackingStore};
use crate::plugins::{PluginRegistry, RegisteredPlugin};
use crate::runtime::{ComponentKind, ConnectorInstance, Grants, InstanceContext};
use crate::task::{ResolvedTransform, SinkTaskRunner, SourceTaskRunner, TaskControl, TaskSetup};

/// What every herder of a worker shares.
pub struct WorkerContext {
    /// Worker configuration.
    pub config: Arc<WorkerConfig>,
    /// Plugins.
    pub registry: Arc<PluginRegistry>,
    /// Source offsets.
    pub offsets: Arc<dyn OffsetBackingStore>,
    /// Kafka cluster id (for `GET /`).
    pub cluster_id: String,
    /// Runtime handle for async Kafka admin calls from task threads.
    pub tokio: tokio::runtime::Handle,
}

struct RunningTask {
    id: u32,
    config: ConfigMap,
    status: StatusCell,
    control: Arc<TaskControl>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct ConnectorEntry {
    config: ConfigMap,
    kind: Option<ComponentKind>,
    status: StatusCell,
    paused: bool,
    tasks: Vec<RunningTask>,
    instance: Option<ConnectorInstance>,
}

/// Runs connectors and tasks in this process (`connect-standalone`).
pub struct StandaloneHerder {
    ctx: Arc<WorkerContext>,
    connectors: Mutex<BTreeMap<String, ConnectorEntry>>,
}

fn kind_to_type(kind: Option<ComponentKind>) -> ConnectorType {
    match kind {
        Some(ComponentKind::Source) => ConnectorType::Source,
        Some(ComponentKind::Sink) => ConnectorType::Sink,
        _ => ConnectorType::Unknown,
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
            connectors: Mutex::new(BTreeMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, ConnectorEntry>> {
        match self.connectors.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
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
            connector_type: kind_to_type(entry.kind),
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
            connector_type: kind_to_type(entry.kind),
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

fn stop_tasks(name: &str, tasks: &mut [RunningTask], timeout: Duration) {
    for task in tasks.iter() {
        task.control.stop();
    }
    let deadline = Instant::now() + timeout;
    for task in tasks.iter_mut() {
        let Some(thread) = task.thread.take() else {
            continue;
        };
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if thread.is_finished() {
            let _ = thread.join();
        } else {
            tracing::warn!(
                connector = name,
                task = task.id,
                "task did not stop within task.shutdown.graceful.timeout.ms; abandoning it"
            );
        }
    }
}

/// A connector's configuration checked against everything that applies to it.
struct Validated {
    infos: ConfigInfos,
    plugin: Option<Arc<RegisteredPlugin>>,
    parsed: Option<ConnectorConfig>,
    transforms: Vec<ResolvedTransform>,
}

/// Validate like Kafka's `AbstractHerder.validateConnectorConfig`: common keys, sink keys, the
/// plugin's keys, each transform's and predicate's keys under their prefix, and the plugin's
/// own `validate`; every error at once.
fn validate(ctx: &WorkerContext, config: &ConfigMap, plugin_name: Option<&str>) -> Validated {
    let class = plugin_name
        .map(str::to_string)
        .or_else(|| config.get("connector.class").cloned())
        .unwrap_or_default();
    let plugin = ctx
        .registry
        .find(&class)
        .filter(|p| matches!(p.kind(), ComponentKind::Source | ComponentKind::Sink));
    let mut def = connector_config_def();
    let mut extra: Vec<(String, String)> = Vec::new();
    if !class.trim().is_empty() && plugin.is_none() {
        extra.push((
            "connector.class".into(),
            format!("Invalid value {class} for configuration connector.class: Failed to find any class that implements Connector and which name matches {class}"),
        ));
    }
    let is_sink = plugin
        .as_ref()
        .is_some_and(|p| p.kind() == ComponentKind::Sink);
    if is_sink {
        for key in sink_config_def().keys {
            def.define(key);
        }
    }
    if let Some(plugin) = &plugin {
        let group = plugin.name().to_string();
        for (i, key) in plugin.description.config_def.keys.iter().enumerate() {
            let mut key = key.clone();
            key.group.get_or_insert_with(|| group.clone());
            key.order
                .get_or_insert(i32::try_from(i).unwrap_or(i32::MAX));
            def.define(key);
        }
    }
    let mut transforms = Vec::new();
    let parsed = match ConnectorConfig::parse(config, is_sink) {
        Ok(parsed) => Some(parsed),
        Err(errors) => {
            extra.extend(errors);
            None
        }
    };
    if let Some(parsed) = &parsed {
        for spec in &parsed.transforms {
            let prefix = format!("transforms.{}.", spec.alias);
            let group = format!("Transforms: {}", spec.alias);
            let type_key = format!("{prefix}type");
            def.define(
                ConfigKeyDef::new(
                    &type_key,
                    ConfigType::Class,
                    None,
                    Importance::High,
                    "Transform plugin",
                )
                .in_group(&group, -1),
            );
            let Some(tplugin) = ctx
                .registry
                .find(&spec.plugin)
                .filter(|p| p.kind() == ComponentKind::Transform)
            else {
                extra.push((type_key, format!("Invalid value {} for configuration {prefix}type: no transform plugin with this name", spec.plugin)));
                continue;
            };
            def.embed(&prefix, &group, &tplugin.description.config_def);
            let predicate = match &spec.predicate {
                Some(p) => {
                    let pprefix = format!("predicates.{}.", p.alias);
                    match ctx
                        .registry
                        .find(&p.plugin)
                        .filter(|pl| pl.kind() == ComponentKind::Predicate)
                    {
                        Some(pplugin) => {
                            def.embed(
                                &pprefix,
                                &format!("Predicates: {}", p.alias),
                                &pplugin.description.config_def,
                            );
                            Some((p.alias.clone(), pplugin, p.config.clone()))
                        }
                        None => {
                            extra.push((format!("{pprefix}type"), format!("Invalid value {} for configuration {pprefix}type: no predicate plugin with this name", p.plugin)));
                            None
                        }
                    }
                }
                None => None,
            };
            transforms.push(ResolvedTransform {
                alias: spec.alias.clone(),
                plugin: tplugin,
                config: spec.config.clone(),
                predicate,
                negate: spec.negate,
                key_form: ResolvedTransform::is_key_form(&spec.plugin),
            });
        }
        for (i, (k, c)) in [
            ("key.converter", &parsed.key_converter),
            ("value.converter", &parsed.value_converter),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some((class, settings)) = c
                && let Err(e) = create_converter(class, settings, i == 0)
            {
                extra.push((
                    k.to_string(),
                    format!("Invalid value {class} for configuration {k}: {e}"),
                ));
            }
        }
    }
    let mut infos = def.validate(
        plugin.as_ref().map_or(class.as_str(), |p| p.name()),
        config,
        &extra,
    );
    if infos.error_count == 0
        && let Some(plugin) = &plugin
    {
        // The plugin's own cross-field checks (needs an instance; only when the basics pass).
        let ictx = instance_context(
            ctx,
            config,
            "validate",
            &SandboxSettings::default(),
            Grants::default(),
        );
        match ConnectorInstance::new(plugin.loaded.clone(), &ictx)
            .and_then(|mut c| c.validate(config))
        {
            Ok(errors) if !errors.is_empty() => {
                infos = def.validate(plugin.name(), config, &errors)
            }
            Ok(_) => {}
            Err(e) => {
                infos = def.validate(
                    plugin.name(),
                    config,
                    &[(
                        "connector.class".into(),
                        format!("plugin validation failed: {e}"),
                    )],
                )
            }
        }
    }
    Validated {
        infos,
        plugin,
        parsed,
        transforms,
    }
}

fn instance_context(
    ctx: &WorkerContext,
    config: &ConfigMap,
    role: &str,
    sandbox: &SandboxSettings,
    grants: Grants,
) -> InstanceContext {
    InstanceContext {
        connector: config.get("name").cloned().unwrap_or_default(),
        role: role.to_string(),
        grants,
        memory_max_bytes: if sandbox.memory_max_bytes == 0 {
            crate::config::connector::DEFAULT_MEMORY_MAX_BYTES
        } else {
            sandbox.memory_max_bytes
        },
        call_timeout: Duration::from_millis(if sandbox.call_timeout_ms == 0 {
            crate::config::connector::DEFAULT_CALL_TIMEOUT_MS
        } else {
            sandbox.call_timeout_ms
        }),
        offsets: Some(Arc::new(ConnectorOffsetReader {
            store: ctx.offsets.clone(),
            connector: config.get("name").cloned().unwrap_or_default(),
        })),
    }
}

fn absolute(path: &str) -> PathBuf {
    let p = Path::new(path.trim());
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// Grants from path-valued keys of `def` (their values made absolute in `config`) and from the
/// explicit `wasm.*` settings.
fn grants_for(
    def: &ConfigDef,
    prefix: &str,
    config: &mut ConfigMap,
    sandbox: &SandboxSettings,
) -> Grants {
    let mut grants = Grants::default();
    let mut grant = |dir: PathBuf, writable: bool| {
        let guest = dir.to_string_lossy().to_string();
        match grants.dirs.iter_mut().find(|(h, _, _)| *h == dir) {
            Some(existing) => existing.2 |= writable,
            None => grants.dirs.push((dir, guest, writable)),
        }
    };
    for key in def
        .keys
        .iter()
        .filter(|k| k.path_access != PathAccess::None)
    {
        let name = format!("{prefix}{}", key.name);
        let Some(value) = config.get(&name).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let path = absolute(value);
        config.insert(name, path.to_string_lossy().to_string());
        let parent = || {
            path.parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("/"))
        };
        match key.path_access {
            PathAccess::ReadFile => grant(parent(), false),
            PathAccess::WriteFile => grant(parent(), true),
            PathAccess::ReadDir => grant(path.clone(), false),
            PathAccess::WriteDir => grant(path.clone(), true),
            PathAccess::None => {}
        }
    }
    for dir in &sandbox.read_dirs {
        grant(absolute(&dir.to_string_lossy()), false);
    }
    for dir in &sandbox.write_dirs {
        grant(absolute(&dir.to_string_lossy()), true);
    }
    grants.env = sandbox
        .env_vars
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| (k.clone(), v)))
        .collect();
    grants
}

fn converter(
    connector: &Option<(String, BTreeMap<String, String>)>,
    worker: &(String, BTreeMap<String, String>),
    is_key: bool,
) -> Result<Arc<dyn Converter>, String> {
    let (class, settings) = connector.as_ref().unwrap_or(worker);
    create_converter(class, settings, is_key)
        .map(Arc::from)
        .map_err(|e| e.to_string())
}

/// Start a validated connector: instance, `start`, `task-configs`, one thread per task.
fn start_connector(
    ctx: &Arc<WorkerContext>,
    name: &str,
    config: ConfigMap,
    v: Validated,
    paused: bool,
) -> ConnectorEntry {
    let status = StatusCell::new();
    let mut entry = ConnectorEntry {
        config: config.clone(),
        kind: v.plugin.as_ref().map(|p| p.kind()),
        status: status.clone(),
        paused,
        tasks: Vec::new(),
        instance: None,
    };
    let (Some(plugin), Some(parsed)) = (v.plugin, v.parsed) else {
        status.fail("connector configuration is invalid");
        return entry;
    };
    let mut resolved = config.clone();
    let grants = grants_for(
        &plugin.description.config_def,
        "",
        &mut resolved,
        &parsed.sandbox,
    );
    let span = tracing::info_span!("connector", connector = name);
    let _enter = span.enter();
    let ictx = instance_context(ctx, &resolved, "connector", &parsed.sandbox, grants.clone());
    let started = ConnectorInstance::new(plugin.loaded.clone(), &ictx).and_then(|mut instance| {
        instance.start(&resolved)?;
        let max = task_limit(ctx, &parsed, plugin.kind());
        let configs = instance.task_configs(max)?;
        Ok((instance, configs))
    });
    let (instance, task_configs) = match started {
        Ok(ok) => ok,
        Err(e) => {
            tracing::error!("connector failed to start: {e}");
            status.fail(format!("connector failed to start: {e}"));
            return entry;
        }
    };
    let (key_converter, value_converter) = match (
        converter(&parsed.key_converter, &ctx.config.key_converter, true),
        converter(&parsed.value_converter, &ctx.config.value_converter, false),
    ) {
        (Ok(k), Ok(v)) => (k, v),
        (Err(e), _) | (_, Err(e)) => {
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
        let mut task_config: ConfigMap = task_config;
        // Path keys in task configs are granted the same way as in the connector config.
        let task_grants = grants_for(
            &plugin.description.config_def,
            "",
            &mut task_config,
            &parsed.sandbox,
        );
        let mut all_grants = grants.clone();
        for g in task_grants.dirs {
            if !all_grants.dirs.contains(&g) {
                all_grants.dirs.push(g);
            }
        }
        let task = TaskSetup {
            connector: name.to_string(),
            task_id: id,
            connector_config: parsed.clone(),
            task_config: task_config.clone(),
            plugin: plugin.clone(),
            transforms: v.transforms.clone(),
            instance: instance_context(
                ctx,
                &resolved,
                &format!("task-{id}"),
                &parsed.sandbox,
                all_grants,
            ),
            key_converter: key_converter.clone(),
            value_converter: value_converter.clone(),
            worker: ctx.config.clone(),
            offsets: ctx.offsets.clone(),
            status: StatusCell::new(),
            control: Arc::new(TaskControl::default()),
            tokio: ctx.tokio.clone(),
        };
        entry.tasks.push(spawn_task(task, paused, plugin.kind()));
    }
    entry
}

fn spawn_task(setup: TaskSetup, paused: bool, kind: ComponentKind) -> RunningTask {
    let id = setup.task_id;
    let config = setup.task_config.clone();
    let status = setup.status.clone();
    let control = setup.control.clone();
    control.set_paused(paused);
    let thread_name = format!("task-{}", setup.task_name());
    let thread_status = status.clone();
    let spawned = std::thread::Builder::new()
        .name(thread_name)
        .spawn(move || match kind {
            ComponentKind::Sink => SinkTaskRunner::new(setup).run(),
            _ => SourceTaskRunner::new(setup).run(),
        });
    let thread = match spawned {
        Ok(handle) => Some(handle),
        Err(e) => {
            thread_status.fail(format!("cannot start task thread: {e}"));
            None
        }
    };
    RunningTask {
        id,
        config,
        status,
        control,
        thread,
    }
}

/// `tasks.max`, and for sinks no more than the partitions of their topics.
fn task_limit(ctx: &WorkerContext, parsed: &ConnectorConfig, kind: ComponentKind) -> u32 {
    let max = parsed.tasks_max.max(1);
    if kind != ComponentKind::Sink {
        return max;
    }
    let regex = parsed
        .topics_regex
        .as_deref()
        .and_then(|r| regex::Regex::new(&format!("^(?:{r})$")).ok());
    let settings = ctx.config.client_settings("consumer", &parsed.raw);
    match crate::kafka::partition_counts(
        &settings,
        &parsed.topics,
        regex.as_ref(),
        Duration::from_secs(10),
    ) {
        Ok(counts) => {
            let partitions: usize = counts.values().sum();
            let limit = u32::try_from(partitions.max(1)).unwrap_or(u32::MAX);
            if limit < max {
                tracing::info!(
                    "tasks.max={max} but the topics have {partitions} partition(s): starting {limit} task(s)"
                );
            }
            max.min(limit)
        }
        Err(e) => {
            tracing::warn!("cannot read partition counts ({e}); starting tasks.max={max} tasks");
            max
        }
    }
}

impl StandaloneHerder {
    /// Validate and start a connector given as a config map (used for the files on the command
    /// line); fails when the config is invalid.
    pub async fn add_connector(&self, config: ConfigMap) -> Result<ConnectorInfo, HerderError> {
        let name = config.get("name").cloned().unwrap_or_default();
        self.put_connector_config(&name, config, false)
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
        let old = self.lock().remove(name);
        let paused = old.as_ref().is_some_and(|o| o.paused);
        let ctx = self.ctx.clone();
        let timeout = self.ctx.config.task_shutdown_graceful_timeout;
        let owned_name = name.to_string();
        let entry = tokio::task::spawn_blocking(move || {
            if let Some(old) = old {
                stop_connector(&owned_name, old, timeout);
            }
            start_connector(&ctx, &owned_name, config, validated, paused)
        })
        .await
        .map_err(internal)?;
        let info = Self::info_of(name, &entry);
        let mut connectors = self.lock();
        if !allow_replace && connectors.contains_key(name) {
            return Err(HerderError::AlreadyExists(name.to_string()));
        }
        connectors.insert(name.to_string(), entry);
        Ok((!exists, info))
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
        let entry = self
            .lock()
            .remove(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        let timeout = self.ctx.config.task_shutdown_graceful_timeout;
        let owned = name.to_string();
        tokio::task::spawn_blocking(move || stop_connector(&owned, entry, timeout))
            .await
            .map_err(internal)?;
        tracing::info!(connector = name, "connector deleted");
        Ok(())
    }

    fn pause_connector(&self, name: &str) -> Result<(), HerderError> {
        self.set_paused(name, true)
    }

    fn resume_connector(&self, name: &str) -> Result<(), HerderError> {
        self.set_paused(name, false)
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
            self.put_connector_config(name, config, true).await?;
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
            (old, (entry.config.clone(), entry.paused))
        };
        let ctx = self.ctx.clone();
        let timeout = self.ctx.config.task_shutdown_graceful_timeout;
        let owned = name.to_string();
        let (config, paused) = setup_source;
        let new_task = tokio::task::spawn_blocking(move || -> Result<RunningTask, HerderError> {
            let mut old = old;
            old.status.set(ConnectorState::Restarting);
            stop_tasks(&owned, std::slice::from_mut(&mut old), timeout);
            let v = validate(&ctx, &config, None);
            let (Some(plugin), Some(parsed)) = (v.plugin, v.parsed) else {
                return Err(HerderError::InvalidConfig(Box::new(v.infos)));
            };
            let mut resolved = config.clone();
            let grants = grants_for(
                &plugin.description.config_def,
                "",
                &mut resolved,
                &parsed.sandbox,
            );
            let key_converter = converter(&parsed.key_converter, &ctx.config.key_converter, true)
                .map_err(HerderError::Internal)?;
            let value_converter =
                converter(&parsed.value_converter, &ctx.config.value_converter, false)
                    .map_err(HerderError::Internal)?;
            let setup = TaskSetup {
                connector: owned.clone(),
                task_id: task,
                connector_config: parsed.clone(),
                task_config: old.config.clone(),
                plugin: plugin.clone(),
                transforms: v.transforms,
                instance: instance_context(
                    &ctx,
                    &resolved,
                    &format!("task-{task}"),
                    &parsed.sandbox,
                    grants,
                ),
                key_converter,
                value_converter,
                worker: ctx.config.clone(),
                offsets: ctx.offsets.clone(),
                status: StatusCell::new(),
                control: Arc::new(TaskControl::default()),
                tokio: ctx.tokio.clone(),
            };
            Ok(spawn_task(setup, paused, plugin.kind()))
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

    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        let mut out: Vec<PluginInfo> = self
            .ctx
            .registry
            .all()
            .iter()
            .filter(|p| {
                !connectors_only || matches!(p.kind(), ComponentKind::Source | ComponentKind::Sink)
            })
            .map(|p| PluginInfo {
                class: p.name().to_string(),
                plugin_type: p.kind().type_name().to_string(),
                version: p.description.version.clone(),
            })
            .collect();
        if !connectors_only {
            for (name, _) in wasm_connect_data::converter::known_converters() {
                out.push(PluginInfo {
                    class: name.to_string(),
                    plugin_type: "converter".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                });
            }
        }
        out
    }

    fn plugin_config(&self, plugin: &str) -> Result<Vec<ConfigKeyInfo>, HerderError> {
        if let Some(found) = self.ctx.registry.find(plugin) {
            return Ok(found.description.config_def.key_infos());
        }
        wasm_connect_data::converter::known_converters()
            .iter()
            .find(|(short, long)| *short == plugin.trim() || *long == plugin.trim())
            .and_then(|(short, _)| converter_config_def(short))
            .map(|def| def.key_infos())
            .ok_or_else(|| HerderError::PluginNotFound(plugin.to_string()))
    }

    async fn validate_config(
        &self,
        plugin: &str,
        config: ConfigMap,
    ) -> Result<ConfigInfos, HerderError> {
        let found = self
            .ctx
            .registry
            .find(plugin)
            .filter(|p| matches!(p.kind(), ComponentKind::Source | ComponentKind::Sink));
        let Some(found) = found else {
            return Err(HerderError::PluginNotFound(plugin.to_string()));
        };
        let ctx = self.ctx.clone();
        let name = found.name().to_string();
        let v = tokio::task::spawn_blocking(move || validate(&ctx, &config, Some(&name)))
            .await
            .map_err(internal)?;
        Ok(v.infos)
    }

    fn kafka_cluster_id(&self) -> String {
        self.ctx.cluster_id.clone()
    }
}

impl StandaloneHerder {
    fn set_paused(&self, name: &str, paused: bool) -> Result<(), HerderError> {
        let mut connectors = self.lock();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::ConnectorNotFound(name.to_string()))?;
        entry.paused = paused;
        if entry.status.get().0 != ConnectorState::Failed {
            entry.status.set(if paused {
                ConnectorState::Paused
            } else {
                ConnectorState::Running
            });
        }
        for task in &entry.tasks {
            task.control.set_paused(paused);
        }
        tracing::info!(connector = name, paused, "connector target state changed");
        Ok(())
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
            let v = validate(&ctx, &config, None);
            let (Some(plugin), Some(parsed)) = (v.plugin, v.parsed) else {
                return Err(v.infos.error_message());
            };
            let mut resolved = config.clone();
            let grants = grants_for(
                &plugin.description.config_def,
                "",
                &mut resolved,
                &parsed.sandbox,
            );
            let ictx = instance_context(&ctx, &resolved, "connector", &parsed.sandbox, grants);
            let mut instance =
                ConnectorInstance::new(plugin.loaded.clone(), &ictx).map_err(|e| e.to_string())?;
            instance.start(&resolved).map_err(|e| e.to_string())?;
            Ok(instance)
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
                entry.status.set(if entry.paused {
                    ConnectorState::Paused
                } else {
                    ConnectorState::Running
                });
            }
            Err(e) => entry.status.fail(format!("connector failed to start: {e}")),
        }
        Ok(())
    }
}
