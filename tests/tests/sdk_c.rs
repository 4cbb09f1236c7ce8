//! The C SDK end to end: `wasm-connect plugin new --lang c` → `plugin build` (clang + wasi-libc,
//! componentized in-process) → `plugin test` → upload to a running worker and run the transform
//! in a FileStreamSource → transform → FileStreamSink pipeline; the other kinds' templates build
//! and pass `plugin test`; the shipped C transform (`Truncate`) runs in a pipeline.
//!
//! Needs the C toolchain: `apt-get install clang lld wasi-libc libclang-rt-dev-wasm32`
//! (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::json;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, built_component, file_lines, free_port, wait_for_lines,
    worker_binary, worker_properties,
};

const TIMEOUT: Duration = Duration::from_secs(90);

fn wasm_connect(args: &[&str]) -> Result<Output> {
    let output = Command::new(worker_binary()?)
        .args(args)
        .env("RUST_LOG", "info")
        .output()?;
    Ok(output)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `plugin new <name> --lang c --kind <kind>` then `plugin build`; the component's path.
fn new_and_build(dir: &Path, name: &str, kind: &str) -> Result<PathBuf> {
    let parent = dir.display().to_string();
    let created = wasm_connect(&[
        "plugin", "new", name, "--lang", "c", "--kind", kind, "--dir", &parent,
    ])?;
    assert!(
        created.status.success(),
        "plugin new {kind}: {}",
        stderr(&created)
    );
    let project = dir.join(name);
    for file in [
        "wasm-connect.toml",
        "sdk/wasm_connect.h",
        "bindings/world.h",
    ] {
        assert!(project.join(file).is_file(), "{kind}: {file} missing");
    }

    let built = wasm_connect(&["plugin", "build", &project.display().to_string()])?;
    assert!(
        built.status.success(),
        "plugin build {kind} failed:\n{}",
        stderr(&built)
    );
    let wasm = built_component(&built)?;
    let bytes = std::fs::read(&wasm)?;
    // A component (layer 1), not a core module: `\0asm` + version 0x0d + layer 1.
    assert_eq!(
        &bytes[..8],
        b"\0asm\x0d\x00\x01\x00",
        "{kind}: not a component"
    );
    Ok(wasm)
}

fn plugin_test(wasm: &Path, config: &[&str], input: Option<&Path>) -> Result<Output> {
    let wasm = wasm.display().to_string();
    let mut args = vec!["plugin", "test", wasm.as_str()];
    for setting in config {
        args.extend(["-c", setting]);
    }
    let input = input.map(|p| p.display().to_string());
    if let Some(input) = &input {
        args.extend(["--input", input.as_str()]);
    }
    wasm_connect(&args)
}

/// FileStreamSource (with `transforms`) → topic → FileStreamSink; waits for `expected` lines.
fn pipeline(
    worker: &WorkerProcess,
    dir: &Path,
    name: &str,
    input: &[&str],
    transform: serde_json::Value,
) -> Result<Vec<String>> {
    let input_file = dir.join(format!("{name}-in.txt"));
    let output_file = dir.join(format!("{name}-out.txt"));
    std::fs::write(&input_file, input.join("\n") + "\n")?;
    let mut source = json!({
        "connector.class": "FileStreamSource",
        "file": input_file.display().to_string(),
        "topic": name,
        "topic.creation.default.partitions": "1",
    });
    for (key, value) in transform.as_object().context("transform config")? {
        source[key] = value.clone();
    }
    let sink = json!({
        "connector.class": "FileStreamSink",
        "file": output_file.display().to_string(),
        "topics": name,
    });
    worker.create_connector(&format!("{name}-src"), source)?;
    worker.create_connector(&format!("{name}-snk"), sink)?;
    if let Err(e) = wait_for_lines(&output_file, input.len(), TIMEOUT) {
        bail!("{e}\nworker log:\n{}", worker.process.output());
    }
    Ok(file_lines(&output_file))
}

#[test]
fn c_transform_from_new_to_a_running_pipeline() -> Result<()> {
    let dir = tempfile::tempdir()?;

    // new → build.
    let wasm = new_and_build(dir.path(), "c-upper", "transform")?;

    // plugin test: strings upper-cased with the suffix, other values unchanged.
    let input = dir.path().join("records.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"value\": \"hello\"}\n",
            "{\"topic\": \"t\", \"key\": \"k\", \"value\": \"grün été\"}\n",
            "{\"value\": 42}\n",
            "{\"value\": {\"a\": \"b\"}}\n",
        ),
    )?;
    let tested = plugin_test(&wasm, &["suffix=!"], Some(&input))?;
    assert!(tested.status.success(), "{}", stderr(&tested));
    assert_eq!(
        stdout(&tested),
        concat!(
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"HELLO!\",\"headers\":{}}\n",
            "{\"topic\":\"t\",\"partition\":null,\"key\":\"k\",\"value\":\"GRÜN ÉTÉ!\",\"headers\":{}}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":42,\"headers\":{}}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":{\"a\":\"b\"},\"headers\":{}}\n",
        )
    );
    // The default suffix is "".
    let tested = plugin_test(&wasm, &[], Some(&input))?;
    assert!(tested.status.success(), "{}", stderr(&tested));
    assert!(
        stdout(&tested).starts_with(
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"HELLO\","
        ),
        "{}",
        stdout(&tested)
    );

    // Upload to a running worker and run it between FileStreamSource and FileStreamSink; the
    // shipped C transform (Truncate) runs in a pipeline of the same worker.
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let worker = WorkerProcess::start(dir.path(), &props, port, &[], "worker.log")?;
    let body = worker.upload_plugin(&wasm)?;
    assert_eq!(body["class"], "CUpper");
    assert_eq!(body["version"], "0.1.0");

    let got = pipeline(
        &worker,
        dir.path(),
        "upper",
        &["alpha", "beta gamma", "δέλτα"],
        json!({"transforms": "up", "transforms.up.type": "CUpper", "transforms.up.suffix": "?"}),
    )?;
    assert_eq!(got, ["ALPHA?", "BETA GAMMA?", "ΔΈΛΤΑ?"]);

    let (code, plugins) = worker.call("GET", "/connector-plugins?connectorsOnly=false", None)?;
    assert_eq!(code, 200);
    assert!(
        plugins
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["class"] == "Truncate")),
        "the shipped C plugin is not embedded (was the host built without clang?): {plugins}"
    );
    // 4 bytes: "abcdef" → "abcd"; "日本語" (3 bytes a character) → "日"; "héllo" → "hél"
    // (é is 2 bytes); short strings are unchanged.
    let got = pipeline(
        &worker,
        dir.path(),
        "cut",
        &["abcdef", "日本語", "héllo", "ab"],
        json!({"transforms": "cut", "transforms.cut.type": "com.example.Truncate",
               "transforms.cut.max.length": "4"}),
    )?;
    assert_eq!(got, ["abcd", "日", "hél", "ab"]);
    Ok(())
}

