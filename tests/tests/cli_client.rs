//! The command-line REST client (`wasm-connect connectors …`, `wasm-connect plugins …`) run as a
//! subprocess against a real standalone worker: its tables, its `-o json` output and its exit
//! codes (0 success, 1 worker error, 2 usage, 3 unreachable).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, free_port, worker_binary, worker_properties,
};

/// What one run of the client gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The run's stdout as JSON.
    fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.stdout)
            .with_context(|| format!("stdout is not JSON: {}", self.stdout))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Run `wasm-connect ARGS --url URL`.
fn cli(url: &str, args: &[&str]) -> Result<Run> {
    let output = Command::new(worker_binary()?)
        .args(args)
        .args(["--url", url])
        .env_remove("WASM_CONNECT_URL")
        .env_remove("RUST_LOG")
        .output()?;
    Ok(Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Run the client and require exit code 0.
fn ok(url: &str, args: &[&str]) -> Result<Run> {
    let run = cli(url, args)?;
    if run.code != 0 {
        bail!("wasm-connect {args:?} failed: {run}");
    }
    Ok(run)
}

/// The line of a table that starts with `first` (its first column).
fn row<'a>(table: &'a str, first: &str) -> Option<&'a str> {
    table
        .lines()
        .find(|line| line.split_whitespace().next() == Some(first))
}

fn start_worker(dir: &Path) -> Result<(BrokerProcess, WorkerProcess)> {
    let broker = BrokerProcess::start(dir)?;
    let port = free_port()?;
    let props = worker_properties(dir, &broker.bootstrap, port, &[])?;
    let worker = WorkerProcess::start(dir, &props, port, &[], "worker.log")?;
    Ok((broker, worker))
}

fn running(status: &Value) -> bool {
    status["connector"]["state"] == "RUNNING" && status["tasks"][0]["state"] == "RUNNING"
}

