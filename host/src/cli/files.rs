//! The files given with `-f`, `--set` and `--token-file`: connector configurations as Kafka's
//! POST body (`{"name", "config", "initial_state"?}`), as a flat JSON object, or as a Java
//! `.properties` file; offsets as `{"offsets": [...]}`; tenants as the JSON body of
//! `POST /admin/tenants` or as properties (`topic.prefixes=a.,b.`, `quotas.tasks=20`); API keys.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Number, Value};

use super::client::Token;
use crate::config::connector_json_to_map;

/// A connector configuration read from a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectorFile {
    /// The connector's name: the top-level `name` of a POST body, else the config's `name`.
    pub name: Option<String>,
    /// The flat configuration (string values; `name` included when the file has one).
    pub config: BTreeMap<String, String>,
    /// `initial_state` of a POST body.
    pub initial_state: Option<String>,
}

/// Read a connector file: JSON when the name ends in `.json` or (other than `.properties`) the
/// text starts with `{`, else Java properties. Errors name the file.
pub fn read_connector_file(path: &Path) -> Result<ConnectorFile, String> {
    let text = read(path)?;
    parse_connector_text(&text, is_json(path, &text))
        .map_err(|message| format!("cannot parse {}: {message}", path.display()))
}

/// Parse a connector configuration from JSON (`json`) or Java properties text.
pub fn parse_connector_text(text: &str, json: bool) -> Result<ConnectorFile, String> {
    if !json {
        let map = java_properties::read(text.as_bytes()).map_err(|e| e.to_string())?;
        let config: BTreeMap<String, String> = map.into_iter().collect();
        return Ok(ConnectorFile {
            name: config.get("name").cloned(),
            config,
            initial_state: None,
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let object = value
        .as_object()
        .ok_or_else(|| "expected a JSON object".to_string())?;
    let string_field = |field: &str| -> Result<Option<String>, String> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("\"{field}\" must be a string")),
        }
    };
    let (name, initial_state) = if object.contains_key("config") {
        (string_field("name")?, string_field("initial_state")?)
    } else {
        (None, None)
    };
    let config = connector_json_to_map(&value)?;
    Ok(ConnectorFile {
        name: name.or_else(|| config.get("name").cloned()),
        config,
        initial_state,
    })
}

/// Read an offsets file for `PATCH /connectors/{c}/offsets`: `{"offsets": [...]}`, or a bare
/// array of `{"partition", "offset"}` entries, which is wrapped.
pub fn read_offsets_file(path: &Path) -> Result<Value, String> {
    let text = read(path)?;
    parse_offsets_text(&text)
        .map_err(|message| format!("cannot parse {}: {message}", path.display()))
}

/// Parse the body of `PATCH /connectors/{c}/offsets`.
pub fn parse_offsets_text(text: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match value {
        Value::Array(_) => Ok(serde_json::json!({ "offsets": value })),
        Value::Object(ref object) if object.get("offsets").is_some_and(Value::is_array) => {
            Ok(value)
        }
        _ => Err("expected {\"offsets\": [{\"partition\": {…}, \"offset\": {…}}, …]}".into()),
    }
}

/// A tenant read from a file: the JSON body of `POST /admin/tenants` and `PUT /admin/tenants/{t}`.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantFile {
    /// The tenant's name, when the file has one.
    pub name: Option<String>,
    /// The request body (a JSON object).
    pub body: Value,
}

/// Tenant properties whose values are comma-separated lists.
const TENANT_LIST_KEYS: [&str; 2] = ["topic.prefixes", "http.hosts"];
/// Tenant properties whose values are strings.
const TENANT_STRING_KEYS: [&str; 2] = ["name", "fs.root"];
/// The prefix of quota properties (`quotas.tasks=20`), whose values are numbers.
const QUOTA_PREFIX: &str = "quotas.";

/// Read a tenant file: JSON when the name ends in `.json` or (other than `.properties`) the text
/// starts with `{`, else Java properties. Errors name the file.
pub fn read_tenant_file(path: &Path) -> Result<TenantFile, String> {
    let text = read(path)?;
    parse_tenant_text(&text, is_json(path, &text))
        .map_err(|message| format!("cannot parse {}: {message}", path.display()))
}

/// Parse a tenant from JSON (`json`: passed on as it is, once checked to be an object with a
/// string `name` if any) or from Java properties: `name`, `fs.root` (strings), `topic.prefixes`,
/// `http.hosts` (comma-separated lists; empty items dropped) and `quotas.NAME` (numbers).
pub fn parse_tenant_text(text: &str, json: bool) -> Result<TenantFile, String> {
    let body = if json {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if !value.is_object() {
            return Err("expected a JSON object".into());
        }
        value
    } else {
        tenant_properties(text)?
    };
    let name = match &body["name"] {
        Value::Null => None,
        Value::String(name) => Some(name.clone()),
        _ => return Err("\"name\" must be a string".into()),
    };
    Ok(TenantFile { name, body })
}

