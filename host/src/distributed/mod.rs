//! Distributed mode's storage: the internal topics (config, offsets, status, uploaded plugins)
//! read and written through the Kafka protocol. Coordination of workers is the pure state machine in the
//! `wasm-connect-coordination` crate; [`crate::herder::DistributedHerder`] ties them together.

pub mod kafka_io;
pub mod offsets;
pub mod plugins;
pub mod records;
pub mod status;
pub mod topics;
pub mod worker;

pub use worker::{DistributedOptions, run_distributed};
