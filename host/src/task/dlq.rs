//! The sink dead letter queue (Kafka's `DeadLetterQueueReporter`): a record that failed with
//! `errors.tolerance=all` is produced, with its original key, value and headers, to
//! `errors.deadletterqueue.topic.name`, optionally with `__connect.errors.*` context headers.
//! Each report waits for the broker's acknowledgement, so the consumer offset of a failed record
//! is committed only after it is safely in the DLQ.

use std::time::Duration;

use rdkafka::Message;
use rdkafka::message::{Header, Headers, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use super::{RecordError, TaskSetup};
use crate::config::connector::DeadLetterQueueConfig;
use crate::kafka::client_config;

/// How long a DLQ report may wait for the broker before the task fails.
const REPORT_TIMEOUT: Duration = Duration::from_secs(30);

/// Kafka's `__connect.errors.*` header names.
const HEADER_PREFIX: &str = "__connect.errors.";

/// Produces failed records to the dead letter queue topic.
pub(crate) struct DeadLetterQueue {
    config: DeadLetterQueueConfig,
    producer: BaseProducer,
    connector: String,
    task_id: u32,
}

impl DeadLetterQueue {
    /// A reporter for `setup`'s connector; creates the topic (1 partition) if it is missing.
    pub(crate) fn new(
        setup: &TaskSetup,
        config: DeadLetterQueueConfig,
    ) -> Result<DeadLetterQueue, String> {
        let raw = &setup.connector_config.raw;
        let admin = setup.worker.client_settings("admin", raw);
        if let Err(e) = setup.tokio.block_on(crate::kafka::ensure_topic(
            &admin,
            &config.topic,
            1,
            config.replication_factor,
            &[],
        )) {
            tracing::warn!("dead letter queue topic: {e}; relying on the broker to create it");
        }
        let mut settings = setup.worker.client_settings("producer", raw);
        settings
            .entry("client.id".into())
            .or_insert_with(|| format!("connector-dlq-producer-{}", setup.task_name()));
        let producer: BaseProducer = client_config(&settings)
            .create()
            .map_err(|e| format!("cannot create the dead letter queue producer: {e}"))?;
        Ok(DeadLetterQueue {
            config,
            producer,
            connector: setup.connector.clone(),
            task_id: setup.task_id,
        })
    }

    /// Produce `message` (as it was read) to the DLQ and wait for the acknowledgement.
    pub(crate) fn report<M: Message>(
        &self,
        message: &M,
        error: &RecordError,
    ) -> Result<(), String> {
        let mut headers = OwnedHeaders::new();
        if let Some(original) = message.headers() {
            for header in original.iter() {
                headers = headers.insert(Header {
                    key: header.key,
                    value: header.value,
                });
            }
        }
        if self.config.context_headers {
            for (name, value) in context_headers(message, error, &self.connector, self.task_id) {
                let key = format!("{HEADER_PREFIX}{name}");
                headers = headers.insert(Header {
                    key: &key,
                    value: Some(value.as_bytes()),
                });
            }
        }
        let mut record: BaseRecord<'_, [u8], [u8]> =
            BaseRecord::to(&self.config.topic).headers(headers);
        if let Some(key) = message.key() {
            record = record.key(key);
        }
        if let Some(payload) = message.payload() {
            record = record.payload(payload);
        }
        self.producer.send(record).map_err(|(e, _)| {
            format!(
                "cannot send a record to the dead letter queue {}: {e}",
                self.config.topic
            )
        })?;
        self.producer.flush(REPORT_TIMEOUT).map_err(|e| {
            format!(
                "the dead letter queue {} did not acknowledge a record: {e}",
                self.config.topic
            )
        })?;
        tracing::debug!(topic = %self.config.topic, "sent a failed record to the dead letter queue");
        Ok(())
    }
}

/// The context headers Kafka's `DeadLetterQueueReporter.populateContextHeaders` adds, as UTF-8.
fn context_headers<M: Message>(
    message: &M,
    error: &RecordError,
    connector: &str,
    task_id: u32,
) -> Vec<(&'static str, String)> {
    // Converters are host code; anything else failed inside a plugin.
    let exception = if error.stage.ends_with("_CONVERTER") {
        "org.apache.kafka.connect.errors.DataException"
    } else {
        "org.apache.kafka.connect.errors.ConnectException"
    };
    vec![
        ("topic", message.topic().to_string()),
        ("partition", message.partition().to_string()),
        ("offset", message.offset().to_string()),
        ("connector.name", connector.to_string()),
        ("task.id", task_id.to_string()),
        ("stage", error.stage.to_string()),
        ("class.name", error.plugin.clone()),
        ("exception.class.name", exception.to_string()),
        ("exception.message", error.message.clone()),
        (
            "exception.stacktrace",
            format!("{exception}: {}", error.message),
        ),
    ]
}