/// The JSON body of a tenant properties file.
fn tenant_properties(text: &str) -> Result<Value, String> {
    let map = java_properties::read(text.as_bytes()).map_err(|e| e.to_string())?;
    // Sorted, so the body (and any error) does not depend on hash order.
    let map: BTreeMap<String, String> = map.into_iter().collect();
    let mut body = Map::new();
    let mut quotas = Map::new();
    for (key, value) in map {
        let value = value.trim();
        if let Some(quota) = key.strip_prefix(QUOTA_PREFIX) {
            if quota.is_empty() {
                return Err(format!("\"{key}\" names no quota"));
            }
            let number = parse_number(value)
                .ok_or_else(|| format!("\"{key}\" must be a number, not \"{value}\""))?;
            quotas.insert(quota.to_string(), Value::Number(number));
        } else if TENANT_LIST_KEYS.contains(&key.as_str()) {
            let items = value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| Value::String(item.to_string()))
                .collect();
            body.insert(key, Value::Array(items));
        } else if TENANT_STRING_KEYS.contains(&key.as_str()) {
            body.insert(key, Value::String(value.to_string()));
        } else {
            return Err(format!(
                "unknown key \"{key}\" (expected {}, {} or {QUOTA_PREFIX}NAME; a JSON file is \
                 sent as it is)",
                TENANT_STRING_KEYS.join(", "),
                TENANT_LIST_KEYS.join(", "),
            ));
        }
    }
    if !quotas.is_empty() {
        body.insert("quotas".into(), Value::Object(quotas));
    }
    Ok(Value::Object(body))
}

