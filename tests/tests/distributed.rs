//! Distributed mode with real worker processes on one loopback broker: connectors created through
//! any worker run somewhere in the cluster; a worker killed with `kill -9` has its tasks run
//! elsewhere; a worker stopped with SIGTERM hands over at once; a restarted cluster comes back
//! from its internal topics; internal topics are checked.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, distributed_properties, free_port, worker_binary,
};

/// A cluster of distributed workers on one broker.
struct Cluster {
    dir: tempfile::TempDir,
    broker: BrokerProcess,
    group: String,
    workers: Vec<Option<WorkerProcess>>,
    ports: Vec<u16>,
}

impl Cluster {
    fn start(workers: usize) -> Result<Cluster> {
        let dir = tempfile::tempdir()?;
        let broker = BrokerProcess::start(dir.path())?;
        let mut cluster = Cluster {
            dir,
            broker,
            group: "connect-cluster".into(),
            workers: Vec::new(),
            ports: Vec::new(),
        };
        for _ in 0..workers {
            cluster.add_worker()?;
        }
        Ok(cluster)
    }

    fn add_worker(&mut self) -> Result<usize> {
        let port = free_port()?;
        self.ports.push(port);
        self.workers.push(None);
        let index = self.workers.len() - 1;
        self.restart_worker(index)?;
        Ok(index)
    }

    fn restart_worker(&mut self, index: usize) -> Result<()> {
        let port = self.ports[index];
        let props =
            distributed_properties(self.dir.path(), &self.broker.bootstrap, port, &self.group)?;
        let worker = WorkerProcess::start_distributed(
            self.dir.path(),
            &props,
            port,
            &format!(
                "worker-{index}-{}.log",
                Instant::now().elapsed().as_nanos() + port as u128
            ),
        )?;
        self.workers[index] = Some(worker);
        Ok(())
    }

    fn worker(&self, index: usize) -> Result<&WorkerProcess> {
        self.workers[index].as_ref().context("worker is down")
    }

    fn live(&self) -> impl Iterator<Item = &WorkerProcess> {
        self.workers.iter().flatten()
    }

    /// The index of the worker whose REST id is `worker_id`.
    fn index_of(&self, worker_id: &str) -> Option<usize> {
        self.ports
            .iter()
            .position(|p| worker_id == format!("127.0.0.1:{p}"))
    }

    fn logs(&self) -> String {
        let mut out = String::new();
        for (i, w) in self.workers.iter().enumerate() {
            if let Some(w) = w {
                out.push_str(&format!(
                    "--- worker {i}\n{}\n",
                    tail(&w.process.output(), 60)
                ));
            }
        }
        out
    }

    /// Wait until a live worker reports a status of `connector` that passes `check`.
    fn wait_status(
        &self,
        connector: &str,
        timeout: Duration,
        check: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            for worker in self.live() {
                if let Ok((200, status)) =
                    worker.call("GET", &format!("/connectors/{connector}/status"), None)
                {
                    if check(&status) {
                        return Ok(status);
                    }
                    last = status;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "status of {connector} never matched; last: {last}\n{}",
            self.logs()
        )
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn all_running(status: &Value, tasks: usize) -> bool {
    status["connector"]["state"] == "RUNNING"
        && status["tasks"]
            .as_array()
            .is_some_and(|t| t.len() == tasks && t.iter().all(|t| t["state"] == "RUNNING"))
}

fn lines_of(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn wait_for_all_lines(
    cluster: &Cluster,
    path: &Path,
    expected: &BTreeSet<String>,
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if lines_of(path).is_superset(expected) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let missing: Vec<_> = expected
        .difference(&lines_of(path))
        .take(10)
        .cloned()
        .collect();
    bail!(
        "lines missing from {}: {missing:?}…\n{}",
        path.display(),
        cluster.logs()
    )
}

fn append_lines(path: &Path, range: std::ops::Range<usize>) -> Result<BTreeSet<String>> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let mut lines = BTreeSet::new();
    for i in range {
        let line = format!("line-{i:06}");
        writeln!(file, "{line}")?;
        lines.insert(line);
    }
    Ok(lines)
}

/// Create a file source and a file sink through worker `via`.
fn create_pipeline(cluster: &Cluster, via: usize, input: &Path, output: &Path) -> Result<()> {
    let worker = cluster.worker(via)?;
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "source", "config": {
            "connector.class": "FileStreamSource",
            "file": input.display().to_string(),
            "topic": "lines",
            "topic.creation.default.partitions": "1",
            "topic.creation.default.replication.factor": "1",
        }})),
    )?;
    anyhow::ensure!(
        code == 201,
        "create source: {code} {body}\n{}",
        cluster.logs()
    );
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "sink", "config": {
            "connector.class": "FileStreamSink",
            "file": output.display().to_string(),
            "topics": "lines",
        }})),
    )?;
    anyhow::ensure!(
        code == 201,
        "create sink: {code} {body}\n{}",
        cluster.logs()
    );
    Ok(())
}

