//! `DataGenerator`: a source connector that generates test data, after Confluent's
//! `io.confluent.kafka.connect.datagen.DatagenConnector` (also selected by that class name) and
//! with its config names: `kafka.topic`, `quickstart`, `iterations`, `max.interval`,
//! `random.seed`, `schema.keyfield`, plus `records.per.second`.
//!
//! - **Schemas.** `quickstart` picks one of Confluent's built-in schemas, as Connect structs named
//!   like its Avro records: `users` (`ksql.users`: `registertime` int64 epoch ms, `userid`,
//!   `regionid`, `gender`; key `userid`), `pageviews` (`ksql.pageviews`: `viewtime` int64,
//!   `userid`, `pageid`; key `viewtime`) and `orders` (`ksql.orders`: `ordertime` int64 epoch ms,
//!   `orderid` int32, `itemid`, `orderunits` float64, `address` struct `ksql.address` of `city`,
//!   `state`, `zipcode` int64; key `orderid`). Times are int64 milliseconds, as in Confluent's
//!   schemas (`TimestampConverter` turns them into `Timestamp`s).
//! - **Deterministic and resumable.** Record `i` of task `t` is a pure function of
//!   (`random.seed`, `t`, `i`): its random fields come from a SplitMix64 stream seeded with a hash
//!   of the three. Its source partition is `{"task": t}` and its source offset `{"position": i}`;
//!   a restarted task reads the committed offset and continues at `i + 1`, so it produces exactly
//!   the records it would have produced without the restart. Without `random.seed`, the seed is
//!   a hash of the connector's name (stable across restarts).
//! - **Rate without blocking.** A poll never sleeps: it returns the records due since the task
//!   started (at most 500), from the monotonic clock: `records.per.second` allows `⌊elapsed ×
//!   rate⌋ + 1`, and `max.interval` spaces records by a pseudo-random gap in
//!   `[0, max.interval)` ms (Confluent sleeps that long before each record). An empty batch
//!   makes the host back off.
//! - **Differences from Confluent.** `max.interval` defaults to 0 (no delay; Confluent: 500 ms),
//!   since `records.per.second` is the rate control here. After `iterations` records a task
//!   returns empty batches instead of failing. Only the three quickstarts are built in:
//!   `schema.string` and `schema.filename` are rejected.

mod quickstart;
mod rng;

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::source_context;

use crate::quickstart::Quickstart;
use crate::rng::{SplitMix64, fnv1a, hash};

const TOPIC: &str = "kafka.topic";
const QUICKSTART: &str = "quickstart";
const ITERATIONS: &str = "iterations";
const MAX_INTERVAL: &str = "max.interval";
const RECORDS_PER_SECOND: &str = "records.per.second";
const RANDOM_SEED: &str = "random.seed";
const KEY_FIELD: &str = "schema.keyfield";
/// Set by the connector in each task's configuration (Confluent's name).
const TASK_ID: &str = "task.id";
/// Confluent's schema sources that are not supported here.
const UNSUPPORTED: [&str; 2] = ["schema.string", "schema.filename"];

/// Most records one poll returns.
const MAX_BATCH: u64 = 500;
/// Stream of the random fields of a record (the hashed seed's last word).
const VALUE_STREAM: u64 = 0;
/// Stream of the `max.interval` gap after a record.
const GAP_STREAM: u64 = 1;

/// The connector: checks the configuration and hands it to `tasks.max` tasks.
pub struct DataGenerator {
    config: Config,
    seed: u64,
}

