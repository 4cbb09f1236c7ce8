//! The JavaScript SDK end to end: `wasm-connect plugin new --lang js` for a transform and a
//! predicate → the project's own unit tests (`npm test`) → `wasm-connect plugin build`
//! (componentize-js) → `wasm-connect plugin test` on JSON lines → both components uploaded to a
//! running worker and used in one pipeline: FileStreamSource → the JS transform (upper-case and
//! suffix) → the shipped `Filter` gated by the JS predicate → FileStreamSink. The SDK's unit
//! tests run under Node.js too.
//!
//! Needs Node.js ≥ 20.6 (`node`, `npm`). componentize-js (≈385 MB) is installed once into the
//! directory named by `WASM_CONNECT_JS_TOOLS` (`.ci/run` sets it), else into
//! `target/<profile>/js-tools`, and every project builds with it. Without Node.js the tests are
//! skipped, unless `WASM_CONNECT_REQUIRE_ALL_PLUGINS=1` (CI), which makes that a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::json;
use sha2::{Digest, Sha256};
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, free_port, plugin_cache_dir, target_profile_dir, wait_for_lines,
    worker_binary, worker_properties,
};

/// The componentize-js version `plugin new` pins (host/src/plugin_dev/js.rs).
const COMPONENTIZE_JS: &str = "@bytecodealliance/componentize-js@0.23.0";

/// True when Node.js is usable; false (skip) when it is missing and not required.
fn node_available() -> Result<bool> {
    let found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Ok(true);
    }
    if std::env::var("WASM_CONNECT_REQUIRE_ALL_PLUGINS").as_deref() == Ok("1") {
        bail!(
            "node is not installed (apt-get install nodejs npm) and WASM_CONNECT_REQUIRE_ALL_PLUGINS=1"
        );
    }
    eprintln!("skipped: node is not installed (apt-get install nodejs npm)");
    Ok(false)
}

