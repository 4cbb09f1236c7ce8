//! Multi-tenant clusters (`tenancy.enabled=true`): tenants, their API keys, the policy the host
//! enforces for their connectors (topic prefixes, file-system root, hosts, quotas) and the audit
//! log.
//!
//! A tenant's connectors live in the same herder as everyone's, under a qualified name
//! `<tenant>/<connector>` (`/` cannot appear in a connector name given over REST), so the config,
//! offset and status topics carry the tenant in every key, and a restart or failover keeps
//! tenants apart. The REST layer qualifies names on the way in and strips them on the way out;
//! a tenant never sees another tenant's names. A tenant's uploaded plugins are private: they are
//! registered with the tenant as their owner.

mod audit;
mod directory;
mod keys;
mod paths;
mod topics;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use audit::AuditEntry;
pub use directory::{AuthError, Caller, TenantDirectory};
pub use keys::{IssuedKey, KeyInfo, KeyRecord, hash_key, new_key};
pub use paths::resolve_under_root;
pub use topics::regex_stays_inside;

/// What separates a tenant from its connector's name in the qualified name.
pub const SEPARATOR: char = '/';

/// `<tenant>/<name>`: the name a tenant's connector has inside the cluster.
pub fn qualify(tenant: &str, name: &str) -> String {
    format!("{tenant}{SEPARATOR}{name}")
}

/// The tenant and local name of a qualified connector name; `None` for an unqualified name.
pub fn split(qualified: &str) -> Option<(&str, &str)> {
    qualified.split_once(SEPARATOR)
}

/// Whether the qualified connector name `connector` belongs to `tenant`.
pub fn belongs_to(connector: &str, tenant: &str) -> bool {
    split(connector).is_some_and(|(owner, _)| owner == tenant)
}

/// Per-tenant limits; an absent quota is unlimited.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    /// Most connectors the tenant may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectors: Option<u32>,
    /// Most tasks (sum of `tasks.max`) over all the tenant's connectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<u32>,
    /// Most bytes of uploaded plugins the tenant may keep.
    #[serde(
        default,
        rename = "plugin.bytes",
        skip_serializing_if = "Option::is_none"
    )]
    pub plugin_bytes: Option<u64>,
    /// Largest `wasm.memory.max.bytes` (linear memory per plugin instance); also the default.
    #[serde(
        default,
        rename = "task.memory.bytes",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_memory_bytes: Option<u64>,
    /// Records per second each task may produce or consume.
    #[serde(
        default,
        rename = "task.records.per.second",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_records_per_second: Option<f64>,
    /// Bytes (keys and values) per second each task may produce or consume.
    #[serde(
        default,
        rename = "task.bytes.per.second",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_bytes_per_second: Option<f64>,
    /// Share of one core each task's plugin calls may use, in (0, 1].
    #[serde(
        default,
        rename = "task.cpu.share",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_cpu_share: Option<f64>,
}

/// A tenant: who it is and what its connectors and plugins may touch (`POST /admin/tenants`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// Tenant name: letters, digits, `-` and `_`.
    #[serde(default)]
    pub name: String,
    /// Every topic the tenant's tasks produce to or consume from must start with one of these.
    #[serde(default, rename = "topic.prefixes")]
    pub topic_prefixes: Vec<String>,
    /// The only directory tree the tenant's plugins may open files in (absolute); none: no files.
    #[serde(default, rename = "fs.root", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub fs_root: Option<PathBuf>,
    /// Hosts (`host` or `host:port`) the tenant's plugins may connect to.
    #[serde(default, rename = "http.hosts")]
    pub http_hosts: Vec<String>,
    /// Limits.
    #[serde(default)]
    pub quotas: Quotas,
    /// The tenant's own Kafka principal (`security.protocol`, `sasl.mechanism`, `sasl.username`,
    /// `sasl.password`: librdkafka's names; the JVM's `sasl.jaas.config` has no equivalent),
    /// applied to every Kafka client of its connectors.
    #[serde(
        default,
        rename = "kafka.principal",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub kafka_principal: BTreeMap<String, String>,
}

/// The Kafka client settings a tenant's principal may set (Kafka's `Principal` policy).
pub const PRINCIPAL_KEYS: &[&str] = &[
    "security.protocol",
    "sasl.mechanism",
    "sasl.username",
    "sasl.password",
];

impl Tenant {
    /// A tenant that may touch nothing: the policy of a connector whose tenant is gone.
    pub fn deny_all(name: &str) -> Tenant {
        Tenant {
            name: name.to_string(),
            ..Tenant::default()
        }
    }

