//! Kafka's predicates, shipped as Wasm plugins, gate a transform in a real worker pipeline:
//! `TopicNameMatches` lets RegexRouter rename the topic of one source's records (predicate true)
//! and leaves another source's records on their own topic (predicate false).

use std::time::Duration;

use anyhow::Result;
use wasm_connect_tests::{
    BrokerProcess, WorkerProcess, connector_file, free_port, wait_for_lines, worker_properties,
};

/// Source settings: lines of `file` into `topic`, routed `pred-(.*)` → `routed-$1` only when the
/// topic name matches `pattern`.
fn routed_source<'a>(file: &'a str, topic: &'a str, pattern: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("connector.class", "FileStreamSource"),
        ("file", file),
        ("topic", topic),
        ("topic.creation.default.partitions", "1"),
        ("topic.creation.default.replication.factor", "1"),
        ("transforms", "route"),
        ("transforms.route.type", "RegexRouter"),
        ("transforms.route.regex", "(?:pred|keep)-(.*)"),
        ("transforms.route.replacement", "routed-$1"),
        ("transforms.route.predicate", "isPred"),
        ("predicates", "isPred"),
        (
            "predicates.isPred.type",
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        ),
        ("predicates.isPred.pattern", pattern),
    ]
}

#[test]
fn topic_name_matches_gates_regex_router() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let pred_in = dir.path().join("pred.txt");
    let keep_in = dir.path().join("keep.txt");
    let routed_out = dir.path().join("routed.out.txt");
    let keep_out = dir.path().join("keep.out.txt");
    std::fs::write(&pred_in, "p1\np2\np3\n")?;
    std::fs::write(&keep_in, "k1\nk2\n")?;
    let (pred_in_s, keep_in_s) = (pred_in.display().to_string(), keep_in.display().to_string());
    let (routed_out_s, keep_out_s) = (
        routed_out.display().to_string(),
        keep_out.display().to_string(),
    );
    let files = vec![
        connector_file(
            dir.path(),
            "pred-source",
            &routed_source(&pred_in_s, "pred-lines", "pred-.*"),
        )?,
        // The router would rename keep-lines too, but the predicate does not match it.
        connector_file(
            dir.path(),
            "keep-source",
            &routed_source(&keep_in_s, "keep-lines", "nomatch-.*"),
        )?,
        connector_file(
            dir.path(),
            "routed-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("file", &routed_out_s),
                ("topics", "routed-lines"),
            ],
        )?,
        connector_file(
            dir.path(),
            "keep-sink",
            &[
                ("connector.class", "FileStreamSink"),
                ("file", &keep_out_s),
                ("topics", "keep-lines"),
            ],
        )?,
    ];
    let worker = WorkerProcess::start(dir.path(), &props, port, &files, "worker.log")?;
    let fail = |e: anyhow::Error| anyhow::anyhow!("{e}\n{}", worker.process.output());
    wait_for_lines(&routed_out, 3, Duration::from_secs(180)).map_err(fail)?;
    wait_for_lines(&keep_out, 2, Duration::from_secs(180)).map_err(fail)?;
    // Give stray records (a wrongly routed line) time to show up before comparing.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(std::fs::read_to_string(&routed_out)?, "p1\np2\np3\n");
    assert_eq!(std::fs::read_to_string(&keep_out)?, "k1\nk2\n");
    Ok(())
}
