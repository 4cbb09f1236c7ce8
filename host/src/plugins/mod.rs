//! The plugin registry: plugins shipped inside the binary plus `.wasm` files from `plugin.path`,
//! each compiled once and described by its own `info` and `config-definition` exports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::runtime::PluginDescription;
use crate::runtime::{
    ComponentKind, Grants, InstanceContext, LoadedComponent, PluginInstance, PluginRuntime,
};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_plugins.rs"));
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
}

/// A plugin ready to use.
pub struct RegisteredPlugin {
    /// What it says about itself.
    pub description: PluginDescription,
    /// The compiled component.
    pub loaded: Arc<LoadedComponent>,
    /// Where it came from (`embedded:<file>` or a path).
    pub origin: String,
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
}

/// All plugins a worker knows, by name and alias.
#[derive(Default)]
pub struct PluginRegistry {
    plugins: Vec<Arc<RegisteredPlugin>>,
    by_name: BTreeMap<String, usize>,
}

impl PluginRegistry {
    /// Load the embedded plugins and every `.wasm` under `plugin_path` (files or directories).
    pub fn load(
        runtime: &PluginRuntime,
        plugin_path: &[PathBuf],
    ) -> Result<PluginRegistry, RegistryError> {
        let mut sources: Vec<(String, Vec<u8>)> = embedded::EMBEDDED_PLUGINS
            .iter()
            .map(|(name, bytes)| (format!("embedded:{name}"), bytes.to_vec()))
            .collect();
        for path in plugin_path {
            for file in wasm_files(path)? {
                let bytes = std::fs::read(&file).map_err(|source| RegistryError::Read {
                    path: file.clone(),
                    source,
                })?;
                sources.push((file.display().to_string(), bytes));
            }
        }
        let results: Vec<Result<RegisteredPlugin, RegistryError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = sources
                .iter()
                .map(|(origin, bytes)| scope.spawn(move || describe(runtime, origin, bytes)))
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
        let mut registry = PluginRegistry::default();
        for result in results {
            registry.add(result?)?;
        }
        Ok(registry)
    }

    /// Register a plugin under its name and aliases.
    pub fn add(&mut self, plugin: RegisteredPlugin) -> Result<(), RegistryError> {
        let index = self.plugins.len();
        let names: Vec<String> = std::iter::once(plugin.description.name.clone())
            .chain(plugin.description.aliases.iter().cloned())
            .collect();
        for name in &names {
            if let Some(&existing) = self.by_name.get(name) {
                return Err(RegistryError::Conflict {
                    name: name.clone(),
                    first: self.plugins[existing].origin.clone(),
                    second: plugin.origin.clone(),
                });
            }
        }
        for name in names {
            self.by_name.insert(name, index);
        }
        tracing::info!(plugin = %plugin.description.name, kind = plugin.kind().type_name(), origin = %plugin.origin, "registered plugin");
        self.plugins.push(Arc::new(plugin));
        Ok(())
    }

    /// The plugin with this name or alias.
    pub fn find(&self, name: &str) -> Option<Arc<RegisteredPlugin>> {
        self.by_name
            .get(name.trim())
            .map(|&i| self.plugins[i].clone())
    }

    /// Every plugin, sorted by name.
    pub fn all(&self) -> Vec<Arc<RegisteredPlugin>> {
        let mut all = self.plugins.clone();
        all.sort_by(|a, b| a.name().cmp(b.name()));
        all
    }
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

fn describe(
    runtime: &PluginRuntime,
    origin: &str,
    bytes: &[u8],
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
    })
}