    /// Every problem with these settings, as (field, message); empty when they are valid.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let mut problem =
            |field: &str, message: String| problems.push((field.to_string(), message));
        if let Err(e) = check_tenant_name(&self.name) {
            problem("name", e);
        }
        for (i, prefix) in self.topic_prefixes.iter().enumerate() {
            if prefix.is_empty() {
                problem(
                    &format!("topic.prefixes[{i}]"),
                    "must not be empty (it would allow every topic)".into(),
                );
            } else if !prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            {
                problem(
                    &format!("topic.prefixes[{i}]"),
                    format!(
                        "'{prefix}' may only contain letters, digits, '.', '_' and '-', as topic names do"
                    ),
                );
            }
        }
        if let Some(root) = &self.fs_root
            && !root.is_absolute()
        {
            problem(
                "fs.root",
                format!("'{}' must be an absolute path", root.display()),
            );
        }
        for (i, host) in self.http_hosts.iter().enumerate() {
            let ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*'));
            if !ok {
                problem(
                    &format!("http.hosts[{i}]"),
                    format!("'{host}' is not a host name or host:port"),
                );
            }
        }
        for key in self.kafka_principal.keys() {
            if !PRINCIPAL_KEYS.contains(&key.as_str()) {
                problem(
                    &format!("kafka.principal.{key}"),
                    format!("only {} may be set", PRINCIPAL_KEYS.join(", ")),
                );
            }
        }
        let q = &self.quotas;
        for (field, value) in [
            ("quotas.connectors", q.connectors.map(u64::from)),
            ("quotas.tasks", q.tasks.map(u64::from)),
            ("quotas.plugin.bytes", q.plugin_bytes),
            ("quotas.task.memory.bytes", q.task_memory_bytes),
        ] {
            if value == Some(0) {
                problem(
                    field,
                    "must be at least 1 (leave it out for no limit)".into(),
                );
            }
        }
        for (field, value) in [
            ("quotas.task.records.per.second", q.task_records_per_second),
            ("quotas.task.bytes.per.second", q.task_bytes_per_second),
        ] {
            if value.is_some_and(|v| !(v.is_finite() && v > 0.0)) {
                problem(field, "must be a positive number".into());
            }
        }
        if q.task_cpu_share
            .is_some_and(|v| !(v.is_finite() && v > 0.0 && v <= 1.0))
        {
            problem(
                "quotas.task.cpu.share",
                "must be more than 0 and at most 1 (a fraction of one core)".into(),
            );
        }
        problems
    }

    /// The tenant as the admin reads it back: the principal's values hidden.
    pub fn redacted(&self) -> Tenant {
        let mut shown = self.clone();
        for value in shown.kafka_principal.values_mut() {
            *value = "[hidden]".into();
        }
        shown
    }

    /// `<client>.override.<key>` settings that give every Kafka client of the tenant's
    /// connectors the tenant's principal.
    pub fn client_overrides(&self) -> Vec<(String, String)> {
        let mut overrides = Vec::new();
        for client in ["producer", "consumer", "admin"] {
            for (key, value) in &self.kafka_principal {
                overrides.push((format!("{client}.override.{key}"), value.clone()));
            }
        }
        overrides
    }

    /// Whether `topic` falls inside one of the tenant's prefixes.
    pub fn allows_topic(&self, topic: &str) -> bool {
        self.topic_prefixes.iter().any(|p| topic.starts_with(p))
    }

    /// `Ok` when `topic` is the tenant's; else the message naming the prefixes.
    pub fn check_topic(&self, topic: &str) -> Result<(), String> {
        if self.allows_topic(topic) {
            return Ok(());
        }
        Err(format!(
            "topic '{topic}' is outside the topic prefixes of tenant {} ({})",
            self.name,
            self.prefix_list()
        ))
    }

    /// The prefixes, for messages.
    pub fn prefix_list(&self) -> String {
        if self.topic_prefixes.is_empty() {
            return "none".into();
        }
        self.topic_prefixes
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A tenant name: 1 to 64 letters, digits, `-` or `_`.
pub fn check_tenant_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err("must have 1 to 64 characters".into());
    }
    if name.starts_with("key-") {
        // `tenant-key-…` is the key of a key record in the config topic.
        return Err("must not start with 'key-'".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    {
        return Err(format!(
            "'{name}' may only contain letters, digits, '-' and '_'"
        ));
    }
    Ok(())
}

/// A quota a request would pass: the answer names it (HTTP 403).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "Quota exceeded: tenant {tenant} may have at most {limit} {what} (quota '{quota}'){detail}"
)]
pub struct QuotaExceeded {
    /// The tenant.
    pub tenant: String,
    /// The quota's name, as in `quotas`.
    pub quota: &'static str,
    /// Its value.
    pub limit: u64,
    /// What it counts.
    pub what: &'static str,
    /// What the request would have made of it.
    pub detail: String,
}

