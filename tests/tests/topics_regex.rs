//! A sink subscribed with `topics.regex` picks up a topic created after it started.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, free_port, wait_for_lines, worker_properties,
};

#[test]
fn topics_regex_picks_up_a_topic_created_later() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let worker = WorkerProcess::start(dir.path(), &props, port, &[], "worker.log")?;
    let output = dir.path().join("out.txt");
    let sink = json!({"connector.class": "FileStreamSink", "file": output.display().to_string(), "topics.regex": "late-.*"});
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "regex-sink", "config": sink})),
    )?;
    assert_eq!(code, 201, "{body}");
    worker.wait_status("regex-sink", Duration::from_secs(60), |s| {
        s["tasks"][0]["state"] == "RUNNING"
    })?;

    // Only now does the topic come into existence, created by a source connector.
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "one\ntwo\nthree\n")?;
    let source = json!({"connector.class": "FileStreamSource", "file": input.display().to_string(), "topic": "late-arrivals",
        "topic.creation.default.partitions": "1", "topic.creation.default.replication.factor": "1"});
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "late-source", "config": source})),
    )?;
    assert_eq!(code, 201, "{body}");
    wait_for_lines(&output, 3, Duration::from_secs(90))
        .map_err(|e| anyhow::anyhow!("{e}\n{}", worker.process.output()))?;
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(std::fs::read_to_string(&output)?, "one\ntwo\nthree\n");
    Ok(())
}
