//! Putting a worker together: configuration, embedded broker, runtime, plugins, herder, REST.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::broker::{EmbeddedBroker, bootstrap_address};
use crate::config::{WorkerConfig, load_config_file};
use crate::herder::{StandaloneHerder, WorkerContext};
use crate::offsets::FileOffsetStore;
use crate::plugins::{DirectoryPluginStore, PluginRegistry};
use crate::runtime::PluginRuntime;

/// Errors starting or running a worker.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// Bad configuration.
    #[error("{0}")]
    Config(String),
    /// Something failed while starting.
    #[error("{0}")]
    Startup(String),
}

impl WorkerError {
    /// Invalid worker properties: every (key, message) on a line of its own.
    pub(crate) fn invalid_config<'a>(
        errors: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> WorkerError {
        let lines: Vec<String> = errors
            .into_iter()
            .map(|(k, m)| format!("  {k}: {m}"))
            .collect();
        WorkerError::Config(format!(
            "worker configuration is invalid:\n{}",
            lines.join("\n")
        ))
    }
}

/// How to run a standalone worker.
#[derive(Clone, Debug)]
pub struct StandaloneOptions {
    /// Worker properties file.
    pub worker_properties: PathBuf,
    /// Connector files (`.properties` or `.json`).
    pub connector_files: Vec<PathBuf>,
    /// Start the embedded broker at `bootstrap.servers`.
    pub embedded_broker: bool,
    /// Storage of the embedded broker.
    pub broker_storage: String,
}

/// A running standalone worker.
pub struct StandaloneWorker {
    /// The herder (for in-process callers such as the demo and benchmarks).
    pub herder: Arc<StandaloneHerder>,
    /// The REST address actually bound.
    pub rest_address: SocketAddr,
    rest: RestServer,
    broker: Option<EmbeddedBroker>,
}

impl StandaloneWorker {
    /// Start a worker as `connect-standalone` does; connectors from files are validated first and
    /// any invalid one stops the start with its errors.
    pub async fn start(options: &StandaloneOptions) -> Result<StandaloneWorker, WorkerError> {
        let raw = load_config_file(&options.worker_properties)
            .map_err(|e| WorkerError::Config(e.to_string()))?;
        Self::start_with(raw, options).await
    }

    /// Start from worker properties already read.
    pub async fn start_with(
        raw: BTreeMap<String, String>,
        options: &StandaloneOptions,
    ) -> Result<StandaloneWorker, WorkerError> {
        let config = parse_worker_config(raw)?;
        if config.tenancy_enabled {
            return Err(WorkerError::Config(
                "tenancy.enabled=true needs distributed mode: tenants, keys and the audit log live in the cluster's config topic"
                    .into(),
            ));
        }
        let offsets_file = config.offset_storage_file.clone().ok_or_else(|| {
            WorkerError::Config(
                "offset.storage.file.filename is required in standalone mode".into(),
            )
        })?;
        let broker = if options.embedded_broker {
            let address = bootstrap_address(&config.bootstrap_servers)
                .map_err(|e| WorkerError::Config(e.to_string()))?;
            let broker =
                EmbeddedBroker::start(address, &options.broker_storage, CancellationToken::new())
                    .await
                    .map_err(|e| WorkerError::Startup(e.to_string()))?;
            Some(broker)
        } else {
            None
        };
        let offsets = FileOffsetStore::open(&offsets_file)
            .map_err(|e| WorkerError::Startup(e.to_string()))?;
        let config = Arc::new(config);
        // `plugin.storage.dir` defaults to `<offset.storage.file.filename>.plugins` in the config.
        let plugin_store = DirectoryPluginStore::new(
            config
                .plugin_storage_dir
                .clone()
                .ok_or_else(|| WorkerError::Config("plugin.storage.dir is not set".into()))?,
        );
        let (registry, cluster_id) =
            load_plugins_and_connect(&config, plugin_store.files()).await?;
        let ctx = Arc::new(WorkerContext {
            config: config.clone(),
            registry,
            plugin_store: Arc::new(plugin_store),
            offsets: Arc::new(offsets),
            active_topics: Arc::new(crate::herder::MemoryActiveTopics::default()),
            tenants: Arc::new(crate::tenancy::TenantDirectory::disabled()),
            cluster_id,
            tokio: tokio::runtime::Handle::current(),
        });
        let herder = Arc::new(StandaloneHerder::new(ctx));
        let rest = RestServer::start(herder.clone(), &config).await?;
        let worker = StandaloneWorker {
            herder,
            rest_address: rest.address,
            rest,
            broker,
        };
        for file in &options.connector_files {
            let map = load_config_file(file).map_err(|e| WorkerError::Config(e.to_string()))?;
            if let Err(e) = worker.herder.add_connector(map).await {
                let message = format!("connector file {}: {e}", file.display());
                worker.shutdown().await;
                return Err(WorkerError::Config(message));
            }
        }
        Ok(worker)
    }