impl Plugin for DataGenerator {
    fn info() -> PluginInfo {
        PluginInfo::new("DataGenerator")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("io.confluent.kafka.connect.datagen.DatagenConnector")
            .alias("DatagenConnector")
            .description(
                "Generates deterministic test data (Confluent's users, pageviews and orders \
                 quickstarts) at a chosen rate.",
            )
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string(TOPIC)
                .non_empty()
                .importance(Importance::High)
                .doc("Topic to write to."),
            ConfigKey::string(QUICKSTART)
                .one_of(Quickstart::NAMES)
                .importance(Importance::High)
                .doc(
                    "Built-in schema of the generated records (Connect structs; times are int64 \
                     epoch milliseconds, as in Confluent's quickstarts). \
                     users: ksql.users {registertime int64, userid string User_[1-9], regionid \
                     string Region_[1-9], gender string MALE|FEMALE|OTHER}, key userid. \
                     pageviews: ksql.pageviews {viewtime int64 (1, 11, 21, … per task), userid \
                     string, pageid string Page_[1-9][0-9]}, key viewtime. \
                     orders: ksql.orders {ordertime int64, orderid int32 (0, 1, 2, … per task), \
                     itemid string Item_[1-9][0-9]{0,2}, orderunits float64 in [0.1, 10), address \
                     ksql.address {city string, state string, zipcode int64}}, key orderid.",
                ),
            ConfigKey::string(KEY_FIELD)
                .optional()
                .importance(Importance::Low)
                .doc(
                    "Top-level field of the quickstart's schema used as the record key, with \
                     that field's schema (default: the quickstart's key field).",
                ),
            ConfigKey::long(ITERATIONS)
                .default_value(-1)
                .range(Some(-1.0), None)
                .importance(Importance::High)
                .doc(
                    "Number of records each task generates, or -1 (any value below 1, as in \
                     Confluent's connector) for unlimited. Then the task stays idle.",
                ),
            ConfigKey::long(MAX_INTERVAL)
                .default_value(0)
                .range(Some(0.0), None)
                .importance(Importance::Medium)
                .doc(
                    "Max interval between records (ms): each gap is pseudo-random in [0, \
                     max.interval). 0 (the default here; Confluent's is 500) adds no delay.",
                ),
            ConfigKey::double(RECORDS_PER_SECOND)
                .default_value(0)
                .range(Some(0.0), None)
                .importance(Importance::Medium)
                .doc(
                    "Records per second per task (fractions allowed), or 0 for unlimited. \
                     Polls never block: each returns the records due since the task started.",
                ),
            ConfigKey::long(RANDOM_SEED)
                .optional()
                .importance(Importance::Low)
                .doc(
                    "Seed of the generated data: the same seed gives the same records, and \
                     each task of a connector different ones. Default: a hash of the connector \
                     name.",
                ),
        ]
    }
}

/// A checked configuration.
#[derive(Clone, Debug, PartialEq)]
struct Settings {
    topic: String,
    quickstart: Quickstart,
    key_field: String,
    /// `None` means unlimited.
    iterations: Option<u64>,
    max_interval_ms: u64,
    /// 0 means unlimited.
    records_per_second: f64,
    seed: u64,
}

/// The value of `result`, or `None` after recording its error against `key`.
fn field<T>(errors: &mut Vec<ConfigError>, key: &str, result: Result<T>) -> Option<T> {
    result
        .map_err(|e| errors.push(ConfigError::new(key, e.message)))
        .ok()
}

fn invalid(key: &str, value: impl std::fmt::Display, why: &str) -> PluginError {
    PluginError::new(format!(
        "Invalid value {value} for configuration {key}: {why}"
    ))
}

/// A long at least `min`.
fn long_at_least(config: &Config, key: &str, min: i64) -> Result<i64> {
    let value = config.long(key)?;
    if value < min {
        return Err(invalid(
            key,
            value,
            &format!("Value must be at least {min}"),
        ));
    }
    Ok(value)
}

