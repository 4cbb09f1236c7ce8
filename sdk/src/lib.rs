//! Write [Wasm Connect](https://github.com/wasm-connect/wasm-connect) connectors, transforms and
//! predicates in Rust, compiled to WebAssembly components (`wasm32-wasip2`).
//!
//! A plugin is a `cdylib` crate that depends only on this crate, implements a few traits and calls
//! one export macro:
//!
//! | plugin kind | implement | export with |
//! |---|---|---|
//! | source connector | [`Plugin`] + [`SourceConnector`] on the connector, [`SourceTask`] on the task | [`export_source!`]`(Connector, Task)` |
//! | sink connector | [`Plugin`] + [`SinkConnector`] on the connector, [`SinkTask`] on the task | [`export_sink!`]`(Connector, Task)` |
//! | transform | [`Plugin`] + [`Transform`] | [`export_transform!`]`(Transform)` |
//! | predicate | [`Plugin`] + [`Predicate`] | [`export_predicate!`]`(Predicate)` |
//!
//! The host selects a plugin by [`PluginInfo::name`] or one of its aliases (e.g. Kafka's class
//! name). A transform selected by a name ending in `$Key` sees each record with key and value
//! swapped, so a transform written against the value also serves as the `$Key` form: list both
//! `X$Value` and `X$Key` as aliases. The host runs one connector or task per component instance:
//! the export glue keeps that single instance, created by `start`/`configure`, until `stop`.
//!
//! ```no_run
//! use wasm_connect_sdk::prelude::*;
//!
//! /// Upper-cases string values.
//! struct Upper {
//!     suffix: String,
//! }
//!
//! impl Plugin for Upper {
//!     fn info() -> PluginInfo {
//!         PluginInfo::new("Upper").version("1.0.0").alias("com.example.Upper")
//!     }
//!     fn config_def() -> Vec<ConfigKey> {
//!         vec![ConfigKey::string("suffix").default_value("").doc("Appended to each value.")]
//!     }
//! }
//!
//! impl Transform for Upper {
//!     fn configure(config: Config) -> Result<Self> {
//!         Ok(Upper { suffix: config.string_or("suffix", "") })
//!     }
//!     fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
//!         if let Value::String(s) = &record.value.value {
//!             record.value.value = Value::String(s.to_uppercase() + &self.suffix);
//!         }
//!         wasm_connect_sdk::debug!("transformed a record for {}", record.topic);
//!         Ok(Some(record))
//!     }
//! }
//!
//! wasm_connect_sdk::export_transform!(Upper);
//! # fn main() {}
//! ```
//!
//! Build with `cargo build --release --target wasm32-wasip2`; the `.wasm` in
//! `target/wasm32-wasip2/release/` is the component. On other targets the crate still compiles
//! (for unit tests): host imports then log to standard error and find no stored offsets.

pub mod config;
pub mod error;
pub mod log;
pub mod plugin;
pub mod requirements;
pub mod source_context;

#[doc(hidden)]
#[path = "glue.rs"]
pub mod __glue;

pub use config::{Config, ConfigError, ConfigKey, ConfigType, Importance, PathAccess, Validator};
pub use error::{PluginError, Result};
pub use plugin::{
    Connector, Plugin, PluginInfo, Predicate, SinkConnector, SinkRecord, SinkTask, SourceConnector,
    SourceRecord, SourceTask, TopicPartitionOffset, Transform,
};

/// The Kafka Connect data model: schemas, values, structs and records.
pub mod types {
    pub use wasm_connect_data::values;
    pub use wasm_connect_data::{
        ConnectRecord, Field, Header, OffsetMap, OffsetValue, Schema, SchemaAndValue,
        SchemaBuilder, SchemaType, Struct, Value,
    };
}

/// Everything a plugin usually needs: `use wasm_connect_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::config::{Config, ConfigError, ConfigKey, Importance, PathAccess, Validator};
    pub use crate::error::{PluginError, Result};
    pub use crate::plugin::{
        Plugin, PluginInfo, Predicate, SinkConnector, SinkRecord, SinkTask, SourceConnector,
        SourceRecord, SourceTask, TopicPartitionOffset, Transform,
    };
    pub use crate::types::*;
}

/// Bindings generated once for the WIT world `plugin-imports`; plugin crates reuse its `types`,
/// `host` and `source-context` modules.
#[doc(hidden)]
#[allow(missing_docs, unsafe_code, clippy::all, clippy::unwrap_used)]
pub mod __wit {
    wit_bindgen::generate!({
        path: "../wit",
        world: "plugin-imports",
        generate_unused_types: true,
    });
}

