//! `wasm-connect bench --tenants`: does a tenant's `task.cpu.share` keep a CPU-bound tenant from
//! slowing another tenant down?
//!
//! Starts the embedded broker in this process and a two-worker distributed cluster with tenancy
//! on, the `CountingSource` and `BusyTransform` fixtures on `plugin.path`. Tenant `b` runs a
//! pipeline as fast as it can: `CountingSource` → `b.bench` → `FileStreamSink` (a file under its
//! `fs.root`); its throughput is the lines the sink appends to that file per second, counted
//! over fixed windows (median of several). Tenant `a` runs `CountingSource` → `BusyTransform`
//! (a few milliseconds of CPU per record) → `a.busy` with `tasks.max` = cores, which without a
//! quota would take every core. In one run, B is measured alone, then while A runs at its CPU
//! quota (tenant `a`, and `a-low` with a lower one), and while the same load runs without quota
//! (tenant `a2`), with a phase of B alone between any two loads: each ratio is against the mean
//! of the B-alone phases around it, so that drift over the run cancels out.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rdkafka::consumer::{BaseConsumer, Consumer};
use serde_json::{Value, json};

use super::cluster::{WorkerSettings, rest_as, start_broker, start_worker_with};
use super::plugins::fixtures_dir;
use crate::kafka::client_config;

/// The admin key of the benchmark cluster.
const ADMIN_KEY: &str = "bench-tenants-admin-key-0123456789";
/// Tenant A's `task.cpu.share`: each of its tasks may use a quarter of a core.
pub const CPU_SHARE: f64 = 0.25;
/// A lower share, measured too, to show how B's throughput follows A's quota.
pub const LOW_CPU_SHARE: f64 = 0.1;
/// Rounds of xorshift64 per record in A's `BusyTransform` (a few milliseconds of CPU).
const BUSY_ITERATIONS: u32 = 1_000_000;
/// Records per poll of A's source: short transform calls, so the CPU bucket throttles smoothly.
const BUSY_BATCH: u32 = 5;
/// Records per poll of B's source.
const B_BATCH: u32 = 500;
/// Length of one measurement window.
const WINDOW: Duration = Duration::from_secs(2);
/// Windows per phase; the phase's figure is their median.
const ROUNDS: usize = 5;
/// Wait after B's pipeline runs before the first measurement.
const WARM_UP: Duration = Duration::from_secs(6);
/// Wait after A's tasks run (or are gone) before measuring.
const SETTLE: Duration = Duration::from_secs(3);

/// A REST call that must succeed (2xx); its answer.
fn call(port: u16, key: &str, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
    let (status, answer) = rest_as(port, Some(key), method, path, body)?;
    if !(200..300).contains(&status) {
        bail!("{method} {path}: HTTP {status} {answer}");
    }
    Ok(answer)
}

