//! A Rust source plugin from `wasm-connect plugin new` builds with `plugin build`, runs under
//! `plugin test`, and delivers its records in a worker (source → Kafka → FileStreamSink).

use std::process::Command;
use std::time::Duration;

use anyhow::Result;
use serde_json::json;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, built_component, file_lines, free_port, run_ok,
    target_profile_dir, wait_for_lines, worker_binary, worker_properties,
};

#[test]
fn rust_source_template_builds_tests_and_runs_in_a_worker() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut new = Command::new(worker_binary()?);
    new.args([
        "plugin", "new", "greeter", "--lang", "rust", "--kind", "source", "--dir",
    ])
    .arg(dir.path());
    let out = run_ok(new)?;
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created"));
    let project = dir.path().join("greeter");
    for file in ["Cargo.toml", "src/lib.rs", "wasm-connect.toml", "README.md"] {
        assert!(project.join(file).is_file(), "no {file}");
    }

    // One target dir for every build of this test crate's runs (the SDK compiles once).
    let mut build = Command::new(worker_binary()?);
    build.args(["plugin", "build"]).arg(&project).env(
        "CARGO_TARGET_DIR",
        target_profile_dir()?.join("plugin-projects"),
    );
    let wasm = built_component(&run_ok(build)?)?;
    assert!(wasm.ends_with("greeter.wasm"), "{}", wasm.display());
    let wasm = wasm.display().to_string();

    let mut test = Command::new(worker_binary()?);
    test.args([
        "plugin",
        "test",
        &wasm,
        "-c",
        "topic=greetings",
        "-c",
        "max.records=3",
    ])
    .args(["--polls", "2"]);
    let out = run_ok(test)?;
    let values: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let texts: Vec<&str> = values.iter().filter_map(|v| v["value"].as_str()).collect();
    assert_eq!(texts, ["hello 0", "hello 1", "hello 2"], "{values:?}");
    assert!(values.iter().all(|v| v["topic"] == "greetings"));

    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let worker = WorkerProcess::start(dir.path(), &props, port, &[], "worker.log")?;
    let body = worker.upload_plugin(wasm.as_ref())?;
    assert_eq!(body["class"], "Greeter", "{body}");
    let output = dir.path().join("out.txt");
    for (name, config) in [
        (
            "greeter",
            json!({"connector.class": "Greeter", "topic": "greetings", "max.records": "5"}),
        ),
        (
            "sink",
            json!({"connector.class": "FileStreamSink", "topics": "greetings",
                   "file": output.display().to_string()}),
        ),
    ] {
        worker.create_connector(name, config)?;
    }
    wait_for_lines(&output, 5, Duration::from_secs(90))?;
    let mut got = file_lines(&output);
    got.sort();
    assert_eq!(
        got,
        (0..5).map(|n| format!("hello {n}")).collect::<Vec<_>>()
    );
    Ok(())
}
