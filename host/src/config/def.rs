//! Config definitions (Kafka's `ConfigDef`) and per-key validation.

use std::collections::BTreeMap;

use super::{ConfigInfo, ConfigInfos, ConfigKeyInfo, ConfigValueInfo};

/// Kafka's `ConfigDef.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigType {
    /// `true` or `false` (case-insensitive).
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
    /// A plugin name.
    Class,
    /// A secret; never echoed back.
    Password,
}

impl ConfigType {
    /// Kafka's upper-case name.
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        }
    }
}

/// Kafka's `ConfigDef.Importance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Importance {
    /// HIGH.
    High,
    /// MEDIUM.
    Medium,
    /// LOW.
    Low,
}

/// How a plugin uses a path given as a config value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathAccess {
    /// Not a path.
    None,
    /// A file the plugin reads.
    ReadFile,
    /// A file the plugin writes.
    WriteFile,
    /// A directory the plugin reads.
    ReadDir,
    /// A directory the plugin reads and writes.
    WriteDir,
}

/// A check applied to a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Validator {
    /// Must not be empty.
    NonEmptyString,
    /// Number within inclusive bounds.
    Range {
        /// Lower bound.
        min: Option<f64>,
        /// Upper bound.
        max: Option<f64>,
    },
    /// One of these strings.
    OneOf(Vec<String>),
    /// Case-insensitive one of these strings.
    OneOfIgnoreCase(Vec<String>),
    /// A valid regular expression.
    Regex,
}

/// One key of a [`ConfigDef`].
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigKeyDef {
    /// Key name.
    pub name: String,
    /// Type.
    pub config_type: ConfigType,
    /// Default; `None` means required.
    pub default_value: Option<String>,
    /// Importance.
    pub importance: Importance,
    /// Documentation.
    pub documentation: String,
    /// Group.
    pub group: Option<String>,
    /// Order in group.
    pub order: Option<i32>,
    /// Display name.
    pub display_name: Option<String>,
    /// Checks.
    pub validators: Vec<Validator>,
    /// Whether the value is a path the plugin needs access to.
    pub path_access: PathAccess,
}

impl ConfigKeyDef {
    /// A key with the common fields; adjust the rest with struct update syntax.
    pub fn new(
        name: &str,
        config_type: ConfigType,
        default_value: Option<&str>,
        importance: Importance,
        doc: &str,
    ) -> Self {
        ConfigKeyDef {
            name: name.to_string(),
            config_type,
            default_value: default_value.map(str::to_string),
            importance,
            documentation: doc.to_string(),
            group: None,
            order: None,
            display_name: None,
            validators: Vec::new(),
            path_access: PathAccess::None,
        }
    }

    /// Set the group.
    pub fn in_group(mut self, group: &str, order: i32) -> Self {
        self.group = Some(group.to_string());
        self.order = Some(order);
        self
    }

    /// Add a validator.
    pub fn validate(mut self, validator: Validator) -> Self {
        self.validators.push(validator);
        self
    }

