//! The Python SDK end to end: `wasm-connect plugin new --lang python` → `plugin build`
//! (componentize-py) → `plugin test` → upload to a worker and run in a real pipeline, for the
//! transform and the sink templates; and the SDK's own unit tests (`python3 -m unittest`).
//!
//! Needs `componentize-py` 0.25.1 on the PATH (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, built_component, file_lines, free_port, run_ok, wait_for_lines,
    worker_binary, worker_properties,
};

const TIMEOUT: Duration = Duration::from_secs(180);

/// `plugin new` then `plugin build`; the component's path.
fn new_and_build(dir: &Path, name: &str, kind: &str) -> Result<PathBuf> {
    let mut new = Command::new(worker_binary()?);
    new.args([
        "plugin", "new", name, "--lang", "python", "--kind", kind, "--dir",
    ])
    .arg(dir);
    let out = run_ok(new)?;
    let project = dir.join(name);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Created"), "{stdout}");
    for file in [
        "app.py",
        "test_app.py",
        "README.md",
        "wasm-connect.toml",
        "wasm_connect/__init__.py",
        "wit/plugins.wit",
    ] {
        assert!(project.join(file).is_file(), "{name}: no {file}");
    }

    // The generated unit tests pass in plain CPython.
    let mut unit = Command::new("python3");
    unit.args(["-m", "unittest", "-v"])
        .current_dir(&project)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let out = run_ok(unit)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("OK") && !stderr.contains("Ran 0 tests"),
        "{stderr}"
    );

    let started = Instant::now();
    let mut build = Command::new(worker_binary()?);
    build.args(["plugin", "build"]).arg(&project);
    let out = run_ok(build)?;
    eprintln!(
        "plugin build ({kind}) took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let wasm = built_component(&out)?;
    assert_eq!(
        wasm,
        project
            .canonicalize()?
            .join("build")
            .join(format!("{name}.wasm"))
    );
    Ok(wasm)
}

/// `plugin test`, with its compiled-component cache under `cache_root` (shared with the worker).
fn plugin_test(wasm: &Path, cache_root: &Path, args: &[&str]) -> Result<Output> {
    let mut test = Command::new(worker_binary()?);
    test.args(["plugin", "test"])
        .arg(wasm)
        .args(args)
        .env("TMPDIR", cache_root);
    run_ok(test)
}

/// A broker and a standalone worker sharing `plugin test`'s component cache.
fn start_worker(dir: &Path, cache_root: &Path) -> Result<(BrokerProcess, WorkerProcess)> {
    let broker = BrokerProcess::start(dir)?;
    let port = free_port()?;
    let cache = cache_root
        .join("wasm-connect-plugin-test-cache")
        .display()
        .to_string();
    let props = worker_properties(
        dir,
        &broker.bootstrap,
        port,
        &[("plugin.cache.dir", &cache)],
    )?;
    let worker = WorkerProcess::start(dir, &props, port, &[], "worker.log")?;
    Ok((broker, worker))
}

fn upload(worker: &WorkerProcess, wasm: &Path, class: &str) -> Result<()> {
    let body = worker.upload_plugin(wasm)?;
    assert_eq!(body["class"], class, "{body}");
    assert_eq!(body["version"], "0.1.0", "{body}");
    Ok(())
}

fn write_lines(path: &Path, lines: &[&str]) -> Result<()> {
    std::fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )?;
    Ok(())
}

