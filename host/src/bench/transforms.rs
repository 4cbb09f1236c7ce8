//! `wasm-connect bench --transforms`: records/s of a chain of three shipped Wasm transforms, run
//! by the task's [`TransformChain`] in batches of [`BATCH`] records, against the same logic
//! written natively in Rust on [`ConnectRecord`]s in the host, in the same run.
//!
//! The chain is `InsertField$Value` (a static field) → `ReplaceField$Value` (two renames) →
//! `Cast$Value` (two field casts) on schema-ful struct records. The native code mirrors what the
//! plugins do (a new struct schema per record for the first two stages, the last schema cached
//! for the cast) so the ratio measures running the logic in Wasm, not a different algorithm.
//! Before timing, both paths run the same batch and must give identical records, or the bench
//! fails.
//!
//! Both paths start every batch from a clone of the same input batch. To show where the Wasm
//! path's time goes, the bench also times a chain of three pass-through Wasm transforms
//! (`RegexRouter` with a regex that never matches: only the record crossing the boundary) and the
//! host-side copies the chain makes per stage (a clone of the batch, conversion to and from the
//! WIT types).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use wasm_connect_data::{
    ConnectRecord, Field, Header, Schema, SchemaAndValue, SchemaBuilder, SchemaType, Struct, Value,
};

use crate::config::WorkerConfig;
use crate::config::connector::{DEFAULT_CALL_TIMEOUT_MS, DEFAULT_MEMORY_MAX_BYTES};
use crate::plugins::PluginRegistry;
use crate::runtime::bindings::conv;
use crate::runtime::{Grants, InstanceContext, PluginRuntime};
use crate::task::{ResolvedTransform, TransformChain};

/// Records measured per path and round when `--records` is not given.
pub const DEFAULT_RECORDS: usize = 50_000;
/// Records per batch, as the sink task loop delivers them.
pub const BATCH: usize = 1000;
/// Timed rounds; each path's best round is reported.
const ROUNDS: usize = 3;
/// Batches each path runs before it is timed.
const WARM_UP_BATCHES: usize = 20;

/// `static.field` of the InsertField stage (optional, as without a `!` suffix).
const STATIC_FIELD: &str = "origin";
/// `static.value` of the InsertField stage.
const STATIC_VALUE: &str = "wasm-connect";
/// `renames` of the ReplaceField stage.
const RENAMES: [(&str, &str); 2] = [("id", "order_id"), ("amount", "total")];
/// `spec` of the Cast stage (field names after the renames).
const CASTS: [(&str, SchemaType); 2] = [
    ("order_id", SchemaType::String),
    ("quantity", SchemaType::Int64),
];

/// The value schema of the input records.
fn order_schema() -> Schema {
    Schema::struct_builder()
        .name("com.example.Order")
        .version(1)
        .doc("An order.")
        .field("id", Schema::int64())
        .field("customer", Schema::string())
        .field("quantity", Schema::int32())
        .field("amount", Schema::float64())
        .field("note", Schema::optional_string())
        .field(
            "status",
            Schema::optional_string()
                .to_builder()
                .default_value(Value::from("new"))
                .build(),
        )
        .build()
}

/// One batch of input records, as a source connector and converter would hand them over: a
/// string key, a struct value (some null fields, one of them with a default) and a header.
fn input_batch() -> Vec<ConnectRecord> {
    let schema = Arc::new(order_schema());
    (0..BATCH)
        .map(|i| {
            let value = Struct::new()
                .put("id", i as i64)
                .put("customer", format!("customer-{}", i % 97))
                .put("quantity", (i % 10) as i32 + 1)
                .put("amount", i as f64 * 1.25)
                .put("note", (i % 3 == 0).then_some("gift wrap"))
                .put("status", (i % 2 == 1).then_some("paid"));
            ConnectRecord {
                topic: "orders".into(),
                kafka_partition: Some(0),
                key: SchemaAndValue::new(Schema::string(), format!("order-{i}")),
                value: SchemaAndValue {
                    schema: Some(schema.clone()),
                    value: Value::Struct(value),
                },
                timestamp: Some(1_700_000_000_000 + i as i64),
                headers: vec![Header {
                    key: "source".into(),
                    value: SchemaAndValue::new(Schema::string(), "bench"),
                }],
            }
        })
        .collect()
}

