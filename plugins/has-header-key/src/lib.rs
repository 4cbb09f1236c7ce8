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
        Ok(HasHeaderKey {
            name: config.non_empty_string("name")?,
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

    #[test]
    fn true_when_any_header_has_the_key() {
        let mut p = HasHeaderKey::configure(Config::new().with("name", "trace")).unwrap();
        assert!(p.test(&record(&["trace"])).unwrap());
        assert!(p.test(&record(&["a", "trace", "trace"])).unwrap());
        assert!(!p.test(&record(&[])).unwrap());
        assert!(!p.test(&record(&["Trace", "traces", "a"])).unwrap());
    }

    #[test]
    fn requires_a_non_empty_name() {
        assert!(HasHeaderKey::configure(Config::new()).is_err());
        assert!(HasHeaderKey::configure(Config::new().with("name", "")).is_err());
        assert!(HasHeaderKey::config_def()[0].is_required());
    }
}
