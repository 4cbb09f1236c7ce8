//! `wasm-connect bench`: throughput measurements, printed for a person to read.
//!
//! - [`pipeline`] (the default): the file → Kafka → file pipeline of Wasm plugins against a raw
//!   rdkafka produce → consume loop on the same embedded broker;
//! - [`transforms`] (`--transforms`): a chain of three Wasm transforms run by the task's
//!   [`TransformChain`](crate::task::TransformChain) against the same logic written natively in
//!   the host;
//! - [`failover`] (`--failover`): time from `kill -9` and from SIGTERM of a distributed worker until
//!   its task runs on another worker;
//! - [`plugins`] (`--plugins`): compile against cached load of plugins, and upload-to-runnable on
//!   a second worker;
//! - [`tenants`] (`--tenants`): one tenant's pipeline throughput alone and while another tenant
//!   runs a CPU-bound plugin, with and without its `task.cpu.share` quota;
//! - [`languages`] (`--languages`): the same transform built from the Rust, Python, JavaScript and
//!   C templates of `plugin new`, against the same logic native.

pub mod cluster;
pub mod failover;
pub mod languages;
pub mod pipeline;
pub mod plugins;
pub mod tenants;
pub mod transforms;

pub use pipeline::run;
