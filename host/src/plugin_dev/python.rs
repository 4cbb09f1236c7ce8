//! Python projects: an `app.py` over the `wasm_connect` package (copied into the project),
//! built with `componentize-py -d wit -w <world> componentize app -o build/<name>.wasm`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{DevError, Kind, ManifestPlugin, NewProject, ProjectFile, WIT_FILES, run_tool};

/// The componentize-py version projects are built and tested with.
const COMPONENTIZE_PY: &str = "componentize-py==0.25.1";

/// The `wasm_connect` package, copied into every project (so a project builds anywhere).
const SDK_FILES: &[(&str, &str)] = &[
    (
        "wasm_connect/__init__.py",
        include_str!("../../../sdk/python/wasm_connect/__init__.py"),
    ),
    (
        "wasm_connect/_wit.py",
        include_str!("../../../sdk/python/wasm_connect/_wit.py"),
    ),
    (
        "wasm_connect/config.py",
        include_str!("../../../sdk/python/wasm_connect/config.py"),
    ),
    (
        "wasm_connect/data.py",
        include_str!("../../../sdk/python/wasm_connect/data.py"),
    ),
    (
        "wasm_connect/errors.py",
        include_str!("../../../sdk/python/wasm_connect/errors.py"),
    ),
    (
        "wasm_connect/exports.py",
        include_str!("../../../sdk/python/wasm_connect/exports.py"),
    ),
    (
        "wasm_connect/http.py",
        include_str!("../../../sdk/python/wasm_connect/http.py"),
    ),
    (
        "wasm_connect/log.py",
        include_str!("../../../sdk/python/wasm_connect/log.py"),
    ),
    (
        "wasm_connect/plugin.py",
        include_str!("../../../sdk/python/wasm_connect/plugin.py"),
    ),
    (
        "wasm_connect/records.py",
        include_str!("../../../sdk/python/wasm_connect/records.py"),
    ),
    (
        "wasm_connect/source_context.py",
        include_str!("../../../sdk/python/wasm_connect/source_context.py"),
    ),
];

/// The example plugin of each kind and its unit tests; the class `MyPlugin` is renamed.
fn template(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Transform => (
            include_str!("../../../sdk/python/templates/transform/app.py"),
            include_str!("../../../sdk/python/templates/transform/test_app.py"),
        ),
        Kind::Predicate => (
            include_str!("../../../sdk/python/templates/predicate/app.py"),
            include_str!("../../../sdk/python/templates/predicate/test_app.py"),
        ),
        Kind::Source => (
            include_str!("../../../sdk/python/templates/source/app.py"),
            include_str!("../../../sdk/python/templates/source/test_app.py"),
        ),
        Kind::Sink => (
            include_str!("../../../sdk/python/templates/sink/app.py"),
            include_str!("../../../sdk/python/templates/sink/test_app.py"),
        ),
    }
}

/// The template's placeholder class name.
const PLACEHOLDER: &str = "MyPlugin";

pub(super) fn new_project(project: &NewProject) -> Result<Vec<ProjectFile>, DevError> {
    let plugin = &project.manifest;
    let (app, test) = template(plugin.kind);
    let mut files = vec![
        ProjectFile::new("app.py", app.replace(PLACEHOLDER, &plugin.class)),
        ProjectFile::new("test_app.py", test.replace(PLACEHOLDER, &plugin.class)),
        ProjectFile::new("README.md", readme(plugin)),
        ProjectFile::new(".gitignore", "/build/\n__pycache__/\n"),
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
        "# {class}\n\n\
         A Wasm Connect {kind} plugin in Python (`app.py`), built with componentize-py.\n\n\
         - Build: `wasm-connect plugin build` (prints the component's path, `build/{name}.wasm`).\n\
         - Unit tests (plain CPython): `python3 -m unittest`.\n\
         - Try it: `wasm-connect plugin test build/{name}.wasm --input records.jsonl` \
         (one JSON object per line, e.g. `{{\"value\": \"hello\"}}`).\n\
         - Upload it: `curl -X POST --data-binary @build/{name}.wasm -H 'Content-Type: application/wasm' \
         http://localhost:8083/connector-plugins`.\n\n\
         `wasm_connect/` is the SDK (a copy; see its guide in the Wasm Connect repository, \
         `sdk/python/README.md`) and `wit/` the plugin interface the component is built against.\n\
         For editor completion on the raw bindings: \
         `componentize-py -d wit -w {world} bindings .bindings` (and add `.bindings` to your \
         editor's Python path).\n",
        class = plugin.class,
        kind = plugin.kind,
        name = plugin.name,
        world = plugin.world(),
    )
}

pub(super) fn build(dir: &Path, plugin: &ManifestPlugin) -> Result<PathBuf, DevError> {
    let install = format!("pip install {COMPONENTIZE_PY}");
    if !super::on_path("componentize-py") {
        return Err(DevError::ToolMissing {
            tool: "componentize-py".into(),
            install,
        });
    }
    let out_dir = dir.join("build");
    std::fs::create_dir_all(&out_dir).map_err(|e| DevError::io(&out_dir, e))?;
    let output = out_dir.join(format!("{}.wasm", plugin.name));
    let mut command = Command::new("componentize-py");
    command
        .args(["-d", "wit", "-w", plugin.world(), "componentize", "app"])
        .args(["-p", "."])
        .arg("-o")
        .arg(&output);
    run_tool(command, dir, "componentize-py", &install)?;
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(kind: Kind) -> NewProject {
        super::super::test_project(super::super::Lang::Python, kind, "my-upper")
    }

    #[test]
    fn projects_carry_the_sdk_the_wit_and_a_renamed_example() {
        for kind in [Kind::Source, Kind::Sink, Kind::Transform, Kind::Predicate] {
            let files = new_project(&project(kind)).expect("files");
            let find = |path: &str| {
                files
                    .iter()
                    .find(|f| f.path == path)
                    .unwrap_or_else(|| panic!("{kind}: no {path}"))
            };
            let app = &find("app.py").contents;
            assert!(app.contains("class MyUpper("), "{kind}: {app}");
            assert!(!app.contains(PLACEHOLDER), "{kind}");
            assert!(
                find("test_app.py")
                    .contents
                    .contains("from app import MyUpper")
            );
            assert!(
                find("wasm_connect/__init__.py")
                    .contents
                    .contains("export_transform")
            );
            assert!(find("wit/plugins.wit").contents.contains(kind.world()));
            let export = match kind {
                Kind::Transform => "Plugin, Transform = wasm_connect.export_transform(MyUpper)",
                Kind::Predicate => "Plugin, Predicate = wasm_connect.export_predicate(MyUpper)",
                Kind::Source => {
                    "Plugin, Connector, SourceTask = wasm_connect.export_source(MyUpper, MyUpperTask)"
                }
                Kind::Sink => {
                    "Plugin, Connector, SinkTask = wasm_connect.export_sink(MyUpper, MyUpperTask)"
                }
            };
            assert!(app.contains(export), "{kind}: {app}");
        }
    }

    #[test]
    fn every_sdk_module_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/python/wasm_connect");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("sdk dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".py"))
            .map(|n| format!("wasm_connect/{n}"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = SDK_FILES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk, "add new SDK modules to SDK_FILES");
    }
}
