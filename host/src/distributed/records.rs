//! Records of the config topic: Kafka Connect's (`connector-<c>`, `task-<c>-<n>`, `commit-<c>`,
//! `target-state-<c>`, `restart-connector-<c>`, JSON values, tombstones for deletes) plus our
//! coordination records (`worker-<id>`, `assignment`, `released-<id>`), and the connector state
//! they add up to ([`ConfigState`]). Pure: parsing, encoding, applying.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};
use wasm_connect_coordination::{CoordinationRecord, Work};

use crate::herder::ConfigMap;
pub use crate::herder::TargetState;
use crate::tenancy::{AuditEntry, KeyRecord, Tenant};

/// The name of a target state in `target-state-<c>` records.
fn target_state_name(state: TargetState) -> &'static str {
    match state {
        TargetState::Started => "STARTED",
        TargetState::Paused => "PAUSED",
        TargetState::Stopped => "STOPPED",
    }
}

/// One record of the config topic.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigRecord {
    /// `connector-<c>`: its config, or `None` (tombstone) when deleted.
    Connector {
        /// Connector name.
        name: String,
        /// The config.
        config: Option<ConfigMap>,
    },
    /// `task-<c>-<n>`: a task config, visible after the next `commit-<c>`.
    Task {
        /// Connector name.
        connector: String,
        /// Task number.
        task: u32,
        /// The task config.
        config: Option<ConfigMap>,
    },
    /// `commit-<c>`: the first `tasks` task configs written are the connector's tasks now.
    Commit {
        /// Connector name.
        connector: String,
        /// Task count.
        tasks: u32,
    },
    /// `target-state-<c>`.
    TargetState {
        /// Connector name.
        connector: String,
        /// The state; `None` on a tombstone.
        state: Option<TargetState>,
    },
    /// `restart-connector-<c>`: restart a connector (and maybe its tasks) wherever they run.
    Restart {
        /// Connector name.
        connector: String,
        /// Also restart tasks.
        include_tasks: bool,
        /// Only FAILED instances.
        only_failed: bool,
    },
    /// Worker coordination.
    Coordination(CoordinationRecord),
    /// `logger-cluster-<namespace>` → `{"level": "DEBUG"}`: a log level for every worker.
    LoggerLevel {
        /// The logger.
        namespace: String,
        /// Its level.
        level: String,
    },
    /// `tenant-<t>`: a tenant's settings, or `None` when deleted.
    Tenant {
        /// Tenant name.
        name: String,
        /// Its settings.
        tenant: Option<Tenant>,
    },
    /// `tenant-key-<t>-<id>`: a key's hash, or `None` when deleted.
    TenantKey {
        /// Tenant name.
        tenant: String,
        /// Key id.
        id: String,
        /// The key's record (hash, date).
        record: Option<KeyRecord>,
    },
    /// `audit-<id>`: one entry of the audit log.
    Audit {
        /// Unique id of the entry.
        id: String,
        /// The entry.
        entry: AuditEntry,
    },
    /// A key we do not know (Kafka's `session-key`, …): ignored.
    Other(String),
}

fn properties(value: &Json) -> Option<ConfigMap> {
    let props = value.get("properties")?.as_object()?;
    Some(
        props
            .iter()
            .map(|(k, v)| {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                (k.clone(), text)
            })
            .collect(),
    )
}

/// Split `task-<c>-<n>` into (c, n); connector names may contain `-`.
fn task_key(rest: &str) -> Option<(String, u32)> {
    let (connector, n) = rest.rsplit_once('-')?;
    Some((connector.to_string(), n.parse().ok()?))
}

