//! The command-line REST client: `wasm-connect connectors …`, `wasm-connect plugins …`,
//! `wasm-connect tenants …` and `wasm-connect audit` talk to a running worker's REST API (Kafka
//! Connect's, plus the `/admin` API of multi-tenant workers) and print readable tables
//! (`-o table`) or the worker's JSON answer pretty-printed (`-o json`). With an API key
//! (`--token`, `--token-file` or `$WASM_CONNECT_TOKEN`) every request carries
//! `Authorization: Bearer KEY`; the key itself is never printed.
//!
//! [`ConnectorsArgs::run`], [`PluginsArgs::run`], [`TenantsArgs::run`] and [`AuditArgs::run`]
//! return the process exit code ([`EXIT_OK`], [`EXIT_API_ERROR`], [`EXIT_USAGE`],
//! [`EXIT_UNREACHABLE`]); they never exit themselves.

mod client;
mod files;
mod render;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use url::Url;

pub use client::{Answer, Client, ClientError, Method, Token};
pub use files::{
    ConnectorFile, TenantFile, parse_connector_text, parse_offsets_text, parse_tenant_text,
    read_connector_file, read_offsets_file, read_tenant_file, read_token_file,
};

/// The worker URL used without `--url` and `WASM_CONNECT_URL`.
pub const DEFAULT_URL: &str = "http://localhost:8083";

/// The environment variable holding the API key used without `--token` and `--token-file`.
pub const TOKEN_ENV: &str = "WASM_CONNECT_TOKEN";

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the worker answered with an error (4xx/5xx), or a validation found errors.
pub const EXIT_API_ERROR: u8 = 1;
/// Exit code: usage error (bad arguments, as clap reports them, or a bad `-f`/`--set` file).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the worker could not be reached (connection refused, timeout, unknown host).
pub const EXIT_UNREACHABLE: u8 = 3;

/// The exit-code contract, printed after `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the worker answered with an error (HTTP 4xx/5xx; `error: MESSAGE (HTTP CODE)` on stderr;
     401: no or an unknown API key, 403: the key may not do this), or `plugins validate` found
     errors in the configuration
  2  usage error: bad arguments, a -f/--set/--token-file file that cannot be read or parsed,
     or an API key that cannot be sent (empty, spaces, non-ASCII)
  3  cannot reach the worker (connection refused, timeout, unknown host)";

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Readable aligned columns.
    #[default]
    Table,
    /// The worker's JSON answer, pretty-printed.
    Json,
}

/// Options shared by the client commands.
#[derive(Args, Clone, Debug)]
pub struct ClientOptions {
    /// Base URL of the worker's REST API.
    #[arg(
        long,
        global = true,
        env = "WASM_CONNECT_URL",
        default_value = DEFAULT_URL,
        value_parser = parse_base_url
    )]
    pub url: Url,
    /// Output format.
    #[arg(short, long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// API key, sent as `Authorization: Bearer KEY` [env: WASM_CONNECT_TOKEN].
    ///
    /// Other users of the machine may see command lines: prefer --token-file or the
    /// environment.
    #[arg(long, global = true, value_name = "KEY", conflicts_with = "token_file")]
    pub token: Option<SecretArg>,
    /// File holding the API key (surrounding whitespace trimmed).
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// A secret given on the command line (`--token`), checked only when it is used, so that no
/// error quotes it (clap's would); its `Debug` output hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretArg(String);

impl From<String> for SecretArg {
    fn from(value: String) -> SecretArg {
        SecretArg(value)
    }
}

impl std::fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretArg(<redacted>)")
    }
}

impl ClientOptions {
    /// The API key to send: `--token`, else the content of `--token-file`, else `env_token`
    /// (the value of [`TOKEN_ENV`]; empty means unset), else none. The error names where the bad
    /// key came from, never the key.
    pub fn resolve_token(&self, env_token: Option<&str>) -> Result<Option<Token>, String> {
        if let Some(SecretArg(key)) = &self.token {
            return Token::new(key)
                .map(Some)
                .map_err(|message| format!("bad --token: {message}"));
        }
        if let Some(path) = &self.token_file {
            return read_token_file(path).map(Some);
        }
        match env_token {
            Some(key) if !key.is_empty() => Token::new(key)
                .map(Some)
                .map_err(|message| format!("bad ${TOKEN_ENV}: {message}")),
            _ => Ok(None),
        }
    }
}

/// A worker URL: `http` or `https`, with a host.
fn parse_base_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("invalid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err("expected an http:// or https:// URL with a host".into());
    }
    Ok(url)
}

/// `wasm-connect connectors …`: manage connectors through a worker's REST API.
#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct ConnectorsArgs {
    /// Where and how.
    #[command(flatten)]
    pub options: ClientOptions,
    /// What.
    #[command(subcommand)]
    pub command: ConnectorsCommand,
}

/// The state a connector is created in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InitialState {
    /// Start it.
    #[value(name = "RUNNING")]
    Running,
    /// Create it paused.
    #[value(name = "PAUSED")]
    Paused,
    /// Create it stopped (no tasks; offsets may be edited).
    #[value(name = "STOPPED")]
    Stopped,
}

impl InitialState {
    /// The REST API's name.
    pub fn name(self) -> &'static str {
        match self {
            InitialState::Running => "RUNNING",
            InitialState::Paused => "PAUSED",
            InitialState::Stopped => "STOPPED",
        }
    }
}

