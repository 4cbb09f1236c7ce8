//! JavaScript projects: an ES module over the `wasm-connect` SDK (vendored into the project as
//! `wasm-connect/`), built into a component with componentize-js by the project's `build.mjs`.
//!
//! componentize-js loads the module graph of `src/index.js` at build time, so relative imports
//! work and no bundler is needed; bare package names do not resolve inside the component, which
//! is why the SDK is a directory of the project rather than an npm dependency.
//!
//! `plugin build` runs `npm install` when the project has no `node_modules` — unless
//! `WASM_CONNECT_JS_TOOLS` names a directory where componentize-js is already installed
//! (`npm install --prefix <dir> @bytecodealliance/componentize-js@0.23.0`), which lets many
//! projects (and CI) share one 385 MB install.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{DevError, Kind, ManifestPlugin, NewProject, ProjectFile, WIT_FILES, run_tool};

/// The componentize-js version projects pin.
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// Environment variable naming a shared directory with componentize-js installed.
pub const TOOLS_ENV: &str = "WASM_CONNECT_JS_TOOLS";

/// Where componentize-js lives below a project or a tools directory.
const COMPONENTIZE_JS_PACKAGE: &str = "node_modules/@bytecodealliance/componentize-js/package.json";

/// How to get Node.js 20.6+ (componentize-js's parser needs Node.js 20; the SDK's test hooks 20.6).
const NODE_INSTALL: &str = "apt-get install nodejs npm   # where the distribution ships Node.js 20.6+ (Debian 13), \
     else https://nodejs.org/en/download";

/// The oldest Node.js major version that builds.
const NODE_MIN_MAJOR: u32 = 20;

/// The SDK's files, written into every project under `wasm-connect/`.
const SDK_FILES: &[(&str, &str)] = &[
    (
        "wasm-connect/index.js",
        include_str!("../../../sdk/js/src/index.js"),
    ),
    (
        "wasm-connect/source.js",
        include_str!("../../../sdk/js/src/source.js"),
    ),
    (
        "wasm-connect/plugin.js",
        include_str!("../../../sdk/js/src/plugin.js"),
    ),
    (
        "wasm-connect/record.js",
        include_str!("../../../sdk/js/src/record.js"),
    ),
    (
        "wasm-connect/data.js",
        include_str!("../../../sdk/js/src/data.js"),
    ),
    (
        "wasm-connect/config.js",
        include_str!("../../../sdk/js/src/config.js"),
    ),
    (
        "wasm-connect/errors.js",
        include_str!("../../../sdk/js/src/errors.js"),
    ),
    (
        "wasm-connect/log.js",
        include_str!("../../../sdk/js/src/log.js"),
    ),
    (
        "wasm-connect/testing/register.js",
        include_str!("../../../sdk/js/src/testing/register.js"),
    ),
    (
        "wasm-connect/testing/hooks.js",
        include_str!("../../../sdk/js/src/testing/hooks.js"),
    ),
    (
        "wasm-connect/testing/host.js",
        include_str!("../../../sdk/js/src/testing/host.js"),
    ),
    (
        "wasm-connect/testing/source-context.js",
        include_str!("../../../sdk/js/src/testing/source-context.js"),
    ),
];

/// The project's build script: `node build.mjs [--world <world>] [--out <file>]`.
const BUILD_SCRIPT: &str = include_str!("../../../sdk/js/template/build.mjs");

/// The component a project builds, relative to the project.
fn output(plugin: &ManifestPlugin) -> String {
    format!("dist/{}.wasm", plugin.name)
}

pub(super) fn new_project(project: &NewProject) -> Result<Vec<ProjectFile>, DevError> {
    let plugin = &project.manifest;
    let package = serde_json::json!({
        "name": plugin.name.to_lowercase(),
        "version": "0.1.0",
        "private": true,
        "type": "module",
        "description": format!("{}: a Wasm Connect {} plugin in JavaScript", plugin.class, plugin.kind),
        "scripts": {
            "build": "node build.mjs",
            "test": "node --import ./wasm-connect/testing/register.js --test"
        },
        "engines": { "node": ">=20.6" },
        "devDependencies": {
            "@bytecodealliance/componentize-js": COMPONENTIZE_JS_VERSION
        }
    });
    let package = serde_json::to_string_pretty(&package)
        .map_err(|e| DevError::Usage(format!("package.json: {e}")))?;
    let build = BUILD_SCRIPT
        .replace("@WORLD@", plugin.world())
        .replace("@OUT@", &output(plugin));
    let mut files = vec![
        ProjectFile::new("package.json", package + "\n"),
        ProjectFile::new("build.mjs", build),
        ProjectFile::new("src/index.js", source(plugin)),
        ProjectFile::new(format!("test/{}.test.js", plugin.name), test(plugin)),
        ProjectFile::new(".gitignore", "/node_modules\n/dist\n"),
        ProjectFile::new("README.md", readme(plugin)),
    ];
    files.extend(
        SDK_FILES
            .iter()
            .chain(WIT_FILES)
            .map(|(path, contents)| ProjectFile::new(*path, *contents)),
    );
    Ok(files)
}

