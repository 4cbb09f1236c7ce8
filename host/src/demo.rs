//! `wasm-connect demo`: a file → Kafka → file pipeline on the embedded broker that prints what
//! it moves, so a person can watch Wasm plugins at work.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::herder::Herder;
use crate::worker::{StandaloneOptions, StandaloneWorker, WorkerError};

/// A free TCP port on the loopback interface.
pub fn free_port() -> Result<u16, std::io::Error> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Worker properties for an in-process worker on the embedded broker at `broker_port`.
pub fn local_worker_config(
    dir: &Path,
    broker_port: u16,
    rest_port: u16,
) -> BTreeMap<String, String> {
    let mut config = map(&[
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        ("offset.flush.interval.ms", "1000"),
        ("consumer.session.timeout.ms", "10000"),
    ]);
    config.insert(
        "bootstrap.servers".into(),
        format!("127.0.0.1:{broker_port}"),
    );
    config.insert("listeners".into(), format!("http://127.0.0.1:{rest_port}"));
    config.insert(
        "offset.storage.file.filename".into(),
        dir.join("offsets.json").display().to_string(),
    );
    config
}

/// Run the demo with `lines` input lines.
pub async fn run(lines: usize, shutdown: CancellationToken) -> Result<(), WorkerError> {
    let io = |e: std::io::Error| WorkerError::Startup(e.to_string());
    let dir = tempfile::tempdir().map_err(io)?;
    let input = dir.path().join("input.txt");
    let output = dir.path().join("output.txt");
    {
        let mut file = std::fs::File::create(&input).map_err(io)?;
        for i in 1..=lines {
            writeln!(file, "line {i}: hello from a WebAssembly connector").map_err(io)?;
        }
    }
    let (broker_port, rest_port) = (free_port().map_err(io)?, free_port().map_err(io)?);
    let options = StandaloneOptions {
        worker_properties: dir.path().join("worker.properties"),
        connector_files: Vec::new(),
        embedded_broker: true,
        broker_storage: "memory://wasm-connect/".into(),
    };
    println!("Starting a standalone worker with the embedded broker on 127.0.0.1:{broker_port} …");
    let worker = StandaloneWorker::start_with(
        local_worker_config(dir.path(), broker_port, rest_port),
        &options,
    )
    .await?;
    println!(
        "REST API: http://{}  (try: curl http://{}/connectors?expand=status)",
        worker.rest_address, worker.rest_address
    );
    let input_path = input.display().to_string();
    let output_path = output.display().to_string();
    let source = map(&[
        ("connector.class", "FileStreamSource"),
        ("file", &input_path),
        ("topic", "demo-lines"),
        // One partition keeps the lines in order (tansu's default is 3, Kafka's is 1).
        ("topic.creation.default.partitions", "1"),
        ("topic.creation.default.replication.factor", "1"),
        ("transforms", "route"),
        (
            "transforms.route.type",
            "org.apache.kafka.connect.transforms.RegexRouter",
        ),
        ("transforms.route.regex", "demo-(.*)"),
        ("transforms.route.replacement", "wasm-$1"),
    ]);
    let mut sink = map(&[
        ("connector.class", "FileStreamSink"),
        ("file", &output_path),
        ("topics", "wasm-lines"),
    ]);
    let python = worker
        .herder
        .plugins(None, false)
        .iter()
        .any(|p| p.class == "ChangeCase");
    if python {
        sink.extend(map(&[
            ("transforms", "shout"),
            ("transforms.shout.type", "ChangeCase"),
            ("transforms.shout.case", "upper"),
        ]));
    }
    let result = async {
        worker.herder.put_connector_config("demo-file-source", source, false, None).await.map_err(|e| WorkerError::Config(e.to_string()))?;
        worker.herder.put_connector_config("demo-file-sink", sink, false, None).await.map_err(|e| WorkerError::Config(e.to_string()))?;
        println!("Pipeline: {input_path}\n  → FileStreamSource (Wasm) → RegexRouter (Wasm): topic demo-lines → wasm-lines → Kafka\n  → {}FileStreamSink (Wasm) → {output_path}\n", if python { "ChangeCase (Python Wasm) → " } else { "" });
        let started = Instant::now();
        let mut shown = 0;
        while shown < lines && started.elapsed() < Duration::from_secs(120) && !shutdown.is_cancelled() {
            let text = std::fs::read_to_string(&output).unwrap_or_default();
            for line in text.lines().skip(shown) {
                println!("  sink file ← {line}");
                shown += 1;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        println!("\n{shown} of {lines} lines arrived in {:.1} s.", started.elapsed().as_secs_f64());
        for name in ["demo-file-source", "demo-file-sink"] {
            if let Ok(status) = worker.herder.connector_status(name) {
                println!("status {name}: {}", serde_json::to_string(&status).unwrap_or_default());
            }
        }
        if shown < lines {
            return Err(WorkerError::Startup(format!("only {shown} of {lines} lines arrived")));
        }
        Ok(())
    }
    .await;
    worker.shutdown().await;
    result
}
