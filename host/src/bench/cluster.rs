//! A local distributed cluster for benchmarks: the embedded broker in this process and
//! `wasm-connect distributed` worker processes (this binary), driven over REST.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::broker::EmbeddedBroker;

/// A free loopback port.
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Start the embedded broker on a free port; it and its `bootstrap.servers`.
pub fn start_broker(runtime: &tokio::runtime::Handle) -> Result<(EmbeddedBroker, String)> {
    let address: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let broker = runtime
        .block_on(EmbeddedBroker::start(
            address,
            "memory://bench/",
            CancellationToken::new(),
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((broker, address.to_string()))
}

/// Failure detection settings of a benchmark cluster.
pub struct WorkerSettings {
    /// `session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// `heartbeat.interval.ms`.
    pub heartbeat_ms: u64,
    /// `scheduled.rebalance.max.delay.ms`.
    pub rebalance_delay_ms: u64,
}

/// A worker process, killed when dropped.
pub struct Worker {
    /// The process.
    pub child: Child,
    /// Its REST port.
    pub port: u16,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build(),
    )
}

fn parse(response: &mut ureq::http::Response<ureq::Body>) -> Result<Value> {
    let text = response.body_mut().read_to_string()?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A REST call to the worker on `port` (GET, or POST with a JSON body).
pub fn rest(port: u16, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
    Ok(rest_as(port, None, method, path, body)?.1)
}

/// A REST call to the worker on `port` carrying `Authorization: Bearer <key>` when `key` is
/// given: GET, DELETE, or POST/PUT with a JSON body (none: an empty body); the HTTP status and
/// the answer (JSON, or the text as a JSON string).
pub fn rest_as(
    port: u16,
    key: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, Value)> {
    let url = format!("http://127.0.0.1:{port}{path}");
    let agent = agent();
    let bearer = key.map(|k| format!("Bearer {k}"));
    let mut response = match method {
        "POST" | "PUT" => {
            let mut request = if method == "POST" {
                agent.post(&url)
            } else {
                agent.put(&url)
            };
            if let Some(bearer) = &bearer {
                request = request.header("Authorization", bearer);
            }
            match body {
                Some(b) => request.send_json(b)?,
                None => request.send_empty()?,
            }
        }
        "GET" | "DELETE" => {
            let mut request = if method == "GET" {
                agent.get(&url)
            } else {
                agent.delete(&url)
            };
            if let Some(bearer) = &bearer {
                request = request.header("Authorization", bearer);
            }
            request.call()?
        }
        other => bail!("unsupported method {other}"),
    };
    let status = response.status().as_u16();
    Ok((status, parse(&mut response)?))
}

/// `POST /connector-plugins` with a component; the HTTP status and the answer.
pub fn upload(port: u16, component: &[u8]) -> Result<(u16, Value)> {
    let url = format!("http://127.0.0.1:{port}/connector-plugins");
    let mut response = agent()
        .post(&url)
        .header("Content-Type", "application/wasm")
        .send(component)?;
    let status = response.status().as_u16();
    Ok((status, parse(&mut response)?))
}

/// Start `wasm-connect distributed` with a benchmark worker config; returns once REST answers.
pub fn start_worker(dir: &Path, bootstrap: &str, timing: &WorkerSettings) -> Result<Worker> {
    start_worker_with(dir, bootstrap, timing, &[])
}

/// [`start_worker`] with `extra` worker properties, which add to or replace the benchmark's.
pub fn start_worker_with(
    dir: &Path,
    bootstrap: &str,
    timing: &WorkerSettings,
    extra: &[(&str, String)],
) -> Result<Worker> {
    let port = free_port()?;
    let props = dir.join(format!("worker-{port}.properties"));
    let mut settings: BTreeMap<&str, String> = [
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
        ("session.timeout.ms", timing.session_timeout_ms.to_string()),
        ("heartbeat.interval.ms", timing.heartbeat_ms.to_string()),
        (
            "scheduled.rebalance.max.delay.ms",
            timing.rebalance_delay_ms.to_string(),
        ),
        ("key.converter", "StringConverter".into()),
        ("value.converter", "StringConverter".into()),
        ("offset.flush.interval.ms", "500".into()),
        ("consumer.session.timeout.ms", "6000".into()),
        ("consumer.heartbeat.interval.ms", "1000".into()),
        // Each worker its own compiled-plugin cache, as on separate machines.
        (
            "plugin.cache.dir",
            dir.join(format!("cache-{port}")).display().to_string(),
        ),
    ]
    .into_iter()
    .collect();
    settings.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
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
    let deadline = Instant::now() + Duration::from_secs(300);
    while rest(port, "GET", "/", None).is_err() {
        if Instant::now() > deadline {
            bail!("worker on port {port} did not come up");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Worker { child, port })
}