fn readme(plugin: &ManifestPlugin) -> String {
    format!(
        "# {class}\n\nA Wasm Connect {kind} plugin in JavaScript (componentize-js).\n\n\
         - Code: `src/index.js`; the SDK is in `wasm-connect/` (guide: `sdk/js/README.md` of Wasm Connect).\n\
         - Build: `wasm-connect plugin build` (runs `npm install` the first time, then `node build.mjs`; \
         prints the component's path, `{out}`).\n\
         - Unit tests: `npm test` (plain Node.js, no build needed).\n\
         - Try it: `wasm-connect plugin test $(wasm-connect plugin build | tail -1) --input records.jsonl`.\n",
        class = plugin.class,
        kind = plugin.kind,
        out = output(plugin),
    )
}

/// `src/index.js`: a small working plugin of the kind (the same behaviour as Rust's template).
fn source(plugin: &ManifestPlugin) -> String {
    let class = &plugin.class;
    let kind = plugin.kind;
    let body = match kind {
        Kind::Transform => format!(
            r#"import {{ ConfigDef, Transform, exportTransform }} from '../wasm-connect/index.js';

/** Upper-cases a string value and appends `suffix`; other values pass unchanged. */
export class {class} extends Transform {{
  static info = {{ name: '{class}', version: '0.1.0', description: 'Upper-cases string values.' }};

  static configDef = new ConfigDef().string('suffix', {{ default: '', doc: 'Appended to each string value.' }});

  configure(config) {{
    this.suffix = config.getString('suffix');
  }}

  apply(record) {{
    if (typeof record.value === 'string') {{
      record.value = record.value.toUpperCase() + this.suffix;
    }}
    return record;
  }}
}}

export const {{ plugin, transform }} = exportTransform({class});
"#
        ),
        Kind::Predicate => format!(
            r#"import {{ ConfigDef, Predicate, exportPredicate }} from '../wasm-connect/index.js';

/** Matches records whose value is a string containing `needle`. */
export class {class} extends Predicate {{
  static info = {{ name: '{class}', version: '0.1.0', description: 'Matches string values containing a needle.' }};

  static configDef = new ConfigDef().string('needle', {{ nonEmpty: true, doc: 'The text to look for.' }});

  configure(config) {{
    this.needle = config.getNonEmptyString('needle');
  }}

  test(record) {{
    return typeof record.value === 'string' && record.value.includes(this.needle);
  }}
}}

export const {{ plugin, predicate }} = exportPredicate({class});
"#
        ),
        Kind::Source => format!(
            r#"import {{
  ConfigDef,
  Importance,
  SourceConnector,
  SourceRecord,
  SourceTask,
  exportSource,
}} from '../wasm-connect/source.js';

/** The connector: `tasks.max` tasks, each counting in its own source partition. */
export class {class} extends SourceConnector {{
  static info = {{ name: '{class}', version: '0.1.0', description: 'Emits numbered greetings.' }};

  static configDef = new ConfigDef()
    .string('topic', {{ nonEmpty: true, importance: Importance.HIGH, doc: 'Topic to write to.' }})
    .long('max.records', {{ default: 10, doc: 'Records per task.' }});

  start(config) {{
    config.getNonEmptyString('topic');
    this.config = config;
  }}

  taskConfigs(maxTasks) {{
    return Array.from({{ length: Math.max(1, maxTasks) }}, (_, n) => this.config.with('task.number', n));
  }}
}}

/** A task: emits `hello N` until `max.records`, resuming after its committed offset. */
export class {class}Task extends SourceTask {{
  start(config) {{
    this.topic = config.getNonEmptyString('topic');
    this.max = config.getLong('max.records', 10);
    this.partition = {{ task: config.getInt('task.number', 0) }};
    this.next = this.context.offset(this.partition)?.next ?? 0;
  }}

  poll() {{
    const records = [];
    while (this.next < this.max && records.length < 100) {{
      const value = `hello ${{this.next}}`;
      this.next += 1;
      records.push(
        new SourceRecord({{
          topic: this.topic,
          value,
          sourcePartition: this.partition,
          sourceOffset: {{ next: this.next }},
        }}),
      );
    }}
    return records;
  }}
}}

export const {{ plugin, connector, sourceTask }} = exportSource({class}, {class}Task);
"#
        ),
        Kind::Sink => format!(
            r#"import {{ ConfigDef, SinkConnector, SinkTask, exportSink, log }} from '../wasm-connect/index.js';

/** The connector: `tasks.max` tasks, each with the connector's configuration (the default). */
export class {class} extends SinkConnector {{
  static info = {{ name: '{class}', version: '0.1.0', description: 'Logs every record it receives.' }};

  static configDef = new ConfigDef().string('prefix', {{ default: 'got', doc: 'Written before each record.' }});
}}

/** A task: logs each record through the host (the worker's log, at INFO). */
export class {class}Task extends SinkTask {{
  start(config) {{
    this.prefix = config.getString('prefix');
  }}

  put(records) {{
    for (const record of records) {{
      log.info(`${{this.prefix}} ${{record.topic}}-${{record.partition ?? '-'}}@${{record.kafkaOffset}}:`, record.value);
    }}
  }}
}}

export const {{ plugin, connector, sinkTask }} = exportSink({class}, {class}Task);
"#
        ),
    };
    format!(
        "/**\n * {class}: a Wasm Connect {kind} plugin (generated by `wasm-connect plugin new`).\n \
         * Build it with `wasm-connect plugin build`; test it with `npm test`.\n */\n{body}"
    )
}

