//! `TopicNameMatches`: Kafka's `org.apache.kafka.connect.transforms.predicates.TopicNameMatches`.
//! True for records whose whole topic name matches the regular expression `pattern` (Java's
//! `Matcher.matches`).
//!
//! Not as in Kafka: the regular expression is compiled by the `regex` crate, which has no
//! look-around or back-references (such patterns are rejected as invalid).

use regex::Regex;
use wasm_connect_sdk::prelude::*;

/// The predicate.
pub struct TopicNameMatches {
    regex: Regex,
}

impl TopicNameMatches {
    /// Compile `pattern` so that it must match the whole topic name (Java's `Matcher.matches`).
    /// The error names the key and says `Invalid regex`, as Kafka's `RegexValidator` does.
    pub fn new(pattern: &str) -> Result<TopicNameMatches> {
        let invalid = |e: regex::Error| {
            PluginError::new(format!(
                "Invalid value {pattern} for configuration pattern: Invalid regex: {e}"
            ))
        };
        Regex::new(pattern).map_err(invalid)?;
        let regex = Regex::new(&format!("^(?:{pattern})$")).map_err(invalid)?;
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
        // Kafka trims STRING values before checking that they are not empty.
        TopicNameMatches::new(config.non_empty_string("pattern")?.trim())
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

    /// TopicNameMatchesTest's `recordWithTopicName`.
    fn record(topic: &str) -> ConnectRecord {
        ConnectRecord {
            topic: topic.into(),
            ..Default::default()
        }
    }

    fn config_error(config: Config) -> String {
        match TopicNameMatches::configure(config) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.message,
        }
    }

    // TopicNameMatchesTest.testPatternRequiredInConfig
    #[test]
    fn pattern_required_in_config() {
        assert!(config_error(Config::new()).contains("Missing required configuration \"pattern\""));
        assert!(TopicNameMatches::config_def()[0].is_required());
    }

    // TopicNameMatchesTest.testPatternMayNotBeEmptyInConfig
    #[test]
    fn pattern_may_not_be_empty_in_config() {
        assert_eq!(
            config_error(Config::new().with("pattern", "")),
            "Invalid value  for configuration pattern: String must be non-empty"
        );
        assert!(
            config_error(Config::new().with("pattern", "  ")).contains("String must be non-empty")
        );
    }

    // TopicNameMatchesTest.testPatternIsValidRegexInConfig
    #[test]
    fn pattern_is_valid_regex_in_config() {
        let message = config_error(Config::new().with("pattern", "["));
        assert!(
            message.starts_with("Invalid value [ for configuration pattern: Invalid regex"),
            "{message}"
        );
    }

    // TopicNameMatchesTest.testConfig
    #[test]
    fn config_validation() {
        assert!(TopicNameMatches::configure(Config::new().with("pattern", "my-prefix-.*")).is_ok());
        assert!(config_error(Config::new().with("pattern", "*")).contains("Invalid regex"));
        let def = TopicNameMatches::config_def();
        assert_eq!(
            def[0].validators,
            [Validator::NonEmptyString, Validator::Regex]
        );
    }

    // TopicNameMatchesTest.testTest
    #[test]
    fn matches_whole_topic_names_only() {
        let mut p =
            TopicNameMatches::configure(Config::new().with("pattern", "my-prefix-.*")).unwrap();
        assert!(p.test(&record("my-prefix-")).unwrap());
        assert!(p.test(&record("my-prefix-foo")).unwrap());
        assert!(!p.test(&record("x-my-prefix-")).unwrap());
        assert!(!p.test(&record("x-my-prefix-foo")).unwrap());
        assert!(!p.test(&record("your-prefix-")).unwrap());
        assert!(!p.test(&record("your-prefix-foo")).unwrap());
        // Kafka's record with a null topic; topics are never null here, the closest is empty.
        assert!(!p.test(&record("")).unwrap());
    }

    #[test]
    fn alternation_must_cover_the_whole_topic() {
        let mut p = TopicNameMatches::configure(Config::new().with("pattern", " a|b ")).unwrap();
        assert!(p.test(&record("a")).unwrap());
        assert!(p.test(&record("b")).unwrap());
        assert!(!p.test(&record("ab")).unwrap());
        assert!(!p.test(&record("xa")).unwrap());
    }
}