/// `wasm-connect connectors` subcommands.
#[derive(Subcommand, Debug)]
pub enum ConnectorsCommand {
    /// List connectors with type, state, tasks and worker.
    List,
    /// Show a connector's configuration and tasks.
    Get {
        /// Connector name.
        name: String,
    },
    /// Show the state of a connector and of its tasks.
    Status {
        /// Connector name.
        name: String,
    },
    /// Create a connector from a file: Kafka's POST body `{"name", "config"}`, a flat JSON
    /// config with a `name` key, or a `.properties` file.
    Create {
        /// The connector file.
        #[arg(short, long)]
        file: PathBuf,
        /// The state to create it in (default: the worker's, RUNNING).
        #[arg(long, value_enum, ignore_case = true)]
        initial_state: Option<InitialState>,
    },
    /// Replace a connector's configuration (or create it) from a file.
    Update {
        /// Connector name.
        name: String,
        /// The configuration file (JSON or `.properties`).
        #[arg(short, long)]
        file: PathBuf,
    },
    /// Delete a connector.
    Delete {
        /// Connector name.
        name: String,
    },
    /// Pause a connector and its tasks.
    Pause {
        /// Connector name.
        name: String,
    },
    /// Resume a paused or stopped connector.
    Resume {
        /// Connector name.
        name: String,
    },
    /// Stop a connector: shut its tasks down, keep its configuration.
    Stop {
        /// Connector name.
        name: String,
    },
    /// Restart a connector, and with `--include-tasks` its tasks.
    Restart {
        /// Connector name.
        name: String,
        /// Restart the tasks too.
        #[arg(long)]
        include_tasks: bool,
        /// Restart only the connector and tasks that have FAILED.
        #[arg(long)]
        only_failed: bool,
    },
    /// Show a connector's offsets; `--reset` or `--set FILE` change them (connector STOPPED).
    Offsets {
        /// Connector name.
        name: String,
        /// Reset the offsets.
        #[arg(long, conflicts_with = "set")]
        reset: bool,
        /// Alter offsets from a JSON file `{"offsets": [{"partition": {…}, "offset": {…}}]}`.
        #[arg(long, value_name = "FILE")]
        set: Option<PathBuf>,
    },
}

/// `wasm-connect plugins …`: inspect the worker's plugins.
#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct PluginsArgs {
    /// Where and how.
    #[command(flatten)]
    pub options: ClientOptions,
    /// What.
    #[command(subcommand)]
    pub command: PluginsCommand,
}

/// `wasm-connect plugins` subcommands.
#[derive(Subcommand, Debug)]
pub enum PluginsCommand {
    /// List connector plugins; `--all` adds converters, transforms and predicates.
    List {
        /// All plugin kinds, not only connectors.
        #[arg(long)]
        all: bool,
    },
    /// Show a plugin's configuration keys.
    Config {
        /// Plugin class or alias (e.g. `FileStreamSource`).
        plugin: String,
    },
    /// Validate a connector configuration file; exit code 1 when it has errors.
    Validate {
        /// Plugin class or alias.
        plugin: String,
        /// The configuration file (JSON or `.properties`).
        #[arg(short, long)]
        file: PathBuf,
    },
    /// Upload a plugin component (`.wasm`); every worker of the cluster installs it.
    Upload {
        /// The component file.
        file: PathBuf,
    },
    /// List the versions of a plugin, with their SHA-256 and where they come from.
    Versions {
        /// Plugin class or alias.
        plugin: String,
    },
    /// Delete one uploaded version of a plugin (refused while a connector uses it).
    Delete {
        /// Plugin class or alias.
        plugin: String,
        /// The version.
        version: String,
    },
}

/// `wasm-connect tenants …`: manage the tenants of a multi-tenant worker (with the admin key).
#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct TenantsArgs {
    /// Where and how.
    #[command(flatten)]
    pub options: ClientOptions,
    /// What.
    #[command(subcommand)]
    pub command: TenantsCommand,
}

/// `wasm-connect tenants` subcommands.
#[derive(Subcommand, Debug)]
pub enum TenantsCommand {
    /// List tenants.
    List,
    /// Show a tenant's settings, quotas and API key ids.
    Get {
        /// Tenant name.
        name: String,
    },
    /// Create a tenant from a file: JSON (`{"name", "topic.prefixes", "fs.root", "http.hosts",
    /// "quotas": {…}}`) or `.properties` (`topic.prefixes=a.,b.`, `quotas.tasks=20`).
    Create {
        /// The tenant file.
        #[arg(short, long)]
        file: PathBuf,
    },
    /// Replace a tenant's settings (or create it) from a file; a name in the file must match.
    Update {
        /// Tenant name.
        name: String,
        /// The tenant file (JSON or `.properties`).
        #[arg(short, long)]
        file: PathBuf,
    },
    /// Delete a tenant (refused while it owns connectors or plugins).
    Delete {
        /// Tenant name.
        name: String,
    },
    /// Create or delete a tenant's API keys.
    #[command(after_help = EXIT_CODES_HELP)]
    Keys {
        /// What.
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// `wasm-connect tenants keys` subcommands.
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create an API key and print it: the worker shows it only this once.
    Create {
        /// Tenant name.
        tenant: String,
    },
    /// Delete (revoke) an API key.
    Delete {
        /// Tenant name.
        tenant: String,
        /// The key's id (as `tenants get` lists them).
        id: String,
    },
}

/// `wasm-connect audit`: the worker's audit log (with the admin key), newest last.
#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct AuditArgs {
    /// Where and how.
    #[command(flatten)]
    pub options: ClientOptions,
    /// Only the entries of this tenant.
    #[arg(long)]
    pub tenant: Option<String>,
    /// At most this many entries, the newest (default: the worker's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
}

/// Why a command failed, and so its exit code.
#[derive(Debug)]
enum Failure {
    /// Bad input that clap could not see (a file).
    Usage(String),
    /// The worker's error, or no (usable) answer.
    Client(ClientError),
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Failure {
        Failure::Client(error)
    }
}

/// What a command prints on stdout, a warning for stderr, and its exit code.
struct Report {
    text: String,
    warning: Option<String>,
    code: u8,
}

impl Report {
    fn ok(text: impl Into<String>) -> Report {
        Report {
            text: text.into(),
            warning: None,
            code: EXIT_OK,
        }
    }
}

type Outcome = Result<Report, Failure>;

/// Print a report or a failure; the exit code.
fn finish(outcome: Outcome, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // Write errors (a closed pipe) are ignored: the exit code still tells what happened.
    match outcome {
        Ok(report) => {
            if !report.text.is_empty() {
                let _ = writeln!(out, "{}", report.text);
            }
            let _ = out.flush();
            if let Some(warning) = report.warning {
                let _ = writeln!(err, "warning: {warning}");
            }
            report.code
        }
        Err(failure) => {
            let (message, code) = match failure {
                Failure::Usage(message) => (message, EXIT_USAGE),
                Failure::Client(e @ ClientError::Unreachable { .. }) => {
                    (e.to_string(), EXIT_UNREACHABLE)
                }
                Failure::Client(e) => (e.to_string(), EXIT_API_ERROR),
            };
            let _ = writeln!(err, "error: {message}");
            code
        }
    }
}

