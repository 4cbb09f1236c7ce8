//! Placeholder: writes an empty embedded plugin list until the plugin build lands.
fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(
        format!("{out}/embedded_plugins.rs"),
        "/// Plugins shipped in the binary.\npub static EMBEDDED_PLUGINS: &[(&str, &[u8])] = &[];\n",
    )
    .expect("write embedded_plugins.rs");
}
