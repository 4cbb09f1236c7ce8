//! `GET`, `PATCH` and `DELETE /connectors/{c}/offsets`: source offsets from the worker's offset
//! store, sink offsets from the connector's consumer group (`connect-<name>`), in Kafka Connect's
//! JSON shape. Both herders call these after checking that the connector is STOPPED.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use wasm_connect_data::{OffsetMap, offset_map_from_json, offset_map_to_json};

use std::sync::Arc;

use super::{ConfigMap, HerderError, TargetState, WorkerContext};
use crate::runtime::ComponentKind;

/// How long a Kafka call for offsets may take.
const KAFKA_TIMEOUT: Duration = Duration::from_secs(15);

/// Kafka's answer to an offset change of a source connector (whose plugin cannot say whether it
/// also keeps offsets elsewhere).
const SOURCE_ALTERED: &str = "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.";
const SOURCE_RESET: &str = "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses.";
const SINK_ALTERED: &str = "The offsets for this connector have been altered successfully";
const SINK_RESET: &str = "The offsets for this connector have been reset successfully";

/// `{"offsets": [{"partition": {…}, "offset": {…}}]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConnectorOffsets {
    /// One entry per source partition (or Kafka topic partition, for sinks).
    pub offsets: Vec<ConnectorOffset>,
}

/// One partition and its offset; `offset: null` in a `PATCH` removes the partition's offset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConnectorOffset {
    /// The source partition, or `{"kafka_topic", "kafka_partition"}` for sinks.
    #[schema(value_type = Object)]
    pub partition: Map<String, Value>,
    /// The offset, or `{"kafka_offset"}` for sinks.
    #[schema(value_type = Option<Object>)]
    pub offset: Option<Map<String, Value>>,
}

/// The consumer group of a sink connector's tasks.
pub fn sink_group_id(connector: &str) -> String {
    format!("connect-{connector}")
}

fn internal(e: impl std::fmt::Display) -> HerderError {
    HerderError::Internal(e.to_string())
}

/// `GET /connectors/{c}/offsets` for a connector with this config and plugin kind.
pub(super) async fn read(
    ctx: &Arc<WorkerContext>,
    name: &str,
    config: ConfigMap,
    kind: Option<ComponentKind>,
) -> Result<ConnectorOffsets, HerderError> {
    let ctx = ctx.clone();
    let name = name.to_string();
    tokio::task::spawn_blocking(move || read_blocking(&ctx, &name, &config, kind))
        .await
        .map_err(internal)?
}

/// `PATCH` (`Some`) or `DELETE` (`None`) `/connectors/{c}/offsets`, only when `target` is
/// STOPPED; Kafka's success message.
pub(super) async fn alter(
    ctx: &Arc<WorkerContext>,
    name: &str,
    config: ConfigMap,
    kind: Option<ComponentKind>,
    target: TargetState,
    offsets: Option<ConnectorOffsets>,
) -> Result<String, HerderError> {
    if target != TargetState::Stopped {
        return Err(HerderError::NotStopped(name.to_string()));
    }
    // A tenant's sink may only name its own topics (the answer would tell whether others exist).
    if let (Some(tenant), Some(ComponentKind::Sink), Some(offsets)) =
        (ctx.tenants.policy_for_connector(name), kind, &offsets)
    {
        for offset in &offsets.offsets {
            if let Some(Value::String(topic)) = offset.partition.get("kafka_topic") {
                tenant.check_topic(topic).map_err(HerderError::BadRequest)?;
            }
        }
    }
    let ctx = ctx.clone();
    let name = name.to_string();
    tokio::task::spawn_blocking(move || alter_blocking(&ctx, &name, &config, kind, offsets))
        .await
        .map_err(internal)?
}

/// The connector's offsets (blocking: talks to Kafka for sinks).
fn read_blocking(
    ctx: &WorkerContext,
    name: &str,
    config: &ConfigMap,
    kind: Option<ComponentKind>,
) -> Result<ConnectorOffsets, HerderError> {
    match kind {
        Some(ComponentKind::Sink) => read_sink(ctx, name, config),
        _ => Ok(ConnectorOffsets {
            offsets: ctx
                .offsets
                .connector_offsets(name)
                .into_iter()
                .map(|(partition, offset)| ConnectorOffset {
                    partition: to_object(&partition),
                    offset: Some(to_object(&offset)),
                })
                .collect(),
        }),
    }
}

