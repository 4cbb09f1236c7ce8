//! Procedural macros behind `wasm-connect-sdk`'s export macros.
//!
//! Not meant to be used directly: call `wasm_connect_sdk::export_source!`, `export_sink!`,
//! `export_transform!` or `export_predicate!`.

use proc_macro::TokenStream;

/// Absolute path of the WIT package (`<repo>/wit`), fixed when this crate is compiled.
fn wit_dir() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    let dir = dir.canonicalize().unwrap_or(dir);
    dir.to_string_lossy().into_owned()
}

/// `generate_world!("transform-plugin")`: run `wit_bindgen::generate!` for one plugin world,
/// reusing the SDK's generated `types`, `host` and `source-context` bindings.
///
/// Expands to a `wit_bindgen::generate!` call whose `path` is the absolute WIT directory next to the
/// SDK, so plugin crates need neither a `wit/` folder nor a direct `wit-bindgen` dependency.
#[proc_macro]
pub fn generate_world(input: TokenStream) -> TokenStream {
    let world = input.to_string();
    let world = world.trim().trim_matches('"');
    let kinds = [
        "source-plugin",
        "sink-plugin",
        "transform-plugin",
        "predicate-plugin",
    ];
    if !kinds.contains(&world) {
        let message = format!("unknown plugin world {world:?}; expected one of {kinds:?}");
        return format!("::core::compile_error!({message:?});")
            .parse()
            .unwrap_or_default();
    }
    let sdk = "::wasm_connect_sdk::__wit::wasm_connect::plugin";
    let mut with = format!(
        "\"wasm-connect:plugin/types@0.1.0\": {sdk}::types,\n\
         \"wasm-connect:plugin/host@0.1.0\": {sdk}::host,\n"
    );
    if world == "source-plugin" {
        with.push_str(&format!(
            "\"wasm-connect:plugin/source-context@0.1.0\": {sdk}::source_context,\n"
        ));
    }
    let path = wit_dir();
    let code = format!(
        "::wasm_connect_sdk::__wit_bindgen::generate!({{\n\
            path: {path:?},\n\
            world: {world:?},\n\
            runtime_path: \"::wasm_connect_sdk::__wit_bindgen::rt\",\n\
            with: {{ {with} }},\n\
        }});"
    );
    code.parse().unwrap_or_else(|e| {
        let message = format!("wasm-connect-sdk-macro produced invalid tokens: {e}");
        format!("::core::compile_error!({message:?});")
            .parse()
            .unwrap_or_default()
    })
}