/// Check that the tenant may have `connectors` connectors with `tasks` tasks in all (counting
/// the one being created or replaced).
pub fn check_connector_quotas(
    tenant: &Tenant,
    connectors: usize,
    tasks: u64,
) -> Result<(), QuotaExceeded> {
    if let Some(limit) = tenant.quotas.connectors
        && connectors as u64 > u64::from(limit)
    {
        return Err(QuotaExceeded {
            tenant: tenant.name.clone(),
            quota: "connectors",
            limit: u64::from(limit),
            what: "connectors",
            detail: String::new(),
        });
    }
    if let Some(limit) = tenant.quotas.tasks
        && tasks > u64::from(limit)
    {
        return Err(QuotaExceeded {
            tenant: tenant.name.clone(),
            quota: "tasks",
            limit: u64::from(limit),
            what: "tasks",
            detail: format!("; the tasks.max of its connectors would add up to {tasks}"),
        });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_qualify_and_split() {
        assert_eq!(qualify("a", "conn"), "a/conn");
        assert_eq!(split("a/conn"), Some(("a", "conn")));
        assert_eq!(split("conn"), None);
    }

    #[test]
    fn settings_report_every_problem() {
        let tenant: Tenant = serde_json::from_value(serde_json::json!({
            "name": "a/b",
            "topic.prefixes": ["", "ok."],
            "fs.root": "relative",
            "quotas": {"connectors": 0, "task.cpu.share": 1.5}
        }))
        .unwrap();
        let fields: Vec<String> = tenant.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "name",
                "topic.prefixes[0]",
                "fs.root",
                "quotas.connectors",
                "quotas.task.cpu.share"
            ]
        );
        let unknown =
            serde_json::from_value::<Tenant>(serde_json::json!({"name": "a", "quota": {}}));
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown field `quota`")
        );
    }

    #[test]
    fn the_principal_reaches_every_client_and_stays_hidden() {
        let tenant: Tenant = serde_json::from_value(serde_json::json!({
            "name": "a",
            "kafka.principal": {"sasl.mechanism": "PLAIN", "sasl.password": "secret"}
        }))
        .unwrap();
        assert!(tenant.problems().is_empty());
        let overrides = tenant.client_overrides();
        assert_eq!(overrides.len(), 6);
        assert!(overrides.contains(&("consumer.override.sasl.password".into(), "secret".into())));
        let shown = serde_json::to_string(&tenant.redacted()).unwrap();
        assert!(
            !shown.contains("secret") && shown.contains("[hidden]"),
            "{shown}"
        );
        let bad: Tenant = serde_json::from_value(serde_json::json!({
            "name": "a", "kafka.principal": {"bootstrap.servers": "elsewhere:9092"}
        }))
        .unwrap();
        assert_eq!(bad.problems()[0].0, "kafka.principal.bootstrap.servers");
    }

    #[test]
    fn topics_must_start_with_a_prefix() {
        let tenant = Tenant {
            name: "a".into(),
            topic_prefixes: vec!["a.".into(), "shared.a-".into()],
            ..Tenant::default()
        };
        assert!(tenant.allows_topic("a.orders"));
        assert!(tenant.allows_topic("shared.a-x"));
        assert!(!tenant.allows_topic("b.orders"));
        assert!(!tenant.allows_topic("a"));
        let message = tenant.check_topic("b.orders").unwrap_err();
        assert!(
            message.contains("'b.orders'") && message.contains("'a.'"),
            "{message}"
        );
    }

    #[test]
    fn connector_and_task_quotas_name_themselves() {
        let tenant = Tenant {
            name: "a".into(),
            quotas: Quotas {
                connectors: Some(2),
                tasks: Some(3),
                ..Quotas::default()
            },
            ..Tenant::default()
        };
        assert!(check_connector_quotas(&tenant, 2, 3).is_ok());
        let e = check_connector_quotas(&tenant, 3, 3).unwrap_err();
        assert_eq!(e.quota, "connectors");
        assert!(e.to_string().contains("at most 2 connectors"), "{e}");
        let e = check_connector_quotas(&tenant, 1, 4).unwrap_err();
        assert_eq!(e.quota, "tasks");
        assert!(e.to_string().contains("add up to 4"), "{e}");
    }
}
