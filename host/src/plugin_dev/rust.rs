//! Rust projects: a `cdylib` crate over `wasm-connect-sdk`, built with
//! `cargo build --release --target wasm32-wasip2`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{DevError, Kind, ManifestPlugin, NewProject, ProjectFile, run_tool};

/// The SDK directory of the checkout this binary was built from.
const BUILT_FROM_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sdk");

/// The SDK a new project depends on: `explicit`, else the checkout this binary was built from.
pub(super) fn sdk_dir(explicit: Option<&Path>) -> Result<PathBuf, DevError> {
    let dir = explicit.map_or_else(|| PathBuf::from(BUILT_FROM_SDK), Path::to_path_buf);
    if !dir.join("Cargo.toml").is_file() {
        return Err(DevError::Usage(format!(
            "no Rust SDK at {}: pass --sdk <wasm-connect checkout>/sdk",
            dir.display()
        )));
    }
    dir.canonicalize().map_err(|e| DevError::io(&dir, e))
}

pub(super) fn new_project(project: &NewProject) -> Result<Vec<ProjectFile>, DevError> {
    let sdk = project
        .sdk
        .as_ref()
        .ok_or_else(|| DevError::Usage("a Rust project needs the SDK's directory".into()))?;
    let name = &project.manifest.name;
    let cargo = format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
rust-version = "1.95"
publish = false

[lib]
crate-type = ["cdylib", "rlib"]

[dependencies]
wasm-connect-sdk = {{ path = "{sdk}" }}

# A project of its own, not a member of an enclosing workspace.
[workspace]

# Small components: ~100 KB.
[profile.release]
opt-level = "s"
lto = true
strip = "debuginfo"
panic = "abort"
"#,
        sdk = sdk.display().to_string().replace('\\', "/"),
    );
    let source = source(&project.manifest);
    Ok(vec![
        ProjectFile::new("Cargo.toml", cargo),
        ProjectFile::new("src/lib.rs", source),
        ProjectFile::new(".gitignore", "/target\n"),
        ProjectFile::new("README.md", readme(&project.manifest)),
    ])
}

fn readme(plugin: &ManifestPlugin) -> String {
    format!(
        "# {class}\n\nA Wasm Connect {kind} plugin in Rust.\n\n\
         - Build: `wasm-connect plugin build` (prints the component's path).\n\
         - Unit tests: `cargo test`.\n\
         - Try it: `wasm-connect plugin test $(wasm-connect plugin build | tail -1) --input records.jsonl`.\n",
        class = plugin.class,
        kind = plugin.kind,
    )
}