/// One stage of a chain: alias, plugin name, settings.
type StageSpec = (&'static str, &'static str, Vec<(&'static str, String)>);

/// The configuration of each Wasm stage.
fn wasm_stages() -> Vec<StageSpec> {
    let renames: Vec<String> = RENAMES.iter().map(|(a, b)| format!("{a}:{b}")).collect();
    let casts: Vec<String> = CASTS
        .iter()
        .map(|(f, t)| format!("{f}:{}", cast_type_name(*t)))
        .collect();
    vec![
        (
            "insert",
            "InsertField$Value",
            vec![
                ("static.field", STATIC_FIELD.into()),
                ("static.value", STATIC_VALUE.into()),
            ],
        ),
        (
            "rename",
            "ReplaceField$Value",
            vec![("renames", renames.join(","))],
        ),
        ("cast", "Cast$Value", vec![("spec", casts.join(","))]),
    ]
}

/// Three transforms that only move the record across the boundary and back.
fn pass_through_stages() -> Vec<StageSpec> {
    ["pass1", "pass2", "pass3"]
        .into_iter()
        .map(|alias| {
            (
                alias,
                "RegexRouter",
                vec![
                    ("regex", "no-such-topic".to_string()),
                    ("replacement", "unused".to_string()),
                ],
            )
        })
        .collect()
}

/// Cast's name for a target type.
fn cast_type_name(t: SchemaType) -> &'static str {
    match t {
        SchemaType::Float32 => "float32",
        SchemaType::Float64 => "float64",
        other => other.name(),
    }
}

/// Instantiate `stages` from the registry as one task's [`TransformChain`].
fn build_chain(registry: &PluginRegistry, stages: &[StageSpec]) -> Result<TransformChain> {
    let resolved = stages
        .iter()
        .map(|(alias, type_name, config)| {
            Ok(ResolvedTransform {
                alias: (*alias).to_string(),
                plugin: registry
                    .find(type_name)
                    .with_context(|| format!("transform {type_name} is not shipped"))?,
                config: config
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), v.clone()))
                    .collect::<BTreeMap<_, _>>(),
                predicate: None,
                negate: false,
                key_form: ResolvedTransform::is_key_form(type_name),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    TransformChain::new(&resolved, &bench_context()).map_err(anyhow::Error::msg)
}

/// The instance context of a benchmark's plugins: connector `bench`, no grants, the defaults.
pub(crate) fn bench_context() -> InstanceContext {
    InstanceContext {
        connector: "bench".into(),
        role: "task-0".into(),
        grants: Grants::default(),
        memory_max_bytes: DEFAULT_MEMORY_MAX_BYTES,
        call_timeout: Duration::from_millis(DEFAULT_CALL_TIMEOUT_MS),
        offsets: None,
    }
}

/// Run a batch through a Wasm chain; every record must come out.
fn run_wasm(chain: &mut TransformChain, batch: Vec<ConnectRecord>) -> Result<Vec<ConnectRecord>> {
    chain
        .apply(batch)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .map(|r| match r {
            Ok(Some(record)) => Ok(record),
            Ok(None) => bail!("the Wasm chain dropped a record"),
            Err(e) => bail!("{} failed on a record: {}", e.plugin, e.message),
        })
        .collect()
}

/// The three transforms written natively in the host.
pub struct NativeChain {
    /// The ReplaceField stage's renames, old name → new name.
    renames: HashMap<String, String>,
    /// The Cast stage's last input schema and its updated schema (the plugin caches the same).
    cast_cache: Option<(Arc<Schema>, Arc<Schema>)>,
}

/// A struct schema with `source`'s name, version, doc and parameters (Kafka's
/// `SchemaUtil.copySchemaBasics`).
fn schema_basics(source: &Schema) -> SchemaBuilder {
    let mut builder = Schema::struct_builder();
    if let Some(name) = &source.name {
        builder = builder.name(name.clone());
    }
    if let Some(version) = source.version {
        builder = builder.version(version);
    }
    if let Some(doc) = &source.doc {
        builder = builder.doc(doc.clone());
    }
    for (key, value) in &source.parameters {
        builder = builder.parameter(key.clone(), value.clone());
    }
    builder
}

/// Add `fields` to `builder`, refusing a name used twice.
fn build_struct(
    mut builder: SchemaBuilder,
    fields: impl IntoIterator<Item = (String, Schema)>,
) -> Result<Schema> {
    let mut names: Vec<String> = Vec::new();
    for (name, schema) in fields {
        ensure!(
            !names.contains(&name),
            "Cannot create field because of field name duplication {name}"
        );
        names.push(name.clone());
        builder = builder.field(name, schema);
    }
    Ok(builder.build())
}

/// Field `field` of `value`, its default when null (`replace.null.with.default=true`).
fn field_value(value: &Struct, field: &Field) -> Value {
    match value.get(&field.name) {
        Some(v) if !v.is_null() => v.clone(),
        _ => field
            .schema
            .default_value
            .as_deref()
            .cloned()
            .unwrap_or(Value::Null),
    }
}

/// Null is only valid in an optional field.
fn check_field_value(field: &str, schema: &Schema, value: &Value) -> Result<()> {
    ensure!(
        !value.is_null() || schema.optional,
        "Invalid value: null used for required field: \"{field}\""
    );
    Ok(())
}

/// The struct value and its schema, or an error naming `purpose`.
fn take_struct(record: &mut ConnectRecord, purpose: &str) -> Result<(Arc<Schema>, Struct)> {
    let schema = record
        .value
        .schema
        .take()
        .with_context(|| format!("Only Struct objects supported for [{purpose}]"))?;
    match std::mem::take(&mut record.value.value) {
        Value::Struct(value) => Ok((schema, value)),
        other => bail!(
            "Only Struct objects supported for [{purpose}], found: {}",
            other.kind()
        ),
    }
}

/// Cast a primitive value to `target`; the bench casts integers to int64 and to string only.
fn cast_value(value: &Value, target: SchemaType) -> Result<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let n = value
        .as_i64()
        .with_context(|| format!("the native chain casts integers only, not {}", value.kind()))?;
    Ok(match target {
        SchemaType::Int64 => Value::Int64(n),
        SchemaType::String => Value::String(n.to_string()),
        other => bail!("the native chain does not cast to {other}"),
    })
}

/// The Cast target of field `name`.
fn cast_target(name: &str) -> Option<SchemaType> {
    CASTS.iter().find(|(f, _)| *f == name).map(|(_, t)| *t)
}

impl Default for NativeChain {
    fn default() -> Self {
        NativeChain {
            renames: RENAMES
                .iter()
                .map(|(from, to)| ((*from).to_string(), (*to).to_string()))
                .collect(),
            cast_cache: None,
        }
    }
}

impl NativeChain {
    /// `InsertField$Value` with `static.field` and `static.value`.
    fn insert_field(&self, mut record: ConnectRecord) -> Result<ConnectRecord> {
        if record.value.value.is_null() {
            return Ok(record);
        }
        let (schema, old) = take_struct(&mut record, "field insertion")?;
        let new_schema = build_struct(
            schema_basics(&schema),
            schema
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.schema.clone()))
                .chain([(STATIC_FIELD.to_string(), Schema::optional_string())]),
        )?;
        let mut fields = Vec::with_capacity(new_schema.fields.len());
        for field in schema.fields.iter() {
            let value = field_value(&old, field);
            check_field_value(&field.name, &field.schema, &value)?;
            fields.push((field.name.clone(), value));
        }
        fields.push((STATIC_FIELD.to_string(), Value::String(STATIC_VALUE.into())));
        record.value = SchemaAndValue {
            schema: Some(Arc::new(new_schema)),
            value: Value::Struct(Struct { fields }),
        };
        Ok(record)
    }

    /// `ReplaceField$Value` with `renames`.
    fn replace_field(&self, mut record: ConnectRecord) -> Result<ConnectRecord> {
        if record.value.value.is_null() {
            return Ok(record);
        }
        let (schema, old) = take_struct(&mut record, "field replacement")?;
        // As the plugin: rename through a map, refuse a duplicate name through a set.
        let mut builder = schema_basics(&schema);
        let mut names = HashSet::new();
        for field in schema.fields.iter() {
            let name = self.renames.get(&field.name).unwrap_or(&field.name);
            ensure!(
                names.insert(name),
                "Cannot create field because of field name duplication {name}"
            );
            builder = builder.field(name.clone(), field.schema.clone());
        }
        let new_schema = builder.build();
        let fields = new_schema
            .fields
            .iter()
            .zip(schema.fields.iter())
            .map(|(out, source)| (out.name.clone(), field_value(&old, source)))
            .collect();
        record.value = SchemaAndValue {
            schema: Some(Arc::new(new_schema)),
            value: Value::Struct(Struct { fields }),
        };
        Ok(record)
    }

    /// Cast's updated schema for `schema`.
    fn cast_schema(schema: &Schema) -> Result<Schema> {
        let mut builder = schema_basics(schema);
        for field in schema.fields.iter() {
            let field_schema = match cast_target(&field.name) {
                Some(target) => {
                    let mut cast = Schema::new(target);
                    cast.optional = field.schema.optional;
                    if let Some(default) = field.schema.default_value.as_deref()
                        && !default.is_null()
                    {
                        cast.default_value = Some(Arc::new(cast_value(default, target)?));
                    }
                    cast
                }
                None => field.schema.clone(),
            };
            builder = builder.field(field.name.clone(), field_schema);
        }
        let mut updated = builder.build();
        updated.optional = schema.optional;
        Ok(updated)
    }

    /// `Cast$Value` with a field spec.
    fn cast(&mut self, mut record: ConnectRecord) -> Result<ConnectRecord> {
        if record.value.value.is_null() {
            return Ok(record);
        }
        let (schema, old) = take_struct(&mut record, "cast types")?;
        let updated = match self.cache_hit(&schema) {
            Some(updated) => updated,
            None => {
                let updated = Arc::new(Self::cast_schema(&schema)?);
                self.cast_cache = Some((schema.clone(), updated.clone()));
                updated
            }
        };
        let mut fields = Vec::with_capacity(schema.fields.len());
        for (field, new_field) in schema.fields.iter().zip(updated.fields.iter()) {
            let original = field_value(&old, field);
            let value = match cast_target(&field.name) {
                Some(target) => cast_value(&original, target)?,
                None => original,
            };
            check_field_value(&field.name, &new_field.schema, &value)?;
            fields.push((field.name.clone(), value));
        }
        record.value = SchemaAndValue {
            schema: Some(updated),
            value: Value::Struct(Struct { fields }),
        };
        Ok(record)
    }

    /// The cached updated schema when `schema` is the last one seen (same `Arc` or equal).
    fn cache_hit(&self, schema: &Arc<Schema>) -> Option<Arc<Schema>> {
        self.cast_cache
            .as_ref()
            .filter(|(input, _)| Arc::ptr_eq(input, schema) || **input == **schema)
            .map(|(_, output)| output.clone())
    }

    /// Run a batch through the three stages, record by record.
    pub fn apply(&mut self, records: Vec<ConnectRecord>) -> Result<Vec<ConnectRecord>> {
        records
            .into_iter()
            .map(|r| {
                let r = self.insert_field(r)?;
                let r = self.replace_field(r)?;
                self.cast(r)
            })
            .collect()
    }
}

