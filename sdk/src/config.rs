//! Configuration definitions ([`ConfigKey`]) and values ([`Config`]).

use std::collections::BTreeMap;

use crate::error::{PluginError, Result};

/// Kafka's `ConfigDef.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigType {
    /// `true` / `false`.
    Boolean,
    /// Any string.
    String,
    /// 32-bit integer.
    Int,
    /// 16-bit integer.
    Short,
    /// 64-bit integer.
    Long,
    /// Floating point.
    Double,
    /// Comma-separated list.
    List,
    /// A plugin or class name.
    Class,
    /// A secret string, masked in the REST API and logs.
    Password,
}

/// Kafka's `ConfigDef.Importance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Importance {
    /// Most users must set it.
    High,
    /// Often set.
    Medium,
    /// Rarely set.
    Low,
}

/// A check the host applies to a value before the plugin sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Validator {
    /// The value must not be empty.
    NonEmptyString,
    /// A number within inclusive bounds; either may be absent.
    Range {
        /// Smallest allowed value.
        min: Option<f64>,
        /// Largest allowed value.
        max: Option<f64>,
    },
    /// One of these strings (case-sensitive).
    OneOf(Vec<String>),
    /// A valid regular expression.
    Regex,
}

/// How the plugin uses a path named by a config value: the host grants exactly this access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PathAccess {
    /// The value is not a path.
    #[default]
    None,
    /// The plugin reads the file at this path.
    ReadFile,
    /// The plugin creates, appends to or overwrites the file at this path.
    WriteFile,
    /// The plugin reads files in this directory.
    ReadDir,
    /// The plugin reads and writes files in this directory.
    WriteDir,
}

/// One configuration key (Kafka's `ConfigDef.ConfigKey`), built fluently:
///
/// ```
/// use wasm_connect_sdk::config::{ConfigKey, Importance, PathAccess};
/// let key = ConfigKey::string("file")
///     .importance(Importance::High)
///     .doc("Source filename.")
///     .path_access(PathAccess::ReadFile);
/// assert!(key.default_value.is_none()); // no default: required
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigKey {
    /// Key name, e.g. `batch.size`.
    pub name: String,
    /// Value type.
    pub config_type: ConfigType,
    /// Default as Kafka would print it; `None` means the key is required.
    pub default_value: Option<String>,
    /// Importance.
    pub importance: Importance,
    /// Documentation.
    pub documentation: String,
    /// Group shown in UIs.
    pub group: Option<String>,
    /// Position within the group.
    pub order_in_group: Option<i32>,
    /// Name shown in UIs.
    pub display_name: Option<String>,
    /// Checks the host applies.
    pub validators: Vec<Validator>,
    /// File-system access the value grants.
    pub path_access: PathAccess,
}

impl ConfigKey {
    /// A required key of `config_type` with medium importance and no documentation.
    pub fn new(name: impl Into<String>, config_type: ConfigType) -> ConfigKey {
        ConfigKey {
            name: name.into(),
            config_type,
            default_value: None,
            importance: Importance::Medium,
            documentation: String::new(),
            group: None,
            order_in_group: None,
            display_name: None,
            validators: Vec::new(),
            path_access: PathAccess::None,
        }
    }

    /// A required string key.
    pub fn string(name: impl Into<String>) -> ConfigKey {
        ConfigKey::new(name, ConfigType::String)
    }

    /// A required 32-bit integer key.
    pub fn int(name: impl Into<String>) -> ConfigKey {
        ConfigKey::new(name, ConfigType::Int)
    }

    /// A required 64-bit integer key.
    pub fn long(name: impl Into<String>) -> ConfigKey {
        ConfigKey::new(name, ConfigType::Long)
    }

    /// A required boolean key.
    pub fn boolean(name: impl Into<String>) -> ConfigKey {
        ConfigKey::new(name, ConfigType::Boolean)
    }

    /// A required floating-point key.
    pub fn double(name: impl Into<String>) -> ConfigKey {
        ConfigKey::new(name, ConfigType::Double)
    }

    /// A required comma-separated list key.
    pub fn list(name: impl Into<String>) -> ConfigKey {
        ConfigKey::new(name, ConfigType::List)
    }

    /// A required password key.
    pub fn password(name: impl Into<String>) -> ConfigKey {
        ConfigKey::new(name, ConfigType::Password)
    }

    /// Set the default (as Kafka would print it), making the key optional.
    pub fn default_value(mut self, value: impl ToString) -> ConfigKey {
        self.default_value = Some(value.to_string());
        self
    }

    /// Make the key optional with an empty default (Kafka's `null` default); read it with
    /// [`Config::optional_string`], which treats empty as absent.
    pub fn optional(self) -> ConfigKey {
        self.default_value("")
    }

