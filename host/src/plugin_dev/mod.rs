//! `wasm-connect plugin new` and `wasm-connect plugin build`: start a plugin project in any
//! supported language and build it into a component with that language's toolchain.
//!
//! A project is a directory with a `wasm-connect.toml` manifest naming its language and plugin
//! kind; `plugin new` writes the manifest and a working example of the kind, `plugin build` reads
//! the manifest, runs the toolchain (its output goes to stderr) and prints the path of the built
//! component as the last line of stdout. Each language lives in its own module with the same two
//! functions: `new_project` (the files of a new project) and `build` (run the toolchain).

mod c;
mod js;
mod python;
mod rust;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

/// The manifest file at the root of every plugin project.
pub const MANIFEST: &str = "wasm-connect.toml";

/// The WIT package every plugin is built against, embedded so projects are self-contained, with
/// the WASI packages its `wasi:http` worlds import (the WIT parser needs them to resolve it).
pub const WIT_FILES: &[(&str, &str)] = &[
    ("wit/types.wit", include_str!("../../../wit/types.wit")),
    ("wit/plugins.wit", include_str!("../../../wit/plugins.wit")),
    (
        "wit/deps/cli.wit",
        include_str!("../../../wit/deps/cli.wit"),
    ),
    (
        "wit/deps/clocks.wit",
        include_str!("../../../wit/deps/clocks.wit"),
    ),
    (
        "wit/deps/filesystem.wit",
        include_str!("../../../wit/deps/filesystem.wit"),
    ),
    (
        "wit/deps/http.wit",
        include_str!("../../../wit/deps/http.wit"),
    ),
    ("wit/deps/io.wit", include_str!("../../../wit/deps/io.wit")),
    (
        "wit/deps/random.wit",
        include_str!("../../../wit/deps/random.wit"),
    ),
    (
        "wit/deps/sockets.wit",
        include_str!("../../../wit/deps/sockets.wit"),
    ),
];

/// A language plugins can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Rust, over the `wasm-connect-sdk` crate (`cargo build --target wasm32-wasip2`).
    Rust,
    /// Python, over the `wasm_connect` package (componentize-py).
    Python,
    /// JavaScript, over the `wasm-connect` module (componentize-js).
    Js,
    /// C, over the `wasm_connect.h` helpers (clang + wasi-libc, then componentized in-process).
    C,
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::Js => "js",
            Lang::C => "c",
        })
    }
}

/// A plugin kind: which WIT world the component targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A source connector and its tasks.
    Source,
    /// A sink connector and its tasks.
    Sink,
    /// A single message transform.
    Transform,
    /// A predicate for conditional transforms.
    Predicate,
}

impl Kind {
    /// The WIT world a plugin of this kind targets.
    pub fn world(self) -> &'static str {
        match self {
            Kind::Source => "source-plugin",
            Kind::Sink => "sink-plugin",
            Kind::Transform => "transform-plugin",
            Kind::Predicate => "predicate-plugin",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Source => "source",
            Kind::Sink => "sink",
            Kind::Transform => "transform",
            Kind::Predicate => "predicate",
        })
    }
}

/// `wasm-connect.toml`: what a project is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The `[plugin]` table.
    pub plugin: ManifestPlugin,
}

/// The `[plugin]` table of `wasm-connect.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestPlugin {
    /// The project (directory) name, e.g. `my-upper`; also the component's file stem.
    pub name: String,
    /// The plugin's name as the worker knows it (`connector.class`, `transforms.X.type`).
    pub class: String,
    /// The language.
    pub lang: Lang,
    /// The plugin kind.
    pub kind: Kind,
    /// The WIT world (defaults to the kind's); a world importing `wasi:http` may be chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<String>,
}

impl ManifestPlugin {
    /// The WIT world to build against.
    pub fn world(&self) -> &str {
        self.world.as_deref().unwrap_or(self.kind.world())
    }
}

/// `wasm-connect plugin new`.
#[derive(Args, Debug, Clone)]
pub struct NewArgs {
    /// Name of the project: a new directory with this name is created (letters, digits, `-`, `_`).
    pub name: String,
    /// The language.
    #[arg(long, value_enum)]
    pub lang: Lang,
    /// The plugin kind.
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// Create the project under this directory instead of the current one.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Rust only: the `sdk/` directory of a Wasm Connect checkout (default: the one this binary
    /// was built from).
    #[arg(long)]
    pub sdk: Option<PathBuf>,
}

