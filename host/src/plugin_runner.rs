//! `wasm-connect plugin test PLUGIN.wasm --config k=v … --input records.jsonl`: run a plugin
//! without Kafka. Transforms and predicates see each input record, sinks receive them, sources
//! are polled `--polls` times; resulting records are printed as JSON lines on stdout, errors and
//! plugin logs go to stderr. Each input line is `{"topic", "partition", "key", "value",
//! "headers"}` with schemaless JSON key and value (Kafka's `JsonConverter` with
//! `schemas.enable=false`); headers are strings.
//!
//! The plugin runs in the worker's sandbox with the grants its path-valued config keys give it,
//! the worker's default memory cap and call timeout.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde_json::{Map, Value, json};
use wasm_connect_data::converter::{
    Converter, HeaderConverter, SIMPLE_HEADER_CONVERTER, create_converter, create_header_converter,
};
use wasm_connect_data::{ConnectRecord, Header, Schema, SchemaAndValue};

use crate::config::SandboxSettings;
use crate::config::connector::{DEFAULT_CALL_TIMEOUT_MS, DEFAULT_MEMORY_MAX_BYTES};
use crate::plugins::{PluginSource, RegisteredPlugin};
use crate::runtime::{
    ComponentKind, ConnectorInstance, InstanceContext, PluginRuntime, PredicateInstance,
    SinkTaskInstance, SourceTaskInstance, TransformInstance,
};

/// `wasm-connect plugin test`.
#[derive(Args, Debug, Clone)]
pub struct PluginTestArgs {
    /// The plugin component (`.wasm`).
    pub plugin: PathBuf,
    /// A config setting `key=value` (repeatable).
    #[arg(long = "config", short = 'c', value_parser = parse_setting)]
    pub config: Vec<(String, String)>,
    /// Input records, one JSON object per line (`-` for stdin); not used by sources.
    #[arg(long, short = 'i')]
    pub input: Option<PathBuf>,
    /// How many times to poll a source.
    #[arg(long, default_value_t = 1)]
    pub polls: u32,
}

fn parse_setting(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("expected key=value, got '{text}'"))
}

/// Why a local run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// Reading the plugin or the input.
    #[error("{0}")]
    Io(String),
    /// A malformed input line.
    #[error("input line {line}: {message}")]
    Input {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The plugin failed (configure, a call, a trap).
    #[error("{0}")]
    Plugin(String),
}

/// JSON in, Connect data out, and back: schemaless JSON for keys and values.
struct Codec {
    key: Box<dyn Converter>,
    value: Box<dyn Converter>,
    headers: Box<dyn HeaderConverter>,
}

impl Codec {
    fn new() -> Result<Codec, RunnerError> {
        let settings = BTreeMap::from([("schemas.enable".to_string(), "false".to_string())]);
        let make = |is_key| {
            create_converter("JsonConverter", &settings, is_key)
                .map_err(|e| RunnerError::Plugin(e.to_string()))
        };
        Ok(Codec {
            key: make(true)?,
            value: make(false)?,
            headers: create_header_converter(SIMPLE_HEADER_CONVERTER, &BTreeMap::new())
                .map_err(|e| RunnerError::Plugin(e.to_string()))?,
        })
    }

    /// One input line as a record.
    fn record(&self, json: &Value) -> Result<ConnectRecord, String> {
        let object = json.as_object().ok_or("expected a JSON object")?;
        let topic = match object.get("topic") {
            None | Some(Value::Null) => "test".to_string(),
            Some(Value::String(t)) => t.clone(),
            Some(_) => return Err("\"topic\" must be a string".into()),
        };
        let partition = match object.get("partition") {
            None | Some(Value::Null) => None,
            Some(p) => Some(
                p.as_i64()
                    .and_then(|p| i32::try_from(p).ok())
                    .ok_or("\"partition\" must be a small integer")?,
            ),
        };
        let convert = |converter: &dyn Converter, field: &str| -> Result<SchemaAndValue, String> {
            match object.get(field) {
                None | Some(Value::Null) => converter.to_connect(&topic, None),
                Some(v) => converter.to_connect(&topic, Some(v.to_string().as_bytes())),
            }
            .map_err(|e| format!("\"{field}\": {e}"))
        };
        let mut headers = Vec::new();
        if let Some(h) = object.get("headers") {
            let h = h.as_object().ok_or("\"headers\" must be an object")?;
            for (key, value) in h {
                let text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                headers.push(Header {
                    key: key.clone(),
                    value: SchemaAndValue::new(Schema::string(), text),
                });
            }
        }
        Ok(ConnectRecord {
            key: convert(self.key.as_ref(), "key")?,
            value: convert(self.value.as_ref(), "value")?,
            topic,
            kafka_partition: partition,
            timestamp: object.get("timestamp").and_then(Value::as_i64),
            headers,
        })
    }