    /// Set the importance.
    pub fn importance(mut self, importance: Importance) -> ConfigKey {
        self.importance = importance;
        self
    }

    /// Set the documentation.
    pub fn doc(mut self, documentation: impl Into<String>) -> ConfigKey {
        self.documentation = documentation.into();
        self
    }

    /// Set the group and the position in it.
    pub fn group(mut self, group: impl Into<String>, order: i32) -> ConfigKey {
        self.group = Some(group.into());
        self.order_in_group = Some(order);
        self
    }

    /// Set the display name.
    pub fn display_name(mut self, name: impl Into<String>) -> ConfigKey {
        self.display_name = Some(name.into());
        self
    }

    /// Add a validator.
    pub fn validator(mut self, validator: Validator) -> ConfigKey {
        self.validators.push(validator);
        self
    }

    /// Require a non-empty value.
    pub fn non_empty(self) -> ConfigKey {
        self.validator(Validator::NonEmptyString)
    }

    /// Require a number within inclusive bounds.
    pub fn range(self, min: Option<f64>, max: Option<f64>) -> ConfigKey {
        self.validator(Validator::Range { min, max })
    }

    /// Require one of `values`.
    pub fn one_of<S: Into<String>>(self, values: impl IntoIterator<Item = S>) -> ConfigKey {
        self.validator(Validator::OneOf(
            values.into_iter().map(Into::into).collect(),
        ))
    }

    /// Set the file-system access the value grants.
    pub fn path_access(mut self, access: PathAccess) -> ConfigKey {
        self.path_access = access;
        self
    }

    /// True when the key has no default.
    pub fn is_required(&self) -> bool {
        self.default_value.is_none()
    }
}

/// An error found in one config value (returned by `validate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The key.
    pub name: String,
    /// What is wrong with its value.
    pub message: String,
}

impl ConfigError {
    /// An error for key `name`.
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            name: name.into(),
            message: message.into(),
        }
    }
}

/// A configuration: Kafka Connect's string map, with typed getters whose errors name the key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    values: BTreeMap<String, String>,
}

impl Config {
    /// An empty configuration.
    pub fn new() -> Config {
        Config::default()
    }