impl ConfigRecord {
    /// Parse a record of the config topic; a value that cannot be read is an error.
    pub fn parse(key: &str, value: Option<&[u8]>) -> Result<ConfigRecord, String> {
        let json: Option<Json> = value
            .map(|v| serde_json::from_slice(v).map_err(|e| format!("config record {key}: {e}")))
            .transpose()?;
        let bad = || format!("config record {key} has an unexpected value");
        Ok(if let Some(name) = key.strip_prefix("connector-") {
            ConfigRecord::Connector {
                name: name.to_string(),
                config: match &json {
                    None => None,
                    Some(j) => Some(properties(j).ok_or_else(bad)?),
                },
            }
        } else if let Some(rest) = key.strip_prefix("task-") {
            let (connector, task) = task_key(rest).ok_or_else(bad)?;
            ConfigRecord::Task {
                connector,
                task,
                config: match &json {
                    None => None,
                    Some(j) => Some(properties(j).ok_or_else(bad)?),
                },
            }
        } else if let Some(connector) = key.strip_prefix("commit-") {
            let tasks = json
                .as_ref()
                .and_then(|j| j.get("tasks"))
                .and_then(Json::as_u64)
                .ok_or_else(bad)?;
            ConfigRecord::Commit {
                connector: connector.to_string(),
                tasks: u32::try_from(tasks).map_err(|_| bad())?,
            }
        } else if let Some(connector) = key.strip_prefix("target-state-") {
            let state = match &json {
                None => None,
                Some(j) => {
                    let text = j
                        .get("state.v2")
                        .or_else(|| j.get("state"))
                        .and_then(Json::as_str)
                        .ok_or_else(bad)?;
                    Some(match text {
                        "STARTED" => TargetState::Started,
                        "PAUSED" => TargetState::Paused,
                        "STOPPED" => TargetState::Stopped,
                        _ => return Err(bad()),
                    })
                }
            };
            ConfigRecord::TargetState {
                connector: connector.to_string(),
                state,
            }
        } else if let Some(connector) = key.strip_prefix("restart-connector-") {
            let flag = |k: &str| {
                json.as_ref()
                    .and_then(|j| j.get(k))
                    .and_then(Json::as_bool)
                    .unwrap_or(false)
            };
            ConfigRecord::Restart {
                connector: connector.to_string(),
                include_tasks: flag("include-tasks"),
                only_failed: flag("only-failed"),
            }
        } else if let Some(namespace) = key.strip_prefix("logger-cluster-")
            && let Some(level) = json
                .as_ref()
                .and_then(|j| j.get("level"))
                .and_then(Json::as_str)
        {
            ConfigRecord::LoggerLevel {
                namespace: namespace.to_string(),
                level: level.to_string(),
            }
        } else if let Some(rest) = key.strip_prefix("tenant-key-") {
            let (tenant, id) = rest.rsplit_once('-').ok_or_else(bad)?;
            ConfigRecord::TenantKey {
                tenant: tenant.to_string(),
                id: id.to_string(),
                record: json
                    .map(serde_json::from_value)
                    .transpose()
                    .map_err(|e| format!("config record {key}: {e}"))?,
            }
        } else if let Some(name) = key.strip_prefix("tenant-") {
            ConfigRecord::Tenant {
                name: name.to_string(),
                tenant: json
                    .map(serde_json::from_value)
                    .transpose()
                    .map_err(|e| format!("config record {key}: {e}"))?,
            }
        } else if let Some(id) = key.strip_prefix("audit-")
            && let Some(json) = json
        {
            ConfigRecord::Audit {
                id: id.to_string(),
                entry: serde_json::from_value(json)
                    .map_err(|e| format!("config record {key}: {e}"))?,
            }
        } else if key.starts_with("worker-") || key == "assignment" || key.starts_with("released-")
        {
            let json = json.ok_or_else(bad)?;
            ConfigRecord::Coordination(
                serde_json::from_value(json).map_err(|e| format!("config record {key}: {e}"))?,
            )
        } else {
            ConfigRecord::Other(key.to_string())
        })
    }

