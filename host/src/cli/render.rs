//! Table output of the worker's JSON answers: aligned columns without borders (comfy-table),
//! upper-case headers, trailing whitespace trimmed. Missing fields render as empty cells: these
//! functions never fail on an unexpected answer.

use std::collections::BTreeMap;

use comfy_table::{Table, presets};
use serde_json::Value;

/// Task states in the order their counts are listed.
const STATE_ORDER: [&str; 6] = [
    "RUNNING",
    "PAUSED",
    "STOPPED",
    "RESTARTING",
    "UNASSIGNED",
    "FAILED",
];

/// Aligned columns, two spaces apart; an empty `header` prints none.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    if !header.is_empty() {
        table.set_header(header.to_vec());
    }
    for row in rows {
        table.add_row(row);
    }
    let last = table.column_iter().count().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if i == last { 0 } else { 2 }));
    }
    table.trim_fmt()
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn first_line(value: &Value) -> String {
    text(value)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// `2/2 RUNNING` when all tasks share a state, else counts per state (`1 RUNNING, 1 FAILED`);
/// `0` without tasks.
pub fn task_summary(tasks: &[Value]) -> String {
    if tasks.is_empty() {
        return "0".into();
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        *counts.entry(text(&task["state"])).or_default() += 1;
    }
    if counts.len() == 1
        && let Some((state, n)) = counts.iter().next()
    {
        return format!("{n}/{} {state}", tasks.len());
    }
    let rank = |state: &str| {
        STATE_ORDER
            .iter()
            .position(|s| *s == state)
            .unwrap_or(STATE_ORDER.len())
    };
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by_key(|(state, _)| rank(state));
    counts
        .iter()
        .map(|(state, n)| format!("{n} {state}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /connectors?expand=status&expand=info`: NAME, TYPE, STATE, TASKS, WORKER, by name.
/// A plain array of names (no expansion) gives the names alone.
pub fn connector_list(answer: &Value) -> String {
    let header = ["NAME", "TYPE", "STATE", "TASKS", "WORKER"];
    let mut rows: Vec<Vec<String>> = match answer {
        Value::Object(map) => map
            .iter()
            .map(|(name, entry)| {
                let status = &entry["status"];
                let kind = match &entry["info"]["type"] {
                    Value::Null => text(&status["type"]),
                    kind => text(kind),
                };
                let tasks = status["tasks"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                vec![
                    name.clone(),
                    kind,
                    text(&status["connector"]["state"]),
                    if status.is_null() {
                        String::new()
                    } else {
                        task_summary(tasks)
                    },
                    text(&status["connector"]["worker_id"]),
                ]
            })
            .collect(),
        Value::Array(names) => names
            .iter()
            .map(|n| {
                vec![
                    text(n),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect(),
        _ => Vec::new(),
    };
    rows.sort();
    table(&header, rows)
}

/// `GET /connectors/{c}`: name, type and tasks, then the config sorted by key.
pub fn connector_info(answer: &Value) -> String {
    let tasks = answer["tasks"]
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .map(|t| text(&t["task"]))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let summary = table(
        &[],
        vec![
            vec!["NAME".into(), text(&answer["name"])],
            vec!["TYPE".into(), text(&answer["type"])],
            vec![
                "TASKS".into(),
                if tasks.is_empty() { "-".into() } else { tasks },
            ],
        ],
    );
    let config: BTreeMap<&String, String> = answer["config"]
        .as_object()
        .map(|c| c.iter().map(|(k, v)| (k, text(v))).collect())
        .unwrap_or_default();
    let rows = config
        .into_iter()
        .map(|(k, v)| vec![k.clone(), v])
        .collect();
    format!("{summary}\n\n{}", table(&["KEY", "VALUE"], rows))
}

/// `GET /connectors/{c}/status` (and the 202 answer of a restart): the connector's line, then
/// one line per task; a TRACE column with each trace's first line when any has one.
pub fn connector_status(answer: &Value) -> String {
    let connector = &answer["connector"];
    let tasks = answer["tasks"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let traced = !connector["trace"].is_null() || tasks.iter().any(|t| !t["trace"].is_null());
    let mut header = vec!["CONNECTOR", "TYPE", "STATE", "WORKER"];
    let mut row = vec![
        text(&answer["name"]),
        text(&answer["type"]),
        text(&connector["state"]),
        text(&connector["worker_id"]),
    ];
    if traced {
        header.push("TRACE");
        row.push(first_line(&connector["trace"]));
    }
    let top = table(&header, vec![row]);
    let mut header = vec!["TASK", "STATE", "WORKER"];
    if traced {
        header.push("TRACE");
    }
    let mut rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|task| {
            let mut row = vec![
                text(&task["id"]),
                text(&task["state"]),
                text(&task["worker_id"]),
            ];
            if traced {
                row.push(first_line(&task["trace"]));
            }
            row
        })
        .collect();
    rows.sort_by_key(|row| row.first().and_then(|id| id.parse::<u64>().ok()));
    format!("{top}\n\n{}", table(&header, rows))
}

/// `GET /connector-plugins`: CLASS, TYPE, VERSION.
pub fn plugins(answer: &Value) -> String {
    let rows = answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| vec![text(&p["class"]), text(&p["type"]), text(&p["version"])])
        .collect();
    table(&["CLASS", "TYPE", "VERSION"], rows)
}

/// `GET /connector-plugins/{p}/versions` (a list) or an upload's answer (one version).
pub fn plugin_versions(answer: &Value) -> String {
    let one = [answer.clone()];
    let versions: &[Value] = match answer.as_array() {
        Some(list) => list,
        None => &one,
    };
    let rows = versions
        .iter()
        .map(|p| {
            vec![
                text(&p["class"]),
                text(&p["type"]),
                text(&p["version"]),
                text(&p["source"]),
                text(&p["size"]),
                text(&p["sha256"]),
            ]
        })
        .collect();
    table(
        &["CLASS", "TYPE", "VERSION", "SOURCE", "SIZE", "SHA256"],
        rows,
    )
}

/// `GET /connector-plugins/{p}/config`: one line per key with its documentation's first line.
pub fn plugin_config(answer: &Value) -> String {
    let rows = answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|key| {
            vec![
                text(&key["name"]),
                text(&key["type"]),
                text(&key["required"]),
                text(&key["default_value"]),
                text(&key["importance"]),
                first_line(&key["documentation"]),
            ]
        })
        .collect();
    table(
        &[
            "NAME",
            "TYPE",
            "REQUIRED",
            "DEFAULT",
            "IMPORTANCE",
            "DOCUMENTATION",
        ],
        rows,
    )
}

/// The number of errors of a `ConfigInfos` answer: `error_count`, else the errors counted.
pub fn error_count(answer: &Value) -> u64 {
    answer["error_count"].as_u64().unwrap_or_else(|| {
        validation_errors(answer)
            .len()
            .try_into()
            .unwrap_or(u64::MAX)
    })
}

fn validation_errors(answer: &Value) -> Vec<Vec<String>> {
    answer["configs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|config| {
            let name = text(&config["value"]["name"]);
            config["value"]["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |error| vec![name.clone(), text(error)])
        })
        .collect()
}

/// `PUT /connector-plugins/{p}/config/validate`: each field with errors, and the count.
pub fn validation(answer: &Value) -> String {
    let count = error_count(answer);
    let plugin = text(&answer["name"]);
    if count == 0 {
        return format!("The configuration of {plugin} is valid (0 errors)");
    }
    format!(
        "{}\n\n{count} error(s) in the configuration of {plugin}",
        table(&["FIELD", "ERROR"], validation_errors(answer))
    )
}

/// `GET /connectors/{c}/offsets`: PARTITION and OFFSET as compact JSON.
pub fn offsets(answer: &Value) -> String {
    let rows = answer["offsets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| vec![entry["partition"].to_string(), entry["offset"].to_string()])
        .collect();
    table(&["PARTITION", "OFFSET"], rows)
}

/// Quotas in the order they are listed; others follow by name.
const QUOTA_ORDER: [&str; 7] = [
    "connectors",
    "tasks",
    "plugin.bytes",
    "task.memory.bytes",
    "task.records.per.second",
    "task.bytes.per.second",
    "task.cpu.share",
];

/// Tenant settings in the order they are listed; others (but `quotas` and `keys`) follow.
const TENANT_SETTINGS: [&str; 4] = ["name", "topic.prefixes", "fs.root", "http.hosts"];

/// A setting's value: list items comma-separated, `-` for nothing.
fn setting(value: &Value) -> String {
    let shown = match value {
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        other => text(other),
    };
    if shown.is_empty() { "-".into() } else { shown }
}

/// `GET /admin/tenants`: NAME, sorted.
pub fn tenant_list(answer: &Value) -> String {
    let mut rows: Vec<Vec<String>> = answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|name| vec![text(name)])
        .collect();
    rows.sort();
    table(&["NAME"], rows)
}

/// `GET /admin/tenants/{t}`: its settings (with the keys of its `-f` file), its quotas, its
/// API keys (ids and creation times; the keys themselves are never shown again).
pub fn tenant(answer: &Value) -> String {
    let empty = serde_json::Map::new();
    let object = answer.as_object().unwrap_or(&empty);
    let extra = object
        .keys()
        .filter(|k| !TENANT_SETTINGS.contains(&k.as_str()) && *k != "quotas" && *k != "keys");
    let settings = TENANT_SETTINGS
        .iter()
        .map(|k| (*k).to_string())
        .chain(extra.cloned())
        .map(|k| {
            let value = setting(&answer[k.as_str()]);
            vec![k, value]
        })
        .collect();
    let quotas = answer["quotas"].as_object().unwrap_or(&empty);
    let rank = |name: &str| {
        QUOTA_ORDER
            .iter()
            .position(|q| *q == name)
            .unwrap_or(QUOTA_ORDER.len())
    };
    let mut quota_rows: Vec<(usize, Vec<String>)> = quotas
        .iter()
        .map(|(name, limit)| (rank(name), vec![name.clone(), setting(limit)]))
        .collect();
    quota_rows.sort();
    let keys = answer["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|key| vec![text(&key["id"]), text(&key["created"])])
        .collect();
    format!(
        "{}\n\n{}\n\n{}",
        table(&["SETTING", "VALUE"], settings),
        table(
            &["QUOTA", "LIMIT"],
            quota_rows.into_iter().map(|(_, row)| row).collect()
        ),
        table(&["KEY ID", "CREATED"], keys)
    )
}

/// `GET /admin/audit`: TIME, TENANT (`-` for the admin), KEY, ACTION, TARGET, in the worker's
/// order (newest last).
pub fn audit(answer: &Value) -> String {
    let rows = answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            vec![
                text(&entry["time"]),
                setting(&entry["tenant"]),
                text(&entry["key_id"]),
                text(&entry["action"]),
                text(&entry["target"]),
            ]
        })
        .collect();
    table(&["TIME", "TENANT", "KEY", "ACTION", "TARGET"], rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn task_summaries() {
        assert_eq!(task_summary(&[]), "0");
        let running = json!({"state": "RUNNING"});
        let failed = json!({"state": "FAILED"});
        assert_eq!(
            task_summary(&[running.clone(), running.clone()]),
            "2/2 RUNNING"
        );
        assert_eq!(
            task_summary(&[failed.clone(), running.clone(), running]),
            "2 RUNNING, 1 FAILED"
        );
    }

    #[test]
    fn connector_lists_are_aligned_and_sorted() {
        let answer = json!({
            "zeta": {
                "status": {"name": "zeta", "connector": {"state": "RUNNING", "worker_id": "127.0.0.1:8083"},
                           "tasks": [{"id": 0, "state": "RUNNING", "worker_id": "127.0.0.1:8083"}], "type": "sink"},
                "info": {"name": "zeta", "config": {}, "tasks": [], "type": "sink"}
            },
            "a": {
                "status": {"name": "a", "connector": {"state": "PAUSED", "worker_id": "w:1"},
                           "tasks": [{"id": 0, "state": "PAUSED"}, {"id": 1, "state": "FAILED"}], "type": "source"},
                "info": {"type": "source"}
            }
        });
        assert_eq!(
            connector_list(&answer),
            "NAME  TYPE    STATE    TASKS               WORKER\n\
             a     source  PAUSED   1 PAUSED, 1 FAILED  w:1\n\
             zeta  sink    RUNNING  1/1 RUNNING         127.0.0.1:8083"
        );
        assert_eq!(
            connector_list(&json!({})),
            "NAME  TYPE  STATE  TASKS  WORKER"
        );
        assert_eq!(
            connector_list(&json!(["b", "a"])),
            "NAME  TYPE  STATE  TASKS  WORKER\na\nb"
        );
    }

    #[test]
    fn connector_info_sorts_the_config() {
        let answer = json!({
            "name": "src",
            "config": {"topic": "t", "connector.class": "FileStreamSource", "name": "src"},
            "tasks": [{"connector": "src", "task": 0}, {"connector": "src", "task": 1}],
            "type": "source"
        });
        assert_eq!(
            connector_info(&answer),
            "NAME   src\nTYPE   source\nTASKS  0, 1\n\n\
             KEY              VALUE\n\
             connector.class  FileStreamSource\n\
             name             src\n\
             topic            t"
        );
    }

    #[test]
    fn status_shows_the_first_line_of_traces() {
        let answer = json!({
            "name": "src",
            "connector": {"state": "RUNNING", "worker_id": "w:1"},
            "tasks": [
                {"id": 1, "state": "FAILED", "worker_id": "w:1", "trace": "boom: file gone\n\tat here"},
                {"id": 0, "state": "RUNNING", "worker_id": "w:1"}
            ],
            "type": "source"
        });
        assert_eq!(
            connector_status(&answer),
            "CONNECTOR  TYPE    STATE    WORKER  TRACE\n\
             src        source  RUNNING  w:1\n\n\
             TASK  STATE    WORKER  TRACE\n\
             0     RUNNING  w:1\n\
             1     FAILED   w:1     boom: file gone"
        );
        let quiet = json!({"name": "s", "connector": {"state": "STOPPED", "worker_id": "w"}, "tasks": [], "type": "sink"});
        assert_eq!(
            connector_status(&quiet),
            "CONNECTOR  TYPE  STATE    WORKER\ns          sink  STOPPED  w\n\nTASK  STATE  WORKER"
        );
    }

    #[test]
    fn plugin_tables() {
        let answer = json!([
            {"class": "FileStreamSource", "type": "source", "version": "0.1.0"},
            {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "0.1.0"}
        ]);
        assert_eq!(
            plugins(&answer),
            "CLASS                                                  TYPE    VERSION\n\
             FileStreamSource                                       source  0.1.0\n\
             org.apache.kafka.connect.file.FileStreamSinkConnector  sink    0.1.0"
        );
        let config = json!([{"name": "topic", "type": "STRING", "required": true, "default_value": null,
            "importance": "HIGH", "documentation": "The topic.\nMore."}]);
        assert_eq!(
            plugin_config(&config),
            "NAME   TYPE    REQUIRED  DEFAULT  IMPORTANCE  DOCUMENTATION\n\
             topic  STRING  true               HIGH        The topic."
        );
    }

    #[test]
    fn validation_lists_fields_with_errors() {
        let answer = json!({
            "name": "FileStreamSource", "error_count": 2, "groups": [],
            "configs": [
                {"definition": {}, "value": {"name": "file", "value": "/a", "errors": []}},
                {"definition": {}, "value": {"name": "tasks.max", "value": "x", "errors": ["Not a number"]}},
                {"definition": {}, "value": {"name": "topic", "value": null, "errors": ["Missing required configuration \"topic\""]}}
            ]
        });
        assert_eq!(error_count(&answer), 2);
        assert_eq!(
            validation(&answer),
            "FIELD      ERROR\n\
             tasks.max  Not a number\n\
             topic      Missing required configuration \"topic\"\n\n\
             2 error(s) in the configuration of FileStreamSource"
        );
        let valid = json!({"name": "P", "error_count": 0, "configs": []});
        assert_eq!(error_count(&valid), 0);
        assert_eq!(
            validation(&valid),
            "The configuration of P is valid (0 errors)"
        );
        assert_eq!(error_count(&json!({"configs": answer["configs"]})), 2);
    }

    #[test]
    fn offsets_as_compact_json() {
        let answer = json!({"offsets": [
            {"partition": {"filename": "/tmp/in.txt"}, "offset": {"position": 42}}
        ]});
        assert_eq!(
            offsets(&answer),
            "PARTITION                   OFFSET\n\
             {\"filename\":\"/tmp/in.txt\"}  {\"position\":42}"
        );
        assert_eq!(offsets(&json!({"offsets": []})), "PARTITION  OFFSET");
    }

    #[test]
    fn tenant_tables() {
        assert_eq!(tenant_list(&json!(["b", "a"])), "NAME\na\nb");
        assert_eq!(tenant_list(&json!([])), "NAME");
        let answer = json!({
            "name": "a",
            "topic.prefixes": ["a.", "shared.a."],
            "fs.root": "/srv/a",
            "quotas": {"task.cpu.share": 0.5, "tasks": 20, "connectors": 10, "zz.new": 1},
            "keys": [{"id": "k1a2b3", "created": "2026-11-26T08:00:00Z"}],
            "http.hosts": [],
            "region": "eu"
        });
        assert_eq!(
            tenant(&answer),
            "SETTING         VALUE\n\
             name            a\n\
             topic.prefixes  a., shared.a.\n\
             fs.root         /srv/a\n\
             http.hosts      -\n\
             region          eu\n\n\
             QUOTA           LIMIT\n\
             connectors      10\n\
             tasks           20\n\
             task.cpu.share  0.5\n\
             zz.new          1\n\n\
             KEY ID  CREATED\n\
             k1a2b3  2026-11-26T08:00:00Z"
        );
        assert_eq!(
            tenant(&json!({"name": "b"})),
            "SETTING         VALUE\n\
             name            b\n\
             topic.prefixes  -\n\
             fs.root         -\n\
             http.hosts      -\n\n\
             QUOTA  LIMIT\n\n\
             KEY ID  CREATED"
        );
    }

    #[test]
    fn audit_entries_keep_the_worker_order() {
        let answer = json!([
            {"time": "2026-11-26T08:00:01.000Z", "tenant": "b", "key_id": "k9", "action": "connector.create", "target": "c"},
            {"time": "2026-11-26T08:00:00.123Z", "tenant": null, "key_id": "admin", "action": "tenant.create", "target": "b"}
        ]);
        assert_eq!(
            audit(&answer),
            "TIME                      TENANT  KEY    ACTION            TARGET\n\
             2026-11-26T08:00:01.000Z  b       k9     connector.create  c\n\
             2026-11-26T08:00:00.123Z  -       admin  tenant.create     b"
        );
        assert_eq!(audit(&json!([])), "TIME  TENANT  KEY  ACTION  TARGET");
    }
}
