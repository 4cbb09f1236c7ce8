//! Glue between the WIT exports generated in a plugin crate and the SDK traits. Used by the
//! export macros; not a stable API.

use std::cell::RefCell;
use std::thread::LocalKey;

use crate::__wit::wasm_connect::plugin::types as wit;
use crate::config::{Config, ConfigKey, ConfigType, Importance, PathAccess, Validator};
use crate::convert;
use crate::error::{PluginError, Result};
use crate::plugin::{
    Connector, Plugin, Predicate, SinkRecord, SinkTask, SourceTask, TopicPartitionOffset, Transform,
};

/// Where the export glue keeps the plugin's single instance (one per component instance).
pub type Slot<T> = LocalKey<RefCell<Option<T>>>;

/// A WIT result.
pub type WitResult<T> = std::result::Result<T, wit::PluginError>;

fn error_to_wit(e: PluginError) -> wit::PluginError {
    wit::PluginError {
        message: e.message,
        retriable: e.retriable,
    }
}

fn result_to_wit<T>(r: Result<T>) -> WitResult<T> {
    r.map_err(error_to_wit)
}

fn config_from_wit(config: wit::ConfigMap) -> Config {
    config.into_iter().collect()
}

fn config_to_wit(config: Config) -> wit::ConfigMap {
    config.into_iter().collect()
}

fn key_to_wit(key: ConfigKey) -> wit::ConfigKey {
    wit::ConfigKey {
        name: key.name,
        type_: match key.config_type {
            ConfigType::Boolean => wit::ConfigType::Boolean,
            ConfigType::String => wit::ConfigType::String,
            ConfigType::Int => wit::ConfigType::Int,
            ConfigType::Short => wit::ConfigType::Short,
            ConfigType::Long => wit::ConfigType::Long,
            ConfigType::Double => wit::ConfigType::Double,
            ConfigType::List => wit::ConfigType::List,
            ConfigType::Class => wit::ConfigType::Class,
            ConfigType::Password => wit::ConfigType::Password,
        },
        default_value: key.default_value,
        importance: match key.importance {
            Importance::High => wit::Importance::High,
            Importance::Medium => wit::Importance::Medium,
            Importance::Low => wit::Importance::Low,
        },
        documentation: key.documentation,
        group: key.group,
        order_in_group: key.order_in_group,
        display_name: key.display_name,
        validators: key
            .validators
            .into_iter()
            .map(|v| match v {
                Validator::NonEmptyString => wit::Validator::NonEmptyString,
                Validator::Range { min, max } => {
                    wit::Validator::Range(wit::NumberRange { min, max })
                }
                Validator::OneOf(values) => wit::Validator::OneOf(values),
                Validator::Regex => wit::Validator::Regex,
            })
            .collect(),
        path_access: match key.path_access {
            PathAccess::None => wit::PathAccess::None,
            PathAccess::ReadFile => wit::PathAccess::ReadFile,
            PathAccess::WriteFile => wit::PathAccess::WriteFile,
            PathAccess::ReadDir => wit::PathAccess::ReadDir,
            PathAccess::WriteDir => wit::PathAccess::WriteDir,
        },
    }
}

fn not_started(what: &str) -> wit::PluginError {
    wit::PluginError {
        message: format!("{what} was not started"),
        retriable: false,
    }
}

/// Run `f` on the instance in `slot`, or fail if there is none.
fn with_instance<T: 'static, R>(
    slot: &'static Slot<T>,
    what: &str,
    f: impl FnOnce(&mut T) -> Result<R>,
) -> WitResult<R> {
    slot.with(|cell| match cell.borrow_mut().as_mut() {
        Some(instance) => result_to_wit(f(instance)),
        None => Err(not_started(what)),
    })
}

/// `plugin.info`.
pub fn info<P: Plugin>() -> wit::PluginInfo {
    let info = P::info();
    wit::PluginInfo {
        name: info.name,
        version: info.version,
        aliases: info.aliases,
        description: info.description,
    }
}

/// `plugin.config-definition`.
pub fn config_definition<P: Plugin>() -> Vec<wit::ConfigKey> {
    P::config_def().into_iter().map(key_to_wit).collect()
}

/// `connector.validate`.
pub fn connector_validate<C: Connector>(config: wit::ConfigMap) -> Vec<wit::ConfigError> {
    C::validate(&config_from_wit(config))
        .into_iter()
        .map(|e| wit::ConfigError {
            name: e.name,
            message: e.message,
        })
        .collect()
}

/// `connector.start`.
pub fn connector_start<C: Connector>(
    slot: &'static Slot<C>,
    config: wit::ConfigMap,
) -> WitResult<()> {
    let connector = result_to_wit(C::start(config_from_wit(config)))?;
    if let Some(mut old) = slot.with(|cell| cell.borrow_mut().replace(connector)) {
        old.stop();
    }
    Ok(())
}

/// `connector.task-configs`.
pub fn connector_task_configs<C: Connector>(
    slot: &'static Slot<C>,
    max_tasks: u32,
) -> WitResult<Vec<wit::ConfigMap>> {
    let configs = with_instance(slot, "connector", |c| c.task_configs(max_tasks))?;
    Ok(configs.into_iter().map(config_to_wit).collect())
}

