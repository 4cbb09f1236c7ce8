//! Kafka clients, through the Kafka protocol only (librdkafka), so the same code runs against
//! Apache Kafka, Redpanda and the embedded broker.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::RDKafkaErrorCode;

/// Errors talking to Kafka.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    /// A client could not be created.
    #[error("cannot create Kafka {kind} client: {source}")]
    Client {
        /// producer, consumer or admin.
        kind: &'static str,
        /// Why.
        source: rdkafka::error::KafkaError,
    },
    /// A metadata request failed.
    #[error("cannot read metadata from {bootstrap}: {source}")]
    Metadata {
        /// Bootstrap servers.
        bootstrap: String,
        /// Why.
        source: rdkafka::error::KafkaError,
    },
    /// Creating a topic failed.
    #[error("cannot create topic {topic}: {message}")]
    CreateTopic {
        /// The topic.
        topic: String,
        /// Why.
        message: String,
    },
}

/// A librdkafka configuration from string settings.
pub fn client_config(settings: &BTreeMap<String, String>) -> ClientConfig {
    let mut config = ClientConfig::new();
    for (k, v) in settings {
        config.set(k, v);
    }
    config
}

/// A metadata-only client for `settings` and the cluster metadata it fetched.
fn fetch_metadata(
    settings: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<(BaseConsumer, rdkafka::metadata::Metadata), KafkaError> {
    let consumer: BaseConsumer =
        client_config(settings)
            .create()
            .map_err(|source| KafkaError::Client {
                kind: "consumer",
                source,
            })?;
    let metadata =
        consumer
            .fetch_metadata(None, timeout)
            .map_err(|source| KafkaError::Metadata {
                bootstrap: settings
                    .get("bootstrap.servers")
                    .cloned()
                    .unwrap_or_default(),
                source,
            })?;
    Ok((consumer, metadata))
}

/// Topics and their partition counts, for the topics that exist (or those matching `regex`).
pub fn partition_counts(
    settings: &BTreeMap<String, String>,
    topics: &[String],
    regex: Option<&regex::Regex>,
    timeout: Duration,
) -> Result<BTreeMap<String, usize>, KafkaError> {
    let (_, metadata) = fetch_metadata(settings, timeout)?;
    Ok(metadata
        .topics()
        .iter()
        .filter(|t| t.error().is_none())
        .filter(|t| {
            topics.iter().any(|n| n == t.name()) || regex.is_some_and(|r| r.is_match(t.name()))
        })
        .map(|t| (t.name().to_string(), t.partitions().len()))
        .collect())
}

/// The cluster id from broker metadata, if the broker reports one.
pub fn cluster_id(
    settings: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<Option<String>, KafkaError> {
    let (consumer, _) = fetch_metadata(settings, timeout)?;
    Ok(consumer.client().fetch_cluster_id(timeout))
}

/// Create `topic` unless it exists (partitions and replication factor -1 mean broker defaults).
pub async fn ensure_topic(
    settings: &BTreeMap<String, String>,
    topic: &str,
    partitions: i32,
    replication: i32,
    configs: &[(&str, &str)],
) -> Result<(), KafkaError> {
    let admin: AdminClient<DefaultClientContext> =
        client_config(settings)
            .create()
            .map_err(|source| KafkaError::Client {
                kind: "admin",
                source,
            })?;
    let mut new_topic = NewTopic::new(topic, partitions, TopicReplication::Fixed(replication));
    for (k, v) in configs {
        new_topic = new_topic.set(k, v);
    }
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = admin
        .create_topics([&new_topic], &options)
        .await
        .map_err(|e| KafkaError::CreateTopic {
            topic: topic.to_string(),
            message: e.to_string(),
        })?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => {
                return Err(KafkaError::CreateTopic {
                    topic: name,
                    message: code.to_string(),
                });
            }
        }
    }
    Ok(())
}
