//! Source connectors create their topics with the settings of the first matching
//! `topic.creation.groups` group, else `topic.creation.default.*`.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, free_port, worker_properties,
};

/// Partitions of `topic`, once it exists.
fn partitions(bootstrap: &str, topic: &str) -> Result<usize> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(metadata) = consumer.fetch_metadata(Some(topic), Duration::from_secs(5))
            && let Some(t) = metadata.topics().iter().find(|t| t.name() == topic)
            && t.error().is_none()
            && !t.partitions().is_empty()
        {
            return Ok(t.partitions().len());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("topic {topic} was not created")
}

#[test]
fn topics_are_created_with_their_groups_settings() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "a\nb\n")?;
    let source = |name: &str, topic: &str| {
        connector_file(
            dir.path(),
            name,
            &[
                ("connector.class", "FileStreamSource"),
                ("file", &input.display().to_string()),
                ("topic", topic),
                ("topic.creation.groups", "wide, narrow"),
                ("topic.creation.default.partitions", "1"),
                ("topic.creation.default.replication.factor", "1"),
                ("topic.creation.wide.include", "wide\\..*"),
                ("topic.creation.wide.exclude", "wide\\.skip"),
                ("topic.creation.wide.partitions", "4"),
                ("topic.creation.narrow.include", "wide\\..*"),
                ("topic.creation.narrow.partitions", "2"),
            ],
        )
    };
    let files = vec![
        source("to-wide", "wide.events")?,
        source("to-narrow", "wide.skip")?,
        source("to-default", "plain")?,
    ];
    let worker = WorkerProcess::start(dir.path(), &props, port, &files, "worker.log")?;
    let check = |topic: &str, expected: usize| -> Result<()> {
        let found =
            partitions(&broker.bootstrap, topic).with_context(|| worker.process.output())?;
        anyhow::ensure!(
            found == expected,
            "{topic}: {found} partitions, expected {expected}"
        );
        Ok(())
    };
    check("wide.events", 4)?;
    check("wide.skip", 2)?; // excluded from `wide`, included by `narrow`
    check("plain", 1)?; // no group matches: the default group
    Ok(())
}
