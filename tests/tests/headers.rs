//! Headers through a real worker: `InsertHeader` on a source writes header values with Kafka's
//! `SimpleHeaderConverter` text; a sink reads them back, and `Filter` guarded by `HasHeaderKey`
//! drops the records that carry the header.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, free_port, wait_for_lines, worker_properties,
};

/// Headers of the first record of `topic`, as text.
fn first_headers(bootstrap: &str, topic: &str) -> Result<BTreeMap<String, String>> {
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
        let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        return Ok(message
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
            .unwrap_or_default());
    }
    bail!("no record arrived on {topic}")
}

#[test]
fn header_transforms_and_the_simple_header_converter() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "a\nb\nc\n")?;
    let kept = dir.path().join("kept.txt");
    let filtered = dir.path().join("filtered.txt");
    let files = vec![
        connector_file(
            dir.path(),
            "tagging-source",
            &[
                ("connector.class", "FileStreamSource"),
                ("file", &input.display().to_string()),
                ("topic", "tagged"),
                ("topic.creation.default.partitions", "1"),
                ("transforms", "list, number"),
                (
                    "transforms.list.type",
                    "org.apache.kafka.connect.transforms.InsertHeader",
                ),
                ("transforms.list.header", "origin"),
                ("transforms.list.value.literal", "[1, 2, 3]"),
                ("transforms.number.type", "InsertHeader"),
                ("transforms.number.header", "n"),
                ("transforms.number.value.literal", "42"),
            ],
        )?,
        // Drops every record that has header `n`: nothing arrives.
        connector_file(
            dir.path(),
            "filtering-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("file", &filtered.display().to_string()),
                ("topics", "tagged"),
                ("transforms", "drop"),
                (
                    "transforms.drop.type",
                    "org.apache.kafka.connect.transforms.Filter",
                ),
                ("transforms.drop.predicate", "hasN"),
                ("predicates", "hasN"),
                ("predicates.hasN.type", "HasHeaderKey"),
                ("predicates.hasN.name", "n"),
            ],
        )?,
        // The same, negated: keeps every record, and drops the header first.
        connector_file(
            dir.path(),
            "keeping-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("file", &kept.display().to_string()),
                ("topics", "tagged"),
                ("transforms", "drop, strip"),
                ("transforms.drop.type", "Filter"),
                ("transforms.drop.predicate", "hasN"),
                ("transforms.drop.negate", "true"),
                ("transforms.strip.type", "DropHeaders"),
                ("transforms.strip.headers", "n, origin"),
                ("predicates", "hasN"),
                ("predicates.hasN.type", "HasHeaderKey"),
                ("predicates.hasN.name", "n"),
            ],
        )?,
    ];
    let worker = WorkerProcess::start(dir.path(), &props, port, &files, "worker.log")?;
    let headers = first_headers(&broker.bootstrap, "tagged")?;
    assert_eq!(
        headers.get("origin").map(String::as_str),
        Some("[1,2,3]"),
        "{headers:?}"
    );
    assert_eq!(
        headers.get("n").map(String::as_str),
        Some("42"),
        "{headers:?}"
    );
    wait_for_lines(&kept, 3, Duration::from_secs(60))
        .map_err(|e| anyhow::anyhow!("{e}\n{}", worker.process.output()))?;
    assert_eq!(std::fs::read_to_string(&kept)?, "a\nb\nc\n");
    // The filtering sink has read the same records by now (same topic, running as long).
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(std::fs::read_to_string(&filtered).unwrap_or_default(), "");
    let (_, status) = worker.call("GET", "/connectors/filtering-sink/status", None)?;
    assert_eq!(status["tasks"][0]["state"], "RUNNING", "{status}");
    Ok(())
}