impl Settings {
    /// Check every key; all errors at once, each naming its key.
    fn parse(config: &Config) -> std::result::Result<Settings, Vec<ConfigError>> {
        let config = config.clone().with_defaults(&DataGenerator::config_def());
        let mut errors = Vec::new();
        let topic = field(&mut errors, TOPIC, config.non_empty_string(TOPIC));
        let quickstart = field(
            &mut errors,
            QUICKSTART,
            config.string(QUICKSTART).and_then(|name| {
                Quickstart::from_name(name.trim()).ok_or_else(|| {
                    invalid(
                        QUICKSTART,
                        &name,
                        &format!("String must be one of: {}", Quickstart::NAMES.join(", ")),
                    )
                })
            }),
        );
        let key_field = quickstart.and_then(|q| {
            let schema = q.value_schema();
            let result = match config.optional_string(KEY_FIELD) {
                None => Ok(q.key_field().to_string()),
                Some(name) if schema.field(name.trim()).is_some() => Ok(name.trim().to_string()),
                Some(name) => {
                    let fields: Vec<&str> = schema.fields.iter().map(|f| &*f.name).collect();
                    Err(invalid(
                        KEY_FIELD,
                        &name,
                        &format!(
                            "Not a field of quickstart {} ({})",
                            q.name(),
                            fields.join(", ")
                        ),
                    ))
                }
            };
            field(&mut errors, KEY_FIELD, result)
        });
        let iterations = field(
            &mut errors,
            ITERATIONS,
            long_at_least(&config, ITERATIONS, -1),
        );
        let max_interval = field(
            &mut errors,
            MAX_INTERVAL,
            long_at_least(&config, MAX_INTERVAL, 0),
        );
        let rate = field(
            &mut errors,
            RECORDS_PER_SECOND,
            config.double(RECORDS_PER_SECOND).and_then(|rate| {
                if !rate.is_finite() {
                    Err(invalid(RECORDS_PER_SECOND, rate, "Not a finite number"))
                } else if rate < 0.0 {
                    Err(invalid(
                        RECORDS_PER_SECOND,
                        rate,
                        "Value must be at least 0.0",
                    ))
                } else {
                    Ok(rate)
                }
            }),
        );
        let seed = match config.optional_string(RANDOM_SEED) {
            Some(_) => field(&mut errors, RANDOM_SEED, config.long(RANDOM_SEED)).map(|s| s as u64),
            None => Some(fnv1a(config.get("name").unwrap_or_default())),
        };
        for key in UNSUPPORTED {
            if config.optional_string(key).is_some() {
                errors.push(ConfigError::new(
                    key,
                    format!(
                        "{key} is not supported by DataGenerator: use quickstart ({})",
                        Quickstart::NAMES.join(", ")
                    ),
                ));
            }
        }
        match (
            topic,
            quickstart,
            key_field,
            iterations,
            max_interval,
            rate,
            seed,
        ) {
            (
                Some(topic),
                Some(quickstart),
                Some(key_field),
                Some(iterations),
                Some(max_interval),
                Some(records_per_second),
                Some(seed),
            ) if errors.is_empty() => Ok(Settings {
                topic,
                quickstart,
                key_field,
                iterations: (iterations >= 1).then_some(iterations as u64),
                max_interval_ms: max_interval as u64,
                records_per_second,
                seed,
            }),
            _ => Err(errors),
        }
    }

