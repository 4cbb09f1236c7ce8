//! Wasm Connect: a Kafka Connect worker whose connectors, transforms and predicates are
//! WebAssembly components.
//!
//! Modules, one concern each: [`runtime`] (wasmtime), [`config`] (properties and validation),
//! [`plugins`] (the plugin registry), [`kafka`] (clients), [`task`] (source and sink task loops),
//! [`offsets`] (source offset storage), [`herder`] (connector lifecycle), [`rest`] (the REST API),
//! [`broker`] (the embedded Kafka-protocol broker), [`worker`] (putting a worker together).

pub mod config;
pub mod runtime;
pub mod herder;
pub mod rest;
pub mod kafka;
pub mod offsets;
pub mod plugins;
pub mod task;
pub mod broker;
pub mod worker;
pub mod bench;
pub mod demo;