    /// A record as an output line.
    fn json(&self, record: &ConnectRecord) -> Result<Value, String> {
        let render = |converter: &dyn Converter, data: &SchemaAndValue| -> Result<Value, String> {
            match converter.from_connect(&record.topic, data) {
                Ok(None) => Ok(Value::Null),
                Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        };
        let mut headers = Map::new();
        for h in &record.headers {
            let bytes = self
                .headers
                .from_connect_header(&record.topic, &h.key, &h.value)
                .map_err(|e| e.to_string())?;
            headers.insert(
                h.key.clone(),
                bytes.map_or(Value::Null, |b| {
                    Value::String(String::from_utf8_lossy(&b).into_owned())
                }),
            );
        }
        Ok(json!({
            "topic": record.topic,
            "partition": record.kafka_partition,
            "key": render(self.key.as_ref(), &record.key)?,
            "value": render(self.value.as_ref(), &record.value)?,
            "headers": headers,
        }))
    }
}

/// Read the input records (`-` is stdin).
fn read_input(codec: &Codec, path: Option<&PathBuf>) -> Result<Vec<ConnectRecord>, RunnerError> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| RunnerError::Io(format!("cannot read {}: {e}", path.display())))?;
        Box::new(std::io::BufReader::new(file))
    };
    let mut records = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| RunnerError::Io(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let json: Value = serde_json::from_str(&line).map_err(|e| RunnerError::Input {
            line: i + 1,
            message: format!("not JSON: {e}"),
        })?;
        records.push(codec.record(&json).map_err(|message| RunnerError::Input {
            line: i + 1,
            message,
        })?);
    }
    Ok(records)
}

