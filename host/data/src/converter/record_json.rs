//! Records as JSON objects `{"topic", "partition", "key", "value", "headers"}`, the line format
//! of `wasm-connect plugin test`: key and value are schemaless JSON (Kafka's `JsonConverter` with
//! `schemas.enable=false`), headers are strings (`SimpleHeaderConverter`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{
    Converter, ConverterConfigError, HeaderConverter, SIMPLE_HEADER_CONVERTER, create_converter,
    create_header_converter,
};
use crate::{ConnectRecord, Header, Schema, SchemaAndValue};

/// Converts records from and to their JSON line form.
pub struct RecordJson {
    key: Box<dyn Converter>,
    value: Box<dyn Converter>,
    headers: Box<dyn HeaderConverter>,
}

impl RecordJson {
    /// The codec: `JsonConverter` with `schemas.enable=false`, `SimpleHeaderConverter`.
    pub fn new() -> Result<RecordJson, ConverterConfigError> {
        let settings = BTreeMap::from([("schemas.enable".to_string(), "false".to_string())]);
        Ok(RecordJson {
            key: create_converter("JsonConverter", &settings, true)?,
            value: create_converter("JsonConverter", &settings, false)?,
            headers: create_header_converter(SIMPLE_HEADER_CONVERTER, &BTreeMap::new())?,
        })
    }

    /// One input line as a record.
    pub fn record(&self, json: &Value) -> Result<ConnectRecord, String> {
        let object = json.as_object().ok_or("expected a JSON object")?;
        let topic = match object.get("topic") {
            None | Some(Value::Null) => "test".to_string(),
            Some(Value::String(t)) => t.clone(),
            Some(_) => return Err("\"topic\" must be a string".into()),
        };
        let partition = match object.get("partition") {
            None | Some(Value::Null) => None,
            Some(p) => Some(
                p.as_i64()
                    .and_then(|p| i32::try_from(p).ok())
                    .ok_or("\"partition\" must be a small integer")?,
            ),
        };
        let convert = |converter: &dyn Converter, field: &str| -> Result<SchemaAndValue, String> {
            match object.get(field) {
                None | Some(Value::Null) => converter.to_connect(&topic, None),
                Some(v) => converter.to_connect(&topic, Some(v.to_string().as_bytes())),
            }
            .map_err(|e| format!("\"{field}\": {e}"))
        };
        let mut headers = Vec::new();
        if let Some(h) = object.get("headers") {
            let h = h.as_object().ok_or("\"headers\" must be an object")?;
            for (key, value) in h {
                let text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                headers.push(Header {
                    key: key.clone(),
                    value: SchemaAndValue::new(Schema::string(), text),
                });
            }
        }
        Ok(ConnectRecord {
            key: convert(self.key.as_ref(), "key")?,
            value: convert(self.value.as_ref(), "value")?,
            topic,
            kafka_partition: partition,
            timestamp: object.get("timestamp").and_then(Value::as_i64),
            headers,
        })
    }

    /// A record as an output line.
    pub fn json(&self, record: &ConnectRecord) -> Result<Value, String> {
        let render = |converter: &dyn Converter, data: &SchemaAndValue| -> Result<Value, String> {
            match converter.from_connect(&record.topic, data) {
                Ok(None) => Ok(Value::Null),
                Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        };
        let mut headers = Map::new();
        for h in &record.headers {
            let bytes = self
                .headers
                .from_connect_header(&record.topic, &h.key, &h.value)
                .map_err(|e| e.to_string())?;
            headers.insert(
                h.key.clone(),
                bytes.map_or(Value::Null, |b| {
                    Value::String(String::from_utf8_lossy(&b).into_owned())
                }),
            );
        }
        Ok(json!({
            "topic": record.topic,
            "partition": record.kafka_partition,
            "key": render(self.key.as_ref(), &record.key)?,
            "value": render(self.value.as_ref(), &record.value)?,
            "headers": headers,
        }))
    }
}
