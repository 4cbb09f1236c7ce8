//! Plugin instances: one `Store` each, every call bounded by an epoch deadline, and typed
//! wrappers for the roles a plugin plays (connector, source task, sink task, transform,
//! predicate). A trap poisons the instance: later calls fail with the original reason.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use wasm_connect_data::{ConnectRecord, OffsetMap};
use wasmtime::component::Instance;
use wasmtime::{Store, Trap};

use super::EPOCH_TICK;
use super::bindings::{conv, guest, types};
use super::cache::LoadedComponent;
use super::state::{InstanceContext, PluginState};
use crate::config::{ConfigDef, ConfigKeyDef, ConfigType, Importance, PathAccess, Validator};

/// A failed plugin call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PluginCallError {
    /// The plugin returned an error.
    #[error("{message}")]
    Plugin {
        /// The plugin's message.
        message: String,
        /// Whether retrying may help.
        retriable: bool,
    },
    /// The instance trapped: a panic, a deadline, or the memory cap.
    #[error("{0}")]
    Trap(String),
    /// The instance trapped earlier and cannot be used.
    #[error("plugin instance is unusable after an earlier failure: {0}")]
    Dead(String),
    /// The instance could not be created.
    #[error("cannot start plugin instance: {0}")]
    Setup(String),
    /// The plugin returned data the host cannot decode.
    #[error("plugin returned malformed data: {0}")]
    Malformed(String),
}

impl PluginCallError {
    /// True when the call may succeed if retried.
    pub fn is_retriable(&self) -> bool {
        matches!(
            self,
            PluginCallError::Plugin {
                retriable: true,
                ..
            }
        )
    }
}

impl From<types::PluginError> for PluginCallError {
    fn from(e: types::PluginError) -> Self {
        PluginCallError::Plugin {
            message: e.message,
            retriable: e.retriable,
        }
    }
}

/// What a plugin says about itself.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginDescription {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Description.
    pub description: String,
    /// Its configuration keys.
    pub config_def: ConfigDef,
}

/// One instantiated plugin with its own store.
pub struct PluginInstance {
    store: Store<PluginState>,
    instance: Instance,
    loaded: Arc<LoadedComponent>,
    deadline_ticks: u64,
    call_timeout: Duration,
    failure: Option<String>,
}

