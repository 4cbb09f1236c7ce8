//! Connector and task statuses in the status topic (`status.storage.topic`), in Kafka Connect's
//! format: `status-connector-<c>` / `status-task-<c>-<n>` → `{"state", "trace", "worker_id",
//! "generation"}`; deletes are tombstones. Every worker reads the topic, so any worker's REST API
//! can answer for tasks running elsewhere. Topic tracking records
//! (`status-topic-<topic>:connector-<c>`) make the status topic the distributed
//! [`ActiveTopicStore`].

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::kafka_io::{TopicTail, TopicWriter};
use crate::herder::{ActiveTopicStore, ConnectorState};

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

/// The status topic's key of a topic a connector used.
pub fn topic_key(topic: &str, connector: &str) -> String {
    format!("status-topic-{topic}:connector-{connector}")
}

/// (topic, connector) of a topic tracking key. Topic names cannot contain `:`.
fn parse_topic_key(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix("status-topic-")?.split_once(":connector-")
}

/// What the status topic adds up to.
#[derive(Default)]
struct StatusState {
    statuses: BTreeMap<String, StatusValue>,
    /// Connector → topics it used.
    topics: BTreeMap<String, BTreeSet<String>>,
    /// Topic tracking tombstones seen, per connector.
    topic_resets: BTreeMap<String, u64>,
}

impl StatusState {
    fn apply(&mut self, key: String, value: Option<&[u8]>) {
        if let Some((topic, connector)) = parse_topic_key(&key) {
            if value.is_some() {
                self.topics
                    .entry(connector.to_string())
                    .or_default()
                    .insert(topic.to_string());
            } else if let Some(topics) = self.topics.get_mut(connector) {
                topics.remove(topic);
                *self.topic_resets.entry(connector.to_string()).or_default() += 1;
            }
            return;
        }
        match value.and_then(|v| serde_json::from_slice::<StatusValue>(v).ok()) {
            Some(value) => {
                self.statuses.insert(key, value);
            }
            None => {
                self.statuses.remove(&key);
            }
        }
    }
}

/// The status topic: the latest status of everything, and a writer.
pub struct StatusStore {
    tail: TopicTail<StatusState>,
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
        let tail = TopicTail::start(settings, topic, StatusState::default(), |state, record| {
            state.apply(record.key, record.value.as_deref());
        })?;
        Ok(StatusStore {
            tail,
            writer: TopicWriter::open(settings, topic)?,
            timeout,
        })
    }

    /// The latest status under `key`.
    pub fn get(&self, key: &str) -> Option<StatusValue> {
        self.tail.with(|s| s.statuses.get(key).cloned())
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
        self.tail.update(|state| {
            for (key, value) in records {
                state.apply(key, value.as_deref());
            }
        });
        Ok(())
    }
}

impl ActiveTopicStore for StatusStore {
    fn record(&self, connector: &str, task: u32, topic: &str) -> bool {
        let discovered = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let value = serde_json::json!({"topic": {
            "name": topic, "connector": connector, "task": task, "discoverTimestamp": discovered
        }});
        let record = (
            topic_key(topic, connector),
            Some(value.to_string().into_bytes()),
        );
        if let Err(e) = self
            .writer
            .write(std::slice::from_ref(&record), self.timeout)
        {
            tracing::warn!(connector, topic, "cannot record the active topic: {e}");
            return false;
        }
        self.tail
            .update(|state| state.apply(record.0, record.1.as_deref()));
        true
    }

    fn topics(&self, connector: &str) -> Vec<String> {
        self.tail.with(|s| {
            s.topics
                .get(connector)
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default()
        })
    }

    fn reset(&self, connector: &str) -> Result<(), String> {
        let records: Vec<(String, Option<Vec<u8>>)> = self
            .topics(connector)
            .iter()
            .map(|topic| (topic_key(topic, connector), None))
            .collect();
        if records.is_empty() {
            return Ok(());
        }
        self.writer.write(&records, self.timeout)?;
        self.tail.update(|state| {
            for (key, value) in records {
                state.apply(key, value.as_deref());
            }
        });
        Ok(())
    }

    fn resets(&self, connector: &str) -> u64 {
        self.tail
            .with(|s| s.topic_resets.get(connector).copied().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_records_are_tracked_apart_from_statuses() {
        let mut state = StatusState::default();
        state.apply(topic_key("orders", "my-sink"), Some(b"{}"));
        state.apply(topic_key("orders.dlq", "my-sink"), Some(b"{}"));
        state.apply(
            connector_key("my-sink"),
            Some(br#"{"state":"RUNNING","trace":null,"worker_id":"w:1","generation":1}"#),
        );
        assert_eq!(state.topics["my-sink"].len(), 2);
        assert_eq!(state.statuses.len(), 1);
        state.apply(topic_key("orders", "my-sink"), None);
        assert_eq!(
            state.topics["my-sink"].iter().collect::<Vec<_>>(),
            vec!["orders.dlq"]
        );
        assert_eq!(state.topic_resets["my-sink"], 1);
        assert_eq!(
            parse_topic_key("status-topic-a.b:connector-c:connector-d"),
            Some(("a.b", "c:connector-d"))
        );
    }
}
