//! `RegexRouter`: Kafka's `org.apache.kafka.connect.transforms.RegexRouter`. When the whole topic
//! matches `regex` (Java's `Matcher.matches`), the topic becomes the result of replacing the first
//! match of `regex` in it (Java's `Matcher.replaceFirst`) with `replacement`, which uses Java's `$1`
//! / `${name}` group references.
//!
//! Not as in Kafka: the regular expression is compiled by the `regex` crate, which has no
//! look-around or back-references (such patterns are rejected as invalid); a replacement naming a
//! group the regex does not have is rejected at configuration instead of failing matching records.

use regex::Regex;
use wasm_connect_sdk::prelude::*;

/// The transform.
pub struct RegexRouter {
    /// `regex`, anchored at both ends: decides whether the whole topic matches.
    whole: Regex,
    /// `regex` as written: its first match in the topic is replaced.
    regex: Regex,
    /// `replacement`, in the `regex` crate's syntax.
    replacement: String,
}

impl RegexRouter {
    /// The new topic for `topic`, or `None` when `topic` does not match as a whole.
    pub fn route(&self, topic: &str) -> Option<String> {
        self.whole.is_match(topic).then(|| {
            self.regex
                .replacen(topic, 1, self.replacement.as_str())
                .into_owned()
        })
    }
}

/// Convert a Java `Matcher.appendReplacement` string for `regex` to the `regex` crate's syntax,
/// with Java's rules and messages: `$n` becomes `${n}` (taking more digits only while that group
/// exists), `${name}` must name a group of `regex`, `\x` is the literal `x`, and a literal `$`
/// becomes `$$`. Java reports these errors when a topic matches; here they reject the config.
pub fn java_replacement_to_rust(replacement: &str, regex: &Regex) -> Result<String> {
    let group_count = regex.captures_len() - 1;
    let mut out = String::with_capacity(replacement.len() + 8);
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => return Err(PluginError::new("character to be escaped is missing")),
            },
            '$' => match chars.next() {
                None => {
                    return Err(PluginError::new(
                        "Illegal group reference: group index is missing",
                    ));
                }
                Some('{') => {
                    let mut name = String::new();
                    while let Some(&c) = chars.peek().filter(|c| c.is_ascii_alphanumeric()) {
                        name.push(c);
                        chars.next();
                    }
                    if name.is_empty() {
                        return Err(PluginError::new("named capturing group has 0 length name"));
                    }
                    if chars.next() != Some('}') {
                        return Err(PluginError::new(
                            "named capturing group is missing trailing '}'",
                        ));
                    }
                    if name.starts_with(|c: char| c.is_ascii_digit()) {
                        return Err(PluginError::new(format!(
                            "capturing group name {{{name}}} starts with digit character"
                        )));
                    }
                    if !regex.capture_names().any(|n| n == Some(name.as_str())) {
                        return Err(PluginError::new(format!("No group with name {{{name}}}")));
                    }
                    out.push_str(&format!("${{{name}}}"));
                }
                Some(d) if d.is_ascii_digit() => {
                    let mut group = d as usize - '0' as usize;
                    while let Some(next) = chars
                        .peek()
                        .and_then(|d| d.to_digit(10))
                        .map(|d| group * 10 + d as usize)
                        .filter(|&next| next <= group_count)
                    {
                        group = next;
                        chars.next();
                    }
                    if group > group_count {
                        return Err(PluginError::new(format!("No group {group}")));
                    }
                    out.push_str(&format!("${{{group}}}"));
                }
                Some(_) => return Err(PluginError::new("Illegal group reference")),
            },
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Compile a Java regular expression with Kafka's `RegexValidator` message on failure.
pub fn compile(key: &str, pattern: &str) -> Result<Regex> {
    Regex::new(pattern).map_err(|e| {
        PluginError::new(format!(
            "Invalid value {pattern} for configuration {key}: Invalid regex: {e}"
        ))
    })
}