    /// [`Settings::parse`] with the errors as one plugin error.
    fn parse_or_fail(config: &Config) -> Result<Settings> {
        Settings::parse(config).map_err(|errors| {
            PluginError::new(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }
}

impl SourceConnector for DataGenerator {
    fn validate(config: &Config) -> Vec<ConfigError> {
        Settings::parse(config).err().unwrap_or_default()
    }

    fn start(config: Config) -> Result<Self> {
        let settings = Settings::parse_or_fail(&config)?;
        Ok(DataGenerator {
            config,
            seed: settings.seed,
        })
    }

    /// `max_tasks` tasks, numbered in `task.id`, all with the resolved `random.seed`.
    fn task_configs(&mut self, max_tasks: u32) -> Result<Vec<Config>> {
        Ok((0..max_tasks.max(1))
            .map(|task| {
                self.config
                    .clone()
                    .with(TASK_ID, task.to_string())
                    .with(RANDOM_SEED, (self.seed as i64).to_string())
            })
            .collect())
    }
}

/// Records allowed by `rate` (records per second, 0 = unlimited) `elapsed` after the start: the
/// first at once, then one every `1 / rate` seconds.
fn rate_allowance(elapsed: Duration, rate: f64) -> u64 {
    if rate > 0.0 {
        ((elapsed.as_secs_f64() * rate).floor() as u64).saturating_add(1)
    } else {
        u64::MAX
    }
}

/// The position a task resumes at: the one after the committed `{"position": i}`.
fn resume_position(offset: Option<&OffsetMap>) -> Option<u64> {
    match offset?
        .iter()
        .find(|(k, _)| k == "position")
        .map(|(_, v)| v)
    {
        Some(OffsetValue::Int64(p)) if *p >= 0 => Some(*p as u64 + 1),
        Some(OffsetValue::Float64(p)) if *p >= 0.0 => Some(*p as u64 + 1),
        _ => None,
    }
}

/// The task: generates records `next`, `next + 1`, … of its stream.
pub struct DataGeneratorTask {
    settings: Settings,
    task: u64,
    key_schema: Arc<Schema>,
    value_schema: Arc<Schema>,
    partition: OffsetMap,
    /// Position of the next record.
    next: u64,
    started: Instant,
    /// Records returned since the start (what the rate counts).
    emitted: u64,
    /// When the next record is due under `max.interval`, since the start.
    interval_due: Duration,
    finished_logged: bool,
}

impl DataGeneratorTask {
    /// Task `task` of `settings`, whose next record is at `next`.
    fn new(settings: Settings, task: u64, next: u64) -> DataGeneratorTask {
        let value_schema = settings.quickstart.value_schema();
        let key_schema = value_schema
            .field(&settings.key_field)
            .map_or_else(Schema::optional_string, |f| f.schema.clone());
        DataGeneratorTask {
            task,
            key_schema: Arc::new(key_schema),
            value_schema: Arc::new(value_schema),
            partition: partition(task),
            next,
            started: Instant::now(),
            emitted: 0,
            interval_due: Duration::ZERO,
            finished_logged: false,
            settings,
        }
    }

    /// Record `position` of this task's stream: a pure function of (seed, task, position).
    fn record(&self, position: u64) -> SourceRecord {
        let s = &self.settings;
        // The quickstart is hashed in too: two quickstarts with one seed are not correlated.
        let mut rng = SplitMix64::new(hash(&[
            s.seed,
            self.task,
            position,
            VALUE_STREAM,
            s.quickstart as u64,
        ]));
        let value = s.quickstart.generate(&mut rng, position);
        let key = value.get(&s.key_field).cloned().unwrap_or_default();
        SourceRecord::new(
            &s.topic,
            SchemaAndValue {
                schema: Some(self.value_schema.clone()),
                value: Value::Struct(value),
            },
        )
        .key(SchemaAndValue {
            schema: Some(self.key_schema.clone()),
            value: key,
        })
        .partition(self.partition.clone())
        .offset(vec![(
            "position".to_string(),
            OffsetValue::Int64(position as i64),
        )])
    }

    /// The `max.interval` gap after record `position`: pseudo-random in `[0, max.interval)`.
    fn gap_after(&self, position: u64) -> Duration {
        let s = &self.settings;
        let mut rng = SplitMix64::new(hash(&[s.seed, self.task, position, GAP_STREAM]));
        Duration::from_micros(rng.below(s.max_interval_ms.saturating_mul(1000)))
    }

    /// The records due `elapsed` after the start (the body of `poll`, with the clock passed in).
    fn poll_at(&mut self, elapsed: Duration) -> Vec<SourceRecord> {
        let remaining = self
            .settings
            .iterations
            .map_or(u64::MAX, |n| n.saturating_sub(self.next));
        if remaining == 0 {
            if !self.finished_logged {
                self.finished_logged = true;
                wasm_connect_sdk::info!(
                    "DataGenerator task {} generated its {} records; idle from now on",
                    self.task,
                    self.next
                );
            }
            return Vec::new();
        }
        let limit = rate_allowance(elapsed, self.settings.records_per_second)
            .saturating_sub(self.emitted)
            .min(remaining)
            .min(MAX_BATCH);
        let mut batch = Vec::new();
        while (batch.len() as u64) < limit {
            if self.settings.max_interval_ms > 0 {
                if self.interval_due > elapsed {
                    break;
                }
                self.interval_due += self.gap_after(self.next);
            }
            batch.push(self.record(self.next));
            self.next += 1;
            self.emitted += 1;
        }
        batch
    }
}

/// Task `task`'s source partition.
fn partition(task: u64) -> OffsetMap {
    vec![("task".to_string(), OffsetValue::Int64(task as i64))]
}

impl SourceTask for DataGeneratorTask {
    fn start(config: Config) -> Result<Self> {
        let settings = Settings::parse_or_fail(&config)?;
        let task = config.int_or(TASK_ID, 0)?;
        if task < 0 {
            return Err(invalid(TASK_ID, task, "Value must be at least 0"));
        }
        let task = task as u64;
        let stored = source_context::offset(&partition(task));
        let next = resume_position(stored.as_ref());
        if stored.is_some() && next.is_none() {
            wasm_connect_sdk::warn!(
                "DataGenerator task {task}: ignoring the stored offset {stored:?} (no \"position\")"
            );
        }
        let next = next.unwrap_or(0);
        wasm_connect_sdk::info!(
            "DataGenerator task {task}: quickstart {}, seed {}, starting at position {next}",
            settings.quickstart.name(),
            settings.seed as i64
        );
        Ok(DataGeneratorTask::new(settings, task, next))
    }

    fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        Ok(self.poll_at(self.started.elapsed()))
    }
}

wasm_connect_sdk::export_source!(DataGenerator, DataGeneratorTask);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let mut config = Config::new()
            .with(TOPIC, "t")
            .with(QUICKSTART, "users")
            .with(RANDOM_SEED, "42");
        for (k, v) in pairs {
            config.set(*k, *v);
        }
        config
    }

