//! Per-instance store data: the WASI context built from explicit grants, the memory limiter, and
//! the host interfaces (`host`, `source-context`) plugins import.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use wasm_connect_data::OffsetMap;
use wasmtime::ResourceLimiter;
use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::bindings::{conv, host, source_context, types};
use super::http::HttpGrant;

/// Reads committed source offsets for a source task (Kafka's `OffsetStorageReader`).
pub trait OffsetReader: Send + Sync {
    /// The committed offset of `partition`, if any.
    fn offset(&self, partition: &OffsetMap) -> Option<OffsetMap>;
}

/// What an instance may touch: directories (host path, guest path, writable) and environment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grants {
    /// Preopened directories: (host path, path the guest sees, writable).
    pub dirs: Vec<(PathBuf, String, bool)>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Hosts (`host` or `host:port`) the plugin may open TCP connections and send `wasi:http`
    /// requests to.
    pub net_hosts: Vec<String>,
}

/// The addresses `hosts` (`host` or `host:port`) name: each IP with its port, or any port.
/// A host that does not resolve grants nothing (logged).
fn resolve_hosts(hosts: &[String]) -> Vec<(std::net::IpAddr, Option<u16>)> {
    use std::net::ToSocketAddrs;
    let mut allowed = Vec::new();
    for entry in hosts {
        let (host, port) = match entry.rsplit_once(':') {
            Some((h, p)) if p.parse::<u16>().is_ok() && !h.contains(':') => {
                (h, p.parse::<u16>().ok())
            }
            _ => (entry.as_str(), None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        match (host, 0u16).to_socket_addrs() {
            Ok(addrs) => allowed.extend(addrs.map(|a| (a.ip(), port))),
            Err(e) => tracing::warn!(host, "granted host does not resolve: {e}"),
        }
    }
    allowed
}

/// Everything needed to create one plugin instance.
#[derive(Clone)]
pub struct InstanceContext {
    /// Connector name (log field).
    pub connector: String,
    /// Task or role label, e.g. `task-0`, `connector`, `transform:route` (log field).
    pub role: String,
    /// Files, directories and environment the plugin may use.
    pub grants: Grants,
    /// Linear memory cap in bytes.
    pub memory_max_bytes: u64,
    /// Deadline of a single call.
    pub call_timeout: std::time::Duration,
    /// Offset reader for source tasks.
    pub offsets: Option<Arc<dyn OffsetReader>>,
}

impl std::fmt::Debug for InstanceContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceContext")
            .field("connector", &self.connector)
            .field("role", &self.role)
            .field("grants", &self.grants)
            .field("memory_max_bytes", &self.memory_max_bytes)
            .finish_non_exhaustive()
    }
}

/// Caps the total linear memory of one instance; growing past it traps with a clear message.
pub struct MemoryLimiter {
    max_bytes: u64,
    used_bytes: u64,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let after = self.used_bytes + (desired as u64).saturating_sub(current as u64);
        if after > self.max_bytes {
            wasmtime::bail!(
                "plugin memory limit exceeded: growing linear memory to {after} bytes would pass \
                 wasm.memory.max.bytes={}",
                self.max_bytes
            );
        }
        self.used_bytes = after;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 10_000_000)
    }
}

/// Data of one plugin instance's `Store`.
pub struct PluginState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limiter: MemoryLimiter,
    connector: String,
    role: String,
    offsets: Option<Arc<dyn OffsetReader>>,
    http: HttpGrant,
    http_ctx: wasmtime_wasi_http::WasiHttpCtx,
}

