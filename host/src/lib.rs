//! Wasm Connect: a Kafka Connect worker whose connectors, transforms and predicates are
//! WebAssembly components.
//!
//! Modules, one concern each: [`runtime`] (wasmtime), [`config`] (properties and validation),
//! [`plugins`] (the plugin registry), [`kafka`] (clients), [`task`] (source and sink task loops),
//! [`offsets`] (source offset storage), [`herder`] (connector lifecycle), [`rest`] (the REST API),
//! [`broker`] (the embedded Kafka-protocol broker), [`worker`] (putting a worker together),
//! [`cli`] (the command-line client of the REST API).

pub mod bench;
pub mod broker;
pub mod cli;
pub mod config;
pub mod demo;
pub mod distributed;
pub mod herder;
pub mod kafka;
pub mod logging;
pub mod offsets;
pub mod plugin_dev;
pub mod plugin_runner;
pub mod plugins;
pub mod rest;
pub mod runtime;
pub mod task;
pub mod tenancy;
pub mod worker;
