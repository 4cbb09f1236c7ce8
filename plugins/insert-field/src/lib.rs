//! `InsertField$Value`: Kafka's `org.apache.kafka.connect.transforms.InsertField$Value`. Inserts
//! the topic, partition, timestamp and/or a static string into the record value.
//!
//! Field names take a `!` suffix for a required field or `?` for an optional one (the default).
//! `offset.field` is accepted but only applies to sink records, whose offset transforms do not
//! see here, so it is never inserted. Null values (tombstones) pass through unchanged.

use std::sync::Arc;

use wasm_connect_sdk::prelude::*;

/// Logical name of Kafka's `Timestamp` type.
pub const TIMESTAMP_LOGICAL: &str = "org.apache.kafka.connect.data.Timestamp";

/// A field to insert: name and whether it is required.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsertSpec {
    /// Field name.
    pub name: String,
    /// Required (`!` suffix) or optional.
    pub required: bool,
}

impl InsertSpec {
    /// Parse `name`, `name!` or `name?`; `None` when empty.
    pub fn parse(raw: Option<String>) -> Option<InsertSpec> {
        let raw = raw?;
        let (name, required) = match raw.strip_suffix('!') {
            Some(name) => (name, true),
            None => (raw.strip_suffix('?').unwrap_or(&raw), false),
        };
        (!name.is_empty()).then(|| InsertSpec {
            name: name.to_string(),
            required,
        })
    }
}

/// The transform.
#[derive(Clone, Debug, Default)]
pub struct InsertField {
    /// `topic.field`.
    pub topic: Option<InsertSpec>,
    /// `partition.field`.
    pub partition: Option<InsertSpec>,
    /// `offset.field` (sink records only; never inserted here).
    pub offset: Option<InsertSpec>,
    /// `timestamp.field`.
    pub timestamp: Option<InsertSpec>,
    /// `static.field`.
    pub static_field: Option<InsertSpec>,
    /// `static.value`.
    pub static_value: Option<String>,
}

fn schema_for(base: Schema, required: bool) -> Schema {
    if required { base } else { base.into_optional() }
}

fn timestamp_schema() -> Schema {
    Schema::int64()
        .to_builder()
        .name(TIMESTAMP_LOGICAL)
        .version(1)
        .build()
}

impl InsertField {
    /// The fields to insert for `record`: (spec, schema, value).
    fn insertions(&self, record: &ConnectRecord) -> Vec<(&InsertSpec, Schema, Value)> {
        let mut out = Vec::new();
        if let Some(spec) = &self.topic {
            out.push((
                spec,
                schema_for(Schema::string(), spec.required),
                Value::String(record.topic.clone()),
            ));
        }
        if let Some(spec) = &self.partition {
            out.push((
                spec,
                schema_for(Schema::int32(), spec.required),
                record.kafka_partition.into(),
            ));
        }
        if let Some(spec) = &self.timestamp {
            out.push((
                spec,
                schema_for(timestamp_schema(), spec.required),
                record.timestamp.into(),
            ));
        }
        if let Some(spec) = &self.static_field {
            out.push((
                spec,
                schema_for(Schema::string(), spec.required),
                self.static_value.clone().into(),
            ));
        }
        out
    }

    /// The new value schema: the old struct schema plus the inserted fields.
    pub fn updated_schema(&self, schema: &Schema, record: &ConnectRecord) -> Schema {
        let mut builder = schema.to_builder();
        for (spec, field_schema, _) in self.insertions(record) {
            builder = builder.field(spec.name.clone(), field_schema);
        }
        builder.build()
    }

    /// Insert the fields into `record`'s value.
    pub fn insert(&self, mut record: ConnectRecord) -> Result<ConnectRecord> {
        if record.value.value.is_null() {
            return Ok(record);
        }
        for (spec, _, value) in self.insertions(&record) {
            if spec.required && value.is_null() {
                return Err(PluginError::new(format!(
                    "InsertField: required field {} has no value for this record",
                    spec.name
                )));
            }
        }
        let insertions: Vec<(String, Value)> = self
            .insertions(&record)
            .into_iter()
            .map(|(spec, _, value)| (spec.name.clone(), value))
            .collect();
        match record.value.schema.clone() {
            None => {
                let Value::Map(entries) = &mut record.value.value else {
                    return Err(PluginError::new(format!(
                        "Only Map objects supported in absence of schema for [field insertion], found: {}",
                        record.value.value.kind()
                    )));
                };
                for (name, value) in insertions {
                    let key = Value::String(name);
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => entries.push((key, value)),
                    }
                }
            }
            Some(schema) => {
                let Value::Struct(old) = &record.value.value else {
                    return Err(PluginError::new(format!(
                        "Only Struct objects supported for [field insertion], found: {}",
                        record.value.value.kind()
                    )));
                };
                let new_schema = self.updated_schema(&schema, &record);
                let mut value = Struct::new();
                for field in new_schema.fields.iter() {
                    if let Some(v) = old.get(&field.name) {
                        value.set(field.name.clone(), v.clone());
                    }
                }
                for (name, v) in insertions {
                    value.set(name, v);
                }
                record.value.schema = Some(Arc::new(new_schema));
                record.value.value = Value::Struct(value);
            }
        }
        Ok(record)
    }
}

