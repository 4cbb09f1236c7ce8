//! `RegexRouter`: Kafka's `org.apache.kafka.connect.transforms.RegexRouter`. Renames the topic when
//! the whole topic matches `regex`, using `replacement` with Java-style `$1` group references.

use regex::Regex;
use wasm_connect_sdk::prelude::*;

/// The transform.
pub struct RegexRouter {
    regex: Regex,
    replacement: String,
}

/// Convert a Java `Matcher.appendReplacement` string to the `regex` crate's syntax: `$n` becomes
/// `${n}` (taking more digits only while the group exists, as Java does), `${name}` stays,
/// `\x` is the literal `x`, and a literal `$` becomes `$$`.
pub fn java_replacement_to_rust(replacement: &str, group_count: usize) -> Result<String> {
    let mut out = String::with_capacity(replacement.len() + 8);
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => {
                    return Err(PluginError::new(
                        "character to be escaped is missing in replacement",
                    ));
                }
            },
            '$' => match chars.peek() {
                Some('{') => {
                    out.push('$');
                    for c in chars.by_ref() {
                        out.push(c);
                        if c == '}' {
                            break;
                        }
                    }
                }
                Some(d) if d.is_ascii_digit() => {
                    let mut group = 0usize;
                    let mut first = true;
                    while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                        let next = group * 10 + d as usize;
                        if !first && next > group_count {
                            break;
                        }
                        group = next;
                        first = false;
                        chars.next();
                    }
                    if group > group_count {
                        return Err(PluginError::new(format!("No group {group} in regex")));
                    }
                    out.push_str(&format!("${{{group}}}"));
                }
                _ => return Err(PluginError::new("Illegal group reference in replacement")),
            },
            other => out.push(other),
        }
    }
    Ok(out)
}

impl Plugin for RegexRouter {
    fn info() -> PluginInfo {
        PluginInfo::new("RegexRouter")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.RegexRouter")
            .description("Update the record topic using the configured regular expression and replacement string.")
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string("regex")
                .validator(Validator::Regex)
                .importance(Importance::High)
                .doc("Regular expression to use for matching."),
            ConfigKey::string("replacement")
                .importance(Importance::High)
                .doc("Replacement string."),
        ]
    }
}

impl Transform for RegexRouter {
    fn configure(config: Config) -> Result<Self> {
        let pattern = config.string("regex")?;
        let regex = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
            PluginError::new(format!(
                "Invalid value {pattern} for configuration regex: {e}"
            ))
        })?;
        let replacement = config.string("replacement")?;
        let replacement = java_replacement_to_rust(&replacement, regex.captures_len() - 1)
            .map_err(|e| e.context("Invalid value for configuration replacement"))?;
        Ok(RegexRouter { regex, replacement })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        if self.regex.is_match(&record.topic) {
            record.topic = self
                .regex
                .replace(&record.topic, self.replacement.as_str())
                .into_owned();
        }
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(RegexRouter);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn converts_java_replacements() {
        assert_eq!(java_replacement_to_rust("$1", 1).unwrap(), "${1}");
        assert_eq!(
            java_replacement_to_rust("x_$1_$2y", 2).unwrap(),
            "x_${1}_${2}y"
        );
        assert_eq!(java_replacement_to_rust("$12", 1).unwrap(), "${1}2");
        assert_eq!(java_replacement_to_rust("$12", 12).unwrap(), "${12}");
        assert_eq!(java_replacement_to_rust("\\$1", 1).unwrap(), "$$1");
        assert_eq!(java_replacement_to_rust("${name}", 1).unwrap(), "${name}");
        assert!(java_replacement_to_rust("$2", 1).is_err());
        assert!(java_replacement_to_rust("$x", 1).is_err());
    }

    #[test]
    fn routes_whole_matches_only() {
        let config = Config::new()
            .with("regex", "(.*)-(\\d+)")
            .with("replacement", "$1_v$2");
        let mut router = RegexRouter::configure(config).unwrap();
        let record = |t: &str| ConnectRecord {
            topic: t.into(),
            ..Default::default()
        };
        assert_eq!(
            router.apply(record("orders-42")).unwrap().unwrap().topic,
            "orders_v42"
        );
        assert_eq!(
            router.apply(record("orders")).unwrap().unwrap().topic,
            "orders"
        );
        let config = Config::new().with("regex", "a").with("replacement", "b");
        let mut router = RegexRouter::configure(config).unwrap();
        assert_eq!(router.apply(record("ab")).unwrap().unwrap().topic, "ab");
        assert!(
            RegexRouter::configure(Config::new().with("regex", "(").with("replacement", ""))
                .is_err()
        );
    }
}
