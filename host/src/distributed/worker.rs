//! `wasm-connect distributed`: a worker of a cluster sharing a `group.id`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::offsets::KafkaOffsetStore;
use super::plugins::TopicPluginStore;
use super::status::StatusStore;
use super::topics::ensure_internal_topics;
use crate::config::{DistributedConfig, load_config_file};
use crate::herder::{DistributedHerder, WorkerContext};
use crate::tenancy::TenantDirectory;
use crate::worker::{RestServer, WorkerError, load_plugins_and_connect, parse_worker_config};

/// How to run a distributed worker.
#[derive(Clone, Debug)]
pub struct DistributedOptions {
    /// Worker properties file.
    pub worker_properties: PathBuf,
}

/// Run `wasm-connect distributed` until `shutdown` is cancelled; on SIGTERM the worker stops its
/// work and tells the cluster, so that others take it over at once.
pub async fn run_distributed(
    options: DistributedOptions,
    shutdown: CancellationToken,
) -> Result<(), WorkerError> {
    let raw = load_config_file(&options.worker_properties)
        .map_err(|e| WorkerError::Config(e.to_string()))?;
    let distributed = DistributedConfig::parse(&raw).map_err(|errors| {
        WorkerError::invalid_config(errors.iter().map(|(k, m)| (k.as_str(), m.as_str())))
    })?;
    let config = Arc::new(parse_worker_config(raw)?);
    // Checked first: a bad tenancy setup stops the worker before it touches the cluster.
    let tenants = Arc::new(
        match (&config.tenancy_enabled, &config.tenancy_admin_key_file) {
            (false, _) => TenantDirectory::disabled(),
            (true, Some(file)) => {
                TenantDirectory::with_admin_key_file(file).map_err(WorkerError::Config)?
            }
            (true, None) => {
                return Err(WorkerError::Config(
                "tenancy.enabled=true needs tenancy.admin.key.file (a file holding the admin key)"
                    .into(),
            ));
            }
        },
    );
    let (registry, cluster_id) = load_plugins_and_connect(&config, Vec::new()).await?;
    let settings = config.client_settings("admin", &BTreeMap::new());
    ensure_internal_topics(&settings, &distributed)
        .await
        .map_err(WorkerError::Config)?;
    let offsets = {
        let settings = settings.clone();
        let topic = distributed.offset_topic.clone();
        let timeout = config.offset_flush_timeout.max(Duration::from_secs(10));
        tokio::task::spawn_blocking(move || KafkaOffsetStore::open(&settings, &topic, timeout))
            .await
            .map_err(|e| WorkerError::Startup(e.to_string()))?
            .map_err(WorkerError::Startup)?
    };
    let offsets = Arc::new(offsets);
    let status = {
        let settings = settings.clone();
        let topic = distributed.status_topic.clone();
        tokio::task::spawn_blocking(move || {
            StatusStore::open(&settings, &topic, DistributedHerder::WRITE_TIMEOUT)
        })
        .await
        .map_err(|e| WorkerError::Startup(e.to_string()))?
        .map_err(WorkerError::Startup)?
    };
    let status = Arc::new(status);
    let plugin_store = {
        let settings = settings.clone();
        let topic = distributed.plugin_topic.clone();
        let registry = registry.clone();
        let max = config.plugin_upload_max_bytes;
        tokio::task::spawn_blocking(move || {
            TopicPluginStore::open(
                &settings,
                &topic,
                registry,
                max,
                DistributedHerder::WRITE_TIMEOUT,
            )
        })
        .await
        .map_err(|e| WorkerError::Startup(e.to_string()))?
        .map_err(WorkerError::Startup)?
    };
    let ctx = Arc::new(WorkerContext {
        config: config.clone(),
        registry,
        plugin_store: Arc::new(plugin_store),
        offsets: offsets.clone(),
        active_topics: status.clone(),
        tenants,
        cluster_id,
        tokio: tokio::runtime::Handle::current(),
    });
    let url = format!("http://{}", config.worker_id);
    let herder = {
        let ctx = ctx.clone();
        let distributed = distributed.clone();
        tokio::task::spawn_blocking(move || {
            DistributedHerder::start(ctx, offsets, status, &distributed, url)
        })
        .await
        .map_err(|e| WorkerError::Startup(e.to_string()))?
        .map_err(WorkerError::Startup)?
    };
    let herder = Arc::new(herder);
    let rest = RestServer::start(herder.clone(), &config).await?;
    tracing::info!(group = %distributed.group_id, "distributed worker started");
    shutdown.cancelled().await;
    tracing::info!("shutting down");
    herder.shutdown().await;
    rest.shutdown().await;
    tracing::info!("worker stopped");
    Ok(())
}