/// Create tenant `name` with `prefix` and an optional CPU share and file root; its new key.
fn create_tenant(
    port: u16,
    name: &str,
    prefix: &str,
    cpu_share: Option<f64>,
    fs_root: Option<&Path>,
) -> Result<String> {
    let mut tenant = json!({"name": name, "topic.prefixes": [prefix], "quotas": {}});
    if let Some(share) = cpu_share {
        tenant["quotas"]["task.cpu.share"] = json!(share);
    }
    if let Some(root) = fs_root {
        tenant["fs.root"] = json!(root.display().to_string());
    }
    call(port, ADMIN_KEY, "POST", "/admin/tenants", Some(tenant))?;
    let issued = call(
        port,
        ADMIN_KEY,
        "POST",
        &format!("/admin/tenants/{name}/keys"),
        None,
    )?;
    issued["key"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no key in {issued}"))
}

/// Create connector `name` as the tenant of `key`.
fn create_connector(port: u16, key: &str, name: &str, config: Value) -> Result<()> {
    call(
        port,
        key,
        "POST",
        "/connectors",
        Some(json!({"name": name, "config": config})),
    )?;
    Ok(())
}

/// Wait until connector `name` of the tenant of `key` has `tasks` tasks, all RUNNING.
fn wait_running(port: u16, key: &str, name: &str, tasks: usize, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let mut last = Value::Null;
    while Instant::now() < deadline {
        if let Ok((200, status)) = rest_as(
            port,
            Some(key),
            "GET",
            &format!("/connectors/{name}/status"),
            None,
        ) {
            let running = status["tasks"].as_array().is_some_and(|t| {
                t.len() == tasks && t.iter().all(|task| task["state"] == "RUNNING")
            });
            if running && status["connector"]["state"] == "RUNNING" {
                return Ok(());
            }
            last = status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("connector {name} did not get {tasks} RUNNING tasks within {timeout:?}: {last}")
}

/// Delete connector `name` of the tenant of `key` and wait until it is gone.
fn delete_connector(port: u16, key: &str, name: &str) -> Result<()> {
    call(port, key, "DELETE", &format!("/connectors/{name}"), None)?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let listed = call(port, key, "GET", "/connectors", None)?;
        let there = listed
            .as_array()
            .is_some_and(|names| names.iter().any(|n| n == name));
        if !there {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("connector {name} was not deleted within 60 s")
}

/// Busy and total jiffies of all cores, from `/proc/stat` (zeros where it cannot be read).
fn cpu_jiffies() -> (u64, u64) {
    let Ok(text) = std::fs::read_to_string("/proc/stat") else {
        return (0, 0);
    };
    let Some(line) = text.lines().find(|l| l.starts_with("cpu ")) else {
        return (0, 0);
    };
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let total: u64 = fields.iter().take(8).sum();
    // idle + iowait
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

/// The 1, 5 and 15 minute load averages, from `/proc/loadavg`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// What the probe reads at one instant.
#[derive(Clone, Copy)]
struct Sample {
    at: Instant,
    /// Lines in B's sink file.
    delivered: u64,
    /// End offset of `b.bench`.
    produced: i64,
    /// End offset of the busy tenant's topic (0 when none).
    busy: i64,
    /// Busy and total CPU jiffies of the machine.
    cpu: (u64, u64),
}

/// Reads B's progress: lines appended to its sink file, end offsets of the topics.
struct Probe {
    file: PathBuf,
    read: u64,
    lines: u64,
    consumer: BaseConsumer,
}

impl Probe {
    fn new(bootstrap: &str, file: PathBuf) -> Result<Probe> {
        let settings: BTreeMap<String, String> = [
            ("bootstrap.servers".to_string(), bootstrap.to_string()),
            ("group.id".to_string(), "bench-tenants-probe".to_string()),
        ]
        .into();
        Ok(Probe {
            file,
            read: 0,
            lines: 0,
            consumer: client_config(&settings).create()?,
        })
    }

    /// Count the lines appended to the sink file since the last call.
    fn count_lines(&mut self) -> Result<u64> {
        let Ok(mut file) = std::fs::File::open(&self.file) else {
            return Ok(self.lines);
        };
        file.seek(SeekFrom::Start(self.read))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        self.read += bytes.len() as u64;
        self.lines += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(self.lines)
    }

    fn end_offset(&self, topic: &str) -> Result<i64> {
        let (_, high) = self
            .consumer
            .fetch_watermarks(topic, 0, Duration::from_secs(10))?;
        Ok(high)
    }

    fn sample(&mut self, busy_topic: Option<&str>) -> Result<Sample> {
        Ok(Sample {
            at: Instant::now(),
            delivered: self.count_lines()?,
            produced: self.end_offset("b.bench")?,
            busy: busy_topic.map_or(Ok(0), |t| self.end_offset(t))?,
            cpu: cpu_jiffies(),
        })
    }
}

/// The median of `values` (0 for none).
fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// One phase's figures: medians over the rounds.
struct Phase {
    label: String,
    /// Records/s B's sink wrote (the pipeline's throughput).
    delivered: f64,
    /// Lowest and highest window of `delivered`.
    spread: (f64, f64),
    /// Records/s B's source produced.
    produced: f64,
    /// Records/s the busy tenant's tasks produced.
    busy: f64,
    /// Share of the machine's CPU time that was busy, in percent.
    cpu: f64,
}

/// Measure `ROUNDS` windows of B (and the busy tenant's topic, if any).
fn measure(probe: &mut Probe, label: String, busy_topic: Option<&str>) -> Result<Phase> {
    let (mut delivered, mut produced, mut busy, mut cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut before = probe.sample(busy_topic)?;
    for _ in 0..ROUNDS {
        std::thread::sleep(WINDOW);
        let after = probe.sample(busy_topic)?;
        let seconds = after.at.duration_since(before.at).as_secs_f64();
        delivered.push((after.delivered - before.delivered) as f64 / seconds);
        produced.push((after.produced - before.produced) as f64 / seconds);
        busy.push((after.busy - before.busy) as f64 / seconds);
        let total = after.cpu.1.saturating_sub(before.cpu.1).max(1);
        cpu.push(100.0 * after.cpu.0.saturating_sub(before.cpu.0) as f64 / total as f64);
        before = after;
    }
    let low = delivered.iter().copied().fold(f64::INFINITY, f64::min);
    let high = delivered.iter().copied().fold(0.0, f64::max);
    let phase = Phase {
        label,
        delivered: median(&mut delivered),
        spread: (low, high),
        produced: median(&mut produced),
        busy: median(&mut busy),
        cpu: median(&mut cpu),
    };
    println!(
        "  {:<40} B {:>9.0} rec/s (windows {:.0}–{:.0}), A {:>6.0} rec/s, CPU {:>3.0} %",
        phase.label, phase.delivered, phase.spread.0, phase.spread.1, phase.busy, phase.cpu
    );
    Ok(phase)
}

/// A CPU-bound tenant's connector: `CountingSource` → `BusyTransform` into `topic`.
fn busy_connector(topic: &str, tasks: usize) -> Value {
    json!({
        "connector.class": "CountingSource",
        "tasks.max": tasks.to_string(),
        "topic": topic,
        "batch.size": BUSY_BATCH.to_string(),
        "transforms": "busy",
        "transforms.busy.type": "BusyTransform",
        "transforms.busy.busy.iterations": BUSY_ITERATIONS.to_string(),
    })
}

/// Copy the fixtures the benchmark needs into `dir` (its `plugin.path`).
fn plugin_dir(dir: &Path) -> Result<PathBuf> {
    let fixtures = fixtures_dir()?;
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins)?;
    for file in ["counting-source.wasm", "busy-transform.wasm"] {
        let from = fixtures.join(file);
        std::fs::copy(&from, plugins.join(file)).with_context(|| {
            format!(
                "cannot copy the fixture {} (run the binary from a build tree)",
                from.display()
            )
        })?;
    }
    Ok(plugins)
}

/// Run the measurement and print it (on a blocking thread of a Tokio runtime).
pub fn run() -> Result<()> {
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir()?;
    let keep_logs = std::env::var_os("WASM_CONNECT_BENCH_LOG").is_some();
    let plugins = plugin_dir(dir.path())?;
    let key_file = dir.path().join("admin.key");
    std::fs::write(&key_file, ADMIN_KEY)?;
    let b_root = dir.path().join("b-files");
    std::fs::create_dir_all(&b_root)?;
    let sink_file = b_root.join("out.txt");

    let runtime = tokio::runtime::Handle::current();
    let (broker, bootstrap) = start_broker(&runtime)?;
    let settings: BTreeMap<String, String> =
        [("bootstrap.servers".to_string(), bootstrap.clone())].into();
    for topic in ["b.bench", "a.busy", "a-low.busy", "a2.busy"] {
        runtime.block_on(crate::kafka::ensure_topic(&settings, topic, 1, 1, &[]))?;
    }
    let timing = WorkerSettings {
        session_timeout_ms: 10_000,
        heartbeat_ms: 1_000,
        rebalance_delay_ms: 10_000,
    };
    let extra = [
        ("tenancy.enabled", "true".to_string()),
        ("tenancy.admin.key.file", key_file.display().to_string()),
        ("plugin.path", plugins.display().to_string()),
        // One compiled-plugin cache for both workers: the second starts from the first's.
        (
            "plugin.cache.dir",
            dir.path().join("cache").display().to_string(),
        ),
    ];
    println!(
        "Tenancy benchmark: {cores} core(s) shared by the broker, 2 workers and both tenants' tasks; load average {}",
        load_average()
    );
    println!("starting 2 workers with tenancy on");
    let first = start_worker_with(dir.path(), &bootstrap, &timing, &extra)?;
    let second = start_worker_with(dir.path(), &bootstrap, &timing, &extra)?;
    let port = first.port;

    let b = create_tenant(port, "b", "b.", None, Some(&b_root))?;
    let loads = [
        ("a", "a.busy", Some(CPU_SHARE)),
        ("a-low", "a-low.busy", Some(LOW_CPU_SHARE)),
        ("a2", "a2.busy", None),
    ];
    let mut keys = Vec::new();
    for (name, _, share) in loads {
        keys.push(create_tenant(port, name, &format!("{name}."), share, None)?);
    }

    create_connector(
        port,
        &b,
        "sink",
        json!({"connector.class": "FileStreamSink", "topics": "b.bench", "file": sink_file.display().to_string()}),
    )?;
    create_connector(
        port,
        &b,
        "source",
        json!({"connector.class": "CountingSource", "topic": "b.bench", "batch.size": B_BATCH.to_string()}),
    )?;
    wait_running(port, &b, "sink", 1, Duration::from_secs(120))?;
    wait_running(port, &b, "source", 1, Duration::from_secs(120))?;
    let mut probe = Probe::new(&bootstrap, sink_file)?;
    println!(
        "B: CountingSource (batch.size={B_BATCH}) → b.bench → FileStreamSink; A: CountingSource (batch.size={BUSY_BATCH}) → BusyTransform (busy.iterations={BUSY_ITERATIONS}) → a.busy, tasks.max={cores}"
    );
    println!("{ROUNDS} windows of {WINDOW:?} per phase, medians:");
    std::thread::sleep(WARM_UP);

    // Every load phase sits between two phases of B alone, and its ratio is against their mean:
    // B's rate drifts over a run (the in-memory broker grows, other work on the machine).
    let mut phases = vec![measure(&mut probe, "B alone".into(), None)?];
    for ((name, topic, share), key) in loads.iter().zip(&keys) {
        create_connector(port, key, "busy", busy_connector(topic, cores))?;
        wait_running(port, key, "busy", cores, Duration::from_secs(60))?;
        std::thread::sleep(SETTLE);
        let label = match share {
            Some(share) => format!("B + {name} (task.cpu.share={share})"),
            None => format!("B + {name} (no cpu quota)"),
        };
        phases.push(measure(&mut probe, label, Some(topic))?);
        delete_connector(port, key, "busy")?;
        std::thread::sleep(SETTLE);
        phases.push(measure(&mut probe, "B alone".into(), None)?);
    }

    println!();
    println!(
        "{:<34} {:>11} {:>11} {:>9} {:>6} {:>15} {:>7}",
        "phase", "B deliv./s", "B prod./s", "A rec/s", "CPU %", "B alone around", "ratio"
    );
    let mut summary = Vec::new();
    for (i, phase) in phases.iter().enumerate() {
        let (baseline, ratio) = if i % 2 == 1 {
            let baseline = (phases[i - 1].delivered + phases[i + 1].delivered) / 2.0;
            let ratio = phase.delivered / baseline.max(1e-9);
            summary.push((phase.label.clone(), ratio));
            (format!("{baseline:.0}"), format!("{ratio:.2}"))
        } else {
            (String::new(), String::new())
        };
        println!(
            "{:<34} {:>11.0} {:>11.0} {:>9.0} {:>6.0} {:>15} {:>7}",
            phase.label, phase.delivered, phase.produced, phase.busy, phase.cpu, baseline, ratio
        );
    }
    println!();
    for (label, ratio) in summary {
        println!(
            "{label} / B alone = {ratio:.3} (goal >= 0.9: {})",
            if ratio >= 0.9 { "met" } else { "missed" }
        );
    }
    println!(
        "ratio = B's delivered records/s (sink file lines, median of {ROUNDS} windows of {WINDOW:?}) / mean of the B-alone phases just before and after; same run; {cores} core(s); load average {}; {:.0} s in all",
        load_average(),
        started.elapsed().as_secs_f64()
    );

    drop(probe);
    drop(first);
    drop(second);
    runtime.block_on(broker.shutdown());
    if keep_logs {
        println!("worker logs: {}", dir.keep().display());
    }
    Ok(())
}