/// `wasm-connect plugin build`.
#[derive(Args, Debug, Clone)]
pub struct BuildArgs {
    /// The project directory (where `wasm-connect.toml` is).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Why `plugin new` or `plugin build` failed.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// Bad arguments (e.g. an invalid name).
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// `wasm-connect.toml` is missing or invalid.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A tool the language needs is not installed.
    #[error("{tool} is not installed; install it with:\n    {install}")]
    ToolMissing {
        /// The missing tool.
        tool: String,
        /// How to install it.
        install: String,
    },
    /// A build step failed.
    #[error("{step} failed: {detail}")]
    Failed {
        /// The step, e.g. `componentize-py`.
        step: String,
        /// Exit status or message.
        detail: String,
    },
}

impl DevError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> DevError {
        DevError::Io {
            path: path.into(),
            source,
        }
    }
}

/// One file of a new project, relative to the project directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// Path relative to the project root (`/`-separated).
    pub path: String,
    /// Contents.
    pub contents: String,
}

impl ProjectFile {
    /// A file at `path` with `contents`.
    pub fn new(path: impl Into<String>, contents: impl Into<String>) -> ProjectFile {
        ProjectFile {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// What a language module gets to lay out a new project.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// The manifest that will be written.
    pub manifest: ManifestPlugin,
    /// Rust only: the SDK directory to depend on.
    pub sdk: Option<PathBuf>,
}

impl NewProject {
    /// The project name with `-` replaced by `_` (Rust crate names, Python modules, C symbols).
    pub fn snake_name(&self) -> String {
        self.manifest.name.replace('-', "_")
    }
}

/// The plugin class name derived from a project name: `my-upper` → `MyUpper`.
pub fn class_name(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn check_name(name: &str) -> Result<(), DevError> {
    let valid_start = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if !valid_start
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        || name.len() > 64
    {
        return Err(DevError::Usage(format!(
            "invalid project name '{name}': use at most 64 ASCII letters, digits, '-' and '_', starting with a letter"
        )));
    }
    Ok(())
}

/// The files of a new project (manifest included), without writing them.
pub fn project_files(project: &NewProject) -> Result<Vec<ProjectFile>, DevError> {
    let mut files = match project.manifest.lang {
        Lang::Rust => rust::new_project(project)?,
        Lang::Python => python::new_project(project)?,
        Lang::Js => js::new_project(project)?,
        Lang::C => c::new_project(project)?,
    };
    let manifest = Manifest {
        plugin: project.manifest.clone(),
    };
    let text = toml::to_string(&manifest).map_err(|e| DevError::Usage(e.to_string()))?;
    files.push(ProjectFile::new(
        MANIFEST,
        format!(
            "# A Wasm Connect plugin project: build it with `wasm-connect plugin build`.\n{text}"
        ),
    ));
    Ok(files)
}

/// `plugin new`: create the project directory; returns its path.
pub fn new_project(args: &NewArgs) -> Result<PathBuf, DevError> {
    check_name(&args.name)?;
    let root = args.dir.join(&args.name);
    if root.exists() {
        return Err(DevError::Usage(format!(
            "{} already exists",
            root.display()
        )));
    }
    let sdk = match args.lang {
        Lang::Rust => Some(rust::sdk_dir(args.sdk.as_deref())?),
        _ => None,
    };
    let project = NewProject {
        manifest: ManifestPlugin {
            name: args.name.clone(),
            class: class_name(&args.name),
            lang: args.lang,
            kind: args.kind,
            world: None,
        },
        sdk,
    };
    let files = project_files(&project)?;
    for file in &files {
        let path = root.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| DevError::io(parent, e))?;
        }
        std::fs::write(&path, &file.contents).map_err(|e| DevError::io(&path, e))?;
    }
    Ok(root)
}

/// Read `dir/wasm-connect.toml`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, DevError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| DevError::Manifest {
        path: path.clone(),
        message: format!("{e} (is this a plugin project? `wasm-connect plugin new` creates one)"),
    })?;
    toml::from_str(&text).map_err(|e| DevError::Manifest {
        path,
        message: e.to_string(),
    })
}