/// The answer's body pretty-printed (nothing for an empty body).
fn json_text(answer: &Answer) -> String {
    answer
        .body
        .as_ref()
        .and_then(|b| serde_json::to_string_pretty(b).ok())
        .unwrap_or_default()
}

/// The answer as JSON, or as `table` renders its body.
fn show(format: OutputFormat, answer: &Answer, table: impl FnOnce(&Value) -> String) -> Report {
    match format {
        OutputFormat::Json => Report::ok(json_text(answer)),
        OutputFormat::Table => Report::ok(table(answer.body.as_ref().unwrap_or(&Value::Null))),
    }
}

/// The answer as JSON, or `message` as a table-mode confirmation.
fn confirm(format: OutputFormat, answer: &Answer, message: String) -> Report {
    match format {
        OutputFormat::Json => Report::ok(json_text(answer)),
        OutputFormat::Table => Report::ok(message),
    }
}

/// A client command: its options, and what it does with a client.
trait ClientCommand {
    fn options(&self) -> &ClientOptions;
    fn execute(&self, client: &Client, format: OutputFormat) -> Outcome;
}

/// The value of [`TOKEN_ENV`].
fn env_token() -> Option<String> {
    std::env::var(TOKEN_ENV).ok()
}

/// Run `command` with a client for its options (`env_token`: the value of [`TOKEN_ENV`]), print
/// its outcome; the exit code. A 401 to a request without a key adds a hint.
fn run_command(
    command: &impl ClientCommand,
    env_token: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let options = command.options();
    let token = match options.resolve_token(env_token) {
        Ok(token) => token,
        Err(message) => return finish(Err(Failure::Usage(message)), out, err),
    };
    let anonymous = token.is_none();
    let client = Client::new(options.url.clone()).with_token(token);
    let outcome = command.execute(&client, options.output);
    let unauthenticated = anonymous
        && matches!(
            outcome,
            Err(Failure::Client(ClientError::Api { status: 401, .. }))
        );
    let code = finish(outcome, out, err);
    if unauthenticated {
        let _ = writeln!(
            err,
            "hint: the worker wants an API key: --token-file PATH, --token KEY or ${TOKEN_ENV}"
        );
    }
    code
}

fn connector_file(path: &Path) -> Result<ConnectorFile, Failure> {
    read_connector_file(path).map_err(Failure::Usage)
}

/// `run` and `run_with` of a [`ClientCommand`].
macro_rules! runnable {
    ($args:ty) => {
        impl $args {
            /// Run the command against the worker, printing on stdout and stderr; the exit code.
            #[must_use]
            pub fn run(&self) -> u8 {
                self.run_with(&mut std::io::stdout().lock(), &mut std::io::stderr().lock())
            }

            /// Run the command, printing results on `out` and errors on `err`; the exit code.
            #[must_use]
            pub fn run_with(&self, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
                run_command(self, env_token().as_deref(), out, err)
            }
        }
    };
}

runnable!(ConnectorsArgs);
runnable!(PluginsArgs);
runnable!(TenantsArgs);
runnable!(AuditArgs);

impl ClientCommand for ConnectorsArgs {
    fn options(&self) -> &ClientOptions {
        &self.options
    }

    fn execute(&self, client: &Client, format: OutputFormat) -> Outcome {
        use ConnectorsCommand as C;
        match &self.command {
            C::List => {
                let query = [("expand", "status"), ("expand", "info")];
                let answer = client.call(Method::Get, &["connectors"], &query, None)?;
                Ok(show(format, &answer, render::connector_list))
            }
            C::Get { name } => {
                let answer = client.call(Method::Get, &["connectors", name], &[], None)?;
                Ok(show(format, &answer, render::connector_info))
            }
            C::Status { name } => {
                let answer =
                    client.call(Method::Get, &["connectors", name, "status"], &[], None)?;
                Ok(show(format, &answer, render::connector_status))
            }
            C::Create {
                file,
                initial_state,
            } => {
                let parsed = connector_file(file)?;
                let name = parsed.name.ok_or_else(|| {
                    Failure::Usage(format!(
                        "{} has no connector name: add a \"name\" key",
                        file.display()
                    ))
                })?;
                let mut body = json!({ "name": name, "config": parsed.config });
                let state = initial_state.map(|s| s.name().to_string());
                if let Some(state) = state.or(parsed.initial_state) {
                    body["initial_state"] = json!(state);
                }
                let answer = client.call(Method::Post, &["connectors"], &[], Some(&body))?;
                let kind = answer
                    .body
                    .as_ref()
                    .and_then(|b| b["type"].as_str())
                    .unwrap_or("unknown")
                    .to_string();
                Ok(confirm(
                    format,
                    &answer,
                    format!("Created connector {name} ({kind})"),
                ))
            }
            C::Update { name, file } => {
                let parsed = connector_file(file)?;
                let body = json!(parsed.config);
                let answer = client.call(
                    Method::Put,
                    &["connectors", name, "config"],
                    &[],
                    Some(&body),
                )?;
                let verb = if answer.status == 201 {
                    "Created"
                } else {
                    "Updated"
                };
                Ok(confirm(format, &answer, format!("{verb} connector {name}")))
            }
            C::Delete { name } => {
                let answer = client.call(Method::Delete, &["connectors", name], &[], None)?;
                Ok(confirm(
                    format,
                    &answer,
                    format!("Deleted connector {name}"),
                ))
            }
            C::Pause { name } => {
                let answer = client.call(Method::Put, &["connectors", name, "pause"], &[], None)?;
                Ok(confirm(
                    format,
                    &answer,
                    format!("Pausing connector {name}"),
                ))
            }
            C::Resume { name } => {
                let answer =
                    client.call(Method::Put, &["connectors", name, "resume"], &[], None)?;
                Ok(confirm(
                    format,
                    &answer,
                    format!("Resuming connector {name}"),
                ))
            }
            C::Stop { name } => {
                let answer = client.call(Method::Put, &["connectors", name, "stop"], &[], None)?;
                Ok(confirm(
                    format,
                    &answer,
                    format!("Stopped connector {name}"),
                ))
            }
            C::Restart {
                name,
                include_tasks,
                only_failed,
            } => {
                let query = [
                    (
                        "includeTasks",
                        if *include_tasks { "true" } else { "false" },
                    ),
                    ("onlyFailed", if *only_failed { "true" } else { "false" }),
                ];
                let answer =
                    client.call(Method::Post, &["connectors", name, "restart"], &query, None)?;
                Ok(match (&answer.body, format) {
                    (None, _) => Report::ok(format!("Restarted connector {name}")),
                    (Some(_), OutputFormat::Json) => Report::ok(json_text(&answer)),
                    (Some(status), OutputFormat::Table) => Report::ok(format!(
                        "Restarting connector {name}\n\n{}",
                        render::connector_status(status)
                    )),
                })
            }
            C::Offsets { name, reset, set } => {
                let segments = ["connectors", name.as_str(), "offsets"];
                if *reset {
                    let answer = client.call(Method::Delete, &segments, &[], None)?;
                    return Ok(confirm(
                        format,
                        &answer,
                        message_of(&answer, &format!("Reset the offsets of connector {name}")),
                    ));
                }
                if let Some(file) = set {
                    let body = read_offsets_file(file).map_err(Failure::Usage)?;
                    let answer = client.call(Method::Patch, &segments, &[], Some(&body))?;
                    return Ok(confirm(
                        format,
                        &answer,
                        message_of(&answer, &format!("Altered the offsets of connector {name}")),
                    ));
                }
                let answer = client.call(Method::Get, &segments, &[], None)?;
                Ok(show(format, &answer, render::offsets))
            }
        }
    }
}

