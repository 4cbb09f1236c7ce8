//! Multi-tenancy on a two-worker cluster with two tenants: keys, namespaces, private plugins,
//! topic and file isolation enforced by the host, quotas, the audit log, and isolation that
//! survives `kill -9` of a worker.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, distributed_properties, fixtures_dir, free_port, line_count,
    wait_for_lines, worker_binary,
};

const ADMIN: &str = "admin-key-for-the-tenancy-test";
const WAIT: Duration = Duration::from_secs(90);

struct TenantCluster {
    dir: tempfile::TempDir,
    broker: BrokerProcess,
    workers: Vec<Option<WorkerProcess>>,
    ports: Vec<u16>,
    /// Public plugins: only CountingSource (uploads are private to the tenant that made them).
    public_plugins: PathBuf,
}

impl TenantCluster {
    fn start() -> Result<TenantCluster> {
        let dir = tempfile::tempdir()?;
        let broker = BrokerProcess::start(dir.path())?;
        let public_plugins = dir.path().join("public-plugins");
        std::fs::create_dir_all(&public_plugins)?;
        for plugin in ["counting-source.wasm", "net-probe-transform.wasm"] {
            std::fs::copy(fixtures_dir()?.join(plugin), public_plugins.join(plugin))?;
        }
        std::fs::write(dir.path().join("admin.key"), format!("{ADMIN}\n"))?;
        let mut cluster = TenantCluster {
            dir,
            broker,
            workers: Vec::new(),
            ports: Vec::new(),
            public_plugins,
        };
        for _ in 0..2 {
            let port = free_port()?;
            cluster.ports.push(port);
            cluster.workers.push(None);
            cluster.start_worker(cluster.workers.len() - 1)?;
        }
        Ok(cluster)
    }

    fn start_worker(&mut self, index: usize) -> Result<()> {
        let port = self.ports[index];
        let props =
            distributed_properties(self.dir.path(), &self.broker.bootstrap, port, "tenancy")?;
        let mut file = std::fs::OpenOptions::new().append(true).open(&props)?;
        writeln!(file, "tenancy.enabled=true")?;
        writeln!(
            file,
            "tenancy.admin.key.file={}",
            self.dir.path().join("admin.key").display()
        )?;
        writeln!(file, "plugin.path={}", self.public_plugins.display())?;
        let log = format!("worker-{index}-{}.log", Instant::now().elapsed().as_nanos());
        self.workers[index] = Some(WorkerProcess::start_distributed(
            self.dir.path(),
            &props,
            port,
            &log,
        )?);
        Ok(())
    }

    fn worker(&self, index: usize) -> Result<&WorkerProcess> {
        self.workers[index].as_ref().context("worker is down")
    }

    fn root(&self, tenant: &str) -> PathBuf {
        self.dir.path().join(format!("tenant-{tenant}"))
    }

    fn logs(&self) -> String {
        self.workers
            .iter()
            .flatten()
            .map(|w| w.process.output())
            .collect::<Vec<_>>()
            .join("\n----\n")
    }
}

/// `call_as` that retries while the cluster has no leader yet or is rebalancing (409).
fn call(
    worker: &WorkerProcess,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, Value)> {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, json) = worker.call_as(Some(key), method, path, body.clone())?;
        if status != 409 || Instant::now() > deadline || path.starts_with("/admin/tenants/") {
            return Ok((status, json));
        }
        if json.to_string().contains("already exists") || json.to_string().contains("still has") {
            return Ok((status, json));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn expect(
    worker: &WorkerProcess,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    status: u16,
) -> Result<Value> {
    let (got, json) = call(worker, key, method, path, body)?;
    if got != status {
        bail!("{method} {path}: expected {status}, got {got}: {json}");
    }
    Ok(json)
}

fn message(json: &Value) -> String {
    json["message"].as_str().unwrap_or_default().to_string()
}

fn running(status: &Value) -> bool {
    status["connector"]["state"] == "RUNNING"
        && status["tasks"]
            .as_array()
            .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t["state"] == "RUNNING"))
}

fn append_lines(path: &Path, prefix: &str, range: std::ops::Range<usize>) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for i in range {
        writeln!(file, "{prefix}-{i}")?;
    }
    Ok(())
}

