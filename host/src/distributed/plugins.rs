//! Uploaded plugins replicated through `plugin.storage.topic` (compacted). A component is written
//! as chunks (`plugin-chunk-<sha256>-<n>`, raw bytes, small enough for any broker's message size)
//! and then a manifest (`plugin-manifest-<sha256>` → `{"name", "version", "sha256", "size",
//! "chunks"}`), so a reader never sees half an upload: every worker installs a plugin when its
//! manifest arrives, after checking that all chunks are there and hash to the manifest's SHA-256,
//! and compiles it itself (compiled code never travels). Deleting writes a tombstone for the
//! manifest, then for the chunks. A worker that joins later replays the topic and gets every plugin.
//! A tenant's private plugin carries its owner in the manifest and in the keys
//! (`<tenant>/<sha256>` in place of `<sha256>`), so two tenants may upload the same bytes.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, mpsc};
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
    /// The tenant whose private plugin it is; absent for a public plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl Manifest {
    /// The id of its records' keys.
    fn storage_id(&self) -> String {
        storage_id(self.owner.as_deref(), &self.sha256)
    }
}

/// What names an upload in record keys: its SHA-256, prefixed by the owner's name for a
/// tenant's private plugin.
fn storage_id(owner: Option<&str>, sha256: &str) -> String {
    match owner {
        Some(owner) => format!("{owner}/{sha256}"),
        None => sha256.to_string(),
    }
}

fn chunk_key(sha256: &str, index: usize) -> String {
    format!("{CHUNK_PREFIX}{sha256}-{index}")
}

fn manifest_key(sha256: &str) -> String {
    format!("{MANIFEST_PREFIX}{sha256}")
}

/// What a record asks of this worker's registry.
#[derive(Debug, PartialEq)]
enum Job {
    /// A complete upload whose bytes hash to its manifest's SHA-256.
    Install {
        /// The manifest.
        manifest: Manifest,
        /// The component.
        bytes: Vec<u8>,
    },
    /// A deleted upload.
    Remove {
        /// Its storage id (SHA-256, with the owner for a private plugin).
        id: String,
    },
}

/// Chunks seen, by SHA-256 then index; handed over once their manifest arrives.
#[derive(Default)]
struct Replica {
    chunks: BTreeMap<String, BTreeMap<usize, Vec<u8>>>,
}

impl Replica {
    /// Apply one record; a manifest or a manifest tombstone becomes a job for the installer.
    fn apply(&mut self, record: LogRecord) -> Option<Job> {
        if let Some(rest) = record.key.strip_prefix(CHUNK_PREFIX) {
            let (sha, index) = rest
                .rsplit_once('-')
                .and_then(|(sha, n)| n.parse::<usize>().ok().map(|n| (sha, n)))?;
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
            return None;
        }
        let sha = record.key.strip_prefix(MANIFEST_PREFIX)?;
        match record.value {
            Some(value) => match serde_json::from_slice::<Manifest>(&value) {
                Ok(manifest) if manifest.storage_id() == sha => {
                    let bytes = self.assemble(&manifest)?;
                    Some(Job::Install { manifest, bytes })
                }
                Ok(_) | Err(_) => {
                    tracing::warn!(key = %record.key, "ignoring a malformed plugin manifest");
                    None
                }
            },
            None => Some(Job::Remove {
                id: sha.to_string(),
            }),
        }
    }

    /// The component of `manifest`, when every chunk is there and they hash right.
    fn assemble(&mut self, manifest: &Manifest) -> Option<Vec<u8>> {
        let Some(chunks) = self.chunks.get(&manifest.storage_id()) else {
            tracing::warn!(plugin = %manifest.name, "plugin manifest without its chunks; ignored");
            return None;
        };
        if chunks.len() != manifest.chunks || (0..manifest.chunks).any(|i| !chunks.contains_key(&i))
        {
            tracing::warn!(plugin = %manifest.name, have = chunks.len(), want = manifest.chunks, "plugin chunks missing; ignored");
            return None;
        }
        let bytes: Vec<u8> = chunks.values().flatten().copied().collect();
        if bytes.len() != manifest.size || hex::encode(Sha256::digest(&bytes)) != manifest.sha256 {
            tracing::warn!(plugin = %manifest.name, "plugin chunks do not hash to the manifest's SHA-256; ignored");
            return None;
        }
        self.chunks.remove(&manifest.storage_id());
        Some(bytes)
    }
}