/// The `message` of an answer such as `{"message": "The offsets … have been reset …"}`.
fn message_of(answer: &Answer, fallback: &str) -> String {
    answer
        .body
        .as_ref()
        .and_then(|b| b["message"].as_str())
        .unwrap_or(fallback)
        .to_string()
}

impl ClientCommand for PluginsArgs {
    fn options(&self) -> &ClientOptions {
        &self.options
    }

    fn execute(&self, client: &Client, format: OutputFormat) -> Outcome {
        match &self.command {
            PluginsCommand::List { all } => {
                let query: &[(&str, &str)] = if *all {
                    &[("connectorsOnly", "false")]
                } else {
                    &[]
                };
                let answer = client.call(Method::Get, &["connector-plugins"], query, None)?;
                Ok(show(format, &answer, render::plugins))
            }
            PluginsCommand::Config { plugin } => {
                let answer = client.call(
                    Method::Get,
                    &["connector-plugins", plugin, "config"],
                    &[],
                    None,
                )?;
                Ok(show(format, &answer, render::plugin_config))
            }
            PluginsCommand::Validate { plugin, file } => {
                let parsed = connector_file(file)?;
                let body = json!(parsed.config);
                let answer = client.call(
                    Method::Put,
                    &["connector-plugins", plugin, "config", "validate"],
                    &[],
                    Some(&body),
                )?;
                let mut report = show(format, &answer, render::validation);
                let errors = answer.body.as_ref().map_or(0, render::error_count);
                if errors > 0 {
                    report.code = EXIT_API_ERROR;
                }
                Ok(report)
            }
            PluginsCommand::Upload { file } => {
                let bytes = std::fs::read(file)
                    .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
                let answer =
                    client.post_bytes(&["connector-plugins"], "application/wasm", &bytes)?;
                Ok(show(format, &answer, render::plugin_versions))
            }
            PluginsCommand::Versions { plugin } => {
                let answer = client.call(
                    Method::Get,
                    &["connector-plugins", plugin, "versions"],
                    &[],
                    None,
                )?;
                Ok(show(format, &answer, render::plugin_versions))
            }
            PluginsCommand::Delete { plugin, version } => {
                let answer = client.call(
                    Method::Delete,
                    &["connector-plugins", plugin, "versions", version],
                    &[],
                    None,
                )?;
                Ok(confirm(
                    format,
                    &answer,
                    format!("Deleted {plugin} version {version}"),
                ))
            }
        }
    }
}

fn tenant_file(path: &Path) -> Result<TenantFile, Failure> {
    read_tenant_file(path).map_err(Failure::Usage)
}

impl ClientCommand for TenantsArgs {
    fn options(&self) -> &ClientOptions {
        &self.options
    }