    /// Task `task` of `config`, resuming at `next`.
    fn task(config: &Config, task: u64, next: u64) -> DataGeneratorTask {
        DataGeneratorTask::new(Settings::parse(config).unwrap(), task, next)
    }

    /// Everything but the clock: polls at a late enough time to get `n` records.
    fn records(config: &Config, t: u64, next: u64, n: usize) -> Vec<SourceRecord> {
        let mut task = task(config, t, next);
        let mut out = Vec::new();
        while out.len() < n {
            out.extend(task.poll_at(Duration::from_secs(1 << 30)));
        }
        out.truncate(n);
        out
    }

    fn errors(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        DataGenerator::validate(&config(pairs))
            .into_iter()
            .map(|e| (e.name, e.message))
            .collect()
    }

    #[test]
    fn same_seed_same_records_other_seed_or_task_other_records() {
        for quickstart in Quickstart::NAMES {
            let c = config(&[(QUICKSTART, quickstart)]);
            let first = records(&c, 0, 0, 50);
            assert_eq!(first, records(&c, 0, 0, 50));
            let other_seed = records(
                &config(&[(QUICKSTART, quickstart), (RANDOM_SEED, "43")]),
                0,
                0,
                50,
            );
            assert_ne!(first, other_seed);
            assert_ne!(first, records(&c, 1, 0, 50));
        }
        let users = records(&config(&[]), 0, 0, 2);
        let value = users[0].record.value.value.clone();
        let Value::Struct(value) = value else {
            panic!("a struct")
        };
        assert_eq!(users[0].record.key.value, *value.get("userid").unwrap());
        assert_eq!(users[0].record.topic, "t");
        assert_eq!(
            users[0]
                .record
                .value
                .schema
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("ksql.users")
        );
        assert_eq!(users[1].source_partition, partition(0));
        assert_eq!(
            users[1].source_offset,
            vec![("position".to_string(), OffsetValue::Int64(1))]
        );
    }