/// WIT ↔ data model conversions (from `wasm_connect_data::wit_conversions!`).
#[doc(hidden)]
#[allow(missing_docs, dead_code)]
pub mod convert {
    wasm_connect_data::wit_conversions!(crate::__wit::wasm_connect::plugin::types);
}

#[doc(hidden)]
pub use wasm_connect_sdk_macro::generate_world as __generate_world;
#[doc(hidden)]
pub use wit_bindgen as __wit_bindgen;

/// Export a source connector and its task type as a `source-plugin` component.
///
/// `$connector` implements [`Plugin`] and [`SourceConnector`]; `$task` implements [`SourceTask`].
/// Call it once, at the root of a `cdylib` crate.
#[macro_export]
macro_rules! export_source {
    ($connector:ty, $task:ty $(,)?) => {
        #[doc(hidden)]
        #[allow(missing_docs, unsafe_code, unused, clippy::all, clippy::unwrap_used)]
        mod __wasm_connect_export {
            use super::*;
            $crate::__generate_world!("source-plugin");
            type __Connector = $connector;
            type __Task = $task;
            use $crate::__wit::wasm_connect::plugin::types as __Types;
            $crate::__export_plugin_interface!(__Connector);
            $crate::__export_connector_interface!(__Connector);
            ::std::thread_local! {
                static __TASK: ::core::cell::RefCell<::core::option::Option<__Task>> =
                    const { ::core::cell::RefCell::new(::core::option::Option::None) };
            }
            impl exports::wasm_connect::plugin::source_task::Guest for __Export {
                fn start(
                    config: __Types::ConfigMap,
                ) -> ::core::result::Result<(), __Types::PluginError> {
                    $crate::__glue::source_start(&__TASK, config)
                }
                fn poll() -> ::core::result::Result<
                    ::std::vec::Vec<__Types::SourceRecord>,
                    __Types::PluginError,
                > {
                    $crate::__glue::source_poll(&__TASK)
                }
                fn commit() -> ::core::result::Result<(), __Types::PluginError> {
                    $crate::__glue::source_commit(&__TASK)
                }
                fn stop() {
                    $crate::__glue::stop(&__TASK, <__Task as $crate::SourceTask>::stop)
                }
            }
            export!(__Export);
        }
    };
}

/// Export a sink connector and its task type as a `sink-plugin` component.
///
/// `$connector` implements [`Plugin`] and [`SinkConnector`]; `$task` implements [`SinkTask`].
/// Call it once, at the root of a `cdylib` crate.
#[macro_export]
macro_rules! export_sink {
    ($connector:ty, $task:ty $(,)?) => {
        #[doc(hidden)]
        #[allow(missing_docs, unsafe_code, unused, clippy::all, clippy::unwrap_used)]
        mod __wasm_connect_export {
            use super::*;
            $crate::__generate_world!("sink-plugin");
            type __Connector = $connector;
            type __Task = $task;
            use $crate::__wit::wasm_connect::plugin::types as __Types;
            $crate::__export_plugin_interface!(__Connector);
            $crate::__export_connector_interface!(__Connector);
            ::std::thread_local! {
                static __TASK: ::core::cell::RefCell<::core::option::Option<__Task>> =
                    const { ::core::cell::RefCell::new(::core::option::Option::None) };
            }
            impl exports::wasm_connect::plugin::sink_task::Guest for __Export {
                fn start(
                    config: __Types::ConfigMap,
                ) -> ::core::result::Result<(), __Types::PluginError> {
                    $crate::__glue::sink_start(&__TASK, config)
                }
                fn put(
                    records: ::std::vec::Vec<__Types::SinkRecord>,
                ) -> ::core::result::Result<(), __Types::PluginError> {
                    $crate::__glue::sink_put(&__TASK, records)
                }
                fn flush(
                    offsets: ::std::vec::Vec<__Types::TopicPartitionOffset>,
                ) -> ::core::result::Result<(), __Types::PluginError> {
                    $crate::__glue::sink_flush(&__TASK, offsets)
                }
                fn stop() {
                    $crate::__glue::stop(&__TASK, <__Task as $crate::SinkTask>::stop)
                }
            }
            export!(__Export);
        }
    };
}