    fn execute(&self, client: &Client, format: OutputFormat) -> Outcome {
        use TenantsCommand as T;
        match &self.command {
            T::List => {
                let answer = client.call(Method::Get, &["admin", "tenants"], &[], None)?;
                Ok(show(format, &answer, render::tenant_list))
            }
            T::Get { name } => {
                let answer = client.call(Method::Get, &["admin", "tenants", name], &[], None)?;
                Ok(show(format, &answer, render::tenant))
            }
            T::Create { file } => {
                let parsed = tenant_file(file)?;
                let name = parsed.name.ok_or_else(|| {
                    Failure::Usage(format!(
                        "{} has no tenant name: add a \"name\" key",
                        file.display()
                    ))
                })?;
                let answer =
                    client.call(Method::Post, &["admin", "tenants"], &[], Some(&parsed.body))?;
                Ok(confirm(format, &answer, format!("Created tenant {name}")))
            }
            T::Update { name, file } => {
                let parsed = tenant_file(file)?;
                if let Some(named) = parsed.name.as_ref().filter(|n| *n != name) {
                    return Err(Failure::Usage(format!(
                        "{} is for tenant \"{named}\", not \"{name}\"",
                        file.display()
                    )));
                }
                let answer = client.call(
                    Method::Put,
                    &["admin", "tenants", name],
                    &[],
                    Some(&parsed.body),
                )?;
                let verb = if answer.status == 201 {
                    "Created"
                } else {
                    "Updated"
                };
                Ok(confirm(format, &answer, format!("{verb} tenant {name}")))
            }
            T::Delete { name } => {
                let answer = client.call(Method::Delete, &["admin", "tenants", name], &[], None)?;
                Ok(confirm(format, &answer, format!("Deleted tenant {name}")))
            }
            T::Keys {
                command: KeysCommand::Create { tenant },
            } => {
                let answer = client.call(
                    Method::Post,
                    &["admin", "tenants", tenant, "keys"],
                    &[],
                    None,
                )?;
                if format == OutputFormat::Json {
                    return Ok(Report::ok(json_text(&answer)));
                }
                let body = answer.body.as_ref().unwrap_or(&Value::Null);
                let key = body["key"].as_str().ok_or_else(|| ClientError::BadAnswer {
                    status: answer.status,
                    message: "no \"key\" in the answer".into(),
                })?;
                let id = body["id"].as_str().unwrap_or("?");
                let mut report = Report::ok(key);
                report.warning = Some(format!(
                    "this is key {id} of tenant {tenant}; the worker shows it only this once: \
                     store it now"
                ));
                Ok(report)
            }
            T::Keys {
                command: KeysCommand::Delete { tenant, id },
            } => {
                let answer = client.call(
                    Method::Delete,
                    &["admin", "tenants", tenant, "keys", id],
                    &[],
                    None,
                )?;
                Ok(confirm(
                    format,
                    &answer,
                    format!("Deleted key {id} of tenant {tenant}"),
                ))
            }
        }
    }
}

impl ClientCommand for AuditArgs {
    fn options(&self) -> &ClientOptions {
        &self.options
    }

