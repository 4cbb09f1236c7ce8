//! The local test runner (`wasm-connect plugin test`) and a worker produce the same records for
//! every shipped transform given the same input.
//!
//! For each case the input file (the runner's JSON-lines format) goes to `plugin test` with the
//! transform's `.wasm`, and to a worker through the `RecordReplaySource` fixture (which reads it
//! with the runner's own codec) with the transform in the connector's chain and `JsonConverter`
//! (`schemas.enable=false`) for keys and values, the runner's output format. The records the
//! worker wrote to Kafka, read back and rendered the same way, must equal the runner's lines,
//! partition by partition and in order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::{Value, json};
use wasm_connect_tests::{start_worker_with_fixtures, target_profile_dir, worker_binary};

/// One transform under test.
struct Case {
    /// Connector and topic prefix.
    name: &'static str,
    /// The component, relative to `<target>/wasm-plugins`.
    wasm: String,
    /// `transforms.t.type` in the worker.
    type_name: &'static str,
    /// The transform's settings.
    config: &'static [(&'static str, &'static str)],
}

fn rust_plugin(name: &str) -> String {
    format!("wasm32-wasip2/release/{name}.wasm")
}

fn cases() -> Vec<Case> {
    let case = |name, wasm, type_name, config| Case {
        name,
        wasm,
        type_name,
        config,
    };
    vec![
        case(
            "insert-field",
            rust_plugin("insert_field"),
            "org.apache.kafka.connect.transforms.InsertField$Value",
            &[
                ("static.field", "origin"),
                ("static.value", "wasm"),
                ("topic.field", "from_topic"),
            ],
        ),
        case(
            "replace-field",
            rust_plugin("replace_field"),
            "ReplaceField",
            &[("exclude", "secret"), ("renames", "a:alpha")],
        ),
        case(
            "mask-field",
            rust_plugin("mask_field"),
            "MaskField",
            &[("fields", "secret,n")],
        ),
        case("cast", rust_plugin("cast"), "Cast", &[("spec", "n:string")]),
        case(
            "extract-field",
            rust_plugin("extract_field"),
            "ExtractField$Value",
            &[("field", "nested")],
        ),
        case(
            "flatten",
            rust_plugin("flatten"),
            "Flatten",
            &[("delimiter", "_")],
        ),
        case(
            "hoist-field-key",
            rust_plugin("hoist_field"),
            "HoistField$Key",
            &[("field", "id")],
        ),
        case(
            "value-to-key",
            rust_plugin("value_to_key"),
            "ValueToKey",
            &[("fields", "a,n")],
        ),
        case(
            "regex-router",
            rust_plugin("regex_router"),
            "org.apache.kafka.connect.transforms.RegexRouter",
            &[("regex", "(.*)-in"), ("replacement", "$1-routed")],
        ),
        case(
            "timestamp-router",
            rust_plugin("timestamp_router"),
            "TimestampRouter",
            &[
                ("topic.format", "${topic}-${timestamp}"),
                ("timestamp.format", "yyyyMMdd"),
            ],
        ),
        case(
            "timestamp-converter",
            rust_plugin("timestamp_converter"),
            "TimestampConverter$Value",
            &[
                ("field", "ts"),
                ("target.type", "string"),
                ("format", "yyyy-MM-dd HH:mm"),
            ],
        ),
        case(
            "header-from",
            rust_plugin("header_from"),
            "HeaderFrom$Value",
            &[
                ("fields", "a"),
                ("headers", "a-copy"),
                ("operation", "copy"),
            ],
        ),
        case(
            "insert-header",
            rust_plugin("insert_header"),
            "InsertHeader",
            &[("header", "source"), ("value.literal", "replayed")],
        ),
        case(
            "drop-headers",
            rust_plugin("drop_headers"),
            "DropHeaders",
            &[("headers", "drop-me")],
        ),
        case(
            "change-case",
            "python/change_case.wasm".into(),
            "ChangeCase",
            &[("case", "upper")],
        ),
        case(
            "truncate",
            "c/c-truncate.wasm".into(),
            "Truncate",
            &[("max.length", "3")],
        ),
    ]
}

