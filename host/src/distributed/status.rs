//! Connector and task statuses in the status topic (`status.storage.topic`), in Kafka Connect's
//! format: `status-connector-<c>` / `status-task-<c>-<n>` → `{"state", "trace", "worker_id",
//! "generation"}`; deletes are tombstones. Every worker reads the topic, so any worker's REST API
//! can answer for tasks running elsewhere.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::kafka_io::{TopicTail, TopicWriter};
use crate::herder::ConnectorState;

/// One status record's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusValue {
    /// RUNNING, PAUSED, FAILED, UNASSIGNED, RESTARTING.
    pub state: String,
    /// The failure's trace.
    pub trace: Option<String>,
    /// `host:port` of the worker that runs it.
    pub worker_id: String,
    /// The generation it was written in.
    pub generation: u64,
}

impl StatusValue {
    /// The state, parsed (unknown names read as UNASSIGNED).
    pub fn connector_state(&self) -> ConnectorState {
        ConnectorState::from_name(&self.state).unwrap_or(ConnectorState::Unassigned)
    }
}

/// The status topic's key of a connector.
pub fn connector_key(connector: &str) -> String {
    format!("status-connector-{connector}")
}

/// The status topic's key of a task.
pub fn task_key(connector: &str, task: u32) -> String {
    format!("status-task-{connector}-{task}")
}

/// The status topic: the latest status of everything, and a writer.
pub struct StatusStore {
    tail: TopicTail<BTreeMap<String, StatusValue>>,
    writer: TopicWriter,
    timeout: Duration,
}

impl StatusStore {
    /// Read the whole topic, then follow it.
    pub fn open(
        settings: &BTreeMap<String, String>,
        topic: &str,
        timeout: Duration,
    ) -> Result<StatusStore, String> {
        let tail =
            TopicTail::start(
                settings,
                topic,
                BTreeMap::new(),
                |statuses, record| match record
                    .value
                    .and_then(|v| serde_json::from_slice::<StatusValue>(&v).ok())
                {
                    Some(value) => {
                        statuses.insert(record.key, value);
                    }
                    None => {
                        statuses.remove(&record.key);
                    }
                },
            )?;
        Ok(StatusStore {
            tail,
            writer: TopicWriter::open(settings, topic)?,
            timeout,
        })
    }

    /// The latest status under `key`.
    pub fn get(&self, key: &str) -> Option<StatusValue> {
        self.tail.with(|s| s.get(key).cloned())
    }

    /// Write statuses (`None` = tombstone), then remember them.
    pub fn put(&self, entries: Vec<(String, Option<StatusValue>)>) -> Result<(), String> {
        if entries.is_empty() {
            return Ok(());
        }
        let records: Vec<(String, Option<Vec<u8>>)> = entries
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_ref().and_then(|v| serde_json::to_vec(v).ok()),
                )
            })
            .collect();
        self.writer.write(&records, self.timeout)?;
        self.tail.update(|statuses| {
            for (key, value) in entries {
                match value {
                    Some(v) => {
                        statuses.insert(key, v);
                    }
                    None => {
                        statuses.remove(&key);
                    }
                }
            }
        });
        Ok(())
    }
}
