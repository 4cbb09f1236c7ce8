//! Plugins uploaded over REST: every bad upload refused with its own message and nothing kept;
//! an uploaded transform runs at once; a pinned version is upgraded and rolled back on a running
//! connector with no record lost; a version in use cannot be deleted; uploads survive a restart.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::json;
use sha2::{Digest, Sha256};
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, fixtures_dir, free_port, line_count, worker_properties,
};

const TIMEOUT: Duration = Duration::from_secs(90);

fn fixture(name: &str) -> Result<Vec<u8>> {
    Ok(std::fs::read(fixtures_dir()?.join(format!("{name}.wasm")))?)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn append(path: &Path, from: usize, to: usize) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for i in from..to {
        writeln!(file, "line-{i:04}")?;
    }
    Ok(())
}

fn wait_lines(path: &Path, count: usize) -> Result<()> {
    let deadline = Instant::now() + TIMEOUT;
    while line_count(path) < count {
        if Instant::now() > deadline {
            bail!(
                "{} has {} lines, not {count}",
                path.display(),
                line_count(path)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

fn versions(worker: &WorkerProcess, plugin: &str) -> Result<Vec<String>> {
    let (code, body) = worker.call(
        "GET",
        &format!("/connector-plugins/{plugin}/versions"),
        None,
    )?;
    if code == 404 {
        return Ok(Vec::new());
    }
    Ok(body
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v["version"].as_str().unwrap_or_default().to_string())
        .collect())
}

fn refused(worker: &WorkerProcess, bytes: &[u8], code: u16, needle: &str) -> Result<()> {
    let (status, body) = worker.post_bytes("/connector-plugins", "application/wasm", bytes)?;
    assert_eq!(status, code, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(needle),
        "expected {needle:?} in: {message}"
    );
    Ok(())
}

#[test]
fn uploads_are_checked_run_at_once_upgrade_and_survive_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(
        dir.path(),
        &broker.bootstrap,
        port,
        &[("plugin.upload.max.bytes", "40000000")],
    )?;
    let mut worker = WorkerProcess::start(dir.path(), &props, port, &[], "worker.log")?;
    let storage = dir.path().join("offsets.json.plugins");

    // Every bad upload, refused with its own message.
    refused(&worker, b"", 400, "empty")?;
    refused(&worker, b"PK\x03\x04 a zip file", 400, "not WebAssembly")?;
    refused(
        &worker,
        b"\0asm\x0d\x00\x01\x00\xff\xff",
        400,
        "cannot compile",
    )?;
    refused(
        &worker,
        &wat::parse_str("(module)")?,
        400,
        "core WebAssembly module",
    )?;
    refused(
        &worker,
        &wat::parse_str("(component)")?,
        400,
        "does not export a plugin interface",
    )?;
    let other_wit = wat::parse_str(
        r#"(component (instance $i) (export "wasm-connect:plugin/plugin@0.9.0" (instance $i)))"#,
    )?;
    refused(&worker, &other_wit, 400, "wasm-connect:plugin@0.9.0")?;
    let foreign_import = wat::parse_str(
        r#"(component (import "acme:db/query@1.0.0" (instance (export "run" (func)))))"#,
    )?;
    refused(&worker, &foreign_import, 400, "does not provide")?;
    refused(
        &worker,
        &vec![0u8; 40_000_001],
        413,
        "plugin.upload.max.bytes",
    )?;
    assert!(versions(&worker, "TagTransform")?.is_empty());
    assert!(
        std::fs::read_dir(&storage).map_or(0, |d| d.count()) == 0,
        "a refused upload was stored"
    );

    // Version 1: created, then the same bytes again are no error.
    let v1 = fixture("tag-transform")?;
    let (code, body) = worker.post_bytes("/connector-plugins", "application/wasm", &v1)?;
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["class"], "TagTransform");
    assert_eq!(body["version"], "1.0.0");
    assert_eq!(body["sha256"], hex::encode(Sha256::digest(&v1)));
    let (code, _) = worker.post_bytes("/connector-plugins", "application/wasm", &v1)?;
    assert_eq!(code, 200);

    // A pipeline through the uploaded transform, pinned to 1.0.0.
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    append(&input, 0, 5)?;
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "src", "config": {
            "connector.class": "FileStreamSource", "file": input.display().to_string(),
            "topic": "tagged", "topic.creation.default.partitions": "1",
            "transforms": "tag", "transforms.tag.type": "TagTransform",
            "transforms.tag.plugin.version": "1.0.0"}})),
    )?;
    assert_eq!(code, 201, "{body}");
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "snk", "config": {
            "connector.class": "FileStreamSink", "file": output.display().to_string(),
            "topics": "tagged"}})),
    )?;
    assert_eq!(code, 201, "{body}");
    wait_lines(&output, 5)?;
    assert!(
        lines(&output).iter().all(|l| l.ends_with("|v1")),
        "{:?}",
        lines(&output)
    );

    // Version 2; a version that does not exist is a validation error on the pin.
    let v2 = fixture("tag-transform-2")?;
    let (code, body) = worker.post_bytes("/connector-plugins", "application/wasm", &v2)?;
    assert_eq!(code, 201, "{body}");
    assert_eq!(versions(&worker, "TagTransform")?, ["1.0.0", "2.0.0"]);
    let (code, body) = worker.call(
        "PATCH",
        "/connectors/src/config",
        Some(json!({"transforms.tag.plugin.version": "3.0.0"})),
    )?;
    assert_eq!(code, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("transforms.tag.plugin.version"),
        "{body}"
    );

    // Upgrade while lines keep coming: before the switch v1, after it v2, none lost.
    let (code, body) = worker.call(
        "PATCH",
        "/connectors/src/config",
        Some(json!({"transforms.tag.plugin.version": "2.0.0"})),
    )?;
    assert_eq!(code, 200, "{body}");
    append(&input, 5, 10)?;
    wait_lines(&output, 10)?;
    // Rollback.
    let (code, body) = worker.call(
        "PATCH",
        "/connectors/src/config",
        Some(json!({"transforms.tag.plugin.version": "1.0.0"})),
    )?;
    assert_eq!(code, 200, "{body}");
    append(&input, 10, 15)?;
    wait_lines(&output, 15)?;
    let got = lines(&output);
    let expected: Vec<String> = (0..15)
        .map(|i| format!("line-{i:04}|v{}", if (5..10).contains(&i) { 2 } else { 1 }))
        .collect();
    assert_eq!(got, expected);

    // In use: refused; a bundled plugin: refused; unused: deleted.
    let (code, body) = worker.call(
        "DELETE",
        "/connector-plugins/TagTransform/versions/1.0.0",
        None,
    )?;
    assert_eq!(code, 409, "{body}");
    assert!(
        body["message"].as_str().unwrap_or_default().contains("src"),
        "{body}"
    );
    let (code, _) = worker.call(
        "DELETE",
        "/connector-plugins/FileStreamSource/versions/0.1.0",
        None,
    )?;
    assert_eq!(code, 400);
    let (code, body) = worker.call(
        "DELETE",
        "/connector-plugins/TagTransform/versions/2.0.0",
        None,
    )?;
    assert_eq!(code, 204, "{body}");
    assert_eq!(versions(&worker, "TagTransform")?, ["1.0.0"]);

    // A Python-built component: version 0.2.0 of the bundled ChangeCase, pinned by a connector.
    let python = fixture("change-case-0.2.0")?;
    let (code, body) = worker.post_bytes("/connector-plugins", "application/wasm", &python)?;
    assert_eq!(code, 201, "{body}");
    assert_eq!(versions(&worker, "ChangeCase")?, ["0.1.0", "0.2.0"]);
    let upper_in = dir.path().join("upper-in.txt");
    let upper_out = dir.path().join("upper-out.txt");
    std::fs::write(&upper_in, "quiet\nwords\n")?;
    for (name, config) in [
        (
            "upper-src",
            json!({"connector.class": "FileStreamSource", "file": upper_in.display().to_string(),
                "topic": "upper", "transforms": "cc", "transforms.cc.type": "ChangeCase",
                "transforms.cc.plugin.version": "0.2.0"}),
        ),
        (
            "upper-snk",
            json!({"connector.class": "FileStreamSink", "file": upper_out.display().to_string(),
                "topics": "upper"}),
        ),
    ] {
        let (code, body) = worker.call(
            "POST",
            "/connectors",
            Some(json!({"name": name, "config": config})),
        )?;
        assert_eq!(code, 201, "{body}");
    }
    wait_lines(&upper_out, 2)?;
    let mut got = lines(&upper_out);
    got.sort();
    assert_eq!(got, ["QUIET", "WORDS"]);
    let (code, _) = worker.call(
        "DELETE",
        "/connector-plugins/ChangeCase/versions/0.2.0",
        None,
    )?;
    assert_eq!(code, 409, "upper-src runs 0.2.0");

    // The upload outlives the worker.
    worker.process.terminate(Duration::from_secs(30))?;
    let worker = WorkerProcess::start(dir.path(), &props, port, &[], "worker-2.log")?;
    assert_eq!(versions(&worker, "TagTransform")?, ["1.0.0"]);
    assert_eq!(versions(&worker, "ChangeCase")?, ["0.1.0", "0.2.0"]);
    let (code, plugins) = worker.call("GET", "/connector-plugins?connectorsOnly=false", None)?;
    assert_eq!(code, 200);
    assert!(
        plugins
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["class"] == "TagTransform")),
        "{plugins}"
    );
    Ok(())
}
