//! The WebAssembly runtime: one wasmtime [`Engine`] per worker with the pooling allocator and
//! epoch interruption, compiled plugins cached in memory and on disk, one [`Store`] per plugin
//! instance with a memory cap, and typed wrappers for each plugin role.

pub mod bindings;
mod cache;
mod http;
mod instance;
mod state;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

pub use cache::{ComponentCache, ComponentKind, LoadedComponent};
pub use instance::{
    ConnectorInstance, PluginCallError, PluginDescription, PluginInstance, PolledRecord,
    PredicateInstance, SinkTaskInstance, SourceTaskInstance, TransformInstance,
};
pub use state::{Grants, InstanceContext, OffsetReader, PluginState};

/// How often the epoch advances; call deadlines are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Errors creating the runtime or loading a plugin.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime refused the configuration.
    #[error("cannot create the WebAssembly engine: {0:#}")]
    Engine(wasmtime::Error),
    /// The plugin is not a valid component.
    #[error("cannot compile plugin {name}: {source:#}")]
    Compile {
        /// Plugin file or name.
        name: String,
        /// Why.
        source: wasmtime::Error,
    },
    /// The component does not fit any plugin world.
    #[error(
        "plugin {name} does not export a plugin interface of wasm-connect:plugin@0.1.0 ({detail})"
    )]
    NotAPlugin {
        /// Plugin file or name.
        name: String,
        /// What is missing.
        detail: String,
    },
    /// The component imports something the worker does not provide.
    #[error("plugin {name} imports what this worker does not provide: {source:#}")]
    Imports {
        /// Plugin file or name.
        name: String,
        /// wasmtime's linker error.
        source: wasmtime::Error,
    },
    /// The compiled-component cache failed.
    #[error("component cache {path}: {source}")]
    Cache {
        /// Cache path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The worker's WebAssembly runtime, shared by every task.
pub struct PluginRuntime {
    engine: Engine,
    linker: Linker<PluginState>,
    cache: ComponentCache,
}

impl PluginRuntime {
    /// Create the engine (pooling allocator when the system allows it), link WASI and our host
    /// interfaces, and start the epoch ticker. Compiled components are cached in `cache_dir`.
    pub fn new(cache_dir: PathBuf) -> Result<Arc<PluginRuntime>, RuntimeError> {
        let engine = match Engine::new(&engine_config(true)) {
            Ok(engine) => engine,
            Err(e) => {
                tracing::warn!("pooling allocator unavailable ({e:#}); using on-demand allocation");
                Engine::new(&engine_config(false)).map_err(RuntimeError::Engine)?
            }
        };
        let mut linker = Linker::new(&engine);
        state::add_to_linker(&mut linker).map_err(RuntimeError::Engine)?;
        let ticker_engine = engine.weak();
        std::thread::Builder::new()
            .name("wasm-epoch".into())
            .spawn(move || {
                // Runs while anything (the runtime, a compiled plugin, a store) holds the engine.
                loop {
                    std::thread::sleep(EPOCH_TICK);
                    match ticker_engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| RuntimeError::Engine(e.into()))?;
        let cache = ComponentCache::new(cache_dir, &engine);
        Ok(Arc::new(PluginRuntime {
            engine,
            linker,
            cache,
        }))
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Compile (or load from cache) a plugin and prepare it for instantiation.
    pub fn load(&self, name: &str, wasm: &[u8]) -> Result<Arc<LoadedComponent>, RuntimeError> {
        let component = self.cache.compile(&self.engine, name, wasm)?;
        let pre = self.instance_pre(name, &component)?;
        Ok(Arc::new(LoadedComponent::new(
            name,
            component,
            pre,
            &self.engine,
        )?))
    }

    fn instance_pre(
        &self,
        name: &str,
        component: &Component,
    ) -> Result<InstancePre<PluginState>, RuntimeError> {
        self.linker
            .instantiate_pre(component)
            .map_err(|source| RuntimeError::Imports {
                name: name.to_string(),
                source,
            })
    }
}

fn engine_config(pooling: bool) -> Config {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.wasm_backtrace_details(wasmtime::WasmBacktraceDetails::Enable);
    config.max_wasm_stack(2 * 1024 * 1024);
    if pooling {
        let mut pool = PoolingAllocationConfig::new();
        // Linear memories may grow to 4 GiB of address space; each store's ResourceLimiter
        // enforces the real per-task cap (`wasm.memory.max.bytes`).
        pool.max_memory_size(4 << 30);
        pool.total_component_instances(1000);
        pool.total_core_instances(4000);
        pool.total_memories(2000);
        pool.total_tables(4000);
        pool.max_core_instances_per_component(64);
        pool.max_memories_per_component(16);
        pool.max_tables_per_component(64);
        pool.max_component_instance_size(1 << 20);
        pool.max_core_instance_size(1 << 20);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    config
}
