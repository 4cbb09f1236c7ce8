//! A real worker process with a real broker moves 10,000 lines from a file through RegexRouter
//! and a topic into a sink file: byte-identical and in order. Then restarts: SIGTERM half-way
//! loses and duplicates nothing; `kill -9` half-way loses nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, free_port, line_count, wait_for_lines,
    worker_properties,
};

const LINES: usize = 10_000;

fn input_lines() -> Vec<String> {
    (0..LINES)
        .map(|i| format!("line {i:05} {}", "x".repeat(i % 50)))
        .collect()
}

fn connectors(dir: &Path, input: &Path, output: &Path) -> Result<Vec<PathBuf>> {
    let input = input.display().to_string();
    let output = output.display().to_string();
    Ok(vec![
        connector_file(
            dir,
            "lines-source",
            &[
                (
                    "connector.class",
                    "org.apache.kafka.connect.file.FileStreamSourceConnector",
                ),
                ("file", &input),
                ("topic", "raw-lines"),
                ("batch.size", "500"),
                // tansu creates 3 partitions by default (Kafka: num.partitions=1); one keeps order.
                ("topic.creation.default.partitions", "1"),
                ("topic.creation.default.replication.factor", "1"),
                ("transforms", "route"),
                (
                    "transforms.route.type",
                    "org.apache.kafka.connect.transforms.RegexRouter",
                ),
                ("transforms.route.regex", "raw-(.*)"),
                ("transforms.route.replacement", "routed-$1"),
            ],
        )?,
        connector_file(
            dir,
            "lines-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("file", &output),
                ("topics", "routed-lines"),
            ],
        )?,
    ])
}

#[test]
fn ten_thousand_lines_arrive_identical_and_in_order() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, input_lines().join("\n") + "\n")?;
    let port = free_port()?;
    let worker_props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let worker = WorkerProcess::start(
        dir.path(),
        &worker_props,
        port,
        &connectors(dir.path(), &input, &output)?,
        "worker.log",
    )?;
    wait_for_lines(&output, LINES, Duration::from_secs(180))
        .map_err(|e| anyhow::anyhow!("{e}\n{}", worker.process.output()))?;
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        std::fs::read(&output)?,
        std::fs::read(&input)?,
        "sink file differs from the source file"
    );
    let (status, body) = worker.call("GET", "/connectors/lines-source/status", None)?;
    assert_eq!(status, 200);
    assert_eq!(body["connector"]["state"], "RUNNING");
    assert_eq!(body["tasks"][0]["state"], "RUNNING");
    Ok(())
}

/// Append the input in chunks while the worker runs, so a restart lands mid-stream.
fn write_slowly(input: PathBuf) -> std::thread::JoinHandle<Result<()>> {
    std::thread::spawn(move || {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&input)?;
        for chunk in input_lines().chunks(200) {
            for line in chunk {
                writeln!(file, "{line}")?;
            }
            file.flush()?;
            std::thread::sleep(Duration::from_millis(60));
        }
        Ok(())
    })
}

fn restart_half_way(kill: bool) -> Result<Vec<String>> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "")?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let files = connectors(dir.path(), &input, &output)?;
    let mut first = WorkerProcess::start(dir.path(), &props, port, &files, "worker-1.log")?;
    let writer = write_slowly(input.clone());
    wait_for_lines(&output, LINES / 3, Duration::from_secs(120))
        .map_err(|e| anyhow::anyhow!("{e}\n{}", first.process.output()))?;
    if kill {
        first.process.kill9()?;
    } else {
        first.process.terminate(Duration::from_secs(30))?;
        assert!(
            first.process.output().contains("worker stopped"),
            "no clean shutdown:\n{}",
            first.process.output()
        );
    }
    let stopped_at = line_count(&output);
    assert!(
        stopped_at < LINES,
        "the restart must happen half-way, but all lines had arrived"
    );
    let second = WorkerProcess::start(dir.path(), &props, port, &files, "worker-2.log")?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writer panicked"))??;
    let expected: Vec<String> = input_lines();
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        let text = std::fs::read_to_string(&output)?;
        let mut seen = std::collections::HashSet::new();
        let distinct = text.lines().filter(|l| seen.insert(l.to_string())).count();
        if distinct >= LINES || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let text = std::fs::read_to_string(&output)?;
    let got: Vec<String> = text.lines().map(str::to_string).collect();
    let mut seen = std::collections::HashSet::new();
    let first_occurrences: Vec<String> = got
        .iter()
        .filter(|l| seen.insert((*l).clone()))
        .cloned()
        .collect();
    assert_eq!(
        first_occurrences,
        expected,
        "every line must arrive, in order\nworker 2 log:\n{}",
        second.process.output()
    );
    Ok(got)
}

#[test]
fn sigterm_half_way_then_restart_delivers_every_line_exactly_once() -> Result<()> {
    let got = restart_half_way(false)?;
    assert_eq!(
        got,
        input_lines(),
        "a graceful stop must neither lose nor duplicate lines"
    );
    Ok(())
}

#[test]
fn kill_9_half_way_then_restart_loses_nothing() -> Result<()> {
    let got = restart_half_way(true)?;
    // Duplicates are allowed only as replays after the last flushed offset: read as line
    // numbers, the output may jump back (a replay starts) but never skip ahead (a loss).
    let numbers: Vec<usize> = got
        .iter()
        .map(|l| {
            l.get(5..10)
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| anyhow::anyhow!("unexpected line {l:?}"))
        })
        .collect::<Result<_>>()?;
    assert_eq!(numbers.first(), Some(&0));
    let mut replays = 0;
    for pair in numbers.windows(2) {
        if pair[1] == pair[0] + 1 {
            continue;
        }
        assert!(
            pair[1] <= pair[0],
            "line {} follows line {}: lines were lost",
            pair[1],
            pair[0]
        );
        replays += 1;
    }
    assert!(
        replays <= 2,
        "one source replay and one sink replay at most, got {replays}"
    );
    assert_eq!(numbers.iter().max(), Some(&(LINES - 1)));
    Ok(())
}
