//! The `wasm-connect` command line: arguments and start-up errors, run as a real process.
//!
//! Cargo builds the `wasm-connect` binary for this test, which also puts it in `target/<profile>/`
//! for the integration tests of the `tests/` crate that spawn workers.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wasm-connect");

#[test]
fn help_lists_every_mode() {
    let out = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run wasm-connect");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for mode in ["standalone", "distributed", "broker", "demo", "bench"] {
        assert!(help.contains(mode), "--help does not list {mode}: {help}");
    }
}

#[test]
fn missing_worker_properties_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-worker.properties");
    let out = Command::new(BIN)
        .arg("standalone")
        .arg(&missing)
        .output()
        .expect("run wasm-connect");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no-such-worker.properties"),
        "error does not name the file: {stderr}"
    );
}

#[test]
fn unknown_mode_is_rejected() {
    let out = Command::new(BIN)
        .arg("clustered")
        .output()
        .expect("run wasm-connect");
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap exits with 2 on usage errors"
    );
}

/// Run `wasm-connect <mode> <worker.properties>` with `properties`; its exit status and stderr.
fn run_with_properties(mode: &str, properties: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("worker.properties");
    std::fs::write(&path, properties).expect("write properties");
    let out = Command::new(BIN)
        .arg(mode)
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .expect("run wasm-connect");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn tenancy_needs_distributed_mode_and_an_admin_key() {
    let (ok, stderr) = run_with_properties(
        "standalone",
        "bootstrap.servers=127.0.0.1:1\noffset.storage.file.filename=offsets.json\ntenancy.enabled=true\n",
    );
    assert!(!ok);
    assert!(stderr.contains("needs distributed mode"), "{stderr}");
    let distributed = "bootstrap.servers=127.0.0.1:1\ngroup.id=g\nconfig.storage.topic=c\noffset.storage.topic=o\nstatus.storage.topic=s\ntenancy.enabled=true\n";
    let (ok, stderr) = run_with_properties("distributed", distributed);
    assert!(!ok);
    assert!(stderr.contains("tenancy.admin.key.file"), "{stderr}");
    let (ok, stderr) = run_with_properties(
        "distributed",
        &format!("{distributed}tenancy.admin.key.file=/no/such/admin.key\n"),
    );
    assert!(!ok);
    assert!(
        stderr.contains("cannot read /no/such/admin.key"),
        "{stderr}"
    );
}

/// A plugin built by the host build: `<target>/wasm-plugins/…/<file>`.
fn built_plugin(relative: &str) -> std::path::PathBuf {
    let target = std::path::Path::new(BIN)
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target dir");
    target.join("wasm-plugins").join(relative)
}

/// `wasm-connect plugin test …` with `input` on stdin: (exit code, stdout lines, stderr).
fn plugin_test(args: &[&str], input: &str) -> (Option<i32>, Vec<serde_json::Value>, String) {
    use std::io::Write as _;
    let mut child = Command::new(BIN)
        .args(["plugin", "test"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run wasm-connect");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write input");
    let out = child.wait_with_output().expect("wait");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    (
        out.status.code(),
        lines,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn plugin_test_runs_transforms_predicates_sources_and_sinks_without_kafka() {
    let input = concat!(
        r#"{"topic": "orders", "partition": 1, "key": "k1", "value": {"id": 1}, "headers": {"h": "x"}}"#,
        "\n",
        r#"{"topic": "audit", "value": {"id": 2}}"#,
        "\n"
    );
    let insert = built_plugin("wasm32-wasip2/release/insert_field.wasm");
    let insert = insert.to_string_lossy();
    let (code, lines, stderr) = plugin_test(
        &[
            &insert,
            "--config",
            "static.field=source",
            "--config",
            "static.value=shop",
            "--input",
            "-",
        ],
        input,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        lines,
        [
            serde_json::json!({"topic": "orders", "partition": 1, "key": "k1",
                "value": {"id": 1, "source": "shop"}, "headers": {"h": "x"}}),
            serde_json::json!({"topic": "audit", "partition": null, "key": null,
                "value": {"id": 2, "source": "shop"}, "headers": {}}),
        ]
    );
    // A predicate: each record with whether it matches.
    let matches = built_plugin("wasm32-wasip2/release/topic_name_matches.wasm");
    let (code, lines, stderr) = plugin_test(
        &[&matches.to_string_lossy(), "-c", "pattern=ord.*", "-i", "-"],
        input,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let answers: Vec<&serde_json::Value> = lines.iter().map(|l| &l["matches"]).collect();
    assert_eq!(
        answers,
        [&serde_json::json!(true), &serde_json::json!(false)]
    );
    // A source polled twice.
    let source = built_plugin("fixtures/counting-source.wasm");
    let (code, lines, stderr) = plugin_test(
        &[
            &source.to_string_lossy(),
            "-c",
            "topic=t",
            "-c",
            "batch.size=3",
            "--polls",
            "2",
        ],
        "",
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert!(lines.iter().all(|l| l["topic"] == "t"), "{lines:?}");
    // A sink receives the records: FileStreamSink writes them to its file.
    let dir = tempfile::tempdir().expect("temp dir");
    let out_file = dir.path().join("out.txt");
    let sink = built_plugin("wasm32-wasip2/release/file_stream_sink.wasm");
    let (code, lines, stderr) = plugin_test(
        &[
            &sink.to_string_lossy(),
            "-c",
            &format!("file={}", out_file.display()),
            "-c",
            "topics=orders",
            "-i",
            "-",
        ],
        input,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(lines.is_empty());
    assert!(stderr.contains("delivered 2 record(s)"), "{stderr}");
    let written = std::fs::read_to_string(&out_file).expect("the sink's file");
    assert_eq!(written.lines().count(), 2, "{written}");
    // A bad input line is a usage error naming the line; a failing transform exits 1.
    let (code, _, stderr) = plugin_test(&[&insert, "-c", "static.field=s", "-i", "-"], "{\n");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("input line 1"), "{stderr}");
}

#[test]
fn plugin_test_runs_the_shipped_data_generator_deterministically() {
    let datagen = built_plugin("wasm32-wasip2/release/datagen.wasm");
    let datagen = datagen.to_string_lossy();
    let run = |seed: &str| {
        let seed = format!("random.seed={seed}");
        let (code, lines, stderr) = plugin_test(
            &[
                &datagen,
                "-c",
                "kafka.topic=t",
                "-c",
                "quickstart=users",
                "-c",
                &seed,
                "-c",
                "iterations=5",
                "--polls",
                "2",
            ],
            "",
        );
        assert_eq!(code, Some(0), "{stderr}");
        lines
    };
    let first = run("42");
    assert_eq!(first, run("42"), "the same seed gives the same records");
    assert_eq!(first.len(), 5, "{first:?}");
    for line in &first {
        assert_eq!(line["topic"], "t");
        let value = line["value"].as_object().expect("a struct value");
        let mut fields: Vec<&str> = value.keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["gender", "regionid", "registertime", "userid"]);
        assert!(value["registertime"].is_i64(), "{line}");
        assert!(
            value["userid"]
                .as_str()
                .is_some_and(|u| u.starts_with("User_")),
            "{line}"
        );
        assert_eq!(line["key"], value["userid"], "keyed by userid");
    }
    assert_ne!(first, run("43"), "another seed gives other records");
    // A bad value is a clear error naming the key.
    let (code, _, stderr) = plugin_test(
        &[&datagen, "-c", "kafka.topic=t", "-c", "quickstart=clicks"],
        "",
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("configuration quickstart"), "{stderr}");
}