    /// Errors for `value` (already defaulted); empty when valid.
    pub fn check(&self, value: Option<&str>) -> Vec<String> {
        let name = &self.name;
        let Some(value) = value else {
            return vec![format!(
                "Missing required configuration \"{name}\" which has no default value."
            )];
        };
        let mut errors = Vec::new();
        let trimmed = value.trim();
        // An empty default is Kafka's `null` default: an optional key left empty is not checked.
        if trimmed.is_empty() && self.default_value.as_deref() == Some("") {
            return errors;
        }
        let number: Option<f64> = match self.config_type {
            ConfigType::Boolean => {
                if !trimmed.eq_ignore_ascii_case("true") && !trimmed.eq_ignore_ascii_case("false") {
                    errors.push(format!("Invalid value {value} for configuration {name}: Expected value to be either true or false"));
                }
                None
            }
            ConfigType::Int | ConfigType::Short | ConfigType::Long => {
                let parsed = match self.config_type {
                    ConfigType::Int => trimmed.parse::<i32>().map(f64::from).ok(),
                    ConfigType::Short => trimmed.parse::<i16>().map(f64::from).ok(),
                    _ => trimmed.parse::<i64>().map(|v| v as f64).ok(),
                };
                if parsed.is_none() {
                    errors.push(format!(
                        "Invalid value {value} for configuration {name}: Not a number of type {}",
                        self.config_type.name()
                    ));
                }
                parsed
            }
            ConfigType::Double => {
                let parsed = trimmed.parse::<f64>().ok();
                if parsed.is_none() {
                    errors.push(format!("Invalid value {value} for configuration {name}: Not a number of type DOUBLE"));
                }
                parsed
            }
            _ => None,
        };
        for validator in &self.validators {
            match validator {
                Validator::NonEmptyString if trimmed.is_empty() => {
                    errors.push(format!(
                        "Invalid value {value} for configuration {name}: String must be non-empty"
                    ));
                }
                Validator::Range { min, max } => {
                    if let Some(n) = number
                        && (min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m))
                    {
                        let bound = match (min, max) {
                            (Some(lo), Some(hi)) => format!("Value must be in [{lo}, {hi}]"),
                            (Some(lo), None) => format!("Value must be at least {lo}"),
                            (None, Some(hi)) => format!("Value must be no more than {hi}"),
                            (None, None) => String::new(),
                        };
                        errors.push(format!(
                            "Invalid value {value} for configuration {name}: {bound}"
                        ));
                    }
                }
                Validator::OneOf(allowed) if !allowed.iter().any(|a| a == trimmed) => {
                    errors.push(format!(
                        "Invalid value {value} for configuration {name}: String must be one of: {}",
                        allowed.join(", ")
                    ));
                }
                Validator::OneOfIgnoreCase(allowed)
                    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(trimmed)) =>
                {
                    errors.push(format!("Invalid value {value} for configuration {name}: String must be one of (case insensitive): {}", allowed.join(", ")));
                }
                Validator::Regex => {
                    if let Err(e) = regex::Regex::new(value) {
                        errors.push(format!("Invalid value {value} for configuration {name}: not a valid regular expression: {e}"));
                    }
                }
                _ => {}
            }
        }
        errors
    }

    /// Kafka's `ConfigKeyInfo` of this key.
    pub fn key_info(&self) -> ConfigKeyInfo {
        ConfigKeyInfo {
            name: self.name.clone(),
            config_type: self.config_type.name().to_string(),
            required: self.default_value.is_none(),
            default_value: self.default_value.clone(),
            importance: match self.importance {
                Importance::High => "HIGH",
                Importance::Medium => "MEDIUM",
                Importance::Low => "LOW",
            }
            .to_string(),
            documentation: self.documentation.clone(),
            group: self.group.clone(),
            order: self.order.unwrap_or(-1),
            width: "NONE".to_string(),
            display_name: self
                .display_name
                .clone()
                .unwrap_or_else(|| self.name.clone()),
            dependents: Vec::new(),
        }
    }
}

/// A list of config keys (Kafka's `ConfigDef`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigDef {
    /// Keys in definition order.
    pub keys: Vec<ConfigKeyDef>,
}

impl ConfigDef {
    /// Add a key, replacing one with the same name.
    pub fn define(&mut self, key: ConfigKeyDef) -> &mut Self {
        match self.keys.iter_mut().find(|k| k.name == key.name) {
            Some(existing) => *existing = key,
            None => self.keys.push(key),
        }
        self
    }

    /// Append every key of `other`, prefixing names with `prefix` (e.g. `transforms.route.`).
    pub fn embed(&mut self, prefix: &str, group: &str, other: &ConfigDef) -> &mut Self {
        for (i, key) in other.keys.iter().enumerate() {
            let mut key = key.clone();
            key.name = format!("{prefix}{}", key.name);
            key.group = Some(group.to_string());
            key.order = Some(i32::try_from(i).unwrap_or(i32::MAX));
            self.define(key);
        }
        self
    }