    #[test]
    fn a_restart_resumes_after_the_committed_position() {
        let c = config(&[(QUICKSTART, "orders")]);
        let all = records(&c, 2, 0, 10);
        let offset = all[3].source_offset.clone();
        let next = resume_position(Some(&offset)).unwrap();
        assert_eq!(next, 4);
        assert_eq!(records(&c, 2, next, 6), all[4..]);
        assert_eq!(
            resume_position(Some(&vec![("position".into(), OffsetValue::Float64(9.0))])),
            Some(10)
        );
        assert_eq!(resume_position(Some(&vec![])), None);
        assert_eq!(resume_position(None), None);
    }

    #[test]
    fn iterations_count_per_task_across_restarts() {
        let c = config(&[(ITERATIONS, "5")]);
        let mut t = task(&c, 0, 0);
        assert_eq!(t.poll_at(Duration::ZERO).len(), 5);
        assert!(t.poll_at(Duration::from_secs(10)).is_empty());
        let mut resumed = task(&c, 0, 3);
        assert_eq!(resumed.poll_at(Duration::ZERO).len(), 2);
        // Unlimited: batches are capped.
        let mut unlimited = task(&config(&[(ITERATIONS, "0")]), 0, 0);
        assert_eq!(unlimited.poll_at(Duration::ZERO).len() as u64, MAX_BATCH);
        assert_eq!(unlimited.poll_at(Duration::ZERO).len() as u64, MAX_BATCH);
    }

    #[test]
    fn the_rate_counts_from_the_start_and_never_blocks() {
        assert_eq!(rate_allowance(Duration::ZERO, 0.0), u64::MAX);
        assert_eq!(rate_allowance(Duration::ZERO, 10.0), 1);
        assert_eq!(rate_allowance(Duration::from_millis(99), 10.0), 1);
        assert_eq!(rate_allowance(Duration::from_millis(100), 10.0), 2);
        assert_eq!(rate_allowance(Duration::from_millis(1999), 0.5), 1);
        assert_eq!(rate_allowance(Duration::from_secs(2), 0.5), 2);
        assert_eq!(rate_allowance(Duration::from_secs(u64::MAX), 1e9), u64::MAX);

        let mut t = task(&config(&[(RECORDS_PER_SECOND, "10")]), 0, 0);
        assert_eq!(t.poll_at(Duration::ZERO).len(), 1);
        assert!(t.poll_at(Duration::from_millis(50)).is_empty());
        assert_eq!(t.poll_at(Duration::from_millis(550)).len(), 5);
        // Behind schedule: catches up, at most a batch per poll.
        assert_eq!(t.poll_at(Duration::from_secs(600)).len() as u64, MAX_BATCH);
        // Positions continue across polls.
        assert_eq!(t.next, 6 + MAX_BATCH);
    }

    #[test]
    fn max_interval_spaces_records_by_gaps_below_it() {
        let c = config(&[(MAX_INTERVAL, "100")]);
        let mut t = task(&c, 0, 0);
        assert_eq!(
            t.poll_at(Duration::ZERO).len(),
            1,
            "the first record is due at once"
        );
        let mut total = 1;
        let mut at = Duration::ZERO;
        for _ in 0..100 {
            at += Duration::from_millis(10);
            total += t.poll_at(at).len();
        }
        // 1 s with gaps averaging 50 ms: about 20 records, never more than one per gap.
        assert!((10..=40).contains(&total), "{total}");
        assert!(t.interval_due > at);
        for position in 0..1000 {
            assert!(t.gap_after(position) < Duration::from_millis(100));
        }
        // The same records as without max.interval.
        let plain = records(&config(&[]), 0, 0, total);
        assert_eq!(records(&c, 0, 0, total), plain);
    }

