//! Fuzz the running worker's REST API from its own OpenAPI description with schemathesis (from
//! PyPI; `.ci/run` installs it): no request, however malformed, may get a 5xx answer.
//!
//! Two runs: one with generated names (mostly unknown connectors, plus creates and deletes), and
//! one aimed at an existing, STOPPED sink connector (its config, offsets, topics, restarts…).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::json;
use wasm_connect_tests::start_worker_with_fixtures;

/// The schemathesis executable: `$SCHEMATHESIS`, or `schemathesis` on the PATH.
fn schemathesis() -> String {
    std::env::var("SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into())
}

fn fuzz(dir: &Path, url: &str, config: Option<&str>, extra: &[&str]) -> Result<()> {
    let mut command = Command::new(schemathesis());
    if let Some(config) = config {
        let path = dir.join("schemathesis.toml");
        std::fs::write(&path, config)?;
        command.arg("--config-file").arg(&path);
    }
    command
        .arg("run")
        .arg(format!("{url}/openapi.json"))
        .args(["--checks", "not_a_server_error", "--max-examples", "40"])
        // One worker: Python 3.11's parser is not thread-safe for hypothesis' lambda reprs.
        .args(["--workers", "1"])
        .args(["--report-dir"])
        .arg(dir.join("schemathesis-report"))
        .args(extra)
        .current_dir(dir)
        .env("NO_COLOR", "1");
    let output = command.output().with_context(|| {
        format!(
            "cannot run {}: install it with `python3 -m pip install schemathesis==4.32.5` \
             (.ci/run does), or set SCHEMATHESIS to its path",
            schemathesis()
        )
    })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        bail!("schemathesis found failures ({}):\n{text}", output.status);
    }
    if !text.contains("passed") {
        bail!("schemathesis ran no test:\n{text}");
    }
    Ok(())
}

#[test]
fn no_request_gets_a_server_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (_broker, worker) = start_worker_with_fixtures(dir.path())?;
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "a\nb\n")?;
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "fuzz-source", "config": {
            "connector.class": "FileStreamSource", "file": input.display().to_string(),
            "topic": "fuzz"}})),
    )?;
    assert_eq!(code, 201, "{body}");
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(
            json!({"name": "fuzz-sink", "initial_state": "STOPPED", "config": {
            "connector.class": "FileStreamSink",
            "file": dir.path().join("out.txt").display().to_string(), "topics": "fuzz"}}),
        ),
    )?;
    assert_eq!(code, 201, "{body}");

    fuzz(dir.path(), &worker.url, None, &[])
        .with_context(|| format!("worker log:\n{}", worker.process.output()))?;
    // Aim at the existing sink; `DELETE /connectors/{name}` would end that run early.
    fuzz(
        dir.path(),
        &worker.url,
        Some("[parameters]\nname = \"fuzz-sink\"\n"),
        &["--exclude-path", "/connectors/{name}"],
    )
    .with_context(|| format!("worker log:\n{}", worker.process.output()))?;

    let (code, _) = worker.call("GET", "/", None)?;
    assert_eq!(code, 200, "the worker must still answer");
    let (code, body) = worker.call("GET", "/connectors/fuzz-source/status", None)?;
    assert_eq!(code, 200, "{body}");
    Ok(())
}