/// `src/lib.rs`: a small working plugin of the kind.
fn source(plugin: &ManifestPlugin) -> String {
    let class = &plugin.class;
    let body = match plugin.kind {
        Kind::Transform => format!(
            r#"/// Upper-cases a string value and appends `suffix`; other values pass unchanged.
pub struct {class} {{
    suffix: String,
}}

impl Plugin for {class} {{
    fn info() -> PluginInfo {{
        PluginInfo::new("{class}").version("0.1.0").description("Upper-cases string values.")
    }}

    fn config_def() -> Vec<ConfigKey> {{
        vec![ConfigKey::string("suffix").default_value("").doc("Appended to each string value.")]
    }}
}}

impl Transform for {class} {{
    fn configure(config: Config) -> Result<Self> {{
        Ok({class} {{ suffix: config.string_or("suffix", "") }})
    }}

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {{
        if let Value::String(text) = &record.value.value {{
            record.value.value = Value::String(text.to_uppercase() + &self.suffix);
        }}
        Ok(Some(record))
    }}
}}

wasm_connect_sdk::export_transform!({class});

#[cfg(test)]
mod tests {{
    use super::*;

    #[test]
    fn upper_cases_strings() {{
        let mut transform = {class} {{ suffix: "!".into() }};
        let mut record = ConnectRecord::default();
        record.value.value = Value::String("hello".into());
        let out = transform.apply(record).expect("ok").expect("kept");
        assert_eq!(out.value.value, Value::String("HELLO!".into()));
    }}
}}
"#
        ),
        Kind::Predicate => format!(
            r#"/// Matches records whose value is a string containing `needle`.
pub struct {class} {{
    needle: String,
}}

impl Plugin for {class} {{
    fn info() -> PluginInfo {{
        PluginInfo::new("{class}").version("0.1.0").description("Matches string values containing a needle.")
    }}

    fn config_def() -> Vec<ConfigKey> {{
        vec![ConfigKey::string("needle").non_empty().doc("The text to look for.")]
    }}
}}

impl Predicate for {class} {{
    fn configure(config: Config) -> Result<Self> {{
        Ok({class} {{ needle: config.non_empty_string("needle")? }})
    }}

    fn test(&mut self, record: &ConnectRecord) -> Result<bool> {{
        Ok(matches!(&record.value.value, Value::String(text) if text.contains(&self.needle)))
    }}
}}

wasm_connect_sdk::export_predicate!({class});

#[cfg(test)]
mod tests {{
    use super::*;

    #[test]
    fn matches_the_needle() {{
        let mut predicate = {class} {{ needle: "cat".into() }};
        let mut record = ConnectRecord::default();
        record.value.value = Value::String("concatenate".into());
        assert!(predicate.test(&record).expect("ok"));
        record.value.value = Value::String("dog".into());
        assert!(!predicate.test(&record).expect("ok"));
    }}
}}
"#
        ),
        Kind::Source => format!(
            r#"use wasm_connect_sdk::source_context;

/// The connector: `tasks.max` tasks, each counting in its own source partition.
pub struct {class} {{
    config: Config,
}}

impl Plugin for {class} {{
    fn info() -> PluginInfo {{
        PluginInfo::new("{class}").version("0.1.0").description("Emits numbered greetings.")
    }}

    fn config_def() -> Vec<ConfigKey> {{
        vec![
            ConfigKey::string("topic").non_empty().importance(Importance::High).doc("Topic to write to."),
            ConfigKey::long("max.records").default_value(10).doc("Records per task."),
        ]
    }}
}}

impl SourceConnector for {class} {{
    fn start(config: Config) -> Result<Self> {{
        config.non_empty_string("topic")?;
        Ok({class} {{ config }})
    }}

    fn task_configs(&mut self, max_tasks: u32) -> Result<Vec<Config>> {{
        Ok((0..max_tasks.max(1))
            .map(|n| self.config.clone().with("task.number", n.to_string()))
            .collect())
    }}
}}

/// A task: emits `hello N` until `max.records`, resuming after its committed offset.
pub struct {class}Task {{
    topic: String,
    partition: OffsetMap,
    next: i64,
    max: i64,
}}

impl SourceTask for {class}Task {{
    fn start(config: Config) -> Result<Self> {{
        let number = config.int_or("task.number", 0)?;
        let partition = vec![("task".to_string(), OffsetValue::Int64(i64::from(number)))];
        let next = match source_context::offset(&partition) {{
            Some(offset) => offset
                .iter()
                .find_map(|(key, value)| match (key.as_str(), value) {{
                    ("next", OffsetValue::Int64(n)) => Some(*n),
                    _ => None,
                }})
                .unwrap_or(0),
            None => 0,
        }};
        Ok({class}Task {{
            topic: config.non_empty_string("topic")?,
            partition,
            next,
            max: i64::from(config.int_or("max.records", 10)?),
        }})
    }}

    fn poll(&mut self) -> Result<Vec<SourceRecord>> {{
        let mut records = Vec::new();
        while self.next < self.max && records.len() < 100 {{
            let mut record = ConnectRecord::default();
            record.topic = self.topic.clone();
            record.value.value = Value::String(format!("hello {{}}", self.next));
            self.next += 1;
            records.push(SourceRecord {{
                record,
                source_partition: self.partition.clone(),
                source_offset: vec![("next".to_string(), OffsetValue::Int64(self.next))],
            }});
        }}
        Ok(records)
    }}
}}

wasm_connect_sdk::export_source!({class}, {class}Task);
"#
        ),
        Kind::Sink => format!(
            r#"/// The connector: `tasks.max` tasks with the connector's configuration.
pub struct {class} {{
    config: Config,
}}

impl Plugin for {class} {{
    fn info() -> PluginInfo {{
        PluginInfo::new("{class}").version("0.1.0").description("Logs every record it receives.")
    }}

    fn config_def() -> Vec<ConfigKey> {{
        vec![ConfigKey::string("prefix").default_value("got").doc("Written before each record.")]
    }}
}}

impl SinkConnector for {class} {{
    fn start(config: Config) -> Result<Self> {{
        Ok({class} {{ config }})
    }}

    fn task_configs(&mut self, max_tasks: u32) -> Result<Vec<Config>> {{
        Ok(vec![self.config.clone(); max_tasks.max(1) as usize])
    }}
}}

/// A task: logs each record through the host (the worker's log, at INFO).
pub struct {class}Task {{
    prefix: String,
}}

impl SinkTask for {class}Task {{
    fn start(config: Config) -> Result<Self> {{
        Ok({class}Task {{ prefix: config.string_or("prefix", "got") }})
    }}

    fn put(&mut self, records: Vec<SinkRecord>) -> Result<()> {{
        for sink_record in records {{
            let record = &sink_record.record;
            wasm_connect_sdk::info!(
                "{{}} {{}}-{{:?}}@{{}}: {{:?}}",
                self.prefix,
                record.topic,
                record.kafka_partition,
                sink_record.kafka_offset,
                record.value.value
            );
        }}
        Ok(())
    }}
}}

wasm_connect_sdk::export_sink!({class}, {class}Task);
"#
        ),
    };
    format!(
        "//! {class}: a Wasm Connect {kind} plugin (generated by `wasm-connect plugin new`).\n\n\
         use wasm_connect_sdk::prelude::*;\n\n{body}",
        kind = plugin.kind
    )
}

pub(super) fn build(dir: &Path, plugin: &ManifestPlugin) -> Result<PathBuf, DevError> {
    let install = "rustup target add wasm32-wasip2 (Rust itself: https://rustup.rs)";
    if !super::on_path("cargo") {
        return Err(DevError::ToolMissing {
            tool: "cargo".into(),
            install: install.into(),
        });
    }
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    if let Ok(output) = targets
        && output.status.success()
        && !String::from_utf8_lossy(&output.stdout)
            .lines()
            .any(|t| t.trim() == "wasm32-wasip2")
    {
        return Err(DevError::ToolMissing {
            tool: "the Rust target wasm32-wasip2".into(),
            install: "rustup target add wasm32-wasip2".into(),
        });
    }
    let mut cargo = Command::new("cargo");
    cargo.args(["build", "--release", "--target", "wasm32-wasip2"]);
    // `CARGO_TARGET_DIR` if set (several projects may share one), else the project's `target/`.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(
            || dir.join("target"),
            |t| if t.is_absolute() { t } else { dir.join(t) },
        );
    cargo.env("CARGO_TARGET_DIR", &target);
    for var in ["RUSTFLAGS", "CARGO_BUILD_TARGET", "CARGO_ENCODED_RUSTFLAGS"] {
        cargo.env_remove(var);
    }
    run_tool(cargo, dir, "cargo", install)?;
    Ok(target
        .join("wasm32-wasip2/release")
        .join(format!("{}.wasm", plugin.name.replace('-', "_"))))
}
