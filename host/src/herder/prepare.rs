//! A validated connector made ready to run: sandbox grants from its path-valued keys, instance
//! contexts, converters and task setups. Every herder starts connectors and tasks through this.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wasm_connect_data::converter::{
    Converter, HeaderConverter, create_converter, create_header_converter,
};

use super::validation::{Validated, validate};
use super::{ConfigMap, HerderError, StatusCell, WorkerContext};
use crate::config::{ConfigDef, ConnectorConfig, PathAccess, SandboxSettings};
use crate::offsets::ConnectorOffsetReader;
use crate::plugins::RegisteredPlugin;
use crate::runtime::{ComponentKind, ConnectorInstance, Grants, InstanceContext, PluginCallError};
use crate::task::{ResolvedTransform, TaskControl, TaskLimits, TaskSetup};
use crate::tenancy::{Tenant, resolve_under_root};

/// A connector config that passed validation, with everything needed to start it and its tasks.
pub(crate) struct PreparedConnector {
    /// Connector name.
    pub name: String,
    /// The connector plugin.
    pub plugin: Arc<RegisteredPlugin>,
    /// The typed config.
    pub parsed: ConnectorConfig,
    /// Transforms resolved to plugins.
    pub transforms: Vec<ResolvedTransform>,
    /// The config with path values made absolute (what the plugin sees).
    pub resolved: ConfigMap,
    /// Sandbox grants of the connector config.
    pub grants: Grants,
    /// The policy of the connector's tenant, if it has one.
    pub tenant: Option<Arc<Tenant>>,
}

impl PreparedConnector {
    /// Validate `config` and prepare it; an invalid config is `HerderError::InvalidConfig`.
    pub fn prepare(
        ctx: &WorkerContext,
        config: &ConfigMap,
    ) -> Result<PreparedConnector, HerderError> {
        PreparedConnector::from_validated(validate(ctx, config, None), config)
    }

    /// Prepare an already validated config.
    pub fn from_validated(
        v: Validated,
        config: &ConfigMap,
    ) -> Result<PreparedConnector, HerderError> {
        let (Some(plugin), Some(parsed)) = (v.plugin, v.parsed) else {
            return Err(HerderError::InvalidConfig(Box::new(v.infos)));
        };
        if v.infos.error_count > 0 {
            return Err(HerderError::InvalidConfig(Box::new(v.infos)));
        }
        let mut parsed = parsed;
        if let Some(tenant) = &v.tenant {
            // The tenant's own principal for every Kafka client of the connector.
            parsed.raw.extend(tenant.client_overrides());
        }
        let mut resolved = config.clone();
        let grants = grants_for(
            &plugin.description.config_def,
            "",
            &mut resolved,
            &parsed.sandbox,
            v.tenant.as_deref(),
        );
        Ok(PreparedConnector {
            name: config.get("name").cloned().unwrap_or_default(),
            plugin,
            parsed,
            transforms: v.transforms,
            resolved,
            grants,
            tenant: v.tenant,
        })
    }

    /// Source or sink.
    pub fn kind(&self) -> ComponentKind {
        self.plugin.kind()
    }

    /// Create the connector instance and `start` it.
    pub fn start_instance(
        &self,
        ctx: &WorkerContext,
    ) -> Result<ConnectorInstance, PluginCallError> {
        let ictx = instance_context(
            ctx,
            &self.resolved,
            "connector",
            &self.parsed.sandbox,
            self.grants.clone(),
            self.tenant.as_deref(),
        );
        let mut instance = ConnectorInstance::new(self.plugin.loaded.clone(), &ictx)?;
        instance.start(&self.resolved)?;
        Ok(instance)
    }

    /// Start the connector and ask it for its task configs (`tasks.max`, capped for sinks).
    pub fn start_with_task_configs(
        &self,
        ctx: &WorkerContext,
    ) -> Result<(ConnectorInstance, Vec<ConfigMap>), PluginCallError> {
        let mut instance = self.start_instance(ctx)?;
        let configs = instance.task_configs(task_limit(ctx, &self.parsed, self.kind()))?;
        Ok((instance, configs))
    }

    /// The key, value and header converters: the connector's, else the worker's.
    pub fn converters(&self, ctx: &WorkerContext) -> Result<Converters, String> {
        Ok(Converters {
            key: converter(&self.parsed.key_converter, &ctx.config.key_converter, true)?,
            value: converter(
                &self.parsed.value_converter,
                &ctx.config.value_converter,
                false,
            )?,
            header: {
                let (class, settings) = self
                    .parsed
                    .header_converter
                    .as_ref()
                    .unwrap_or(&ctx.config.header_converter);
                create_header_converter(class, settings)
                    .map(Arc::from)
                    .map_err(|e| e.to_string())?
            },
        })
    }