fn config_to_wit(config: &BTreeMap<String, String>) -> Vec<(String, String)> {
    config.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

impl PluginInstance {
    /// Instantiate `loaded` in a new store configured from `ctx`.
    pub fn new(
        loaded: Arc<LoadedComponent>,
        ctx: &InstanceContext,
    ) -> Result<PluginInstance, PluginCallError> {
        let state = PluginState::new(ctx).map_err(PluginCallError::Setup)?;
        let mut store = Store::new(loaded.pre.engine(), state);
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_trap();
        let deadline_ticks =
            (ctx.call_timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1;
        store.set_epoch_deadline(deadline_ticks);
        let instance = loaded
            .pre
            .instantiate(&mut store)
            .map_err(|e| PluginCallError::Setup(describe_failure(&e, ctx.call_timeout)))?;
        Ok(PluginInstance {
            store,
            instance,
            loaded,
            deadline_ticks,
            call_timeout: ctx.call_timeout,
            failure: None,
        })
    }

    /// The plugin this instance runs.
    pub fn loaded(&self) -> &Arc<LoadedComponent> {
        &self.loaded
    }

    /// Run one guest call under the deadline; a trap poisons the instance.
    fn call<R>(
        &mut self,
        f: impl FnOnce(&mut Store<PluginState>, &Instance) -> wasmtime::Result<R>,
    ) -> Result<R, PluginCallError> {
        if let Some(reason) = &self.failure {
            return Err(PluginCallError::Dead(reason.clone()));
        }
        self.store.set_epoch_deadline(self.deadline_ticks);
        f(&mut self.store, &self.instance).map_err(|e| {
            let reason = describe_failure(&e, self.call_timeout);
            self.failure = Some(reason.clone());
            PluginCallError::Trap(reason)
        })
    }

    /// Call `info` and `config-definition`.
    pub fn describe(&mut self) -> Result<PluginDescription, PluginCallError> {
        let (info, keys) = self.call(|store, instance| {
            let plugin = guest::plugin::GuestIndices::new(&instance.instance_pre(&*store))?
                .load(&mut *store, instance)?;
            let info = plugin.call_info(&mut *store)?;
            let keys = plugin.call_config_definition(&mut *store)?;
            Ok((info, keys))
        })?;
        let mut config_def = ConfigDef::default();
        for key in keys {
            config_def.define(config_key_from_wit(key));
        }
        Ok(PluginDescription {
            name: info.name,
            version: info.version,
            aliases: info.aliases,
            description: info.description,
            config_def,
        })
    }
}

fn config_key_from_wit(key: types::ConfigKey) -> ConfigKeyDef {
    ConfigKeyDef {
        name: key.name,
        config_type: match key.type_ {
            types::ConfigType::Boolean => ConfigType::Boolean,
            types::ConfigType::String => ConfigType::String,
            types::ConfigType::Int => ConfigType::Int,
            types::ConfigType::Short => ConfigType::Short,
            types::ConfigType::Long => ConfigType::Long,
            types::ConfigType::Double => ConfigType::Double,
            types::ConfigType::List => ConfigType::List,
            types::ConfigType::Class => ConfigType::Class,
            types::ConfigType::Password => ConfigType::Password,
        },
        default_value: key.default_value,
        importance: match key.importance {
            types::Importance::High => Importance::High,
            types::Importance::Medium => Importance::Medium,
            types::Importance::Low => Importance::Low,
        },
        documentation: key.documentation,
        group: key.group,
        order: key.order_in_group,
        display_name: key.display_name,
        validators: key
            .validators
            .into_iter()
            .map(|v| match v {
                types::Validator::NonEmptyString => Validator::NonEmptyString,
                types::Validator::Range(r) => Validator::Range {
                    min: r.min,
                    max: r.max,
                },
                types::Validator::OneOf(values) => Validator::OneOf(values),
                types::Validator::Regex => Validator::Regex,
            })
            .collect(),
        path_access: match key.path_access {
            types::PathAccess::None => PathAccess::None,
            types::PathAccess::ReadFile => PathAccess::ReadFile,
            types::PathAccess::WriteFile => PathAccess::WriteFile,
            types::PathAccess::ReadDir => PathAccess::ReadDir,
            types::PathAccess::WriteDir => PathAccess::WriteDir,
        },
    }
}

/// A readable reason for a failed call: deadline, memory cap, or the trap with its wasm backtrace.
fn describe_failure(e: &wasmtime::Error, timeout: Duration) -> String {
    if matches!(e.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
        return format!(
            "plugin call exceeded its deadline of {} ms (wasm.call.timeout.ms) and was interrupted\n{e:?}",
            timeout.as_millis()
        );
    }
    format!("plugin trapped: {e:?}")
}

macro_rules! load_guest {
    ($store:expr, $instance:expr, $iface:ident) => {
        guest::$iface::GuestIndices::new(&$instance.instance_pre(&*$store))?
            .load(&mut *$store, $instance)?
    };
}

/// A connector (source or sink) instance.
pub struct ConnectorInstance {
    inner: PluginInstance,
}

impl ConnectorInstance {
    /// Instantiate a connector.
    pub fn new(
        loaded: Arc<LoadedComponent>,
        ctx: &InstanceContext,
    ) -> Result<Self, PluginCallError> {
        Ok(ConnectorInstance {
            inner: PluginInstance::new(loaded, ctx)?,
        })
    }

    /// Plugin-specific validation: (key, message) errors.
    pub fn validate(
        &mut self,
        config: &BTreeMap<String, String>,
    ) -> Result<Vec<(String, String)>, PluginCallError> {
        let errors = self.inner.call(|store, instance| {
            load_guest!(store, instance, connector)
                .call_validate(&mut *store, &config_to_wit(config))
        })?;
        Ok(errors.into_iter().map(|e| (e.name, e.message)).collect())
    }

    /// Start the connector.
    pub fn start(&mut self, config: &BTreeMap<String, String>) -> Result<(), PluginCallError> {
        self.inner
            .call(|store, instance| {
                load_guest!(store, instance, connector)
                    .call_start(&mut *store, &config_to_wit(config))
            })?
            .map_err(Into::into)
    }

    /// Task configurations for at most `max_tasks` tasks.
    pub fn task_configs(
        &mut self,
        max_tasks: u32,
    ) -> Result<Vec<BTreeMap<String, String>>, PluginCallError> {
        let configs = self.inner.call(|store, instance| {
            load_guest!(store, instance, connector).call_task_configs(&mut *store, max_tasks)
        })??;
        Ok(configs
            .into_iter()
            .map(|c| c.into_iter().collect())
            .collect())
    }

    /// Stop the connector.
    pub fn stop(&mut self) -> Result<(), PluginCallError> {
        self.inner
            .call(|store, instance| load_guest!(store, instance, connector).call_stop(&mut *store))
    }
}

/// A record returned by a source task, with its source partition and offset.
#[derive(Clone, Debug, PartialEq)]
pub struct PolledRecord {
    /// The record.
    pub record: ConnectRecord,
    /// Source partition.
    pub partition: OffsetMap,
    /// Source offset.
    pub offset: OffsetMap,
}

/// A source task instance.
pub struct SourceTaskInstance {
    inner: PluginInstance,
}

impl SourceTaskInstance {
    /// Instantiate a source task.
    pub fn new(
        loaded: Arc<LoadedComponent>,
        ctx: &InstanceContext,
    ) -> Result<Self, PluginCallError> {
        Ok(SourceTaskInstance {
            inner: PluginInstance::new(loaded, ctx)?,
        })
    }

    /// Start the task.
    pub fn start(&mut self, config: &BTreeMap<String, String>) -> Result<(), PluginCallError> {
        self.inner
            .call(|store, instance| {
                load_guest!(store, instance, source_task)
                    .call_start(&mut *store, &config_to_wit(config))
            })?
            .map_err(Into::into)
    }

    /// The next batch.
    pub fn poll(&mut self) -> Result<Vec<PolledRecord>, PluginCallError> {
        let records = self.inner.call(|store, instance| {
            load_guest!(store, instance, source_task).call_poll(&mut *store)
        })??;
        records
            .into_iter()
            .map(|r| {
                Ok(PolledRecord {
                    record: conv::record_from_wit(r.record)
                        .map_err(|e| PluginCallError::Malformed(e.to_string()))?,
                    partition: conv::offset_map_from_wit(r.source_partition),
                    offset: conv::offset_map_from_wit(r.source_offset),
                })
            })
            .collect()
    }

    /// Tell the task its offsets were committed.
    pub fn commit(&mut self) -> Result<(), PluginCallError> {
        self.inner
            .call(|store, instance| {
                load_guest!(store, instance, source_task).call_commit(&mut *store)
            })?
            .map_err(Into::into)
    }

    /// Stop the task.
    pub fn stop(&mut self) -> Result<(), PluginCallError> {
        self.inner.call(|store, instance| {
            load_guest!(store, instance, source_task).call_stop(&mut *store)
        })
    }
}

/// A sink task instance.
pub struct SinkTaskInstance {
    inner: PluginInstance,
}

impl SinkTaskInstance {
    /// Instantiate a sink task.
    pub fn new(
        loaded: Arc<LoadedComponent>,
        ctx: &InstanceContext,
    ) -> Result<Self, PluginCallError> {
        Ok(SinkTaskInstance {
            inner: PluginInstance::new(loaded, ctx)?,
        })
    }

    /// Start the task.
    pub fn start(&mut self, config: &BTreeMap<String, String>) -> Result<(), PluginCallError> {
        self.inner
            .call(|store, instance| {
                load_guest!(store, instance, sink_task)
                    .call_start(&mut *store, &config_to_wit(config))
            })?
            .map_err(Into::into)
    }

    /// Deliver a batch of (record, Kafka offset).
    pub fn put(&mut self, records: &[(ConnectRecord, i64)]) -> Result<(), PluginCallError> {
        let batch: Vec<types::SinkRecord> = records
            .iter()
            .map(|(r, offset)| types::SinkRecord {
                record: conv::record_to_wit(r),
                kafka_offset: *offset,
            })
            .collect();
        self.inner
            .call(|store, instance| {
                load_guest!(store, instance, sink_task).call_put(&mut *store, &batch)
            })?
            .map_err(Into::into)
    }

    /// Make everything durable up to `offsets` (topic, partition, next offset).
    pub fn flush(&mut self, offsets: &[(String, i32, i64)]) -> Result<(), PluginCallError> {
        let offsets: Vec<types::TopicPartitionOffset> = offsets
            .iter()
            .map(|(topic, partition, offset)| types::TopicPartitionOffset {
                topic: topic.clone(),
                kafka_partition: *partition,
                offset: *offset,
            })
            .collect();
        self.inner
            .call(|store, instance| {
                load_guest!(store, instance, sink_task).call_flush(&mut *store, &offsets)
            })?
            .map_err(Into::into)
    }

    /// Stop the task.
    pub fn stop(&mut self) -> Result<(), PluginCallError> {
        self.inner
            .call(|store, instance| load_guest!(store, instance, sink_task).call_stop(&mut *store))
    }
}

/// A transform instance.
pub struct TransformInstance {
    inner: PluginInstance,
}

impl TransformInstance {
    /// Instantiate and configure a transform.
    pub fn new(
        loaded: Arc<LoadedComponent>,
        ctx: &InstanceContext,
        config: &BTreeMap<String, String>,
    ) -> Result<Self, PluginCallError> {
        let mut inner = PluginInstance::new(loaded, ctx)?;
        inner
            .call(|store, instance| {
                load_guest!(store, instance, transform)
                    .call_configure(&mut *store, &config_to_wit(config))
            })?
            .map_err(PluginCallError::from)?;
        Ok(TransformInstance { inner })
    }

    /// Transform a batch: one result per record (`None` drops it). An `Err` for the whole call
    /// means the instance failed (trap or malformed answer).
    pub fn apply(
        &mut self,
        records: &[ConnectRecord],
    ) -> Result<Vec<Result<Option<ConnectRecord>, PluginCallError>>, PluginCallError> {
        let batch: Vec<types::ConnectRecord> = records.iter().map(conv::record_to_wit).collect();
        let results = self.inner.call(|store, instance| {
            load_guest!(store, instance, transform).call_apply(&mut *store, &batch)
        })?;
        if results.len() != records.len() {
            return Err(PluginCallError::Malformed(format!(
                "transform returned {} results for {} records",
                results.len(),
                records.len()
            )));
        }
        Ok(results
            .into_iter()
            .map(|r| match r {
                Ok(Some(record)) => conv::record_from_wit(record)
                    .map(Some)
                    .map_err(|e| PluginCallError::Malformed(e.to_string())),
                Ok(None) => Ok(None),
                Err(e) => Err(e.into()),
            })
            .collect())
    }
}

/// A predicate instance.
pub struct PredicateInstance {
    inner: PluginInstance,
}

impl PredicateInstance {
    /// Instantiate and configure a predicate.
    pub fn new(
        loaded: Arc<LoadedComponent>,
        ctx: &InstanceContext,
        config: &BTreeMap<String, String>,
    ) -> Result<Self, PluginCallError> {
        let mut inner = PluginInstance::new(loaded, ctx)?;
        inner
            .call(|store, instance| {
                load_guest!(store, instance, predicate)
                    .call_configure(&mut *store, &config_to_wit(config))
            })?
            .map_err(PluginCallError::from)?;
        Ok(PredicateInstance { inner })
    }

    /// Test a batch: one answer per record.
    pub fn test(
        &mut self,
        records: &[ConnectRecord],
    ) -> Result<Vec<Result<bool, PluginCallError>>, PluginCallError> {
        let batch: Vec<types::ConnectRecord> = records.iter().map(conv::record_to_wit).collect();
        let results = self.inner.call(|store, instance| {
            load_guest!(store, instance, predicate).call_test(&mut *store, &batch)
        })?;
        if results.len() != records.len() {
            return Err(PluginCallError::Malformed(format!(
                "predicate returned {} results for {} records",
                results.len(),
                records.len()
            )));
        }
        Ok(results.into_iter().map(|r| r.map_err(Into::into)).collect())
    }
}
