//! Kafka Connect's REST life cycle over HTTP against a real worker and broker: create, pause,
//! resume, stop, edit source and sink offsets, resume from the edited offsets, restart only the
//! failed task, delete.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;
use wasm_connect_tests::{line_count, start_worker_with_fixtures, wait_for_lines};

const TIMEOUT: Duration = Duration::from_secs(90);

fn state(status: &serde_json::Value) -> &str {
    status["connector"]["state"].as_str().unwrap_or_default()
}

fn task_states(status: &serde_json::Value) -> Vec<String> {
    status["tasks"]
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .map(|t| t["state"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn connector_life_cycle_over_rest() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (_broker, worker) = start_worker_with_fixtures(dir.path())?;

    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "line-1\nline-2\nline-3\nline-4\nline-5\n")?;
    let input_path = input.display().to_string();
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "src", "config": {
            "connector.class": "FileStreamSource", "file": input_path, "topic": "scenario"}})),
    )?;
    assert_eq!(code, 201, "{body}");
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "snk", "config": {
            "connector.class": "FileStreamSink", "file": output.display().to_string(),
            "topics": "scenario"}})),
    )?;
    assert_eq!(code, 201, "{body}");
    worker.wait_status("src", TIMEOUT, |s| {
        state(s) == "RUNNING" && task_states(s) == ["RUNNING"]
    })?;
    wait_for_lines(&output, 5, TIMEOUT)?;

    // Pause and resume.
    let (code, _) = worker.call("PUT", "/connectors/src/pause", None)?;
    assert_eq!(code, 202);
    worker.wait_status("src", TIMEOUT, |s| {
        state(s) == "PAUSED" && task_states(s) == ["PAUSED"]
    })?;
    let (code, _) = worker.call("PUT", "/connectors/src/resume", None)?;
    assert_eq!(code, 202);
    worker.wait_status("src", TIMEOUT, |s| {
        state(s) == "RUNNING" && task_states(s) == ["RUNNING"]
    })?;

    // Topic tracking.
    for name in ["src", "snk"] {
        let (code, topics) = worker.call("GET", &format!("/connectors/{name}/topics"), None)?;
        assert_eq!(code, 200);
        assert_eq!(topics, json!({name: {"topics": ["scenario"]}}));
    }
    let (code, _) = worker.call("PUT", "/connectors/src/topics/reset", None)?;
    assert_eq!(code, 202);
    let (_, topics) = worker.call("GET", "/connectors/src/topics", None)?;
    assert_eq!(topics, json!({"src": {"topics": []}}));

    // Offsets change only while STOPPED.
    let edit = json!({"offsets": [{"partition": {"filename": input_path},
        "offset": {"position": "line-1\nline-2\n".len()}}]});
    let (code, body) = worker.call("PATCH", "/connectors/src/offsets", Some(edit.clone()))?;
    assert_eq!(code, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("STOPPED"),
        "{body}"
    );

    // Stop: no tasks, config kept; the source offset is the whole file.
    let (code, _) = worker.call("PUT", "/connectors/src/stop", None)?;
    assert_eq!(code, 204);
    let status = worker.wait_status("src", TIMEOUT, |s| state(s) == "STOPPED")?;
    assert_eq!(status["tasks"], json!([]), "{status}");
    let (code, config) = worker.call("GET", "/connectors/src/config", None)?;
    assert_eq!((code, config["topic"].clone()), (200, json!("scenario")));
    let (code, offsets) = worker.call("GET", "/connectors/src/offsets", None)?;
    assert_eq!(code, 200);
    assert_eq!(
        offsets,
        json!({"offsets": [{"partition": {"filename": input_path},
            "offset": {"position": std::fs::metadata(&input)?.len()}}]})
    );

    // Edit the offset back to line 3, resume: lines 3 to 5 come again.
    let (code, body) = worker.call("PATCH", "/connectors/src/offsets", Some(edit.clone()))?;
    assert_eq!(code, 200, "{body}");
    assert!(body["message"].is_string(), "{body}");
    let (_, offsets) = worker.call("GET", "/connectors/src/offsets", None)?;
    assert_eq!(offsets, edit);
    let (code, _) = worker.call("PUT", "/connectors/src/resume", None)?;
    assert_eq!(code, 202);
    worker.wait_status("src", TIMEOUT, |s| {
        state(s) == "RUNNING" && task_states(s) == ["RUNNING"]
    })?;
    wait_for_lines(&output, 8, TIMEOUT)?;
    let text = std::fs::read_to_string(&output)?;
    let lines: Vec<&str> = text.lines().collect();
    // The topic has several partitions: the sink sees them interleaved, in no defined order.
    let mut again = lines[5..].to_vec();
    again.sort_unstable();
    assert_eq!(again, ["line-3", "line-4", "line-5"], "{text}");

    // Sink offsets: the consumer group's, with Kafka's keys; rewind them to 0 and every record
    // comes again.
    let (code, _) = worker.call("PUT", "/connectors/snk/stop", None)?;
    assert_eq!(code, 204);
    worker.wait_status("snk", TIMEOUT, |s| state(s) == "STOPPED")?;
    let (code, offsets) = worker.call("GET", "/connectors/snk/offsets", None)?;
    assert_eq!(code, 200, "{offsets}");
    let entries = offsets["offsets"].as_array().cloned().unwrap_or_default();
    let total: i64 = entries
        .iter()
        .map(|e| {
            assert_eq!(e["partition"]["kafka_topic"], "scenario", "{e}");
            assert!(e["partition"]["kafka_partition"].is_i64(), "{e}");
            e["offset"]["kafka_offset"].as_i64().unwrap_or(-1)
        })
        .sum();
    assert_eq!(total, 8, "{offsets}");
    let rewind: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| json!({"partition": e["partition"], "offset": {"kafka_offset": 0}}))
        .collect();
    let (code, body) = worker.call(
        "PATCH",
        "/connectors/snk/offsets",
        Some(json!({ "offsets": rewind })),
    )?;
    assert_eq!(code, 200, "{body}");
    let (code, _) = worker.call("PUT", "/connectors/snk/resume", None)?;
    assert_eq!(code, 202);
    wait_for_lines(&output, 16, TIMEOUT)?;
    let (code, _) = worker.call("PUT", "/connectors/snk/stop", None)?;
    assert_eq!(code, 204);
    let (code, body) = worker.call("DELETE", "/connectors/snk/offsets", None)?;
    assert_eq!(code, 200, "{body}");
    let (_, offsets) = worker.call("GET", "/connectors/snk/offsets", None)?;
    assert_eq!(offsets, json!({"offsets": []}));

    // Restart only the failed task: task 1 of this connector fails when it starts.
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "counting", "config": {
            "connector.class": "CountingSource", "topic": "counting", "tasks.max": "2",
            "fail.task": "1", "max.records": "10"}})),
    )?;
    assert_eq!(code, 201, "{body}");
    worker.wait_status("counting", TIMEOUT, |s| {
        task_states(s) == ["RUNNING", "FAILED"]
    })?;
    let (code, restarted) = worker.call(
        "POST",
        "/connectors/counting/restart?includeTasks=true&onlyFailed=true",
        None,
    )?;
    assert_eq!(code, 202, "{restarted}");
    assert_eq!(state(&restarted), "RUNNING", "{restarted}");
    assert_eq!(
        task_states(&restarted),
        ["RUNNING", "RESTARTING"],
        "{restarted}"
    );
    let status = worker.wait_status("counting", TIMEOUT, |s| {
        task_states(s) == ["RUNNING", "FAILED"]
    })?;
    assert!(
        status["tasks"][1]["trace"]
            .as_str()
            .unwrap_or_default()
            .contains("fails on purpose"),
        "{status}"
    );
    let (code, _) = worker.call("POST", "/connectors/counting/restart", None)?;
    assert_eq!(code, 204);

    // A connector created STOPPED runs nothing until resumed.
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(
            json!({"name": "later", "initial_state": "STOPPED", "config": {
            "connector.class": "CountingSource", "topic": "later"}}),
        ),
    )?;
    assert_eq!(code, 201, "{body}");
    let status = worker.wait_status("later", TIMEOUT, |s| state(s) == "STOPPED")?;
    assert_eq!(status["tasks"], json!([]));
    let (code, _) = worker.call("PUT", "/connectors/later/resume", None)?;
    assert_eq!(code, 202);
    worker.wait_status("later", TIMEOUT, |s| {
        state(s) == "RUNNING" && task_states(s) == ["RUNNING"]
    })?;

    // Delete.
    for name in ["src", "snk", "counting", "later"] {
        let (code, _) = worker.call("DELETE", &format!("/connectors/{name}"), None)?;
        assert_eq!(code, 204, "{name}");
        let (code, _) = worker.call("GET", &format!("/connectors/{name}"), None)?;
        assert_eq!(code, 404, "{name}");
    }
    assert_eq!(line_count(&output), 16);
    Ok(())
}