/// Time `batches` batches of `step`, each on a fresh clone of `template`.
pub(crate) fn time_batches(
    template: &[ConnectRecord],
    batches: usize,
    mut step: impl FnMut(Vec<ConnectRecord>) -> Result<Vec<ConnectRecord>>,
) -> Result<Duration> {
    let started = Instant::now();
    for _ in 0..batches {
        let out = black_box(step(black_box(template.to_vec()))?);
        ensure!(
            out.len() == template.len(),
            "{} records came out of a batch of {}",
            out.len(),
            template.len()
        );
    }
    Ok(started.elapsed())
}

/// Time the copies the chain makes in the host for `batches` batches: per stage, the clone of the
/// batch, its conversion to the WIT types, and the conversion of the stage's output back.
/// `stages[k]` is the input of stage `k` and `stages[k + 1]` its output.
fn time_host_copies(stages: &[Vec<ConnectRecord>], batches: usize) -> Result<Duration> {
    let mut total = Duration::ZERO;
    for _ in 0..batches {
        for pair in stages.windows(2) {
            let output: Vec<_> = pair[1].iter().map(conv::record_to_wit).collect();
            let started = Instant::now();
            let cloned = black_box(pair[0].clone());
            let lowered: Vec<_> = cloned.iter().map(conv::record_to_wit).collect();
            let lifted = output
                .into_iter()
                .map(conv::record_from_wit)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| anyhow!("{e}"))?;
            drop(black_box((cloned, lowered, lifted)));
            total += started.elapsed();
        }
    }
    Ok(total)
}

