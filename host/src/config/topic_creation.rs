//! Source connectors' topic creation (`topic.creation.default.*`, `topic.creation.groups`,
//! `topic.creation.<group>.*`), as Kafka's `TopicCreationConfig` defines it: a topic takes the
//! settings of the first listed group whose `include` matches it and whose `exclude` does not,
//! else those of the `default` group.

use std::collections::BTreeMap;

use regex::Regex;

use super::connector::parse_list;

/// Keys of a group that are not topic configs.
const GROUP_KEYS: &[&str] = &["include", "exclude", "partitions", "replication.factor"];

/// How to create topics that match one group.
#[derive(Clone, Debug)]
pub struct TopicCreationGroup {
    /// The alias (`default` for the default group).
    pub name: String,
    /// Topic name patterns this group applies to (whole-name matches).
    pub include: Vec<Regex>,
    /// Topic name patterns excluded from this group.
    pub exclude: Vec<Regex>,
    /// Partitions; -1 = the broker's default.
    pub partitions: i32,
    /// Replication factor; -1 = the broker's default.
    pub replication_factor: i32,
    /// Other topic configs (`cleanup.policy`, `retention.ms`, …).
    pub topic_configs: Vec<(String, String)>,
}

/// Equal when every setting is equal (patterns compared by their source text).
impl PartialEq for TopicCreationGroup {
    fn eq(&self, other: &TopicCreationGroup) -> bool {
        let texts = |rs: &[Regex]| {
            rs.iter()
                .map(|r| r.as_str().to_string())
                .collect::<Vec<_>>()
        };
        self.name == other.name
            && texts(&self.include) == texts(&other.include)
            && texts(&self.exclude) == texts(&other.exclude)
            && self.partitions == other.partitions
            && self.replication_factor == other.replication_factor
            && self.topic_configs == other.topic_configs
    }
}

impl TopicCreationGroup {
    fn matches(&self, topic: &str) -> bool {
        self.include.iter().any(|r| r.is_match(topic))
            && !self.exclude.iter().any(|r| r.is_match(topic))
    }
}

/// Every group of a source connector, in the order they are tried.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicCreation {
    /// `topic.creation.groups`, in order.
    pub groups: Vec<TopicCreationGroup>,
    /// The `default` group.
    pub default: TopicCreationGroup,
}

impl TopicCreation {
    /// Parse from a connector config; errors are (key, message) pairs for validation.
    pub fn parse(
        config: &BTreeMap<String, String>,
    ) -> Result<TopicCreation, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let default = parse_group(config, "default", &mut errors);
        let groups = parse_list(config.get("topic.creation.groups"))
            .into_iter()
            .filter(|g| g != "default")
            .map(|g| parse_group(config, &g, &mut errors))
            .collect();
        if errors.is_empty() {
            Ok(TopicCreation { groups, default })
        } else {
            Err(errors)
        }
    }

    /// The group whose settings create `topic`.
    pub fn group_for(&self, topic: &str) -> &TopicCreationGroup {
        self.groups
            .iter()
            .find(|g| g.matches(topic))
            .unwrap_or(&self.default)
    }
}

fn parse_group(
    config: &BTreeMap<String, String>,
    name: &str,
    errors: &mut Vec<(String, String)>,
) -> TopicCreationGroup {
    let prefix = format!("topic.creation.{name}.");
    let mut number = |suffix: &str, what: &str| -> i32 {
        let key = format!("{prefix}{suffix}");
        let Some(raw) = config.get(&key) else {
            return -1;
        };
        match raw.trim().parse::<i32>() {
            Ok(n) if n == -1 || n >= 1 => n,
            _ => {
                errors.push((
                    key.clone(),
                    format!("Invalid value {raw} for configuration {key}: {what} must be positive, or -1 to use the broker's default"),
                ));
                -1
            }
        }
    };
    let partitions = number("partitions", "Number of partitions");
    let replication_factor = number("replication.factor", "Replication factor");
    let mut patterns = |suffix: &str| -> Vec<Regex> {
        let key = format!("{prefix}{suffix}");
        parse_list(config.get(&key))
            .into_iter()
            .filter_map(|p| match Regex::new(&format!("^(?:{p})$")) {
                Ok(r) => Some(r),
                Err(e) => {
                    errors.push((
                        key.clone(),
                        format!("Invalid value {p} for configuration {key}: {e}"),
                    ));
                    None
                }
            })
            .collect()
    };
    let include = patterns("include");
    let exclude = patterns("exclude");
    let topic_configs = config
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|rest| (rest, v)))
        .filter(|(rest, _)| !GROUP_KEYS.contains(rest))
        .map(|(rest, v)| (rest.to_string(), v.trim().to_string()))
        .collect();
    TopicCreationGroup {
        name: name.to_string(),
        include,
        exclude,
        partitions,
        replication_factor,
        topic_configs,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn first_matching_group_wins_else_default() {
        let c = config(&[
            ("topic.creation.groups", "compacted, big"),
            ("topic.creation.default.partitions", "1"),
            ("topic.creation.default.replication.factor", "1"),
            (
                "topic.creation.compacted.include",
                "state\\..*, .*-changelog",
            ),
            ("topic.creation.compacted.exclude", "state\\.tmp"),
            ("topic.creation.compacted.cleanup.policy", "compact"),
            ("topic.creation.big.include", ".*"),
            ("topic.creation.big.partitions", "12"),
        ]);
        let tc = TopicCreation::parse(&c).unwrap();
        let g = tc.group_for("state.users");
        assert_eq!(g.name, "compacted");
        assert_eq!(
            g.topic_configs,
            vec![("cleanup.policy".to_string(), "compact".to_string())]
        );
        assert_eq!((g.partitions, g.replication_factor), (-1, -1));
        assert_eq!(tc.group_for("orders-changelog").name, "compacted");
        assert_eq!(
            tc.group_for("state.tmp").name,
            "big",
            "excluded from compacted"
        );
        assert_eq!(tc.group_for("anything").partitions, 12);
        let only_default =
            TopicCreation::parse(&config(&[("topic.creation.default.partitions", "3")])).unwrap();
        assert_eq!(only_default.group_for("x").name, "default");
        assert_eq!(only_default.group_for("x").partitions, 3);
        assert!(only_default.group_for("x").topic_configs.is_empty());
    }

    #[test]
    fn bad_numbers_and_patterns_are_errors_on_their_keys() {
        let c = config(&[
            ("topic.creation.groups", "g"),
            ("topic.creation.default.partitions", "0"),
            ("topic.creation.default.replication.factor", "x"),
            ("topic.creation.g.include", "(unclosed"),
        ]);
        let errors = TopicCreation::parse(&c).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "topic.creation.default.partitions",
                "topic.creation.default.replication.factor",
                "topic.creation.g.include"
            ]
        );
        assert!(
            errors[0]
                .1
                .contains("Number of partitions must be positive, or -1"),
            "{errors:?}"
        );
    }
}
