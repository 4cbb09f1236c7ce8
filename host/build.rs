//! Builds the plugins shipped in the binary and the test fixtures (WebAssembly components), then
//! writes `$OUT_DIR/embedded_plugins.rs` listing the shipped ones.
//!
//! * Rust plugins: a nested `cargo build --release --target wasm32-wasip2` of the `plugins/`
//!   workspace into `<target>/wasm-plugins` (`<target>` = `CARGO_TARGET_DIR` or `<repo>/target`).
//! * Fixtures are copied to `<target>/wasm-plugins/fixtures/<crate-name>.wasm` for tests.
//! * The Python plugins (`PYTHON_PLUGINS`) are built with `componentize-py` into
//!   `<target>/wasm-plugins/python/<stem>.wasm` when the tool is installed (skipped with a
//!   warning otherwise, unless `WASM_CONNECT_REQUIRE_ALL_PLUGINS=1`); it is rebuilt only when its
//!   inputs change.
//! * The C plugin (`plugins/c-truncate`) is built into `<target>/wasm-plugins/c/c-truncate.wasm`
//!   the way `wasm-connect plugin build --lang c` builds a project: bindings generated with the
//!   `wit-bindgen-c` crate, `clang --target=wasm32-wasi`, then `wit-component` with the preview1
//!   reactor adapter. Skipped with a warning when clang or wasi-libc is missing (unless
//!   `WASM_CONNECT_REQUIRE_ALL_PLUGINS=1`); rebuilt only when its inputs change.
//! * `WASM_CONNECT_SKIP_PLUGIN_BUILD=1` skips everything and embeds no plugins.

use std::collections::hash_map::DefaultHasher;
use std::env;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Shipped Rust plugins: crate directory under `plugins/` (also the embedded file stem).
const SHIPPED: &[&str] = &[
    "file-stream-source",
    "file-stream-sink",
    "regex-router",
    "insert-field",
    "topic-name-matches",
    "has-header-key",
    "record-is-tombstone",
    "extract-field",
    "flatten",
    "hoist-field",
    "mask-field",
    "replace-field",
    "set-schema-metadata",
    "value-to-key",
    "cast",
    "timestamp-converter",
    "timestamp-router",
    "header-from",
    "drop-headers",
    "insert-header",
    "filter",
    "datagen",
];
/// Test fixtures under `plugins/fixtures/`.
const FIXTURES: &[&str] = &[
    "trap-transform",
    "loop-transform",
    "oom-transform",
    "counting-source",
    "flaky-sink",
    "tag-transform",
    "tag-transform-2",
    "net-probe-transform",
    "busy-transform",
    "record-replay-source",
];
/// Embedded name of the C plugin.
const C_NAME: &str = "c-truncate.wasm";
/// How to install the C toolchain (Debian/Ubuntu).
const C_INSTALL: &str = "apt-get install clang lld wasi-libc libclang-rt-dev-wasm32";

