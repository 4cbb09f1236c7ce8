//! The Kafka Connect data model shared by the Wasm Connect worker and the Rust guest SDK:
//! schemas, values, structs and records, plus conversions to the WIT arenas
//! ([`wit_conversions!`]), Kafka's string form of values ([`values`]) and the host's converters
//! (feature `converters`).

#[cfg(feature = "converters")]
pub mod converter;
mod record;
mod schema;
mod value;
pub mod values;
pub mod wit_conv;

pub use record::{
    ConnectRecord, Header, OffsetMap, OffsetValue, SchemaAndValue, offset_map_from_json,
    offset_map_to_json,
};
pub use schema::{Field, Schema, SchemaBuilder, SchemaType};
pub use value::{Struct, Value};