/// Export a [`Transform`] (which also implements [`Plugin`]) as a `transform-plugin` component.
/// Call it once, at the root of a `cdylib` crate.
#[macro_export]
macro_rules! export_transform {
    ($transform:ty $(,)?) => {
        #[doc(hidden)]
        #[allow(missing_docs, unsafe_code, unused, clippy::all, clippy::unwrap_used)]
        mod __wasm_connect_export {
            use super::*;
            $crate::__generate_world!("transform-plugin");
            type __Plugin = $transform;
            use $crate::__wit::wasm_connect::plugin::types as __Types;
            $crate::__export_plugin_interface!(__Plugin);
            ::std::thread_local! {
                static __INSTANCE: ::core::cell::RefCell<::core::option::Option<__Plugin>> =
                    const { ::core::cell::RefCell::new(::core::option::Option::None) };
            }
            impl exports::wasm_connect::plugin::transform::Guest for __Export {
                fn configure(
                    config: __Types::ConfigMap,
                ) -> ::core::result::Result<(), __Types::PluginError> {
                    $crate::__glue::configure(
                        &__INSTANCE,
                        config,
                        <__Plugin as $crate::Transform>::configure,
                    )
                }
                fn apply(
                    records: ::std::vec::Vec<__Types::ConnectRecord>,
                ) -> ::std::vec::Vec<
                    ::core::result::Result<
                        ::core::option::Option<__Types::ConnectRecord>,
                        __Types::PluginError,
                    >,
                > {
                    $crate::__glue::transform_apply(&__INSTANCE, records)
                }
            }
            export!(__Export);
        }
    };
}

/// Export a [`Predicate`] (which also implements [`Plugin`]) as a `predicate-plugin` component.
/// Call it once, at the root of a `cdylib` crate.
#[macro_export]
macro_rules! export_predicate {
    ($predicate:ty $(,)?) => {
        #[doc(hidden)]
        #[allow(missing_docs, unsafe_code, unused, clippy::all, clippy::unwrap_used)]
        mod __wasm_connect_export {
            use super::*;
            $crate::__generate_world!("predicate-plugin");
            type __Plugin = $predicate;
            use $crate::__wit::wasm_connect::plugin::types as __Types;
            $crate::__export_plugin_interface!(__Plugin);
            ::std::thread_local! {
                static __INSTANCE: ::core::cell::RefCell<::core::option::Option<__Plugin>> =
                    const { ::core::cell::RefCell::new(::core::option::Option::None) };
            }
            impl exports::wasm_connect::plugin::predicate::Guest for __Export {
                fn configure(
                    config: __Types::ConfigMap,
                ) -> ::core::result::Result<(), __Types::PluginError> {
                    $crate::__glue::configure(
                        &__INSTANCE,
                        config,
                        <__Plugin as $crate::Predicate>::configure,
                    )
                }
                fn test(
                    records: ::std::vec::Vec<__Types::ConnectRecord>,
                ) -> ::std::vec::Vec<::core::result::Result<bool, __Types::PluginError>> {
                    $crate::__glue::predicate_test(&__INSTANCE, records)
                }
            }
            export!(__Export);
        }
    };
}

/// Defines `__Export` and implements the `plugin` interface for it (used by the export macros).
#[doc(hidden)]
#[macro_export]
macro_rules! __export_plugin_interface {
    ($plugin:ty) => {
        struct __Export;
        impl exports::wasm_connect::plugin::plugin::Guest for __Export {
            fn info() -> $crate::__wit::wasm_connect::plugin::types::PluginInfo {
                $crate::__glue::info::<$plugin>()
            }
            fn config_definition()
            -> ::std::vec::Vec<$crate::__wit::wasm_connect::plugin::types::ConfigKey> {
                $crate::__glue::config_definition::<$plugin>()
            }
        }
    };
}

/// Implements the `connector` interface for `__Export` (used by the export macros).
#[doc(hidden)]
#[macro_export]
macro_rules! __export_connector_interface {
    ($connector:ty) => {
        ::std::thread_local! {
            static __CONNECTOR: ::core::cell::RefCell<::core::option::Option<$connector>> =
                const { ::core::cell::RefCell::new(::core::option::Option::None) };
        }
        impl exports::wasm_connect::plugin::connector::Guest for __Export {
            fn validate(
                config: $crate::__wit::wasm_connect::plugin::types::ConfigMap,
            ) -> ::std::vec::Vec<$crate::__wit::wasm_connect::plugin::types::ConfigError> {
                $crate::__glue::connector_validate::<$connector>(config)
            }
            fn start(
                config: $crate::__wit::wasm_connect::plugin::types::ConfigMap,
            ) -> ::core::result::Result<(), $crate::__wit::wasm_connect::plugin::types::PluginError>
            {
                $crate::__glue::connector_start(&__CONNECTOR, config)
            }
            fn task_configs(
                max_tasks: u32,
            ) -> ::core::result::Result<
                ::std::vec::Vec<$crate::__wit::wasm_connect::plugin::types::ConfigMap>,
                $crate::__wit::wasm_connect::plugin::types::PluginError,
            > {
                $crate::__glue::connector_task_configs(&__CONNECTOR, max_tasks)
            }
            fn stop() {
                $crate::__glue::stop(&__CONNECTOR, <$connector as $crate::Connector>::stop)
            }
        }
    };
}