/// The first record where `wasm` and `native` differ, described.
pub(crate) fn first_difference(wasm: &[ConnectRecord], native: &[ConnectRecord]) -> Option<String> {
    if wasm.len() != native.len() {
        return Some(format!(
            "{} records from Wasm, {} from native",
            wasm.len(),
            native.len()
        ));
    }
    wasm.iter().zip(native).position(|(w, n)| w != n).map(|i| {
        format!(
            "record {i}:\n  wasm:   {:?}\n  native: {:?}",
            wasm[i], native[i]
        )
    })
}

/// `VmRSS` and `VmHWM` of this process in bytes, where `/proc` has them.
fn memory() -> (Option<u64>, Option<u64>) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `n` with thousands separators.
pub(crate) fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Run the benchmark on about `records` records (whole batches) and print the numbers.
pub fn run(records: usize) -> Result<()> {
    let batches = records.div_ceil(BATCH).max(1);
    let records = batches * BATCH;
    let worker = WorkerConfig::parse(BTreeMap::new()).map_err(|e| anyhow!(e.error_message()))?;
    let runtime = PluginRuntime::new(worker.plugin_cache_dir)?;
    let registry = PluginRegistry::load(&runtime, &[], &[])?;
    let template = input_batch();

    let stages = wasm_stages();
    let mut native = NativeChain::default();
    let (rss_before, _) = memory();
    let mut wasm = build_chain(&registry, &stages)?;

    // The native code must give exactly what the plugins give.
    let from_wasm = run_wasm(&mut wasm, template.clone())?;
    let from_native = native.apply(template.clone())?;
    if let Some(difference) = first_difference(&from_wasm, &from_native) {
        bail!("the native chain does not match the Wasm chain; first difference at {difference}");
    }
    for _ in 0..WARM_UP_BATCHES {
        black_box(run_wasm(&mut wasm, template.clone())?);
    }
    let (rss_wasm, _) = memory();

    let mut pass_through = build_chain(&registry, &pass_through_stages())?;
    ensure!(
        run_wasm(&mut pass_through, template.clone())? == template,
        "the pass-through chain changed records"
    );
    // What crosses the boundary in the pass-through chain: the input record, at every stage.
    let pass_through_records = vec![template.clone(); 4];
    for _ in 0..WARM_UP_BATCHES {
        black_box(native.apply(template.clone())?);
        black_box(run_wasm(&mut pass_through, template.clone())?);
    }

    let mut best = [Duration::MAX; 5];
    for _ in 0..ROUNDS {
        let times = [
            time_batches(&template, batches, |b| native.apply(b))?,
            time_batches(&template, batches, |b| run_wasm(&mut wasm, b))?,
            time_batches(&template, batches, |b| run_wasm(&mut pass_through, b))?,
            time_host_copies(&pass_through_records, batches)?,
            time_batches(&template, batches, Ok)?,
        ];
        for (best, time) in best.iter_mut().zip(times) {
            *best = (*best).min(time);
        }
    }
    let [native_time, wasm_time, pass_time, copies_time, clone_time] = best;
    let rate = |d: Duration| records as f64 / d.as_secs_f64();
    let micros = |d: Duration| d.as_secs_f64() * 1e6 / records as f64;
    let ratio = rate(wasm_time) / rate(native_time);

    let names: Vec<&str> = stages.iter().map(|(_, name, _)| *name).collect();
    println!(
        "Transform-chain benchmark: {} records in batches of {}, {} core(s), best of {ROUNDS} rounds",
        thousands(records as f64),
        thousands(BATCH as f64),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("chain: {}", names.join(" → "));
    for (alias, name, config) in &stages {
        let settings: Vec<String> = config.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("  {alias}: {name} {}", settings.join(" "));
    }
    println!(
        "input: struct {} with {} fields, string key, one header",
        template[0]
            .value
            .schema
            .as_ref()
            .and_then(|s| s.name.as_deref())
            .unwrap_or("?"),
        order_schema().fields.len()
    );
    println!(
        "check: Wasm chain and native code give identical records ({} of {} compared)",
        thousands(from_wasm.len() as f64),
        thousands(template.len() as f64)
    );
    println!();
    println!("{:<50} {:>12} {:>10}", "", "records/s", "µs/record");
    for (label, time) in [
        ("native Rust in the host (same logic)", native_time),
        ("Wasm TransformChain (3 instances)", wasm_time),
    ] {
        println!(
            "{label:<50} {:>12} {:>10.3}",
            thousands(rate(time)),
            micros(time)
        );
    }
    println!(
        "{:<50} {:>12.3}   (native {:.1}× faster)",
        "ratio wasm / native",
        ratio,
        1.0 / ratio
    );
    println!();
    println!("{:<63} {:>10}", "where a record's time goes", "µs/record");
    let rows = [
        ("input batch clone (in both paths)", clone_time, None),
        (
            "boundary: 3 pass-through Wasm transforms (RegexRouter)",
            pass_time.saturating_sub(clone_time),
            Some("record in and out of Wasm 3 times"),
        ),
        (
            "  of which host copies (clone, to/from WIT types)",
            copies_time,
            Some("measured apart"),
        ),
        (
            "  of which canonical ABI, guest conversion, call",
            pass_time
                .saturating_sub(clone_time)
                .saturating_sub(copies_time),
            None,
        ),
        (
            "transform logic in Wasm (chain − pass-through)",
            wasm_time.saturating_sub(pass_time),
            None,
        ),
        (
            "transform logic native (native − clone)",
            native_time.saturating_sub(clone_time),
            None,
        ),
    ];
    for (label, time, note) in rows {
        let note = note.map(|n| format!("   ({n})")).unwrap_or_default();
        println!("  {label:<61} {:>10.3}{note}", micros(time));
    }
    let (_, peak) = memory();
    if let (Some(before), Some(wasm), Some(peak)) = (rss_before, rss_wasm, peak) {
        println!();
        println!(
            "memory: RSS {:.1} MiB with the plugins loaded; +{:.1} MiB after instantiating the \
             3-instance chain and running {WARM_UP_BATCHES} batches (linear memories and host \
             batch buffers); peak RSS {:.1} MiB",
            mib(before),
            mib(wasm.saturating_sub(before)),
            mib(peak)
        );
    }
    Ok(())
}