/// `test/<name>.test.js`: unit tests of the template under plain Node.js.
fn test(plugin: &ManifestPlugin) -> String {
    let class = &plugin.class;
    let body = match plugin.kind {
        Kind::Transform => format!(
            r#"import {{ Config, ConnectRecord }} from '../wasm-connect/index.js';
import {{ {class} }} from '../src/index.js';

test('upper-cases strings and appends the suffix', () => {{
  const transform = new {class}();
  transform.configure(new Config({{ suffix: '!' }}));
  assert.equal(transform.apply(new ConnectRecord({{ topic: 't', value: 'hello' }})).value, 'HELLO!');
  assert.equal(transform.apply(new ConnectRecord({{ topic: 't', value: 42n }})).value, 42n);
}});
"#
        ),
        Kind::Predicate => format!(
            r#"import {{ Config, ConnectRecord }} from '../wasm-connect/index.js';
import {{ {class} }} from '../src/index.js';

test('matches the needle', () => {{
  const predicate = new {class}();
  predicate.configure(new Config({{ needle: 'cat' }}));
  assert.equal(predicate.test(new ConnectRecord({{ topic: 't', value: 'concatenate' }})), true);
  assert.equal(predicate.test(new ConnectRecord({{ topic: 't', value: 'dog' }})), false);
}});
"#
        ),
        Kind::Source => format!(
            r#"import {{ Config }} from '../wasm-connect/index.js';
import {{ {class}, {class}Task }} from '../src/index.js';

test('tasks count from their committed offset', () => {{
  const connector = new {class}();
  connector.start(new Config({{ topic: 'greetings', 'max.records': '3' }}));
  const [config] = connector.taskConfigs(1);
  const task = new {class}Task();
  task.context = {{ offset: (partition) => (partition.task === 0 ? {{ next: 1 }} : undefined) }};
  task.start(config);
  assert.deepEqual(task.poll().map((r) => [r.value, r.sourceOffset.next]), [['hello 1', 2], ['hello 2', 3]]);
  assert.deepEqual(task.poll(), []);
}});
"#
        ),
        Kind::Sink => format!(
            r#"import {{ logged }} from 'wasm-connect:plugin/host@0.1.0';
import {{ Config, SinkRecord }} from '../wasm-connect/index.js';
import {{ {class}Task }} from '../src/index.js';

test('logs each record', () => {{
  const task = new {class}Task();
  task.start(new Config({{ prefix: 'got' }}));
  task.put([new SinkRecord({{ topic: 't', partition: 0, kafkaOffset: 7, value: 'v' }})]);
  assert.deepEqual(logged.at(-1), ['info', 'got t-0@7: v']);
}});
"#
        ),
    };
    format!(
        "// Unit tests under plain Node.js (`npm test`); host imports are stood in for by\n\
         // wasm-connect/testing/.\nimport {{ test }} from 'node:test';\nimport assert from 'node:assert/strict';\n{body}"
    )
}