/// Installs and removes replicated plugins on a thread of its own, in topic order, so that
/// compiling (seconds for a Python plugin) never holds up the topic reader.
struct Installer {
    jobs: Mutex<mpsc::Sender<Job>>,
    /// Jobs submitted and not finished.
    pending: Arc<(Mutex<usize>, Condvar)>,
}

impl Installer {
    fn start(registry: Arc<PluginRegistry>, max_bytes: usize) -> Result<Installer, String> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let pending = Arc::new((Mutex::new(0usize), Condvar::new()));
        let done = pending.clone();
        std::thread::Builder::new()
            .name("plugin-installer".into())
            .spawn(move || {
                for job in queue {
                    run_job(&registry, max_bytes, job);
                    let (count, changed) = &*done;
                    let mut count = count.lock().unwrap_or_else(|p| p.into_inner());
                    *count = count.saturating_sub(1);
                    changed.notify_all();
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Installer {
            jobs: Mutex::new(jobs),
            pending,
        })
    }

    fn submit(&self, job: Job) {
        let (count, _) = &*self.pending;
        *count.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(job);
        if sent.is_err() {
            *count.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
            tracing::error!("the plugin installer has stopped");
        }
    }

    /// Wait until every submitted job is done.
    fn wait_idle(&self, timeout: Duration) -> Result<(), String> {
        let (count, changed) = &*self.pending;
        let guard = count.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, result) = changed
            .wait_timeout_while(guard, timeout, |n| *n > 0)
            .unwrap_or_else(|p| p.into_inner());
        if result.timed_out() && *guard > 0 {
            return Err(format!(
                "{} plugin installs still running after {timeout:?}",
                *guard
            ));
        }
        Ok(())
    }
}

fn run_job(registry: &PluginRegistry, max_bytes: usize, job: Job) {
    match job {
        Job::Install { manifest, bytes } => {
            match registry.install(
                &bytes,
                max_bytes.max(bytes.len()),
                manifest.owner.as_deref(),
            ) {
                Ok(_) => {
                    tracing::info!(plugin = %manifest.name, version = %manifest.version, "installed replicated plugin")
                }
                Err(e) => {
                    tracing::warn!(plugin = %manifest.name, "cannot install replicated plugin: {e}")
                }
            }
        }
        Job::Remove { id } => {
            let installed = registry.all().into_iter().find(|p| {
                storage_id(p.owner.as_deref(), &p.sha256) == id
                    && p.source == PluginSource::Uploaded
            });
            if let Some(plugin) = installed
                && let Err(e) =
                    registry.remove(plugin.owner.as_deref(), plugin.name(), plugin.version())
            {
                tracing::warn!(plugin = %plugin.name(), "cannot remove the deleted plugin: {e}");
            }
        }
    }
}

/// How long catching up may wait for replicated plugins to be compiled.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// The plugin topic: installs what others upload, and publishes this worker's uploads.
pub struct TopicPluginStore {
    writer: TopicWriter,
    tail: TopicTail<Replica>,
    installer: Arc<Installer>,
    timeout: Duration,
}

impl TopicPluginStore {
    /// Replay the topic into `registry` (returns once every plugin in it is installed), then
    /// follow it.
    pub fn open(
        settings: &BTreeMap<String, String>,
        topic: &str,
        registry: Arc<PluginRegistry>,
        max_bytes: usize,
        timeout: Duration,
    ) -> Result<TopicPluginStore, String> {
        let installer = Arc::new(Installer::start(registry, max_bytes)?);
        let submit = installer.clone();
        let tail = TopicTail::start(
            settings,
            topic,
            Replica::default(),
            move |replica, record| {
                if let Some(job) = replica.apply(record) {
                    submit.submit(job);
                }
            },
        )?;
        installer.wait_idle(INSTALL_TIMEOUT)?;
        Ok(TopicPluginStore {
            writer: TopicWriter::open(settings, topic)?,
            tail,
            installer,
            timeout,
        })
    }
}