/// Run the plugin as `args` says; the output lines, in order.
pub fn run(args: &PluginTestArgs, cache_dir: PathBuf) -> Result<Vec<Value>, RunnerError> {
    let bytes = std::fs::read(&args.plugin)
        .map_err(|e| RunnerError::Io(format!("cannot read {}: {e}", args.plugin.display())))?;
    let runtime = PluginRuntime::new(cache_dir).map_err(|e| RunnerError::Plugin(e.to_string()))?;
    let origin = args.plugin.display().to_string();
    let plugin: RegisteredPlugin =
        crate::plugins::describe(&runtime, &origin, &bytes, PluginSource::Uploaded)
            .map_err(|e| RunnerError::Plugin(e.to_string()))?;
    let mut config: BTreeMap<String, String> = args.config.iter().cloned().collect();
    config
        .entry("name".into())
        .or_insert_with(|| "plugin-test".into());
    let grants = crate::herder::grants_for(
        &plugin.description.config_def,
        "",
        &mut config,
        &SandboxSettings::default(),
        None,
    );
    let ctx = InstanceContext {
        connector: "plugin-test".into(),
        role: "test".into(),
        grants,
        memory_max_bytes: DEFAULT_MEMORY_MAX_BYTES,
        call_timeout: Duration::from_millis(DEFAULT_CALL_TIMEOUT_MS),
        offsets: None,
    };
    let codec = Codec::new()?;
    let records = read_input(&codec, args.input.as_ref())?;
    let failed = |e: crate::runtime::PluginCallError| RunnerError::Plugin(e.to_string());
    let loaded = plugin.loaded.clone();
    let mut out = Vec::new();
    let mut emit = |record: &ConnectRecord| -> Result<(), RunnerError> {
        out.push(codec.json(record).map_err(RunnerError::Plugin)?);
        Ok(())
    };
    match plugin.kind() {
        ComponentKind::Transform => {
            let mut transform = TransformInstance::new(loaded, &ctx, &config).map_err(failed)?;
            for (i, result) in transform
                .apply(&records)
                .map_err(failed)?
                .into_iter()
                .enumerate()
            {
                match result {
                    Ok(Some(record)) => emit(&record)?,
                    Ok(None) => {}
                    Err(e) => {
                        return Err(RunnerError::Plugin(format!("record {}: {e}", i + 1)));
                    }
                }
            }
        }
        ComponentKind::Predicate => {
            let mut predicate = PredicateInstance::new(loaded, &ctx, &config).map_err(failed)?;
            let answers = predicate.test(&records).map_err(failed)?;
            for (i, (record, answer)) in records.iter().zip(answers).enumerate() {
                let matched =
                    answer.map_err(|e| RunnerError::Plugin(format!("record {}: {e}", i + 1)))?;
                let mut line = codec.json(record).map_err(RunnerError::Plugin)?;
                line["matches"] = Value::Bool(matched);
                out.push(line);
            }
        }
        ComponentKind::Source => {
            let task_config = first_task_config(&plugin, &ctx, &config)?;
            let mut task = SourceTaskInstance::new(loaded, &ctx).map_err(failed)?;
            task.start(&task_config).map_err(failed)?;
            for _ in 0..args.polls {
                for polled in task.poll().map_err(failed)? {
                    emit(&polled.record)?;
                }
            }
            task.stop().map_err(failed)?;
        }
        ComponentKind::Sink => {
            let task_config = first_task_config(&plugin, &ctx, &config)?;
            let mut task = SinkTaskInstance::new(loaded, &ctx).map_err(failed)?;
            task.start(&task_config).map_err(failed)?;
            let batch: Vec<(ConnectRecord, i64)> = records.iter().cloned().zip(0i64..).collect();
            task.put(&batch).map_err(failed)?;
            let mut positions: BTreeMap<(String, i32), i64> = BTreeMap::new();
            for (record, offset) in &batch {
                let partition = record.kafka_partition.unwrap_or(0);
                positions.insert((record.topic.clone(), partition), offset + 1);
            }
            let offsets: Vec<(String, i32, i64)> =
                positions.into_iter().map(|((t, p), o)| (t, p, o)).collect();
            task.flush(&offsets).map_err(failed)?;
            task.stop().map_err(failed)?;
            eprintln!("delivered {} record(s) to the sink", batch.len());
        }
    }
    Ok(out)
}

/// Start the connector and ask it for one task's config.
fn first_task_config(
    plugin: &RegisteredPlugin,
    ctx: &InstanceContext,
    config: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, RunnerError> {
    let failed = |e: crate::runtime::PluginCallError| RunnerError::Plugin(e.to_string());
    let mut connector = ConnectorInstance::new(plugin.loaded.clone(), ctx).map_err(failed)?;
    connector.start(config).map_err(failed)?;
    let configs = connector.task_configs(1).map_err(failed)?;
    let _ = connector.stop();
    let mut task_config = configs.into_iter().next().unwrap_or_default();
    for (k, v) in config {
        task_config.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Ok(task_config)
}

/// `wasm-connect plugin test …`: print the output lines; the process exit code.
pub fn main(args: &PluginTestArgs) -> u8 {
    let cache_dir = std::env::temp_dir().join("wasm-connect-plugin-test-cache");
    match run(args, cache_dir) {
        Ok(lines) => {
            let mut stdout = std::io::stdout().lock();
            for line in lines {
                if writeln!(stdout, "{line}").is_err() {
                    return 1;
                }
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                RunnerError::Io(_) | RunnerError::Input { .. } => 2,
                RunnerError::Plugin(_) => 1,
            }
        }
    }
}
