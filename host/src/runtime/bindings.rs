//! Host bindings generated from the WIT world `host-bindings` (every import and export of every
//! plugin kind). Each plugin instance loads only the exports of its own kind.

#![allow(missing_docs, clippy::all)]

wasmtime::component::bindgen!({
    world: "host-bindings",
    path: "../wit",
});

pub use self::exports::wasm_connect::plugin as guest;
pub use self::wasm_connect::plugin::{host, source_context, types};

/// Conversions between `wasm_connect_data` and the generated WIT types.
pub mod conv {
    wasm_connect_data::wit_conversions!(super::types);
}