impl PluginState {
    /// Build the store data for `ctx`; fails when a granted directory cannot be opened.
    pub fn new(ctx: &InstanceContext) -> Result<PluginState, String> {
        let mut builder = WasiCtxBuilder::new();
        builder.allow_blocking_current_thread(true);
        builder.stdout(LogStream {
            connector: ctx.connector.clone(),
            role: ctx.role.clone(),
            stream: "stdout",
        });
        builder.stderr(LogStream {
            connector: ctx.connector.clone(),
            role: ctx.role.clone(),
            stream: "stderr",
        });
        for (k, v) in &ctx.grants.env {
            builder.env(k, v);
        }
        for (host_path, guest_path, writable) in &ctx.grants.dirs {
            let perms = if *writable {
                FsPerms::ReadWrite
            } else {
                FsPerms::ReadOnly
            };
            builder
                .preopened_dir(host_path, guest_path, perms)
                .map_err(|e| {
                    format!(
                        "cannot grant access to directory {}: {e:#}",
                        host_path.display()
                    )
                })?;
        }
        if ctx.grants.net_hosts.is_empty() {
            // Sockets stay closed: the default socket address check denies every address.
            builder.allow_ip_name_lookup(false);
        } else {
            // TCP connections to the granted hosts' addresses only; no UDP, and no bind but the
            // implicit one of a connecting socket.
            let allowed = Arc::new(resolve_hosts(&ctx.grants.net_hosts));
            builder.allow_ip_name_lookup(true);
            builder.allow_tcp(true);
            builder.allow_udp(false);
            builder.socket_addr_check(move |addr, usage| {
                use wasmtime_wasi::sockets::SocketAddrUse;
                let ok = match usage {
                    SocketAddrUse::TcpConnect => allowed.iter().any(|(ip, port)| {
                        *ip == addr.ip() && port.is_none_or(|p| p == addr.port())
                    }),
                    // The implicit bind of a connecting socket (any address, any port).
                    SocketAddrUse::TcpBind => addr.ip().is_unspecified() && addr.port() == 0,
                    _ => false,
                };
                Box::pin(async move { ok })
            });
        }
        Ok(PluginState {
            wasi: builder.build(),
            table: ResourceTable::new(),
            limiter: MemoryLimiter {
                max_bytes: ctx.memory_max_bytes,
                used_bytes: 0,
            },
            connector: ctx.connector.clone(),
            role: ctx.role.clone(),
            offsets: ctx.offsets.clone(),
            http: HttpGrant::new(
                ctx.grants.net_hosts.clone(),
                ctx.call_timeout,
                &ctx.connector,
                &ctx.role,
            ),
            http_ctx: wasmtime_wasi_http::WasiHttpCtx::new(),
        })
    }
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl wasmtime_wasi_http::WasiHttpView for PluginState {
    fn http(&mut self) -> wasmtime_wasi_http::WasiHttpCtxView<'_> {
        wasmtime_wasi_http::WasiHttpCtxView {
            ctx: &mut self.http_ctx,
            table: &mut self.table,
            hooks: &mut self.http,
        }
    }
}

impl types::Host for PluginState {}

impl host::Host for PluginState {
    fn log(&mut self, level: host::LogLevel, message: String) {
        let (connector, role) = (&self.connector, &self.role);
        match level {
            host::LogLevel::Trace => tracing::trace!(connector, task = role, "{message}"),
            host::LogLevel::Debug => tracing::debug!(connector, task = role, "{message}"),
            host::LogLevel::Info => tracing::info!(connector, task = role, "{message}"),
            host::LogLevel::Warn => tracing::warn!(connector, task = role, "{message}"),
            host::LogLevel::Error => tracing::error!(connector, task = role, "{message}"),
        }
    }
}

impl source_context::Host for PluginState {
    fn offset(
        &mut self,
        partition: Vec<(String, types::OffsetValue)>,
    ) -> Option<Vec<(String, types::OffsetValue)>> {
        let reader = self.offsets.as_ref()?;
        let partition = conv::offset_map_from_wit(partition);
        reader
            .offset(&partition)
            .map(|o| conv::offset_map_to_wit(&o))
    }
}

/// Link WASI p2 (sync), `wasi:http` (outgoing requests, granted hosts only) and our host
/// interfaces.
pub(super) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_sync(linker)?;
    host::add_to_linker::<PluginState, HasSelf<PluginState>>(linker, |s| s)?;
    source_context::add_to_linker::<PluginState, HasSelf<PluginState>>(linker, |s| s)?;
    types::add_to_linker::<PluginState, HasSelf<PluginState>>(linker, |s| s)?;
    Ok(())
}

/// A plugin's stdout or stderr, written line by line to the worker's log.
struct LogStream {
    connector: String,
    role: String,
    stream: &'static str,
}

impl IsTerminal for LogStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LogStream {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(LineLogger {
            connector: self.connector.clone(),
            role: self.role.clone(),
            stream: self.stream,
            buffer: Vec::new(),
        })
    }
}

struct LineLogger {
    connector: String,
    role: String,
    stream: &'static str,
    buffer: Vec<u8>,
}

impl LineLogger {
    fn emit(&mut self, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches('\r');
        tracing::info!(connector = %self.connector, task = %self.role, stream = self.stream, "{text}");
    }
}

impl tokio::io::AsyncWrite for LineLogger {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.buffer.extend_from_slice(buf);
        while let Some(pos) = self.buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=pos).collect();
            self.emit(&line[..line.len() - 1]);
        }
        if self.buffer.len() > 64 * 1024 {
            let line = std::mem::take(&mut self.buffer);
            self.emit(&line);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if !self.buffer.is_empty() {
            let line = std::mem::take(&mut self.buffer);
            self.emit(&line);
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.poll_flush(cx)
    }
}
