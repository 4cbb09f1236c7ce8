//! The settings every connector has (Kafka's `ConnectorConfig`, `SinkConnectorConfig`), plus
//! Wasm Connect's sandbox grants, parsed into a typed struct.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::TopicCreation;
use super::def::{ConfigDef, ConfigKeyDef, ConfigType, Importance, Validator};

/// `errors.tolerance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorTolerance {
    /// Any record error fails the task.
    None,
    /// Skip records that fail, logging them.
    All,
}

/// The sink's dead letter queue (`errors.deadletterqueue.*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetterQueueConfig {
    /// `errors.deadletterqueue.topic.name`.
    pub topic: String,
    /// `errors.deadletterqueue.topic.replication.factor`.
    pub replication_factor: i32,
    /// `errors.deadletterqueue.context.headers.enable`.
    pub context_headers: bool,
}

/// One entry of `transforms`.
#[derive(Clone, Debug, PartialEq)]
pub struct TransformSpec {
    /// The alias (`transforms=route` → `route`).
    pub alias: String,
    /// `transforms.<alias>.type`.
    pub plugin: String,
    /// Settings under `transforms.<alias>.` (without the prefix, `type` removed).
    pub config: BTreeMap<String, String>,
    /// `transforms.<alias>.predicate`: alias of a predicate.
    pub predicate: Option<PredicateSpec>,
    /// `transforms.<alias>.negate`.
    pub negate: bool,
}

/// One entry of `predicates`.
#[derive(Clone, Debug, PartialEq)]
pub struct PredicateSpec {
    /// The alias.
    pub alias: String,
    /// `predicates.<alias>.type`.
    pub plugin: String,
    /// Settings under `predicates.<alias>.`.
    pub config: BTreeMap<String, String>,
}

/// What a connector's plugins may touch beyond their own memory (all off by default).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SandboxSettings {
    /// `wasm.fs.read.paths`: extra directories the plugin may read.
    pub read_dirs: Vec<PathBuf>,
    /// `wasm.fs.write.paths`: extra directories the plugin may read and write.
    pub write_dirs: Vec<PathBuf>,
    /// `wasm.env.vars`: names of worker environment variables passed to the plugin.
    pub env_vars: Vec<String>,
    /// `wasm.net.hosts`: hosts (`host` or `host:port`) the plugin may connect to.
    pub net_hosts: Vec<String>,
    /// `wasm.memory.max.bytes`: linear memory cap per plugin instance.
    pub memory_max_bytes: u64,
    /// `wasm.call.timeout.ms`: a single plugin call that runs longer traps.
    pub call_timeout_ms: u64,
}

/// Default of `wasm.memory.max.bytes` (256 MiB; Python and JavaScript plugins need about 64 MiB).
pub const DEFAULT_MEMORY_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Default of `wasm.call.timeout.ms`.
pub const DEFAULT_CALL_TIMEOUT_MS: u64 = 30_000;

/// The typed common part of a connector's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorConfig {
    /// `name`.
    pub name: String,
    /// `connector.class`.
    pub connector_class: String,
    /// `tasks.max`.
    pub tasks_max: u32,
    /// `key.converter` with its sub-settings, if set on the connector.
    pub key_converter: Option<(String, BTreeMap<String, String>)>,
    /// `value.converter` with its sub-settings, if set on the connector.
    pub value_converter: Option<(String, BTreeMap<String, String>)>,
    /// `header.converter` with its sub-settings, if set on the connector.
    pub header_converter: Option<(String, BTreeMap<String, String>)>,
    /// `transforms`, in order.
    pub transforms: Vec<TransformSpec>,
    /// `topics` (sinks).
    pub topics: Vec<String>,
    /// `topics.regex` (sinks).
    pub topics_regex: Option<String>,
    /// `errors.tolerance`.
    pub errors_tolerance: ErrorTolerance,
    /// `errors.log.enable`.
    pub errors_log_enable: bool,
    /// `errors.log.include.messages`.
    pub errors_log_include_messages: bool,
    /// `errors.retry.timeout` in ms as set (`None` when the connector does not set it; -1 = forever).
    pub errors_retry_timeout_ms: Option<i64>,
    /// `errors.retry.delay.max.ms`.
    pub errors_retry_delay_max_ms: u64,
    /// The dead letter queue, when `errors.deadletterqueue.topic.name` is set (sinks only).
    pub dead_letter_queue: Option<DeadLetterQueueConfig>,
    /// Topic creation groups (source connectors).
    pub topic_creation: Option<TopicCreation>,
    /// Sandbox grants and limits.
    pub sandbox: SandboxSettings,
    /// The whole map, as given.
    pub raw: BTreeMap<String, String>,
}

