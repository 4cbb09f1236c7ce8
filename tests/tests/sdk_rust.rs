//! A Rust source plugin from `wasm-connect plugin new` builds with `plugin build`, runs under
//! `plugin test`, and delivers its records in a worker (source → Kafka → FileStreamSink).

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::json;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, free_port, target_profile_dir, wait_for_lines, worker_binary,
    worker_properties,
};

fn run(mut command: Command) -> Result<Output> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

#[test]
fn rust_source_template_builds_tests_and_runs_in_a_worker() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut new = Command::new(worker_binary()?);
    new.args([
        "plugin", "new", "greeter", "--lang", "rust", "--kind", "source", "--dir",
    ])
    .arg(dir.path());
    let out = run(new)?;
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
    let out = run(build)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let wasm = stdout
        .lines()
        .last()
        .context("no output")?
        .trim()
        .to_string();
    assert!(
        wasm.ends_with("greeter.wasm") && Path::new(&wasm).is_file(),
        "{stdout}"
    );

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
    let out = run(test)?;
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
    let (code, body) = worker.post_bytes(
        "/connector-plugins",
        "application/wasm",
        &std::fs::read(&wasm)?,
    )?;
    assert_eq!(code, 201, "{body}");
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
        let (code, body) = worker.call(
            "POST",
            "/connectors",
            Some(json!({"name": name, "config": config})),
        )?;
        assert_eq!(code, 201, "{body}");
    }
    wait_for_lines(&output, 5, Duration::from_secs(90))?;
    let mut got: Vec<String> = std::fs::read_to_string(&output)?
        .lines()
        .map(str::to_string)
        .collect();
    got.sort();
    assert_eq!(
        got,
        (0..5).map(|n| format!("hello {n}")).collect::<Vec<_>>()
    );
    Ok(())
}