#[test]
fn cli_manages_connectors() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (_broker, worker) = start_worker(dir.path())?;
    let url = worker.url.as_str();
    let timeout = Duration::from_secs(60);

    // Nothing yet: the header alone, and `{}` as JSON.
    let list = ok(url, &["connectors", "list"])?;
    assert_eq!(list.stdout, "NAME  TYPE  STATE  TASKS  WORKER\n", "{list}");
    assert_eq!(
        ok(url, &["connectors", "list", "-o", "json"])?.json()?,
        json!({})
    );

    // Create from a .properties file and from Kafka's JSON POST body.
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "a\nb\n")?;
    let input = input.display().to_string();
    let props = dir.path().join("src.properties");
    std::fs::write(
        &props,
        format!("name=src\nconnector.class=FileStreamSource\nfile={input}\ntopic=t\n"),
    )?;
    let created = ok(
        url,
        &["connectors", "create", "-f", &props.display().to_string()],
    )?;
    assert_eq!(
        created.stdout, "Created connector src (source)\n",
        "{created}"
    );
    let json_file = dir.path().join("src-json.json");
    std::fs::write(
        &json_file,
        json!({"name": "src-json", "config": {"connector.class": "FileStreamSource", "file": input, "topic": "t", "tasks.max": 1}})
            .to_string(),
    )?;
    let created = ok(
        url,
        &[
            "connectors",
            "create",
            "-f",
            &json_file.display().to_string(),
            "-o",
            "json",
        ],
    )?;
    let created = created.json()?;
    assert_eq!(created["name"], "src-json", "{created}");
    assert_eq!(created["type"], "source", "{created}");
    // Creating it again: the worker's 409, exit code 1.
    let again = cli(
        url,
        &["connectors", "create", "-f", &props.display().to_string()],
    )?;
    assert_eq!(again.code, 1, "{again}");
    assert!(again.stderr.contains("(HTTP 409)"), "{again}");

    worker.wait_status("src", timeout, running)?;
    worker.wait_status("src-json", timeout, running)?;

    // list: one aligned row per connector.
    let list = ok(url, &["connectors", "list"])?;
    let src = row(&list.stdout, "src").context(format!("no src row: {list}"))?;
    let columns: Vec<&str> = src.split_whitespace().collect();
    assert_eq!(
        columns[..5],
        ["src", "source", "RUNNING", "1/1", "RUNNING"],
        "{list}"
    );
    assert!(row(&list.stdout, "src-json").is_some(), "{list}");
    let (code, expanded) = worker.call("GET", "/connectors?expand=status&expand=info", None)?;
    assert_eq!(code, 200);
    assert_eq!(
        ok(url, &["connectors", "list", "-o", "json"])?.json()?,
        expanded
    );

    // status: table and JSON.
    let status = ok(url, &["connectors", "status", "src"])?;
    assert!(
        row(&status.stdout, "src").is_some_and(|r| r.contains("RUNNING")),
        "{status}"
    );
    assert!(
        row(&status.stdout, "0").is_some_and(|r| r.contains("RUNNING")),
        "{status}"
    );
    let (_, rest_status) = worker.call("GET", "/connectors/src/status", None)?;
    assert_eq!(
        ok(url, &["connectors", "status", "src", "-o", "json"])?.json()?,
        rest_status
    );

    // pause, resume, restart.
    let paused = ok(url, &["connectors", "pause", "src"])?;
    assert!(paused.stdout.contains("src"), "{paused}");
    worker.wait_status("src", timeout, |s| s["tasks"][0]["state"] == "PAUSED")?;
    let status = ok(url, &["connectors", "status", "src"])?;
    assert!(
        row(&status.stdout, "src").is_some_and(|r| r.contains("PAUSED")),
        "{status}"
    );
    ok(url, &["connectors", "resume", "src"])?;
    worker.wait_status("src", timeout, running)?;
    let restarted = ok(url, &["connectors", "restart", "src", "--include-tasks"])?;
    assert!(restarted.stdout.contains("src"), "{restarted}");
    let restarted = ok(url, &["connectors", "restart", "src"])?;
    assert_eq!(restarted.stdout, "Restarted connector src\n", "{restarted}");
    worker.wait_status("src", timeout, running)?;

    // get: the config sorted by key, and the tasks.
    let get = ok(url, &["connectors", "get", "src"])?;
    assert!(
        row(&get.stdout, "connector.class").is_some_and(|r| r.ends_with("FileStreamSource")),
        "{get}"
    );
    assert!(
        row(&get.stdout, "TASKS").is_some_and(|r| r.ends_with('0')),
        "{get}"
    );
    let keys: Vec<&str> = get
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("KEY"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted, "{get}");
    assert!(keys.contains(&"topic"), "{get}");

    // update from a flat JSON config.
    let flat = dir.path().join("flat.json");
    std::fs::write(
        &flat,
        json!({"connector.class": "FileStreamSource", "file": input, "topic": "t2"}).to_string(),
    )?;
    let updated = ok(
        url,
        &[
            "connectors",
            "update",
            "src-json",
            "-f",
            &flat.display().to_string(),
        ],
    )?;
    assert_eq!(updated.stdout, "Updated connector src-json\n", "{updated}");
    let (_, config) = worker.call("GET", "/connectors/src-json/config", None)?;
    assert_eq!(config["topic"], "t2", "{config}");

    // delete.
    let deleted = ok(url, &["connectors", "delete", "src-json"])?;
    assert_eq!(deleted.stdout, "Deleted connector src-json\n", "{deleted}");
    let list = ok(url, &["connectors", "list"])?;
    assert!(row(&list.stdout, "src-json").is_none(), "{list}");
    assert!(row(&list.stdout, "src").is_some(), "{list}");

    // The worker's errors: exit 1 and its message.
    let missing = cli(url, &["connectors", "get", "nope"])?;
    assert_eq!(missing.code, 1, "{missing}");
    assert!(missing.stderr.contains("not found"), "{missing}");
    assert!(missing.stderr.contains("(HTTP 404)"), "{missing}");
    assert!(missing.stdout.is_empty(), "{missing}");

    // No worker: exit 3, naming the URL.
    let unreachable = cli("http://127.0.0.1:1", &["connectors", "list"])?;
    assert_eq!(unreachable.code, 3, "{unreachable}");
    assert!(
        unreachable.stderr.contains("http://127.0.0.1:1"),
        "{unreachable}"
    );

    // Usage errors: exit 2 (a bad flag, a file that is not there).
    let bad_flag = cli(url, &["connectors", "list", "--no-such-flag"])?;
    assert_eq!(bad_flag.code, 2, "{bad_flag}");
    let no_file = cli(
        url,
        &["connectors", "create", "-f", "/nonexistent/x.properties"],
    )?;
    assert_eq!(no_file.code, 2, "{no_file}");
    assert!(
        no_file.stderr.contains("/nonexistent/x.properties"),
        "{no_file}"
    );
    Ok(())
}

