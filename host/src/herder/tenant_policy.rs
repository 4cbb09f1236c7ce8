//! What a tenant's connector config may ask for, checked at validation (each problem on its
//! field): topics inside the tenant's prefixes, files under its `fs.root`, no worker environment,
//! only principal client overrides, memory and tasks within its quotas. Topics that only show at
//! run time (a source's records, RegexRouter) are checked by the tasks themselves.

use crate::config::connector::parse_list;
use crate::config::{ClientOverridePolicy, ConfigDef, PathAccess};
use crate::herder::ConfigMap;
use crate::tenancy::{Tenant, regex_stays_inside, resolve_under_root};

/// Every problem of `config` under `tenant`'s policy, as (key, message).
pub(crate) fn tenant_errors(
    tenant: &Tenant,
    config: &ConfigMap,
    plugin_def: Option<&ConfigDef>,
    worker_policy: ClientOverridePolicy,
) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    let value = |key: &str| config.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut refuse = |key: &str, value: &str, why: String| {
        errors.push((
            key.to_string(),
            format!("Invalid value {value} for configuration {key}: {why}"),
        ));
    };
    // Topics the config names.
    for key in ["topics", "topic"] {
        for topic in parse_list(config.get(key)) {
            if let Err(why) = tenant.check_topic(&topic) {
                refuse(key, &topic, why);
            }
        }
    }
    if let Some(regex) = value("topics.regex")
        && let Err(why) = regex_stays_inside(tenant, regex)
    {
        refuse("topics.regex", regex, why);
    }
    if let Some(dlq) = value("errors.deadletterqueue.topic.name")
        && let Err(why) = tenant.check_topic(dlq)
    {
        refuse("errors.deadletterqueue.topic.name", dlq, why);
    }
    // Files: path-valued keys of the plugin and the explicit grants.
    let root = tenant.fs_root.as_deref();
    let path_keys = plugin_def
        .map(|def| {
            def.keys
                .iter()
                .filter(|k| k.path_access != PathAccess::None)
                .map(|k| k.name.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    for key in &path_keys {
        if let Some(path) = value(key)
            && let Err(why) = resolve_under_root(root, path)
        {
            refuse(key, path, why);
        }
    }
    for key in ["wasm.fs.read.paths", "wasm.fs.write.paths"] {
        for path in parse_list(config.get(key)) {
            if let Err(why) = resolve_under_root(root, &path) {
                refuse(key, &path, why);
            }
        }
    }
    for host in parse_list(config.get("wasm.net.hosts")) {
        if !host_allowed(&tenant.http_hosts, &host) {
            refuse(
                "wasm.net.hosts",
                &host,
                format!(
                    "not among the http.hosts of tenant {} ({})",
                    tenant.name,
                    if tenant.http_hosts.is_empty() {
                        "none".to_string()
                    } else {
                        tenant.http_hosts.join(", ")
                    }
                ),
            );
        }
    }
    if let Some(vars) = value("wasm.env.vars") {
        refuse(
            "wasm.env.vars",
            vars,
            "a tenant's plugins may not read the worker's environment".into(),
        );
    }
    // Resources.
    if let (Some(limit), Some(asked)) = (
        tenant.quotas.task_memory_bytes,
        value("wasm.memory.max.bytes"),
    ) && asked.parse::<u64>().is_ok_and(|asked| asked > limit)
    {
        refuse(
            "wasm.memory.max.bytes",
            asked,
            format!("above the tenant's quota 'task.memory.bytes' ({limit})"),
        );
    }
    if let Some(asked) = value("wasm.call.timeout.ms")
        && asked
            .parse::<u64>()
            .is_ok_and(|asked| asked > crate::config::connector::DEFAULT_CALL_TIMEOUT_MS)
    {
        refuse(
            "wasm.call.timeout.ms",
            asked,
            format!(
                "a tenant's plugin calls may run at most {} ms (the CPU share is charged after each call)",
                crate::config::connector::DEFAULT_CALL_TIMEOUT_MS
            ),
        );
    }
    if let (Some(limit), Some(asked)) = (tenant.quotas.tasks, value("tasks.max"))
        && asked
            .parse::<u64>()
            .is_ok_and(|asked| asked > u64::from(limit))
    {
        refuse(
            "tasks.max",
            asked,
            format!("above the tenant's quota 'tasks' ({limit})"),
        );
    }
    // Kafka clients: a tenant may bring its own principal, nothing else (the worker's policy
    // applies when it is stricter).
    let policy = if worker_policy == ClientOverridePolicy::All {
        ClientOverridePolicy::Principal
    } else {
        worker_policy
    };
    errors.extend(policy.check(config));
    errors
}

/// Whether `wanted` (`host` or `host:port`) is covered by the tenant's `hosts`: the same entry,
/// or, for `host:port`, the bare host (any port).
fn host_allowed(hosts: &[String], wanted: &str) -> bool {
    let wanted = wanted.trim().to_ascii_lowercase();
    let bare = match wanted.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() => h.to_string(),
        _ => wanted.clone(),
    };
    hosts.iter().any(|h| {
        let h = h.trim().to_ascii_lowercase();
        h == wanted || h == bare
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tenancy::Quotas;

    fn config(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_field_outside_the_tenant_is_reported() {
        let root = tempfile::tempdir().unwrap();
        let tenant = Tenant {
            name: "a".into(),
            topic_prefixes: vec!["a.".into()],
            fs_root: Some(root.path().to_path_buf()),
            quotas: Quotas {
                tasks: Some(2),
                task_memory_bytes: Some(1000),
                ..Quotas::default()
            },
            ..Tenant::default()
        };
        let bad = config(&[
            ("topics", "a.ok,b.orders"),
            ("topics.regex", ".*"),
            ("errors.deadletterqueue.topic.name", "b.dlq"),
            ("wasm.fs.read.paths", "in,/etc"),
            ("wasm.env.vars", "HOME"),
            ("wasm.memory.max.bytes", "2000"),
            ("tasks.max", "3"),
            ("consumer.override.group.id", "connect-b/x"),
            ("producer.override.sasl.mechanism", "PLAIN"),
        ]);
        let errors = tenant_errors(&tenant, &bad, None, ClientOverridePolicy::All);
        let keys: Vec<&str> = errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "topics",
                "topics.regex",
                "errors.deadletterqueue.topic.name",
                "wasm.fs.read.paths",
                "wasm.env.vars",
                "wasm.memory.max.bytes",
                "tasks.max",
                "consumer.override.group.id"
            ],
            "{errors:?}"
        );
        assert!(errors[0].1.contains("b.orders"), "{errors:?}");
        let hosts = Tenant {
            http_hosts: vec!["api.example.com".into(), "db:5432".into()],
            ..tenant.clone()
        };
        for (wanted, ok) in [
            ("api.example.com", true),
            ("api.example.com:443", true),
            ("db:5432", true),
            ("db", false),
            ("db:5433", false),
            ("evil.example.com", false),
        ] {
            let errors = tenant_errors(
                &hosts,
                &config(&[("wasm.net.hosts", wanted)]),
                None,
                ClientOverridePolicy::All,
            );
            assert_eq!(errors.is_empty(), ok, "{wanted}: {errors:?}");
        }
        let good = config(&[
            ("topics", "a.x"),
            ("errors.deadletterqueue.topic.name", "a.dlq"),
            ("wasm.fs.read.paths", "in"),
            ("tasks.max", "2"),
        ]);
        assert_eq!(
            tenant_errors(&tenant, &good, None, ClientOverridePolicy::All),
            Vec::<(String, String)>::new()
        );
    }
}