/// `plugin build`: build the project in `dir`; returns the component's path.
pub fn build_project(dir: &Path) -> Result<PathBuf, DevError> {
    let manifest = read_manifest(dir)?;
    let dir = dir.canonicalize().map_err(|e| DevError::io(dir, e))?;
    let built = match manifest.plugin.lang {
        Lang::Rust => rust::build(&dir, &manifest.plugin)?,
        Lang::Python => python::build(&dir, &manifest.plugin)?,
        Lang::Js => js::build(&dir, &manifest.plugin)?,
        Lang::C => c::build(&dir, &manifest.plugin)?,
    };
    if !built.is_file() {
        return Err(DevError::Failed {
            step: format!("{} build", manifest.plugin.lang),
            detail: format!("the toolchain succeeded but {} is missing", built.display()),
        });
    }
    Ok(built)
}

/// Run `command` in `dir` with its output on stderr (stdout is kept for the component path).
/// `tool` names it in errors; `install` says how to get it when it is not found.
pub fn run_tool(
    mut command: Command,
    dir: &Path,
    tool: &str,
    install: &str,
) -> Result<(), DevError> {
    command
        .current_dir(dir)
        .stdout(std::process::Stdio::from(std::io::stderr()));
    let status = command.status().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DevError::ToolMissing {
            tool: tool.to_string(),
            install: install.to_string(),
        },
        _ => DevError::Failed {
            step: tool.to_string(),
            detail: e.to_string(),
        },
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(DevError::Failed {
            step: tool.to_string(),
            detail: status.to_string(),
        })
    }
}

/// Is `program` on the `PATH`?
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// `wasm-connect plugin new` as a command: prints what to do next; returns the exit code.
pub fn new_main(args: &NewArgs) -> u8 {
    match new_project(args) {
        Ok(root) => {
            println!(
                "Created {} ({} {} plugin).",
                root.display(),
                args.lang,
                args.kind
            );
            println!("Next: cd {} && wasm-connect plugin build", root.display());
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// `wasm-connect plugin build` as a command: the component's path is the last line of stdout.
pub fn build_main(args: &BuildArgs) -> u8 {
    match build_project(&args.dir) {
        Ok(path) => {
            println!("{}", path.display());
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// A new project named `name` of `lang` and `kind`, without an SDK path (for unit tests).
#[cfg(test)]
pub(crate) fn test_project(lang: Lang, kind: Kind, name: &str) -> NewProject {
    NewProject {
        manifest: ManifestPlugin {
            name: name.into(),
            class: class_name(name),
            lang,
            kind,
            world: None,
        },
        sdk: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_camel_case() {
        assert_eq!(class_name("my-upper"), "MyUpper");
        assert_eq!(class_name("http_sink"), "HttpSink");
        assert_eq!(class_name("x"), "X");
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("my-upper_2").is_ok());
        for bad in ["", "2x", "a/b", "../x", "a b", "ü"] {
            assert!(matches!(check_name(bad), Err(DevError::Usage(_))), "{bad}");
        }
    }

    #[test]
    fn every_language_lays_out_every_kind_with_a_manifest() {
        for lang in [Lang::Rust, Lang::Python, Lang::Js, Lang::C] {
            for kind in [Kind::Source, Kind::Sink, Kind::Transform, Kind::Predicate] {
                let project = NewProject {
                    manifest: ManifestPlugin {
                        name: "my-plugin".into(),
                        class: "MyPlugin".into(),
                        lang,
                        kind,
                        world: None,
                    },
                    sdk: Some(PathBuf::from("/sdk")),
                };
                let files = project_files(&project).expect("files");
                let manifest = files.iter().find(|f| f.path == MANIFEST).expect("manifest");
                let parsed: Manifest = toml::from_str(&manifest.contents).expect("toml");
                assert_eq!(parsed.plugin, project.manifest);
                assert!(files.len() > 1, "{lang} {kind}");
                assert!(
                    files
                        .iter()
                        .all(|f| !f.path.starts_with('/') && !f.path.contains("..")),
                    "{lang} {kind}"
                );
            }
        }
    }
}