/// Environment that must not leak into the nested cargo (it describes the host build, not ours).
const REMOVED_ENV: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_TARGET_DIR",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
    "OUT_DIR",
    "TARGET",
    "HOST",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "NUM_JOBS",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_CRATE_NAME",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_RUSTC_CURRENT_DIR",
    "RUSTC_LINKER",
];
const REMOVED_PREFIXES: &[&str] = &["CARGO_FEATURE_", "CARGO_CFG_", "CARGO_PKG_", "DEP_"];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let repo = manifest_dir
        .parent()
        .expect("host/ has a parent")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let plugins = repo.join("plugins");

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=WASM_CONNECT_REQUIRE_ALL_PLUGINS");
    println!("cargo:rerun-if-env-changed=WASM_CONNECT_SKIP_PLUGIN_BUILD");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");

    if env_flag("WASM_CONNECT_SKIP_PLUGIN_BUILD") {
        println!(
            "cargo:warning=WASM_CONNECT_SKIP_PLUGIN_BUILD=1: no plugins are built or embedded"
        );
        write_embedded(&out_dir, &[]);
        return;
    }

    for path in [
        repo.join("wit"),
        repo.join("sdk/src"),
        repo.join("sdk/Cargo.toml"),
        repo.join("sdk/macro/src"),
        repo.join("sdk/macro/Cargo.toml"),
        repo.join("host/data/src"),
        repo.join("host/data/Cargo.toml"),
        plugins.join("Cargo.toml"),
        plugins.join("Cargo.lock"),
        plugins.join("python-change-case/app.py"),
        plugins.join("python-http-sink/app.py"),
        plugins.join("c-truncate"),
        repo.join("sdk/python/wasm_connect"),
        repo.join("sdk/c/wasm_connect.h"),
        repo.join("sdk/c/wasm_connect.c"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let crates: Vec<PathBuf> = SHIPPED
        .iter()
        .map(|c| plugins.join(c))
        .chain(FIXTURES.iter().map(|c| plugins.join("fixtures").join(c)))
        .collect();
    for dir in &crates {
        println!("cargo:rerun-if-changed={}", dir.join("src").display());
        println!(
            "cargo:rerun-if-changed={}",
            dir.join("Cargo.toml").display()
        );
    }

    let target_root = match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repo.join(dir)
            }
        }
        _ => repo.join("target"),
    };
    let wasm_dir = target_root.join("wasm-plugins");

    build_rust_plugins(&plugins, &wasm_dir);
    let release = wasm_dir.join("wasm32-wasip2").join("release");

    let fixtures_dir = wasm_dir.join("fixtures");
    fs::create_dir_all(&fixtures_dir).expect("create fixtures directory");
    for name in FIXTURES {
        let built = release.join(format!("{}.wasm", name.replace('-', "_")));
        let copy = fixtures_dir.join(format!("{name}.wasm"));
        copy_if_changed(&built, &copy);
    }

    let mut embedded: Vec<(String, PathBuf)> = SHIPPED
        .iter()
        .map(|name| {
            let path = release.join(format!("{}.wasm", name.replace('-', "_")));
            assert!(
                path.exists(),
                "plugin build did not produce {}",
                path.display()
            );
            (format!("{name}.wasm"), path)
        })
        .collect();
    for (plugin, stem, embedded_name) in PYTHON_PLUGINS {
        if let Some(python) =
            build_python_plugin(&repo, *plugin, &wasm_dir.join("python"), stem, None)
        {
            embedded.push((embedded_name.to_string(), python));
        }
    }
    // The same Python plugin as version 0.2.0: a fixture for uploading a Python-built component.
    if let Some(python) = build_python_plugin(
        &repo,
        PYTHON_PLUGINS[0].0,
        &wasm_dir.join("python-0.2.0"),
        "change_case_0_2_0",
        Some(("version=\"0.1.0\"", "version=\"0.2.0\"")),
    ) {
        copy_if_changed(&python, &fixtures_dir.join("change-case-0.2.0.wasm"));
    }
    if let Some(c) = build_c_plugin(&repo, &wasm_dir.join("c")) {
        embedded.push((C_NAME.to_string(), c));
    }
    write_embedded(&out_dir, &embedded);
}

