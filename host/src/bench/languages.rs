//! `wasm-connect bench --languages`: records/s of the same transform written in Rust, Python,
//! JavaScript and C, each built from its `wasm-connect plugin new --kind transform` template with
//! `plugin build`, against the same logic written natively in the host, in one run.
//!
//! The templates all do the same thing: a string value is upper-cased and `suffix` appended,
//! other values pass unchanged. The records are batches of [`BATCH`] string values (ASCII, so
//! every language's upper-casing agrees) with a string key and a header; each component runs as
//! one [`TransformInstance`], the way a task's chain calls it. Before timing, every component's
//! output must equal the native output, or the bench fails. A language whose toolchain is
//! missing is reported as skipped with the install hint, and the others are still measured.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use wasm_connect_data::{ConnectRecord, Header, Schema, SchemaAndValue, Value};

use super::transforms::{BATCH, bench_context, first_difference, thousands, time_batches};
use crate::config::WorkerConfig;
use crate::plugin_dev::{self, Kind, Lang, NewArgs};
use crate::plugins::PluginSource;
use crate::runtime::{PluginRuntime, TransformInstance};

/// Records measured per language and round when `--records` is not given.
pub const DEFAULT_RECORDS: usize = 20_000;
/// Timed rounds; each path's best round is reported.
const ROUNDS: usize = 3;
/// Batches run before timing.
const WARM_UP_BATCHES: usize = 5;
/// The `suffix` setting of every transform.
const SUFFIX: &str = "-ok";

/// One batch of input records: string values of 40 to 60 ASCII characters.
fn input_batch() -> Vec<ConnectRecord> {
    (0..BATCH)
        .map(|i| {
            let text = format!(
                "order {i:06} shipped to warehouse {} in zone {}",
                i % 97,
                i % 7
            );
            ConnectRecord {
                topic: "orders".into(),
                kafka_partition: Some(0),
                key: SchemaAndValue::new(Schema::optional_string(), format!("key-{i}")),
                value: SchemaAndValue::new(Schema::optional_string(), text),
                timestamp: Some(1_700_000_000_000 + i as i64),
                headers: vec![Header {
                    key: "source".into(),
                    value: SchemaAndValue::new(Schema::string(), "bench".to_string()),
                }],
            }
        })
        .collect()
}

/// The templates' logic, natively: upper-case a string value and append the suffix.
fn native(mut batch: Vec<ConnectRecord>) -> Result<Vec<ConnectRecord>> {
    for record in &mut batch {
        if let Value::String(text) = &record.value.value {
            let mut out = text.to_uppercase();
            out.push_str(SUFFIX);
            record.value.value = Value::String(out);
        }
    }
    Ok(batch)
}

/// Run a batch through one transform instance; every record must come out.
fn run_wasm(
    transform: &mut TransformInstance,
    batch: Vec<ConnectRecord>,
) -> Result<Vec<ConnectRecord>> {
    transform
        .apply(&batch)
        .map_err(|e| anyhow!("{e}"))?
        .into_iter()
        .map(|r| match r {
            Ok(Some(record)) => Ok(record),
            Ok(None) => bail!("the transform dropped a record"),
            Err(e) => bail!("the transform failed on a record: {e}"),
        })
        .collect()
}

/// What became of one language.
enum Built {
    /// The component and its size in bytes.
    Component(PathBuf, u64),
    /// Not measured, and why (a missing toolchain says how to install it).
    Skipped(String),
}

/// `plugin new --lang LANG --kind transform` in `dir`, then `plugin build`.
fn build(lang: Lang, dir: &Path) -> Result<Built> {
    let name = format!("bench-{lang}");
    let project = match plugin_dev::new_project(&NewArgs {
        name,
        lang,
        kind: Kind::Transform,
        dir: dir.to_path_buf(),
        sdk: None,
    }) {
        Ok(project) => project,
        Err(e) => return Ok(Built::Skipped(e.to_string())),
    };
    eprintln!("building the {lang} template …");
    let started = Instant::now();
    match plugin_dev::build_project(&project) {
        Ok(component) => {
            let size = std::fs::metadata(&component)
                .with_context(|| component.display().to_string())?
                .len();
            eprintln!("  {} in {:.0?}", component.display(), started.elapsed());
            Ok(Built::Component(component, size))
        }
        Err(e) => Ok(Built::Skipped(e.to_string())),
    }
}