#[test]
fn c_templates_of_the_other_kinds_build_and_run() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("records.jsonl");
    std::fs::write(&input, "{\"value\": \"hello\"}\n{\"value\": \"world\"}\n")?;

    // Predicate: string values containing `needle`.
    let wasm = new_and_build(dir.path(), "c-needle", "predicate")?;
    let tested = plugin_test(&wasm, &["needle=ell"], Some(&input))?;
    assert!(tested.status.success(), "{}", stderr(&tested));
    assert_eq!(
        stdout(&tested),
        concat!(
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"hello\",\"headers\":{},\"matches\":true}\n",
            "{\"topic\":\"test\",\"partition\":null,\"key\":null,\"value\":\"world\",\"headers\":{},\"matches\":false}\n",
        )
    );
    // A required key without a value is refused.
    let refused = plugin_test(&wasm, &[], Some(&input))?;
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("needle"), "{}", stderr(&refused));

    // Source: `hello N` up to max.records.
    let wasm = new_and_build(dir.path(), "c-hello", "source")?;
    let tested = plugin_test(&wasm, &["topic=greetings", "max.records=3"], None)?;
    assert!(tested.status.success(), "{}", stderr(&tested));
    let expected: String = (0..3)
        .map(|n| {
            format!(
                "{{\"topic\":\"greetings\",\"partition\":null,\"key\":null,\"value\":\"hello {n}\",\"headers\":{{}}}}\n"
            )
        })
        .collect();
    assert_eq!(stdout(&tested), expected);

    // Sink: logs each record through the host.
    let wasm = new_and_build(dir.path(), "c-logger", "sink")?;
    let tested = plugin_test(&wasm, &["prefix=seen"], Some(&input))?;
    assert!(tested.status.success(), "{}", stderr(&tested));
    let log = stderr(&tested);
    assert!(log.contains("delivered 2 record(s) to the sink"), "{log}");
    assert!(log.contains("seen test-none@0"), "{log}");
    assert!(log.contains("seen test-none@1"), "{log}");
    Ok(())
}