impl Plugin for RegexRouter {
    fn info() -> PluginInfo {
        PluginInfo::new("RegexRouter")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.RegexRouter")
            .description(
                "Update the record topic using the configured regular expression and replacement string.\
                 <p/>Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. \
                 If the pattern matches the input topic, <code>java.util.regex.Matcher#replaceFirst()</code> \
                 is used with the replacement string to obtain the new topic.",
            )
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
        // Kafka trims STRING values.
        let pattern = config.string("regex")?.trim().to_owned();
        let regex = compile("regex", &pattern)?;
        let whole = compile("regex", &format!("^(?:{pattern})$"))?;
        let raw = config.string("replacement")?.trim().to_owned();
        let replacement = java_replacement_to_rust(&raw, &regex).map_err(|e| {
            PluginError::new(format!(
                "Invalid value {raw} for configuration replacement: {}",
                e.message
            ))
        })?;
        Ok(RegexRouter {
            whole,
            regex,
            replacement,
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        if let Some(topic) = self.route(&record.topic) {
            wasm_connect_sdk::trace!(
                "Rerouting from topic '{}' to new topic '{}'",
                record.topic,
                topic
            );
            record.topic = topic;
        }
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(RegexRouter);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// RegexRouterTest's `apply(regex, replacement, topic)`: the routed topic of a record.
    fn apply(regex: &str, replacement: &str, topic: &str) -> String {
        let config = Config::new()
            .with("regex", regex)
            .with("replacement", replacement);
        let mut router = RegexRouter::configure(config).unwrap();
        let record = ConnectRecord {
            topic: topic.into(),
            kafka_partition: Some(0),
            ..Default::default()
        };
        router.apply(record).unwrap().unwrap().topic
    }

    fn config_error(regex: &str, replacement: &str) -> String {
        let config = Config::new()
            .with("regex", regex)
            .with("replacement", replacement);
        match RegexRouter::configure(config) {
            Ok(_) => panic!("{regex} / {replacement} accepted"),
            Err(e) => e.message,
        }
    }

    // RegexRouterTest.staticReplacement
    #[test]
    fn static_replacement() {
        assert_eq!(apply("foo", "bar", "foo"), "bar");
    }

    // RegexRouterTest.doesntMatch
    #[test]
    fn doesnt_match() {
        assert_eq!(apply("foo", "bar", "orig"), "orig");
    }

    // RegexRouterTest.identity
    #[test]
    fn identity() {
        assert_eq!(apply("(.*)", "$1", "orig"), "orig");
    }

    // RegexRouterTest.addPrefix
    #[test]
    fn add_prefix() {
        assert_eq!(apply("(.*)", "prefix-$1", "orig"), "prefix-orig");
    }

    // RegexRouterTest.addSuffix
    #[test]
    fn add_suffix() {
        assert_eq!(apply("(.*)", "$1-suffix", "orig"), "orig-suffix");
    }

    // RegexRouterTest.slice
    #[test]
    fn slice() {
        assert_eq!(
            apply("(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)", "$1", "index-20160117"),
            "index"
        );
    }

    #[test]
    fn only_whole_topic_matches_are_routed() {
        // Java's Matcher.matches(): a match inside the topic is not enough.
        assert_eq!(apply("a", "b", "ab"), "ab");
        assert_eq!(apply("(.*)-(\\d+)", "$1_v$2", "orders-42"), "orders_v42");
    }

    #[test]
    fn replaces_the_first_match_like_java_replace_first() {
        // matches() accepts "ab" as a whole, but replaceFirst() replaces the first match, "a".
        assert_eq!(apply("a|ab", "X", "ab"), "Xb");
        // Empty-matching regex: the first (empty) match at the start is replaced.
        assert_eq!(apply("x*", "-", ""), "-");
    }

    #[test]
    fn converts_java_replacements() {
        let re = |p: &str| Regex::new(p).unwrap();
        let convert = |r: &str, p: &str| java_replacement_to_rust(r, &re(p));
        assert_eq!(convert("$1", "(a)").unwrap(), "${1}");
        assert_eq!(convert("x_$1_$2y", "(a)(b)").unwrap(), "x_${1}_${2}y");
        // More digits only while the group exists.
        assert_eq!(convert("$12", "(a)").unwrap(), "${1}2");
        assert_eq!(
            convert("$12", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)").unwrap(),
            "${12}"
        );
        assert_eq!(convert("\\$1", "(a)").unwrap(), "$$1");
        assert_eq!(convert("\\\\", "(a)").unwrap(), "\\");
        assert_eq!(convert("${name}", "(?P<name>a)").unwrap(), "${name}");
        assert_eq!(convert("$2", "(a)").unwrap_err().message, "No group 2");
        assert_eq!(
            convert("${nope}", "(?P<name>a)").unwrap_err().message,
            "No group with name {nope}"
        );
        assert_eq!(
            convert("$x", "(a)").unwrap_err().message,
            "Illegal group reference"
        );
        assert_eq!(
            convert("a$", "(a)").unwrap_err().message,
            "Illegal group reference: group index is missing"
        );
        assert_eq!(
            convert("a\\", "(a)").unwrap_err().message,
            "character to be escaped is missing"
        );
    }

    #[test]
    fn rejects_invalid_configuration() {
        let message = config_error("(", "x");
        assert!(
            message.starts_with("Invalid value ( for configuration regex: Invalid regex: "),
            "{message}"
        );
        assert_eq!(
            config_error("(.*)", "$2"),
            "Invalid value $2 for configuration replacement: No group 2"
        );
        assert_eq!(
            RegexRouter::configure(Config::new().with("regex", "a"))
                .err()
                .unwrap()
                .message,
            "Missing required configuration \"replacement\" which has no default value."
        );
        assert!(RegexRouter::config_def().iter().all(ConfigKey::is_required));
    }
}