    #[test]
    fn every_bad_key_is_named() {
        assert!(errors(&[]).is_empty());
        let bad = errors(&[
            (TOPIC, " "),
            (QUICKSTART, "clicks"),
            (ITERATIONS, "-2"),
            (MAX_INTERVAL, "-1"),
            (RECORDS_PER_SECOND, "fast"),
            (RANDOM_SEED, "x"),
            ("schema.filename", "/tmp/s.avsc"),
        ]);
        let names: Vec<&str> = bad.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                TOPIC,
                QUICKSTART,
                ITERATIONS,
                MAX_INTERVAL,
                RECORDS_PER_SECOND,
                RANDOM_SEED,
                "schema.filename"
            ]
        );
        assert_eq!(
            bad[1].1,
            "Invalid value clicks for configuration quickstart: String must be one of: users, pageviews, orders"
        );
        assert_eq!(
            bad[2].1,
            "Invalid value -2 for configuration iterations: Value must be at least -1"
        );
        assert!(bad[4].1.contains("records.per.second"), "{}", bad[4].1);
        let rate = errors(&[(RECORDS_PER_SECOND, "-0.5")]);
        assert_eq!(rate[0].0, RECORDS_PER_SECOND);
        assert_eq!(
            errors(&[(RECORDS_PER_SECOND, "NaN")])[0].0,
            RECORDS_PER_SECOND
        );
        let key = errors(&[(KEY_FIELD, "nope")]);
        assert_eq!(key[0].0, KEY_FIELD);
        assert!(key[0].1.contains("registertime, userid"), "{}", key[0].1);
        assert!(errors(&[(KEY_FIELD, "gender"), (RECORDS_PER_SECOND, "2.5")]).is_empty());
        // Required keys.
        let Err(missing) = Settings::parse(&Config::new()) else {
            panic!("no topic, no quickstart")
        };
        assert_eq!(missing.len(), 2);
        let Err(error) = DataGenerator::start(Config::new().with(QUICKSTART, "users")) else {
            panic!("no topic")
        };
        assert!(error.message.contains("\"kafka.topic\""), "{error}");
    }

    #[test]
    fn tasks_get_their_id_and_one_seed() {
        let mut connector = DataGenerator::start(
            Config::new()
                .with("name", "gen")
                .with(TOPIC, "t")
                .with(QUICKSTART, "pageviews"),
        )
        .unwrap();
        let configs = connector.task_configs(3).unwrap();
        assert_eq!(configs.len(), 3);
        for (i, c) in configs.iter().enumerate() {
            assert_eq!(c.get(TASK_ID), Some(&*i.to_string()));
            assert_eq!(
                c.get(RANDOM_SEED),
                Some(&*(fnv1a("gen") as i64).to_string())
            );
            let t = DataGeneratorTask::start(c.clone()).unwrap();
            assert_eq!(t.task, i as u64);
        }
        assert_eq!(connector.task_configs(0).unwrap().len(), 1);
        // The key is the key field, with its schema.
        let mut t = DataGeneratorTask::start(configs[0].clone()).unwrap();
        let record = t.poll().unwrap().remove(0);
        assert_eq!(record.record.key.value, Value::Int64(1));
        assert_eq!(
            record.record.key.schema.unwrap().schema_type,
            SchemaType::Int64
        );
        let keyed = task(&config(&[(KEY_FIELD, "gender")]), 0, 0).record(0);
        assert!(matches!(
            keyed.record.key.value.as_str(),
            Some("MALE" | "FEMALE" | "OTHER")
        ));
        assert!(DataGeneratorTask::start(config(&[(TASK_ID, "-1")])).is_err());
    }
}
