//! REST against a real worker: Kafka Connect's status codes and error bodies.

use anyhow::Result;
use serde_json::json;
use wasm_connect_tests::{BrokerProcess, WorkerProcess, free_port, worker_properties};

#[test]
fn rest_errors_match_kafka_connect() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let broker = BrokerProcess::start(dir.path())?;
    let port = free_port()?;
    let props = worker_properties(dir.path(), &broker.bootstrap, port, &[])?;
    let worker = WorkerProcess::start(dir.path(), &props, port, &[], "worker.log")?;

    let (code, root) = worker.call("GET", "/", None)?;
    assert_eq!(code, 200);
    assert!(
        root["version"].is_string() && root["kafka_cluster_id"].is_string(),
        "{root}"
    );

    let (code, body) = worker.call("GET", "/connectors/nope", None)?;
    assert_eq!(
        (code, body),
        (
            404,
            json!({"error_code": 404, "message": "Connector nope not found"})
        )
    );

    let input = dir.path().join("in.txt");
    std::fs::write(&input, "a\n")?;
    let config = json!({"connector.class": "FileStreamSource", "file": input.display().to_string(), "topic": "t"});
    let (code, created) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "src", "config": config})),
    )?;
    assert_eq!(code, 201, "{created}");
    assert_eq!(created["name"], "src");
    assert_eq!(created["type"], "source");
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "src", "config": config})),
    )?;
    assert_eq!(code, 409);
    assert_eq!(body["error_code"], 409);

    // Invalid config: missing `topic`, bad tasks.max, unknown transform type; all named at once.
    let bad = json!({"connector.class": "FileStreamSource", "file": "/tmp/x", "tasks.max": "zero",
        "transforms": "t", "transforms.t.type": "NoSuchTransform"});
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "bad", "config": bad})),
    )?;
    assert_eq!(code, 400, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message
            .contains("Connector configuration is invalid and contains the following 3 error(s)"),
        "{message}"
    );
    for field in ["topic", "tasks.max", "transforms.t.type"] {
        assert!(
            message.contains(field),
            "message does not name {field}: {message}"
        );
    }
    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "bad2", "config": {"connector.class": "Nope"}})),
    )?;
    assert_eq!(code, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("connector.class"),
        "{body}"
    );

    // Five mistakes in five places (connector, converter, transform, predicate, errors.*): all
    // five come back at once, each on its own field, in Kafka's ConfigInfos shape.
    let five = json!({
        "connector.class": "FileStreamSink",
        "name": "five",
        "topics": "t",
        "file": dir.path().join("out.txt").display().to_string(),
        "tasks.max": "many",
        "value.converter": "NoSuchConverter",
        "transforms": "route",
        "transforms.route.type": "RegexRouter",
        "transforms.route.replacement": "x",
        "transforms.route.predicate": "p",
        "predicates": "p",
        "predicates.p.type": "TopicNameMatches",
        "errors.tolerance": "sometimes",
    });
    let (code, infos) = worker.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(five),
    )?;
    assert_eq!(code, 200, "{infos}");
    assert_eq!(infos["name"], "FileStreamSink", "{infos}");
    let errors_of = |field: &str| -> Vec<String> {
        infos["configs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["value"]["name"] == field)
            .flat_map(|c| c["value"]["errors"].as_array().cloned().unwrap_or_default())
            .filter_map(|e| e.as_str().map(str::to_string))
            .collect()
    };
    let expected = [
        "tasks.max",
        "value.converter",
        "transforms.route.regex",
        "predicates.p.pattern",
        "errors.tolerance",
    ];
    for field in expected {
        assert!(!errors_of(field).is_empty(), "no error on {field}: {infos}");
    }
    assert_eq!(infos["error_count"], 5, "{infos}");

    let (code, _) = worker.call("PUT", "/connectors/src/pause", None)?;
    assert_eq!(code, 202);
    let status = worker.wait_status("src", std::time::Duration::from_secs(30), |s| {
        s["tasks"][0]["state"] == "PAUSED"
    })?;
    assert_eq!(status["connector"]["state"], "PAUSED");
    let (code, _) = worker.call("PUT", "/connectors/src/resume", None)?;
    assert_eq!(code, 202);
    worker.wait_status("src", std::time::Duration::from_secs(30), |s| {
        s["tasks"][0]["state"] == "RUNNING"
    })?;
    let (code, _) = worker.call("DELETE", "/connectors/src", None)?;
    assert_eq!(code, 204);
    let (code, _) = worker.call("GET", "/connectors/src", None)?;
    assert_eq!(code, 404);
    Ok(())
}
