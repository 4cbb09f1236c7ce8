//! The shipped `HttpSink` (a Python plugin calling `wasi:http`) delivers every record to an HTTP
//! endpoint that answers 503 to a share of requests and lets others time out, with no loss
//! (at least once, as Kafka Connect); a connector whose endpoint host is not granted (`wasm.net.hosts`) fails with a
//! clear reason and its endpoint never sees a request.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rdkafka::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use serde_json::Value;
use wasm_connect_tests::{BrokerProcess, WorkerProcess, free_port, worker_properties};

const RECORDS: usize = 10_000;

/// What the test endpoint saw.
#[derive(Default)]
struct Seen {
    /// How often each record number was accepted (answered 200).
    accepted: BTreeMap<i64, usize>,
    /// Requests answered 503.
    unavailable: usize,
    /// Requests held past the client's timeout.
    stalled: usize,
}

/// An HTTP endpoint on a free loopback port: every 4th request gets 503, every 9th is held for
/// 1.5 s and then refused (the sink's `request.timeout.ms` is shorter), the rest are accepted.
fn start_endpoint() -> Result<(u16, Arc<Mutex<Seen>>, Arc<AtomicUsize>)> {
    let server = tiny_http::Server::http("127.0.0.1:0").map_err(|e| anyhow::anyhow!("{e}"))?;
    let port = server.server_addr().to_ip().context("ip listener")?.port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let requests = Arc::new(AtomicUsize::new(0));
    let (seen2, requests2) = (seen.clone(), requests.clone());
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let (seen, n) = (seen2.clone(), requests2.fetch_add(1, Ordering::SeqCst) + 1);
            std::thread::spawn(move || {
                let mut body = String::new();
                let read = request.as_reader().read_to_string(&mut body);
                let status = if read.is_err() {
                    400
                } else if n % 9 == 0 {
                    std::thread::sleep(Duration::from_millis(1500));
                    seen.lock().map(|mut s| s.stalled += 1).ok();
                    504
                } else if n % 4 == 0 {
                    seen.lock().map(|mut s| s.unavailable += 1).ok();
                    503
                } else {
                    match serde_json::from_str::<Value>(&body) {
                        Ok(Value::Array(records)) => {
                            if let Ok(mut s) = seen.lock() {
                                for record in records {
                                    if let Some(n) = record["value"]["n"].as_i64() {
                                        *s.accepted.entry(n).or_default() += 1;
                                    }
                                }
                            }
                            200
                        }
                        _ => 400,
                    }
                };
                let _ =
                    request.respond(tiny_http::Response::from_string("").with_status_code(status));
            });
        }
    });
    Ok((port, seen, requests))
}