    /// The key called `name`.
    pub fn key(&self, name: &str) -> Option<&ConfigKeyDef> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// Every key's `ConfigKeyInfo`, in definition order (`GET /connector-plugins/{p}/config`).
    pub fn key_infos(&self) -> Vec<ConfigKeyInfo> {
        self.keys.iter().map(ConfigKeyDef::key_info).collect()
    }

    /// Validate `config` against every key, collecting every error; `extra` adds errors found
    /// elsewhere (by the plugin, or rules across keys) to the named keys.
    pub fn validate(
        &self,
        plugin: &str,
        config: &BTreeMap<String, String>,
        extra: &[(String, String)],
    ) -> ConfigInfos {
        let mut groups: Vec<String> = Vec::new();
        let mut configs: Vec<ConfigInfo> = Vec::new();
        for key in &self.keys {
            if let Some(group) = &key.group
                && !groups.contains(group)
            {
                groups.push(group.clone());
            }
            let value = config.get(&key.name).or(key.default_value.as_ref());
            let mut errors = key.check(value.map(String::as_str));
            errors.extend(
                extra
                    .iter()
                    .filter(|(n, _)| *n == key.name)
                    .map(|(_, m)| m.clone()),
            );
            let shown = if key.config_type == ConfigType::Password {
                value.map(|_| "[hidden]".to_string())
            } else {
                value.cloned()
            };
            configs.push(ConfigInfo {
                definition: key.key_info(),
                value: ConfigValueInfo {
                    name: key.name.clone(),
                    value: shown,
                    recommended_values: Vec::new(),
                    errors,
                    visible: true,
                },
            });
        }
        for (name, message) in extra {
            if self.key(name).is_none() {
                let info =
                    ConfigKeyDef::new(name, ConfigType::String, Some(""), Importance::Low, "")
                        .key_info();
                configs.push(ConfigInfo {
                    definition: info,
                    value: ConfigValueInfo {
                        name: name.clone(),
                        value: config.get(name).cloned(),
                        recommended_values: Vec::new(),
                        errors: vec![message.clone()],
                        visible: true,
                    },
                });
            }
        }
        let error_count = configs.iter().map(|c| c.value.errors.len()).sum();
        ConfigInfos {
            name: plugin.to_string(),
            error_count,
            groups,
            configs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_reports_every_error_per_key() {
        let mut def = ConfigDef::default();
        def.define(
            ConfigKeyDef::new("topic", ConfigType::String, None, Importance::High, "Topic")
                .validate(Validator::NonEmptyString),
        );
        def.define(
            ConfigKeyDef::new(
                "tasks.max",
                ConfigType::Int,
                Some("1"),
                Importance::High,
                "Tasks",
            )
            .validate(Validator::Range {
                min: Some(1.0),
                max: None,
            }),
        );
        def.define(ConfigKeyDef::new(
            "flag",
            ConfigType::Boolean,
            Some("false"),
            Importance::Low,
            "",
        ));
        let config: BTreeMap<String, String> = [("tasks.max", "0"), ("flag", "TRUE")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let infos = def.validate("X", &config, &[("other".into(), "bad".into())]);
        assert_eq!(infos.error_count, 3);
        let errors: Vec<_> = infos.errors().collect();
        assert!(
            errors[0].0 == "topic"
                && errors[0]
                    .1
                    .contains("Missing required configuration \"topic\"")
        );
        assert_eq!(errors[1].0, "tasks.max");
        assert!(errors[1].1.contains("Value must be at least 1"));
        assert_eq!(errors[2], ("other", "bad"));
        assert!(infos.error_message().starts_with(
            "Connector configuration is invalid and contains the following 3 error(s):"
        ));
    }

    #[test]
    fn numbers_are_type_checked() {
        let key = ConfigKeyDef::new("n", ConfigType::Int, None, Importance::Low, "");
        assert!(key.check(Some("12")).is_empty());
        assert_eq!(key.check(Some("x")).len(), 1);
        assert_eq!(key.check(Some("99999999999")).len(), 1);
    }
}