/// An integer as an integer (`10`, `-1`), anything else that is a finite number as a float
/// (`0.5`, `1e6`).
fn parse_number(text: &str) -> Option<Number> {
    if let Ok(n) = text.parse::<u64>() {
        return Some(n.into());
    }
    if let Ok(n) = text.parse::<i64>() {
        return Some(n.into());
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

/// Read an API key from a file: its text with surrounding whitespace (a final newline) trimmed.
/// Errors name the file, never its content.
pub fn read_token_file(path: &Path) -> Result<Token, String> {
    let text = read(path).map_err(|message| format!("--token-file: {message}"))?;
    Token::new(text.trim()).map_err(|message| format!("bad key in {}: {message}", path.display()))
}

/// Whether a file is JSON: its name ends in `.json`, or (other than `.properties`) its text
/// starts with `{`.
fn is_json(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => true,
        Some(e) if e.eq_ignore_ascii_case("properties") => false,
        _ => text.trim_start().starts_with('{'),
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn properties_files() {
        let file = parse_connector_text(
            "# a comment\nname=src\nconnector.class=FileStreamSource\ntasks.max: 1\nfile=/tmp/a\\\n  b\n",
            false,
        )
        .expect("parses");
        assert_eq!(file.name.as_deref(), Some("src"));
        assert_eq!(
            file.config,
            config(&[
                ("name", "src"),
                ("connector.class", "FileStreamSource"),
                ("tasks.max", "1"),
                ("file", "/tmp/ab"),
            ])
        );
        assert_eq!(file.initial_state, None);
    }

    #[test]
    fn json_post_bodies() {
        let file = parse_connector_text(
            r#"{"name": "src", "config": {"connector.class": "FileStreamSource", "tasks.max": 2}, "initial_state": "PAUSED"}"#,
            true,
        )
        .expect("parses");
        assert_eq!(file.name.as_deref(), Some("src"));
        assert_eq!(
            file.config,
            config(&[
                ("connector.class", "FileStreamSource"),
                ("tasks.max", "2"),
                ("name", "src"),
            ])
        );
        assert_eq!(file.initial_state.as_deref(), Some("PAUSED"));
    }

    #[test]
    fn flat_json_configs() {
        let file = parse_connector_text(
            r#"{"name": "src", "connector.class": "FileStreamSource", "initial_state": "x"}"#,
            true,
        )
        .expect("parses");
        assert_eq!(file.name.as_deref(), Some("src"));
        assert_eq!(
            file.config.get("initial_state").map(String::as_str),
            Some("x")
        );
        assert_eq!(file.initial_state, None);
        let nameless = parse_connector_text(r#"{"topic": "t"}"#, true).expect("parses");
        assert_eq!(nameless.name, None);
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(parse_connector_text("{", true).is_err());
        assert!(parse_connector_text("[1]", true).is_err());
        assert!(parse_connector_text(r#"{"config": {"a": {"b": 1}}}"#, true).is_err());
        assert!(parse_connector_text(r#"{"name": 3, "config": {}}"#, true).is_err());
    }

    #[test]
    fn files_are_sniffed_and_errors_name_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conf = dir.path().join("c.conf");
        std::fs::write(&conf, "  {\"name\": \"j\", \"config\": {}}").expect("write");
        assert_eq!(
            read_connector_file(&conf).expect("reads").name.as_deref(),
            Some("j")
        );
        let props = dir.path().join("c.properties");
        std::fs::write(&props, "name=p\n").expect("write");
        assert_eq!(
            read_connector_file(&props).expect("reads").name.as_deref(),
            Some("p")
        );
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "name=p\n").expect("write");
        let error = read_connector_file(&bad).expect_err("not JSON");
        assert!(
            error.starts_with("cannot parse ") && error.contains("bad.json"),
            "{error}"
        );
        let missing = dir.path().join("missing.properties");
        let error = read_connector_file(&missing).expect_err("missing");
        assert!(
            error.contains("cannot read") && error.contains("missing.properties"),
            "{error}"
        );
    }

    #[test]
    fn offsets_files() {
        let entries = json!([{"partition": {"filename": "/a"}, "offset": {"position": 3}}]);
        assert_eq!(
            parse_offsets_text(&entries.to_string()),
            Ok(json!({ "offsets": entries }))
        );
        let body = json!({ "offsets": entries });
        assert_eq!(parse_offsets_text(&body.to_string()), Ok(body));
        assert!(parse_offsets_text("{\"x\": 1}").is_err());
        assert!(parse_offsets_text("nope").is_err());
    }

    #[test]
    fn tenant_properties_become_the_json_body() {
        let file = parse_tenant_text(
            "name=a\n\
             topic.prefixes=a., shared.a.\n\
             fs.root=/srv/a\n\
             http.hosts=api.example.com\n\
             quotas.connectors=10\n\
             quotas.task.memory.bytes=67108864\n\
             quotas.task.cpu.share=0.5\n",
            false,
        )
        .expect("parses");
        assert_eq!(file.name.as_deref(), Some("a"));
        assert_eq!(
            file.body,
            json!({
                "name": "a",
                "topic.prefixes": ["a.", "shared.a."],
                "fs.root": "/srv/a",
                "http.hosts": ["api.example.com"],
                "quotas": {"connectors": 10, "task.memory.bytes": 67108864, "task.cpu.share": 0.5}
            })
        );
        assert!(file.body["quotas"]["connectors"].is_u64());
        // An empty list is a list; a file without quotas sends none.
        let file = parse_tenant_text("http.hosts=\ntopic.prefixes=b.,,\n", false).expect("parses");
        assert_eq!(file.name, None);
        assert_eq!(
            file.body,
            json!({"http.hosts": [], "topic.prefixes": ["b."]})
        );
    }

    #[test]
    fn bad_tenant_properties_are_errors() {
        let error = parse_tenant_text("name=a\nquotas.tasks=many\n", false).expect_err("NaN");
        assert!(
            error.contains("quotas.tasks") && error.contains("many"),
            "{error}"
        );
        let error = parse_tenant_text("topic.prefix=a.\n", false).expect_err("typo");
        assert!(error.contains("unknown key \"topic.prefix\""), "{error}");
        assert!(parse_tenant_text("quotas.=1\n", false).is_err());
        assert!(parse_tenant_text("quotas.tasks=inf\n", false).is_err());
    }

    #[test]
    fn tenant_json_is_sent_as_it_is() {
        let text = r#"{"name": "a", "topic.prefixes": ["a."], "quotas": {"tasks": 20}}"#;
        let file = parse_tenant_text(text, true).expect("parses");
        assert_eq!(file.name.as_deref(), Some("a"));
        assert_eq!(
            file.body,
            serde_json::from_str::<Value>(text).expect("JSON")
        );
        assert_eq!(parse_tenant_text("{}", true).expect("parses").name, None);
        assert!(parse_tenant_text("[\"a\"]", true).is_err());
        assert!(parse_tenant_text(r#"{"name": 1}"#, true).is_err());
        assert!(parse_tenant_text("{", true).is_err());
    }

    #[test]
    fn tenant_files_are_sniffed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conf = dir.path().join("a.tenant");
        std::fs::write(&conf, "{\"name\": \"j\"}").expect("write");
        assert_eq!(
            read_tenant_file(&conf).expect("reads").name.as_deref(),
            Some("j")
        );
        let props = dir.path().join("a.properties");
        std::fs::write(&props, "name=p\n").expect("write");
        assert_eq!(
            read_tenant_file(&props).expect("reads").body,
            json!({"name": "p"})
        );
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "name=p\n").expect("write");
        let error = read_tenant_file(&bad).expect_err("not JSON");
        assert!(error.contains("bad.json"), "{error}");
    }

    #[test]
    fn token_files_are_trimmed_and_never_quoted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("key");
        std::fs::write(&file, "  s3cr3t\n").expect("write");
        assert_eq!(read_token_file(&file), Token::new("s3cr3t"));
        std::fs::write(&file, "s3cr3t other\n").expect("write");
        let error = read_token_file(&file).expect_err("a space");
        assert!(
            error.contains("bad key in") && !error.contains("s3cr3t"),
            "{error}"
        );
        std::fs::write(&file, "\n").expect("write");
        assert!(read_token_file(&file).is_err());
        let missing = dir.path().join("missing-key");
        let error = read_token_file(&missing).expect_err("missing");
        assert!(
            error.contains("cannot read") && error.contains("missing-key"),
            "{error}"
        );
    }
}