/// Produce `count` JSON records `{"n": i, …}` keyed by `i`.
///
/// One record per batch: the embedded broker (tansu 0.6.0, memory storage) cannot fetch from an
/// offset inside a multi-record batch (it returns nothing, or a later batch), and a sink task
/// that takes over a partition in a rebalance resumes from its committed offset, which may be
/// anywhere. Real Kafka has no such limit; this works around the broker bug only.
fn produce(bootstrap: &str, topic: &str, count: usize) -> Result<()> {
    // The embedded broker does not create topics on produce.
    let settings = [("bootstrap.servers".to_string(), bootstrap.to_string())].into();
    tokio::runtime::Runtime::new()?.block_on(wasm_connect::kafka::ensure_topic(
        &settings,
        topic,
        3,
        1,
        &[],
    ))?;
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("batch.num.messages", "1")
        .create()?;
    for n in 0..count {
        let value = format!(r#"{{"n":{n},"text":"record {n}"}}"#);
        let key = n.to_string();
        loop {
            match producer.send(BaseRecord::to(topic).key(&key).payload(&value)) {
                Ok(()) => break,
                Err((e, _))
                    if e.rdkafka_error_code()
                        == Some(rdkafka::types::RDKafkaErrorCode::QueueFull) =>
                {
                    producer.poll(Duration::from_millis(50));
                }
                Err((e, _)) => bail!("produce: {e}"),
            }
        }
        producer.poll(Duration::ZERO);
    }
    producer.flush(Duration::from_secs(60))?;
    Ok(())
}

fn sink_config(url: &str, granted: &str) -> Value {
    serde_json::json!({
        "connector.class": "HttpSink",
        "tasks.max": "2",
        "topics": "events",
        "http.api.url": url,
        "wasm.net.hosts": granted,
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "request.body.format": "record",
        "batch.max.size": "250",
        "retry.backoff.ms": "20",
        "max.retries": "3",
        "request.timeout.ms": "500",
    })
}

#[test]
fn http_sink_delivers_every_record_through_503s_and_timeouts_and_refuses_ungranted_hosts()
-> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let rest = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, rest, &[])?;
    let worker = WorkerProcess::start(dir.path(), &props, rest, &[], "worker.log")?;
    produce(&broker.bootstrap, "events", RECORDS)?;

    let (port, seen, requests) = start_endpoint()?;
    let url = format!("http://127.0.0.1:{port}/ingest");
    let (status, body) = worker.call(
        "PUT",
        "/connectors/to-http/config",
        Some(sink_config(&url, &format!("127.0.0.1:{port}"))),
    )?;
    assert!(status == 201 || status == 200, "{status} {body}");

    // The refused connector: same endpoint path on another server, named by a host not granted.
    let (other_port, other_seen, other_requests) = start_endpoint()?;
    let refused_url = format!("http://localhost:{other_port}/ingest");
    let refused = sink_config(&refused_url, &format!("127.0.0.1:{port}"));
    let (status, body) = worker.call("PUT", "/connectors/refused/config", Some(refused))?;
    assert!(status == 201 || status == 200, "{status} {body}");

    let deadline = std::time::Instant::now() + Duration::from_secs(240);
    loop {
        let delivered = seen.lock().map(|s| s.accepted.len()).unwrap_or(0);
        if delivered >= RECORDS {
            break;
        }
        if std::time::Instant::now() > deadline {
            let (_, status) = worker.call("GET", "/connectors/to-http/status", None)?;
            let summary = seen
                .lock()
                .map(|s| {
                    let missing: Vec<i64> = (0..RECORDS as i64)
                        .filter(|n| !s.accepted.contains_key(n))
                        .take(20)
                        .collect();
                    format!(
                        "{} requests ({} answered 503, {} stalled); first missing: {missing:?}",
                        requests.load(Ordering::SeqCst),
                        s.unavailable,
                        s.stalled
                    )
                })
                .unwrap_or_default();
            let log = worker.process.output();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            bail!(
                "only {delivered} of {RECORDS} records arrived; {summary}; status {status}\nworker log (last lines, newest first):\n{}",
                tail.join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let (_, status) = worker.call("GET", "/connectors/to-http/status", None)?;
    assert_eq!(status["connector"]["state"], "RUNNING", "{status}");
    for task in status["tasks"].as_array().context("tasks")? {
        assert_eq!(task["state"], "RUNNING", "{status}");
    }
    {
        let s = seen.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        let expected: Vec<i64> = (0..RECORDS as i64).collect();
        let got: Vec<i64> = s.accepted.keys().copied().collect();
        assert_eq!(got, expected, "every record arrives");
        // Delivery is at least once, as in Kafka Connect: a partition that moves to the other
        // task in a rebalance is resumed from its last committed offset, so a few records may
        // arrive twice. (A request answered 503 or timed out accepted nothing, so its retries
        // add no duplicate.)
        let duplicated = s.accepted.values().filter(|c| **c > 1).count();
        eprintln!(
            "{} records accepted twice or more; {} requests answered 503, {} stalled",
            duplicated, s.unavailable, s.stalled
        );
        assert!(
            s.unavailable > 0 && s.stalled > 0,
            "the endpoint refused some requests"
        );
    }

    let status = worker.wait_status("refused", Duration::from_secs(120), |s| {
        s["tasks"]
            .as_array()
            .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t["state"] == "FAILED"))
    })?;
    let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(
        trace.contains("not granted") && trace.contains("wasm.net.hosts"),
        "the failure says why: {trace}"
    );
    assert_eq!(
        other_requests.load(Ordering::SeqCst),
        0,
        "no request reached the host not granted"
    );
    assert!(
        other_seen
            .lock()
            .map(|s| s.accepted.is_empty())
            .unwrap_or(false)
    );
    Ok(())
}
