//! Plugins uploaded over REST: every check before a component is accepted, each with its own
//! message, and the stores that keep accepted uploads (a directory for standalone workers; the
//! distributed herder replicates them through `plugin.storage.topic`).

use std::path::PathBuf;
use std::sync::Arc;

use super::{Added, PluginRegistry, PluginSource, RegisteredPlugin, RegistryError, describe};

/// Default of `plugin.upload.max.bytes`: Python and JavaScript components reach 20 MB.
pub const DEFAULT_UPLOAD_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Over `plugin.upload.max.bytes` (413).
    #[error("The plugin is {size} bytes, more than plugin.upload.max.bytes ({max})")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// No bytes (400).
    #[error("The upload is empty; send the component's bytes as the request body")]
    Empty,
    /// Not WebAssembly at all (400).
    #[error("The upload is not WebAssembly: it does not start with the \\0asm magic number")]
    NotWasm,
    /// A core module, not a component (400).
    #[error(
        "The upload is a core WebAssembly module, not a component: build it for wasm32-wasip2, or wrap it with `wasm-tools component new`"
    )]
    CoreModule,
    /// It does not compile, fit a plugin world, link, or describe itself (400).
    #[error("{0}")]
    Rejected(String),
    /// Its name and version exist with other content, or its name is taken (409).
    #[error(transparent)]
    Conflict(RegistryError),
}

/// Where accepted uploads are kept so that they outlive the process.
pub trait PluginStore: Send + Sync {
    /// Keep `plugin` (whose component is `bytes`).
    fn save(&self, plugin: &RegisteredPlugin, bytes: &[u8]) -> Result<(), String>;
    /// Forget `plugin`.
    fn delete(&self, plugin: &RegisteredPlugin) -> Result<(), String>;
    /// Catch up with uploads and deletions made elsewhere (other workers); a local store has
    /// nothing to catch up with.
    fn sync(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Uploads as files `<name>-<version>-<sha256>.wasm` in a directory (standalone workers).
pub struct DirectoryPluginStore {
    dir: PathBuf,
}

impl DirectoryPluginStore {
    /// A store in `dir` (created when first needed).
    pub fn new(dir: PathBuf) -> DirectoryPluginStore {
        DirectoryPluginStore { dir }
    }

    /// The stored components, to load at start.
    pub fn files(&self) -> Vec<PathBuf> {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = read
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
            .collect();
        files.sort();
        files
    }

    fn path_of(&self, plugin: &RegisteredPlugin) -> PathBuf {
        let safe = |s: &str| {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        };
        self.dir.join(format!(
            "{}-{}-{}.wasm",
            safe(plugin.name()),
            safe(plugin.version()),
            plugin.sha256
        ))
    }
}

impl PluginStore for DirectoryPluginStore {
    fn save(&self, plugin: &RegisteredPlugin, bytes: &[u8]) -> Result<(), String> {
        let path = self.path_of(plugin);
        let io = |e: std::io::Error| format!("cannot store the plugin in {}: {e}", path.display());
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        Ok(())
    }

    fn delete(&self, plugin: &RegisteredPlugin) -> Result<(), String> {
        let path = self.path_of(plugin);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("cannot delete {}: {e}", path.display())),
        }
    }
}

/// Check the bytes' framing before compiling: WebAssembly, and a component rather than a module.
fn check_framing(bytes: &[u8], max_bytes: usize) -> Result<(), UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(UploadError::TooLarge {
            size: bytes.len(),
            max: max_bytes,
        });
    }
    if bytes.len() < 8 || &bytes[0..4] != b"\0asm" {
        return Err(UploadError::NotWasm);
    }
    // The 4 bytes after the magic: version 1 of a core module is 01 00 00 00; a component has a
    // version then layer 1 (`0d 00 01 00` today).
    if bytes[6..8] != [1, 0] {
        return Err(UploadError::CoreModule);
    }
    Ok(())
}

impl PluginRegistry {
    /// Check and register an uploaded component: framing, size, compilation, plugin world, imports,
    /// its own description, and its name and version against those registered. Same name,
    /// version and content again is not an error ([`Added::AlreadyPresent`]).
    pub fn install(
        &self,
        bytes: &[u8],
        max_bytes: usize,
        owner: Option<&str>,
    ) -> Result<(Arc<RegisteredPlugin>, Added), UploadError> {
        check_framing(bytes, max_bytes)?;
        let Some(runtime) = &self.runtime else {
            return Err(UploadError::Rejected(
                "this worker has no WebAssembly runtime to compile plugins".into(),
            ));
        };
        let mut plugin =
            describe(runtime, "upload", bytes, PluginSource::Uploaded).map_err(|e| match e {
                RegistryError::Invalid { message, .. } => UploadError::Rejected(message),
                other => UploadError::Rejected(other.to_string()),
            })?;
        plugin.owner = owner.map(str::to_string);
        let (name, version) = (plugin.name().to_string(), plugin.version().to_string());
        let added = self.add(plugin).map_err(UploadError::Conflict)?;
        let stored = self
            .find_for(owner, &name, Some(&version))
            .ok_or_else(|| UploadError::Rejected(format!("{name} {version} vanished")))?;
        Ok((stored, added))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn framing_names_what_is_wrong() {
        assert!(matches!(check_framing(b"", 10), Err(UploadError::Empty)));
        assert!(matches!(
            check_framing(b"\0asm\x0d\x00\x01\x00rest", 5),
            Err(UploadError::TooLarge { size: 12, max: 5 })
        ));
        assert!(matches!(
            check_framing(b"PK\x03\x04 a zip", 100),
            Err(UploadError::NotWasm)
        ));
        assert!(matches!(
            check_framing(b"\0asm\x01\x00\x00\x00", 100),
            Err(UploadError::CoreModule)
        ));
        assert!(check_framing(b"\0asm\x0d\x00\x01\x00", 100).is_ok());
    }

    #[test]
    fn a_registry_without_runtime_refuses_uploads() {
        let registry = PluginRegistry::default();
        let Err(e) = registry.install(b"\0asm\x0d\x00\x01\x00", 100, None) else {
            panic!("installed without a runtime");
        };
        assert!(e.to_string().contains("no WebAssembly runtime"), "{e}");
    }
}
