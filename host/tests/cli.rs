//! The `wasm-connect` command line: arguments and start-up errors, run as a real process.
//!
//! Cargo builds the `wasm-connect` binary for this test, which also puts it in `target/<profile>/`
//! for the integration tests of the `tests/` crate that spawn workers.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wasm-connect");

#[test]
fn help_lists_every_mode() {
    let out = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run wasm-connect");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for mode in ["standalone", "distributed", "broker", "demo", "bench"] {
        assert!(help.contains(mode), "--help does not list {mode}: {help}");
    }
}

#[test]
fn missing_worker_properties_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-worker.properties");
    let out = Command::new(BIN)
        .arg("standalone")
        .arg(&missing)
        .output()
        .expect("run wasm-connect");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no-such-worker.properties"),
        "error does not name the file: {stderr}"
    );
}

#[test]
fn unknown_mode_is_rejected() {
    let out = Command::new(BIN)
        .arg("clustered")
        .output()
        .expect("run wasm-connect");
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap exits with 2 on usage errors"
    );
}