/// Kafka Connect's common connector keys plus ours.
pub fn connector_config_def() -> ConfigDef {
    use ConfigType as T;
    use Importance as I;
    let mut def = ConfigDef::default();
    let common = "Common";
    let keys = [
        ConfigKeyDef::new(
            "name",
            T::String,
            None,
            I::High,
            "Globally unique name to use for this connector.",
        )
        .validate(Validator::NonEmptyString),
        ConfigKeyDef::new(
            "connector.class",
            T::String,
            None,
            I::High,
            "Name of the connector plugin, or Kafka's class name for a connector we ship.",
        ),
        ConfigKeyDef::new(
            "tasks.max",
            T::Int,
            Some("1"),
            I::High,
            "Maximum number of tasks to use for this connector.",
        )
        .validate(Validator::Range {
            min: Some(1.0),
            max: None,
        }),
        ConfigKeyDef::new(
            "key.converter",
            T::Class,
            Some(""),
            I::Low,
            "Converter for record keys; overrides the worker's.",
        ),
        ConfigKeyDef::new(
            "value.converter",
            T::Class,
            Some(""),
            I::Low,
            "Converter for record values; overrides the worker's.",
        ),
        ConfigKeyDef::new(
            "header.converter",
            T::Class,
            Some(""),
            I::Low,
            "HeaderConverter for record headers (SimpleHeaderConverter, or a record converter); overrides the worker's.",
        ),
        ConfigKeyDef::new(
            "transforms",
            T::List,
            Some(""),
            I::Low,
            "Aliases for the transformations to apply to records.",
        ),
        ConfigKeyDef::new(
            "predicates",
            T::List,
            Some(""),
            I::Low,
            "Aliases for the predicates used by transformations.",
        ),
        ConfigKeyDef::new(
            "errors.tolerance",
            T::String,
            Some("none"),
            I::Medium,
            "none: any record error fails the task; all: skip problematic records.",
        )
        .validate(Validator::OneOfIgnoreCase(vec![
            "none".into(),
            "all".into(),
        ])),
        ConfigKeyDef::new(
            "errors.log.enable",
            T::Boolean,
            Some("false"),
            I::Medium,
            "Log each record error.",
        ),
        ConfigKeyDef::new(
            "errors.retry.timeout",
            T::Long,
            Some("0"),
            I::Medium,
            "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries. A retriable error from a sink's put or a source's poll is retried forever when this is not set, as in Kafka Connect.",
        )
        .validate(Validator::Range {
            min: Some(-1.0),
            max: None,
        }),
        ConfigKeyDef::new(
            "errors.retry.delay.max.ms",
            T::Long,
            Some("60000"),
            I::Medium,
            "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.",
        )
        .validate(Validator::Range {
            min: Some(1.0),
            max: None,
        }),
        ConfigKeyDef::new(
            "errors.log.include.messages",
            T::Boolean,
            Some("false"),
            I::Low,
            "Include the record in the error log.",
        ),
        ConfigKeyDef::new(
            "wasm.fs.read.paths",
            T::List,
            Some(""),
            I::Medium,
            "Extra host directories the connector's plugins may read.",
        ),
        ConfigKeyDef::new(
            "wasm.fs.write.paths",
            T::List,
            Some(""),
            I::Medium,
            "Extra host directories the connector's plugins may read and write.",
        ),
        ConfigKeyDef::new(
            "wasm.net.hosts",
            T::List,
            Some(""),
            I::Medium,
            "Hosts (host or host:port) the connector's plugins may open TCP connections to; every other address is refused. A tenant's connectors default to the tenant's http.hosts and may only name hosts among them.",
        ),
        ConfigKeyDef::new(
            "wasm.env.vars",
            T::List,
            Some(""),
            I::Low,
            "Worker environment variables passed to the connector's plugins.",
        ),
        ConfigKeyDef::new(
            "wasm.memory.max.bytes",
            T::Long,
            Some("268435456"),
            I::Medium,
            "Linear memory cap of each plugin instance; growing past it fails the task.",
        )
        .validate(Validator::Range {
            min: Some(65536.0),
            max: Some(4_294_967_296.0),
        }),
        ConfigKeyDef::new(
            "wasm.call.timeout.ms",
            T::Long,
            Some("30000"),
            I::Medium,
            "A single plugin call running longer than this fails the task.",
        )
        .validate(Validator::Range {
            min: Some(1.0),
            max: None,
        }),
    ];
    for (i, key) in keys.into_iter().enumerate() {
        def.define(key.in_group(common, i32::try_from(i).unwrap_or(i32::MAX)));
    }
    def
}