fn env_flag(name: &str) -> bool {
    env::var(name).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn write_embedded(out_dir: &Path, plugins: &[(String, PathBuf)]) {
    let mut src = String::from(
        "/// Plugins shipped in the binary.\npub static EMBEDDED_PLUGINS: &[(&str, &[u8])] = &[",
    );
    for (i, (name, path)) in plugins.iter().enumerate() {
        if i > 0 {
            src.push_str(", ");
        }
        let path = path.canonicalize().unwrap_or_else(|_| path.clone());
        src.push_str(&format!(
            "({name:?}, include_bytes!({:?}))",
            path.to_string_lossy()
        ));
    }
    src.push_str("];\n");
    let file = out_dir.join("embedded_plugins.rs");
    if fs::read_to_string(&file).ok().as_deref() != Some(src.as_str()) {
        fs::write(&file, src).expect("write embedded_plugins.rs");
    }
}

fn copy_if_changed(from: &Path, to: &Path) {
    let bytes = fs::read(from)
        .unwrap_or_else(|e| panic!("plugin build did not produce {}: {e}", from.display()));
    if fs::read(to).ok().as_deref() != Some(bytes.as_slice()) {
        fs::write(to, bytes).unwrap_or_else(|e| panic!("copy to {}: {e}", to.display()));
    }
}

fn build_rust_plugins(plugins: &Path, wasm_dir: &Path) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "--target",
        "wasm32-wasip2",
        "--workspace",
        "--manifest-path",
    ])
    .arg(plugins.join("Cargo.toml"))
    .arg("--target-dir")
    .arg(wasm_dir)
    .current_dir(plugins);
    for name in REMOVED_ENV {
        cmd.env_remove(name);
    }
    for (name, _) in env::vars_os() {
        let name = name.to_string_lossy();
        if REMOVED_PREFIXES.iter().any(|p| name.starts_with(p)) {
            cmd.env_remove(name.as_ref());
        }
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("could not run cargo to build the plugins: {e}"));
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stdout));
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        panic!(
            "building the WebAssembly plugins in {} failed ({}); see the output above. \
             Is the target installed? Run `rustup target add wasm32-wasip2`. \
             Set WASM_CONNECT_SKIP_PLUGIN_BUILD=1 to build the host without plugins.",
            plugins.display(),
            output.status
        );
    }
}

/// A Python plugin: its directory under `plugins/` (with `app.py`), its WIT world, and whether
/// it imports the Python SDK (`sdk/python/wasm_connect`, put on its module path).
#[derive(Clone, Copy)]
struct PythonPlugin {
    dir: &'static str,
    world: &'static str,
    uses_sdk: bool,
}

/// The shipped Python plugins: (plugin, file stem of the build, embedded name).
const PYTHON_PLUGINS: &[(PythonPlugin, &str, &str)] = &[
    (
        PythonPlugin {
            dir: "python-change-case",
            world: "transform-plugin",
            uses_sdk: false,
        },
        "change_case",
        "python-change-case.wasm",
    ),
    (
        PythonPlugin {
            dir: "python-http-sink",
            world: "http-sink-plugin",
            uses_sdk: true,
        },
        "http_sink",
        "python-http-sink.wasm",
    ),
];

