//! Helpers for integration tests: the `wasm-connect` binary, a broker process, worker processes
//! and a small REST client. Tests run real processes against the embedded broker.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The `target/<profile>` directory this test binary was built into.
pub fn target_profile_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    // target/<profile>/deps/<test binary>
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .context("test binary has no target/<profile> directory")
}

/// The `wasm-connect` binary built by `cargo test --workspace`.
pub fn worker_binary() -> Result<PathBuf> {
    let path = target_profile_dir()?.join("wasm-connect");
    if !path.exists() {
        bail!(
            "{} is missing: build it with `cargo build -p wasm-connect` (`cargo test --workspace` builds it for host/tests/cli.rs)",
            path.display()
        );
    }
    Ok(path)
}

/// Directory of the test-fixture plugins (trap, loop, OOM, counting source).
pub fn fixtures_dir() -> Result<PathBuf> {
    let dir = target_profile_dir()?
        .parent()
        .context("no target dir")?
        .join("wasm-plugins")
        .join("fixtures");
    if !dir.exists() {
        bail!(
            "{} is missing: the host build compiles the fixture plugins",
            dir.display()
        );
    }
    Ok(dir)
}

/// Shared compiled-plugin cache for every test worker, so plugins compile once per run.
pub fn plugin_cache_dir() -> Result<PathBuf> {
    Ok(target_profile_dir()?.join("wasm-connect-test-cache"))
}

/// A free loopback port.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn wait_for_port(port: u16, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listens on port {port} after {timeout:?}")
}

/// A child process killed when dropped.
pub struct Process {
    child: Option<Child>,
    /// Where its output goes.
    pub log: PathBuf,
}

impl Process {
    fn spawn(mut command: Command, log: PathBuf) -> Result<Process> {
        let file = std::fs::File::create(&log)?;
        command
            .stdout(Stdio::from(file.try_clone()?))
            .stderr(Stdio::from(file));
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {command:?}"))?;
        Ok(Process {
            child: Some(child),
            log,
        })
    }

