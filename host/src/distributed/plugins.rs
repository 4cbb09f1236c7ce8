//! Uploaded plugins replicated through `plugin.storage.topic` (compacted). A component is written
//! as chunks (`plugin-chunk-<sha256>-<n>`, raw bytes, small enough for any broker's message size)
//! and then a manifest (`plugin-manifest-<sha256>` → `{"name", "version", "sha256", "size",
//! "chunks"}`), so a reader never sees half an upload: every worker installs a plugin when its
//! manifest arrives, after checking that all chunks are there and hash to the manifest's SHA-256,
//! and compiles it itself (compiled code never travels). Deleting writes a tombstone for the
//! manifest, then for the chunks. A worker that joins later replays the topic and gets every plugin.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::kafka_io::{LogRecord, TopicTail, TopicWriter};
use crate::plugins::{PluginRegistry, PluginSource, PluginStore, RegisteredPlugin};

/// Bytes per chunk: well under Kafka's default 1 MB message limit.
pub const CHUNK_BYTES: usize = 512 * 1024;

const CHUNK_PREFIX: &str = "plugin-chunk-";
const MANIFEST_PREFIX: &str = "plugin-manifest-";

/// The record that makes an upload visible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Plugin name.
    pub name: String,
    /// Plugin version.
    pub version: String,
    /// SHA-256 of the component, hex.
    pub sha256: String,
    /// Component size in bytes.
    pub size: usize,
    /// Number of chunks.
    pub chunks: usize,
}

fn chunk_key(sha256: &str, index: usize) -> String {
    format!("{CHUNK_PREFIX}{sha256}-{index}")
}

fn manifest_key(sha256: &str) -> String {
    format!("{MANIFEST_PREFIX}{sha256}")
}

/// Chunks seen, by SHA-256 then index; dropped once their plugin is installed.
#[derive(Default)]
struct Replica {
    chunks: BTreeMap<String, BTreeMap<usize, Vec<u8>>>,
}

impl Replica {
    /// Apply one record; install or remove plugins in `registry` as manifests come and go.
    fn apply(&mut self, registry: &PluginRegistry, max_bytes: usize, record: LogRecord) {
        if let Some(rest) = record.key.strip_prefix(CHUNK_PREFIX) {
            let Some((sha, index)) = rest
                .rsplit_once('-')
                .and_then(|(sha, n)| n.parse::<usize>().ok().map(|n| (sha, n)))
            else {
                return;
            };
            match record.value {
                Some(bytes) => {
                    self.chunks
                        .entry(sha.to_string())
                        .or_default()
                        .insert(index, bytes);
                }
                None => {
                    if let Some(chunks) = self.chunks.get_mut(sha) {
                        chunks.remove(&index);
                    }
                }
            }
            return;
        }
        let Some(sha) = record.key.strip_prefix(MANIFEST_PREFIX) else {
            return;
        };
        match record.value {
            Some(value) => match serde_json::from_slice::<Manifest>(&value) {
                Ok(manifest) if manifest.sha256 == sha => {
                    self.install(registry, max_bytes, &manifest)
                }
                Ok(_) | Err(_) => {
                    tracing::warn!(key = %record.key, "ignoring a malformed plugin manifest")
                }
            },
            None => {
                let installed = registry
                    .all()
                    .into_iter()
                    .find(|p| p.sha256 == sha && p.source == PluginSource::Uploaded);
                if let Some(plugin) = installed
                    && let Err(e) = registry.remove(plugin.name(), plugin.version())
                {
                    tracing::warn!(plugin = %plugin.name(), "cannot remove the deleted plugin: {e}");
                }
            }
        }
    }

    fn install(&mut self, registry: &PluginRegistry, max_bytes: usize, manifest: &Manifest) {
        let Some(chunks) = self.chunks.get(&manifest.sha256) else {
            tracing::warn!(plugin = %manifest.name, "plugin manifest without its chunks; ignored");
            return;
        };
        if chunks.len() != manifest.chunks || (0..manifest.chunks).any(|i| !chunks.contains_key(&i))
        {
            tracing::warn!(plugin = %manifest.name, have = chunks.len(), want = manifest.chunks, "plugin chunks missing; ignored");
            return;
        }
        let bytes: Vec<u8> = chunks.values().flatten().copied().collect();
        if bytes.len() != manifest.size || hex::encode(Sha256::digest(&bytes)) != manifest.sha256 {
            tracing::warn!(plugin = %manifest.name, "plugin chunks do not hash to the manifest's SHA-256; ignored");
            return;
        }
        match registry.install(&bytes, max_bytes.max(bytes.len())) {
            Ok(_) => {
                tracing::info!(plugin = %manifest.name, version = %manifest.version, "installed replicated plugin");
                self.chunks.remove(&manifest.sha256);
            }
            Err(e) => {
                tracing::warn!(plugin = %manifest.name, "cannot install replicated plugin: {e}")
            }
        }
    }
}