/// Create `topic` with `partitions` and topic configs, through the Kafka protocol.
fn create_topic(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    configs: &[(&str, &str)],
) -> Result<()> {
    let admin: rdkafka::admin::AdminClient<rdkafka::client::DefaultClientContext> =
        rdkafka::ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .create()?;
    let mut new_topic = rdkafka::admin::NewTopic::new(
        topic,
        partitions,
        rdkafka::admin::TopicReplication::Fixed(1),
    );
    for (k, v) in configs {
        new_topic = new_topic.set(k, v);
    }
    tokio::runtime::Runtime::new()?
        .block_on(admin.create_topics([&new_topic], &rdkafka::admin::AdminOptions::new()))?;
    Ok(())
}

#[test]
fn tasks_of_a_killed_worker_run_elsewhere_and_nothing_is_lost() -> Result<()> {
    let mut cluster = Cluster::start(3)?;
    let input = cluster.dir.path().join("in.txt");
    let output = cluster.dir.path().join("out.txt");
    let mut expected = append_lines(&input, 0..200)?;
    create_pipeline(&cluster, 1, &input, &output)?;
    // Every worker answers for every connector, wherever it runs.
    for name in ["source", "sink"] {
        cluster.wait_status(name, Duration::from_secs(60), |s| all_running(s, 1))?;
    }
    for worker in cluster.live() {
        let (code, names) = worker.call("GET", "/connectors", None)?;
        assert_eq!(code, 200);
        assert_eq!(names, json!(["sink", "source"]));
    }
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(60))?;

    // kill -9 the worker running the sink task.
    let status = cluster.wait_status("sink", Duration::from_secs(10), |s| all_running(s, 1))?;
    let owner = status["tasks"][0]["worker_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let victim = cluster
        .index_of(&owner)
        .with_context(|| format!("unknown worker {owner}"))?;
    cluster.workers[victim]
        .as_mut()
        .context("owner is up")?
        .process
        .kill9()?;
    cluster.workers[victim] = None;
    let killed = Instant::now();
    expected.extend(append_lines(&input, 200..400)?);
    let status = cluster.wait_status("sink", Duration::from_secs(30), |s| {
        all_running(s, 1) && s["tasks"][0]["worker_id"] != owner.as_str()
    })?;
    let took = killed.elapsed();
    // session.timeout.ms (3 s) + scheduled.rebalance.max.delay.ms (1 s) + 2 s, with 2 s more for
    // a debug build on a busy CI machine (the release benchmark measures the real figure).
    assert!(
        took < Duration::from_secs(6) + Duration::from_secs(2),
        "failover took {took:?}: {status}"
    );
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(60))?;

    // SIGTERM the worker now running the sink: handed over at once.
    let owner = status["tasks"][0]["worker_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let leaving = cluster.index_of(&owner).context("owner")?;
    let stopped = Instant::now();
    cluster.workers[leaving]
        .as_mut()
        .context("up")?
        .process
        .terminate(Duration::from_secs(30))?;
    cluster.workers[leaving] = None;
    cluster.wait_status("sink", Duration::from_secs(10), |s| {
        all_running(s, 1) && s["tasks"][0]["worker_id"] != owner.as_str()
    })?;
    let handover = stopped.elapsed();
    assert!(
        handover < Duration::from_secs(2) + Duration::from_secs(1),
        "handover took {handover:?}"
    );
    expected.extend(append_lines(&input, 400..500)?);
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(60))?;
    Ok(())
}

