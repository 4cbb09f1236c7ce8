//! `InsertField`: Kafka's `org.apache.kafka.connect.transforms.InsertField$Value` and
//! `InsertField$Key`. Inserts the topic, partition, timestamp and/or a static string into the
//! record value (or, selected as `InsertField$Key`, the key: the host swaps key and value around
//! the transform).
//!
//! As in Kafka: field names take a `!` suffix for a required field or `?` for an optional one (the
//! default); a struct value gets a new schema (the old one's name, version, doc and parameters,
//! its fields, then the inserted ones); a map value gets the entries; a null value (a tombstone, or
//! a null key for `$Key`) passes through unchanged; a missing partition or timestamp is left
//! unset. `replace.null.with.default` decides whether null fields copied from the old struct take
//! their schema's default.
//!
//! Not as in Kafka: transforms do not see a record's Kafka offset, so `offset.field` is accepted
//! and ignored (Kafka inserts it for sink records and fails source records).

use std::sync::Arc;

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::{copy_schema_basics, require_map, require_struct};

use wasm_connect_sdk::requirements::{build_struct, check_field_value, field_value};

/// Logical name of Kafka's `Timestamp` type.
pub const TIMESTAMP_LOGICAL: &str = "org.apache.kafka.connect.data.Timestamp";

/// What Kafka's error messages say this transform is doing.
const PURPOSE: &str = "field insertion";

/// Kafka's documentation suffix for the field-name keys.
const OPTIONALITY_DOC: &str = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).";

/// A field to insert: its name and whether it is optional (Kafka's `InsertionSpec`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsertionSpec {
    /// Field name.
    pub name: String,
    /// Optional (`?` suffix or no suffix) or required (`!` suffix).
    pub optional: bool,
}

impl InsertionSpec {
    /// Parse `name?` (optional), `name!` (required) or `name` (optional), as Kafka does.
    pub fn parse(spec: &str) -> InsertionSpec {
        let (name, optional) = if let Some(name) = spec.strip_suffix('?') {
            (name, true)
        } else if let Some(name) = spec.strip_suffix('!') {
            (name, false)
        } else {
            (spec, true)
        };
        InsertionSpec {
            name: name.to_string(),
            optional,
        }
    }

    /// `base`, made optional if this field is.
    fn schema(&self, base: Schema) -> Schema {
        if self.optional {
            base.into_optional()
        } else {
            base
        }
    }
}

/// The transform.
#[derive(Clone, Debug)]
pub struct InsertField {
    /// `topic.field`.
    pub topic: Option<InsertionSpec>,
    /// `partition.field`.
    pub partition: Option<InsertionSpec>,
    /// `offset.field` (accepted, never inserted: transforms do not see the Kafka offset).
    pub offset: Option<InsertionSpec>,
    /// `timestamp.field`.
    pub timestamp: Option<InsertionSpec>,
    /// `static.field`.
    pub static_field: Option<InsertionSpec>,
    /// `static.value`.
    pub static_value: Option<String>,
    /// `replace.null.with.default`.
    pub replace_null_with_default: bool,
}

/// Kafka's `Timestamp.SCHEMA`: an int64 of milliseconds since the epoch.
fn timestamp_schema() -> Schema {
    Schema::int64()
        .to_builder()
        .name(TIMESTAMP_LOGICAL)
        .version(1)
        .build()
}

impl InsertField {
    /// The configured insertions in Kafka's order (topic, partition, timestamp, static), each with
    /// its field schema and its value for `record` (`None`: left unset).
    fn insertions(&self, record: &ConnectRecord) -> Vec<(&InsertionSpec, Schema, Option<Value>)> {
        [
            (
                &self.topic,
                Schema::string(),
                Some(Value::String(record.topic.clone())),
            ),
            (
                &self.partition,
                Schema::int32(),
                record.kafka_partition.map(Value::Int32),
            ),
            (
                &self.timestamp,
                timestamp_schema(),
                record.timestamp.map(Value::Int64),
            ),
            (
                &self.static_field,
                Schema::string(),
                self.static_value.clone().map(Value::String),
            ),
        ]
        .into_iter()
        .filter_map(|(spec, base, value)| {
            spec.as_ref().map(|spec| (spec, spec.schema(base), value))
        })
        .collect()
    }