#[test]
fn two_tenants_share_a_cluster_without_seeing_or_touching_each_other() -> Result<()> {
    let mut cluster = TenantCluster::start()?;
    let w0 = cluster.worker(0)?;
    let w1 = cluster.worker(1)?;

    // --- Keys: nothing without one; tenants cannot manage tenants.
    let (status, json) = w0.call("GET", "/connectors", None)?;
    assert_eq!(status, 401, "{json}");
    let (status, _) = w0.call_as(Some("not-a-key"), "GET", "/connectors", None)?;
    assert_eq!(status, 401);
    for tenant in ["a", "b"] {
        std::fs::create_dir_all(cluster.root(tenant))?;
    }
    // Two local servers: A may connect to the first only.
    let granted = std::net::TcpListener::bind("127.0.0.1:0")?;
    let refused = std::net::TcpListener::bind("127.0.0.1:0")?;
    let (granted_addr, refused_addr) = (granted.local_addr()?, refused.local_addr()?);
    for listener in [&granted, &refused] {
        listener.set_nonblocking(true)?;
    }
    let a_tenant = json!({
        "name": "a",
        "topic.prefixes": ["a."],
        "fs.root": cluster.root("a"),
        "http.hosts": [granted_addr.to_string()],
        "quotas": {"connectors": 3, "tasks": 4, "plugin.bytes": 1000, "task.memory.bytes": 134217728u64}
    });
    let b_tenant = json!({"name": "b", "topic.prefixes": ["b."], "fs.root": cluster.root("b")});
    expect(w0, ADMIN, "POST", "/admin/tenants", Some(a_tenant), 201)?;
    // Created through the other worker: tenants live in the config topic.
    expect(w1, ADMIN, "POST", "/admin/tenants", Some(b_tenant), 201)?;
    let a_key = expect(w1, ADMIN, "POST", "/admin/tenants/a/keys", None, 201)?["key"]
        .as_str()
        .context("key")?
        .to_string();
    let b_key = expect(w0, ADMIN, "POST", "/admin/tenants/b/keys", None, 201)?["key"]
        .as_str()
        .context("key")?
        .to_string();
    let json = expect(w0, &a_key, "GET", "/admin/tenants", None, 403)?;
    assert!(message(&json).contains("admin"), "{json}");

    // The command-line client, with a key from a file and from the environment.
    let key_file = cluster.dir.path().join("cli-admin.key");
    std::fs::write(&key_file, ADMIN)?;
    let cli = |args: &[&str], env_key: Option<&str>| -> Result<(Option<i32>, String, String)> {
        let mut command = std::process::Command::new(worker_binary()?);
        command.args(args).args(["--url", &w0.url]);
        command.env_remove("WASM_CONNECT_TOKEN");
        if let Some(key) = env_key {
            command.env("WASM_CONNECT_TOKEN", key);
        }
        let out = command.output()?;
        Ok((
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        ))
    };
    let key_arg = key_file.display().to_string();
    let (code, stdout, stderr) = cli(&["tenants", "list", "--token-file", &key_arg], None)?;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains('a') && stdout.contains('b'), "{stdout}");
    let (code, stdout, stderr) = cli(&["tenants", "get", "a", "--token-file", &key_arg], None)?;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("a.") && stdout.contains("connectors"),
        "{stdout}"
    );
    // A tenant's key is refused on admin commands (exit 1), and no key at all is a 401.
    let (code, _, stderr) = cli(&["tenants", "list"], Some(&a_key))?;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("403"), "{stderr}");
    let (code, _, stderr) = cli(&["connectors", "list"], None)?;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("401"), "{stderr}");
    let (code, stdout, stderr) = cli(&["connectors", "list"], Some(&a_key))?;
    assert_eq!(code, Some(0), "{stdout}{stderr}");

    // --- B's pipeline: a file source and a file sink, paths relative to B's fs.root.
    append_lines(&cluster.root("b").join("in.txt"), "b-line", 0..20)?;
    expect(
        w0,
        &b_key,
        "POST",
        "/connectors",
        Some(json!({"name": "sink", "config": {
            "connector.class": "FileStreamSink", "topics": "b.data", "file": "out.txt"}})),
        201,
    )?;
    expect(
        w1,
        &b_key,
        "POST",
        "/connectors",
        Some(json!({"name": "source", "config": {
            "connector.class": "FileStreamSource", "topic": "b.data", "file": "in.txt"}})),
        201,
    )?;
    let b_out = cluster.root("b").join("out.txt");
    wait_for_lines(&b_out, 20, WAIT).with_context(|| cluster.logs())?;

    // --- A sees nothing of B: every read or change is a 404 that names only what A asked.
    let json = expect(w1, &a_key, "GET", "/connectors", None, 200)?;
    assert_eq!(json, json!([]));
    for (method, path) in [
        ("GET", "/connectors/sink"),
        ("GET", "/connectors/sink/config"),
        ("GET", "/connectors/sink/status"),
        ("GET", "/connectors/sink/tasks"),
        ("GET", "/connectors/sink/tasks/0/status"),
        ("GET", "/connectors/source/offsets"),
        ("GET", "/connectors/sink/topics"),
        ("PUT", "/connectors/sink/pause"),
        ("PUT", "/connectors/sink/stop"),
        ("POST", "/connectors/sink/restart?includeTasks=true"),
        ("POST", "/connectors/sink/tasks/0/restart"),
        ("DELETE", "/connectors/source"),
    ] {
        let json = expect(w0, &a_key, method, path, None, 404)?;
        assert!(!json.to_string().contains("b/"), "{method} {path}: {json}");
    }
    let json = expect(w0, &b_key, "GET", "/connectors?expand=status", None, 200)?;
    assert!(running(&json["sink"]["status"]), "{json}");
    assert_eq!(json["sink"]["status"]["name"], "sink");

    // --- A private plugin: B uploads TagTransform; A cannot see or use it.
    let tag = std::fs::read(fixtures_dir()?.join("tag-transform.wasm"))?;
    let (status, json) =
        w1.post_bytes_as(Some(&b_key), "/connector-plugins", "application/wasm", &tag)?;
    assert_eq!(status, 201, "{json}");
    // The upload reaches the other worker through the plugin topic.
    let deadline = Instant::now() + WAIT;
    loop {
        let listed = expect(
            w0,
            &b_key,
            "GET",
            "/connector-plugins?connectorsOnly=false",
            None,
            200,
        )?;
        if listed.to_string().contains("TagTransform") {
            break;
        }
        if Instant::now() > deadline {
            bail!("B's plugin never reached worker 0: {listed}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let listed = expect(
        w0,
        &a_key,
        "GET",
        "/connector-plugins?connectorsOnly=false",
        None,
        200,
    )?;
    assert!(!listed.to_string().contains("TagTransform"), "{listed}");
    expect(
        w0,
        &a_key,
        "GET",
        "/connector-plugins/TagTransform/versions",
        None,
        404,
    )?;
    let json = expect(
        w1,
        &a_key,
        "POST",
        "/connectors",
        Some(json!({"name": "uses-b-plugin", "config": {
            "connector.class": "CountingSource", "max.records": "100", "topic": "a.count",
            "transforms": "tag", "transforms.tag.type": "TagTransform"}})),
        400,
    )?;
    assert!(message(&json).contains("transforms.tag.type"), "{json}");
    // A's plugin quota (1000 bytes) refuses the same upload, naming the quota; nothing is kept.
    let (status, json) =
        w0.post_bytes_as(Some(&a_key), "/connector-plugins", "application/wasm", &tag)?;
    assert_eq!(status, 403, "{json}");
    assert!(message(&json).contains("'plugin.bytes'"), "{json}");

    // --- Topics of B, named by A: refused at validation, each on its field.
    for (config, field) in [
        (
            json!({"connector.class": "FileStreamSink", "topics": "b.data", "file": "x.txt"}),
            "topics",
        ),
        (
            json!({"connector.class": "FileStreamSink", "topics.regex": "b\\..*", "file": "x.txt"}),
            "topics.regex",
        ),
        (
            json!({"connector.class": "FileStreamSink", "topics.regex": ".*", "file": "x.txt"}),
            "topics.regex",
        ),
        (
            json!({"connector.class": "FileStreamSink", "topics": "a.data", "file": "x.txt",
                "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "b.dlq"}),
            "errors.deadletterqueue.topic.name",
        ),
        (
            json!({"connector.class": "FileStreamSource", "topic": "b.data", "file": "in.txt"}),
            "topic",
        ),
        // Files outside A's fs.root, and the worker's environment.
        (
            json!({"connector.class": "FileStreamSource", "topic": "a.data", "file": cluster.root("b").join("in.txt")}),
            "file",
        ),
        (
            json!({"connector.class": "FileStreamSource", "topic": "a.data", "file": "../tenant-b/in.txt"}),
            "file",
        ),
        (
            json!({"connector.class": "CountingSource", "max.records": "100", "topic": "a.c", "wasm.fs.read.paths": "/etc"}),
            "wasm.fs.read.paths",
        ),
        (
            json!({"connector.class": "CountingSource", "max.records": "100", "topic": "a.c", "wasm.env.vars": "HOME"}),
            "wasm.env.vars",
        ),
        (
            json!({"connector.class": "CountingSource", "max.records": "100", "topic": "a.c", "wasm.net.hosts": refused_addr.to_string()}),
            "wasm.net.hosts",
        ),
        // Quotas visible in the config.
        (
            json!({"connector.class": "CountingSource", "max.records": "100", "topic": "a.c", "tasks.max": "5"}),
            "tasks.max",
        ),
        (
            json!({"connector.class": "CountingSource", "max.records": "100", "topic": "a.c", "wasm.memory.max.bytes": "268435456"}),
            "wasm.memory.max.bytes",
        ),
        (
            json!({"connector.class": "CountingSource", "max.records": "100", "topic": "a.c", "consumer.override.group.id": "connect-b/sink"}),
            "'group.id'",
        ),
    ] {
        let json = expect(
            w0,
            &a_key,
            "POST",
            "/connectors",
            Some(json!({"name": "bad", "config": config})),
            400,
        )?;
        assert!(message(&json).contains(field), "{field}: {json}");
    }
    let json = expect(
        w0,
        &a_key,
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(json!({"connector.class": "FileStreamSink", "topics": "b.data", "file": "x.txt"})),
        200,
    )?;
    let topics = json["configs"]
        .as_array()
        .context("configs")?
        .iter()
        .find(|c| c["value"]["name"] == "topics")
        .context("topics")?;
    assert!(
        topics["value"]["errors"][0]
            .as_str()
            .is_some_and(|e| e.contains("outside the topic prefixes of tenant a")),
        "{topics}"
    );

    // --- RegexRouter sends A's records to B's topic at run time: never written. With
    // errors.tolerance=none the task fails with the reason; with all, records are skipped.
    append_lines(&cluster.root("a").join("secret.txt"), "a-secret", 0..10)?;
    let route = |tolerance: &str| {
        json!({"connector.class": "FileStreamSource", "topic": "a.data", "file": "secret.txt",
            "errors.tolerance": tolerance,
            "transforms": "route", "transforms.route.type": "RegexRouter",
            "transforms.route.regex": "a\\.(.*)", "transforms.route.replacement": "b.$1"})
    };
    expect(
        w1,
        &a_key,
        "POST",
        "/connectors",
        Some(json!({"name": "router", "config": route("none")})),
        201,
    )?;
    let status = w1.wait_status_as(Some(&a_key), "router", WAIT, |s| {
        s["tasks"][0]["state"] == "FAILED"
    })?;
    let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(
        trace.contains("outside the topic prefixes of tenant a"),
        "{status}"
    );
    expect(
        w1,
        &a_key,
        "PUT",
        "/connectors/router/config",
        Some(route("all")),
        200,
    )?;
    w1.wait_status_as(Some(&a_key), "router", WAIT, running)?;

    // --- Network: A's plugin reaches A's host; another address is refused by the host, and
    // nothing connects to it.
    let probe = |name: &str, address: String| {
        json!({"name": name, "config": {
            "connector.class": "CountingSource", "max.records": "5", "topic": "a.probe",
            "transforms": "probe", "transforms.probe.type": "NetProbe",
            "transforms.probe.probe.address": address}})
    };
    expect(
        w0,
        &a_key,
        "POST",
        "/connectors",
        Some(probe("probe-ok", granted_addr.to_string())),
        201,
    )?;
    expect(
        w1,
        &a_key,
        "POST",
        "/connectors",
        Some(probe("probe-denied", refused_addr.to_string())),
        201,
    )?;
    let status = w0.wait_status_as(Some(&a_key), "probe-denied", WAIT, |s| {
        s["tasks"][0]["state"] == "FAILED"
    })?;
    let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(
        trace.contains(&format!("cannot connect to {refused_addr}")),
        "{status}"
    );
    let deadline = Instant::now() + WAIT;
    while granted.accept().is_err() {
        if Instant::now() > deadline {
            bail!(
                "A's plugin never reached its granted host\n{}",
                cluster.logs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    w0.wait_status_as(Some(&a_key), "probe-ok", WAIT, running)?;
    assert!(
        refused.accept().is_err(),
        "the refused address got a connection"
    );
    for name in ["probe-ok", "probe-denied"] {
        expect(
            w0,
            &a_key,
            "DELETE",
            &format!("/connectors/{name}"),
            None,
            204,
        )?;
    }

    // --- Quotas: A has two connectors (router and one more); the fourth is refused by name.
    expect(
        w0,
        &a_key,
        "POST",
        "/connectors",
        Some(
            json!({"name": "count", "config": {"connector.class": "CountingSource", "max.records": "100", "topic": "a.count", "tasks.max": "3"}}),
        ),
        201,
    )?;
    // tasks: 1 (router) + 3 (count) = 4 of 4; another connector with one task is over.
    let json = expect(
        w1,
        &a_key,
        "POST",
        "/connectors",
        Some(
            json!({"name": "more", "config": {"connector.class": "CountingSource", "max.records": "100", "topic": "a.more"}}),
        ),
        403,
    )?;
    assert!(message(&json).contains("'tasks'"), "{json}");
    expect(
        w1,
        &a_key,
        "PUT",
        "/connectors/count/config",
        Some(
            json!({"connector.class": "CountingSource", "max.records": "100", "topic": "a.count", "tasks.max": "2"}),
        ),
        200,
    )?;
    expect(
        w1,
        &a_key,
        "POST",
        "/connectors",
        Some(
            json!({"name": "third", "config": {"connector.class": "CountingSource", "max.records": "100", "topic": "a.third"}}),
        ),
        201,
    )?;
    let json = expect(
        w0,
        &a_key,
        "POST",
        "/connectors",
        Some(
            json!({"name": "fourth", "config": {"connector.class": "CountingSource", "max.records": "100", "topic": "a.fourth", "tasks.max": "1"}}),
        ),
        403,
    )?;
    assert!(message(&json).contains("'connectors'"), "{json}");
    // Nothing else is affected: B's pipeline still runs and delivers.
    append_lines(&cluster.root("b").join("in.txt"), "b-line", 20..30)?;
    wait_for_lines(&b_out, 30, WAIT).with_context(|| cluster.logs())?;

    // --- The audit log names tenant, key and action; tenants cannot read it.
    let audit = expect(w1, ADMIN, "GET", "/admin/audit?tenant=a", None, 200)?;
    let actions: Vec<&str> = audit
        .as_array()
        .context("audit array")?
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"connector.create"), "{audit}");
    assert!(actions.contains(&"connector.update"), "{audit}");
    assert!(
        audit
            .as_array()
            .context("array")?
            .iter()
            .all(|e| e["tenant"] == "a"),
        "{audit}"
    );
    let all = expect(w0, ADMIN, "GET", "/admin/audit", None, 200)?;
    assert!(all.to_string().contains("plugin.upload"), "{all}");
    assert!(all.to_string().contains("tenant.key.create"), "{all}");
    expect(w0, &b_key, "GET", "/admin/audit", None, 403)?;

    // --- kill -9 a worker: both tenants' work comes back on the other, isolation intact.
    cluster.workers[1]
        .as_mut()
        .context("worker 1")?
        .process
        .kill9()?;
    cluster.workers[1] = None;
    let w0 = cluster.worker(0)?;
    for connector in ["sink", "source"] {
        w0.wait_status_as(Some(&b_key), connector, WAIT, |s| {
            running(s) && s["tasks"][0]["worker_id"] == format!("127.0.0.1:{}", cluster.ports[0])
        })
        .with_context(|| cluster.logs())?;
    }
    w0.wait_status_as(Some(&a_key), "router", WAIT, |s| {
        running(s) && s["tasks"][0]["worker_id"] == format!("127.0.0.1:{}", cluster.ports[0])
    })?;
    append_lines(&cluster.root("b").join("in.txt"), "b-line", 30..40)?;
    append_lines(&cluster.root("a").join("secret.txt"), "a-secret", 10..20)?;
    wait_for_lines(&b_out, 40, WAIT).with_context(|| cluster.logs())?;
    let json = expect(w0, &a_key, "GET", "/connectors", None, 200)?;
    let mut names: Vec<String> = serde_json::from_value(json)?;
    names.sort();
    assert_eq!(names, ["count", "router", "third"]);
    expect(w0, &a_key, "GET", "/connectors/sink/status", None, 404)?;
    // B's sink never received a record of A, before or after the failover.
    std::thread::sleep(Duration::from_secs(2));
    let out = std::fs::read_to_string(&b_out)?;
    assert!(
        !out.contains("a-secret"),
        "B's sink got A's records:\n{out}"
    );
    assert_eq!(line_count(&b_out), 40, "{out}");
    Ok(())
}
