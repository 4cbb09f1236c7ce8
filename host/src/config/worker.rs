//! Worker properties (Kafka's `WorkerConfig`, `StandaloneConfig`), typed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::def::{ConfigDef, ConfigKeyDef, ConfigType, Importance, Validator};
use super::{ClientOverridePolicy, ConfigInfos, with_prefix};

/// Keys that apply to every Kafka client the worker creates (Kafka's top-level security settings).
const SHARED_CLIENT_PREFIXES: &[&str] =
    &["security.protocol", "sasl.", "ssl.", "client.dns.lookup"];

/// Java client settings with no librdkafka equivalent; dropped when configuring clients.
const JAVA_ONLY_CLIENT_KEYS: &[&str] = &[
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "sasl.jaas.config",
    "sasl.login.callback.handler.class",
    "ssl.truststore.type",
    "ssl.keystore.type",
    "interceptor.classes",
    "metric.reporters",
    "partitioner.class",
];

/// The worker's configuration.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// `bootstrap.servers`.
    pub bootstrap_servers: String,
    /// The REST listener address parsed from `listeners`.
    pub rest_listener: SocketAddr,
    /// `worker_id` shown in status: `rest.advertised.host.name:rest.advertised.port`.
    pub worker_id: String,
    /// `offset.storage.file.filename` (standalone).
    pub offset_storage_file: Option<PathBuf>,
    /// `offset.flush.interval.ms`.
    pub offset_flush_interval: Duration,
    /// `offset.flush.timeout.ms`.
    pub offset_flush_timeout: Duration,
    /// `task.shutdown.graceful.timeout.ms`.
    pub task_shutdown_graceful_timeout: Duration,
    /// `key.converter` and its sub-settings.
    pub key_converter: (String, BTreeMap<String, String>),
    /// `value.converter` and its sub-settings.
    pub value_converter: (String, BTreeMap<String, String>),
    /// `header.converter` and its sub-settings.
    pub header_converter: (String, BTreeMap<String, String>),
    /// `plugin.path`: directories (or files) with extra plugin `.wasm` files.
    pub plugin_path: Vec<PathBuf>,
    /// `plugin.cache.dir`: where compiled plugins are cached.
    pub plugin_cache_dir: PathBuf,
    /// `plugin.storage.dir`: where a standalone worker keeps uploaded plugins (default: the
    /// directory `<offset.storage.file.filename>.plugins`).
    pub plugin_storage_dir: Option<PathBuf>,
    /// `plugin.upload.max.bytes`: the largest plugin upload accepted.
    pub plugin_upload_max_bytes: usize,
    /// `connector.client.config.override.policy`.
    pub client_override_policy: ClientOverridePolicy,
    /// `tenancy.enabled`: REST requests need a key; connectors and plugins belong to tenants.
    pub tenancy_enabled: bool,
    /// `tenancy.admin.key.file`: the file holding the admin key.
    pub tenancy_admin_key_file: Option<PathBuf>,
    /// The whole map, as given.
    pub raw: BTreeMap<String, String>,
}