#[test]
fn a_restarted_cluster_comes_back_from_its_internal_topics() -> Result<()> {
    let mut cluster = Cluster::start(2)?;
    let input = cluster.dir.path().join("in.txt");
    let output = cluster.dir.path().join("out.txt");
    let mut expected = append_lines(&input, 0..50)?;
    create_pipeline(&cluster, 0, &input, &output)?;
    cluster.wait_status("sink", Duration::from_secs(60), |s| all_running(s, 1))?;
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(60))?;
    let (code, _) = cluster
        .worker(1)?
        .call("PUT", "/connectors/source/pause", None)?;
    assert_eq!(code, 202);
    cluster.wait_status("source", Duration::from_secs(30), |s| {
        s["tasks"][0]["state"] == "PAUSED"
    })?;

    for i in 0..2 {
        cluster.workers[i]
            .as_mut()
            .context("up")?
            .process
            .terminate(Duration::from_secs(30))?;
        cluster.workers[i] = None;
    }
    expected.extend(append_lines(&input, 50..80)?);
    for i in 0..2 {
        cluster.restart_worker(i)?;
    }
    // Connectors, task configs and the paused state come back.
    let status = cluster.wait_status("source", Duration::from_secs(60), |s| {
        s["tasks"][0]["state"] == "PAUSED"
    })?;
    assert_eq!(status["connector"]["state"], "PAUSED", "{status}");
    let (_, tasks) = cluster
        .worker(0)?
        .call("GET", "/connectors/source/tasks", None)?;
    assert_eq!(tasks.as_array().map(Vec::len), Some(1), "{tasks}");
    cluster.wait_status("sink", Duration::from_secs(60), |s| all_running(s, 1))?;
    // Resume: the source continues from its committed offset (no line is read twice).
    let (code, _) = cluster
        .worker(0)?
        .call("PUT", "/connectors/source/resume", None)?;
    assert_eq!(code, 202);
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(60))?;
    std::thread::sleep(Duration::from_secs(1));
    let written = std::fs::read_to_string(&output)?;
    assert_eq!(written.lines().count(), 80, "each line once:\n{written}");
    Ok(())
}

/// Start a distributed worker of `group` that must refuse to start; its standard error.
fn refused_start(dir: &Path, bootstrap: &str, group: &str) -> Result<String> {
    let port = free_port()?;
    let props = distributed_properties(dir, bootstrap, port, group)?;
    let out = std::process::Command::new(worker_binary()?)
        .arg("distributed")
        .arg(&props)
        .output()?;
    assert!(!out.status.success(), "the worker of {group} started");
    Ok(String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_config_topic_with_two_partitions_stops_the_worker() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    // The group `bad` uses config topic `bad-configs`: create it first, with two partitions.
    create_topic(
        &broker.bootstrap,
        "bad-configs",
        2,
        &[("cleanup.policy", "compact")],
    )?;
    let stderr = refused_start(dir.path(), &broker.bootstrap, "bad")?;
    assert!(
        stderr.contains("bad-configs") && stderr.contains("single partition"),
        "{stderr}"
    );
    Ok(())
}

/// How often each worker log says it started `work` (Debug form of the work item).
fn starts(cluster: &Cluster, dir: &Path, work: &str) -> usize {
    let needle = format!("starting work={work}");
    let _ = cluster;
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("worker-"))
        .map(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .matches(&needle)
                .count()
        })
        .sum()
}

