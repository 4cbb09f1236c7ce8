//! A record the converter cannot read follows `errors.tolerance`: `all` skips it and goes on,
//! `none` fails the task with a trace that says why; `all` with a dead letter queue puts the bad
//! record there with Kafka's `__connect.errors.*` context headers, and `errors.log.enable` with
//! `errors.log.include.messages` logs the failure with the record.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};

use anyhow::Result;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, free_port, wait_for_lines, worker_properties,
};

/// The first record of `topic`: its value and headers (as UTF-8).
fn read_one(bootstrap: &str, topic: &str) -> Result<(String, BTreeMap<String, String>)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("reader-{topic}"))
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", "6000")
        .set("max.poll.interval.ms", "10000")
        .create()?;
    consumer.subscribe(&[topic])?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let Some(message) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let Ok(message) = message else { continue };
        let payload = String::from_utf8_lossy(message.payload().unwrap_or_default()).into_owned();
        let headers = message
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| {
                        (
                            h.key.to_string(),
                            String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Ok((payload, headers));
    }
    anyhow::bail!("no record arrived on {topic}")
}

fn json_sink<'a>(output: &'a str, tolerance: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("connector.class", "FileStreamSink"),
        ("file", output),
        ("topics", "mixed"),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.schemas.enable", "true"),
        ("errors.tolerance", tolerance),
    ]
}

#[test]
fn malformed_records_follow_errors_tolerance() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let input = dir.path().join("in.txt");
    let envelope =
        |s: &str| format!(r#"{{"schema":{{"type":"string","optional":false}},"payload":"{s}"}}"#);
    std::fs::write(
        &input,
        format!(
            "{}\nnot json at all\n{}\n",
            envelope("good1"),
            envelope("good2")
        ),
    )?;
    let tolerant = dir.path().join("tolerant.txt").display().to_string();
    let strict = dir.path().join("strict.txt").display().to_string();
    let files = vec![
        connector_file(
            dir.path(),
            "mixed-source",
            &[
                ("connector.class", "FileStreamSource"),
                ("file", &input.display().to_string()),
                ("topic", "mixed"),
                ("topic.creation.default.partitions", "1"),
                ("topic.creation.default.replication.factor", "1"),
            ],
        )?,
        connector_file(dir.path(), "tolerant-sink", &{
            let mut pairs = json_sink(&tolerant, "all");
            pairs.extend([
                ("errors.deadletterqueue.topic.name", "mixed-dlq"),
                ("errors.deadletterqueue.topic.replication.factor", "1"),
                ("errors.deadletterqueue.context.headers.enable", "true"),
                ("errors.log.enable", "true"),
                ("errors.log.include.messages", "true"),
            ]);
            pairs
        })?,
        connector_file(dir.path(), "strict-sink", &json_sink(&strict, "none"))?,
        // A transform that fails on every record (InsertField needs a struct, gets a string).
        connector_file(
            dir.path(),
            "transform-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("file", &dir.path().join("never.txt").display().to_string()),
                ("topics", "mixed"),
                ("transforms", "insert"),
                ("transforms.insert.type", "InsertField$Value"),
                ("transforms.insert.static.field", "origin"),
                ("transforms.insert.static.value", "test"),
                ("errors.tolerance", "all"),
                ("errors.deadletterqueue.topic.name", "transform-dlq"),
                ("errors.deadletterqueue.topic.replication.factor", "1"),
                ("errors.deadletterqueue.context.headers.enable", "true"),
            ],
        )?,
    ];
    let worker = WorkerProcess::start(dir.path(), &props, port, &files, "worker.log")?;

    wait_for_lines(std::path::Path::new(&tolerant), 2, Duration::from_secs(120))
        .map_err(|e| anyhow::anyhow!("{e}\n{}", worker.process.output()))?;
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(std::fs::read_to_string(&tolerant)?, "good1\ngood2\n");
    let (_, status) = worker.call("GET", "/connectors/tolerant-sink/status", None)?;
    assert_eq!(status["tasks"][0]["state"], "RUNNING", "{status}");
    let (payload, headers) = read_one(&broker.bootstrap, "mixed-dlq")?;
    assert_eq!(payload, "not json at all");
    let header = |name: &str| {
        headers
            .get(&format!("__connect.errors.{name}"))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(header("topic"), "mixed");
    assert_eq!(header("partition"), "0");
    assert_eq!(header("offset"), "1");
    assert_eq!(header("connector.name"), "tolerant-sink");
    assert_eq!(header("task.id"), "0");
    assert_eq!(header("stage"), "VALUE_CONVERTER");
    assert_eq!(header("class.name"), "JsonConverter");
    assert_eq!(
        header("exception.class.name"),
        "org.apache.kafka.connect.errors.DataException"
    );
    assert!(!header("exception.message").is_empty(), "{headers:?}");
    assert!(!header("exception.stacktrace").is_empty(), "{headers:?}");

    let (payload, headers) = read_one(&broker.bootstrap, "transform-dlq")?;
    assert_eq!(payload, envelope("good1"));
    assert_eq!(
        headers.get("__connect.errors.stage").map(String::as_str),
        Some("TRANSFORMATION"),
        "{headers:?}"
    );
    assert_eq!(
        headers.get("__connect.errors.offset").map(String::as_str),
        Some("0")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("never.txt")).unwrap_or_default(),
        "",
        "a record that failed its transform must not reach the sink"
    );

    // errors.log.enable + errors.log.include.messages: Kafka's log line, with the record.
    let log = worker.process.output();
    let line = log
        .lines()
        .find(|l| l.contains("Error encountered in task tolerant-sink-0"))
        .unwrap_or_default();
    assert!(
        line.contains("Executing stage 'VALUE_CONVERTER' with class 'JsonConverter'"),
        "{log}"
    );
    assert!(
        line.contains("topic='mixed', partition=0, offset=1"),
        "{line}"
    );
    assert!(line.contains("value=not json at all"), "{line}");

    let status = worker.wait_status("strict-sink", Duration::from_secs(60), |s| {
        s["tasks"][0]["state"] == "FAILED"
    })?;
    let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(trace.contains("Tolerance exceeded"), "{trace}");
    assert!(
        trace.contains("VALUE_CONVERTER") || trace.contains("JSON"),
        "{trace}"
    );
    // Nothing after the bad record reached the strict sink's file.
    let strict_text = std::fs::read_to_string(&strict).unwrap_or_default();
    assert!(!strict_text.contains("good2"), "{strict_text}");
    Ok(())
}