/// The worker's config definition.
pub fn worker_config_def() -> ConfigDef {
    use ConfigType as T;
    use Importance as I;
    let mut def = ConfigDef::default();
    for key in [
        ConfigKeyDef::new(
            "bootstrap.servers",
            T::List,
            Some("localhost:9092"),
            I::High,
            "Kafka brokers to connect to.",
        ),
        ConfigKeyDef::new(
            "listeners",
            T::List,
            Some("http://0.0.0.0:8083"),
            I::Low,
            "REST listener, e.g. http://0.0.0.0:8083.",
        ),
        ConfigKeyDef::new(
            "rest.advertised.host.name",
            T::String,
            Some(""),
            I::Low,
            "Host name given to other workers and shown as worker_id.",
        ),
        ConfigKeyDef::new(
            "rest.advertised.port",
            T::Int,
            Some("0"),
            I::Low,
            "Port shown in worker_id.",
        ),
        ConfigKeyDef::new(
            "offset.storage.file.filename",
            T::String,
            Some(""),
            I::High,
            "File to store source offsets in (standalone).",
        ),
        ConfigKeyDef::new(
            "offset.flush.interval.ms",
            T::Long,
            Some("60000"),
            I::Low,
            "Interval at which to commit offsets.",
        )
        .validate(Validator::Range {
            min: Some(1.0),
            max: None,
        }),
        ConfigKeyDef::new(
            "offset.flush.timeout.ms",
            T::Long,
            Some("5000"),
            I::Low,
            "Time to wait for records to be acknowledged before an offset commit is cancelled.",
        )
        .validate(Validator::Range {
            min: Some(0.0),
            max: None,
        }),
        ConfigKeyDef::new(
            "task.shutdown.graceful.timeout.ms",
            T::Long,
            Some("5000"),
            I::Low,
            "Time to wait for tasks to shut down gracefully.",
        )
        .validate(Validator::Range {
            min: Some(0.0),
            max: None,
        }),
        ConfigKeyDef::new(
            "key.converter",
            T::Class,
            Some("org.apache.kafka.connect.json.JsonConverter"),
            I::High,
            "Converter for record keys.",
        ),
        ConfigKeyDef::new(
            "value.converter",
            T::Class,
            Some("org.apache.kafka.connect.json.JsonConverter"),
            I::High,
            "Converter for record values.",
        ),
        ConfigKeyDef::new(
            "header.converter",
            T::Class,
            Some(wasm_connect_data::converter::SIMPLE_HEADER_CONVERTER),
            I::Low,
            "HeaderConverter for record headers.",
        ),
        ConfigKeyDef::new(
            "plugin.path",
            T::List,
            Some(""),
            I::Low,
            "Directories or files with extra plugin .wasm files.",
        ),
        ConfigKeyDef::new(
            "plugin.cache.dir",
            T::String,
            Some(""),
            I::Low,
            "Directory for compiled plugins (default: $XDG_CACHE_HOME/wasm-connect).",
        ),
        ConfigKeyDef::new(
            "plugin.storage.dir",
            T::String,
            Some(""),
            I::Low,
            "Directory where a standalone worker keeps uploaded plugins (default: <offset.storage.file.filename>.plugins).",
        ),
        ConfigKeyDef::new(
            "plugin.upload.max.bytes",
            T::Long,
            Some("67108864"),
            I::Low,
            "The largest plugin component accepted by POST /connector-plugins.",
        )
        .validate(Validator::Range {
            min: Some(1.0),
            max: None,
        }),
        ConfigKeyDef::new(
            "tenancy.enabled",
            T::Boolean,
            Some("false"),
            I::Medium,
            "Serve many tenants: every REST request carries a key (Authorization: Bearer), connectors and uploaded plugins belong to the key's tenant, and the host enforces each tenant's topic prefixes, file root and quotas. Distributed mode only.",
        ),
        ConfigKeyDef::new(
            "tenancy.admin.key.file",
            T::String,
            Some(""),
            I::Medium,
            "File holding the admin key (at least 16 characters), which manages tenants and their keys. Required with tenancy.enabled=true.",
        ),
        ConfigKeyDef::new(
            "connector.client.config.override.policy",
            T::String,
            Some("All"),
            I::Medium,
            "Which client configurations connectors may override with producer.override.*, consumer.override.* and admin.override.*: All, None or Principal (sasl.jaas.config, sasl.mechanism, security.protocol only). Kafka's class names are accepted too.",
        ),
    ] {
        def.define(key);
    }
    def
}

fn parse_listener(listeners: &str) -> Result<SocketAddr, String> {
    let first = listeners.split(',').next().unwrap_or("").trim();
    let url = url::Url::parse(first)
        .map_err(|e| format!("Invalid value {first} for configuration listeners: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!(
            "Invalid value {first} for configuration listeners: only http listeners are supported"
        ));
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .unwrap_or("0.0.0.0");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port().unwrap_or(8083);
    let ip: std::net::IpAddr = if host == "localhost" {
        std::net::Ipv4Addr::LOCALHOST.into()
    } else {
        host.parse().map_err(|_| format!("Invalid value {first} for configuration listeners: host must be an IP address or localhost"))?
    };
    Ok(SocketAddr::new(ip, port))
}

