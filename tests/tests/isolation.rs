//! A plugin that traps, one that loops forever and one that allocates past its memory cap each
//! fail only their own task, with a trace that says why; a healthy connector in the same worker
//! keeps delivering and REST keeps answering.

use std::time::Duration;

use anyhow::Result;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, fixtures_dir, free_port, line_count,
    wait_for_lines, worker_properties,
};

fn failed_with(status: &serde_json::Value, needle: &str) -> bool {
    status["tasks"][0]["state"] == "FAILED"
        && status["tasks"][0]["trace"]
            .as_str()
            .is_some_and(|t| t.contains(needle))
}

#[test]
fn bad_plugins_fail_only_their_own_task() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let fixtures = fixtures_dir()?.display().to_string();
    let props = worker_properties(
        dir.path(),
        &broker.bootstrap,
        port,
        &[("plugin.path", &fixtures)],
    )?;
    let output = dir.path().join("healthy.txt");
    let output_path = output.display().to_string();
    let mut files = vec![
        connector_file(
            dir.path(),
            "healthy-source",
            &[
                ("connector.class", "CountingSource"),
                ("topic", "healthy"),
                ("batch.size", "50"),
            ],
        )?,
        connector_file(
            dir.path(),
            "healthy-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("topics", "healthy"),
                ("file", &output_path),
            ],
        )?,
    ];
    for (name, transform, extra) in [
        (
            "trapping",
            "TrapTransform",
            ("wasm.call.timeout.ms", "30000"),
        ),
        ("looping", "LoopTransform", ("wasm.call.timeout.ms", "1000")),
        (
            "hungry",
            "OomTransform",
            ("wasm.memory.max.bytes", "67108864"),
        ),
    ] {
        files.push(connector_file(
            dir.path(),
            name,
            &[
                ("connector.class", "CountingSource"),
                ("topic", name),
                ("transforms", "bad"),
                ("transforms.bad.type", transform),
                extra,
            ],
        )?);
    }
    let worker = WorkerProcess::start(dir.path(), &props, port, &files, "worker.log")?;
    let timeout = Duration::from_secs(120);
    let trap = worker.wait_status("trapping", timeout, |s| failed_with(s, "unreachable"))?;
    let looping = worker.wait_status("looping", timeout, |s| {
        failed_with(s, "wasm.call.timeout.ms")
    })?;
    let hungry = worker.wait_status("hungry", timeout, |s| {
        failed_with(s, "wasm.memory.max.bytes")
    })?;
    for status in [&trap, &looping, &hungry] {
        assert_eq!(
            status["connector"]["state"], "RUNNING",
            "only the task fails: {status}"
        );
    }
    // The healthy pipeline keeps delivering after the failures.
    wait_for_lines(&output, 100, timeout)?;
    let before = line_count(&output);
    wait_for_lines(&output, before + 100, timeout)?;
    let (code, healthy) = worker.call("GET", "/connectors/healthy-source/status", None)?;
    assert_eq!(code, 200);
    assert_eq!(healthy["tasks"][0]["state"], "RUNNING");
    let (code, list) = worker.call("GET", "/connectors?expand=status", None)?;
    assert_eq!(code, 200);
    assert_eq!(list.as_object().map(|o| o.len()), Some(5));
    // A failed task can be restarted over REST (it fails again, the worker stays up).
    let (code, _) = worker.call("POST", "/connectors/trapping/tasks/0/restart", None)?;
    assert_eq!(code, 204);
    worker.wait_status("trapping", timeout, |s| failed_with(s, "unreachable"))?;
    Ok(())
}