impl Plugin for InsertField {
    fn info() -> PluginInfo {
        PluginInfo::new("InsertField$Value")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.InsertField$Value")
            .description("Insert field(s) using attributes from the record metadata or a configured static value.")
    }

    fn config_def() -> Vec<ConfigKey> {
        let suffix =
            " Suffix with ! to make this a required field, or ? to keep it optional (the default).";
        let field = |name: &str, doc: &str| {
            ConfigKey::string(name)
                .optional()
                .importance(Importance::Medium)
                .doc(format!("{doc}{suffix}"))
        };
        vec![
            field("topic.field", "Field name for Kafka topic."),
            field("partition.field", "Field name for Kafka partition."),
            field(
                "offset.field",
                "Field name for Kafka offset - only applicable to sink connectors.",
            ),
            field("timestamp.field", "Field name for record timestamp."),
            field("static.field", "Field name for static data field."),
            ConfigKey::string("static.value")
                .optional()
                .doc("Static field value, if field name configured."),
        ]
    }
}

impl Transform for InsertField {
    fn configure(config: Config) -> Result<Self> {
        let spec = |key: &str| InsertSpec::parse(config.optional_string(key));
        let transform = InsertField {
            topic: spec("topic.field"),
            partition: spec("partition.field"),
            offset: spec("offset.field"),
            timestamp: spec("timestamp.field"),
            static_field: spec("static.field"),
            static_value: config.optional_string("static.value"),
        };
        if transform.static_field.is_some() && transform.static_value.is_none() {
            return Err(PluginError::new(
                "Invalid value for configuration static.value: required when static.field is set",
            ));
        }
        Ok(transform)
    }

    fn apply(&mut self, record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        self.insert(record).map(Some)
    }
}

wasm_connect_sdk::export_transform!(InsertField);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn transform() -> InsertField {
        InsertField::configure(
            Config::new()
                .with("topic.field", "topic_name!")
                .with("partition.field", "part?")
                .with("timestamp.field", "ts")
                .with("static.field", "instance")
                .with("static.value", "one")
                .with("offset.field", ""),
        )
        .unwrap()
    }

    fn record(value: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: "t".into(),
            kafka_partition: Some(3),
            timestamp: Some(99),
            value,
            ..Default::default()
        }
    }

    #[test]
    fn parses_specs() {
        assert_eq!(
            InsertSpec::parse(Some("a!".into())),
            Some(InsertSpec {
                name: "a".into(),
                required: true
            })
        );
        assert_eq!(
            InsertSpec::parse(Some("a?".into())),
            Some(InsertSpec {
                name: "a".into(),
                required: false
            })
        );
        assert_eq!(
            InsertSpec::parse(Some("a".into())),
            Some(InsertSpec {
                name: "a".into(),
                required: false
            })
        );
        assert_eq!(InsertSpec::parse(None), None);
        assert!(transform().offset.is_none());
    }

    #[test]
    fn extends_struct_schema() {
        let schema = Schema::struct_builder()
            .name("v")
            .field("id", Schema::int32())
            .build();
        let value = Struct::new().put("id", 7i32);
        let out = transform()
            .apply(record(SchemaAndValue::new(schema, value)))
            .unwrap()
            .unwrap();
        let schema = out.value.schema.unwrap();
        let names: Vec<_> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "topic_name", "part", "ts", "instance"]);
        assert_eq!(schema.name.as_deref(), Some("v"));
        assert!(!schema.field("topic_name").unwrap().schema.optional);
        assert!(schema.field("part").unwrap().schema.optional);
        assert_eq!(
            schema.field("ts").unwrap().schema.name.as_deref(),
            Some(TIMESTAMP_LOGICAL)
        );
        let Value::Struct(s) = out.value.value else {
            panic!()
        };
        assert_eq!(s.get("id"), Some(&Value::Int32(7)));
        assert_eq!(s.get("topic_name"), Some(&Value::String("t".into())));
        assert_eq!(s.get("part"), Some(&Value::Int32(3)));
        assert_eq!(s.get("ts"), Some(&Value::Int64(99)));
        assert_eq!(s.get("instance"), Some(&Value::String("one".into())));
    }

    #[test]
    fn schemaless_maps_tombstones_and_errors() {
        let map = Value::Map(vec![("a".into(), 1i64.into())]);
        let out = transform()
            .apply(record(SchemaAndValue::schemaless(map)))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.value.value.map_get("topic_name"),
            Some(&Value::String("t".into()))
        );
        assert_eq!(out.value.value.map_get("a"), Some(&Value::Int64(1)));
        let tombstone = record(SchemaAndValue::null());
        assert_eq!(
            transform().apply(tombstone.clone()).unwrap(),
            Some(tombstone)
        );
        assert!(
            transform()
                .apply(record(SchemaAndValue::schemaless("x")))
                .is_err()
        );
        assert!(
            transform()
                .apply(record(SchemaAndValue::new(Schema::string(), "x")))
                .is_err()
        );
    }
}