/// `connector.stop`, `source-task.stop`, `sink-task.stop`.
pub fn stop<T: 'static>(slot: &'static Slot<T>, stop: impl FnOnce(&mut T)) {
    if let Some(mut instance) = slot.with(|cell| cell.borrow_mut().take()) {
        stop(&mut instance);
    }
}

/// `source-task.start`.
pub fn source_start<T: SourceTask>(
    slot: &'static Slot<T>,
    config: wit::ConfigMap,
) -> WitResult<()> {
    let task = result_to_wit(T::start(config_from_wit(config)))?;
    if let Some(mut old) = slot.with(|cell| cell.borrow_mut().replace(task)) {
        old.stop();
    }
    Ok(())
}

/// `source-task.poll`.
pub fn source_poll<T: SourceTask>(slot: &'static Slot<T>) -> WitResult<Vec<wit::SourceRecord>> {
    let records = with_instance(slot, "source task", T::poll)?;
    Ok(records
        .iter()
        .map(|r| wit::SourceRecord {
            record: convert::record_to_wit(&r.record),
            source_partition: convert::offset_map_to_wit(&r.source_partition),
            source_offset: convert::offset_map_to_wit(&r.source_offset),
        })
        .collect())
}

/// `source-task.commit`.
pub fn source_commit<T: SourceTask>(slot: &'static Slot<T>) -> WitResult<()> {
    with_instance(slot, "source task", T::commit)
}

/// `sink-task.start`.
pub fn sink_start<T: SinkTask>(slot: &'static Slot<T>, config: wit::ConfigMap) -> WitResult<()> {
    let task = result_to_wit(T::start(config_from_wit(config)))?;
    if let Some(mut old) = slot.with(|cell| cell.borrow_mut().replace(task)) {
        old.stop();
    }
    Ok(())
}

/// `sink-task.put`.
pub fn sink_put<T: SinkTask>(
    slot: &'static Slot<T>,
    records: Vec<wit::SinkRecord>,
) -> WitResult<()> {
    let mut decoded = Vec::with_capacity(records.len());
    for r in records {
        let record = result_to_wit(convert::record_from_wit(r.record).map_err(PluginError::from))?;
        decoded.push(SinkRecord {
            record,
            kafka_offset: r.kafka_offset,
        });
    }
    with_instance(slot, "sink task", |t| t.put(decoded))
}

/// `sink-task.flush`.
pub fn sink_flush<T: SinkTask>(
    slot: &'static Slot<T>,
    offsets: Vec<wit::TopicPartitionOffset>,
) -> WitResult<()> {
    let offsets: Vec<TopicPartitionOffset> = offsets
        .into_iter()
        .map(|o| TopicPartitionOffset {
            topic: o.topic,
            partition: o.kafka_partition,
            offset: o.offset,
        })
        .collect();
    with_instance(slot, "sink task", |t| t.flush(&offsets))
}

/// `transform.configure` and `predicate.configure`.
pub fn configure<T: 'static>(
    slot: &'static Slot<T>,
    config: wit::ConfigMap,
    create: impl FnOnce(Config) -> Result<T>,
) -> WitResult<()> {
    let instance = result_to_wit(create(config_from_wit(config)))?;
    slot.with(|cell| *cell.borrow_mut() = Some(instance));
    Ok(())
}

/// `transform.apply`.
pub fn transform_apply<T: Transform>(
    slot: &'static Slot<T>,
    records: Vec<wit::ConnectRecord>,
) -> Vec<WitResult<Option<wit::ConnectRecord>>> {
    let decoded: Vec<Result<_>> = records
        .into_iter()
        .map(|r| convert::record_from_wit(r).map_err(PluginError::from))
        .collect();
    let count = decoded.len();
    let results = slot.with(|cell| {
        let mut guard = cell.borrow_mut();
        let Some(transform) = guard.as_mut() else {
            return (0..count)
                .map(|_| Err(PluginError::new("transform was not configured")))
                .collect();
        };
        if decoded.iter().all(Result::is_ok) {
            transform.apply_batch(decoded.into_iter().flatten().collect())
        } else {
            decoded
                .into_iter()
                .map(|r| r.and_then(|r| transform.apply(r)))
                .collect::<Vec<_>>()
        }
    });
    results
        .into_iter()
        .map(|r| result_to_wit(r).map(|r| r.as_ref().map(convert::record_to_wit)))
        .collect()
}

/// `predicate.test`.
pub fn predicate_test<P: Predicate>(
    slot: &'static Slot<P>,
    records: Vec<wit::ConnectRecord>,
) -> Vec<WitResult<bool>> {
    let decoded: Vec<Result<_>> = records
        .into_iter()
        .map(|r| convert::record_from_wit(r).map_err(PluginError::from))
        .collect();
    let count = decoded.len();
    let results = slot.with(|cell| {
        let mut guard = cell.borrow_mut();
        let Some(predicate) = guard.as_mut() else {
            return (0..count)
                .map(|_| Err(PluginError::new("predicate was not configured")))
                .collect();
        };
        if decoded.iter().all(Result::is_ok) {
            let records: Vec<_> = decoded.into_iter().flatten().collect();
            predicate.test_batch(&records)
        } else {
            decoded
                .into_iter()
                .map(|r| r.and_then(|r| predicate.test(&r)))
                .collect::<Vec<_>>()
        }
    });
    results.into_iter().map(result_to_wit).collect()
}