    /// Send SIGTERM and wait for the process to exit.
    pub fn terminate(&mut self, timeout: Duration) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let pid = libc::pid_t::try_from(child.id())?;
        // SAFETY-free: kill(2) through libc with a pid we own.
        send_signal(pid, libc::SIGTERM);
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        bail!(
            "process did not exit within {timeout:?} of SIGTERM; log: {}",
            self.log.display()
        )
    }

    /// `kill -9`.
    pub fn kill9(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// The process output so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

#[allow(unsafe_code)]
fn send_signal(pid: libc::pid_t, signal: libc::c_int) {
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe {
        libc::kill(pid, signal);
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A `wasm-connect broker` process on a free port, with in-memory storage.
pub struct BrokerProcess {
    /// The process.
    pub process: Process,
    /// `127.0.0.1:<port>`.
    pub bootstrap: String,
}

impl BrokerProcess {
    /// Start it and wait until it accepts connections.
    pub fn start(dir: &Path) -> Result<BrokerProcess> {
        let port = free_port()?;
        let mut command = Command::new(worker_binary()?);
        command.args(["broker", "--listen", &format!("127.0.0.1:{port}")]);
        let process = Process::spawn(command, dir.join("broker.log"))?;
        wait_for_port(port, Duration::from_secs(30))?;
        Ok(BrokerProcess {
            process,
            bootstrap: format!("127.0.0.1:{port}"),
        })
    }
}

/// A standalone worker process.
pub struct WorkerProcess {
    /// The process.
    pub process: Process,
    /// REST base URL.
    pub url: String,
}

/// Worker properties for tests: String converters, fast offset flushes, shared plugin cache.
pub fn worker_properties(
    dir: &Path,
    bootstrap: &str,
    rest_port: u16,
    extra: &[(&str, &str)],
) -> Result<PathBuf> {
    let path = dir.join(format!("worker-{rest_port}.properties"));
    let mut file = std::fs::File::create(&path)?;
    writeln!(file, "bootstrap.servers={bootstrap}")?;
    writeln!(file, "listeners=http://127.0.0.1:{rest_port}")?;
    writeln!(
        file,
        "key.converter=org.apache.kafka.connect.storage.StringConverter"
    )?;
    writeln!(
        file,
        "value.converter=org.apache.kafka.connect.storage.StringConverter"
    )?;
    writeln!(
        file,
        "offset.storage.file.filename={}",
        dir.join("offsets.json").display()
    )?;
    writeln!(file, "offset.flush.interval.ms=500")?;
    writeln!(file, "task.shutdown.graceful.timeout.ms=10000")?;
    writeln!(file, "consumer.session.timeout.ms=6000")?;
    writeln!(file, "consumer.heartbeat.interval.ms=1000")?;
    // The embedded broker waits up to the rebalance timeout (max.poll.interval.ms) for a member
    // killed with `kill -9` to rejoin, even after its session expired: keep that short in tests.
    writeln!(file, "consumer.max.poll.interval.ms=10000")?;
    writeln!(file, "plugin.cache.dir={}", plugin_cache_dir()?.display())?;
    for (k, v) in extra {
        writeln!(file, "{k}={v}")?;
    }
    Ok(path)
}

/// Worker properties of a distributed test cluster: fast failure detection (session timeout
/// 3 s, heartbeats every 250 ms, rebalance delay 1 s), replication factor 1.
pub fn distributed_properties(
    dir: &Path,
    bootstrap: &str,
    rest_port: u16,
    group: &str,
) -> Result<PathBuf> {
    let offsets = format!("{group}-offsets");
    let configs = format!("{group}-configs");
    let statuses = format!("{group}-status");
    let path = worker_properties(
        dir,
        bootstrap,
        rest_port,
        &[
            ("group.id", group),
            ("config.storage.topic", &configs),
            ("offset.storage.topic", &offsets),
            ("status.storage.topic", &statuses),
            ("config.storage.replication.factor", "1"),
            ("offset.storage.replication.factor", "1"),
            ("status.storage.replication.factor", "1"),
            ("offset.storage.partitions", "3"),
            ("status.storage.partitions", "2"),
            ("session.timeout.ms", "3000"),
            ("heartbeat.interval.ms", "250"),
            ("scheduled.rebalance.max.delay.ms", "1000"),
            ("rest.advertised.host.name", "127.0.0.1"),
            // The embedded broker does not evict a member whose session expired until another
            // member joins: a sink consumer killed with its worker must expire before the sink
            // task starts again elsewhere (a broker quirk; Kafka evicts on expiry).
            ("consumer.session.timeout.ms", "2500"),
            ("consumer.heartbeat.interval.ms", "500"),
        ],
    )?;
    Ok(path)
}

/// A broker and a standalone worker (no connectors) that also loads the test fixture plugins.
pub fn start_worker_with_fixtures(dir: &Path) -> Result<(BrokerProcess, WorkerProcess)> {
    let broker = BrokerProcess::start(dir)?;
    let port = free_port()?;
    let fixtures = fixtures_dir()?.display().to_string();
    let props = worker_properties(dir, &broker.bootstrap, port, &[("plugin.path", &fixtures)])?;
    let worker = WorkerProcess::start(dir, &props, port, &[], "worker.log")?;
    Ok((broker, worker))
}

/// Write a connector `.properties` file.
pub fn connector_file(dir: &Path, name: &str, pairs: &[(&str, &str)]) -> Result<PathBuf> {
    let path = dir.join(format!("{name}.properties"));
    let mut file = std::fs::File::create(&path)?;
    writeln!(file, "name={name}")?;
    for (k, v) in pairs {
        writeln!(file, "{k}={v}")?;
    }
    Ok(path)
}

impl WorkerProcess {
    /// Start `wasm-connect standalone worker.properties connectors…` and wait for REST.
    pub fn start(
        dir: &Path,
        worker: &Path,
        rest_port: u16,
        connectors: &[PathBuf],
        log_name: &str,
    ) -> Result<WorkerProcess> {
        let mut command = Command::new(worker_binary()?);
        command.arg("standalone").arg(worker).args(connectors);
        WorkerProcess::spawn(command, dir, rest_port, log_name)
    }

    /// Start `wasm-connect distributed worker.properties` and wait for REST.
    pub fn start_distributed(
        dir: &Path,
        worker: &Path,
        rest_port: u16,
        log_name: &str,
    ) -> Result<WorkerProcess> {
        let mut command = Command::new(worker_binary()?);
        command.arg("distributed").arg(worker);
        WorkerProcess::spawn(command, dir, rest_port, log_name)
    }

    fn spawn(
        mut command: Command,
        dir: &Path,
        rest_port: u16,
        log_name: &str,
    ) -> Result<WorkerProcess> {
        command.env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "info,tansu=warn,libsql=warn".into()),
        );
        let mut process = Process::spawn(command, dir.join(log_name))?;
        let url = format!("http://127.0.0.1:{rest_port}");
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Ok(response) = ureq::get(&format!("{url}/")).call()
                && response.status() == 200
            {
                break;
            }
            if let Some(child) = process.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!(
                    "worker exited with {status} before REST came up:\n{}",
                    process.output()
                );
            }
            if Instant::now() > deadline {
                bail!("worker REST did not come up:\n{}", process.output());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(WorkerProcess { process, url })
    }

    /// A REST call: (status, JSON body or Null).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(u16, serde_json::Value)> {
        self.call_as(None, method, path, body)
    }

    /// A REST call with `Authorization: Bearer <key>` (tenancy): (status, JSON body or Null).
    pub fn call_as(
        &self,
        key: Option<&str>,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(u16, serde_json::Value)> {
        let url = format!("{}{path}", self.url);
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build();
        let agent = ureq::Agent::new_with_config(config);
        let bearer = key.map(|k| format!("Bearer {k}"));
        macro_rules! authorized {
            ($request:expr) => {
                match &bearer {
                    Some(b) => $request.header("Authorization", b),
                    None => $request,
                }
            };
        }
        let mut response = match (method, body) {
            ("GET", _) => authorized!(agent.get(&url)).call()?,
            ("DELETE", _) => authorized!(agent.delete(&url)).call()?,
            ("POST", Some(b)) => authorized!(agent.post(&url)).send_json(b)?,
            ("POST", None) => authorized!(agent.post(&url)).send_empty()?,
            ("PUT", Some(b)) => authorized!(agent.put(&url)).send_json(b)?,
            ("PUT", None) => authorized!(agent.put(&url)).send_empty()?,
            ("PATCH", Some(b)) => authorized!(agent.patch(&url)).send_json(b)?,
            (m, _) => bail!("unsupported method {m}"),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        Ok((status, json))
    }

    /// `POST {path}` with raw bytes of `content_type`: (status, JSON body or Null).
    pub fn post_bytes(
        &self,
        path: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(u16, serde_json::Value)> {
        self.post_bytes_as(None, path, content_type, bytes)
    }

    /// [`WorkerProcess::post_bytes`] with `Authorization: Bearer <key>`.
    pub fn post_bytes_as(
        &self,
        key: Option<&str>,
        path: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(u16, serde_json::Value)> {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build();
        let agent = ureq::Agent::new_with_config(config);
        let mut request = agent
            .post(&format!("{}{path}", self.url))
            .header("Content-Type", content_type);
        if let Some(key) = key {
            request = request.header("Authorization", &format!("Bearer {key}"));
        }
        let mut response = request.send(bytes)?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        Ok((status, json))
    }

    /// Upload a plugin component (`POST /connector-plugins`); fails unless it answers 201. The
    /// plugin's description (`class`, `version`, …).
    pub fn upload_plugin(&self, wasm: &Path) -> Result<serde_json::Value> {
        let bytes = std::fs::read(wasm).with_context(|| wasm.display().to_string())?;
        let (code, body) = self.post_bytes("/connector-plugins", "application/wasm", &bytes)?;
        if code != 201 {
            bail!("upload of {} answered {code}: {body}", wasm.display());
        }
        Ok(body)
    }

    /// Create connector `name` (`POST /connectors`); fails unless it answers 201.
    pub fn create_connector(&self, name: &str, config: serde_json::Value) -> Result<()> {
        let request = serde_json::json!({"name": name, "config": config});
        let (code, body) = self.call("POST", "/connectors", Some(request))?;
        if code != 201 {
            bail!("creating connector {name} answered {code}: {body}");
        }
        Ok(())
    }

    /// Wait until `check` passes on the connector's status, or fail with the last status.
    pub fn wait_status(
        &self,
        connector: &str,
        timeout: Duration,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> Result<serde_json::Value> {
        self.wait_status_as(None, connector, timeout, check)
    }

    /// [`WorkerProcess::wait_status`] with `Authorization: Bearer <key>`.
    pub fn wait_status_as(
        &self,
        key: Option<&str>,
        connector: &str,
        timeout: Duration,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> Result<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        let mut last = serde_json::Value::Null;
        while Instant::now() < deadline {
            if let Ok((200, status)) =
                self.call_as(key, "GET", &format!("/connectors/{connector}/status"), None)
            {
                if check(&status) {
                    return Ok(status);
                }
                last = status;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!(
            "status of {connector} never matched; last: {last}\nworker log:\n{}",
            self.process.output()
        )
    }
}

/// Run `command`; fail with its stdout and stderr unless it exits 0.
pub fn run_ok(mut command: Command) -> Result<std::process::Output> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

/// The component `wasm-connect plugin build` printed on its last stdout line; fails unless that
/// file exists.
pub fn built_component(output: &std::process::Output) -> Result<PathBuf> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout
        .lines()
        .last()
        .context("plugin build printed nothing")?;
    let wasm = PathBuf::from(last.trim());
    if !wasm.is_file() {
        bail!("plugin build's last line is not a file: {last}");
    }
    Ok(wasm)
}

/// The lines of a file (none if it is missing).
pub fn file_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Count lines of a file (0 if missing).
pub fn line_count(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

/// Wait until `path` has at least `lines` lines.
pub fn wait_for_lines(path: &Path, lines: usize, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if line_count(path) >= lines {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!(
        "{} has {} lines, expected {lines} within {timeout:?}",
        path.display(),
        line_count(path)
    )
}