/// Build a Python plugin with componentize-py; `None` (with a warning) when that is impossible
/// and not required.
/// `rewrite` replaces one string of `app.py` (to build another version of the same plugin).
fn build_python_plugin(
    repo: &Path,
    plugin: PythonPlugin,
    python_dir: &Path,
    name: &str,
    rewrite: Option<(&str, &str)>,
) -> Option<PathBuf> {
    let required = env_flag("WASM_CONNECT_REQUIRE_ALL_PLUGINS");
    let skip = |why: String| -> Option<PathBuf> {
        if required {
            panic!(
                "WASM_CONNECT_REQUIRE_ALL_PLUGINS=1 but the Python plugin cannot be built: {why}"
            );
        }
        println!(
            "cargo:warning=skipping the Python plugin {}: {why}",
            plugin.dir
        );
        None
    };
    let tool = env::var_os("COMPONENTIZE_PY").unwrap_or_else(|| "componentize-py".into());
    println!("cargo:rerun-if-env-changed=COMPONENTIZE_PY");
    let version = match Command::new(&tool).arg("--version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            return skip(
                "componentize-py is not installed (`pip install componentize-py==0.25.1`)".into(),
            );
        }
    };

    let app = repo.join("plugins").join(plugin.dir).join("app.py");
    let wit = repo.join("wit");
    let app_src = match fs::read_to_string(&app) {
        Ok(src) => match rewrite {
            Some((from, to)) => {
                assert!(src.contains(from), "{} has no {from}", app.display());
                src.replace(from, to)
            }
            None => src,
        },
        Err(e) => return skip(format!("cannot read {}: {e}", app.display())),
    };
    let mut hasher = DefaultHasher::new();
    version.hash(&mut hasher);
    app_src.hash(&mut hasher);
    plugin.world.hash(&mut hasher);
    let mut wit_files: Vec<PathBuf> = fs::read_dir(&wit)
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    wit_files.sort();
    let sdk = repo.join("sdk").join("python");
    if plugin.uses_sdk {
        let mut sdk_files: Vec<PathBuf> = fs::read_dir(sdk.join("wasm_connect"))
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        sdk_files.retain(|f| f.extension().is_some_and(|e| e == "py"));
        sdk_files.sort();
        wit_files.extend(sdk_files);
    }
    for file in &wit_files {
        file.hash(&mut hasher);
        fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    let stamp = format!("{:016x}", hasher.finish());

    let output = python_dir.join(format!("{name}.wasm"));
    let stamp_file = python_dir.join(format!("{name}.stamp"));
    if output.exists() && fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp.as_str()) {
        return Some(output);
    }

    // Build from a copy so componentize-py writes nothing into the source tree.
    let src_dir = python_dir.join("src");
    fs::create_dir_all(&src_dir).expect("create python build directory");
    fs::write(src_dir.join("app.py"), &app_src).expect("copy app.py");
    let partial = python_dir.join(format!("{name}.wasm.partial"));
    let mut command = Command::new(&tool);
    command
        .arg("-d")
        .arg(&wit)
        .args(["-w", plugin.world, "componentize", "app", "-p"])
        .arg(&src_dir);
    if plugin.uses_sdk {
        command.arg("-p").arg(&sdk);
    }
    let result = command
        .arg("-o")
        .arg(&partial)
        .current_dir(python_dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output();
    match result {
        Ok(out) if out.status.success() => {
            fs::rename(&partial, &output).expect("move the Python plugin into place");
            fs::write(&stamp_file, stamp).expect("write the Python plugin's stamp");
            Some(output)
        }
        Ok(out) => {
            eprintln!("{}", String::from_utf8_lossy(&out.stdout));
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            skip(format!("componentize-py failed ({})", out.status))
        }
        Err(e) => skip(format!("could not run componentize-py: {e}")),
    }
}

