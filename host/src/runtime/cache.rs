//! Compiled plugins, cached in memory (by content hash) and on disk (by content hash and engine).

use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use dashmap::DashMap;
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::{Component, InstancePre};

use super::RuntimeError;
use super::state::PluginState;

const INTERFACE_PREFIX: &str = "wasm-connect:plugin/";
const INTERFACE_VERSION: &str = "@0.1.0";

/// Which plugin world a component implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentKind {
    /// `source-plugin`.
    Source,
    /// `sink-plugin`.
    Sink,
    /// `transform-plugin`.
    Transform,
    /// `predicate-plugin`.
    Predicate,
}

impl ComponentKind {
    /// Kafka Connect's plugin type name.
    pub fn type_name(self) -> &'static str {
        match self {
            ComponentKind::Source => "source",
            ComponentKind::Sink => "sink",
            ComponentKind::Transform => "transformation",
            ComponentKind::Predicate => "predicate",
        }
    }
}

/// A compiled plugin ready to instantiate.
pub struct LoadedComponent {
    /// Plugin name (for messages).
    pub name: String,
    /// Its kind.
    pub kind: ComponentKind,
    /// The compiled component.
    pub component: Component,
    /// Pre-linked instantiation.
    pub pre: InstancePre<PluginState>,
}

impl LoadedComponent {
    pub(super) fn new(
        name: &str,
        component: Component,
        pre: InstancePre<PluginState>,
        engine: &Engine,
    ) -> Result<LoadedComponent, RuntimeError> {
        let exports: Vec<String> = component
            .component_type()
            .exports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        let has = |iface: &str| {
            exports
                .iter()
                .any(|e| *e == format!("{INTERFACE_PREFIX}{iface}{INTERFACE_VERSION}"))
        };
        let kind = if !has("plugin") {
            None
        } else if has("source-task") && has("connector") {
            Some(ComponentKind::Source)
        } else if has("sink-task") && has("connector") {
            Some(ComponentKind::Sink)
        } else if has("transform") {
            Some(ComponentKind::Transform)
        } else if has("predicate") {
            Some(ComponentKind::Predicate)
        } else {
            None
        };
        let kind = kind.ok_or_else(|| {
            // Built against another version of our WIT package?
            let other = exports
                .iter()
                .filter_map(|e| e.strip_prefix(INTERFACE_PREFIX))
                .filter_map(|e| e.split_once('@').map(|(_, v)| v))
                .find(|v| format!("@{v}") != INTERFACE_VERSION);
            let detail = match other {
                Some(version) => format!(
                    "it was built against wasm-connect:plugin@{version}, an incompatible WIT version"
                ),
                None => format!("it exports [{}]", exports.join(", ")),
            };
            RuntimeError::NotAPlugin {
                name: name.to_string(),
                detail,
            }
        })?;
        Ok(LoadedComponent {
            name: name.to_string(),
            kind,
            component,
            pre,
        })
    }
}

/// Compiles components once per content hash; keeps them in memory and serialized on disk.
pub struct ComponentCache {
    dir: PathBuf,
    engine_key: String,
    memory: DashMap<String, Component>,
}

impl ComponentCache {
    /// A cache writing to `dir` for components compiled by `engine`.
    pub fn new(dir: PathBuf, engine: &Engine) -> ComponentCache {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        ComponentCache {
            dir,
            engine_key: format!("{:016x}", hasher.finish()),
            memory: DashMap::new(),
        }
    }

    /// The compiled component for `wasm`: from memory, from disk, or compiled now.
    pub fn compile(
        &self,
        engine: &Engine,
        name: &str,
        wasm: &[u8],
    ) -> Result<Component, RuntimeError> {
        let hash = hex::encode(Sha256::digest(wasm));
        if let Some(component) = self.memory.get(&hash) {
            return Ok(component.clone());
        }
        let path = self.dir.join(format!("{hash}-{}.cwasm", self.engine_key));
        let component = match self.load_from_disk(engine, &path) {
            Some(component) => component,
            None => {
                let started = std::time::Instant::now();
                let component =
                    Component::new(engine, wasm).map_err(|source| RuntimeError::Compile {
                        name: name.to_string(),
                        source,
                    })?;
                tracing::info!(
                    plugin = name,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "compiled plugin"
                );
                if let Err(e) = self.store_on_disk(&component, &path) {
                    tracing::warn!(plugin = name, "cannot cache compiled plugin: {e}");
                }
                component
            }
        };
        self.memory.insert(hash, component.clone());
        Ok(component)
    }

    fn load_from_disk(&self, engine: &Engine, path: &PathBuf) -> Option<Component> {
        if !path.exists() {
            return None;
        }
        match deserialize(engine, path) {
            Ok(component) => Some(component),
            Err(e) => {
                tracing::warn!(path = %path.display(), "ignoring unusable cached plugin: {e:#}");
                None
            }
        }
    }

    fn store_on_disk(&self, component: &Component, path: &PathBuf) -> Result<(), RuntimeError> {
        let io = |source| RuntimeError::Cache {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let bytes = component
            .serialize()
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        std::io::Write::write_all(&mut tmp, &bytes).map_err(io)?;
        tmp.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }
}

/// Load a component this worker serialized earlier.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &PathBuf) -> wasmtime::Result<Component> {
    // SAFETY: the file is in the worker's own cache directory, named by the SHA-256 of the
    // source component and the engine's compatibility hash, and was written by `store_on_disk`
    // of a worker with the same engine: it is native code we produced ourselves. wasmtime checks
    // the header and engine compatibility before use.
    unsafe { Component::deserialize_file(engine, path) }
}