    /// Set `key` (builder style).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Config {
        self.set(key, value);
        self
    }

    /// Set `key`.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.values.insert(key.into(), value.into());
    }

    /// Fill in the defaults of `keys` that are not set.
    pub fn with_defaults(mut self, keys: &[ConfigKey]) -> Config {
        for key in keys {
            if let Some(default) = &key.default_value {
                self.values
                    .entry(key.name.clone())
                    .or_insert_with(|| default.clone());
            }
        }
        self
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// True if `key` is set (even to an empty string).
    pub fn contains(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// All entries, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn missing(key: &str) -> PluginError {
        PluginError::new(format!(
            "Missing required configuration \"{key}\" which has no default value."
        ))
    }

    fn invalid(key: &str, value: &str, why: &str) -> PluginError {
        PluginError::new(format!(
            "Invalid value {value} for configuration {key}: {why}"
        ))
    }

    /// The value of a required key (an error naming the key if absent).
    pub fn string(&self, key: &str) -> Result<String> {
        self.get(key)
            .map(str::to_owned)
            .ok_or_else(|| Config::missing(key))
    }

    /// The value of a required key that must not be empty.
    pub fn non_empty_string(&self, key: &str) -> Result<String> {
        let value = self.string(key)?;
        if value.trim().is_empty() {
            return Err(Config::invalid(key, &value, "String must be non-empty"));
        }
        Ok(value)
    }

    /// The value of `key`, or `default` if absent.
    pub fn string_or(&self, key: &str, default: &str) -> String {
        self.get(key).unwrap_or(default).to_owned()
    }

    /// The value of an optional key: `None` when absent or empty.
    pub fn optional_string(&self, key: &str) -> Option<String> {
        self.get(key).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    fn parse<T: std::str::FromStr>(&self, key: &str, what: &str) -> Result<Option<T>> {
        match self.get(key).map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => raw
                .parse()
                .map(Some)
                .map_err(|_| Config::invalid(key, raw, &format!("Not a number of type {what}"))),
        }
    }

    /// A required 32-bit integer.
    pub fn int(&self, key: &str) -> Result<i32> {
        self.parse(key, "INT")?.ok_or_else(|| Config::missing(key))
    }

    /// A 32-bit integer, or `default` if absent or empty.
    pub fn int_or(&self, key: &str, default: i32) -> Result<i32> {
        Ok(self.parse(key, "INT")?.unwrap_or(default))
    }

    /// A required 64-bit integer.
    pub fn long(&self, key: &str) -> Result<i64> {
        self.parse(key, "LONG")?.ok_or_else(|| Config::missing(key))
    }

    /// A 64-bit integer, or `default` if absent or empty.
    pub fn long_or(&self, key: &str, default: i64) -> Result<i64> {
        Ok(self.parse(key, "LONG")?.unwrap_or(default))
    }

    /// A required floating-point number.
    pub fn double(&self, key: &str) -> Result<f64> {
        self.parse(key, "DOUBLE")?
            .ok_or_else(|| Config::missing(key))
    }

    /// A floating-point number, or `default` if absent or empty.
    pub fn double_or(&self, key: &str, default: f64) -> Result<f64> {
        Ok(self.parse(key, "DOUBLE")?.unwrap_or(default))
    }

    /// A boolean (`true`/`false`, case-insensitive, as Kafka parses it), or `default` if absent.
    pub fn boolean_or(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key).map(str::trim) {
            None | Some("") => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(Config::invalid(
                key,
                v,
                "Expected value to be either true or false",
            )),
        }
    }

    /// A required boolean.
    pub fn boolean(&self, key: &str) -> Result<bool> {
        if !self.contains(key) {
            return Err(Config::missing(key));
        }
        self.boolean_or(key, false)
    }

    /// A required list with at least one item (Kafka's `NonEmptyListValidator`): an absent key is
    /// Kafka's missing-configuration error, an empty list `Invalid value [] for configuration <key>:
    /// Empty list`.
    pub fn non_empty_list(&self, key: &str) -> Result<Vec<String>> {
        self.string(key)?;
        let list = self.list(key);
        if list.is_empty() {
            return Err(PluginError::new(format!(
                "Invalid value [] for configuration {key}: Empty list"
            )));
        }
        Ok(list)
    }

    /// A comma-separated list with items trimmed and empty items dropped (empty if absent).
    pub fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Config {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Config {
        Config {
            values: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl IntoIterator for Config {
    type Item = (String, String);
    type IntoIter = std::collections::btree_map::IntoIter<String, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.values.into_iter()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config() -> Config {
        [
            ("topic", "t"),
            ("batch.size", "10"),
            ("bad", "x1"),
            ("flag", "TRUE"),
            ("empty", ""),
            ("list", " a, b,,c "),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn typed_getters_name_the_key() {
        let c = config();
        assert_eq!(c.string("topic").as_deref(), Ok("t"));
        assert_eq!(c.int("batch.size"), Ok(10));
        assert_eq!(c.int_or("missing", 7), Ok(7));
        assert_eq!(c.int_or("empty", 7), Ok(7));
        assert_eq!(c.long_or("batch.size", 1), Ok(10));
        let err = c.int("bad").unwrap_err();
        assert!(
            err.message.contains("bad") && err.message.contains("x1"),
            "{err}"
        );
        assert!(!err.retriable);
        let err = c.string("nope").unwrap_err();
        assert!(err.message.contains("\"nope\""), "{err}");
        assert!(
            c.non_empty_string("empty")
                .unwrap_err()
                .message
                .contains("empty")
        );
        assert_eq!(c.boolean("flag"), Ok(true));
        assert_eq!(c.boolean_or("missing", false), Ok(false));
        assert!(c.boolean("bad").is_err());
        assert_eq!(c.optional_string("empty"), None);
        assert_eq!(c.optional_string("topic").as_deref(), Some("t"));
        assert_eq!(c.list("list"), ["a", "b", "c"]);
        assert!(c.list("missing").is_empty());
        assert_eq!(c.double_or("batch.size", 0.5), Ok(10.0));
    }

    #[test]
    fn config_key_builder_and_defaults() {
        let keys = [
            ConfigKey::string("topic")
                .non_empty()
                .importance(Importance::High),
            ConfigKey::int("batch.size")
                .default_value(2000)
                .range(Some(1.0), None),
            ConfigKey::string("file")
                .optional()
                .path_access(PathAccess::ReadFile)
                .doc("d"),
        ];
        assert!(keys[0].is_required());
        assert_eq!(keys[0].validators, [Validator::NonEmptyString]);
        assert_eq!(keys[1].default_value.as_deref(), Some("2000"));
        assert_eq!(keys[2].default_value.as_deref(), Some(""));
        assert_eq!(keys[2].path_access, PathAccess::ReadFile);
        let c = Config::new().with("topic", "x").with_defaults(&keys);
        assert_eq!(c.int("batch.size"), Ok(2000));
        assert_eq!(c.optional_string("file"), None);
        assert_eq!(c.len(), 3);
        let c = Config::new().with("batch.size", "5").with_defaults(&keys);
        assert_eq!(c.int("batch.size"), Ok(5));
    }
}
