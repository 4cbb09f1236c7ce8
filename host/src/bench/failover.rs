//! `wasm-connect bench --failover`: how long a distributed cluster takes to run a task again after
//! its worker is killed with `kill -9`, and to hand a task over when its worker gets SIGTERM.
//!
//! Starts the embedded broker in this process and three `wasm-connect distributed` worker processes
//! (this binary), creates a file source and a file sink, then kills and stops the sink task's
//! worker, polling the REST status until the task is RUNNING on another worker.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::cluster::{Worker, WorkerSettings, rest, start_broker, start_worker};

/// Failure detection settings of the measured cluster.
const SESSION_TIMEOUT_MS: u64 = 3000;
const HEARTBEAT_MS: u64 = 250;
const REBALANCE_DELAY_MS: u64 = 1000;

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
    let (broker, bootstrap) = start_broker(&runtime)?;
    let settings = WorkerSettings {
        session_timeout_ms: SESSION_TIMEOUT_MS,
        heartbeat_ms: HEARTBEAT_MS,
        rebalance_delay_ms: REBALANCE_DELAY_MS,
    };
    println!(
        "starting 3 workers (session.timeout.ms={SESSION_TIMEOUT_MS}, heartbeat.interval.ms={HEARTBEAT_MS}, scheduled.rebalance.max.delay.ms={REBALANCE_DELAY_MS})"
    );
    let mut workers: Vec<Option<Worker>> = (0..3)
        .map(|_| start_worker(dir.path(), &bootstrap, &settings).map(Some))
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
