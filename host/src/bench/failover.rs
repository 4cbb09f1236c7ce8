//! `wasm-connect bench --failover`: how long a distributed cluster takes to run a task again after
//! its worker is killed with `kill -9`, and to hand a task over when its worker gets SIGTERM.
//!
//! Starts the embedded broker in this process and three `wasm-connect distributed` worker processes
//! (this binary), creates a file source and a file sink, then kills and stops the sink task's
//! worker, polling the REST status until the task is RUNNING on another worker.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::broker::EmbeddedBroker;

/// Failure detection settings of the measured cluster.
const SESSION_TIMEOUT_MS: u64 = 3000;
const HEARTBEAT_MS: u64 = 250;
const REBALANCE_DELAY_MS: u64 = 1000;

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

struct Worker {
    child: Child,
    port: u16,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rest(port: u16, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
    let url = format!("http://127.0.0.1:{port}{path}");
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    );
    let mut response = match (method, body) {
        ("POST", Some(b)) => agent.post(&url).send_json(b)?,
        _ => agent.get(&url).call()?,
    };
    let text = response.body_mut().read_to_string()?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn start_worker(dir: &Path, bootstrap: &str) -> Result<Worker> {
    let port = free_port()?;
    let props = dir.join(format!("worker-{port}.properties"));
    let settings: BTreeMap<&str, String> = [
        ("bootstrap.servers", bootstrap.to_string()),
        ("listeners", format!("http://127.0.0.1:{port}")),
        ("rest.advertised.host.name", "127.0.0.1".into()),
        ("group.id", "bench".into()),
        ("config.storage.topic", "bench-configs".into()),
        ("offset.storage.topic", "bench-offsets".into()),
        ("status.storage.topic", "bench-status".into()),
        ("config.storage.replication.factor", "1".into()),
        ("offset.storage.replication.factor", "1".into()),
        ("status.storage.replication.factor", "1".into()),
        ("session.timeout.ms", SESSION_TIMEOUT_MS.to_string()),
        ("heartbeat.interval.ms", HEARTBEAT_MS.to_string()),
        (
            "scheduled.rebalance.max.delay.ms",
            REBALANCE_DELAY_MS.to_string(),
        ),
        ("key.converter", "StringConverter".into()),
        ("value.converter", "StringConverter".into()),
        ("offset.flush.interval.ms", "500".into()),
        ("consumer.session.timeout.ms", "6000".into()),
        ("consumer.heartbeat.interval.ms", "1000".into()),
    ]
    .into_iter()
    .collect();
    let text: String = settings.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(&props, text)?;
    let log = std::fs::File::create(dir.join(format!("worker-{port}.log")))?;
    let child = Command::new(std::env::current_exe()?)
        .arg("distributed")
        .arg(&props)
        .env(
            "RUST_LOG",
            std::env::var("WASM_CONNECT_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .context("cannot start a worker process")?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while rest(port, "GET", "/", None).is_err() {
        if Instant::now() > deadline {
            bail!("worker on port {port} did not come up");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Worker { child, port })
}

/// The worker running the sink's task once it is RUNNING on a worker other than `not`.
fn wait_running(port: u16, not: Option<&str>, timeout: Duration) -> Result<String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(status) = rest(port, "GET", "/connectors/sink/status", None) {
            let task = &status["tasks"][0];
            if let Some(owner) = task["worker_id"].as_str()
                && task["state"] == "RUNNING"
                && Some(owner) != not
            {
                return Ok(owner.to_string());
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!("the sink task did not run again within {timeout:?}")
}

/// Run the measurement and print it (on a blocking thread of a Tokio runtime).
pub fn run() -> Result<()> {
    let dir = tempfile::tempdir()?;
    // Worker logs (RUST_LOG from WASM_CONNECT_BENCH_LOG) are kept when that variable is set.
    let keep_logs = std::env::var_os("WASM_CONNECT_BENCH_LOG").is_some();
    let runtime = tokio::runtime::Handle::current();
    let broker_port = free_port()?;
    let address: std::net::SocketAddr = format!("127.0.0.1:{broker_port}").parse()?;
    let broker = runtime
        .block_on(EmbeddedBroker::start(
            address,
            "memory://bench/",
            CancellationToken::new(),
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bootstrap = address.to_string();
    println!(
        "starting 3 workers (session.timeout.ms={SESSION_TIMEOUT_MS}, heartbeat.interval.ms={HEARTBEAT_MS}, scheduled.rebalance.max.delay.ms={REBALANCE_DELAY_MS})"
    );
    let mut workers: Vec<Option<Worker>> = (0..3)
        .map(|_| start_worker(dir.path(), &bootstrap).map(Some))
        .collect::<Result<_>>()?;
    let input: PathBuf = dir.path().join("in.txt");
    std::fs::write(&input, "a\nb\nc\n")?;
    let first = workers[0].as_ref().map(|w| w.port).context("worker")?;
    for (name, config) in [
        (
            "source",
            json!({"connector.class": "FileStreamSource", "file": input.display().to_string(), "topic": "bench-lines", "topic.creation.default.partitions": "1"}),
        ),
        (
            "sink",
            json!({"connector.class": "FileStreamSink", "file": dir.path().join("out.txt").display().to_string(), "topics": "bench-lines"}),
        ),
    ] {
        let created = rest(
            first,
            "POST",
            "/connectors",
            Some(json!({"name": name, "config": config})),
        )?;
        if created.get("error_code").is_some() {
            bail!("cannot create {name}: {created}");
        }
    }
    let owner = wait_running(first, None, Duration::from_secs(60))?;
    let index_of = |workers: &[Option<Worker>], id: &str| {
        workers.iter().position(|w| {
            w.as_ref()
                .is_some_and(|w| id == format!("127.0.0.1:{}", w.port))
        })
    };
    let victim = index_of(&workers, &owner).context("owner not found")?;
    let survivor = |workers: &[Option<Worker>], not: usize| {
        workers
            .iter()
            .enumerate()
            .find(|(i, w)| *i != not && w.is_some())
            .and_then(|(_, w)| w.as_ref().map(|w| w.port))
    };
    let watch = survivor(&workers, victim).context("no other worker")?;
    let mut killed = workers[victim].take().context("victim")?;
    let start = Instant::now();
    killed.child.kill()?;
    let _ = killed.child.wait();
    let new_owner = wait_running(watch, Some(&owner), Duration::from_secs(60))?;
    let failover = start.elapsed();

    let leaving = index_of(&workers, &new_owner).context("new owner not found")?;
    let watch = survivor(&workers, leaving).context("no other worker")?;
    let stopping = workers[leaving].take().context("leaving worker")?;
    let start = Instant::now();
    Command::new("kill")
        .arg("-TERM")
        .arg(stopping.child.id().to_string())
        .status()?;
    let _ = wait_running(watch, Some(&new_owner), Duration::from_secs(60))?;
    let handover = start.elapsed();
    drop(stopping);

    let bound = Duration::from_millis(SESSION_TIMEOUT_MS + REBALANCE_DELAY_MS);
    println!();
    println!("{:<44} {:>10}", "measurement", "seconds");
    println!(
        "{:<44} {:>10.2}",
        "kill -9 → task RUNNING on another worker",
        failover.as_secs_f64()
    );
    println!(
        "{:<44} {:>10.2}",
        "  (session timeout + rebalance delay)",
        bound.as_secs_f64()
    );
    println!(
        "{:<44} {:>10.2}",
        "SIGTERM → task RUNNING on another worker",
        handover.as_secs_f64()
    );
    drop(workers);
    runtime.block_on(broker.shutdown());
    if keep_logs {
        println!("worker logs: {}", dir.keep().display());
    }
    Ok(())
}
