//! `wasm-connect`: run a Kafka Connect worker whose plugins are WebAssembly components.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;
use wasm_connect::distributed::{DistributedOptions, run_distributed};
use wasm_connect::worker::{StandaloneOptions, run_standalone};

#[derive(Parser, Debug)]
#[command(
    name = "wasm-connect",
    version,
    about = "Kafka Connect with WebAssembly plugins"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a standalone worker: `connect-standalone worker.properties connector.properties …`.
    Standalone {
        /// Start the embedded Kafka-protocol broker at `bootstrap.servers` first.
        #[arg(long)]
        embedded_broker: bool,
        /// Storage of the embedded broker: `memory://wasm-connect/` or `sqlite://FILE`.
        #[arg(long, default_value = "memory://wasm-connect/")]
        broker_storage: String,
        /// Worker properties file.
        worker_properties: PathBuf,
        /// Connector configuration files (`.properties` or `.json`).
        connectors: Vec<PathBuf>,
    },
    /// Run a worker of a distributed cluster: `connect-distributed worker.properties`.
    Distributed {
        /// Worker properties file (with `group.id` and the three `*.storage.topic`s).
        worker_properties: PathBuf,
    },
    /// Run the embedded Kafka-protocol broker alone.
    Broker {
        /// Address to listen on (and advertise).
        #[arg(long, default_value = "127.0.0.1:9092")]
        listen: SocketAddr,
        /// `memory` or `sqlite://FILE`.
        #[arg(long, default_value = "memory")]
        storage: String,
    },
    /// Run a demo pipeline on the embedded broker and show the records it moves.
    Demo {
        /// Lines to move through the pipeline.
        #[arg(long, default_value_t = 20)]
        lines: usize,
    },
    /// Measure the file → Kafka → file pipeline against a raw rdkafka loop on the same broker,
    /// or (`--transforms`) a chain of three Wasm transforms against the same logic native.
    Bench {
        /// Records to move in each measurement [default: 200000, with --transforms 50000, with
        /// --languages 20000].
        #[arg(long)]
        records: Option<usize>,
        /// Measure a chain of three Wasm transforms against the same logic native in the host
        /// (no broker) instead of the pipeline.
        #[arg(long)]
        transforms: bool,
        /// Measure failover of a distributed cluster of three worker processes: `kill -9` and
        /// SIGTERM of the worker running a task, until the task runs elsewhere.
        #[arg(long, conflicts_with = "transforms")]
        failover: bool,
        /// Measure plugin installation: compile against cached load of a Rust and a Python
        /// component, and upload-to-runnable on a second worker of a local cluster.
        #[arg(long, conflicts_with_all = ["transforms", "failover"])]
        plugins: bool,
        /// Measure tenant isolation: one tenant's pipeline throughput alone and while another
        /// tenant runs a CPU-bound plugin at its `task.cpu.share` quota (and without one), on a
        /// local two-worker cluster with tenancy on.
        #[arg(long, conflicts_with_all = ["transforms", "failover", "plugins"])]
        tenants: bool,
        /// Measure the same transform written in Rust, Python, JavaScript and C (each built from
        /// its `plugin new` template with `plugin build`) against the same logic native.
        #[arg(long, conflicts_with_all = ["transforms", "failover", "plugins", "tenants"])]
        languages: bool,
    },
    /// Manage the connectors of a running worker through its REST API.
    Connectors(wasm_connect::cli::ConnectorsArgs),
    /// Inspect the plugins of a running worker through its REST API.
    Plugins(wasm_connect::cli::PluginsArgs),
    /// Manage the tenants of a multi-tenant worker and their API keys (admin key).
    Tenants(wasm_connect::cli::TenantsArgs),
    /// Show the audit log of a multi-tenant worker (admin key).
    Audit(wasm_connect::cli::AuditArgs),
    /// Work on a plugin locally, without a worker or Kafka.
    #[command(subcommand)]
    Plugin(PluginCommand),
}

/// `wasm-connect plugin …`.
#[derive(Subcommand, Debug)]
enum PluginCommand {
    /// Run a plugin on input records (JSON lines) and print what it produces as JSON lines:
    /// transforms and predicates see each record, sinks receive them, sources are polled.
    Test(wasm_connect::plugin_runner::PluginTestArgs),
    /// Create a plugin project: `plugin new --lang rust|python|js|c --kind source|sink|transform|predicate NAME`.
    New(wasm_connect::plugin_dev::NewArgs),
    /// Build the plugin project in DIR (default: here) with its language's toolchain; the last
    /// line of stdout is the built component's path.
    Build(wasm_connect::plugin_dev::BuildArgs),
}

