//! Source offsets in the offset topic (`offset.storage.topic`), in Kafka Connect's format: key
//! `["<connector>", {source partition}]`, value `{source offset}` (JSON), partitioned by key like
//! Kafka's Java clients. Every worker reads the whole topic, so a task that moves resumes from the
//! offsets its previous owner committed.

use std::collections::BTreeMap;
use std::time::Duration;

use wasm_connect_data::{OffsetMap, offset_map_from_json, offset_map_to_json};

use super::kafka_io::{TopicTail, TopicWriter};
use crate::offsets::{OffsetBackingStore, OffsetStoreError, connector_entries, offset_key};

/// Offsets by key (`["<c>", {partition}]` as compact JSON) → offset JSON.
type Offsets = BTreeMap<String, serde_json::Value>;

/// The offset topic as an [`OffsetBackingStore`].
pub struct KafkaOffsetStore {
    tail: TopicTail<Offsets>,
    writer: TopicWriter,
    timeout: Duration,
}

impl KafkaOffsetStore {
    /// Read the whole topic, then follow it.
    pub fn open(
        settings: &BTreeMap<String, String>,
        topic: &str,
        timeout: Duration,
    ) -> Result<KafkaOffsetStore, String> {
        let tail = TopicTail::start(settings, topic, Offsets::new(), |offsets, record| {
            // Re-encode the key so that keys written by other clients compare equal to ours.
            let key = serde_json::from_str::<serde_json::Value>(&record.key)
                .map(|k| k.to_string())
                .unwrap_or(record.key);
            match record.value.and_then(|v| serde_json::from_slice(&v).ok()) {
                Some(value) => {
                    offsets.insert(key, value);
                }
                None => {
                    offsets.remove(&key);
                }
            }
        })?;
        Ok(KafkaOffsetStore {
            tail,
            writer: TopicWriter::open(settings, topic)?,
            timeout,
        })
    }

    /// Catch up with offsets other workers wrote (before a task starts here).
    pub fn sync(&self) -> Result<(), String> {
        self.tail.sync(self.timeout)
    }
}

impl OffsetBackingStore for KafkaOffsetStore {
    fn get(&self, connector: &str, partition: &OffsetMap) -> Option<OffsetMap> {
        let key = offset_key(connector, partition);
        self.tail
            .with(|offsets| offsets.get(&key).and_then(offset_map_from_json))
    }

    fn alter(
        &self,
        connector: &str,
        offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> Result<(), OffsetStoreError> {
        if offsets.is_empty() {
            return Ok(());
        }
        let records: Vec<(String, Option<Vec<u8>>)> = offsets
            .iter()
            .map(|(partition, offset)| {
                (
                    offset_key(connector, partition),
                    offset
                        .as_ref()
                        .map(|o| offset_map_to_json(o).to_string().into_bytes()),
                )
            })
            .collect();
        self.writer
            .write(&records, self.timeout)
            .map_err(OffsetStoreError::Kafka)?;
        self.tail.update(|stored| {
            for (partition, offset) in offsets {
                let key = offset_key(connector, partition);
                match offset {
                    Some(offset) => {
                        stored.insert(key, offset_map_to_json(offset));
                    }
                    None => {
                        stored.remove(&key);
                    }
                }
            }
        });
        Ok(())
    }

    fn connector_offsets(&self, connector: &str) -> Vec<(OffsetMap, OffsetMap)> {
        self.tail
            .with(|offsets| connector_entries(connector, offsets.iter()))
    }
}