impl PluginStore for TopicPluginStore {
    fn save(&self, plugin: &RegisteredPlugin, bytes: &[u8]) -> Result<(), String> {
        let chunks: Vec<&[u8]> = bytes.chunks(CHUNK_BYTES).collect();
        let id = storage_id(plugin.owner.as_deref(), &plugin.sha256);
        let mut records: Vec<(String, Option<Vec<u8>>)> = chunks
            .iter()
            .enumerate()
            .map(|(i, c)| (chunk_key(&id, i), Some(c.to_vec())))
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
            owner: plugin.owner.clone(),
        };
        let value = serde_json::to_vec(&manifest).map_err(|e| e.to_string())?;
        self.writer
            .write(&[(manifest_key(&id), Some(value))], self.timeout)
    }

    fn sync(&self) -> Result<(), String> {
        self.tail.sync(self.timeout)?;
        self.installer.wait_idle(INSTALL_TIMEOUT)
    }

    fn delete(&self, plugin: &RegisteredPlugin) -> Result<(), String> {
        let chunks = plugin_chunks(plugin);
        let id = storage_id(plugin.owner.as_deref(), &plugin.sha256);
        let mut records = vec![(manifest_key(&id), None)];
        records.extend((0..chunks).map(|i| (chunk_key(&id, i), None)));
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
    fn only_a_complete_upload_that_hashes_right_becomes_an_install() {
        let mut replica = Replica::default();
        let bytes = vec![7u8; 10];
        let sha = hex::encode(Sha256::digest(&bytes));
        replica.apply(record(chunk_key(&sha, 0), Some(bytes[..5].to_vec())));
        let manifest = Manifest {
            name: "P".into(),
            version: "1".into(),
            sha256: sha.clone(),
            size: 10,
            chunks: 2,
            owner: None,
        };
        let value = serde_json::to_vec(&manifest).unwrap();
        // One chunk of two: nothing yet, the chunk is kept for later.
        assert_eq!(
            replica.apply(record(manifest_key(&sha), Some(value.clone()))),
            None
        );
        assert_eq!(replica.chunks[&sha].len(), 1);
        // A wrong second chunk: the hash does not match.
        replica.apply(record(chunk_key(&sha, 1), Some(vec![0u8; 5])));
        assert_eq!(
            replica.apply(record(manifest_key(&sha), Some(value.clone()))),
            None
        );
        // The right one: an install with the whole component; the chunks are let go.
        replica.apply(record(chunk_key(&sha, 1), Some(bytes[5..].to_vec())));
        assert_eq!(
            replica.apply(record(manifest_key(&sha), Some(value))),
            Some(Job::Install {
                manifest,
                bytes: bytes.clone()
            })
        );
        assert!(replica.chunks.is_empty());
        // A manifest under another hash's key is ignored; a tombstone is a removal.
        assert_eq!(
            replica.apply(record(manifest_key("other"), Some(b"{}".to_vec()))),
            None
        );
        assert_eq!(
            replica.apply(record(manifest_key(&sha), None)),
            Some(Job::Remove { id: sha })
        );
    }

    #[test]
    fn a_private_upload_is_keyed_by_its_owner() {
        let mut replica = Replica::default();
        let bytes = vec![3u8; 4];
        let sha = hex::encode(Sha256::digest(&bytes));
        let manifest = Manifest {
            name: "P".into(),
            version: "1".into(),
            sha256: sha.clone(),
            size: 4,
            chunks: 1,
            owner: Some("team-a".into()),
        };
        let id = manifest.storage_id();
        assert_eq!(id, format!("team-a/{sha}"));
        replica.apply(record(chunk_key(&id, 0), Some(bytes.clone())));
        let value = serde_json::to_vec(&manifest).unwrap();
        // Under the public key the manifest does not match its owner: ignored.
        assert_eq!(
            replica.apply(record(manifest_key(&sha), Some(value.clone()))),
            None
        );
        assert_eq!(
            replica.apply(record(manifest_key(&id), Some(value))),
            Some(Job::Install { manifest, bytes })
        );
    }

    #[test]
    fn the_installer_reports_idle_once_its_jobs_are_done() {
        let installer = Installer::start(Arc::new(PluginRegistry::default()), 100).unwrap();
        installer.submit(Job::Remove { id: "none".into() });
        installer.wait_idle(Duration::from_secs(10)).unwrap();
    }
}
