//! A JSON struct with `schemas.enable=true` passes the Wasm InsertField$Value and comes out with
//! the new field and a correct schema (converter → Wasm transform → converter, as in a task);
//! Kafka's key recipe `ValueToKey` + `ExtractField$Key` + `Cast$Key` runs as a transform chain
//! (the host hands `$Key` transforms the key); and the Python transform runs in a real worker
//! pipeline.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::json;
use wasm_connect::plugins::PluginRegistry;
use wasm_connect::runtime::{Grants, InstanceContext, PluginRuntime, TransformInstance};
use wasm_connect::task::{ResolvedTransform, TransformChain};
use wasm_connect_data::converter::create_converter;
use wasm_connect_data::{ConnectRecord, Schema, SchemaAndValue, SchemaType, Struct, Value};
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, free_port, plugin_cache_dir, wait_for_lines,
    worker_properties,
};

fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn insert_field_adds_the_field_and_its_schema_to_a_json_struct() -> Result<()> {
    let runtime = PluginRuntime::new(plugin_cache_dir()?)?;
    let registry = PluginRegistry::load(&runtime, &[], &[])?;
    let plugin = registry
        .find("org.apache.kafka.connect.transforms.InsertField$Value")
        .context("InsertField$Value is shipped")?;
    let ctx = InstanceContext {
        connector: "test".into(),
        role: "transform".into(),
        grants: Grants::default(),
        memory_max_bytes: 64 << 20,
        call_timeout: Duration::from_secs(10),
        offsets: None,
    };
    let config = settings(&[
        ("static.field", "origin"),
        ("static.value", "wasm"),
        ("topic.field", "topic"),
    ]);
    let mut transform = TransformInstance::new(plugin.loaded.clone(), &ctx, &config)?;
    let converter = create_converter(
        "org.apache.kafka.connect.json.JsonConverter",
        &settings(&[("schemas.enable", "true")]),
        false,
    )?;
    let input = json!({
        "schema": {"type": "struct", "optional": false, "name": "person", "fields": [
            {"field": "name", "type": "string", "optional": false},
            {"field": "age", "type": "int32", "optional": true}
        ]},
        "payload": {"name": "Ada", "age": 36}
    });
    let value = converter.to_connect("people", Some(input.to_string().as_bytes()))?;
    let record = ConnectRecord {
        topic: "people".into(),
        value,
        key: SchemaAndValue::null(),
        ..ConnectRecord::default()
    };
    let mut out = transform.apply(&[record])?;
    let record = out.pop().context("one result")??.context("not dropped")?;
    let bytes = converter
        .from_connect("people", &record.value)?
        .context("a value")?;
    let output: serde_json::Value = serde_json::from_slice(&bytes)?;
    assert_eq!(
        output["payload"],
        json!({"name": "Ada", "age": 36, "origin": "wasm", "topic": "people"}),
        "{output}"
    );
    let fields: Vec<(String, String, bool)> = output["schema"]["fields"]
        .as_array()
        .context("fields")?
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap_or("").to_string(),
                f["type"].as_str().unwrap_or("").to_string(),
                f["optional"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("name".to_string(), "string".to_string(), false),
            ("age".to_string(), "int32".to_string(), true),
            // Kafka's InsertField appends topic, partition, offset, timestamp, then static.
            ("topic".to_string(), "string".to_string(), true),
            ("origin".to_string(), "string".to_string(), true),
        ]
    );
    assert_eq!(output["schema"]["type"], "struct");
    Ok(())
}

#[test]
fn key_recipe_runs_key_forms_on_the_key() -> Result<()> {
    let runtime = PluginRuntime::new(plugin_cache_dir()?)?;
    let registry = PluginRegistry::load(&runtime, &[], &[])?;
    let stage =
        |alias: &str, type_name: &str, config: &[(&str, &str)]| -> Result<ResolvedTransform> {
            Ok(ResolvedTransform {
                alias: alias.into(),
                plugin: registry
                    .find(type_name)
                    .with_context(|| format!("{type_name} is shipped"))?,
                config: settings(config),
                predicate: None,
                negate: false,
                key_form: ResolvedTransform::is_key_form(type_name),
            })
        };
    let chain = [
        stage(
            "copy",
            "org.apache.kafka.connect.transforms.ValueToKey",
            &[("fields", "id")],
        )?,
        stage(
            "extract",
            "org.apache.kafka.connect.transforms.ExtractField$Key",
            &[("field", "id")],
        )?,
        stage("cast", "Cast$Key", &[("spec", "string")])?,
    ];
    let ctx = InstanceContext {
        connector: "test".into(),
        role: "task-0".into(),
        grants: Grants::default(),
        memory_max_bytes: 64 << 20,
        call_timeout: Duration::from_secs(10),
        offsets: None,
    };
    let mut chain = TransformChain::new(&chain, &ctx).map_err(anyhow::Error::msg)?;
    let schema = Schema::struct_builder()
        .name("order")
        .field("id", Schema::int32())
        .field("item", Schema::string())
        .build();
    let value = Struct::new().put("id", 42i32).put("item", "book");
    let record = ConnectRecord {
        topic: "orders".into(),
        key: SchemaAndValue::null(),
        value: SchemaAndValue::new(schema.clone(), value.clone()),
        ..ConnectRecord::default()
    };
    let mut out = chain.apply(vec![record]).map_err(anyhow::Error::msg)?;
    let record = out
        .pop()
        .context("one result")?
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("not dropped")?;
    assert_eq!(record.key.value, Value::String("42".into()));
    assert_eq!(
        record.key.schema.as_ref().map(|s| s.schema_type),
        Some(SchemaType::String)
    );
    // The value is untouched.
    assert_eq!(record.value.value, Value::Struct(value));
    assert_eq!(record.value.schema.as_deref(), Some(&schema));
    Ok(())
}

#[test]
fn python_transform_runs_in_a_worker_pipeline() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "hello wasm\nfrom python\n")?;
    let files = vec![
        connector_file(
            dir.path(),
            "py-source",
            &[
                ("connector.class", "FileStreamSource"),
                ("file", &input.display().to_string()),
                ("topic", "py-lines"),
                ("topic.creation.default.partitions", "1"),
                ("topic.creation.default.replication.factor", "1"),
                ("transforms", "shout"),
                ("transforms.shout.type", "ChangeCase"),
                ("transforms.shout.case", "upper"),
            ],
        )?,
        connector_file(
            dir.path(),
            "py-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("file", &output.display().to_string()),
                ("topics", "py-lines"),
            ],
        )?,
    ];
    let worker = WorkerProcess::start(dir.path(), &props, port, &files, "worker.log")?;
    wait_for_lines(&output, 2, Duration::from_secs(180))
        .map_err(|e| anyhow::anyhow!("{e}\n{}", worker.process.output()))?;
    assert_eq!(
        std::fs::read_to_string(&output)?,
        "HELLO WASM\nFROM PYTHON\n"
    );
    Ok(())
}
