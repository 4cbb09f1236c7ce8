//! Whether every topic a `topics.regex` can match lies inside a tenant's prefixes.
//!
//! Kafka matches `topics.regex` against whole topic names. We ask `regex-syntax` for the literal
//! prefixes of every match: when the set is finite and each literal starts with an allowed prefix
//! (or, for an exact literal, is an allowed topic), no topic outside the prefixes can match.
//! Otherwise the regex is refused; the task also checks every record's topic at run time.

use regex_syntax::hir::literal::{ExtractKind, Extractor};

use super::Tenant;

/// `Ok` when every topic `regex` can match starts with one of the tenant's prefixes.
pub fn regex_stays_inside(tenant: &Tenant, regex: &str) -> Result<(), String> {
    let refuse = || {
        format!(
            "topics.regex '{regex}' may match topics outside the topic prefixes of tenant {} ({}); start it with one of them literally, e.g. '{}.*'",
            tenant.name,
            tenant.prefix_list(),
            tenant
                .topic_prefixes
                .first()
                .map_or_else(String::new, |p| regex_syntax::escape(p))
        )
    };
    let hir = regex_syntax::Parser::new()
        .parse(regex)
        .map_err(|e| format!("topics.regex '{regex}' is not a valid regex: {e}"))?;
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let seq = extractor.extract(&hir);
    let Some(literals) = seq.literals() else {
        return Err(refuse());
    };
    for literal in literals {
        let Ok(text) = std::str::from_utf8(literal.as_bytes()) else {
            return Err(refuse());
        };
        if !tenant.allows_topic(text) {
            return Err(refuse());
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        Tenant {
            name: "a".into(),
            topic_prefixes: vec!["a.".into(), "team-a-".into()],
            ..Tenant::default()
        }
    }

    #[test]
    fn regexes_with_an_allowed_literal_prefix_pass() {
        for ok in [
            r"a\..*",
            r"a\.orders|team-a-.+",
            r"a\.(x|y)\d+",
            r"team-a-[a-z]+",
            r"a\.exact",
        ] {
            assert!(regex_stays_inside(&tenant(), ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn regexes_that_could_reach_other_topics_are_refused() {
        for bad in [
            ".*",
            "a.*", // '.' is any character: 'ab' matches
            r"b\..*",
            r"a\..*|.*",
            r"(?i)A\..*", // case-insensitive: 'A.x' is not inside 'a.'
            r"\w+",
            r"team-.*",
        ] {
            let e = regex_stays_inside(&tenant(), bad).unwrap_err();
            assert!(e.contains("outside the topic prefixes"), "{bad}: {e}");
        }
        assert!(
            regex_stays_inside(&tenant(), "(")
                .unwrap_err()
                .contains("not a valid regex")
        );
    }
}