/// Apply a `PATCH` (`Some`) or `DELETE` (`None`); returns Kafka's success message (blocking).
fn alter_blocking(
    ctx: &WorkerContext,
    name: &str,
    config: &ConfigMap,
    kind: Option<ComponentKind>,
    offsets: Option<ConnectorOffsets>,
) -> Result<String, HerderError> {
    if let Some(o) = &offsets
        && o.offsets.is_empty()
    {
        return Err(HerderError::BadRequest(
            "Partitions to modify cannot be empty".into(),
        ));
    }
    match (kind, offsets) {
        (Some(ComponentKind::Sink), Some(offsets)) => {
            alter_sink(ctx, name, config, &offsets)?;
            Ok(SINK_ALTERED.into())
        }
        (Some(ComponentKind::Sink), None) => {
            reset_sink(ctx, name, config)?;
            Ok(SINK_RESET.into())
        }
        (_, Some(offsets)) => {
            let changes = offsets
                .offsets
                .iter()
                .map(|o| {
                    let partition = from_object(&o.partition, "source partition")?;
                    let offset = o
                        .offset
                        .as_ref()
                        .map(|off| from_object(off, "source offset"))
                        .transpose()?;
                    Ok((partition, offset))
                })
                .collect::<Result<Vec<_>, HerderError>>()?;
            ctx.offsets.alter(name, &changes).map_err(internal)?;
            Ok(SOURCE_ALTERED.into())
        }
        (_, None) => {
            let changes: Vec<(OffsetMap, Option<OffsetMap>)> = ctx
                .offsets
                .connector_offsets(name)
                .into_iter()
                .map(|(partition, _)| (partition, None))
                .collect();
            ctx.offsets.alter(name, &changes).map_err(internal)?;
            Ok(SOURCE_RESET.into())
        }
    }
}

fn to_object(map: &OffsetMap) -> Map<String, Value> {
    match offset_map_to_json(map) {
        Value::Object(object) => object,
        _ => Map::new(),
    }
}

fn from_object(object: &Map<String, Value>, what: &str) -> Result<OffsetMap, HerderError> {
    offset_map_from_json(&Value::Object(object.clone())).ok_or_else(|| {
        HerderError::BadRequest(format!(
            "Invalid {what} {}: values must be strings, numbers, booleans or null",
            Value::Object(object.clone())
        ))
    })
}

fn consumer(ctx: &WorkerContext, name: &str, config: &ConfigMap) -> Result<BaseConsumer, String> {
    let mut client = ClientConfig::new();
    for (k, v) in ctx.config.client_settings("consumer", config) {
        client.set(k, v);
    }
    client
        .set("group.id", sink_group_id(name))
        .set("enable.auto.commit", "false")
        .set("client.id", format!("connector-offsets-{name}"));
    client.create().map_err(|e| e.to_string())
}

/// The Kafka topics a sink connector consumes, as its config names them now.
fn sink_topics(consumer: &BaseConsumer, config: &ConfigMap) -> Result<Vec<String>, HerderError> {
    let listed = crate::config::connector::parse_list(config.get("topics"));
    if !listed.is_empty() {
        return Ok(listed);
    }
    let Some(pattern) = config.get("topics.regex") else {
        return Ok(Vec::new());
    };
    let regex = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(internal)?;
    let metadata = consumer
        .fetch_metadata(None, KAFKA_TIMEOUT)
        .map_err(|e| internal(format!("cannot list topics: {e}")))?;
    Ok(metadata
        .topics()
        .iter()
        .map(|t| t.name().to_string())
        .filter(|t| regex.is_match(t))
        .collect())
}

fn read_sink(
    ctx: &WorkerContext,
    name: &str,
    config: &ConfigMap,
) -> Result<ConnectorOffsets, HerderError> {
    let consumer = consumer(ctx, name, config).map_err(internal)?;
    let mut wanted = TopicPartitionList::new();
    for topic in sink_topics(&consumer, config)? {
        let metadata = consumer
            .fetch_metadata(Some(&topic), KAFKA_TIMEOUT)
            .map_err(|e| internal(format!("cannot read metadata of topic {topic}: {e}")))?;
        for t in metadata.topics() {
            for p in t.partitions() {
                wanted.add_partition(t.name(), p.id());
            }
        }
    }
    if wanted.count() == 0 {
        return Ok(ConnectorOffsets::default());
    }
    let committed = consumer
        .committed_offsets(wanted, KAFKA_TIMEOUT)
        .map_err(|e| {
            internal(format!(
                "cannot read the offsets of group {}: {e}",
                sink_group_id(name)
            ))
        })?;
    let mut offsets = Vec::new();
    for element in committed.elements() {
        if let Offset::Offset(offset) = element.offset() {
            let mut partition = Map::new();
            partition.insert("kafka_topic".into(), element.topic().into());
            partition.insert("kafka_partition".into(), element.partition().into());
            let mut value = Map::new();
            value.insert("kafka_offset".into(), offset.into());
            offsets.push(ConnectorOffset {
                partition,
                offset: Some(value),
            });
        }
    }
    Ok(ConnectorOffsets { offsets })
}