#[test]
fn a_joining_worker_takes_some_tasks_and_the_others_keep_running() -> Result<()> {
    let mut cluster = Cluster::start(3)?;
    create_topic(&cluster.broker.bootstrap, "wide", 6, &[])?;
    let output = cluster.dir.path().join("wide.txt");
    let (code, body) = cluster.worker(2)?.call(
        "POST",
        "/connectors",
        Some(json!({"name": "many", "config": {
            "connector.class": "FileStreamSink",
            "file": output.display().to_string(),
            "topics": "wide",
            "tasks.max": "6",
        }})),
    )?;
    anyhow::ensure!(code == 201, "{code} {body}");
    let before = cluster.wait_status("many", Duration::from_secs(60), |s| all_running(s, 6))?;
    let owner = |status: &Value, task: usize| {
        status["tasks"][task]["worker_id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let newcomer = cluster.add_worker()?;
    let newcomer_id = format!("127.0.0.1:{}", cluster.ports[newcomer]);
    let after = cluster.wait_status("many", Duration::from_secs(60), |s| {
        all_running(s, 6) && (0..6).any(|t| owner(s, t) == newcomer_id)
    })?;
    // Settle: the assignment is stable and balanced (6 tasks on 4 workers: 1 or 2 each).
    std::thread::sleep(Duration::from_secs(3));
    let settled = cluster.wait_status("many", Duration::from_secs(30), |s| all_running(s, 6))?;
    let mut per_worker = std::collections::BTreeMap::<String, usize>::new();
    for t in 0..6 {
        *per_worker.entry(owner(&settled, t)).or_default() += 1;
    }
    assert!(
        per_worker.values().all(|n| (1..=2).contains(n)),
        "unbalanced: {per_worker:?}"
    );
    let dir = cluster.dir.path().to_path_buf();
    for t in 0..6 {
        let work = format!("Task {{ connector: \"many\", task: {t} }}");
        if owner(&before, t) == owner(&settled, t) {
            assert_eq!(
                starts(&cluster, &dir, &work),
                1,
                "task {t} did not move ({}) but was restarted\n{after}\n{}",
                owner(&settled, t),
                cluster.logs()
            );
        }
    }
    Ok(())
}

#[test]
fn a_rolling_restart_loses_nothing_and_keeps_order() -> Result<()> {
    let mut cluster = Cluster::start(3)?;
    let input = cluster.dir.path().join("in.txt");
    let output = cluster.dir.path().join("out.txt");
    let mut expected = append_lines(&input, 0..100)?;
    create_pipeline(&cluster, 0, &input, &output)?;
    cluster.wait_status("sink", Duration::from_secs(60), |s| all_running(s, 1))?;
    let mut next = 100;
    for i in 0..3 {
        cluster.workers[i]
            .as_mut()
            .context("up")?
            .process
            .terminate(Duration::from_secs(30))?;
        cluster.workers[i] = None;
        expected.extend(append_lines(&input, next..next + 100)?);
        next += 100;
        cluster.restart_worker(i)?;
        cluster.wait_status("sink", Duration::from_secs(60), |s| all_running(s, 1))?;
        cluster.wait_status("source", Duration::from_secs(60), |s| all_running(s, 1))?;
        expected.extend(append_lines(&input, next..next + 100)?);
        next += 100;
    }
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(90))?;
    std::thread::sleep(Duration::from_secs(1));
    let written: Vec<String> = std::fs::read_to_string(&output)?
        .lines()
        .map(str::to_string)
        .collect();
    let mut sorted = written.clone();
    sorted.sort();
    assert_eq!(
        written, sorted,
        "the sink output of the single partition is in order"
    );
    assert_eq!(
        written.len(),
        expected.len(),
        "each record exactly once after graceful restarts"
    );
    Ok(())
}

#[test]
fn internal_topics_are_created_compacted_and_checked() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = distributed_properties(dir.path(), &broker.bootstrap, port, "made")?;
    let worker = WorkerProcess::start_distributed(dir.path(), &props, port, "worker-made.log")?;
    let admin: rdkafka::admin::AdminClient<rdkafka::client::DefaultClientContext> =
        rdkafka::ClientConfig::new()
            .set("bootstrap.servers", &broker.bootstrap)
            .create()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let metadata = rdkafka::consumer::Consumer::fetch_metadata(
        &rdkafka::ClientConfig::new()
            .set("bootstrap.servers", &broker.bootstrap)
            .create::<rdkafka::consumer::BaseConsumer>()?,
        None,
        Duration::from_secs(10),
    )?;
    let partitions = |name: &str| {
        metadata
            .topics()
            .iter()
            .find(|t| t.name() == name)
            .map(|t| t.partitions().len())
    };
    assert_eq!(partitions("made-configs"), Some(1));
    assert_eq!(partitions("made-offsets"), Some(3));
    assert_eq!(partitions("made-status"), Some(2));
    for topic in ["made-configs", "made-offsets", "made-status"] {
        let described = runtime.block_on(admin.describe_configs(
            [&rdkafka::admin::ResourceSpecifier::Topic(topic)],
            &rdkafka::admin::AdminOptions::new(),
        ))?;
        let policy = described
            .into_iter()
            .flatten()
            .find_map(|r| r.get("cleanup.policy").and_then(|e| e.value.clone()));
        assert_eq!(policy.as_deref(), Some("compact"), "{topic}");
    }
    drop(worker);

    // A pre-existing config topic that is not compacted stops the worker with the fix in the error.
    create_topic(
        &broker.bootstrap,
        "loose-configs",
        1,
        &[("cleanup.policy", "delete")],
    )?;
    let stderr = refused_start(dir.path(), &broker.bootstrap, "loose")?;
    assert!(
        stderr.contains("loose-configs") && stderr.contains("cleanup.policy=compact"),
        "{stderr}"
    );
    Ok(())
}