/// The plugin topic: installs what others upload, and publishes this worker's uploads.
pub struct TopicPluginStore {
    writer: TopicWriter,
    tail: TopicTail<Replica>,
    timeout: Duration,
}

impl TopicPluginStore {
    /// Replay the topic into `registry` (returns once caught up), then follow it.
    pub fn open(
        settings: &BTreeMap<String, String>,
        topic: &str,
        registry: Arc<PluginRegistry>,
        max_bytes: usize,
        timeout: Duration,
    ) -> Result<TopicPluginStore, String> {
        let tail = TopicTail::start(
            settings,
            topic,
            Replica::default(),
            move |replica, record| {
                replica.apply(&registry, max_bytes, record);
            },
        )?;
        Ok(TopicPluginStore {
            writer: TopicWriter::open(settings, topic)?,
            tail,
            timeout,
        })
    }
}

impl PluginStore for TopicPluginStore {
    fn save(&self, plugin: &RegisteredPlugin, bytes: &[u8]) -> Result<(), String> {
        let chunks: Vec<&[u8]> = bytes.chunks(CHUNK_BYTES).collect();
        let mut records: Vec<(String, Option<Vec<u8>>)> = chunks
            .iter()
            .enumerate()
            .map(|(i, c)| (chunk_key(&plugin.sha256, i), Some(c.to_vec())))
            .collect();
        // Chunks first, acknowledged; the manifest last makes the plugin visible.
        self.writer.write(&records, self.timeout)?;
        records.clear();
        let manifest = Manifest {
            name: plugin.name().to_string(),
            version: plugin.version().to_string(),
            sha256: plugin.sha256.clone(),
            size: bytes.len(),
            chunks: chunks.len(),
        };
        let value = serde_json::to_vec(&manifest).map_err(|e| e.to_string())?;
        self.writer
            .write(&[(manifest_key(&plugin.sha256), Some(value))], self.timeout)
    }

    fn sync(&self) -> Result<(), String> {
        self.tail.sync(self.timeout)
    }

    fn delete(&self, plugin: &RegisteredPlugin) -> Result<(), String> {
        let chunks = plugin_chunks(plugin);
        let mut records = vec![(manifest_key(&plugin.sha256), None)];
        records.extend((0..chunks).map(|i| (chunk_key(&plugin.sha256, i), None)));
        self.writer.write(&records, self.timeout)
    }
}

/// How many chunks a plugin was written in (from its component's size).
fn plugin_chunks(plugin: &RegisteredPlugin) -> usize {
    plugin.size.div_ceil(CHUNK_BYTES).max(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(key: String, value: Option<Vec<u8>>) -> LogRecord {
        LogRecord {
            partition: 0,
            offset: 0,
            key,
            value,
        }
    }

    #[test]
    fn a_manifest_without_all_chunks_or_with_a_wrong_hash_installs_nothing() {
        let registry = PluginRegistry::default();
        let mut replica = Replica::default();
        let bytes = vec![7u8; 10];
        let sha = hex::encode(Sha256::digest(&bytes));
        replica.apply(
            &registry,
            100,
            record(chunk_key(&sha, 0), Some(bytes[..5].to_vec())),
        );
        let manifest = Manifest {
            name: "P".into(),
            version: "1".into(),
            sha256: sha.clone(),
            size: 10,
            chunks: 2,
        };
        let value = serde_json::to_vec(&manifest).unwrap();
        // One chunk of two: ignored, chunk kept for later.
        replica.apply(
            &registry,
            100,
            record(manifest_key(&sha), Some(value.clone())),
        );
        assert!(registry.all().is_empty());
        assert_eq!(replica.chunks[&sha].len(), 1);
        // A wrong second chunk: the hash does not match; still nothing.
        replica.apply(
            &registry,
            100,
            record(chunk_key(&sha, 1), Some(vec![0u8; 5])),
        );
        replica.apply(&registry, 100, record(manifest_key(&sha), Some(value)));
        assert!(registry.all().is_empty());
        // A manifest under another hash's key is ignored.
        replica.apply(
            &registry,
            100,
            record(manifest_key("other"), Some(b"{}".to_vec())),
        );
        assert!(registry.all().is_empty());
    }
}
