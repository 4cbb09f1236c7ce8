//! Records as Kafka Connect passes them between connectors, transforms and converters.

use std::sync::Arc;

use crate::{Schema, Value};

/// A key, value or header: an optional schema and a value.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SchemaAndValue {
    /// Absent for schemaless data.
    pub schema: Option<Arc<Schema>>,
    /// The value.
    pub value: Value,
}

impl SchemaAndValue {
    /// Data with a schema.
    pub fn new(schema: Schema, value: impl Into<Value>) -> SchemaAndValue {
        SchemaAndValue {
            schema: Some(Arc::new(schema)),
            value: value.into(),
        }
    }

    /// Schemaless data.
    pub fn schemaless(value: impl Into<Value>) -> SchemaAndValue {
        SchemaAndValue {
            schema: None,
            value: value.into(),
        }
    }

    /// Null with no schema.
    pub fn null() -> SchemaAndValue {
        SchemaAndValue::default()
    }
}

/// A record header.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Header name.
    pub key: String,
    /// Header value.
    pub value: SchemaAndValue,
}

/// Kafka Connect's `ConnectRecord`: what transforms, predicates and converters see.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConnectRecord {
    /// Topic.
    pub topic: String,
    /// Partition; `None` lets the producer choose.
    pub kafka_partition: Option<i32>,
    /// Key.
    pub key: SchemaAndValue,
    /// Value.
    pub value: SchemaAndValue,
    /// Milliseconds since the Unix epoch.
    pub timestamp: Option<i64>,
    /// Headers, in order.
    pub headers: Vec<Header>,
}

/// A primitive in a source partition or offset map.
#[derive(Clone, Debug, PartialEq)]
pub enum OffsetValue {
    /// JSON null.
    Null,
    /// Boolean.
    Boolean(bool),
    /// Integer.
    Int64(i64),
    /// Floating point.
    Float64(f64),
    /// String.
    String(String),
}

/// A source partition or source offset (Kafka's `Map<String, ?>`), in key order as given.
pub type OffsetMap = Vec<(String, OffsetValue)>;

/// Convert an offset map to the JSON object Kafka Connect stores.
pub fn offset_map_to_json(map: &OffsetMap) -> serde_json::Value {
    let object = map
        .iter()
        .map(|(k, v)| {
            let v = match v {
                OffsetValue::Null => serde_json::Value::Null,
                OffsetValue::Boolean(b) => (*b).into(),
                OffsetValue::Int64(i) => (*i).into(),
                OffsetValue::Float64(f) => serde_json::Number::from_f64(*f)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number),
                OffsetValue::String(s) => s.clone().into(),
            };
            (k.clone(), v)
        })
        .collect();
    serde_json::Value::Object(object)
}

/// Read an offset map from a JSON object; `None` if `json` is not an object of primitives.
pub fn offset_map_from_json(json: &serde_json::Value) -> Option<OffsetMap> {
    let object = json.as_object()?;
    object
        .iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::Null => OffsetValue::Null,
                serde_json::Value::Bool(b) => OffsetValue::Boolean(*b),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => OffsetValue::Int64(i),
                    None => OffsetValue::Float64(n.as_f64()?),
                },
                serde_json::Value::String(s) => OffsetValue::String(s.clone()),
                _ => return None,
            };
            Some((k.clone(), v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_maps_round_trip_through_json() {
        let map: OffsetMap = vec![
            ("filename".into(), OffsetValue::String("/tmp/in.txt".into())),
            ("position".into(), OffsetValue::Int64(42)),
        ];
        let json = offset_map_to_json(&map);
        assert_eq!(
            json.to_string(),
            r#"{"filename":"/tmp/in.txt","position":42}"#
        );
        assert_eq!(offset_map_from_json(&json), Some(map));
        assert_eq!(offset_map_from_json(&serde_json::json!([1])), None);
    }
}
