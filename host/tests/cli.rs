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

/// Run `wasm-connect <mode> <worker.properties>` with `properties`; its exit status and stderr.
fn run_with_properties(mode: &str, properties: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("worker.properties");
    std::fs::write(&path, properties).expect("write properties");
    let out = Command::new(BIN)
        .arg(mode)
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .expect("run wasm-connect");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn tenancy_needs_distributed_mode_and_an_admin_key() {
    let (ok, stderr) = run_with_properties(
        "standalone",
        "bootstrap.servers=127.0.0.1:1\noffset.storage.file.filename=offsets.json\ntenancy.enabled=true\n",
    );
    assert!(!ok);
    assert!(stderr.contains("needs distributed mode"), "{stderr}");
    let distributed = "bootstrap.servers=127.0.0.1:1\ngroup.id=g\nconfig.storage.topic=c\noffset.storage.topic=o\nstatus.storage.topic=s\ntenancy.enabled=true\n";
    let (ok, stderr) = run_with_properties("distributed", distributed);
    assert!(!ok);
    assert!(stderr.contains("tenancy.admin.key.file"), "{stderr}");
    let (ok, stderr) = run_with_properties(
        "distributed",
        &format!("{distributed}tenancy.admin.key.file=/no/such/admin.key\n"),
    );
    assert!(!ok);
    assert!(
        stderr.contains("cannot read /no/such/admin.key"),
        "{stderr}"
    );
}
