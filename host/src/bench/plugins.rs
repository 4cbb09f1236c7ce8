//! `wasm-connect bench --plugins`: what installing a plugin costs.
//!
//! 1. Compiling a component against loading it from the worker's on-disk cache of compiled
//!    plugins, for a Rust-built and a Python-built component, in this process.
//! 2. Upload-to-runnable: a component uploaded to one worker of a two-worker cluster, until the
//!    other worker has it installed (replicated through the plugin topic, checked, compiled), for
//!    the test fixtures `TagTransform` (Rust) and `ChangeCase` 0.2.0 (Python) found next to the
//!    binary in a build tree (`target/wasm-plugins/fixtures`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::cluster::{WorkerSettings, rest, start_broker, start_worker, upload};
use crate::plugins::embedded_component;
use crate::runtime::PluginRuntime;

/// Compile time and cached load time of `bytes`, each in a fresh runtime over one cache dir.
fn compile_and_cached(name: &str, bytes: &[u8]) -> Result<(Duration, Duration)> {
    let dir = tempfile::tempdir()?;
    let first = PluginRuntime::new(dir.path().to_path_buf())?;
    let started = Instant::now();
    first.load(name, bytes)?;
    let compile = started.elapsed();
    let second = PluginRuntime::new(dir.path().to_path_buf())?;
    let started = Instant::now();
    second.load(name, bytes)?;
    Ok((compile, started.elapsed()))
}

/// The fixtures directory of the build tree this binary was built in.
pub(super) fn fixtures_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let target = exe
        .parent()
        .and_then(|profile| profile.parent())
        .context("the binary is not in a target directory")?;
    Ok(target.join("wasm-plugins").join("fixtures"))
}

/// Run the measurements and print them (on a blocking thread of a Tokio runtime).
pub fn run() -> Result<()> {
    println!(
        "{:<42} {:>12} {:>12} {:>8}",
        "component", "compile ms", "cached ms", "ratio"
    );
    for (label, file) in [
        ("Rust (Cast)", "cast.wasm"),
        ("Python (ChangeCase)", "python-change-case.wasm"),
    ] {
        let Some(bytes) = embedded_component(file) else {
            println!("{label:<42} (not in this build)");
            continue;
        };
        let (compile, cached) = compile_and_cached(file, bytes)?;
        println!(
            "{:<42} {:>12.1} {:>12.1} {:>8.1}",
            format!("{label}, {} KiB", bytes.len() / 1024),
            compile.as_secs_f64() * 1000.0,
            cached.as_secs_f64() * 1000.0,
            compile.as_secs_f64() / cached.as_secs_f64().max(1e-9)
        );
    }

    let fixtures = fixtures_dir()?;
    let uploads: Vec<(&str, &str, PathBuf)> = vec![
        ("TagTransform", "1.0.0", fixtures.join("tag-transform.wasm")),
        (
            "ChangeCase",
            "0.2.0",
            fixtures.join("change-case-0.2.0.wasm"),
        ),
    ];
    if uploads.iter().any(|(_, _, path)| !path.exists()) {
        println!(
            "\nupload-to-runnable skipped: the fixtures are not in {} (run from a build tree)",
            fixtures.display()
        );
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let runtime = tokio::runtime::Handle::current();
    let (broker, bootstrap) = start_broker(&runtime)?;
    let timing = WorkerSettings {
        session_timeout_ms: 10_000,
        heartbeat_ms: 1_000,
        rebalance_delay_ms: 10_000,
    };
    println!("\nstarting 2 workers (each with its own compiled-plugin cache)");
    let first = start_worker(dir.path(), &bootstrap, &timing)?;
    let second = start_worker(dir.path(), &bootstrap, &timing)?;
    println!(
        "{:<42} {:>12} {:>12}",
        "upload to worker 1", "answered ms", "worker 2 ms"
    );
    for (name, version, path) in uploads {
        let bytes = std::fs::read(&path)?;
        let started = Instant::now();
        let (status, answer) = upload(first.port, &bytes)?;
        if status != 201 {
            bail!("uploading {}: {status} {answer}", path.display());
        }
        let answered = started.elapsed();
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let versions = rest(
                second.port,
                "GET",
                &format!("/connector-plugins/{name}/versions"),
                None,
            )?;
            let there = versions
                .as_array()
                .is_some_and(|v| v.iter().any(|p| p["version"] == version));
            if there {
                break;
            }
            if Instant::now() > deadline {
                bail!("{name} {version} never reached worker 2");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        println!(
            "{:<42} {:>12.0} {:>12.0}",
            format!("{name} {version}, {} KiB", bytes.len() / 1024),
            answered.as_secs_f64() * 1000.0,
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    drop(first);
    drop(second);
    runtime.block_on(broker.shutdown());
    Ok(())
}