/// The input records of a case, on topic `<name>-in` (partitions 0 and 1): structured values,
/// or plain strings for `truncate` (it shortens strings and struct fields, not map entries).
fn input(name: &str) -> Vec<Value> {
    let topic = format!("{name}-in");
    if name == "truncate" {
        return ["abcdef", "ü€x", "ab"]
            .iter()
            .enumerate()
            .map(|(i, v)| json!({"topic": topic, "partition": i % 2, "key": i, "value": v}))
            .collect();
    }
    vec![
        json!({"topic": topic, "partition": 0, "key": "k1", "timestamp": 1_700_000_000_000_i64,
               "value": {"a": "x1", "n": 1, "secret": "s1", "nested": {"b": 2, "c": "deep"},
                         "ts": 1_700_000_000_000_i64},
               "headers": {"h": "v", "drop-me": "1"}}),
        json!({"topic": topic, "partition": 1, "key": "k2", "timestamp": 1_700_086_400_000_i64,
               "value": {"a": "héllo wörld", "n": 22, "secret": "s2", "nested": {"b": 3, "c": "er"},
                         "ts": 1_700_000_060_000_i64},
               "headers": {"drop-me": "2"}}),
        json!({"topic": topic, "partition": 0, "key": null, "timestamp": 1_700_172_800_000_i64,
               "value": {"a": "third", "n": -3, "secret": "s3", "nested": {"b": 4, "c": "z"},
                         "ts": 1_700_003_600_000_i64},
               "headers": {}}),
    ]
}

/// `records` as the runner prints them when nothing changes them.
fn unchanged(records: &[Value]) -> Vec<Value> {
    records
        .iter()
        .map(|r| {
            json!({"topic": r["topic"], "partition": r["partition"], "key": r["key"],
                   "value": r["value"], "headers": r.get("headers").cloned().unwrap_or(json!({}))})
        })
        .collect()
}

/// `plugin test`'s output lines.
fn run_locally(wasm: &Path, case: &Case, input: &Path) -> Result<Vec<Value>> {
    let mut command = Command::new(worker_binary()?);
    command
        .args(["plugin", "test"])
        .arg(wasm)
        .arg("--input")
        .arg(input);
    for (k, v) in case.config {
        command.args(["--config", &format!("{k}={v}")]);
    }
    if case.type_name.ends_with("$Key") {
        command.arg("--key-form");
    }
    let output = command.output()?;
    if !output.status.success() {
        bail!(
            "plugin test for {} failed: {}",
            case.name,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout)?
        .lines()
        .map(|l| serde_json::from_str(l).with_context(|| format!("not JSON: {l}")))
        .collect()
}

/// A Kafka message in the runner's output form.
fn render(message: &rdkafka::message::BorrowedMessage<'_>) -> Result<Value> {
    let json_or_null = |bytes: Option<&[u8]>| -> Result<Value> {
        Ok(match bytes {
            None => Value::Null,
            Some(b) => serde_json::from_slice(b)?,
        })
    };
    let mut headers = serde_json::Map::new();
    if let Some(h) = message.headers() {
        for header in h.iter() {
            headers.insert(
                header.key.to_string(),
                header.value.map_or(Value::Null, |v| {
                    Value::String(String::from_utf8_lossy(v).into_owned())
                }),
            );
        }
    }
    Ok(json!({
        "topic": message.topic(),
        "partition": message.partition(),
        "key": json_or_null(message.key())?,
        "value": json_or_null(message.payload())?,
        "headers": headers,
    }))
}

/// Lines grouped by (topic, partition), in order.
fn by_partition(lines: &[Value]) -> BTreeMap<(String, i64), Vec<Value>> {
    let mut groups: BTreeMap<(String, i64), Vec<Value>> = BTreeMap::new();
    for line in lines {
        let topic = line["topic"].as_str().unwrap_or_default().to_string();
        let partition = line["partition"].as_i64().unwrap_or(-1);
        groups
            .entry((topic, partition))
            .or_default()
            .push(line.clone());
    }
    groups
}

/// Create `topics` with 2 partitions (the embedded broker does not create them on produce).
fn create_topics(bootstrap: &str, topics: &BTreeSet<String>) -> Result<()> {
    let settings = [("bootstrap.servers".to_string(), bootstrap.to_string())].into();
    let runtime = tokio::runtime::Runtime::new()?;
    for topic in topics {
        runtime.block_on(wasm_connect::kafka::ensure_topic(
            &settings,
            topic,
            2,
            1,
            &[],
        ))?;
    }
    Ok(())
}

/// Read `expected` records from each (topic, partition) from the beginning.
fn read_back(
    bootstrap: &str,
    expected: &BTreeMap<(String, i64), Vec<Value>>,
) -> Result<BTreeMap<(String, i64), Vec<Value>>> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "runner-matches-worker")
        .set("enable.auto.commit", "false")
        .create()?;
    let mut assignment = TopicPartitionList::new();
    for (topic, partition) in expected.keys() {
        assignment.add_partition_offset(topic, i32::try_from(*partition)?, Offset::Beginning)?;
    }
    consumer.assign(&assignment)?;
    let wanted: usize = expected.values().map(Vec::len).sum();
    let mut got: Vec<Value> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while got.len() < wanted && Instant::now() < deadline {
        if let Some(message) = consumer.poll(Duration::from_millis(200)) {
            got.push(render(&message?)?);
        }
    }
    // A little longer, so an unexpected extra record is seen too.
    let settle = Instant::now() + Duration::from_secs(1);
    while Instant::now() < settle {
        if let Some(message) = consumer.poll(Duration::from_millis(100)) {
            got.push(render(&message?)?);
        }
    }
    Ok(by_partition(&got))
}

