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

/// When a rebalance takes a partition away from a running sink task, the task flushes its plugin
/// and commits the partition's offset first (Kafka Connect's `onPartitionsRevoked`), so the new
/// owner resumes after what was delivered. Periodic commits are off (`offset.flush.interval.ms`
/// of 10 minutes): only the commit on revocation can put an offset there.
#[test]
fn a_sink_task_commits_revoked_partitions_before_they_move() -> Result<()> {
    use rdkafka::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

    const PER_PARTITION: i64 = 1000;
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let settings = [("bootstrap.servers".to_string(), broker.bootstrap.clone())].into();
    tokio::runtime::Runtime::new()?.block_on(wasm_connect::kafka::ensure_topic(
        &settings,
        "moves",
        2,
        1,
        &[],
    ))?;
    // One record per batch: the embedded broker cannot fetch from inside a batch.
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("batch.num.messages", "1")
        .create()?;
    for n in 0..2 * PER_PARTITION {
        let (key, value) = (n.to_string(), format!("{n:0>100}"));
        let partition = i32::try_from(n % 2)?;
        loop {
            match producer.send(
                BaseRecord::to("moves")
                    .key(&key)
                    .payload(&value)
                    .partition(partition),
            ) {
                Ok(()) => break,
                Err(_) => {
                    producer.poll(Duration::from_millis(20));
                }
            }
        }
        producer.poll(Duration::ZERO);
    }
    producer.flush(Duration::from_secs(60))?;

    let port = free_port()?;
    let props = worker_properties(
        dir.path(),
        &broker.bootstrap,
        port,
        &[("offset.flush.interval.ms", "600000")],
    )?;
    let worker = WorkerProcess::start(dir.path(), &props, port, &[], "worker.log")?;
    let output = dir.path().join("out.txt");
    let config = json!({"connector.class": "FileStreamSink", "file": output.display().to_string(),
                        "topics": "moves", "tasks.max": "1"});
    worker.create_connector("mover", config)?;
    // FileStreamSink buffers 8 KiB of lines until a flush: most of them show that most records
    // were put.
    let most = usize::try_from(2 * PER_PARTITION)? - 100;
    if let Err(e) = wasm_connect_tests::wait_for_lines(&output, most, Duration::from_secs(90)) {
        anyhow::bail!("{e}\nworker log:\n{}", worker.process.output());
    }

    // Another member joins the task's group: the task loses a partition to it.
    let joiner: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("group.id", "connect-mover")
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("partition.assignment.strategy", "cooperative-sticky")
        .set("session.timeout.ms", "6000")
        .set("max.poll.interval.ms", "10000")
        .create()?;
    joiner.subscribe(&["moves"])?;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut received = 0;
    while std::time::Instant::now() < deadline && joiner.assignment()?.count() == 0 {
        if let Some(message) = joiner.poll(Duration::from_millis(200)) {
            message?;
            received += 1;
        }
    }
    let assignment = joiner.assignment()?;
    assert!(
        assignment.count() > 0,
        "the joining consumer never got a partition"
    );
    let committed = joiner.committed(Duration::from_secs(10))?;
    let mut expected_rest = 0;
    for element in committed.elements() {
        let rdkafka::Offset::Offset(offset) = element.offset() else {
            panic!(
                "partition {} was handed over without a committed offset ({:?}); worker log:\n{}",
                element.partition(),
                element.offset(),
                worker.process.output()
            );
        };
        assert!(
            (PER_PARTITION / 2..=PER_PARTITION).contains(&offset),
            "partition {}: committed {offset}",
            element.partition()
        );
        expected_rest += PER_PARTITION - offset;
    }
    // The joiner reads exactly what the task had not delivered: nothing twice, nothing skipped.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while received < expected_rest && std::time::Instant::now() < deadline {
        if let Some(message) = joiner.poll(Duration::from_millis(200)) {
            message?;
            received += 1;
        }
    }
    // A moment more, so a record read twice would be counted too.
    let settle = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < settle {
        if let Some(message) = joiner.poll(Duration::from_millis(200)) {
            message?;
            received += 1;
        }
    }
    assert_eq!(received, expected_rest, "records read by the new owner");
    Ok(())
}
