//! What every herder of a worker shares.

use std::sync::Arc;

use super::ActiveTopicStore;
use crate::config::WorkerConfig;
use crate::offsets::OffsetBackingStore;
use crate::plugins::{PluginRegistry, PluginStore};
use crate::tenancy::TenantDirectory;

/// What every herder of a worker shares.
pub struct WorkerContext {
    /// Worker configuration.
    pub config: Arc<WorkerConfig>,
    /// Plugins.
    pub registry: Arc<PluginRegistry>,
    /// Where uploaded plugins are kept (a directory, or the plugin topic).
    pub plugin_store: Arc<dyn PluginStore>,
    /// Source offsets.
    pub offsets: Arc<dyn OffsetBackingStore>,
    /// The topics each connector used (`GET /connectors/{c}/topics`).
    pub active_topics: Arc<dyn ActiveTopicStore>,
    /// Kafka cluster id (for `GET /`).
    pub cluster_id: String,
    /// Tenants, their keys and the audit log (empty and off unless `tenancy.enabled`).
    pub tenants: Arc<TenantDirectory>,
    /// Runtime handle for async Kafka admin calls from task threads.
    pub tokio: tokio::runtime::Handle,
}
