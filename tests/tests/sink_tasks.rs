//! `tasks.max` on a sink is capped by the partitions of its topics, and each task is reported.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;
use wasm_connect_tests::{BrokerProcess, WorkerProcess, free_port, worker_properties};

#[test]
fn a_sink_never_runs_more_tasks_than_partitions() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let settings = [("bootstrap.servers".to_string(), broker.bootstrap.clone())].into();
    tokio::runtime::Runtime::new()?.block_on(wasm_connect::kafka::ensure_topic(
        &settings,
        "two-partitions",
        2,
        1,
        &[],
    ))?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let worker = WorkerProcess::start(dir.path(), &props, port, &[], "worker.log")?;
    let output = dir.path().join("out.txt").display().to_string();
    let config = json!({"connector.class": "FileStreamSink", "file": output, "topics": "two-partitions", "tasks.max": "4"});
    let (code, created) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "capped", "config": config})),
    )?;
    assert_eq!(code, 201, "{created}");
    let (code, tasks) = worker.call("GET", "/connectors/capped/tasks", None)?;
    assert_eq!(code, 200);
    assert_eq!(tasks.as_array().map(Vec::len), Some(2), "{tasks}");
    let status = worker.wait_status("capped", Duration::from_secs(60), |s| {
        s["tasks"]
            .as_array()
            .is_some_and(|t| t.len() == 2 && t.iter().all(|t| t["state"] == "RUNNING"))
    })?;
    assert_eq!(status["type"], "sink");
    Ok(())
}