/// A sink partition named in a `PATCH`: `{"kafka_topic": "t", "kafka_partition": 0}`.
fn sink_partition(partition: &Map<String, Value>) -> Result<(String, i32), HerderError> {
    let bad = |message: &str| {
        HerderError::BadRequest(format!(
            "Invalid partition {}: {message}",
            Value::Object(partition.clone())
        ))
    };
    let topic = match partition.get("kafka_topic") {
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        Some(_) => return Err(bad("kafka_topic must be a non-empty string")),
        None => return Err(bad("the key kafka_topic is required")),
    };
    let number = match partition.get("kafka_partition") {
        Some(Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        Some(Value::String(s)) => s.parse::<i32>().ok(),
        Some(_) => None,
        None => return Err(bad("the key kafka_partition is required")),
    };
    match number {
        Some(n) if n >= 0 => Ok((topic, n)),
        _ => Err(bad("kafka_partition must be a non-negative integer")),
    }
}

fn sink_offset(partition: &(String, i32), offset: &Map<String, Value>) -> Result<i64, HerderError> {
    let value = match offset.get("kafka_offset") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse::<i64>().ok(),
        _ => None,
    };
    match value {
        Some(v) if v >= 0 => Ok(v),
        _ => Err(HerderError::BadRequest(format!(
            "Invalid offset for {}-{}: expected {{\"kafka_offset\": <non-negative integer>}}, got {}",
            partition.0,
            partition.1,
            Value::Object(offset.clone())
        ))),
    }
}

fn alter_sink(
    ctx: &WorkerContext,
    name: &str,
    config: &ConfigMap,
    offsets: &ConnectorOffsets,
) -> Result<(), HerderError> {
    let mut list = TopicPartitionList::new();
    for entry in &offsets.offsets {
        let partition = sink_partition(&entry.partition)?;
        let Some(offset) = &entry.offset else {
            return Err(HerderError::BadRequest(format!(
                "Removing the offset of one partition ({}-{}) is not supported: the broker protocol \
                 call it needs (OffsetDelete) is not available; reset every partition with \
                 DELETE /connectors/{name}/offsets, or set an offset",
                partition.0, partition.1
            )));
        };
        let offset = sink_offset(&partition, offset)?;
        list.add_partition_offset(&partition.0, partition.1, Offset::Offset(offset))
            .map_err(internal)?;
    }
    let consumer = consumer(ctx, name, config).map_err(internal)?;
    consumer.commit(&list, CommitMode::Sync).map_err(|e| {
        internal(format!(
            "cannot commit offsets for group {}: {e}",
            sink_group_id(name)
        ))
    })
}

fn reset_sink(ctx: &WorkerContext, name: &str, config: &ConfigMap) -> Result<(), HerderError> {
    let mut client = ClientConfig::new();
    let settings: BTreeMap<String, String> = ctx.config.client_settings("admin", config);
    for (k, v) in settings {
        client.set(k, v);
    }
    let admin: AdminClient<DefaultClientContext> = client.create().map_err(internal)?;
    let group = sink_group_id(name);
    let options = AdminOptions::new().request_timeout(Some(KAFKA_TIMEOUT));
    let results = ctx
        .tokio
        .block_on(admin.delete_groups(&[group.as_str()], &options))
        .map_err(|e| internal(format!("cannot delete group {group}: {e}")))?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::GroupIdNotFound)) => {}
            Err((_, code)) => {
                return Err(internal(format!("cannot delete group {group}: {code}")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn sink_partitions_and_offsets_are_checked() {
        assert_eq!(
            sink_partition(&object(
                serde_json::json!({"kafka_topic": "t", "kafka_partition": 2})
            ))
            .unwrap(),
            ("t".to_string(), 2)
        );
        for bad in [
            serde_json::json!({"kafka_partition": 2}),
            serde_json::json!({"kafka_topic": "t"}),
            serde_json::json!({"kafka_topic": 5, "kafka_partition": 0}),
            serde_json::json!({"kafka_topic": "t", "kafka_partition": -1}),
        ] {
            let e = sink_partition(&object(bad.clone())).unwrap_err();
            assert!(matches!(e, HerderError::BadRequest(_)), "{bad}: {e}");
        }
        let p = ("t".to_string(), 0);
        assert_eq!(
            sink_offset(&p, &object(serde_json::json!({"kafka_offset": 7}))).unwrap(),
            7
        );
        let e = sink_offset(&p, &object(serde_json::json!({"offset": 7}))).unwrap_err();
        assert!(e.to_string().contains("kafka_offset"), "{e}");
    }

    #[test]
    fn offsets_round_trip_kafka_json() {
        let body = serde_json::json!({"offsets": [
            {"partition": {"filename": "/in"}, "offset": {"position": 42}},
            {"partition": {"filename": "/other"}, "offset": null}
        ]});
        let parsed: ConnectorOffsets = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(parsed.offsets.len(), 2);
        assert_eq!(parsed.offsets[1].offset, None);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
        let partition = from_object(&parsed.offsets[0].partition, "source partition").unwrap();
        assert_eq!(to_object(&partition), parsed.offsets[0].partition);
        let e = from_object(
            &object(serde_json::json!({"nested": {"a": 1}})),
            "source offset",
        )
        .unwrap_err();
        assert!(e.to_string().contains("Invalid source offset"), "{e}");
    }
}
