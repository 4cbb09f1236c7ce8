//! The plugin registry: plugins shipped inside the binary plus `.wasm` files from `plugin.path`,
//! each compiled once and described by its own `info` and `config-definition` exports.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::runtime::PluginDescription;
use crate::runtime::{
    ComponentKind, Grants, InstanceContext, LoadedComponent, PluginInstance, PluginRuntime,
};

mod upload;

pub use upload::{DEFAULT_UPLOAD_MAX_BYTES, DirectoryPluginStore, PluginStore, UploadError};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_plugins.rs"));
}

/// The bytes of a plugin shipped in the binary, by file name (`cast.wasm`).
pub fn embedded_component(file: &str) -> Option<&'static [u8]> {
    embedded::EMBEDDED_PLUGINS
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, bytes)| *bytes)
}

/// Memory cap used while asking a plugin to describe itself.
const DESCRIBE_MEMORY_BYTES: u64 = 512 * 1024 * 1024;

/// Errors loading plugins.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A plugin file could not be read.
    #[error("cannot read plugin {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A plugin could not be compiled or described.
    #[error("plugin {name}: {message}")]
    Invalid {
        /// File or embedded name.
        name: String,
        /// Why.
        message: String,
    },
    /// Two plugins claim the same name or alias.
    #[error("plugin name {name} is claimed by both {first} and {second}")]
    Conflict {
        /// The name.
        name: String,
        /// First plugin.
        first: String,
        /// Second plugin.
        second: String,
    },
    /// This name and version exist with other content; versions are immutable.
    #[error(
        "{name} version {version} already exists with different content (sha256 {existing}, this one {new}); publish it under a new version"
    )]
    VersionExists {
        /// Plugin name.
        name: String,
        /// Version.
        version: String,
        /// Hash of the stored one.
        existing: String,
        /// Hash of the new one.
        new: String,
    },
    /// A new version of a plugin must be of the same kind as the others.
    #[error("{name} is a {existing} plugin; a new version cannot be a {new} (choose another name)")]
    KindChange {
        /// Plugin name.
        name: String,
        /// Kind of the versions there.
        existing: &'static str,
        /// Kind of the new one.
        new: &'static str,
    },
    /// No such plugin version.
    #[error("Plugin {name} has no version {version}")]
    NoSuchVersion {
        /// Plugin name.
        name: String,
        /// Version.
        version: String,
    },
    /// Bundled and `plugin.path` plugins cannot be deleted over REST.
    #[error("Plugin {name} comes from {origin} and cannot be deleted; only uploaded plugins can")]
    NotRemovable {
        /// Plugin name.
        name: String,
        /// Where it came from.
        origin: String,
    },
}

/// Where a plugin came from; only uploaded plugins may be deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PluginSource {
    /// Shipped inside the binary.
    Bundled,
    /// A `.wasm` file under `plugin.path`.
    PluginPath,
    /// Uploaded over REST.
    Uploaded,
}

/// A plugin ready to use.
pub struct RegisteredPlugin {
    /// What it says about itself.
    pub description: PluginDescription,
    /// The compiled component.
    pub loaded: Arc<LoadedComponent>,
    /// Where it came from (`embedded:<file>`, a path, or `upload`).
    pub origin: String,
    /// SHA-256 of the component bytes, hex.
    pub sha256: String,
    /// Size of the component in bytes.
    pub size: usize,
    /// Bundled, from `plugin.path`, or uploaded.
    pub source: PluginSource,
    /// The tenant whose private plugin this is; `None` for a plugin every connector may use.
    pub owner: Option<String>,
}

impl RegisteredPlugin {
    /// Its kind.
    pub fn kind(&self) -> ComponentKind {
        self.loaded.kind
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.description.name
    }

    /// Its version.
    pub fn version(&self) -> &str {
        &self.description.version
    }

    /// Whether `name` is its name or one of its aliases.
    fn answers_to(&self, name: &str) -> bool {
        self.description.name == name || self.description.aliases.iter().any(|a| a == name)
    }

