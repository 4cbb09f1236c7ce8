//! `errors.retry.timeout` / `errors.retry.delay.max.ms`: a sink whose `put` fails retriably three
//! times and then succeeds delivers everything when the retry timeout allows it, and fails (with
//! the stage and the timeout in its trace) when it does not. Without `errors.retry.timeout` a
//! retriable `put` is retried until it succeeds, as in Kafka Connect.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, fixtures_dir, free_port, wait_for_lines,
    worker_properties,
};

#[test]
fn retriable_put_failures_follow_errors_retry_timeout() -> Result<()> {
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
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "one\ntwo\nthree\nfour\nfive\n")?;
    let out = |name: &str| dir.path().join(format!("{name}.txt"));
    let sink = |name: &str, extra: &[(&str, &str)]| {
        let file = out(name).display().to_string();
        let mut pairs = vec![
            ("connector.class", "FlakySink"),
            ("topics", "lines"),
            ("fail.times", "3"),
            ("file", file.as_str()),
        ];
        pairs.extend_from_slice(extra);
        connector_file(dir.path(), name, &pairs)
    };
    let files = vec![
        connector_file(
            dir.path(),
            "lines-source",
            &[
                ("connector.class", "FileStreamSource"),
                ("file", &input.display().to_string()),
                ("topic", "lines"),
                ("topic.creation.default.partitions", "1"),
                ("topic.creation.default.replication.factor", "1"),
            ],
        )?,
        // 300 ms, 600 ms, then capped at 200 ms: well inside a minute.
        sink(
            "patient",
            &[
                ("errors.retry.timeout", "60000"),
                ("errors.retry.delay.max.ms", "200"),
            ],
        )?,
        // The first retry would come after 300 ms, but the timeout ends after 100 ms.
        sink(
            "impatient",
            &[
                ("errors.retry.timeout", "100"),
                ("errors.retry.delay.max.ms", "60000"),
            ],
        )?,
        // No errors.retry.timeout: a retriable put is retried until it succeeds.
        sink("default", &[("errors.retry.delay.max.ms", "100")])?,
    ];
    let worker = WorkerProcess::start(dir.path(), &props, port, &files, "worker.log")?;

    for name in ["patient", "default"] {
        wait_for_lines(&out(name), 5, Duration::from_secs(120))
            .map_err(|e| anyhow::anyhow!("{name}: {e}\n{}", worker.process.output()))?;
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            std::fs::read_to_string(out(name))?,
            "one\ntwo\nthree\nfour\nfive\n",
            "{name} delivers everything exactly once"
        );
        let (_, status) = worker.call("GET", &format!("/connectors/{name}/status"), None)?;
        assert_eq!(status["tasks"][0]["state"], "RUNNING", "{status}");
    }

    let status = worker.wait_status("impatient", Duration::from_secs(60), |s| {
        s["tasks"][0]["state"] == "FAILED"
    })?;
    let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(trace.contains("TASK_PUT"), "trace names the stage: {trace}");
    assert!(
        trace.contains("errors.retry.timeout=100"),
        "trace names the timeout: {trace}"
    );
    assert!(
        trace.contains("downstream unavailable"),
        "trace has the plugin's error: {trace}"
    );
    assert!(
        !Path::new(&out("impatient")).exists()
            || std::fs::read_to_string(out("impatient"))?.is_empty()
    );
    Ok(())
}