    /// The new struct schema: `schema`'s name, version, doc and parameters (not its optionality or
    /// default, as Kafka's `SchemaUtil.copySchemaBasics`), its fields, then the inserted fields.
    pub fn updated_schema(&self, schema: &Schema, record: &ConnectRecord) -> Result<Schema> {
        let fields = schema
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.schema.clone()))
            .chain(
                self.insertions(record)
                    .into_iter()
                    .map(|(spec, field_schema, _)| (spec.name.clone(), field_schema)),
            );
        build_struct(copy_schema_basics(schema), fields)
    }

    /// Insert into a schemaless map value.
    fn apply_schemaless(&self, record: &mut ConnectRecord) -> Result<()> {
        let mut entries = require_map(std::mem::take(&mut record.value.value), PURPOSE)?;
        for (spec, _, value) in self.insertions(record) {
            let Some(value) = value else { continue };
            let key = Value::String(spec.name.clone());
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((key, value)),
            }
        }
        record.value.value = Value::Map(entries);
        Ok(())
    }

    /// Insert into a struct value, giving it the updated schema.
    fn apply_with_schema(&self, record: &mut ConnectRecord, schema: &Schema) -> Result<()> {
        let old = require_struct(std::mem::take(&mut record.value.value), PURPOSE)?;
        let new_schema = self.updated_schema(schema, record)?;
        let mut fields = Vec::with_capacity(new_schema.fields.len());
        for field in schema.fields.iter() {
            let value = field_value(&old, field, self.replace_null_with_default);
            check_field_value(&field.name, &field.schema, &value)?;
            fields.push((field.name.clone(), value));
        }
        for (spec, _, value) in self.insertions(record) {
            fields.push((spec.name.clone(), value.unwrap_or(Value::Null)));
        }
        record.value = SchemaAndValue {
            schema: Some(Arc::new(new_schema)),
            value: Value::Struct(Struct { fields }),
        };
        Ok(())
    }

    /// Insert the configured fields into `record`'s value.
    pub fn insert(&self, mut record: ConnectRecord) -> Result<ConnectRecord> {
        if record.value.value.is_null() {
            return Ok(record);
        }
        match record.value.schema.clone() {
            None => self.apply_schemaless(&mut record)?,
            Some(schema) => self.apply_with_schema(&mut record, &schema)?,
        }
        Ok(record)
    }
}

impl Plugin for InsertField {
    fn info() -> PluginInfo {
        PluginInfo::new("InsertField")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("InsertField$Value")
            .alias("InsertField$Key")
            .alias("org.apache.kafka.connect.transforms.InsertField$Value")
            .alias("org.apache.kafka.connect.transforms.InsertField$Key")
            .description(
                "Insert field(s) using attributes from the record metadata or a configured static value.\
                 <p/>Use the concrete transformation type designed for the record key \
                 (<code>org.apache.kafka.connect.transforms.InsertField$Key</code>) or value \
                 (<code>org.apache.kafka.connect.transforms.InsertField$Value</code>).",
            )
    }

    fn config_def() -> Vec<ConfigKey> {
        let field = |name: &str, doc: &str| {
            ConfigKey::string(name)
                .optional()
                .importance(Importance::Medium)
                .doc(format!("{doc}{OPTIONALITY_DOC}"))
        };
        vec![
            field("topic.field", "Field name for Kafka topic. "),
            field("partition.field", "Field name for Kafka partition. "),
            field(
                "offset.field",
                "Field name for Kafka offset - only applicable to sink connectors.<br/>",
            ),
            field("timestamp.field", "Field name for record timestamp. "),
            field("static.field", "Field name for static data field. "),
            ConfigKey::string("static.value")
                .optional()
                .importance(Importance::Medium)
                .doc("Static field value, if field name configured."),
            ConfigKey::boolean("replace.null.with.default")
                .default_value(true)
                .importance(Importance::Medium)
                .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."),
        ]
    }
}

