//! `wasm-connect` command line.
fn main() {}
