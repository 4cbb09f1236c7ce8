//! `HasHeaderKey`: Kafka's `org.apache.kafka.connect.transforms.predicates.HasHeaderKey`.
//! True for records with at least one header named `name`.

use wasm_connect_sdk::prelude::*;

/// The predicate.
pub struct HasHeaderKey {
    name: String,
}

impl HasHeaderKey {
    /// Whether any of `headers` has the key this predicate looks for.
    pub fn matches(&self, headers: &[Header]) -> bool {
        headers.iter().any(|h| h.key == self.name)
    }
}

impl Plugin for HasHeaderKey {
    fn info() -> PluginInfo {
        PluginInfo::new("HasHeaderKey")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.predicates.HasHeaderKey")
            .description(
                "A predicate which is true for records with at least one header with the configured name.",
            )
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string("name")
                .non_empty()
                .importance(Importance::Medium)
                .doc("The header name."),
        ]
    }
}

impl Predicate for HasHeaderKey {
    fn configure(config: Config) -> Result<Self> {
        // Kafka trims STRING values before checking that they are not empty.
        Ok(HasHeaderKey {
            name: config.non_empty_string("name")?.trim().to_owned(),
        })
    }

    fn test(&mut self, record: &ConnectRecord) -> Result<bool> {
        Ok(self.matches(&record.headers))
    }
}

wasm_connect_sdk::export_predicate!(HasHeaderKey);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// HasHeaderKeyTest's `recordWithHeaders`: headers with these keys and null values.
    fn record(keys: &[&str]) -> ConnectRecord {
        ConnectRecord {
            topic: "t".into(),
            headers: keys
                .iter()
                .map(|k| Header {
                    key: (*k).into(),
                    value: SchemaAndValue::default(),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn config_error(config: Config) -> String {
        match HasHeaderKey::configure(config) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.message,
        }
    }

    // HasHeaderKeyTest.testNameRequiredInConfig
    #[test]
    fn name_required_in_config() {
        assert!(config_error(Config::new()).contains("Missing required configuration \"name\""));
        assert!(HasHeaderKey::config_def()[0].is_required());
    }

    // HasHeaderKeyTest.testNameMayNotBeEmptyInConfig
    #[test]
    fn name_may_not_be_empty_in_config() {
        assert!(config_error(Config::new().with("name", "")).contains("String must be non-empty"));
    }

    // HasHeaderKeyTest.testConfig
    #[test]
    fn config_validation() {
        assert!(HasHeaderKey::configure(Config::new().with("name", "foo")).is_ok());
        assert_eq!(
            config_error(Config::new().with("name", "")),
            "Invalid value  for configuration name: String must be non-empty"
        );
        assert_eq!(
            HasHeaderKey::config_def()[0].validators,
            [Validator::NonEmptyString]
        );
    }

    // HasHeaderKeyTest.testTest
    #[test]
    fn true_when_any_header_has_the_name() {
        let mut p = HasHeaderKey::configure(Config::new().with("name", "foo")).unwrap();
        assert!(p.test(&record(&["foo"])).unwrap());
        assert!(p.test(&record(&["foo", "bar"])).unwrap());
        assert!(p.test(&record(&["bar", "foo", "bar", "foo"])).unwrap());
        assert!(!p.test(&record(&["bar"])).unwrap());
        assert!(!p.test(&record(&["bar", "bar"])).unwrap());
        assert!(!p.test(&record(&[])).unwrap());
        assert!(!p.test(&ConnectRecord::default()).unwrap());
    }

    #[test]
    fn names_are_case_sensitive_and_trimmed_like_kafka_strings() {
        let mut p = HasHeaderKey::configure(Config::new().with("name", " trace ")).unwrap();
        assert!(p.test(&record(&["trace"])).unwrap());
        assert!(!p.test(&record(&["Trace", "traces", " trace "])).unwrap());
    }
}
