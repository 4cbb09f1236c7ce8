//! The files given with `-f` and `--set`: connector configurations as Kafka's POST body
//! (`{"name", "config", "initial_state"?}`), as a flat JSON object, or as a Java `.properties`
//! file; offsets as `{"offsets": [...]}`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

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
    let json = match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => true,
        Some(e) if e.eq_ignore_ascii_case("properties") => false,
        _ => text.trim_start().starts_with('{'),
    };
    parse_connector_text(&text, json)
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
}