/// Build the C plugin (`plugins/c-truncate`) as `wasm-connect plugin build --lang c` builds a
/// project; `None` (with a warning) when clang or wasi-libc is missing and not required.
fn build_c_plugin(repo: &Path, c_dir: &Path) -> Option<PathBuf> {
    let required = env_flag("WASM_CONNECT_REQUIRE_ALL_PLUGINS");
    let skip = |why: String| -> Option<PathBuf> {
        if required {
            panic!("WASM_CONNECT_REQUIRE_ALL_PLUGINS=1 but the C plugin cannot be built: {why}");
        }
        println!("cargo:warning=skipping the C plugin (Truncate): {why}");
        None
    };
    println!("cargo:rerun-if-env-changed=WASM_CONNECT_CLANG");
    println!("cargo:rerun-if-env-changed=WASI_SYSROOT");
    let clang = env::var("WASM_CONNECT_CLANG").unwrap_or_else(|_| "clang".into());
    let sysroot: Vec<String> = env::var("WASI_SYSROOT")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| vec![format!("--sysroot={s}")])
        .unwrap_or_default();
    let print = |arg: &str| -> Option<String> {
        let out = Command::new(&clang)
            .arg("--target=wasm32-wasi")
            .args(&sysroot)
            .arg(arg)
            .output()
            .ok()?;
        Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let is_file = |p: Option<String>| {
        p.is_some_and(|p| Path::new(&p).is_absolute() && Path::new(&p).is_file())
    };
    let Some(version) = Command::new(&clang)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
    else {
        return skip(format!("{clang} is not installed (`{C_INSTALL}`)"));
    };
    if !is_file(print("-print-file-name=libc.a")) {
        return skip(format!(
            "the wasm32-wasi sysroot is missing (`{C_INSTALL}`)"
        ));
    }
    if !is_file(print("-print-libgcc-file-name")) {
        return skip(format!("compiler-rt for wasm32 is missing (`{C_INSTALL}`)"));
    }

    let sources = [
        repo.join("plugins/c-truncate/truncate.c"),
        repo.join("sdk/c/wasm_connect.c"),
    ];
    let inputs = [
        sources[0].clone(),
        sources[1].clone(),
        repo.join("sdk/c/wasm_connect.h"),
        repo.join("wit/types.wit"),
        repo.join("wit/plugins.wit"),
    ];
    let flags = [
        "-mexec-model=reactor",
        "-O2",
        "-Wall",
        "-Werror",
        "-Wl,--strip-debug",
    ];
    let mut hasher = DefaultHasher::new();
    version.hash(&mut hasher);
    sysroot.hash(&mut hasher);
    flags.hash(&mut hasher);
    for input in &inputs {
        match fs::read(input) {
            Ok(bytes) => bytes.hash(&mut hasher),
            Err(e) => return skip(format!("cannot read {}: {e}", input.display())),
        }
    }
    let stamp = format!("{:016x}", hasher.finish());
    let output = c_dir.join(C_NAME);
    let stamp_file = c_dir.join("c-truncate.stamp");
    if output.exists() && fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp.as_str()) {
        return Some(output);
    }

    // 1. Bindings for world transform-plugin, renamed `world` (what wasm_connect.h expects).
    let bindings = c_dir.join("bindings");
    fs::create_dir_all(&bindings).expect("create the C plugin's build directory");
    let mut resolve = wit_bindgen_core::wit_parser::Resolve::default();
    let (package, _) = resolve
        .push_dir(repo.join("wit"))
        .unwrap_or_else(|e| panic!("parse wit/: {e:#}"));
    let world = resolve
        .select_world(&[package], Some("transform-plugin"))
        .expect("wit/ has world transform-plugin");
    let mut files = wit_bindgen_core::Files::default();
    wit_bindgen_c::Opts {
        rename_world: Some("world".into()),
        ..Default::default()
    }
    .build()
    .generate(&resolve, world, &mut files)
    .unwrap_or_else(|e| panic!("wit-bindgen-c: {e:#}"));
    for (name, bytes) in files.iter() {
        fs::write(bindings.join(name), bytes).expect("write the C bindings");
    }
    fs::write(
        bindings.join("wasm_connect_world.h"),
        "// Generated by host/build.rs (world `transform-plugin`). DO NOT EDIT!\n\
         #ifndef WASM_CONNECT_WORLD_H\n#define WASM_CONNECT_WORLD_H\n\n\
         #define WASM_CONNECT_WORLD \"transform-plugin\"\n\
         #define WASM_CONNECT_EXPORTS_PLUGIN 1\n#define WASM_CONNECT_EXPORTS_TRANSFORM 1\n\n\
         #include \"world.h\"\n\n#endif\n",
    )
    .expect("write wasm_connect_world.h");

    // 2. clang → a wasip1 reactor module.
    let core = c_dir.join("truncate.core.wasm");
    let result = Command::new(&clang)
        .arg("--target=wasm32-wasi")
        .args(&sysroot)
        .args(flags)
        .arg("-I")
        .arg(&bindings)
        .arg("-I")
        .arg(repo.join("sdk/c"))
        .args(&sources)
        .arg(bindings.join("world.c"))
        .arg(bindings.join("world_component_type.o"))
        .arg("-o")
        .arg(&core)
        .output();
    match result {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            eprintln!("{}", String::from_utf8_lossy(&out.stdout));
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            return skip(format!("clang failed ({})", out.status));
        }
        Err(e) => return skip(format!("could not run {clang}: {e}")),
    }

    // 3. The component, with the preview1 reactor adapter.
    let module = fs::read(&core).expect("read the C plugin's core module");
    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .and_then(|encoder| {
            encoder.adapter(
                "wasi_snapshot_preview1",
                wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
            )
        })
        .and_then(|mut encoder| encoder.encode())
        .unwrap_or_else(|e| panic!("componentizing the C plugin: {e:#}"));
    let partial = c_dir.join("c-truncate.wasm.partial");
    fs::write(&partial, component).expect("write the C plugin");
    fs::rename(&partial, &output).expect("move the C plugin into place");
    fs::write(&stamp_file, stamp).expect("write the C plugin's stamp");
    Some(output)
}
