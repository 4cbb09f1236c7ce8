//! `wasm-connect plugin test PLUGIN.wasm --config k=v … --input records.jsonl`: run a plugin
//! without Kafka. Transforms and predicates see each input record, sinks receive them, sources
//! are polled `--polls` times; resulting records are printed as JSON lines on stdout, errors and
//! plugin logs go to stderr. Each input line is `{"topic", "partition", "key", "value",
//! "headers"}` with schemaless JSON key and value (Kafka's `JsonConverter` with
//! `schemas.enable=false`); headers are strings.
//!
//! The plugin runs in the worker's sandbox with the grants its path-valued config keys give it,
//! and the sandbox keys `wasm.net.hosts`, `wasm.memory.max.bytes` and `wasm.call.timeout.ms`.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde_json::Value;
use wasm_connect_data::ConnectRecord;
use wasm_connect_data::converter::RecordJson;

use crate::config::SandboxSettings;
use crate::config::connector::{DEFAULT_CALL_TIMEOUT_MS, DEFAULT_MEMORY_MAX_BYTES, parse_list};
use crate::plugins::{PluginSource, RegisteredPlugin};
use crate::runtime::{
    ComponentKind, ConnectorInstance, InstanceContext, PluginRuntime, PredicateInstance,
    SinkTaskInstance, SourceTaskInstance, TransformInstance,
};
use crate::task::swap_key_and_value;

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
    /// Apply a transform to each record's key instead of its value, as its `$Key` form does in
    /// a connector (`transforms.X.type=Cast$Key`).
    #[arg(long)]
    pub key_form: bool,
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

/// Read the input records (`-` is stdin).
fn read_input(
    codec: &RecordJson,
    path: Option<&PathBuf>,
) -> Result<Vec<ConnectRecord>, RunnerError> {
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
    // The sandbox keys a connector would have: network grants, memory cap and call timeout.
    let number = |key: &str, default: u64| {
        config
            .get(key)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(default)
    };
    let sandbox = SandboxSettings {
        net_hosts: parse_list(config.get("wasm.net.hosts")),
        memory_max_bytes: number("wasm.memory.max.bytes", DEFAULT_MEMORY_MAX_BYTES),
        call_timeout_ms: number("wasm.call.timeout.ms", DEFAULT_CALL_TIMEOUT_MS),
        ..SandboxSettings::default()
    };
    let grants = crate::herder::grants_for(
        &plugin.description.config_def,
        "",
        &mut config,
        &sandbox,
        None,
    );
    let ctx = InstanceContext {
        connector: "plugin-test".into(),
        role: "test".into(),
        grants,
        memory_max_bytes: sandbox.memory_max_bytes,
        call_timeout: Duration::from_millis(sandbox.call_timeout_ms),
        offsets: None,
    };
    let codec = RecordJson::new().map_err(|e| RunnerError::Plugin(e.to_string()))?;
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
            let mut input = records;
            if args.key_form {
                input.iter_mut().for_each(swap_key_and_value);
            }
            for (i, result) in transform
                .apply(&input)
                .map_err(failed)?
                .into_iter()
                .enumerate()
            {
                match result {
                    Ok(Some(mut record)) => {
                        if args.key_form {
                            swap_key_and_value(&mut record);
                        }
                        emit(&record)?
                    }
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