impl WorkerConfig {
    /// Validate and parse worker properties; every error at once.
    pub fn parse(raw: BTreeMap<String, String>) -> Result<WorkerConfig, Box<ConfigInfos>> {
        let def = worker_config_def();
        let mut extra = Vec::new();
        let listeners = raw
            .get("listeners")
            .cloned()
            .unwrap_or_else(|| "http://0.0.0.0:8083".into());
        let policy = raw
            .get("connector.client.config.override.policy")
            .map_or(Some(ClientOverridePolicy::All), |p| {
                ClientOverridePolicy::parse(p)
            });
        if policy.is_none() {
            extra.push((
                "connector.client.config.override.policy".to_string(),
                format!(
                    "Invalid value {} for configuration connector.client.config.override.policy: must be All, None or Principal",
                    raw.get("connector.client.config.override.policy").map_or("", |v| v.as_str())
                ),
            ));
        }
        let rest_listener = match parse_listener(&listeners) {
            Ok(addr) => Some(addr),
            Err(e) => {
                extra.push(("listeners".to_string(), e));
                None
            }
        };
        let infos = def.validate("worker", &raw, &extra);
        let (Some(rest_listener), Some(client_override_policy), 0) =
            (rest_listener, policy, infos.error_count)
        else {
            return Err(Box::new(infos));
        };
        let get = |k: &str| {
            raw.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let millis = |k: &str, d: u64| {
            Duration::from_millis(get(k).and_then(|v| v.parse().ok()).unwrap_or(d))
        };
        let host = get("rest.advertised.host.name").unwrap_or_else(|| {
            if rest_listener.ip().is_unspecified() {
                "localhost".to_string()
            } else {
                rest_listener.ip().to_string()
            }
        });
        let port = get("rest.advertised.port")
            .and_then(|p| p.parse::<u16>().ok())
            .filter(|p| *p != 0)
            .unwrap_or(rest_listener.port());
        let converter = |k: &str, d: &str| {
            (
                get(k).unwrap_or_else(|| d.to_string()),
                with_prefix(&raw, &format!("{k}.")),
            )
        };
        let cache_dir = get("plugin.cache.dir")
            .map(PathBuf::from)
            .unwrap_or_else(default_cache_dir);
        Ok(WorkerConfig {
            bootstrap_servers: get("bootstrap.servers").unwrap_or_else(|| "localhost:9092".into()),
            rest_listener,
            worker_id: format!("{host}:{port}"),
            offset_storage_file: get("offset.storage.file.filename").map(PathBuf::from),
            offset_flush_interval: millis("offset.flush.interval.ms", 60_000),
            offset_flush_timeout: millis("offset.flush.timeout.ms", 5_000),
            task_shutdown_graceful_timeout: millis("task.shutdown.graceful.timeout.ms", 5_000),
            key_converter: converter(
                "key.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            value_converter: converter(
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            header_converter: converter(
                "header.converter",
                wasm_connect_data::converter::SIMPLE_HEADER_CONVERTER,
            ),
            plugin_path: super::connector::parse_list(raw.get("plugin.path"))
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            plugin_cache_dir: cache_dir,
            plugin_storage_dir: get("plugin.storage.dir")
                .filter(|d| !d.trim().is_empty())
                .map(PathBuf::from)
                .or_else(|| {
                    get("offset.storage.file.filename")
                        .map(|f| PathBuf::from(format!("{f}.plugins")))
                }),
            plugin_upload_max_bytes: get("plugin.upload.max.bytes")
                .and_then(|v| v.parse().ok())
                .unwrap_or(crate::plugins::DEFAULT_UPLOAD_MAX_BYTES),
            client_override_policy,
            tenancy_enabled: get("tenancy.enabled")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
            tenancy_admin_key_file: get("tenancy.admin.key.file")
                .filter(|f| !f.trim().is_empty())
                .map(PathBuf::from),
            raw,
        })
    }

    /// librdkafka settings for a client of `kind` (`producer`, `consumer` or `admin`): the
    /// bootstrap servers, the shared security settings, then `<kind>.*` worker settings, then the
    /// connector's `<kind>.override.*` settings.
    pub fn client_settings(
        &self,
        kind: &str,
        connector: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut settings = BTreeMap::new();
        settings.insert(
            "bootstrap.servers".to_string(),
            self.bootstrap_servers.clone(),
        );
        for (k, v) in &self.raw {
            if SHARED_CLIENT_PREFIXES.iter().any(|p| k.starts_with(p)) {
                settings.insert(k.clone(), v.clone());
            }
        }
        settings.extend(with_prefix(&self.raw, &format!("{kind}.")));
        settings.extend(with_prefix(connector, &format!("{kind}.override.")));
        settings.retain(|k, _| !JAVA_ONLY_CLIENT_KEYS.contains(&k.as_str()));
        settings
    }
}

/// `$XDG_CACHE_HOME/wasm-connect/components`, or `~/.cache/…`, or the temp dir.
fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("wasm-connect").join("components")
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
    fn defaults_and_worker_id() {
        let config =
            WorkerConfig::parse(map(&[("listeners", "http://127.0.0.1:18083")])).expect("valid");
        assert_eq!(config.rest_listener.port(), 18083);
        assert_eq!(config.worker_id, "127.0.0.1:18083");
        assert_eq!(config.offset_flush_interval, Duration::from_secs(60));
        assert_eq!(
            config.value_converter.0,
            "org.apache.kafka.connect.json.JsonConverter"
        );
    }

    #[test]
    fn bad_values_are_all_reported() {
        let err = WorkerConfig::parse(map(&[
            ("listeners", "ftp://x"),
            ("offset.flush.interval.ms", "soon"),
        ]))
        .unwrap_err();
        let keys: Vec<_> = err.errors().map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["listeners", "offset.flush.interval.ms"]);
    }

    #[test]
    fn client_settings_layer_worker_and_connector_overrides() {
        let config = WorkerConfig::parse(map(&[
            ("bootstrap.servers", "b:9092"),
            ("security.protocol", "SASL_SSL"),
            ("producer.linger.ms", "5"),
            ("producer.key.serializer", "x"),
        ]))
        .expect("valid");
        let settings =
            config.client_settings("producer", &map(&[("producer.override.linger.ms", "9")]));
        assert_eq!(settings["bootstrap.servers"], "b:9092");
        assert_eq!(settings["security.protocol"], "SASL_SSL");
        assert_eq!(settings["linger.ms"], "9");
        assert!(!settings.contains_key("key.serializer"));
    }
}
