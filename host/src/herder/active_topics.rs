//! Kafka Connect's topic tracking (KIP-558): the topics each connector has produced to or
//! consumed from since its last reset, for `GET /connectors/{c}/topics`. Standalone workers keep
//! them in memory (as Kafka's standalone worker does); distributed workers in the status topic.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, Mutex};

/// Where the active topics of connectors are kept.
pub trait ActiveTopicStore: Send + Sync {
    /// Task `task` of `connector` used `topic` (first use only; callers remember what they
    /// sent); false when it could not be recorded (to try again later).
    fn record(&self, connector: &str, task: u32, topic: &str) -> bool;
    /// The topics `connector` used, sorted.
    fn topics(&self, connector: &str) -> Vec<String>;
    /// Forget the topics of `connector`.
    fn reset(&self, connector: &str) -> Result<(), String>;
    /// A number that changes whenever the topics of `connector` are forgotten (so that its tasks
    /// report them again).
    fn resets(&self, connector: &str) -> u64;
}

/// Active topics in memory (standalone).
#[derive(Default)]
pub struct MemoryActiveTopics {
    topics: Mutex<BTreeMap<String, BTreeSet<String>>>,
    resets: Mutex<BTreeMap<String, u64>>,
}

impl MemoryActiveTopics {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, BTreeSet<String>>> {
        self.topics.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ActiveTopicStore for MemoryActiveTopics {
    fn record(&self, connector: &str, _task: u32, topic: &str) -> bool {
        self.lock()
            .entry(connector.to_string())
            .or_default()
            .insert(topic.to_string());
        true
    }

    fn topics(&self, connector: &str) -> Vec<String> {
        self.lock()
            .get(connector)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn reset(&self, connector: &str) -> Result<(), String> {
        self.lock().remove(connector);
        *self
            .resets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(connector.to_string())
            .or_default() += 1;
        Ok(())
    }

    fn resets(&self, connector: &str) -> u64 {
        self.resets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(connector)
            .copied()
            .unwrap_or(0)
    }
}

/// A task's view of the store: reports each topic once.
pub struct TopicTracker {
    store: Arc<dyn ActiveTopicStore>,
    connector: String,
    task: u32,
    seen: HashSet<String>,
    resets: u64,
}

impl TopicTracker {
    /// A tracker for task `task` of `connector`.
    pub fn new(store: Arc<dyn ActiveTopicStore>, connector: &str, task: u32) -> TopicTracker {
        TopicTracker {
            resets: store.resets(connector),
            store,
            connector: connector.to_string(),
            task,
            seen: HashSet::new(),
        }
    }

    /// The task used `topic`.
    pub fn saw(&mut self, topic: &str) {
        let resets = self.store.resets(&self.connector);
        if resets != self.resets {
            self.resets = resets;
            self.seen.clear();
        }
        if !self.seen.contains(topic) && self.store.record(&self.connector, self.task, topic) {
            self.seen.insert(topic.to_string());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_kept_per_connector_until_reset() {
        let store = Arc::new(MemoryActiveTopics::default());
        let mut tracker = TopicTracker::new(store.clone(), "c", 0);
        tracker.saw("b");
        tracker.saw("a");
        tracker.saw("b");
        store.record("other", 0, "x");
        assert_eq!(store.topics("c"), vec!["a", "b"]);
        store.reset("c").unwrap();
        assert!(store.topics("c").is_empty());
        assert_eq!(store.topics("other"), vec!["x"]);
        tracker.saw("b");
        assert_eq!(store.topics("c"), vec!["b"], "reported again after a reset");
    }
}