    /// The record's key and value as written to the config topic.
    pub fn encode(&self) -> (String, Option<Vec<u8>>) {
        let props = |config: &ConfigMap| json!({ "properties": config }).to_string().into_bytes();
        match self {
            ConfigRecord::Connector { name, config } => {
                (format!("connector-{name}"), config.as_ref().map(props))
            }
            ConfigRecord::Task {
                connector,
                task,
                config,
            } => (
                format!("task-{connector}-{task}"),
                config.as_ref().map(props),
            ),
            ConfigRecord::Commit { connector, tasks } => (
                format!("commit-{connector}"),
                Some(json!({ "tasks": tasks }).to_string().into_bytes()),
            ),
            ConfigRecord::TargetState { connector, state } => (
                format!("target-state-{connector}"),
                state.map(|s| {
                    // Kafka writes `state` (PAUSED/STARTED for old workers) and `state.v2`.
                    let legacy = if s == TargetState::Stopped {
                        "PAUSED"
                    } else {
                        target_state_name(s)
                    };
                    json!({ "state": legacy, "state.v2": target_state_name(s) })
                        .to_string()
                        .into_bytes()
                }),
            ),
            ConfigRecord::Restart {
                connector,
                include_tasks,
                only_failed,
            } => (
                format!("restart-connector-{connector}"),
                Some(
                    json!({ "include-tasks": include_tasks, "only-failed": only_failed })
                        .to_string()
                        .into_bytes(),
                ),
            ),
            ConfigRecord::Coordination(record) => (record.key(), serde_json::to_vec(record).ok()),
            ConfigRecord::LoggerLevel { namespace, level } => (
                format!("logger-cluster-{namespace}"),
                Some(json!({ "level": level }).to_string().into_bytes()),
            ),
            ConfigRecord::Tenant { name, tenant } => (
                format!("tenant-{name}"),
                tenant.as_ref().and_then(|t| serde_json::to_vec(t).ok()),
            ),
            ConfigRecord::TenantKey { tenant, id, record } => (
                format!("tenant-key-{tenant}-{id}"),
                record.as_ref().and_then(|r| serde_json::to_vec(r).ok()),
            ),
            ConfigRecord::Audit { id, entry } => {
                (format!("audit-{id}"), serde_json::to_vec(entry).ok())
            }
            ConfigRecord::Other(key) => (key.clone(), None),
        }
    }
}

/// One connector as the config topic describes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConnectorEntry {
    /// Its config.
    pub config: ConfigMap,
    /// Target state.
    pub target: TargetState,
    /// Committed task configs.
    pub tasks: Vec<ConfigMap>,
    /// Task configs written but not committed yet.
    pending: BTreeMap<u32, ConfigMap>,
}

/// Every connector, from the config topic replayed in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigState {
    /// Connectors by name.
    pub connectors: BTreeMap<String, ConnectorEntry>,
    /// Target states written before their connector's config (`initial_state`: Kafka writes the
    /// target state first).
    early_targets: BTreeMap<String, TargetState>,
}

