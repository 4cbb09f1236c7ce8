//! Configuration: Java `.properties` and JSON files, config definitions, and validation that
//! reports every error at once in Kafka Connect's `ConfigInfos` shape.

pub mod connector;
mod converters;
mod def;
mod distributed;
mod overrides;
mod topic_creation;
mod worker;

use std::collections::BTreeMap;
use std::path::Path;

pub use connector::{
    ConnectorConfig, ErrorTolerance, SandboxSettings, TransformSpec, connector_config_def,
};
pub use converters::converter_config_def;
pub use def::{ConfigDef, ConfigKeyDef, ConfigType, Importance, PathAccess, Validator};
pub use distributed::{DEFAULT_REBALANCE_DELAY_MS, DistributedConfig};
pub use overrides::{ClientOverridePolicy, OVERRIDE_PREFIXES};
pub use topic_creation::{TopicCreation, TopicCreationGroup};
pub use worker::WorkerConfig;

use serde::Serialize;

/// Errors reading a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("cannot parse {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// Read a Java `.properties` file, or a JSON connector file (`{"name":…, "config":{…}}` or a flat
/// object of strings) when the name ends in `.json`.
pub fn load_config_file(path: &Path) -> Result<BTreeMap<String, String>, ConfigFileError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigFileError::Read {
        path: display.clone(),
        source,
    })?;
    let parse_err = |message: String| ConfigFileError::Parse {
        path: display.clone(),
        message,
    };
    if path.extension().is_some_and(|e| e == "json") {
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| parse_err(e.to_string()))?;
        return connector_json_to_map(&json).map_err(parse_err);
    }
    let map = java_properties::read(text.as_bytes()).map_err(|e| parse_err(e.to_string()))?;
    Ok(map.into_iter().collect())
}

/// Turn `{"name": "x", "config": {…}}` or a flat JSON object into a string map. Non-string
/// scalars are accepted and printed (Kafka Connect's REST API accepts `"tasks.max": 1` too).
pub fn connector_json_to_map(json: &serde_json::Value) -> Result<BTreeMap<String, String>, String> {
    let object = json
        .as_object()
        .ok_or_else(|| "expected a JSON object".to_string())?;
    let (config, name) = match object.get("config") {
        Some(config) => (config, object.get("name").and_then(|n| n.as_str())),
        None => (json, None),
    };
    let mut map = json_object_to_string_map(config)?;
    if let Some(name) = name {
        map.entry("name".to_string())
            .or_insert_with(|| name.to_string());
    }
    Ok(map)
}

/// A JSON object of scalars as a string map; names the first key whose value is not a scalar.
pub fn json_object_to_string_map(
    json: &serde_json::Value,
) -> Result<BTreeMap<String, String>, String> {
    let object = json
        .as_object()
        .ok_or_else(|| "\"config\" must be a JSON object".to_string())?;
    object
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
            serde_json::Value::Number(n) => Ok((k.clone(), n.to_string())),
            serde_json::Value::Bool(b) => Ok((k.clone(), b.to_string())),
            _ => Err(format!("config value of \"{k}\" must be a string")),
        })
        .collect()
}

/// The settings under `prefix` with the prefix removed (e.g. `value.converter.`).
pub fn with_prefix(map: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    map.iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_string(), v.clone())))
        .collect()
}

/// Kafka Connect's `ConfigInfos`: the answer of `PUT /connector-plugins/{p}/config/validate`.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ConfigInfos {
    /// Plugin name.
    pub name: String,
    /// Total number of errors over all keys.
    pub error_count: usize,
    /// Group names in order of first appearance.
    pub groups: Vec<String>,
    /// One entry per key.
    pub configs: Vec<ConfigInfo>,
}

impl ConfigInfos {
    /// Kafka's message: "Connector configuration is invalid and contains the following N error(s): …".
    pub fn error_message(&self) -> String {
        let mut message = format!(
            "Connector configuration is invalid and contains the following {} error(s):",
            self.error_count
        );
        for info in &self.configs {
            for error in &info.value.errors {
                message.push('\n');
                message.push_str(error);
            }
        }
        message.push_str("\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`");
        message
    }

    /// The keys that have errors, with their messages.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &str)> {
        self.configs.iter().flat_map(|c| {
            c.value
                .errors
                .iter()
                .map(move |e| (c.value.name.as_str(), e.as_str()))
        })
    }
}

/// One key of a [`ConfigInfos`].
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ConfigInfo {
    /// The key's definition.
    pub definition: ConfigKeyInfo,
    /// The value given and its errors.
    pub value: ConfigValueInfo,
}

/// Kafka's `ConfigKeyInfo`.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ConfigKeyInfo {
    /// Key name.
    pub name: String,
    /// BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS or PASSWORD.
    #[serde(rename = "type")]
    pub config_type: String,
    /// True when there is no default.
    pub required: bool,
    /// The default, as text.
    pub default_value: Option<String>,
    /// HIGH, MEDIUM or LOW.
    pub importance: String,
    /// Documentation.
    pub documentation: String,
    /// Group.
    pub group: Option<String>,
    /// Order in the group (-1 when unset).
    pub order: i32,
    /// NONE, SHORT, MEDIUM or LONG.
    pub width: String,
    /// Display name.
    pub display_name: String,
    /// Dependent keys.
    pub dependents: Vec<String>,
}

/// Kafka's `ConfigValueInfo`.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ConfigValueInfo {
    /// Key name.
    pub name: String,
    /// The value given (or the default).
    pub value: Option<String>,
    /// Recommended values.
    pub recommended_values: Vec<String>,
    /// Every error for this key.
    pub errors: Vec<String>,
    /// Whether the key applies.
    pub visible: bool,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn json_connector_files_accept_both_shapes() {
        let nested = serde_json::json!({"name": "a", "config": {"tasks.max": 2, "topic": "t"}});
        let map = connector_json_to_map(&nested).expect("valid");
        assert_eq!(map.get("name").map(String::as_str), Some("a"));
        assert_eq!(map.get("tasks.max").map(String::as_str), Some("2"));
        let flat = serde_json::json!({"name": "b", "topic": "t"});
        assert_eq!(connector_json_to_map(&flat).expect("valid").len(), 2);
        let bad = serde_json::json!({"config": {"x": {"y": 1}}});
        assert!(connector_json_to_map(&bad).unwrap_err().contains("\"x\""));
    }

    #[test]
    fn properties_files_are_parsed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.properties");
        std::fs::write(
            &path,
            "# comment\nname=local-file-source\ntopic = connect-test\nfile=/tmp/a\\\n.txt\n",
        )
        .expect("write");
        let map = load_config_file(&path).expect("parse");
        assert_eq!(map["name"], "local-file-source");
        assert_eq!(map["topic"], "connect-test");
        assert_eq!(map["file"], "/tmp/a.txt");
    }
}