/// The keys a sink connector adds.
pub fn sink_config_def() -> ConfigDef {
    let mut def = ConfigDef::default();
    def.define(
        ConfigKeyDef::new(
            "topics",
            ConfigType::List,
            Some(""),
            Importance::High,
            "Topics to consume; exactly one of topics and topics.regex.",
        )
        .in_group("Common", 100),
    );
    def.define(
        ConfigKeyDef::new(
            "topics.regex",
            ConfigType::String,
            Some(""),
            Importance::High,
            "Regular expression of topics to consume.",
        )
        .in_group("Common", 101),
    );
    def.define(
        ConfigKeyDef::new(
            "errors.deadletterqueue.topic.name",
            ConfigType::String,
            Some(""),
            Importance::Medium,
            "Topic that receives records that failed (with errors.tolerance=all); empty disables the DLQ.",
        )
        .in_group("Error Handling", 10),
    );
    def.define(
        ConfigKeyDef::new(
            "errors.deadletterqueue.topic.replication.factor",
            ConfigType::Short,
            Some("3"),
            Importance::Medium,
            "Replication factor used to create the dead letter queue topic when it does not exist.",
        )
        .in_group("Error Handling", 11),
    );
    def.define(
        ConfigKeyDef::new(
            "errors.deadletterqueue.context.headers.enable",
            ConfigType::Boolean,
            Some("false"),
            Importance::Medium,
            "Add __connect.errors.* headers describing the failure to each dead letter queue record.",
        )
        .in_group("Error Handling", 12),
    );
    def
}