/// A configured instance of `component`.
fn instantiate(runtime: &PluginRuntime, component: &Path) -> Result<TransformInstance> {
    let bytes = std::fs::read(component).with_context(|| component.display().to_string())?;
    let origin = component.display().to_string();
    let plugin = crate::plugins::describe(runtime, &origin, &bytes, PluginSource::Uploaded)
        .map_err(|e| anyhow!("{e}"))?;
    let config = BTreeMap::from([("suffix".to_string(), SUFFIX.to_string())]);
    TransformInstance::new(plugin.loaded.clone(), &bench_context(), &config)
        .map_err(|e| anyhow!("{e}"))
}

/// Build the four templates, check them against native, time them, print the table.
pub fn run(records: usize) -> Result<()> {
    let batches = records.div_ceil(BATCH).max(1);
    let records = batches * BATCH;
    let worker = WorkerConfig::parse(BTreeMap::new()).map_err(|e| anyhow!(e.error_message()))?;
    let runtime = PluginRuntime::new(worker.plugin_cache_dir)?;
    let projects = tempfile::tempdir()?;
    let template = input_batch();
    let expected = native(template.clone())?;

    let mut measured: Vec<(Lang, TransformInstance, u64)> = Vec::new();
    let mut skipped: Vec<(Lang, String)> = Vec::new();
    for lang in [Lang::Rust, Lang::Python, Lang::Js, Lang::C] {
        match build(lang, projects.path())? {
            Built::Skipped(why) => skipped.push((lang, why)),
            Built::Component(component, size) => {
                let mut instance = instantiate(&runtime, &component)?;
                let output = run_wasm(&mut instance, template.clone())?;
                if let Some(difference) = first_difference(&output, &expected) {
                    bail!("the {lang} template does not match native: {difference}");
                }
                for _ in 0..WARM_UP_BATCHES {
                    black_box(run_wasm(&mut instance, template.clone())?);
                }
                measured.push((lang, instance, size));
            }
        }
    }
    if measured.is_empty() {
        bail!("no language could be built: {skipped:?}");
    }

    let mut native_best = Duration::MAX;
    let mut best = vec![Duration::MAX; measured.len()];
    for _ in 0..ROUNDS {
        native_best = native_best.min(time_batches(&template, batches, native)?);
        for ((_, instance, _), best) in measured.iter_mut().zip(best.iter_mut()) {
            *best = (*best).min(time_batches(&template, batches, |b| run_wasm(instance, b))?);
        }
    }
    let clone_time = time_batches(&template, batches, Ok)?;
    let rate = |d: Duration| records as f64 / d.as_secs_f64();
    let micros = |d: Duration| d.as_secs_f64() * 1e6 / records as f64;

    println!(
        "Same-transform benchmark: {} records in batches of {}, best of {ROUNDS} rounds, {} core(s)",
        thousands(records as f64),
        thousands(BATCH as f64),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "transform: upper-case the string value, append suffix={SUFFIX} (each language's `plugin new --kind transform` template)"
    );
    println!("| language | component | records/s | µs/record | ratio to native |");
    println!("|---|---|---|---|---|");
    println!(
        "| native Rust in the host | – | {} | {:.2} | 1 |",
        thousands(rate(native_best)),
        micros(native_best)
    );
    for ((lang, _, size), time) in measured.iter().zip(&best) {
        println!(
            "| {lang} (Wasm) | {} KiB | {} | {:.2} | {:.4} |",
            thousands(*size as f64 / 1024.0),
            thousands(rate(*time)),
            micros(*time),
            rate(*time) / rate(native_best)
        );
    }
    println!(
        "(both paths include cloning the input batch: {:.2} µs/record)",
        micros(clone_time)
    );
    for (lang, why) in &skipped {
        println!("{lang}: not measured: {why}");
    }
    Ok(())
}