    /// Whether connectors of `tenant` (`None`: no tenant) may use it: public plugins, and the
    /// tenant's own.
    pub fn visible_to(&self, tenant: Option<&str>) -> bool {
        self.owner.is_none() || self.owner.as_deref() == tenant
    }
}

/// All plugins a worker knows, every version, by name and alias. Plugins may be added and
/// removed while the worker runs (uploads); readers get `Arc`s that stay valid.
#[derive(Default)]
pub struct PluginRegistry {
    plugins: RwLock<Vec<Arc<RegisteredPlugin>>>,
    /// Compiles uploads (absent in registries built by hand, as in tests).
    runtime: Option<Arc<PluginRuntime>>,
    /// Held while an upload is installed and kept, or a version deleted: one at a time.
    edits: std::sync::Mutex<()>,
}

/// What [`PluginRegistry::add`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    /// A new plugin version.
    New,
    /// The same name, version and content was already there.
    AlreadyPresent,
}

impl PluginRegistry {
    /// Load the embedded plugins, every `.wasm` under `plugin_path` (files or directories), and
    /// the `uploaded` components kept from earlier uploads.
    pub fn load(
        runtime: &Arc<PluginRuntime>,
        plugin_path: &[PathBuf],
        uploaded: &[PathBuf],
    ) -> Result<PluginRegistry, RegistryError> {
        let mut sources: Vec<(String, Vec<u8>, PluginSource)> = embedded::EMBEDDED_PLUGINS
            .iter()
            .map(|(name, bytes)| {
                (
                    format!("embedded:{name}"),
                    bytes.to_vec(),
                    PluginSource::Bundled,
                )
            })
            .collect();
        for path in plugin_path {
            for file in wasm_files(path)? {
                let bytes = std::fs::read(&file).map_err(|source| RegistryError::Read {
                    path: file.clone(),
                    source,
                })?;
                sources.push((file.display().to_string(), bytes, PluginSource::PluginPath));
            }
        }
        for file in uploaded {
            let bytes = std::fs::read(file).map_err(|source| RegistryError::Read {
                path: file.clone(),
                source,
            })?;
            sources.push((file.display().to_string(), bytes, PluginSource::Uploaded));
        }
        let results: Vec<Result<RegisteredPlugin, RegistryError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = sources
                .iter()
                .map(|(origin, bytes, source)| {
                    scope.spawn(move || describe(runtime, origin, bytes, *source))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(RegistryError::Invalid {
                            name: "?".into(),
                            message: "plugin loader thread panicked".into(),
                        })
                    })
                })
                .collect()
        });
        let registry = PluginRegistry {
            runtime: Some(runtime.clone()),
            ..PluginRegistry::default()
        };
        for (result, (origin, _, source)) in results.into_iter().zip(&sources) {
            match result {
                Ok(plugin) => {
                    registry.add(plugin)?;
                }
                // A kept upload that no longer loads (say, after a WIT version change) must not
                // keep the worker from starting.
                Err(e) if *source == PluginSource::Uploaded => {
                    tracing::error!(%origin, "skipping an uploaded plugin that does not load: {e}");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(registry)
    }

    /// Hold while installing and keeping an upload, or deleting a version (blocking).
    pub fn edit_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.edits.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<RegisteredPlugin>>> {
        self.plugins.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Arc<RegisteredPlugin>>> {
        self.plugins.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Register a plugin version under its name and aliases. The same name and version with the
    /// same content is [`Added::AlreadyPresent`]; with other content, or a name or alias that
    /// another plugin answers to, it is a conflict.
    pub fn add(&self, plugin: RegisteredPlugin) -> Result<Added, RegistryError> {
        let mut plugins = self.write();
        let names: Vec<&String> = std::iter::once(&plugin.description.name)
            .chain(plugin.description.aliases.iter())
            .collect();
        for existing in plugins.iter() {
            let same_owner = existing.owner == plugin.owner;
            // Two tenants' private plugins never meet; a private name may not shadow a public
            // one (or the other way round): that is a conflict below.
            if !same_owner && existing.owner.is_some() && plugin.owner.is_some() {
                continue;
            }
            if same_owner && existing.name() == plugin.name() {
                if existing.kind() != plugin.kind() {
                    return Err(RegistryError::KindChange {
                        name: plugin.name().to_string(),
                        existing: existing.kind().type_name(),
                        new: plugin.kind().type_name(),
                    });
                }
                if existing.version() == plugin.version() {
                    if existing.sha256 == plugin.sha256 {
                        return Ok(Added::AlreadyPresent);
                    }
                    return Err(RegistryError::VersionExists {
                        name: plugin.name().to_string(),
                        version: plugin.version().to_string(),
                        existing: existing.sha256.clone(),
                        new: plugin.sha256.clone(),
                    });
                }
                continue;
            }
            if let Some(name) = names.iter().find(|n| existing.answers_to(n)) {
                return Err(RegistryError::Conflict {
                    name: (*name).clone(),
                    first: existing.origin.clone(),
                    second: plugin.origin.clone(),
                });
            }
        }
        tracing::info!(plugin = %plugin.description.name, version = %plugin.description.version, kind = plugin.kind().type_name(), origin = %plugin.origin, "registered plugin");
        plugins.push(Arc::new(plugin));
        Ok(Added::New)
    }

    /// Remove one version of an uploaded plugin of `owner` (`None`: a public one).
    pub fn remove(
        &self,
        owner: Option<&str>,
        name: &str,
        version: &str,
    ) -> Result<Arc<RegisteredPlugin>, RegistryError> {
        let mut plugins = self.write();
        let index = plugins
            .iter()
            .position(|p| {
                p.owner.as_deref() == owner && p.answers_to(name) && p.version() == version
            })
            .ok_or_else(|| RegistryError::NoSuchVersion {
                name: name.to_string(),
                version: version.to_string(),
            })?;
        if plugins[index].source != PluginSource::Uploaded {
            return Err(RegistryError::NotRemovable {
                name: plugins[index].name().to_string(),
                origin: plugins[index].origin.clone(),
            });
        }
        let removed = plugins.remove(index);
        tracing::info!(plugin = %removed.name(), version, "removed plugin version");
        Ok(removed)
    }

    /// The newest version of the public plugin with this name or alias.
    pub fn find(&self, name: &str) -> Option<Arc<RegisteredPlugin>> {
        self.find_version(name, None)
    }

    /// The public plugin with this name or alias: `version` exactly, or the newest when `None`.
    pub fn find_version(&self, name: &str, version: Option<&str>) -> Option<Arc<RegisteredPlugin>> {
        self.find_for(None, name, version)
    }

    /// The plugin with this name or alias that connectors of `tenant` may use (public, or the
    /// tenant's own): `version` exactly, or the newest when `None`.
    pub fn find_for(
        &self,
        tenant: Option<&str>,
        name: &str,
        version: Option<&str>,
    ) -> Option<Arc<RegisteredPlugin>> {
        let name = name.trim();
        self.read()
            .iter()
            .filter(|p| p.visible_to(tenant) && p.answers_to(name))
            .filter(|p| version.is_none_or(|v| p.version() == v.trim()))
            .max_by(|a, b| compare_versions(a.version(), b.version()))
            .cloned()
    }

    /// Every version of the public plugin with this name or alias, oldest first.
    pub fn versions(&self, name: &str) -> Vec<Arc<RegisteredPlugin>> {
        self.versions_for(None, name)
    }

    /// Every version of the plugin with this name or alias that `tenant` sees, oldest first.
    pub fn versions_for(&self, tenant: Option<&str>, name: &str) -> Vec<Arc<RegisteredPlugin>> {
        let name = name.trim();
        let mut versions: Vec<Arc<RegisteredPlugin>> = self
            .read()
            .iter()
            .filter(|p| p.visible_to(tenant) && p.answers_to(name))
            .cloned()
            .collect();
        versions.sort_by(|a, b| compare_versions(a.version(), b.version()));
        versions
    }

    /// Every plugin version, sorted by name, then version.
    pub fn all(&self) -> Vec<Arc<RegisteredPlugin>> {
        let mut all = self.read().clone();
        all.sort_by(|a, b| {
            a.name()
                .cmp(b.name())
                .then_with(|| compare_versions(a.version(), b.version()))
        });
        all
    }
}

/// Order versions the way people read them: parts separated by `.` compare as numbers when both
/// are numeric (`0.10.0` > `0.9.1`), a numeric part before a text one, text parts as text; a
/// release after its pre-releases (`1.0.0` > `1.0.0-rc.2` > `1.0.0-rc.1`). A total order: versions
/// equal by these rules (`1.0`, `1.0.0`) are ordered by their text.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn part(x: &str, y: &str) -> Ordering {
        match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        }
    }
    fn parts(x: &str, y: &str) -> Ordering {
        let xs: Vec<&str> = x.split('.').collect();
        let ys: Vec<&str> = y.split('.').collect();
        for i in 0..xs.len().max(ys.len()) {
            // A missing part is the smallest part there is.
            let order = part(
                xs.get(i).copied().unwrap_or("0"),
                ys.get(i).copied().unwrap_or("0"),
            );
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
    let (ra, pa) = a.split_once('-').map_or((a, None), |(r, p)| (r, Some(p)));
    let (rb, pb) = b.split_once('-').map_or((b, None), |(r, p)| (r, Some(p)));
    parts(ra, rb)
        .then_with(|| match (pa, pb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => parts(x, y),
        })
        .then_with(|| a.cmp(b))
}

fn wasm_files(path: &Path) -> Result<Vec<PathBuf>, RegistryError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let read = std::fs::read_dir(path).map_err(|source| RegistryError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = read
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    files.sort();
    Ok(files)
}

/// Compile `bytes` and ask the plugin to describe itself.
pub(crate) fn describe(
    runtime: &PluginRuntime,
    origin: &str,
    bytes: &[u8],
    source: PluginSource,
) -> Result<RegisteredPlugin, RegistryError> {
    let invalid = |message: String| RegistryError::Invalid {
        name: origin.to_string(),
        message,
    };
    let loaded = runtime
        .load(origin, bytes)
        .map_err(|e| invalid(e.to_string()))?;
    let ctx = InstanceContext {
        connector: String::new(),
        role: format!("describe:{origin}"),
        grants: Grants::default(),
        memory_max_bytes: DESCRIBE_MEMORY_BYTES,
        call_timeout: Duration::from_secs(60),
        offsets: None,
    };
    let mut instance =
        PluginInstance::new(loaded.clone(), &ctx).map_err(|e| invalid(e.to_string()))?;
    let description = instance.describe().map_err(|e| invalid(e.to_string()))?;
    Ok(RegisteredPlugin {
        description,
        loaded,
        origin: origin.to_string(),
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len(),
        source,
        owner: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically_with_pre_releases_first() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        assert_eq!(compare_versions("0.10.0", "0.9.1"), Greater);
        assert_eq!(compare_versions("1.0", "1.0.0"), Less);
        assert_eq!(compare_versions("1.0.0", "1.0.0"), Equal);
        assert_eq!(compare_versions("1.0.0-rc1", "1.0.0"), Less);
        assert_eq!(compare_versions("1.0.0-rc.10", "1.0.0-rc.9"), Greater);
        assert_eq!(compare_versions("2.0.0-beta", "2.0.0-alpha"), Greater);
        assert_eq!(compare_versions("1.2.3", "1.2.10"), Less);
        // Numbers before text: no cycle among 9, 10 and 1a.
        let mut versions = vec!["1a", "10", "9", "1.0", "1", "x"];
        versions.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(versions, ["1", "1.0", "9", "10", "1a", "x"]);
        for a in &versions {
            for b in &versions {
                assert_eq!(compare_versions(a, b), compare_versions(b, a).reverse());
            }
        }
    }
}