#[test]
fn cli_plugins() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (_broker, worker) = start_worker(dir.path())?;
    let url = worker.url.as_str();

    let list = ok(url, &["plugins", "list"])?;
    assert!(list.stdout.starts_with("CLASS"), "{list}");
    assert!(list.stdout.contains("FileStreamSource"), "{list}");
    let connectors = list.stdout.lines().count();
    let all = ok(url, &["plugins", "list", "--all"])?;
    assert!(all.stdout.lines().count() > connectors, "{all}");
    let (_, rest) = worker.call("GET", "/connector-plugins", None)?;
    assert_eq!(ok(url, &["plugins", "list", "-o", "json"])?.json()?, rest);

    let config = ok(url, &["plugins", "config", "FileStreamSource"])?;
    assert!(row(&config.stdout, "topic").is_some(), "{config}");
    let unknown = cli(url, &["plugins", "config", "NoSuchPlugin"])?;
    assert_eq!(unknown.code, 1, "{unknown}");

    // Validation with errors: exit 1, each field with errors named.
    let bad = dir.path().join("bad.properties");
    std::fs::write(&bad, "name=bad\nfile=/tmp/x\ntasks.max=zero\n")?;
    let bad = bad.display().to_string();
    let invalid = cli(
        url,
        &["plugins", "validate", "FileStreamSource", "-f", &bad],
    )?;
    assert_eq!(invalid.code, 1, "{invalid}");
    assert!(row(&invalid.stdout, "tasks.max").is_some(), "{invalid}");
    assert!(row(&invalid.stdout, "topic").is_some(), "{invalid}");
    let invalid_json = cli(
        url,
        &[
            "plugins",
            "validate",
            "FileStreamSource",
            "-f",
            &bad,
            "-o",
            "json",
        ],
    )?;
    assert_eq!(invalid_json.code, 1, "{invalid_json}");
    assert_eq!(invalid_json.json()?["error_count"], 2, "{invalid_json}");

    let good = dir.path().join("good.properties");
    std::fs::write(&good, "name=good\nfile=/tmp/x\ntopic=t\n")?;
    let valid = ok(
        url,
        &[
            "plugins",
            "validate",
            "FileStreamSource",
            "-f",
            &good.display().to_string(),
        ],
    )?;
    assert!(valid.stdout.contains("valid (0 errors)"), "{valid}");

    // Upload, list versions, delete.
    let component = wasm_connect_tests::fixtures_dir()?.join("tag-transform.wasm");
    let component = component.display().to_string();
    let uploaded = ok(url, &["plugins", "upload", &component])?;
    let line = row(&uploaded.stdout, "TagTransform").context("no TagTransform row")?;
    assert!(
        line.contains("1.0.0") && line.contains("uploaded"),
        "{uploaded}"
    );
    let versions = ok(url, &["plugins", "versions", "TagTransform", "-o", "json"])?;
    assert_eq!(versions.json()?[0]["version"], "1.0.0", "{versions}");
    let not_wasm = dir.path().join("not.wasm");
    std::fs::write(&not_wasm, "text")?;
    let refused = cli(url, &["plugins", "upload", &not_wasm.display().to_string()])?;
    assert_eq!(refused.code, 1, "{refused}");
    assert!(refused.stderr.contains("not WebAssembly"), "{refused}");
    let missing = cli(url, &["plugins", "upload", "/no/such/file.wasm"])?;
    assert_eq!(missing.code, 2, "{missing}");
    let deleted = ok(url, &["plugins", "delete", "TagTransform", "1.0.0"])?;
    assert!(
        deleted
            .stdout
            .contains("Deleted TagTransform version 1.0.0"),
        "{deleted}"
    );
    let gone = cli(url, &["plugins", "versions", "TagTransform"])?;
    assert_eq!(gone.code, 1, "{gone}");

    let bad_flag = cli(url, &["plugins", "list", "--bogus"])?;
    assert_eq!(bad_flag.code, 2, "{bad_flag}");
    Ok(())
}