/// The shared componentize-js install, made once per run of this test binary.
fn js_tools() -> Result<PathBuf> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = match std::env::var_os("WASM_CONNECT_JS_TOOLS") {
        Some(dir) => PathBuf::from(dir),
        None => target_profile_dir()?.join("js-tools"),
    };
    let package = dir.join("node_modules/@bytecodealliance/componentize-js/package.json");
    if !package.is_file() {
        std::fs::create_dir_all(&dir)?;
        let output = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(COMPONENTIZE_JS)
            .output()
            .context("npm")?;
        ensure!(
            output.status.success(),
            "npm install {COMPONENTIZE_JS} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(dir)
}

fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn check(what: &str, output: &Output) -> Result<()> {
    ensure!(
        output.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout_of(output),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// `wasm-connect <args>` with `TMPDIR` set (so `plugin test` keeps compiled components there).
fn wasm_connect(args: &[&str], tmp: &Path, tools: &Path) -> Result<Output> {
    Ok(Command::new(worker_binary()?)
        .args(args)
        .env("TMPDIR", tmp)
        .env("WASM_CONNECT_JS_TOOLS", tools)
        .env("RUST_LOG", "info")
        .output()?)
}

/// `plugin new` → `npm test` → `plugin build`; the component's path.
fn new_and_build(name: &str, kind: &str, dir: &Path, tools: &Path) -> Result<PathBuf> {
    let dir_arg = dir.display().to_string();
    let created = wasm_connect(
        &[
            "plugin", "new", name, "--lang", "js", "--kind", kind, "--dir", &dir_arg,
        ],
        dir,
        tools,
    )?;
    check("plugin new", &created)?;
    let project = dir.join(name);
    ensure!(
        stdout_of(&created).contains(&format!("Created {}", project.display())),
        "{}",
        stdout_of(&created)
    );
    for file in [
        "package.json",
        "build.mjs",
        "src/index.js",
        "wasm-connect/index.js",
        "wit/types.wit",
    ] {
        ensure!(
            project.join(file).is_file(),
            "{file} missing in the new {kind} project"
        );
    }

    // The template's unit tests, under plain Node.js.
    let unit = Command::new("node")
        .args(["--import", "./wasm-connect/testing/register.js", "--test"])
        .current_dir(&project)
        .output()?;
    check(&format!("npm test of the {kind} template"), &unit)?;
    ensure!(
        stdout_of(&unit).contains("# pass 1"),
        "{}",
        stdout_of(&unit)
    );

    let started = Instant::now();
    let built = wasm_connect(
        &["plugin", "build", &project.display().to_string()],
        dir,
        tools,
    )?;
    check("plugin build", &built)?;
    eprintln!(
        "built the js {kind} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let stdout = stdout_of(&built);
    let last = stdout
        .lines()
        .last()
        .context("plugin build printed nothing")?;
    let wasm = PathBuf::from(last.trim());
    ensure!(
        wasm == project.join(format!("dist/{name}.wasm")),
        "unexpected component path {last}"
    );
    let size = std::fs::metadata(&wasm)
        .with_context(|| format!("{} does not exist", wasm.display()))?
        .len();
    ensure!(size > 1_000_000, "{} is only {size} bytes", wasm.display());
    Ok(wasm)
}

/// `plugin test` of `wasm` with `config` on `input` lines: stdout.
fn plugin_test(
    wasm: &Path,
    config: &[&str],
    input: &str,
    dir: &Path,
    tools: &Path,
) -> Result<String> {
    let input_file = dir.join(format!(
        "{}.jsonl",
        wasm.file_stem().and_then(|s| s.to_str()).unwrap_or("input")
    ));
    std::fs::write(&input_file, input)?;
    let mut args = vec![
        "plugin".to_string(),
        "test".into(),
        wasm.display().to_string(),
    ];
    for setting in config {
        args.extend(["-c".to_string(), (*setting).to_string()]);
    }
    args.extend(["--input".to_string(), input_file.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let output = wasm_connect(&args, dir, tools)?;
    check("plugin test", &output)?;
    eprintln!(
        "plugin test of {} in {:.1} s",
        wasm.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(stdout_of(&output))
}

#[test]
fn sdk_unit_tests_pass_under_node() -> Result<()> {
    if !node_available()? {
        return Ok(());
    }
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/js");
    let output = Command::new("node")
        .args(["--import", "./src/testing/register.js", "--test"])
        .current_dir(&sdk)
        .output()?;
    check("the SDK's unit tests", &output)?;
    let stdout = stdout_of(&output);
    ensure!(
        stdout.contains("# fail 0") && !stdout.contains("# pass 0"),
        "{stdout}"
    );
    Ok(())
}

#[test]
fn js_transform_and_predicate_build_test_and_run_in_a_worker() -> Result<()> {
    if !node_available()? {
        return Ok(());
    }
    let tools = js_tools()?;
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    // `plugin test` keeps compiled components in $TMPDIR/wasm-connect-plugin-test-cache: make
    // that the test workers' shared cache, so that each JS component (≈12 MB, half a minute to
    // compile in a debug build) is compiled once, and the worker finds the bundled plugins
    // compiled by earlier tests.
    let cache = plugin_cache_dir()?;
    std::fs::create_dir_all(&cache)?;
    std::os::unix::fs::symlink(&cache, root.join("wasm-connect-plugin-test-cache"))?;
    let mut cached = CachedComponents {
        dir: cache,
        hashes: Vec::new(),
    };

    // New projects, built side by side (componentize-js is single-threaded).
    let (upper, needle) = std::thread::scope(|scope| {
        let upper = scope.spawn(|| new_and_build("js-upper", "transform", root, &tools));
        let needle = scope.spawn(|| new_and_build("js-needle", "predicate", root, &tools));
        (join(upper), join(needle))
    });
    let (upper, needle) = (upper?, needle?);
    for wasm in [&upper, &needle] {
        cached
            .hashes
            .push(hex::encode(Sha256::digest(std::fs::read(wasm)?)));
    }

    // `plugin test`: exact output lines.
    let transformed = plugin_test(
        &upper,
        &["suffix=!"],
        concat!(
            "{\"value\":\"hello\"}\n",
            "{\"value\":{\"n\":1}}\n",
            "{\"topic\":\"t\",\"key\":\"k\",\"value\":\"straße\",\"headers\":{\"h\":\"v\"}}\n",
        ),
        root,
        &tools,
    )?;
    assert_eq!(
        transformed,
        concat!(
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"HELLO!\",\"headers\":{}}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":{\"n\":1},\"headers\":{}}\n",
            "{\"topic\":\"t\",\"partition\":null,\"key\":\"k\",\"value\":\"STRASSE!\",\"headers\":{\"h\":\"v\"}}\n",
        )
    );
    let tested = plugin_test(
        &needle,
        &["needle=cat"],
        "{\"value\":\"concatenate\"}\n{\"value\":\"dog\"}\n{\"value\":7}\n",
        root,
        &tools,
    )?;
    assert_eq!(
        tested,
        concat!(
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"concatenate\",\"headers\":{},\"matches\":true}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"dog\",\"headers\":{},\"matches\":false}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":7,\"headers\":{},\"matches\":false}\n",
        )
    );
    // A required key without a value is the predicate's own error.
    let missing = wasm_connect(
        &[
            "plugin",
            "test",
            &needle.display().to_string(),
            "--input",
            "/dev/null",
        ],
        root,
        &tools,
    )?;
    ensure!(!missing.status.success(), "a predicate without needle ran");
    let stderr = String::from_utf8_lossy(&missing.stderr);
    ensure!(stderr.contains("\"needle\""), "{stderr}");

    // A worker (with the cache shared with `plugin test`).
    let started = Instant::now();
    let broker = BrokerProcess::start(root)?;
    let port = free_port()?;
    let props = worker_properties(root, &broker.bootstrap, port, &[])?;
    let worker = WorkerProcess::start(root, &props, port, &[], "worker.log")?;
    for (wasm, class) in [(&upper, "JsUpper"), (&needle, "JsNeedle")] {
        let body = worker.upload_plugin(wasm)?;
        assert_eq!(body["class"], class, "{body}");
    }

    // FileStreamSource → JsUpper → Filter if JsNeedle matches → FileStreamSink. The last line
    // shows every earlier one went through (one partition keeps the order).
    let input = root.join("in.txt");
    let output = root.join("out.txt");
    std::fs::write(&input, "apple\nconcatenate\ncherry\nbobcat\nzebra\n")?;
    worker.create_connector(
        "js-source",
        json!({
            "connector.class": "FileStreamSource",
            "file": input.display().to_string(),
            "topic": "js-lines",
            "topic.creation.default.partitions": "1",
            "transforms": "upper,dropCats",
            "transforms.upper.type": "JsUpper",
            "transforms.upper.suffix": "!",
            "transforms.dropCats.type": "Filter",
            "transforms.dropCats.predicate": "hasCat",
            "predicates": "hasCat",
            "predicates.hasCat.type": "JsNeedle",
            "predicates.hasCat.needle": "CAT"}),
    )?;
    worker.create_connector(
        "js-sink",
        json!({
            "connector.class": "FileStreamSink",
            "file": output.display().to_string(),
            "topics": "js-lines"}),
    )?;
    wait_for_lines(&output, 3, Duration::from_secs(120))
        .map_err(|e| anyhow::anyhow!("{e}\nworker log:\n{}", worker.process.output()))?;
    assert_eq!(
        std::fs::read_to_string(&output)?,
        "APPLE!\nCHERRY!\nZEBRA!\n"
    );
    eprintln!(
        "worker: uploads and pipeline in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let status = worker.wait_status("js-source", Duration::from_secs(10), |s| {
        s["connector"]["state"] == "RUNNING" && s["tasks"][0]["state"] == "RUNNING"
    })?;
    ensure!(
        status["tasks"].as_array().is_some_and(|t| t.len() == 1),
        "{status}"
    );
    Ok(())
}

/// Removes this run's compiled JS components from the shared cache when the test ends (builds
/// are not byte-for-byte reproducible, so they would never be used again).
struct CachedComponents {
    dir: PathBuf,
    hashes: Vec<String>,
}

impl Drop for CachedComponents {
    fn drop(&mut self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if self
                .hashes
                .iter()
                .any(|hash| name.starts_with(hash.as_str()))
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    handle
        .join()
        .unwrap_or_else(|_| bail!("a build thread panicked"))
}
