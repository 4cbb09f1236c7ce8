//! The command-line REST client: `wasm-connect connectors …` and `wasm-connect plugins …` talk
//! to a running worker's REST API (Kafka Connect's) and print readable tables (`-o table`) or
//! the worker's JSON answer pretty-printed (`-o json`).
//!
//! [`ConnectorsArgs::run`] and [`PluginsArgs::run`] return the process exit code ([`EXIT_OK`],
//! [`EXIT_API_ERROR`], [`EXIT_USAGE`], [`EXIT_UNREACHABLE`]); they never exit themselves.

mod client;
mod files;
mod render;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use url::Url;

pub use client::{Answer, Client, ClientError, Method};
pub use files::{
    ConnectorFile, parse_connector_text, parse_offsets_text, read_connector_file, read_offsets_file,
};

/// The worker URL used without `--url` and `WASM_CONNECT_URL`.
pub const DEFAULT_URL: &str = "http://localhost:8083";

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
  1  the worker answered with an error (HTTP 4xx/5xx; `error: MESSAGE (HTTP CODE)` on stderr),
     or `plugins validate` found errors in the configuration
  2  usage error: bad arguments, or a -f/--set file that cannot be read or parsed
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

/// What a command prints on stdout and its exit code.
struct Report {
    text: String,
    code: u8,
}

impl Report {
    fn ok(text: impl Into<String>) -> Report {
        Report {
            text: text.into(),
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

/// Run `execute` with a client for `options`, print its outcome; the exit code.
fn run_command(
    options: &ClientOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
    execute: impl FnOnce(&Client, OutputFormat) -> Outcome,
) -> u8 {
    let client = Client::new(options.url.clone());
    finish(execute(&client, options.output), out, err)
}

fn connector_file(path: &Path) -> Result<ConnectorFile, Failure> {
    read_connector_file(path).map_err(Failure::Usage)
}

impl ConnectorsArgs {
    /// Run the command against the worker, printing on stdout and stderr; the exit code.
    #[must_use]
    pub fn run(&self) -> u8 {
        self.run_with(&mut std::io::stdout().lock(), &mut std::io::stderr().lock())
    }

    /// Run the command, printing results on `out` and errors on `err`; the exit code.
    #[must_use]
    pub fn run_with(&self, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
        run_command(&self.options, out, err, |client, format| {
            self.execute(client, format)
        })
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

impl PluginsArgs {
    /// Run the command against the worker, printing on stdout and stderr; the exit code.
    #[must_use]
    pub fn run(&self) -> u8 {
        self.run_with(&mut std::io::stdout().lock(), &mut std::io::stderr().lock())
    }

    /// Run the command, printing results on `out` and errors on `err`; the exit code.
    #[must_use]
    pub fn run_with(&self, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
        run_command(&self.options, out, err, |client, format| {
            self.execute(client, format)
        })
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
    }

    fn parse(args: &[&str]) -> Result<TestCommand, clap::Error> {
        TestCli::try_parse_from(std::iter::once("wasm-connect").chain(args.iter().copied()))
            .map(|c| c.command)
    }

    /// A one-shot HTTP server answering `status` and `body`; returns its URL and a handle
    /// yielding the request line and body it received.
    fn canned_server(
        status: u16,
        body: &'static str,
    ) -> (String, std::thread::JoinHandle<(String, String)>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            reader.read_line(&mut request_line).expect("request line");
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("header");
                if line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().expect("length");
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
            (
                request_line.trim().to_string(),
                String::from_utf8_lossy(&request_body).into_owned(),
            )
        });
        (url, handle)
    }

    fn run(args: &[&str]) -> (u8, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let code = match parse(args).expect("parses") {
            TestCommand::Connectors(c) => c.run_with(&mut out, &mut err),
            TestCommand::Plugins(p) => p.run_with(&mut out, &mut err),
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
        let (request, _) = server.join().expect("server");
        assert_eq!(request, "GET /connectors/nope HTTP/1.1");
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
        let (request, body) = server.join().expect("server");
        assert_eq!(request, "POST /connectors HTTP/1.1");
        let body: Value = serde_json::from_str(&body).expect("JSON body");
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
            let (request, body) = server.join().expect("server");
            assert_eq!(
                request,
                "PUT /connector-plugins/FileStreamSource/config/validate HTTP/1.1"
            );
            assert_eq!(
                serde_json::from_str::<Value>(&body).ok(),
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
        let (request, _) = server.join().expect("server");
        assert_eq!(request, "GET /connectors/c%2F1/offsets HTTP/1.1");
    }
}
