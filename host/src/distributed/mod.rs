//! Distributed mode's storage: the three internal topics (config, offsets, status) read and
//! written through the Kafka protocol. Coordination of workers is the pure state machine in the
//! `wasm-connect-coordination` crate; [`crate::herder::DistributedHerder`] ties them together.

pub mod kafka_io;
pub mod offsets;
pub mod records;
pub mod status;
pub mod topics;
pub mod worker;

pub use worker::{DistributedOptions, run_distributed};