impl ConfigState {
    /// Apply one record; true when the set of work (connectors, tasks) may have changed.
    pub fn apply(&mut self, record: &ConfigRecord) -> bool {
        match record {
            ConfigRecord::Connector { name, config } => match config {
                Some(config) => {
                    let early = self.early_targets.remove(name);
                    let entry = self.connectors.entry(name.clone()).or_default();
                    entry.config = config.clone();
                    if let Some(target) = early {
                        entry.target = target;
                    }
                    true
                }
                None => {
                    self.early_targets.remove(name);
                    self.connectors.remove(name).is_some()
                }
            },
            ConfigRecord::Task {
                connector,
                task,
                config,
            } => {
                if let (Some(entry), Some(config)) = (self.connectors.get_mut(connector), config) {
                    entry.pending.insert(*task, config.clone());
                }
                false
            }
            ConfigRecord::Commit { connector, tasks } => {
                let Some(entry) = self.connectors.get_mut(connector) else {
                    return false;
                };
                let committed: Option<Vec<ConfigMap>> = (0..*tasks)
                    .map(|n| entry.pending.get(&n).cloned())
                    .collect();
                match committed {
                    Some(configs) => {
                        entry.tasks = configs;
                        entry.pending.clear();
                        true
                    }
                    None => {
                        tracing::warn!(
                            connector,
                            tasks,
                            "commit record without all its task configs; ignored"
                        );
                        false
                    }
                }
            }
            ConfigRecord::TargetState { connector, state } => {
                if let Some(entry) = self.connectors.get_mut(connector) {
                    let before = entry.target;
                    entry.target = state.unwrap_or_default();
                    return (before == TargetState::Stopped)
                        != (entry.target == TargetState::Stopped);
                }
                match state {
                    Some(state) => {
                        self.early_targets.insert(connector.clone(), *state);
                    }
                    None => {
                        self.early_targets.remove(connector);
                    }
                }
                false
            }
            ConfigRecord::Restart { .. }
            | ConfigRecord::Coordination(_)
            | ConfigRecord::LoggerLevel { .. }
            | ConfigRecord::Tenant { .. }
            | ConfigRecord::TenantKey { .. }
            | ConfigRecord::Audit { .. }
            | ConfigRecord::Other(_) => false,
        }
    }