impl Transform for InsertField {
    fn configure(config: Config) -> Result<Self> {
        // Kafka trims STRING values; an empty value is the unset (null) default here.
        let string = |key: &str| {
            config
                .get(key)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let spec = |key: &str| string(key).map(|s| InsertionSpec::parse(&s));
        let transform = InsertField {
            topic: spec("topic.field"),
            partition: spec("partition.field"),
            offset: spec("offset.field"),
            timestamp: spec("timestamp.field"),
            static_field: spec("static.field"),
            static_value: string("static.value"),
            replace_null_with_default: config.boolean_or("replace.null.with.default", true)?,
        };
        if transform.topic.is_none()
            && transform.partition.is_none()
            && transform.offset.is_none()
            && transform.timestamp.is_none()
            && transform.static_field.is_none()
        {
            return Err(PluginError::new("No field insertion configured"));
        }
        if let (Some(field), None) = (&transform.static_field, &transform.static_value) {
            return Err(PluginError::new(format!(
                "Invalid value null for configuration static.value: No value specified for static field: {}",
                field.name
            )));
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

    /// The configuration most of Kafka's InsertFieldTest cases use.
    fn kafka_props() -> Config {
        Config::new()
            .with("topic.field", "topic_field!")
            .with("partition.field", "partition_field")
            .with("timestamp.field", "timestamp_field?")
            .with("static.field", "instance_id")
            .with("static.value", "my-instance-id")
    }

    fn configure(config: Config) -> InsertField {
        InsertField::configure(config).unwrap()
    }

    /// Kafka's `new SourceRecord(null, null, topic, partition, keySchema, key, valueSchema,
    /// value, timestamp)`.
    fn record(
        topic: &str,
        partition: i32,
        key: SchemaAndValue,
        value: SchemaAndValue,
        timestamp: Option<i64>,
    ) -> ConnectRecord {
        ConnectRecord {
            topic: topic.into(),
            kafka_partition: Some(partition),
            key,
            value,
            timestamp,
            headers: Vec::new(),
        }
    }

    /// How the host hands a record to a transform selected as `InsertField$Key`, and back.
    fn swapped(mut record: ConnectRecord) -> ConnectRecord {
        std::mem::swap(&mut record.key, &mut record.value);
        record
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (Value::from(*k), v.clone()))
                .collect(),
        )
    }

    fn simple_struct_schema(magic: Schema) -> Schema {
        Schema::struct_builder()
            .name("name")
            .version(1)
            .doc("doc")
            .field("magic", magic)
            .build()
    }

    fn apply(t: &mut InsertField, record: ConnectRecord) -> Result<ConnectRecord> {
        t.apply(record).map(|r| r.unwrap())
    }

    // InsertFieldTest.topLevelStructRequired
    #[test]
    fn top_level_struct_required() {
        let mut t = configure(Config::new().with("topic.field", "topic_field"));
        let r = record(
            "",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::new(Schema::int32(), 42i32),
            None,
        );
        assert_eq!(
            apply(&mut t, r).unwrap_err().message,
            "Only Struct objects supported for [field insertion], found: int32"
        );
    }

    // InsertFieldTest.copySchemaAndInsertConfiguredFields
    #[test]
    fn copy_schema_and_insert_configured_fields() {
        let mut t = configure(kafka_props());
        let schema = simple_struct_schema(Schema::optional_int64());
        let r = record(
            "test",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::new(schema.clone(), Struct::new().put("magic", 42i64)),
            Some(789),
        );
        let out = apply(&mut t, r).unwrap();
        let out_schema = out.value.schema.clone().unwrap();
        assert_eq!(out_schema.name.as_deref(), Some("name"));
        assert_eq!(out_schema.version, Some(1));
        assert_eq!(out_schema.doc.as_deref(), Some("doc"));
        let field_schema = |n: &str| out_schema.field(n).unwrap().schema.clone();
        assert_eq!(field_schema("magic"), Schema::optional_int64());
        assert_eq!(field_schema("topic_field"), Schema::string());
        assert_eq!(field_schema("partition_field"), Schema::optional_int32());
        assert_eq!(
            field_schema("timestamp_field"),
            timestamp_schema().into_optional()
        );
        assert_eq!(field_schema("instance_id"), Schema::optional_string());
        assert_eq!(
            out.value.value,
            Value::Struct(
                Struct::new()
                    .put("magic", 42i64)
                    .put("topic_field", "test")
                    .put("partition_field", 0i32)
                    .put("timestamp_field", 789i64)
                    .put("instance_id", "my-instance-id")
            )
        );

        // Same schema again ("exercise caching"): same updated schema; unset magic stays null.
        let r = record(
            "test",
            1,
            SchemaAndValue::null(),
            SchemaAndValue::new(schema, Struct::new()),
            None,
        );
        let out2 = apply(&mut t, r).unwrap();
        assert_eq!(out2.value.schema, Some(out_schema));
        let Value::Struct(s) = out2.value.value else {
            panic!("struct expected")
        };
        assert_eq!(s.get("magic"), Some(&Value::Null));
        assert_eq!(s.get("partition_field"), Some(&Value::Int32(1)));
        assert_eq!(s.get("timestamp_field"), Some(&Value::Null));
    }

    // InsertFieldTest.schemalessInsertConfiguredFields
    #[test]
    fn schemaless_insert_configured_fields() {
        let mut t = configure(kafka_props());
        let r = record(
            "test",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::schemaless(map(&[("magic", 42i64.into())])),
            Some(123),
        );
        let out = apply(&mut t, r).unwrap();
        assert_eq!(out.value.schema, None);
        assert_eq!(
            out.value.value,
            map(&[
                ("magic", 42i64.into()),
                ("topic_field", "test".into()),
                ("partition_field", 0i32.into()),
                ("timestamp_field", 123i64.into()),
                ("instance_id", "my-instance-id".into()),
            ])
        );
    }

    // InsertFieldTest.insertConfiguredFieldsIntoTombstoneEventWithoutSchemaLeavesValueUnchanged
    #[test]
    fn tombstone_without_schema_leaves_value_unchanged() {
        let mut t = configure(kafka_props());
        let r = record(
            "test",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::null(),
            None,
        );
        let out = apply(&mut t, r.clone()).unwrap();
        assert_eq!(out, r);
    }

    // InsertFieldTest.insertConfiguredFieldsIntoTombstoneEventWithSchemaLeavesValueUnchanged
    #[test]
    fn tombstone_with_schema_leaves_value_unchanged() {
        let mut t = configure(kafka_props());
        let schema = simple_struct_schema(Schema::optional_int64());
        let r = record(
            "test",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::new(schema.clone(), Value::Null),
            None,
        );
        let out = apply(&mut t, r).unwrap();
        assert_eq!(out.value.value, Value::Null);
        assert_eq!(out.value.schema.as_deref(), Some(&schema));
    }

    // InsertFieldTest.insertKeyFieldsIntoTombstoneEvent ($Key form)
    #[test]
    fn key_form_inserts_into_key_of_tombstone() {
        let mut t = configure(kafka_props());
        let r = record(
            "test",
            0,
            SchemaAndValue::schemaless(map(&[("magic", 42i64.into())])),
            SchemaAndValue::null(),
            None,
        );
        let out = swapped(apply(&mut t, swapped(r)).unwrap());
        assert_eq!(
            out.key.value,
            map(&[
                ("magic", 42i64.into()),
                ("topic_field", "test".into()),
                ("partition_field", 0i32.into()),
                ("instance_id", "my-instance-id".into()),
            ])
        );
        assert_eq!(out.key.value.map_get("timestamp_field"), None);
        assert_eq!(out.value, SchemaAndValue::null());
    }

    // InsertFieldTest.insertIntoNullKeyLeavesRecordUnchanged ($Key form)
    #[test]
    fn key_form_null_key_leaves_record_unchanged() {
        let mut t = configure(kafka_props());
        let r = record(
            "test",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::schemaless(map(&[("magic", 42i64.into())])),
            None,
        );
        let out = swapped(apply(&mut t, swapped(r.clone())).unwrap());
        assert_eq!(out, r);
    }

    // InsertFieldTest.testUnsetOptionalField (both parameter sets)
    #[test]
    fn unset_optional_field_honours_replace_null_with_default() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int64(42))] {
            let mut t = configure(kafka_props().with("replace.null.with.default", replace));
            let magic = Schema::optional_int64()
                .to_builder()
                .default_value(Value::Int64(42))
                .build();
            let schema = Schema::struct_builder()
                .name("name")
                .version(1)
                .doc("doc")
                .field("magic_with_default", magic.clone())
                .build();
            let value = Struct::new().put("magic_with_default", Value::Null);
            let r = record(
                "test",
                0,
                SchemaAndValue::null(),
                SchemaAndValue::new(schema, value),
                Some(789),
            );
            let out = apply(&mut t, r).unwrap();
            let out_schema = out.value.schema.unwrap();
            assert_eq!(out_schema.name.as_deref(), Some("name"));
            assert_eq!(out_schema.version, Some(1));
            assert_eq!(out_schema.doc.as_deref(), Some("doc"));
            assert_eq!(
                out_schema.field("magic_with_default").unwrap().schema,
                magic
            );
            let Value::Struct(s) = out.value.value else {
                panic!("struct expected")
            };
            assert_eq!(
                s.get("magic_with_default"),
                Some(&expected),
                "replace={replace}"
            );
        }
    }

    #[test]
    fn key_form_struct_key_gets_fields_and_schema() {
        let mut t = configure(Config::new().with("topic.field", "t!"));
        let key_schema = Schema::struct_builder()
            .field("id", Schema::int32())
            .build();
        let r = record(
            "orders",
            2,
            SchemaAndValue::new(key_schema, Struct::new().put("id", 7i32)),
            SchemaAndValue::schemaless("untouched"),
            None,
        );
        let out = swapped(apply(&mut t, swapped(r)).unwrap());
        let names: Vec<_> = out
            .key
            .schema
            .as_ref()
            .unwrap()
            .fields
            .iter()
            .map(|f| f.name.clone())
            .collect();
        assert_eq!(names, ["id", "t"]);
        assert_eq!(
            out.key.value,
            Value::Struct(Struct::new().put("id", 7i32).put("t", "orders"))
        );
        assert_eq!(out.value, SchemaAndValue::schemaless("untouched"));
    }

    #[test]
    fn rejects_bad_configuration() {
        assert_eq!(
            InsertField::configure(Config::new()).unwrap_err().message,
            "No field insertion configured"
        );
        assert_eq!(
            InsertField::configure(
                Config::new()
                    .with("topic.field", " ")
                    .with("static.value", "v")
            )
            .unwrap_err()
            .message,
            "No field insertion configured"
        );
        assert_eq!(
            InsertField::configure(Config::new().with("static.field", "s"))
                .unwrap_err()
                .message,
            "Invalid value null for configuration static.value: No value specified for static field: s"
        );
        assert_eq!(
            InsertField::configure(
                Config::new()
                    .with("topic.field", "t")
                    .with("replace.null.with.default", "maybe")
            )
            .unwrap_err()
            .message,
            "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"
        );
    }

    #[test]
    fn parses_optionality_suffixes_like_kafka() {
        let spec = |s: &str| InsertionSpec::parse(s);
        assert_eq!(
            spec("a!"),
            InsertionSpec {
                name: "a".into(),
                optional: false
            }
        );
        assert_eq!(
            spec("a?"),
            InsertionSpec {
                name: "a".into(),
                optional: true
            }
        );
        assert_eq!(
            spec("a"),
            InsertionSpec {
                name: "a".into(),
                optional: true
            }
        );
        // Only the last character is a suffix.
        assert_eq!(
            spec("a!?"),
            InsertionSpec {
                name: "a!".into(),
                optional: true
            }
        );
        let t = configure(Config::new().with("offset.field", " off! "));
        assert_eq!(
            t.offset,
            Some(InsertionSpec {
                name: "off".into(),
                optional: false
            })
        );
    }

    #[test]
    fn schemaless_value_must_be_a_map() {
        let mut t = configure(kafka_props());
        let r = record(
            "t",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::schemaless("x"),
            None,
        );
        assert_eq!(
            apply(&mut t, r).unwrap_err().message,
            "Only Map objects supported in absence of schema for [field insertion], found: string"
        );
    }

    #[test]
    fn schemaless_missing_partition_and_timestamp_are_not_inserted() {
        let mut t = configure(kafka_props());
        let mut r = record(
            "t",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::schemaless(map(&[])),
            None,
        );
        r.kafka_partition = None;
        let out = apply(&mut t, r).unwrap();
        assert_eq!(
            out.value.value,
            map(&[
                ("topic_field", "t".into()),
                ("instance_id", "my-instance-id".into())
            ])
        );
    }

    #[test]
    fn new_schema_keeps_basics_but_not_optionality() {
        let mut t = configure(
            Config::new()
                .with("static.field", "s")
                .with("static.value", "v"),
        );
        let schema = Schema::struct_builder()
            .name("n")
            .parameter("p", "q")
            .optional()
            .field("a", Schema::string())
            .build();
        let r = record(
            "t",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::new(schema, Struct::new().put("a", "x")),
            None,
        );
        let out_schema = apply(&mut t, r).unwrap().value.schema.unwrap();
        assert_eq!(out_schema.name.as_deref(), Some("n"));
        assert_eq!(out_schema.parameter("p"), Some("q"));
        assert!(!out_schema.optional);
    }

    #[test]
    fn existing_field_name_is_a_duplication_error() {
        let mut t = configure(Config::new().with("topic.field", "a"));
        let schema = Schema::struct_builder()
            .field("a", Schema::string())
            .build();
        let r = record(
            "t",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::new(schema, Struct::new().put("a", "x")),
            None,
        );
        assert_eq!(
            apply(&mut t, r).unwrap_err().message,
            "Cannot create field because of field name duplication a"
        );
    }

    #[test]
    fn null_in_required_field_without_default_replacement_fails() {
        let mut t = configure(
            Config::new()
                .with("topic.field", "topic")
                .with("replace.null.with.default", "false"),
        );
        let required_with_default = Schema::int32()
            .to_builder()
            .default_value(Value::Int32(5))
            .build();
        let schema = Schema::struct_builder()
            .field("a", required_with_default)
            .build();
        let r = record(
            "t",
            0,
            SchemaAndValue::null(),
            SchemaAndValue::new(schema, Struct::new()),
            None,
        );
        assert_eq!(
            apply(&mut t, r.clone()).unwrap_err().message,
            "Invalid value: null used for required field: \"a\", schema type: INT32"
        );
        // With the default (replace.null.with.default=true) the default fills the field.
        let mut t = configure(Config::new().with("topic.field", "topic"));
        let Value::Struct(s) = apply(&mut t, r).unwrap().value.value else {
            panic!("struct expected")
        };
        assert_eq!(s.get("a"), Some(&Value::Int32(5)));
    }

    #[test]
    fn info_lists_both_forms() {
        let info = InsertField::info();
        assert_eq!(info.name, "InsertField");
        for alias in [
            "InsertField$Value",
            "InsertField$Key",
            "org.apache.kafka.connect.transforms.InsertField$Value",
            "org.apache.kafka.connect.transforms.InsertField$Key",
        ] {
            assert!(info.aliases.iter().any(|a| a == alias), "{alias}");
        }
        let def = InsertField::config_def();
        let replace = def
            .iter()
            .find(|k| k.name == "replace.null.with.default")
            .unwrap();
        assert_eq!(replace.default_value.as_deref(), Some("true"));
        assert!(def.iter().all(|k| !k.is_required()));
    }
}
