//! Wasm Connect worker library.