    /// Every connector and committed task (none for a STOPPED connector).
    pub fn work(&self) -> BTreeSet<Work> {
        let mut work = BTreeSet::new();
        for (name, entry) in &self.connectors {
            if entry.target == TargetState::Stopped {
                continue;
            }
            work.insert(Work::Connector(name.clone()));
            for task in 0..entry.tasks.len() {
                work.insert(Work::Task {
                    connector: name.clone(),
                    task: u32::try_from(task).unwrap_or(u32::MAX),
                });
            }
        }
        work
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn round_trip(record: ConfigRecord) -> ConfigRecord {
        let (key, value) = record.encode();
        ConfigRecord::parse(&key, value.as_deref()).unwrap()
    }

    #[test]
    fn records_use_kafka_keys_and_values() {
        let c = config(&[("connector.class", "FileStreamSource")]);
        let record = ConfigRecord::Connector {
            name: "my-src".into(),
            config: Some(c.clone()),
        };
        let (key, value) = record.encode();
        assert_eq!(key, "connector-my-src");
        let json: Json = serde_json::from_slice(&value.unwrap()).unwrap();
        assert_eq!(
            json,
            json!({"properties": {"connector.class": "FileStreamSource"}})
        );
        assert_eq!(round_trip(record.clone()), record);
        let task = ConfigRecord::Task {
            connector: "my-src".into(),
            task: 11,
            config: Some(c),
        };
        assert_eq!(task.encode().0, "task-my-src-11");
        assert_eq!(round_trip(task.clone()), task);
        let commit = ConfigRecord::Commit {
            connector: "a-b".into(),
            tasks: 2,
        };
        assert_eq!(
            commit.encode(),
            ("commit-a-b".into(), Some(br#"{"tasks":2}"#.to_vec()))
        );
        let paused = ConfigRecord::TargetState {
            connector: "x".into(),
            state: Some(TargetState::Paused),
        };
        assert_eq!(round_trip(paused.clone()), paused);
        let stopped = ConfigRecord::TargetState {
            connector: "x".into(),
            state: Some(TargetState::Stopped),
        };
        let (_, value) = stopped.encode();
        let json: Json = serde_json::from_slice(&value.unwrap()).unwrap();
        assert_eq!(json, json!({"state": "PAUSED", "state.v2": "STOPPED"}));
        assert_eq!(round_trip(stopped.clone()), stopped);
        let deleted = ConfigRecord::Connector {
            name: "x".into(),
            config: None,
        };
        assert_eq!(deleted.encode(), ("connector-x".into(), None));
        assert_eq!(
            ConfigRecord::parse("session-key", Some(b"{}")).unwrap(),
            ConfigRecord::Other("session-key".into())
        );
        assert!(ConfigRecord::parse("commit-x", Some(b"{}")).is_err());
        let level = ConfigRecord::LoggerLevel {
            namespace: "wasm_connect::task".into(),
            level: "DEBUG".into(),
        };
        assert_eq!(round_trip(level.clone()), level);
    }

    #[test]
    fn tenant_records_round_trip() {
        let tenant = ConfigRecord::Tenant {
            name: "team-a".into(),
            tenant: Some(Tenant {
                name: "team-a".into(),
                topic_prefixes: vec!["a.".into()],
                ..Tenant::default()
            }),
        };
        assert_eq!(tenant.encode().0, "tenant-team-a");
        assert_eq!(round_trip(tenant.clone()), tenant);
        let key = ConfigRecord::TenantKey {
            tenant: "team-a".into(),
            id: "0123abcd".into(),
            record: Some(KeyRecord {
                id: "0123abcd".into(),
                tenant: "team-a".into(),
                sha256: "00".into(),
                created: "t".into(),
            }),
        };
        assert_eq!(key.encode().0, "tenant-key-team-a-0123abcd");
        assert_eq!(round_trip(key.clone()), key);
        let deleted = ConfigRecord::TenantKey {
            tenant: "team-a".into(),
            id: "0123abcd".into(),
            record: None,
        };
        assert_eq!(round_trip(deleted.clone()), deleted);
        let gone = ConfigRecord::Tenant {
            name: "team-a".into(),
            tenant: None,
        };
        assert_eq!(round_trip(gone.clone()), gone);
        let audit = ConfigRecord::Audit {
            id: "x1".into(),
            entry: AuditEntry::now(Some("team-a"), "k", "connector.create", "c"),
        };
        assert_eq!(round_trip(audit.clone()), audit);
    }

    #[test]
    fn tasks_become_visible_on_commit_and_deletes_remove_work() {
        let mut state = ConfigState::default();
        assert!(state.apply(&ConfigRecord::Connector {
            name: "c".into(),
            config: Some(config(&[]))
        }));
        assert_eq!(state.work(), BTreeSet::from([Work::Connector("c".into())]));
        for n in 0..2 {
            state.apply(&ConfigRecord::Task {
                connector: "c".into(),
                task: n,
                config: Some(config(&[("n", "x")])),
            });
        }
        assert_eq!(state.work().len(), 1, "not committed yet");
        assert!(state.apply(&ConfigRecord::Commit {
            connector: "c".into(),
            tasks: 2
        }));
        assert_eq!(state.work().len(), 3);
        assert!(
            !state.apply(&ConfigRecord::Commit {
                connector: "c".into(),
                tasks: 3
            }),
            "task 2 missing"
        );
        state.apply(&ConfigRecord::TargetState {
            connector: "c".into(),
            state: Some(TargetState::Stopped),
        });
        assert!(state.work().is_empty());
        state.apply(&ConfigRecord::TargetState {
            connector: "c".into(),
            state: Some(TargetState::Paused),
        });
        assert_eq!(state.work().len(), 3, "paused tasks stay assigned");
        // A target state written before the connector (initial_state) applies when it appears.
        state.apply(&ConfigRecord::TargetState {
            connector: "new".into(),
            state: Some(TargetState::Stopped),
        });
        state.apply(&ConfigRecord::Connector {
            name: "new".into(),
            config: Some(config(&[])),
        });
        assert_eq!(state.connectors["new"].target, TargetState::Stopped);
        assert!(!state.work().contains(&Work::Connector("new".into())));
        assert!(state.apply(&ConfigRecord::Connector {
            name: "c".into(),
            config: None
        }));
        assert!(state.work().is_empty());
    }
}