#[test]
fn plugin_test_output_equals_the_worker_output_for_every_shipped_transform() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let plugins: PathBuf = target_profile_dir()?
        .parent()
        .context("no target dir")?
        .join("wasm-plugins");
    let mut expected = Vec::new();
    for case in cases() {
        let file = dir.path().join(format!("{}.jsonl", case.name));
        let records = input(case.name);
        let text: String = records.iter().map(|r| format!("{r}\n")).collect();
        std::fs::write(&file, text)?;
        let lines = run_locally(&plugins.join(&case.wasm), &case, &file)?;
        assert_eq!(
            lines.len(),
            3,
            "{}: the runner kept every record: {lines:?}",
            case.name
        );
        // Each case changes its input, so equal outputs are not two copies of the input.
        assert_ne!(
            lines,
            unchanged(&records),
            "{}: the transform changed nothing",
            case.name
        );
        expected.push((case, file, lines));
    }

    let (broker, worker) = start_worker_with_fixtures(dir.path())?;
    let mut topics = BTreeSet::new();
    for (case, _, lines) in &expected {
        topics.insert(format!("{}-in", case.name));
        for line in lines {
            topics.insert(line["topic"].as_str().context("topic")?.to_string());
        }
    }
    create_topics(&broker.bootstrap, &topics)?;

    for (case, file, _) in &expected {
        let mut config = json!({
            "connector.class": "RecordReplaySource",
            "tasks.max": "1",
            "file": file.display().to_string(),
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "false",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "transforms": "t",
            "transforms.t.type": case.type_name,
        });
        for (k, v) in case.config {
            config[format!("transforms.t.{k}")] = Value::String((*v).to_string());
        }
        let (status, body) = worker.call(
            "PUT",
            &format!("/connectors/{}/config", case.name),
            Some(config),
        )?;
        assert!(
            status == 201 || status == 200,
            "{}: {status} {body}",
            case.name
        );
    }

    let all: Vec<Value> = expected.iter().flat_map(|(_, _, l)| l.clone()).collect();
    let want = by_partition(&all);
    let got = read_back(&broker.bootstrap, &want)?;
    for (case, _, lines) in &expected {
        let case_want = by_partition(lines);
        let case_got: BTreeMap<_, _> = got
            .iter()
            .filter(|((t, _), _)| case_want.keys().any(|(wt, _)| wt == t))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if case_got != case_want {
            let (_, status) =
                worker.call("GET", &format!("/connectors/{}/status", case.name), None)?;
            panic!(
                "{} ({}): the worker wrote\n{}\nbut plugin test printed\n{}\nstatus: {status}",
                case.name,
                case.type_name,
                serde_json::to_string_pretty(&case_got.values().collect::<Vec<_>>())?,
                serde_json::to_string_pretty(&case_want.values().collect::<Vec<_>>())?
            );
        }
    }
    Ok(())
}
