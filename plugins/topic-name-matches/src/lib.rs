//! `TopicNameMatches`: Kafka's `org.apache.kafka.connect.transforms.predicates.TopicNameMatches`.
//! True for records whose whole topic name matches the regular expression `pattern`.

use regex::Regex;
use wasm_connect_sdk::prelude::*;

/// The predicate.
pub struct TopicNameMatches {
    regex: Regex,
}

impl TopicNameMatches {
    /// Compile `pattern` so that it must match the whole topic name (Java's `Matcher.matches`).
    pub fn new(pattern: &str) -> Result<TopicNameMatches> {
        let regex = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
            PluginError::new(format!(
                "Invalid value {pattern} for configuration pattern: {e}"
            ))
        })?;
        Ok(TopicNameMatches { regex })
    }

    /// Whether `topic` matches the whole pattern.
    pub fn matches(&self, topic: &str) -> bool {
        self.regex.is_match(topic)
    }
}

impl Plugin for TopicNameMatches {
    fn info() -> PluginInfo {
        PluginInfo::new("TopicNameMatches")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.predicates.TopicNameMatches")
            .description(
                "A predicate which is true for records with a topic name that matches the configured regular expression.",
            )
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string("pattern")
                .validator(Validator::NonEmptyString)
                .validator(Validator::Regex)
                .importance(Importance::Medium)
                .doc(
                    "A Java regular expression for matching against the name of a record's topic.",
                ),
        ]
    }
}

impl Predicate for TopicNameMatches {
    fn configure(config: Config) -> Result<Self> {
        TopicNameMatches::new(&config.non_empty_string("pattern")?)
    }

    fn test(&mut self, record: &ConnectRecord) -> Result<bool> {
        Ok(self.matches(&record.topic))
    }
}

wasm_connect_sdk::export_predicate!(TopicNameMatches);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(topic: &str) -> ConnectRecord {
        ConnectRecord {
            topic: topic.into(),
            ..Default::default()
        }
    }

    #[test]
    fn matches_whole_topic_names_only() {
        let mut p = TopicNameMatches::configure(Config::new().with("pattern", "pred-.*")).unwrap();
        assert!(p.test(&record("pred-lines")).unwrap());
        assert!(p.test(&record("pred-")).unwrap());
        assert!(!p.test(&record("xpred-lines")).unwrap());
        let mut p = TopicNameMatches::configure(Config::new().with("pattern", "a|b")).unwrap();
        assert!(p.test(&record("a")).unwrap());
        assert!(p.test(&record("b")).unwrap());
        assert!(!p.test(&record("ab")).unwrap());
        assert!(!p.test(&record("xa")).unwrap());
    }

    #[test]
    fn rejects_missing_empty_or_invalid_patterns() {
        assert!(TopicNameMatches::configure(Config::new()).is_err());
        assert!(TopicNameMatches::configure(Config::new().with("pattern", "")).is_err());
        assert!(TopicNameMatches::configure(Config::new().with("pattern", "(")).is_err());
        assert!(TopicNameMatches::config_def()[0].is_required());
    }
}