#[test]
fn python_transform_template_builds_tests_and_runs_in_a_pipeline() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let wasm = new_and_build(dir.path(), "py-upper", "transform")?;

    // plugin test: strings upper-cased with the suffix, everything else unchanged.
    let input = dir.path().join("records.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"value\": \"hello\"}\n",
            "{\"value\": 42}\n",
            "{\"key\": \"k\", \"value\": \"straße\", \"headers\": {\"h\": \"v\"}}\n",
            "{\"value\": {\"a\": \"x\"}}\n",
        ),
    )?;
    let input = input.display().to_string();
    let out = plugin_test(&wasm, dir.path(), &["-c", "suffix=!", "--input", &input])?;
    assert_eq!(
        String::from_utf8(out.stdout)?,
        concat!(
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"HELLO!\",\"headers\":{}}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":42,\"headers\":{}}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":\"k\",\"value\":\"STRASSE!\",\"headers\":{\"h\":\"v\"}}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":{\"a\":\"x\"},\"headers\":{}}\n",
        )
    );
    // Without `suffix` its default (empty) applies.
    let out = plugin_test(&wasm, dir.path(), &["--input", &input])?;
    let first = String::from_utf8(out.stdout)?;
    assert!(
        first.starts_with(
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"HELLO\","
        ),
        "{first}"
    );

    // FileStreamSource → PyUpper → FileStreamSink in a worker.
    let (_broker, worker) = start_worker(dir.path(), dir.path())?;
    upload(&worker, &wasm, "PyUpper")?;
    let source_file = dir.path().join("in.txt");
    let sink_file = dir.path().join("out.txt");
    write_lines(&source_file, &["alpha", "beta", "gamma"])?;
    worker.create_connector(
        "src",
        json!({
        "connector.class": "FileStreamSource", "file": source_file.display().to_string(),
        "topic": "words", "topic.creation.default.partitions": "1",
        "transforms": "up", "transforms.up.type": "PyUpper", "transforms.up.suffix": "?"}),
    )?;
    worker.create_connector(
        "snk",
        json!({
        "connector.class": "FileStreamSink", "file": sink_file.display().to_string(),
        "topics": "words"}),
    )?;
    wait_for_lines(&sink_file, 3, TIMEOUT).with_context(|| worker.process.output())?;
    assert_eq!(file_lines(&sink_file), ["ALPHA?", "BETA?", "GAMMA?"]);
    Ok(())
}

#[test]
fn python_sink_template_builds_tests_and_runs_in_a_pipeline() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let wasm = new_and_build(dir.path(), "py-sink", "sink")?;

    // plugin test: the sink appends one line per record to `file` (granted by its
    // PathAccess.WRITE_FILE key); nothing on stdout.
    let input = dir.path().join("records.jsonl");
    std::fs::write(
        &input,
        "{\"value\": \"hello\"}\n{\"value\": {\"n\": 1}}\n{\"value\": null}\n",
    )?;
    let tested = dir.path().join("tested.txt");
    let file = format!("file={}", tested.display());
    let out = plugin_test(
        &wasm,
        dir.path(),
        &[
            "-c",
            &file,
            "-c",
            "prefix=> ",
            "--input",
            &input.display().to_string(),
        ],
    )?;
    assert_eq!(String::from_utf8(out.stdout)?, "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("delivered 3 record(s) to the sink"));
    assert_eq!(
        std::fs::read_to_string(&tested)?,
        "> hello\n> {\"n\": 1}\n> null\n"
    );

    // FileStreamSource → topic → PySink in a worker.
    let (_broker, worker) = start_worker(dir.path(), dir.path())?;
    upload(&worker, &wasm, "PySink")?;
    let source_file = dir.path().join("in.txt");
    let sink_file = dir.path().join("out.txt");
    let words: Vec<String> = (0..20).map(|i| format!("line-{i:02}")).collect();
    write_lines(
        &source_file,
        &words.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    worker.create_connector(
        "src",
        json!({
        "connector.class": "FileStreamSource", "file": source_file.display().to_string(),
        "topic": "lines", "topic.creation.default.partitions": "1"}),
    )?;
    worker.create_connector(
        "snk",
        json!({
        "connector.class": "PySink", "file": sink_file.display().to_string(),
        "prefix": "got ", "topics": "lines"}),
    )?;
    wait_for_lines(&sink_file, 20, TIMEOUT).with_context(|| worker.process.output())?;
    let expected: Vec<String> = words.iter().map(|w| format!("got {w}")).collect();
    assert_eq!(file_lines(&sink_file), expected);
    let status = worker.wait_status("snk", TIMEOUT, |s| s["tasks"][0]["state"] == "RUNNING")?;
    assert_eq!(status["connector"]["state"], "RUNNING", "{status}");
    Ok(())
}

#[test]
fn python_sdk_unit_tests_pass() -> Result<()> {
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/python");
    let mut unit = Command::new("python3");
    unit.args(["-m", "unittest", "discover", "-s", "tests", "-t", "."])
        .current_dir(&sdk)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        // The WIT glue tests need componentize-py: fail rather than skip without it.
        .env("WASM_CONNECT_REQUIRE_ALL_PLUGINS", "1");
    let out = run_ok(unit)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("OK") && !stderr.contains("skipped"),
        "{stderr}"
    );
    Ok(())
}