#[test]
fn cli_stop_and_offsets() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (_broker, worker) = start_worker(dir.path())?;
    let url = worker.url.as_str();
    let timeout = Duration::from_secs(60);

    let input = dir.path().join("in.txt");
    std::fs::write(&input, "a\nb\nc\n")?;
    let props = dir.path().join("src.properties");
    std::fs::write(
        &props,
        format!(
            "name=src\nconnector.class=FileStreamSource\nfile={}\ntopic=t\n",
            input.display()
        ),
    )?;
    ok(
        url,
        &["connectors", "create", "-f", &props.display().to_string()],
    )?;
    worker.wait_status("src", timeout, running)?;
    // Let the task read the file and flush its offsets (offset.flush.interval.ms=500).
    std::thread::sleep(Duration::from_secs(2));

    let stopped = ok(url, &["connectors", "stop", "src"])?;
    assert_eq!(stopped.stdout, "Stopped connector src\n", "{stopped}");
    worker.wait_status("src", timeout, |s| s["connector"]["state"] == "STOPPED")?;
    let status = ok(url, &["connectors", "status", "src"])?;
    assert!(
        row(&status.stdout, "src").is_some_and(|r| r.contains("STOPPED")),
        "{status}"
    );

    // GET offsets: {"offsets": [{"partition": {…}, "offset": {…}}]}.
    let deadline = Instant::now() + timeout;
    let offsets = loop {
        let offsets = ok(url, &["connectors", "offsets", "src", "-o", "json"])?.json()?;
        let entries = offsets["offsets"].as_array().cloned().unwrap_or_default();
        if !entries.is_empty() {
            break offsets;
        }
        if Instant::now() > deadline {
            bail!("no offsets for src: {offsets}");
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let entries = offsets["offsets"].as_array().cloned().unwrap_or_default();
    for entry in &entries {
        assert!(entry["partition"].is_object(), "{offsets}");
        assert!(entry["offset"].is_object(), "{offsets}");
    }
    let table = ok(url, &["connectors", "offsets", "src"])?;
    assert!(table.stdout.starts_with("PARTITION"), "{table}");
    assert_eq!(table.stdout.lines().count(), 1 + entries.len(), "{table}");

    // --set: the first entry with its numeric offsets at 0.
    let mut entry = entries[0].clone();
    if let Some(offset) = entry["offset"].as_object_mut() {
        for value in offset.values_mut() {
            if value.is_number() {
                *value = json!(0);
            }
        }
    }
    let set_file = dir.path().join("offsets.json");
    std::fs::write(&set_file, json!({ "offsets": [entry] }).to_string())?;
    ok(
        url,
        &[
            "connectors",
            "offsets",
            "src",
            "--set",
            &set_file.display().to_string(),
        ],
    )?;
    let altered = ok(url, &["connectors", "offsets", "src", "-o", "json"])?.json()?;
    assert!(
        altered["offsets"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["offset"] == entry["offset"])),
        "{altered}"
    );

    ok(url, &["connectors", "offsets", "src", "--reset"])?;

    // --initial-state: created STOPPED, without tasks.
    let stopped = dir.path().join("stopped.json");
    std::fs::write(
        &stopped,
        json!({"name": "born-stopped", "config": {"connector.class": "FileStreamSource",
            "file": input.display().to_string(), "topic": "t"}})
        .to_string(),
    )?;
    ok(
        url,
        &[
            "connectors",
            "create",
            "-f",
            &stopped.display().to_string(),
            "--initial-state",
            "STOPPED",
        ],
    )?;
    worker.wait_status("born-stopped", timeout, |s| {
        s["connector"]["state"] == "STOPPED"
    })?;
    Ok(())
}