    /// Everything task `id` needs to run with `task_config` (whose path keys are granted too).
    pub fn task_setup(
        &self,
        ctx: &WorkerContext,
        id: u32,
        mut task_config: ConfigMap,
        converters: &Converters,
    ) -> TaskSetup {
        let task_grants = grants_for(
            &self.plugin.description.config_def,
            "",
            &mut task_config,
            &self.parsed.sandbox,
            self.tenant.as_deref(),
        );
        let mut grants = self.grants.clone();
        for g in task_grants.dirs {
            if !grants.dirs.contains(&g) {
                grants.dirs.push(g);
            }
        }
        TaskSetup {
            connector: self.name.clone(),
            task_id: id,
            connector_config: self.parsed.clone(),
            task_config,
            plugin: self.plugin.clone(),
            transforms: self.transforms.clone(),
            instance: instance_context(
                ctx,
                &self.resolved,
                &format!("task-{id}"),
                &self.parsed.sandbox,
                grants,
                self.tenant.as_deref(),
            ),
            key_converter: converters.key.clone(),
            value_converter: converters.value.clone(),
            header_converter: converters.header.clone(),
            worker: ctx.config.clone(),
            offsets: ctx.offsets.clone(),
            active_topics: ctx.active_topics.clone(),
            status: StatusCell::new(),
            control: Arc::new(TaskControl::default()),
            tokio: ctx.tokio.clone(),
            tenant: self.tenant.clone(),
            limits: self.task_limits(),
        }
    }

    /// Throughput and CPU-share limits for each task of this connector: its tenant's quotas.
    pub(crate) fn task_limits(&self) -> TaskLimits {
        let Some(tenant) = &self.tenant else {
            return TaskLimits::default();
        };
        TaskLimits {
            records_per_second: tenant.quotas.task_records_per_second,
            bytes_per_second: tenant.quotas.task_bytes_per_second,
            cpu_share: tenant.quotas.task_cpu_share,
        }
    }
}

/// A connector's key and value converters.
#[derive(Clone)]
pub(crate) struct Converters {
    /// Key converter.
    pub key: Arc<dyn Converter>,
    /// Value converter.
    pub value: Arc<dyn Converter>,
    /// Header converter.
    pub header: Arc<dyn HeaderConverter>,
}

/// The sandbox, limits and offset reader of one plugin instance of a connector.
pub(crate) fn instance_context(
    ctx: &WorkerContext,
    config: &ConfigMap,
    role: &str,
    sandbox: &SandboxSettings,
    grants: Grants,
    tenant: Option<&Tenant>,
) -> InstanceContext {
    let asked = if sandbox.memory_max_bytes == 0 {
        crate::config::connector::DEFAULT_MEMORY_MAX_BYTES
    } else {
        sandbox.memory_max_bytes
    };
    // A tenant's quota caps the memory whatever the config asks (validation reports it too).
    let quota = tenant
        .and_then(|t| t.quotas.task_memory_bytes)
        .unwrap_or(u64::MAX);
    InstanceContext {
        connector: config.get("name").cloned().unwrap_or_default(),
        role: role.to_string(),
        grants,
        memory_max_bytes: asked.min(quota),
        call_timeout: Duration::from_millis({
            let asked = if sandbox.call_timeout_ms == 0 {
                crate::config::connector::DEFAULT_CALL_TIMEOUT_MS
            } else {
                sandbox.call_timeout_ms
            };
            match tenant {
                Some(_) => asked.min(crate::config::connector::DEFAULT_CALL_TIMEOUT_MS),
                None => asked,
            }
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
/// explicit `wasm.*` settings. For a tenant's connector, relative paths are taken inside its
/// `fs.root`, nothing outside it is granted, and no environment variable is passed.
pub(crate) fn grants_for(
    def: &ConfigDef,
    prefix: &str,
    config: &mut ConfigMap,
    sandbox: &SandboxSettings,
    tenant: Option<&Tenant>,
) -> Grants {
    let absolute = |path: &str| -> Option<PathBuf> {
        match tenant {
            None => Some(absolute(path)),
            Some(t) => match resolve_under_root(t.fs_root.as_deref(), path) {
                Ok(p) => Some(p),
                Err(e) => {
                    // Validation refuses these; a config written before a tenant's root changed
                    // gets nothing.
                    tracing::warn!("not granted: {e}");
                    None
                }
            },
        }
    };
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
        let Some(path) = absolute(value) else {
            continue;
        };
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
        if let Some(dir) = absolute(&dir.to_string_lossy()) {
            grant(dir, false);
        }
    }
    for dir in &sandbox.write_dirs {
        if let Some(dir) = absolute(&dir.to_string_lossy()) {
            grant(dir, true);
        }
    }
    // A tenant's connector reaches the hosts it names (validated to be the tenant's), or by
    // default all of the tenant's hosts.
    grants.net_hosts = match tenant {
        Some(t) if sandbox.net_hosts.is_empty() => t.http_hosts.clone(),
        _ => sandbox.net_hosts.clone(),
    };
    if tenant.is_none() {
        grants.env = sandbox
            .env_vars
            .iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| (k.clone(), v)))
            .collect();
    }
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
