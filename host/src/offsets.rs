//! Source offset storage. Standalone workers keep offsets in `offset.storage.file.filename`,
//! written atomically (temp file, fsync, rename) and read at start. Keys and values use Kafka
//! Connect's JSON formats: key `["<connector>", {<source partition>}]`, value `{<source offset>}`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use wasm_connect_data::{OffsetMap, offset_map_from_json, offset_map_to_json};

use crate::runtime::OffsetReader;

/// Errors reading or writing offsets.
#[derive(Debug, thiserror::Error)]
pub enum OffsetStoreError {
    /// I/O failed.
    #[error("offset file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing to the offset topic failed.
    #[error("offset topic: {0}")]
    Kafka(String),
    /// The file is not an offsets file.
    #[error("offset file {path} is corrupt: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// Where source offsets live.
///
/// Standalone workers keep them in a file ([`FileOffsetStore`]); distributed workers in the
/// offset topic.
pub trait OffsetBackingStore: Send + Sync {
    /// The committed offset for `partition` of `connector`.
    fn get(&self, connector: &str, partition: &OffsetMap) -> Option<OffsetMap>;
    /// Durably store offsets of `connector`; returns only after they are safe.
    fn put(
        &self,
        connector: &str,
        offsets: &[(OffsetMap, OffsetMap)],
    ) -> Result<(), OffsetStoreError> {
        let changes: Vec<(OffsetMap, Option<OffsetMap>)> = offsets
            .iter()
            .map(|(partition, offset)| (partition.clone(), Some(offset.clone())))
            .collect();
        self.alter(connector, &changes)
    }
    /// Durably set (`Some`) or remove (`None`) offsets of `connector` (REST offset edits).
    fn alter(
        &self,
        connector: &str,
        offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> Result<(), OffsetStoreError>;
    /// Every (partition, offset) of `connector`.
    fn connector_offsets(&self, connector: &str) -> Vec<(OffsetMap, OffsetMap)>;
}

/// The key Kafka Connect uses: `["<connector>", {partition}]` as compact JSON.
pub fn offset_key(connector: &str, partition: &OffsetMap) -> String {
    serde_json::Value::Array(vec![connector.into(), offset_map_to_json(partition)]).to_string()
}

/// Offsets in a JSON file (Kafka uses Java serialization here; we use readable JSON).
pub struct FileOffsetStore {
    path: PathBuf,
    data: Mutex<BTreeMap<String, serde_json::Value>>,
}

impl FileOffsetStore {
    /// Open (or start) the offsets file at `path`.
    pub fn open(path: &Path) -> Result<FileOffsetStore, OffsetStoreError> {
        let data = match std::fs::read(path) {
            Ok(bytes) if bytes.is_empty() => BTreeMap::new(),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| OffsetStoreError::Corrupt {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => {
                return Err(OffsetStoreError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Ok(FileOffsetStore {
            path: path.to_path_buf(),
            data: Mutex::new(data),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, serde_json::Value>> {
        match self.data.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn write_file(
        &self,
        data: &BTreeMap<String, serde_json::Value>,
    ) -> Result<(), OffsetStoreError> {
        let io = |source| OffsetStoreError::Io {
            path: self.path.clone(),
            source,
        };
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        let bytes = serde_json::to_vec_pretty(data).map_err(|e| io(std::io::Error::other(e)))?;
        tmp.write_all(&bytes).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&self.path).map_err(|e| io(e.error))?;
        if let Ok(dir) = std::fs::File::open(dir) {
            // Make the rename durable too.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl OffsetBackingStore for FileOffsetStore {
    fn get(&self, connector: &str, partition: &OffsetMap) -> Option<OffsetMap> {
        let data = self.lock();
        data.get(&offset_key(connector, partition))
            .and_then(offset_map_from_json)
    }

    fn alter(
        &self,
        connector: &str,
        offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> Result<(), OffsetStoreError> {
        if offsets.is_empty() {
            return Ok(());
        }
        let mut data = self.lock();
        for (partition, offset) in offsets {
            let key = offset_key(connector, partition);
            match offset {
                Some(offset) => {
                    data.insert(key, offset_map_to_json(offset));
                }
                None => {
                    data.remove(&key);
                }
            }
        }
        self.write_file(&data)
    }

    fn connector_offsets(&self, connector: &str) -> Vec<(OffsetMap, OffsetMap)> {
        connector_entries(connector, self.lock().iter())
    }
}

/// The (partition, offset) pairs of `connector` among stored (key, offset) entries.
pub fn connector_entries<'a>(
    connector: &str,
    entries: impl Iterator<Item = (&'a String, &'a serde_json::Value)>,
) -> Vec<(OffsetMap, OffsetMap)> {
    entries
        .filter_map(|(key, value)| {
            let key: serde_json::Value = serde_json::from_str(key).ok()?;
            let parts = key.as_array()?;
            if parts.first()?.as_str()? != connector {
                return None;
            }
            Some((
                offset_map_from_json(parts.get(1)?)?,
                offset_map_from_json(value)?,
            ))
        })
        .collect()
}

/// A connector's view of the offset store, handed to its source tasks.
pub struct ConnectorOffsetReader {
    /// The store.
    pub store: Arc<dyn OffsetBackingStore>,
    /// The connector.
    pub connector: String,
}

impl OffsetReader for ConnectorOffsetReader {
    fn offset(&self, partition: &OffsetMap) -> Option<OffsetMap> {
        self.store.get(&self.connector, partition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_connect_data::OffsetValue;

    #[test]
    fn offsets_survive_reopening_and_use_kafka_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("offsets.json");
        let partition: OffsetMap = vec![("filename".into(), OffsetValue::String("/in.txt".into()))];
        let offset: OffsetMap = vec![("position".into(), OffsetValue::Int64(120))];
        {
            let store = FileOffsetStore::open(&path).expect("open");
            assert_eq!(store.get("src", &partition), None);
            store
                .put("src", &[(partition.clone(), offset.clone())])
                .expect("put");
        }
        let store = FileOffsetStore::open(&path).expect("reopen");
        assert_eq!(store.get("src", &partition), Some(offset.clone()));
        assert_eq!(store.get("other", &partition), None);
        assert_eq!(
            store.connector_offsets("src"),
            vec![(partition.clone(), offset)]
        );
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains(r#""[\"src\",{\"filename\":\"/in.txt\"}]""#),
            "{text}"
        );
    }

    #[test]
    fn a_corrupt_file_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("offsets.json");
        std::fs::write(&path, "not json").expect("write");
        assert!(matches!(
            FileOffsetStore::open(&path),
            Err(OffsetStoreError::Corrupt { .. })
        ));
    }
}
