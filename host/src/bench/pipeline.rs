//! `wasm-connect bench`: records/s of the file → Kafka → file pipeline (Wasm source and sink)
//! against a raw rdkafka produce → consume loop on the same embedded broker, in the same run.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use tokio_util::sync::CancellationToken;

use crate::broker::EmbeddedBroker;
use crate::demo::{free_port, local_worker_config};
use crate::herder::Herder;
use crate::kafka::client_config;
use crate::worker::{StandaloneOptions, StandaloneWorker, WorkerError};

const PAYLOAD: &str = "a 100-byte line of text for the benchmark: 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMN";

fn startup(e: impl std::fmt::Display) -> WorkerError {
    WorkerError::Startup(e.to_string())
}

/// Produce then consume `records` records with plain rdkafka clients; returns elapsed time.
fn raw_loop(bootstrap: &str, records: usize) -> Result<Duration, WorkerError> {
    let settings: BTreeMap<String, String> = [
        ("bootstrap.servers".to_string(), bootstrap.to_string()),
        ("linger.ms".to_string(), "5".to_string()),
        ("enable.idempotence".to_string(), "true".to_string()),
    ]
    .into();
    let started = Instant::now();
    let producer: ThreadedProducer<DefaultProducerContext> =
        client_config(&settings).create().map_err(startup)?;
    for i in 0..records {
        let key = i.to_string();
        let mut record = BaseRecord::to("bench-raw").key(&key).payload(PAYLOAD);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((_, returned)) => {
                    record = returned;
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
    }
    producer.flush(Duration::from_secs(120)).map_err(startup)?;
    let consumer: BaseConsumer = client_config(
        &[
            ("bootstrap.servers", bootstrap),
            ("group.id", "bench-raw"),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    )
    .create()
    .map_err(startup)?;
    consumer.subscribe(&["bench-raw"]).map_err(startup)?;
    let mut seen = 0;
    while seen < records && started.elapsed() < Duration::from_secs(600) {
        if let Some(message) = consumer.poll(Duration::from_millis(100)) {
            message.map_err(startup)?;
            seen += 1;
        }
    }
    if seen < records {
        return Err(startup(format!(
            "raw loop consumed only {seen} of {records} records"
        )));
    }
    Ok(started.elapsed())
}

/// Run the benchmark and print the numbers.
pub async fn run(records: usize) -> Result<(), WorkerError> {
    let dir = tempfile::tempdir().map_err(startup)?;
    let broker_port = free_port().map_err(startup)?;
    let address = format!("127.0.0.1:{broker_port}");
    let broker = EmbeddedBroker::start(
        address.parse().map_err(startup)?,
        "memory://wasm-connect/",
        CancellationToken::new(),
    )
    .await
    .map_err(startup)?;
    let settings: BTreeMap<String, String> =
        [("bootstrap.servers".to_string(), address.clone())].into();
    for topic in ["bench-raw", "bench-pipeline"] {
        crate::kafka::ensure_topic(&settings, topic, 1, 1, &[])
            .await
            .map_err(startup)?;
    }
    println!(
        "Benchmark: {records} records of {} bytes, embedded broker, {} core(s)",
        PAYLOAD.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let bootstrap = address.clone();
    let raw = tokio::task::spawn_blocking(move || raw_loop(&bootstrap, records))
        .await
        .map_err(startup)??;
    let raw_rate = records as f64 / raw.as_secs_f64();
    println!(
        "raw rdkafka produce → consume:         {:>10.0} records/s ({:.2} s)",
        raw_rate,
        raw.as_secs_f64()
    );

    let input = dir.path().join("input.txt");
    let output = dir.path().join("output.txt");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&input).map_err(startup)?);
        for _ in 0..records {
            writeln!(file, "{PAYLOAD}").map_err(startup)?;
        }
        file.flush().map_err(startup)?;
    }
    let rest_port = free_port().map_err(startup)?;
    let options = StandaloneOptions {
        worker_properties: dir.path().join("worker.properties"),
        connector_files: Vec::new(),
        embedded_broker: false,
        broker_storage: String::new(),
    };
    let worker = StandaloneWorker::start_with(
        local_worker_config(dir.path(), broker_port, rest_port),
        &options,
    )
    .await?;
    let to_map = |pairs: &[(&str, String)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    let started = Instant::now();
    let result = async {
        worker
            .herder
            .put_connector_config(
                "bench-sink",
                to_map(&[
                    ("connector.class", "FileStreamSink".into()),
                    ("file", output.display().to_string()),
                    ("topics", "bench-pipeline".into()),
                ]),
                false,
                None,
            )
            .await
            .map_err(startup)?;
        worker
            .herder
            .put_connector_config(
                "bench-source",
                to_map(&[
                    ("connector.class", "FileStreamSource".into()),
                    ("file", input.display().to_string()),
                    ("topic", "bench-pipeline".into()),
                ]),
                false,
                None,
            )
            .await
            .map_err(startup)?;
        loop {
            let lines = std::fs::read(&output).map(|b| bytecount(&b)).unwrap_or(0);
            if lines >= records {
                return Ok(started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(900) {
                return Err(startup(format!(
                    "pipeline delivered only {lines} of {records} records"
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    .await;
    worker.shutdown().await;
    broker.shutdown().await;
    let pipeline = result?;
    let pipeline_rate = records as f64 / pipeline.as_secs_f64();
    println!(
        "wasm-connect file → Kafka → file:      {:>10.0} records/s ({:.2} s, includes connector start)",
        pipeline_rate,
        pipeline.as_secs_f64()
    );
    println!(
        "ratio pipeline / raw:                  {:>10.2}",
        pipeline_rate / raw_rate
    );
    Ok(())
}

fn bytecount(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}
