//! `connector.client.config.override.policy`: which `producer.override.*`, `consumer.override.*`
//! and `admin.override.*` settings a connector may set (Kafka's
//! `ConnectorClientConfigOverridePolicy`: `All`, `None`, `Principal`).

use std::collections::BTreeMap;

/// The client prefixes a connector config can override.
pub const OVERRIDE_PREFIXES: &[&str] = &[
    "producer.override.",
    "consumer.override.",
    "admin.override.",
];

/// Keys the `Principal` policy lets a connector override (Kafka's
/// `PrincipalConnectorClientConfigOverridePolicy`).
const PRINCIPAL_KEYS: &[&str] = &["sasl.jaas.config", "sasl.mechanism", "security.protocol"];

/// The worker's policy for connector client overrides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientOverridePolicy {
    /// Any client setting may be overridden (Kafka's default since 3.0).
    #[default]
    All,
    /// No client setting may be overridden.
    None,
    /// Only the client's principal: `sasl.jaas.config`, `sasl.mechanism`, `security.protocol`.
    Principal,
}

impl ClientOverridePolicy {
    /// Parse a policy name: `All`, `None`, `Principal`, or Kafka's class names for them.
    pub fn parse(name: &str) -> Option<ClientOverridePolicy> {
        let name = name.trim();
        let short = name
            .strip_prefix("org.apache.kafka.connect.connector.policy.")
            .and_then(|c| c.strip_suffix("ConnectorClientConfigOverridePolicy"))
            .unwrap_or(name);
        match short {
            "All" => Some(ClientOverridePolicy::All),
            "None" => Some(ClientOverridePolicy::None),
            "Principal" => Some(ClientOverridePolicy::Principal),
            _ => None,
        }
    }

    /// The policy's name, as Kafka's messages print it.
    pub fn name(self) -> &'static str {
        match self {
            ClientOverridePolicy::All => "All",
            ClientOverridePolicy::None => "None",
            ClientOverridePolicy::Principal => "Principal",
        }
    }

    fn allows(self, client_key: &str) -> bool {
        match self {
            ClientOverridePolicy::All => true,
            ClientOverridePolicy::None => false,
            ClientOverridePolicy::Principal => PRINCIPAL_KEYS.contains(&client_key),
        }
    }

    /// An error for every override in `config` the policy forbids, on the override's key.
    pub fn check(self, config: &BTreeMap<String, String>) -> Vec<(String, String)> {
        config
            .keys()
            .filter_map(|key| {
                let client_key = OVERRIDE_PREFIXES
                    .iter()
                    .find_map(|prefix| key.strip_prefix(prefix))?;
                (!self.allows(client_key)).then(|| {
                    (
                        key.clone(),
                        format!(
                            "The '{}' policy does not allow '{client_key}' to be overridden in the connector configuration.",
                            self.name()
                        ),
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(keys: &[&str]) -> BTreeMap<String, String> {
        keys.iter()
            .map(|k| (k.to_string(), "x".to_string()))
            .collect()
    }

    #[test]
    fn policies_allow_what_kafka_allows() {
        let c = config(&[
            "producer.override.linger.ms",
            "consumer.override.security.protocol",
            "admin.override.sasl.jaas.config",
            "topics",
        ]);
        assert!(ClientOverridePolicy::All.check(&c).is_empty());
        let none = ClientOverridePolicy::None.check(&c);
        assert_eq!(none.len(), 3);
        assert_eq!(
            none[0],
            (
                "admin.override.sasl.jaas.config".to_string(),
                "The 'None' policy does not allow 'sasl.jaas.config' to be overridden in the connector configuration.".to_string()
            )
        );
        let principal = ClientOverridePolicy::Principal.check(&c);
        assert_eq!(principal.len(), 1);
        assert_eq!(principal[0].0, "producer.override.linger.ms");
    }

    #[test]
    fn names_and_class_names_parse() {
        assert_eq!(
            ClientOverridePolicy::parse("None"),
            Some(ClientOverridePolicy::None)
        );
        assert_eq!(
            ClientOverridePolicy::parse(
                "org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy"
            ),
            Some(ClientOverridePolicy::Principal)
        );
        assert_eq!(ClientOverridePolicy::parse("Some"), None);
    }
}
