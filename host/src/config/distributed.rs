//! Distributed-mode worker properties (Kafka's `DistributedConfig`), with Kafka's names and
//! defaults, except `scheduled.rebalance.max.delay.ms`: 10 s here instead of Kafka's 5 minutes,
//! so that the work of a worker that died silently runs again soon.

use std::collections::BTreeMap;
use std::time::Duration;

/// Our default for `scheduled.rebalance.max.delay.ms` (Kafka's is 300000).
pub const DEFAULT_REBALANCE_DELAY_MS: u64 = 10_000;

/// Settings of a distributed worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistributedConfig {
    /// `group.id`: workers with the same id form one cluster.
    pub group_id: String,
    /// `config.storage.topic`.
    pub config_topic: String,
    /// `offset.storage.topic`.
    pub offset_topic: String,
    /// `status.storage.topic`.
    pub status_topic: String,
    /// `plugin.storage.topic`: uploaded plugins (default `<group.id>-plugins`; one partition,
    /// replicated like the config topic).
    pub plugin_topic: String,
    /// `config.storage.replication.factor` (-1 = broker default).
    pub config_replication_factor: i32,
    /// `offset.storage.replication.factor`.
    pub offset_replication_factor: i32,
    /// `status.storage.replication.factor`.
    pub status_replication_factor: i32,
    /// `offset.storage.partitions`.
    pub offset_partitions: i32,
    /// `status.storage.partitions`.
    pub status_partitions: i32,
    /// `session.timeout.ms`: a worker not heard from for this long is dead.
    pub session_timeout: Duration,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval: Duration,
    /// `scheduled.rebalance.max.delay.ms`: how long a silently dead worker's work waits for it.
    pub rebalance_delay: Duration,
}

impl DistributedConfig {
    /// Read from worker properties; every error at once, as (key, message).
    pub fn parse(
        raw: &BTreeMap<String, String>,
    ) -> Result<DistributedConfig, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let get = |k: &str| {
            raw.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut required = |k: &str| {
            get(k).unwrap_or_else(|| {
                errors.push((
                    k.to_string(),
                    format!("Missing required configuration \"{k}\" which has no default value."),
                ));
                String::new()
            })
        };
        let group_id = required("group.id");
        let config_topic = required("config.storage.topic");
        let offset_topic = required("offset.storage.topic");
        let status_topic = required("status.storage.topic");
        let mut number = |k: &str, default: i64, min: i64| -> i64 {
            match get(k) {
                None => default,
                Some(v) => {
                    match v.parse::<i64>() {
                        Ok(n) if n >= min || (n == -1 && k.ends_with("replication.factor")) => n,
                        Ok(_) => {
                            errors.push((k.to_string(), format!("Invalid value {v} for configuration {k}: Value must be at least {min}")));
                            default
                        }
                        Err(_) => {
                            errors.push((k.to_string(), format!("Invalid value {v} for configuration {k}: Not a number of type LONG")));
                            default
                        }
                    }
                }
            }
        };
        let int = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
        let millis = |n: i64| Duration::from_millis(u64::try_from(n).unwrap_or(0));
        let config = DistributedConfig {
            config_replication_factor: int(number("config.storage.replication.factor", 3, 1)),
            offset_replication_factor: int(number("offset.storage.replication.factor", 3, 1)),
            status_replication_factor: int(number("status.storage.replication.factor", 3, 1)),
            offset_partitions: int(number("offset.storage.partitions", 25, 1)),
            status_partitions: int(number("status.storage.partitions", 5, 1)),
            session_timeout: millis(number("session.timeout.ms", 10_000, 1)),
            heartbeat_interval: millis(number("heartbeat.interval.ms", 3_000, 1)),
            rebalance_delay: millis(number(
                "scheduled.rebalance.max.delay.ms",
                DEFAULT_REBALANCE_DELAY_MS as i64,
                0,
            )),
            plugin_topic: get("plugin.storage.topic")
                .unwrap_or_else(|| format!("{group_id}-plugins")),
            group_id,
            config_topic,
            offset_topic,
            status_topic,
        };
        if config.heartbeat_interval >= config.session_timeout {
            errors.push((
                "heartbeat.interval.ms".into(),
                "heartbeat.interval.ms must be lower than session.timeout.ms".into(),
            ));
        }
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
    fn kafka_defaults_and_required_keys() {
        let c = DistributedConfig::parse(&map(&[
            ("group.id", "g"),
            ("config.storage.topic", "c"),
            ("offset.storage.topic", "o"),
            ("status.storage.topic", "s"),
            ("config.storage.replication.factor", "-1"),
        ]))
        .unwrap();
        assert_eq!((c.offset_partitions, c.status_partitions), (25, 5));
        assert_eq!(c.config_replication_factor, -1);
        assert_eq!(c.offset_replication_factor, 3);
        assert_eq!(c.session_timeout, Duration::from_secs(10));
        assert_eq!(
            c.rebalance_delay,
            Duration::from_millis(DEFAULT_REBALANCE_DELAY_MS)
        );
        let errors =
            DistributedConfig::parse(&map(&[("offset.storage.partitions", "0")])).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "group.id",
                "config.storage.topic",
                "offset.storage.topic",
                "status.storage.topic",
                "offset.storage.partitions"
            ]
        );
    }
}
