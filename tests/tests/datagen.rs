//! The shipped DataGenerator source, by Confluent's class name, feeds a FileStreamSink through
//! a real broker: two tasks × `iterations` records arrive, as JSON users. A restarted worker
//! resumes from the committed source offsets, so the finished tasks produce nothing more.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, free_port, line_count, wait_for_lines,
    worker_properties,
};

const ITERATIONS: usize = 150;
const TASKS: usize = 2;

fn connectors(dir: &Path, output: &Path) -> Result<Vec<PathBuf>> {
    let iterations = ITERATIONS.to_string();
    let tasks = TASKS.to_string();
    Ok(vec![
        connector_file(
            dir,
            "users-gen",
            &[
                (
                    "connector.class",
                    "io.confluent.kafka.connect.datagen.DatagenConnector",
                ),
                ("kafka.topic", "users"),
                ("quickstart", "users"),
                ("iterations", &iterations),
                ("tasks.max", &tasks),
                ("random.seed", "7"),
                (
                    "value.converter",
                    "org.apache.kafka.connect.json.JsonConverter",
                ),
                ("value.converter.schemas.enable", "false"),
                ("topic.creation.default.partitions", "1"),
                ("topic.creation.default.replication.factor", "1"),
            ],
        )?,
        connector_file(
            dir,
            "users-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("file", &output.display().to_string()),
                ("topics", "users"),
            ],
        )?,
    ])
}

/// The connector's status lists its `TASKS` tasks, all running.
fn all_tasks_running(status: &serde_json::Value) -> bool {
    status["tasks"]
        .as_array()
        .is_some_and(|t| t.len() == TASKS && t.iter().all(|t| t["state"] == "RUNNING"))
}

#[test]
fn generated_records_arrive_once_even_across_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let output = dir.path().join("out.txt");
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let files = connectors(dir.path(), &output)?;
    let mut first = WorkerProcess::start(dir.path(), &props, port, &files, "worker-1.log")?;
    let expected = ITERATIONS * TASKS;
    wait_for_lines(&output, expected, Duration::from_secs(20))
        .map_err(|e| anyhow::anyhow!("{e}\n{}", first.process.output()))?;
    let status = first.wait_status("users-gen", Duration::from_secs(5), all_tasks_running)?;
    assert_eq!(status["connector"]["state"], "RUNNING");
    // Let offsets be committed (offset.flush.interval.ms=500), then stop cleanly.
    std::thread::sleep(Duration::from_millis(1200));
    first.process.terminate(Duration::from_secs(20))?;
    assert_eq!(line_count(&output), expected, "{}", first.process.output());

    let text = std::fs::read_to_string(&output)?;
    let mut distinct = std::collections::HashSet::new();
    for line in text.lines() {
        let user: serde_json::Value = serde_json::from_str(line)?;
        assert!(user["registertime"].is_i64(), "{line}");
        for field in ["userid", "regionid", "gender"] {
            assert!(user[field].is_string(), "{line}");
        }
        assert!(distinct.insert(line.to_string()), "duplicate {line}");
    }

    // Every task resumes after its committed position: all are done, nothing more arrives.
    let second = WorkerProcess::start(dir.path(), &props, port, &files, "worker-2.log")?;
    second.wait_status("users-gen", Duration::from_secs(10), all_tasks_running)?;
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        line_count(&output),
        expected,
        "a restart must not generate again\n{}",
        second.process.output()
    );
    Ok(())
}