/// Split a Kafka LIST value.
pub fn parse_list(value: Option<&String>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_bool(value: Option<&String>, default: bool) -> bool {
    value.map_or(default, |v| v.trim().eq_ignore_ascii_case("true"))
}

impl ConnectorConfig {
    /// Parse the typed fields. Call after [`ConfigDef::validate`] passed for the common keys;
    /// returns (key, message) errors for rules that span keys (transform and predicate aliases,
    /// `topics` vs `topics.regex`).
    pub fn parse(
        raw: &BTreeMap<String, String>,
        is_sink: bool,
    ) -> Result<ConnectorConfig, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let get = |k: &str| raw.get(k);
        let converter = |prefix: &str| -> Option<(String, BTreeMap<String, String>)> {
            get(prefix).filter(|v| !v.trim().is_empty()).map(|class| {
                (
                    class.trim().to_string(),
                    super::with_prefix(raw, &format!("{prefix}.")),
                )
            })
        };
        let mut predicates = BTreeMap::new();
        for alias in parse_list(get("predicates")) {
            let prefix = format!("predicates.{alias}.");
            match get(&format!("{prefix}type")) {
                Some(plugin) if !plugin.trim().is_empty() => {
                    let mut config = super::with_prefix(raw, &prefix);
                    config.remove("type");
                    predicates.insert(alias.clone(), PredicateSpec { alias, plugin: plugin.trim().to_string(), config });
                }
                _ => errors.push((format!("{prefix}type"), format!("Missing required configuration \"{prefix}type\" which has no default value."))),
            }
        }
        let mut transforms = Vec::new();
        for alias in parse_list(get("transforms")) {
            let prefix = format!("transforms.{alias}.");
            let Some(plugin) = get(&format!("{prefix}type")).filter(|p| !p.trim().is_empty())
            else {
                errors.push((format!("{prefix}type"), format!("Missing required configuration \"{prefix}type\" which has no default value.")));
                continue;
            };
            let mut config = super::with_prefix(raw, &prefix);
            config.remove("type");
            let predicate = match config.remove("predicate") {
                Some(p) if !p.trim().is_empty() => match predicates.get(p.trim()) {
                    Some(spec) => Some(PredicateSpec::clone(spec)),
                    None => {
                        errors.push((format!("{prefix}predicate"), format!("Invalid value {p} for configuration {prefix}predicate: no predicate with this alias in \"predicates\"")));
                        None
                    }
                },
                _ => None,
            };
            let negate = parse_bool(config.remove("negate").as_ref(), false);
            transforms.push(TransformSpec {
                alias,
                plugin: plugin.trim().to_string(),
                config,
                predicate,
                negate,
            });
        }
        let topics = parse_list(get("topics"));
        let topics_regex = get("topics.regex")
            .filter(|r| !r.trim().is_empty())
            .cloned();
        if is_sink {
            match (topics.is_empty(), &topics_regex) {
                (true, None) => errors.push((
                    "topics".into(),
                    "Must configure one of topics or topics.regex".into(),
                )),
                (false, Some(_)) => errors.push((
                    "topics".into(),
                    "topics and topics.regex are mutually exclusive options, but both are set."
                        .into(),
                )),
                (true, Some(r)) => {
                    if let Err(e) = regex::Regex::new(r) {
                        errors.push((
                            "topics.regex".into(),
                            format!("Invalid value {r} for configuration topics.regex: {e}"),
                        ));
                    }
                }
                _ => {}
            }
        }
        let number = |k: &str, default: u64| {
            get(k)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(default)
        };
        let paths = |k: &str| parse_list(get(k)).into_iter().map(PathBuf::from).collect();
        let config = ConnectorConfig {
            name: get("name").cloned().unwrap_or_default(),
            connector_class: get("connector.class")
                .map(|c| c.trim().to_string())
                .unwrap_or_default(),
            tasks_max: get("tasks.max")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(1),
            key_converter: converter("key.converter"),
            value_converter: converter("value.converter"),
            header_converter: converter("header.converter"),
            transforms,
            topics,
            topics_regex,
            errors_tolerance: if get("errors.tolerance")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("all"))
            {
                ErrorTolerance::All
            } else {
                ErrorTolerance::None
            },
            errors_log_enable: parse_bool(get("errors.log.enable"), false),
            errors_log_include_messages: parse_bool(get("errors.log.include.messages"), false),
            errors_retry_timeout_ms: get("errors.retry.timeout")
                .and_then(|v| v.trim().parse().ok()),
            errors_retry_delay_max_ms: number("errors.retry.delay.max.ms", 60_000).max(1),
            dead_letter_queue: get("errors.deadletterqueue.topic.name")
                .map(|t| t.trim())
                .filter(|t| is_sink && !t.is_empty())
                .map(|topic| DeadLetterQueueConfig {
                    topic: topic.to_string(),
                    replication_factor: get("errors.deadletterqueue.topic.replication.factor")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(3),
                    context_headers: parse_bool(
                        get("errors.deadletterqueue.context.headers.enable"),
                        false,
                    ),
                }),
            topic_creation: if is_sink {
                None
            } else {
                match TopicCreation::parse(raw) {
                    Ok(tc) => Some(tc),
                    Err(e) => {
                        errors.extend(e);
                        None
                    }
                }
            },
            sandbox: SandboxSettings {
                read_dirs: paths("wasm.fs.read.paths"),
                write_dirs: paths("wasm.fs.write.paths"),
                env_vars: parse_list(get("wasm.env.vars")),
                net_hosts: parse_list(get("wasm.net.hosts")),
                memory_max_bytes: number("wasm.memory.max.bytes", DEFAULT_MEMORY_MAX_BYTES),
                call_timeout_ms: number("wasm.call.timeout.ms", DEFAULT_CALL_TIMEOUT_MS),
            },
            raw: raw.clone(),
        };
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn dead_letter_queue_is_a_sink_setting() {
        let raw = map(&[
            ("name", "s"),
            ("connector.class", "FileStreamSink"),
            ("topics", "a"),
            ("errors.deadletterqueue.topic.name", " dlq "),
            ("errors.deadletterqueue.context.headers.enable", "true"),
        ]);
        let sink = ConnectorConfig::parse(&raw, true).unwrap();
        assert_eq!(
            sink.dead_letter_queue,
            Some(DeadLetterQueueConfig {
                topic: "dlq".into(),
                replication_factor: 3,
                context_headers: true
            })
        );
        let mut source = raw.clone();
        source.remove("topics");
        source.insert("topic".into(), "a".into());
        assert_eq!(
            ConnectorConfig::parse(&source, false)
                .unwrap()
                .dead_letter_queue,
            None
        );
        let mut off = raw;
        off.insert("errors.deadletterqueue.topic.name".into(), "".into());
        assert_eq!(
            ConnectorConfig::parse(&off, true)
                .unwrap()
                .dead_letter_queue,
            None
        );
    }

    #[test]
    fn transforms_and_predicates_are_parsed() {
        let raw = map(&[
            ("name", "s"),
            ("connector.class", "FileStreamSink"),
            ("topics", "a, b"),
            ("transforms", "route"),
            ("transforms.route.type", "RegexRouter"),
            ("transforms.route.regex", "(.*)"),
            ("transforms.route.predicate", "isA"),
            ("transforms.route.negate", "true"),
            ("predicates", "isA"),
            ("predicates.isA.type", "TopicNameMatches"),
            ("predicates.isA.pattern", "a"),
        ]);
        let config = ConnectorConfig::parse(&raw, true).expect("valid");
        assert_eq!(config.topics, vec!["a", "b"]);
        let t = &config.transforms[0];
        assert_eq!(t.plugin, "RegexRouter");
        assert_eq!(t.config.get("regex").map(String::as_str), Some("(.*)"));
        assert!(t.negate);
        assert_eq!(
            t.predicate.as_ref().map(|p| p.plugin.as_str()),
            Some("TopicNameMatches")
        );
    }

    #[test]
    fn sink_topic_rules_and_missing_types_are_reported_together() {
        let raw = map(&[
            ("name", "s"),
            ("transforms", "x"),
            ("transforms.x.predicate", "nope"),
        ]);
        let errors = ConnectorConfig::parse(&raw, true).unwrap_err();
        let keys: Vec<_> = errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["transforms.x.type", "topics"]);
    }
}