/// Poll `path` on `worker` until the answer passes `check`.
fn wait_answer(
    cluster: &Cluster,
    worker: usize,
    path: &str,
    check: impl Fn(&Value) -> bool,
) -> Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = Value::Null;
    while Instant::now() < deadline {
        if let Ok((200, body)) = cluster.worker(worker)?.call("GET", path, None) {
            if check(&body) {
                return Ok(body);
            }
            last = body;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!(
        "GET {path} on worker {worker} never matched; last: {last}\n{}",
        cluster.logs()
    )
}

#[test]
fn rest_operations_work_through_any_worker() -> Result<()> {
    let cluster = Cluster::start(2)?;
    let input = cluster.dir.path().join("in.txt");
    let output = cluster.dir.path().join("out.txt");
    let mut expected = append_lines(&input, 0..5)?;
    let input_path = input.display().to_string();
    // Created PAUSED through worker 1 (forwarded to the leader when worker 1 does not lead).
    let (code, body) = cluster.worker(1)?.call(
        "POST",
        "/connectors",
        Some(
            json!({"name": "source", "initial_state": "PAUSED", "config": {
            "connector.class": "FileStreamSource", "file": input_path, "topic": "lines",
            "topic.creation.default.partitions": "1",
            "topic.creation.default.replication.factor": "1"}}),
        ),
    )?;
    assert_eq!(code, 201, "{body}");
    let (code, body) = cluster.worker(0)?.call(
        "POST",
        "/connectors",
        Some(
            json!({"name": "sink", "config": {"connector.class": "FileStreamSink",
            "file": output.display().to_string(), "topics": "lines"}}),
        ),
    )?;
    assert_eq!(code, 201, "{body}");
    cluster.wait_status("source", Duration::from_secs(60), |s| {
        s["connector"]["state"] == "PAUSED"
            && s["tasks"]
                .as_array()
                .is_some_and(|t| t.len() == 1 && t[0]["state"] == "PAUSED")
    })?;
    std::thread::sleep(Duration::from_secs(2));
    assert!(lines_of(&output).is_empty(), "a PAUSED source sent records");

    let (code, _) = cluster
        .worker(0)?
        .call("PUT", "/connectors/source/resume", None)?;
    assert_eq!(code, 202);
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(60))?;
    for worker in 0..2 {
        wait_answer(&cluster, worker, "/connectors/source/topics", |t| {
            *t == json!({"source": {"topics": ["lines"]}})
        })?;
    }

    // Stop through worker 1; both workers report STOPPED without tasks.
    let (code, body) = cluster
        .worker(1)?
        .call("PUT", "/connectors/source/stop", None)?;
    assert_eq!(code, 204, "{body}");
    for worker in 0..2 {
        wait_answer(&cluster, worker, "/connectors/source/status", |s| {
            s["connector"]["state"] == "STOPPED" && s["tasks"] == json!([])
        })?;
    }
    let length = std::fs::metadata(&input)?.len();
    wait_answer(&cluster, 0, "/connectors/source/offsets", |o| {
        o["offsets"][0]["offset"]["position"] == json!(length)
    })?;
    // Rewind to line 2 through worker 1; worker 0 sees it; resuming sends lines 2..5 again.
    let rewind = json!({"offsets": [{"partition": {"filename": input_path},
        "offset": {"position": "line-000000\nline-000001\n".len()}}]});
    let (code, body) =
        cluster
            .worker(1)?
            .call("PATCH", "/connectors/source/offsets", Some(rewind.clone()))?;
    assert_eq!(code, 200, "{body}");
    wait_answer(&cluster, 0, "/connectors/source/offsets", |o| *o == rewind)?;
    let (code, _) = cluster
        .worker(0)?
        .call("PUT", "/connectors/source/resume", None)?;
    assert_eq!(code, 202);
    let deadline = Instant::now() + Duration::from_secs(60);
    while wasm_connect_tests::line_count(&output) < 8 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = std::fs::read_to_string(&output)?;
    assert_eq!(text.lines().count(), 8, "{text}\n{}", cluster.logs());
    expected.extend(append_lines(&input, 5..7)?);
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(60))?;

    // PATCH config through worker 1, seen by worker 0.
    let (code, body) = cluster.worker(1)?.call(
        "PATCH",
        "/connectors/sink/config",
        Some(json!({"batch.note": "patched"})),
    )?;
    assert_eq!(code, 200, "{body}");
    wait_answer(&cluster, 0, "/connectors/sink/config", |c| {
        c["batch.note"] == "patched"
    })?;

    // A cluster-wide log level reaches every worker.
    let (code, body) = cluster.worker(0)?.call(
        "PUT",
        "/admin/loggers/wasm_connect::task?scope=cluster",
        Some(json!({"level": "DEBUG"})),
    )?;
    assert_eq!(code, 204, "{body}");
    for worker in 0..2 {
        wait_answer(&cluster, worker, "/admin/loggers/wasm_connect::task", |l| {
            l["level"] == "DEBUG"
        })?;
    }
    Ok(())
}