    fn execute(&self, client: &Client, format: OutputFormat) -> Outcome {
        let limit = self.limit.map(|n| n.to_string());
        let mut query = Vec::new();
        if let Some(tenant) = &self.tenant {
            query.push(("tenant", tenant.as_str()));
        }
        if let Some(limit) = &limit {
            query.push(("limit", limit.as_str()));
        }
        let answer = client.call(Method::Get, &["admin", "audit"], &query, None)?;
        Ok(show(format, &answer, render::audit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpListener;

    #[derive(Parser, Debug)]
    struct TestCli {
        #[command(subcommand)]
        command: TestCommand,
    }

    #[derive(Subcommand, Debug)]
    enum TestCommand {
        Connectors(ConnectorsArgs),
        Plugins(PluginsArgs),
        Tenants(TenantsArgs),
        Audit(AuditArgs),
    }

    fn parse(args: &[&str]) -> Result<TestCommand, clap::Error> {
        TestCli::try_parse_from(std::iter::once("wasm-connect").chain(args.iter().copied()))
            .map(|c| c.command)
    }

    /// What the canned server received.
    struct Received {
        /// `METHOD PATH HTTP/1.1`.
        line: String,
        /// Header names (lower case) and values.
        headers: Vec<(String, String)>,
        body: String,
    }

    impl Received {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        }
    }

    /// A one-shot HTTP server answering `status` and `body`; returns its URL and a handle
    /// yielding the request it received.
    fn canned_server(
        status: u16,
        body: &'static str,
    ) -> (String, std::thread::JoinHandle<Received>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            reader.read_line(&mut request_line).expect("request line");
            let mut length = 0usize;
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("header");
                if line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
                    if k == "content-length" {
                        length = v.parse().expect("length");
                    }
                    headers.push((k, v));
                }
            }
            let mut request_body = vec![0; length];
            reader.read_exact(&mut request_body).expect("body");
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .expect("answer");
            Received {
                line: request_line.trim().to_string(),
                headers,
                body: String::from_utf8_lossy(&request_body).into_owned(),
            }
        });
        (url, handle)
    }

    /// Run a command as if `$WASM_CONNECT_TOKEN` were unset: exit code, stdout, stderr.
    fn run(args: &[&str]) -> (u8, String, String) {
        run_with_env(args, None)
    }

    /// Run a command with `env_token` as the value of `$WASM_CONNECT_TOKEN`.
    fn run_with_env(args: &[&str], env_token: Option<&str>) -> (u8, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let code = match parse(args).expect("parses") {
            TestCommand::Connectors(c) => run_command(&c, env_token, &mut out, &mut err),
            TestCommand::Plugins(p) => run_command(&p, env_token, &mut out, &mut err),
            TestCommand::Tenants(t) => run_command(&t, env_token, &mut out, &mut err),
            TestCommand::Audit(a) => run_command(&a, env_token, &mut out, &mut err),
        };
        (
            code,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }

    #[test]
    fn options_go_before_or_after_the_subcommand() {
        let Ok(TestCommand::Connectors(args)) =
            parse(&["connectors", "--url", "http://w:1", "list", "-o", "json"])
        else {
            panic!("connectors expected");
        };
        assert_eq!(args.options.url.as_str(), "http://w:1/");
        assert_eq!(args.options.output, OutputFormat::Json);
        let Ok(TestCommand::Connectors(args)) = parse(&[
            "connectors",
            "create",
            "-f",
            "c.json",
            "--initial-state",
            "paused",
        ]) else {
            panic!("connectors expected");
        };
        assert!(matches!(
            args.command,
            ConnectorsCommand::Create {
                initial_state: Some(InitialState::Paused),
                ..
            }
        ));
        assert_eq!(args.options.output, OutputFormat::Table);
    }

    #[test]
    fn usage_errors_are_clap_errors() {
        for bad in [
            &["connectors", "list", "--url", "ftp://x"][..],
            &["connectors", "list", "--url", "nope"],
            &["connectors", "offsets", "c", "--reset", "--set", "f"],
            &["connectors", "restart"],
            &["plugins", "list", "-o", "yaml"],
        ] {
            let error = parse(bad).expect_err("usage error");
            assert_eq!(error.exit_code(), i32::from(EXIT_USAGE), "{bad:?}");
        }
    }

    #[test]
    fn help_documents_the_exit_codes() {
        let error = parse(&["connectors", "--help"]).expect_err("help");
        let help = error.to_string();
        assert!(
            help.contains("Exit codes:") && help.contains("cannot reach"),
            "{help}"
        );
    }

    #[test]
    fn worker_errors_exit_1_with_the_message() {
        let (url, server) = canned_server(
            404,
            r#"{"error_code":404,"message":"Connector nope not found"}"#,
        );
        let (code, out, err) = run(&["connectors", "get", "nope", "--url", &url]);
        assert_eq!(code, EXIT_API_ERROR);
        assert_eq!(out, "");
        assert_eq!(err, "error: Connector nope not found (HTTP 404)\n");
        let request = server.join().expect("server");
        assert_eq!(request.line, "GET /connectors/nope HTTP/1.1");
    }

    #[test]
    fn unreachable_workers_exit_3_naming_the_url() {
        let (code, _, err) = run(&["plugins", "list", "--url", "http://127.0.0.1:1"]);
        assert_eq!(code, EXIT_UNREACHABLE);
        assert!(
            err.starts_with("error: cannot reach the worker at http://127.0.0.1:1/"),
            "{err}"
        );
    }

    #[test]
    fn create_posts_the_file_with_the_initial_state() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("src.properties");
        std::fs::write(&file, "name=src\nconnector.class=FileStreamSource\n").expect("write");
        let (url, server) = canned_server(
            201,
            r#"{"name":"src","config":{},"tasks":[],"type":"source"}"#,
        );
        let path = file.display().to_string();
        let (code, out, _) = run(&[
            "connectors",
            "create",
            "-f",
            &path,
            "--initial-state",
            "STOPPED",
            "--url",
            &url,
        ]);
        assert_eq!(
            (code, out.as_str()),
            (EXIT_OK, "Created connector src (source)\n")
        );
        let request = server.join().expect("server");
        assert_eq!(request.line, "POST /connectors HTTP/1.1");
        let body: Value = serde_json::from_str(&request.body).expect("JSON body");
        assert_eq!(
            body,
            json!({"name": "src", "config": {"connector.class": "FileStreamSource", "name": "src"},
                   "initial_state": "STOPPED"})
        );
    }

    #[test]
    fn bad_files_exit_2_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing.json").display().to_string();
        let (code, _, err) = run(&[
            "connectors",
            "create",
            "-f",
            &missing,
            "--url",
            "http://127.0.0.1:1",
        ]);
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains("missing.json"), "{err}");
        let nameless = dir.path().join("nameless.properties");
        std::fs::write(&nameless, "topic=t\n").expect("write");
        let nameless = nameless.display().to_string();
        let (code, _, err) = run(&[
            "connectors",
            "create",
            "-f",
            &nameless,
            "--url",
            "http://127.0.0.1:1",
        ]);
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains("no connector name"), "{err}");
    }

    #[test]
    fn validation_errors_exit_1_in_both_formats() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("bad.properties");
        std::fs::write(&file, "tasks.max=x\n").expect("write");
        let path = file.display().to_string();
        let answer = r#"{"name":"FileStreamSource","error_count":1,"groups":[],"configs":[{"definition":{},"value":{"name":"tasks.max","value":"x","errors":["Not a number"],"recommended_values":[],"visible":true}}]}"#;
        for format in ["table", "json"] {
            let (url, server) = canned_server(200, answer);
            let (code, out, _) = run(&[
                "plugins",
                "validate",
                "FileStreamSource",
                "-f",
                &path,
                "--url",
                &url,
                "-o",
                format,
            ]);
            assert_eq!(code, EXIT_API_ERROR, "{format}");
            assert!(out.contains("tasks.max"), "{out}");
            let request = server.join().expect("server");
            assert_eq!(
                request.line,
                "PUT /connector-plugins/FileStreamSource/config/validate HTTP/1.1"
            );
            assert_eq!(
                serde_json::from_str::<Value>(&request.body).ok(),
                Some(json!({"tasks.max": "x"}))
            );
        }
    }

    #[test]
    fn json_output_is_the_answer_pretty_printed() {
        let (url, server) = canned_server(
            200,
            r#"{"offsets":[{"partition":{"f":"a"},"offset":{"p":1}}]}"#,
        );
        let (code, out, _) = run(&["connectors", "offsets", "c/1", "-o", "json", "--url", &url]);
        assert_eq!(code, EXIT_OK);
        assert_eq!(
            out,
            "{\n  \"offsets\": [\n    {\n      \"partition\": {\n        \"f\": \"a\"\n      },\n      \"offset\": {\n        \"p\": 1\n      }\n    }\n  ]\n}\n"
        );
        let request = server.join().expect("server");
        assert_eq!(request.line, "GET /connectors/c%2F1/offsets HTTP/1.1");
    }

    const SECRET: &str = "s3cr3t-key";

    #[test]
    fn every_client_command_sends_the_token() {
        for (args, line) in [
            (
                &["connectors", "list"][..],
                "GET /connectors?expand=status&expand=info HTTP/1.1",
            ),
            (
                &["plugins", "versions", "P"],
                "GET /connector-plugins/P/versions HTTP/1.1",
            ),
            (&["tenants", "list"], "GET /admin/tenants HTTP/1.1"),
            (
                &["tenants", "keys", "delete", "a", "k1"],
                "DELETE /admin/tenants/a/keys/k1 HTTP/1.1",
            ),
            (&["audit"], "GET /admin/audit HTTP/1.1"),
        ] {
            let (url, server) = canned_server(200, "[]");
            let mut args = args.to_vec();
            args.extend(["--url", &url, "--token", SECRET]);
            let (code, out, err) = run(&args);
            assert_eq!(code, EXIT_OK, "{args:?}: {err}");
            assert!(!out.contains(SECRET) && !err.contains(SECRET), "{out}{err}");
            let request = server.join().expect("server");
            assert_eq!(request.line, line);
            assert_eq!(
                request.header("authorization"),
                Some("Bearer s3cr3t-key"),
                "{args:?}"
            );
        }
        let (url, server) = canned_server(200, "[]");
        let (code, _, _) = run(&["tenants", "list", "--url", &url]);
        assert_eq!(code, EXIT_OK);
        assert_eq!(server.join().expect("server").header("authorization"), None);
    }

    #[test]
    fn plugin_uploads_send_the_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("p.wasm");
        std::fs::write(&file, b"\0asm").expect("write");
        let path = file.display().to_string();
        let (url, server) = canned_server(200, "{}");
        let (code, _, err) = run(&["plugins", "upload", &path, "--url", &url, "--token", SECRET]);
        assert_eq!(code, EXIT_OK, "{err}");
        let request = server.join().expect("server");
        assert_eq!(request.line, "POST /connector-plugins HTTP/1.1");
        assert_eq!(request.header("authorization"), Some("Bearer s3cr3t-key"));
        assert_eq!(request.header("content-type"), Some("application/wasm"));
    }

    #[test]
    fn the_token_comes_from_the_flag_the_file_or_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key_file = dir.path().join("key");
        std::fs::write(&key_file, "from-file\n").expect("write");
        let key_path = key_file.display().to_string();
        for (extra, env, expected) in [
            (&[][..], Some("from-env"), Some("Bearer from-env")),
            (&[][..], Some(""), None),
            (
                &["--token", "from-flag"],
                Some("from-env"),
                Some("Bearer from-flag"),
            ),
            (
                &["--token-file", &key_path],
                Some("from-env"),
                Some("Bearer from-file"),
            ),
            (&["--token-file", &key_path], None, Some("Bearer from-file")),
        ] {
            let (url, server) = canned_server(200, "[]");
            let mut args = vec!["tenants", "list", "--url", &url];
            args.extend(extra);
            let (code, _, err) = run_with_env(&args, env);
            assert_eq!(code, EXIT_OK, "{args:?}: {err}");
            assert_eq!(
                server.join().expect("server").header("authorization"),
                expected,
                "{args:?} with {env:?}"
            );
        }
    }

    #[test]
    fn token_and_token_file_exclude_each_other() {
        let error =
            parse(&["tenants", "list", "--token", "k", "--token-file", "f"]).expect_err("conflict");
        assert_eq!(error.exit_code(), i32::from(EXIT_USAGE));
        let error = parse(&["audit", "--token-file", "f", "--token", "k"]).expect_err("conflict");
        assert_eq!(error.exit_code(), i32::from(EXIT_USAGE));
    }

    #[test]
    fn bad_tokens_exit_2_without_showing_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing-key").display().to_string();
        // A closed port: exit 2 (not 3) shows that no request was tried.
        let closed = "http://127.0.0.1:1";
        let (code, _, err) = run(&[
            "connectors",
            "list",
            "--url",
            closed,
            "--token-file",
            &missing,
        ]);
        assert_eq!(code, EXIT_USAGE);
        assert!(
            err.contains("cannot read") && err.contains("missing-key"),
            "{err}"
        );
        let (code, _, err) = run(&["plugins", "list", "--url", closed, "--token", "s3cr3t key"]);
        assert_eq!(code, EXIT_USAGE);
        assert!(
            err.starts_with("error: bad --token:") && !err.contains("s3cr3t"),
            "{err}"
        );
        let (code, _, err) = run_with_env(&["audit", "--url", closed], Some("s3cr3t\n"));
        assert_eq!(code, EXIT_USAGE);
        assert!(
            err.contains("WASM_CONNECT_TOKEN") && !err.contains("s3cr3t"),
            "{err}"
        );
    }

    #[test]
    fn parsed_options_do_not_show_the_token() {
        let Ok(TestCommand::Connectors(args)) = parse(&["connectors", "list", "--token", SECRET])
        else {
            panic!("connectors expected");
        };
        let debug = format!("{args:?}");
        assert!(
            !debug.contains(SECRET) && debug.contains("redacted"),
            "{debug}"
        );
    }

    #[test]
    fn a_401_without_a_key_hints_at_the_options() {
        let answer = r#"{"error_code":401,"message":"An API key is required"}"#;
        let (url, server) = canned_server(401, answer);
        let (code, _, err) = run(&["connectors", "list", "--url", &url]);
        server.join().expect("server");
        assert_eq!(code, EXIT_API_ERROR);
        assert_eq!(
            err,
            "error: An API key is required (HTTP 401)\n\
             hint: the worker wants an API key: --token-file PATH, --token KEY or $WASM_CONNECT_TOKEN\n"
        );
        let (url, server) = canned_server(401, answer);
        let (code, _, err) = run(&["connectors", "list", "--url", &url, "--token", "unknown"]);
        server.join().expect("server");
        assert_eq!(code, EXIT_API_ERROR);
        assert_eq!(err, "error: An API key is required (HTTP 401)\n");
    }

    #[test]
    fn tenant_commands_parse() {
        let Ok(TestCommand::Tenants(args)) = parse(&[
            "tenants",
            "keys",
            "delete",
            "a",
            "k1",
            "-o",
            "json",
            "--url",
            "http://w:1",
        ]) else {
            panic!("tenants expected");
        };
        assert!(matches!(
            &args.command,
            TenantsCommand::Keys { command: KeysCommand::Delete { tenant, id } }
                if tenant == "a" && id == "k1"
        ));
        assert_eq!(args.options.output, OutputFormat::Json);
        assert_eq!(args.options.url.as_str(), "http://w:1/");
        let Ok(TestCommand::Audit(args)) = parse(&["audit", "--tenant", "a", "--limit", "5"])
        else {
            panic!("audit expected");
        };
        assert_eq!((args.tenant.as_deref(), args.limit), (Some("a"), Some(5)));
        for bad in [
            &["tenants", "keys"][..],
            &["tenants", "keys", "create"],
            &["tenants", "create"],
            &["tenants", "update", "a"],
            &["audit", "--limit", "0"],
            &["audit", "--limit", "x"],
            &["audit", "a"],
        ] {
            let error = parse(bad).expect_err("usage error");
            assert_eq!(error.exit_code(), i32::from(EXIT_USAGE), "{bad:?}");
        }
        let help = parse(&["tenants", "keys", "--help"])
            .expect_err("help")
            .to_string();
        assert!(help.contains("Exit codes:"), "{help}");
    }

    #[test]
    fn tenants_create_posts_the_properties_as_json() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.properties");
        std::fs::write(
            &file,
            "name=a\ntopic.prefixes=a.,shared.a.\nquotas.tasks=20\n",
        )
        .expect("write");
        let path = file.display().to_string();
        let (url, server) = canned_server(201, r#"{"name":"a","keys":[]}"#);
        let (code, out, err) = run(&["tenants", "create", "-f", &path, "--url", &url]);
        assert_eq!(
            (code, out.as_str()),
            (EXIT_OK, "Created tenant a\n"),
            "{err}"
        );
        let request = server.join().expect("server");
        assert_eq!(request.line, "POST /admin/tenants HTTP/1.1");
        assert_eq!(
            serde_json::from_str::<Value>(&request.body).ok(),
            Some(
                json!({"name": "a", "topic.prefixes": ["a.", "shared.a."], "quotas": {"tasks": 20}})
            )
        );
        let nameless = dir.path().join("nameless.properties");
        std::fs::write(&nameless, "fs.root=/srv\n").expect("write");
        let nameless = nameless.display().to_string();
        let (code, _, err) = run(&[
            "tenants",
            "create",
            "-f",
            &nameless,
            "--url",
            "http://127.0.0.1:1",
        ]);
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains("no tenant name"), "{err}");
    }

    #[test]
    fn tenants_update_checks_the_name_and_tells_created_from_updated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.json");
        std::fs::write(&file, r#"{"name": "a", "quotas": {"task.cpu.share": 0.5}}"#)
            .expect("write");
        let path = file.display().to_string();
        let (code, _, err) = run(&[
            "tenants",
            "update",
            "b",
            "-f",
            &path,
            "--url",
            "http://127.0.0.1:1",
        ]);
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains("is for tenant \"a\", not \"b\""), "{err}");
        for (status, expected) in [(201, "Created tenant a\n"), (200, "Updated tenant a\n")] {
            let (url, server) = canned_server(status, r#"{"name":"a"}"#);
            let (code, out, _) = run(&["tenants", "update", "a", "-f", &path, "--url", &url]);
            assert_eq!((code, out.as_str()), (EXIT_OK, expected));
            let request = server.join().expect("server");
            assert_eq!(request.line, "PUT /admin/tenants/a HTTP/1.1");
            assert_eq!(
                serde_json::from_str::<Value>(&request.body).ok(),
                Some(json!({"name": "a", "quotas": {"task.cpu.share": 0.5}}))
            );
        }
    }

    #[test]
    fn tenants_delete_reports_a_conflict() {
        let (url, server) = canned_server(
            409,
            r#"{"error_code":409,"message":"Tenant a owns 2 connectors"}"#,
        );
        let (code, out, err) = run(&["tenants", "delete", "a", "--url", &url, "--token", "admin"]);
        assert_eq!((code, out.as_str()), (EXIT_API_ERROR, ""));
        assert_eq!(err, "error: Tenant a owns 2 connectors (HTTP 409)\n");
        assert_eq!(
            server.join().expect("server").line,
            "DELETE /admin/tenants/a HTTP/1.1"
        );
    }

    #[test]
    fn new_keys_are_printed_with_a_warning_in_table_mode_only() {
        let answer = r#"{"id":"k9","key":"wck_new-secret"}"#;
        let (url, server) = canned_server(201, answer);
        let (code, out, err) = run(&["tenants", "keys", "create", "a", "--url", &url]);
        assert_eq!(code, EXIT_OK);
        assert_eq!(out, "wck_new-secret\n");
        assert!(
            err.starts_with("warning: ") && err.contains("k9") && err.contains("only this once"),
            "{err}"
        );
        assert_eq!(
            server.join().expect("server").line,
            "POST /admin/tenants/a/keys HTTP/1.1"
        );
        let (url, server) = canned_server(201, answer);
        let (code, out, err) = run(&[
            "tenants", "keys", "create", "a", "--url", &url, "-o", "json",
        ]);
        server.join().expect("server");
        assert_eq!(code, EXIT_OK);
        assert_eq!(
            out,
            "{\n  \"id\": \"k9\",\n  \"key\": \"wck_new-secret\"\n}\n"
        );
        assert_eq!(err, "");
        let (url, server) = canned_server(201, r#"{"id":"k9"}"#);
        let (code, _, err) = run(&["tenants", "keys", "create", "a", "--url", &url]);
        server.join().expect("server");
        assert_eq!(code, EXIT_API_ERROR);
        assert!(err.contains("no \"key\""), "{err}");
    }

    #[test]
    fn audit_passes_its_filters_and_renders_a_table() {
        let answer = r#"[{"time":"2026-11-26T08:00:00.123Z","tenant":null,"key_id":"admin","action":"tenant.create","target":"a"}]"#;
        let (url, server) = canned_server(200, answer);
        let (code, out, _) = run(&["audit", "--tenant", "a b", "--limit", "5", "--url", &url]);
        assert_eq!(code, EXIT_OK);
        assert_eq!(
            out,
            "TIME                      TENANT  KEY    ACTION         TARGET\n\
             2026-11-26T08:00:00.123Z  -       admin  tenant.create  a\n"
        );
        assert_eq!(
            server.join().expect("server").line,
            "GET /admin/audit?tenant=a+b&limit=5 HTTP/1.1"
        );
    }

    #[test]
    fn tenant_get_renders_settings_quotas_and_keys() {
        let answer = r#"{"name":"a","topic.prefixes":["a."],"quotas":{"tasks":20},"keys":[{"id":"k1","created":"2026-11-26T08:00:00Z"}]}"#;
        let (url, server) = canned_server(200, answer);
        let (code, out, _) = run(&["tenants", "get", "a", "--url", &url]);
        assert_eq!(code, EXIT_OK);
        assert!(
            out.starts_with("SETTING ")
                && out.contains("\ntasks  20\n")
                && out.contains("\nk1      2026-11-26T08:00:00Z\n"),
            "{out}"
        );
        assert_eq!(
            server.join().expect("server").line,
            "GET /admin/tenants/a HTTP/1.1"
        );
    }
}