/// `node --version` (e.g. `v20.20.2`), if it runs.
fn node_version() -> Option<String> {
    let output = Command::new("node").arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The major version of a `node --version` answer.
fn node_major(version: &str) -> Option<u32> {
    version
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Does `dir` have componentize-js installed?
fn has_componentize(dir: &Path) -> bool {
    dir.join(COMPONENTIZE_JS_PACKAGE).is_file()
}

pub(super) fn build(dir: &Path, plugin: &ManifestPlugin) -> Result<PathBuf, DevError> {
    if !super::on_path("node") {
        return Err(DevError::ToolMissing {
            tool: "node".into(),
            install: NODE_INSTALL.into(),
        });
    }
    if let Some(version) = node_version()
        && node_major(&version).is_some_and(|major| major < NODE_MIN_MAJOR)
    {
        return Err(DevError::ToolMissing {
            tool: format!("Node.js {NODE_MIN_MAJOR} or newer (found {version})"),
            install: NODE_INSTALL.into(),
        });
    }
    // Absolute, since build.mjs runs in the project directory.
    let shared = match std::env::var_os(TOOLS_ENV).filter(|v| !v.is_empty()) {
        Some(tools) => {
            Some(std::path::absolute(&tools).map_err(|e| DevError::io(PathBuf::from(tools), e))?)
        }
        None => None,
    };
    // The project's own node_modules first, else the shared install, else `npm install`.
    if !has_componentize(dir) {
        match &shared {
            Some(tools) if !has_componentize(tools) => {
                return Err(DevError::Usage(format!(
                    "{TOOLS_ENV}={} has no componentize-js; install it there with:\n    \
                     npm install --prefix {} @bytecodealliance/componentize-js@{COMPONENTIZE_JS_VERSION}",
                    tools.display(),
                    tools.display(),
                )));
            }
            Some(_) => {}
            None => {
                if !super::on_path("npm") {
                    return Err(DevError::ToolMissing {
                        tool: "npm".into(),
                        install: NODE_INSTALL.into(),
                    });
                }
                let mut npm = Command::new("npm");
                npm.args(["install", "--no-audit", "--no-fund"]);
                run_tool(npm, dir, "npm install", NODE_INSTALL)?;
            }
        }
    }
    let out = output(plugin);
    let mut node = Command::new("node");
    node.args(["build.mjs", "--world", plugin.world(), "--out", &out]);
    match &shared {
        Some(tools) => node.env(TOOLS_ENV, tools),
        None => node.env_remove(TOOLS_ENV),
    };
    run_tool(node, dir, "node build.mjs (componentize-js)", NODE_INSTALL)?;
    Ok(dir.join(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(kind: Kind) -> NewProject {
        super::super::test_project(super::super::Lang::Js, kind, "my-plugin")
    }

    #[test]
    fn projects_carry_the_sdk_the_wit_and_a_pinned_componentize_js() {
        for kind in [Kind::Source, Kind::Sink, Kind::Transform, Kind::Predicate] {
            let files = new_project(&project(kind)).expect("files");
            let file = |path: &str| {
                files
                    .iter()
                    .find(|f| f.path == path)
                    .unwrap_or_else(|| panic!("{path} missing for {kind}"))
            };
            let package: serde_json::Value =
                serde_json::from_str(&file("package.json").contents).expect("package.json");
            assert_eq!(
                package["devDependencies"]["@bytecodealliance/componentize-js"],
                COMPONENTIZE_JS_VERSION
            );
            assert!(file("build.mjs").contents.contains(kind.world()));
            assert!(!file("build.mjs").contents.contains("@WORLD@"));
            assert!(!file("build.mjs").contents.contains("@OUT@"));
            let source = &file("src/index.js").contents;
            let sdk_module = if kind == Kind::Source {
                "../wasm-connect/source.js"
            } else {
                "../wasm-connect/index.js"
            };
            assert!(source.contains(sdk_module), "{kind}");
            for (path, _) in SDK_FILES.iter().chain(WIT_FILES) {
                file(path);
            }
            file("test/my-plugin.test.js");
        }
    }

    #[test]
    fn node_versions_are_read() {
        assert_eq!(node_major("v20.20.2"), Some(20));
        assert_eq!(node_major("v18.19.0"), Some(18));
        assert_eq!(node_major("nonsense"), None);
    }

    #[test]
    fn every_kind_exports_its_world_interfaces() {
        let exports = [
            (Kind::Transform, "export const { plugin, transform }"),
            (Kind::Predicate, "export const { plugin, predicate }"),
            (
                Kind::Source,
                "export const { plugin, connector, sourceTask }",
            ),
            (Kind::Sink, "export const { plugin, connector, sinkTask }"),
        ];
        for (kind, line) in exports {
            assert!(source(&project(kind).manifest).contains(line), "{kind}");
        }
    }
}