#[test]
fn an_uploaded_plugin_reaches_every_worker_and_is_deleted_everywhere() -> Result<()> {
    let mut cluster = Cluster::start(3)?;
    let plugin = std::fs::read(wasm_connect_tests::fixtures_dir()?.join("tag-transform.wasm"))?;
    let (code, body) =
        cluster
            .worker(0)?
            .post_bytes("/connector-plugins", "application/wasm", &plugin)?;
    assert_eq!(code, 201, "{body}");
    let has_v1 = |v: &Value| {
        v.as_array()
            .is_some_and(|a| a.len() == 1 && a[0]["version"] == "1.0.0")
    };
    for worker in 0..3 {
        wait_answer(
            &cluster,
            worker,
            "/connector-plugins/TagTransform/versions",
            has_v1,
        )?;
    }
    // A connector using it, created through worker 2, runs within 10 s of the upload.
    let input = cluster.dir.path().join("in.txt");
    let output = cluster.dir.path().join("out.txt");
    let expected: BTreeSet<String> = append_lines(&input, 0..3)?
        .into_iter()
        .map(|l| format!("{l}|v1"))
        .collect();
    let (code, body) = cluster.worker(2)?.call(
        "POST",
        "/connectors",
        Some(json!({"name": "source", "config": {
            "connector.class": "FileStreamSource", "file": input.display().to_string(),
            "topic": "lines", "topic.creation.default.partitions": "1",
            "topic.creation.default.replication.factor": "1",
            "transforms": "tag", "transforms.tag.type": "TagTransform"}})),
    )?;
    assert_eq!(code, 201, "{body}");
    // (How fast: `wasm-connect bench --plugins`; tests do not time.)
    cluster.wait_status("source", Duration::from_secs(60), |s| all_running(s, 1))?;
    let (code, body) = cluster.worker(1)?.call(
        "POST",
        "/connectors",
        Some(
            json!({"name": "sink", "config": {"connector.class": "FileStreamSink",
            "file": output.display().to_string(), "topics": "lines"}}),
        ),
    )?;
    assert_eq!(code, 201, "{body}");
    wait_for_all_lines(&cluster, &output, &expected, Duration::from_secs(60))?;

    // Upgrade to 2.0.0 (uploaded to another worker) while lines keep coming, then roll back:
    // each switch happens once, at some line, and no line is lost or repeated.
    let v2 = std::fs::read(wasm_connect_tests::fixtures_dir()?.join("tag-transform-2.wasm"))?;
    let (code, body) =
        cluster
            .worker(2)?
            .post_bytes("/connector-plugins", "application/wasm", &v2)?;
    assert_eq!(code, 201, "{body}");
    let mut next = 3;
    for (pin, tag) in [("2.0.0", "|v2"), ("1.0.0", "|v1")] {
        let (code, body) = cluster.worker(0)?.call(
            "PATCH",
            "/connectors/source/config",
            Some(json!({ "transforms.tag.plugin.version": pin })),
        )?;
        assert_eq!(code, 200, "{body}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            append_lines(&input, next..next + 2)?;
            next += 2;
            let expected: BTreeSet<String> = (0..next).map(|i| format!("line-{i:06}")).collect();
            let deadline_lines = Instant::now() + Duration::from_secs(30);
            while lines_of(&output)
                .iter()
                .map(|l| l.split('|').next().unwrap_or_default().to_string())
                .collect::<BTreeSet<_>>()
                != expected
                && Instant::now() < deadline_lines
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            if std::fs::read_to_string(&output)?
                .lines()
                .last()
                .is_some_and(|l| l.ends_with(tag))
            {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "no line carries {tag} after pinning {pin}\n{}",
                    cluster.logs()
                );
            }
        }
    }
    let text = std::fs::read_to_string(&output)?;
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(got.len(), next, "every line exactly once:\n{text}");
    let tags: Vec<&str> = got
        .iter()
        .map(|l| l.rsplit('|').next().unwrap_or_default())
        .collect();
    let switches = tags.windows(2).filter(|w| w[0] != w[1]).count();
    assert_eq!(switches, 2, "v1 → v2 → v1, each switch once:\n{text}");
    let (code, body) = cluster.worker(3 - 1)?.call(
        "DELETE",
        "/connector-plugins/TagTransform/versions/2.0.0",
        None,
    )?;
    assert_eq!(code, 204, "2.0.0 is unused after the rollback: {body}");

    // A Python-built component (ChangeCase 0.2.0) uploaded to worker 1 reaches every worker.
    let python = std::fs::read(wasm_connect_tests::fixtures_dir()?.join("change-case-0.2.0.wasm"))?;
    let (code, body) =
        cluster
            .worker(1)?
            .post_bytes("/connector-plugins", "application/wasm", &python)?;
    assert_eq!(code, 201, "{body}");
    for worker in 0..3 {
        wait_answer(
            &cluster,
            worker,
            "/connector-plugins/ChangeCase/versions",
            |v| {
                v.as_array().is_some_and(|a| {
                    a.iter()
                        .any(|p| p["version"] == "0.2.0" && p["source"] == "uploaded")
                })
            },
        )?;
    }

    // A worker that joins later replays the plugin topic.
    let fourth = cluster.add_worker()?;
    wait_answer(
        &cluster,
        fourth,
        "/connector-plugins/TagTransform/versions",
        has_v1,
    )?;

    // In use: refused on any worker; once unused, deleted on every worker.
    let (code, body) = cluster.worker(1)?.call(
        "DELETE",
        "/connector-plugins/TagTransform/versions/1.0.0",
        None,
    )?;
    assert_eq!(code, 409, "{body}");
    let (code, _) = cluster
        .worker(0)?
        .call("DELETE", "/connectors/source", None)?;
    assert_eq!(code, 204);
    // Worker 1 learns of the deletion from the config topic a moment later.
    let deadline = Instant::now() + Duration::from_secs(10);
    let (code, body) = loop {
        let (code, body) = cluster.worker(1)?.call(
            "DELETE",
            "/connector-plugins/TagTransform/versions/1.0.0",
            None,
        )?;
        if code != 409 || Instant::now() > deadline {
            break (code, body);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(code, 204, "{body}");
    for worker in 0..4 {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (code, _) = cluster.worker(worker)?.call(
                "GET",
                "/connector-plugins/TagTransform/versions",
                None,
            )?;
            if code == 404 {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "worker {worker} still has the deleted plugin\n{}",
                    cluster.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    Ok(())
}