/// Cancel `token` on SIGTERM or SIGINT.
fn cancel_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(e) => {
                    tracing::warn!("cannot listen for SIGTERM: {e}");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
            () = terminate => tracing::info!("SIGTERM received"),
        }
        token.cancel();
    });
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // `plugin test` prints records on stdout: its logs go to stderr.
    wasm_connect::logging::init_to(matches!(cli.command, Command::Plugin(_)));
    let shutdown = CancellationToken::new();
    cancel_on_signals(shutdown.clone());
    let result: Result<(), String> = match cli.command {
        Command::Standalone {
            embedded_broker,
            broker_storage,
            worker_properties,
            connectors,
        } => {
            let options = StandaloneOptions {
                worker_properties,
                connector_files: connectors,
                embedded_broker,
                broker_storage,
            };
            run_standalone(options, shutdown)
                .await
                .map_err(|e| e.to_string())
        }
        Command::Distributed { worker_properties } => {
            run_distributed(DistributedOptions { worker_properties }, shutdown)
                .await
                .map_err(|e| e.to_string())
        }
        Command::Broker { listen, storage } => run_broker(listen, &storage, shutdown).await,
        Command::Demo { lines } => wasm_connect::demo::run(lines, shutdown)
            .await
            .map_err(|e| e.to_string()),
        Command::Bench { plugins: true, .. } => run_bench(wasm_connect::bench::plugins::run).await,
        Command::Bench { tenants: true, .. } => run_bench(wasm_connect::bench::tenants::run).await,
        Command::Bench { failover: true, .. } => {
            run_bench(wasm_connect::bench::failover::run).await
        }
        Command::Bench {
            records,
            languages: true,
            ..
        } => {
            use wasm_connect::bench::languages;
            run_bench(move || languages::run(records.unwrap_or(languages::DEFAULT_RECORDS))).await
        }
        Command::Bench {
            records,
            transforms: true,
            ..
        } => {
            use wasm_connect::bench::transforms;
            run_bench(move || transforms::run(records.unwrap_or(transforms::DEFAULT_RECORDS))).await
        }
        Command::Bench {
            records,
            transforms: false,
            ..
        } => wasm_connect::bench::run(records.unwrap_or(200_000))
            .await
            .map_err(|e| e.to_string()),
        // REST clients: blocking HTTP off the runtime's threads; they print their own errors.
        Command::Connectors(args) => {
            return client_exit(tokio::task::spawn_blocking(move || args.run()).await);
        }
        Command::Plugins(args) => {
            return client_exit(tokio::task::spawn_blocking(move || args.run()).await);
        }
        Command::Tenants(args) => {
            return client_exit(tokio::task::spawn_blocking(move || args.run()).await);
        }
        Command::Audit(args) => {
            return client_exit(tokio::task::spawn_blocking(move || args.run()).await);
        }
        Command::Plugin(PluginCommand::Test(args)) => {
            let code =
                tokio::task::spawn_blocking(move || wasm_connect::plugin_runner::main(&args)).await;
            return ExitCode::from(code.unwrap_or(1));
        }
        Command::Plugin(PluginCommand::New(args)) => {
            return ExitCode::from(wasm_connect::plugin_dev::new_main(&args));
        }
        Command::Plugin(PluginCommand::Build(args)) => {
            let code =
                tokio::task::spawn_blocking(move || wasm_connect::plugin_dev::build_main(&args))
                    .await;
            return ExitCode::from(code.unwrap_or(1));
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The exit code of a REST client command (`wasm_connect::cli`'s contract).
fn client_exit(code: Result<u8, tokio::task::JoinError>) -> ExitCode {
    ExitCode::from(code.unwrap_or(wasm_connect::cli::EXIT_API_ERROR))
}

/// Run a blocking benchmark off the runtime's threads; its error with all its causes.
async fn run_bench(
    bench: impl FnOnce() -> anyhow::Result<()> + Send + 'static,
) -> Result<(), String> {
    tokio::task::spawn_blocking(bench)
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| format!("{e:#}")))
}

async fn run_broker(
    listen: SocketAddr,
    storage: &str,
    shutdown: CancellationToken,
) -> Result<(), String> {
    let storage = if storage == "memory" {
        "memory://wasm-connect/".to_string()
    } else {
        storage.to_string()
    };
    let broker = wasm_connect::broker::EmbeddedBroker::start(listen, &storage, shutdown.clone())
        .await
        .map_err(|e| e.to_string())?;
    println!("Kafka-protocol broker listening on {listen} (storage {storage}); Ctrl-C to stop");
    shutdown.cancelled().await;
    broker.shutdown().await;
    Ok(())
}