    /// Stop connectors (flushing and committing), then REST, then the embedded broker.
    pub async fn shutdown(self) {
        self.herder.shutdown().await;
        self.rest.shutdown().await;
        if let Some(broker) = self.broker {
            broker.shutdown().await;
        }
        tracing::info!("worker stopped");
    }
}

/// Run `wasm-connect standalone` until `shutdown` is cancelled (SIGTERM or SIGINT).
pub async fn run_standalone(
    options: StandaloneOptions,
    shutdown: CancellationToken,
) -> Result<(), WorkerError> {
    let worker = StandaloneWorker::start(&options).await?;
    shutdown.cancelled().await;
    tracing::info!("shutting down");
    worker.shutdown().await;
    Ok(())
}

/// Validate worker properties; every error at once.
pub(crate) fn parse_worker_config(
    raw: BTreeMap<String, String>,
) -> Result<WorkerConfig, WorkerError> {
    WorkerConfig::parse(raw).map_err(|infos| WorkerError::invalid_config(infos.errors()))
}

/// Load the plugins (shipped and from `plugin.path`) and reach Kafka; returns the cluster id.
pub(crate) async fn load_plugins_and_connect(
    config: &Arc<WorkerConfig>,
    uploaded: Vec<PathBuf>,
) -> Result<(Arc<PluginRegistry>, String), WorkerError> {
    let runtime = PluginRuntime::new(config.plugin_cache_dir.clone())
        .map_err(|e| WorkerError::Startup(e.to_string()))?;
    let plugin_path = config.plugin_path.clone();
    let registry = tokio::task::spawn_blocking(move || {
        PluginRegistry::load(&runtime, &plugin_path, &uploaded)
    })
    .await
    .map_err(|e| WorkerError::Startup(e.to_string()))?
    .map_err(|e| WorkerError::Startup(e.to_string()))?;
    let settings = config.client_settings("admin", &BTreeMap::new());
    let cluster_id = tokio::task::spawn_blocking(move || {
        crate::kafka::cluster_id(&settings, Duration::from_secs(30))
    })
    .await
    .map_err(|e| WorkerError::Startup(e.to_string()))?
    .map_err(|e| WorkerError::Startup(format!("cannot reach Kafka: {e}")))?
    .unwrap_or_default();
    tracing::info!(%cluster_id, bootstrap = %config.bootstrap_servers, "connected to Kafka");
    Ok((Arc::new(registry), cluster_id))
}

/// The REST API, served until shut down.
pub(crate) struct RestServer {
    pub(crate) address: SocketAddr,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    cancel: CancellationToken,
}

impl RestServer {
    pub(crate) async fn start<H: crate::herder::Herder>(
        herder: Arc<H>,
        config: &WorkerConfig,
    ) -> Result<RestServer, WorkerError> {
        let listener = tokio::net::TcpListener::bind(config.rest_listener)
            .await
            .map_err(|e| {
                WorkerError::Startup(format!("cannot listen on {}: {e}", config.rest_listener))
            })?;
        let address = listener
            .local_addr()
            .map_err(|e| WorkerError::Startup(e.to_string()))?;
        let cancel = CancellationToken::new();
        let info = crate::rest::ServerInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            commit: option_env!("WASM_CONNECT_COMMIT")
                .unwrap_or("unknown")
                .to_string(),
        };
        let limits = crate::rest::RestLimits {
            plugin_upload_max_bytes: config.plugin_upload_max_bytes,
            ..crate::rest::RestLimits::default()
        };
        let task = tokio::spawn(crate::rest::serve(
            herder,
            info,
            limits,
            listener,
            cancel.clone(),
        ));
        tracing::info!(rest_address = %address, worker_id = %config.worker_id, "REST API listening");
        Ok(RestServer {
            address,
            task,
            cancel,
        })
    }

    pub(crate) async fn shutdown(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
}
