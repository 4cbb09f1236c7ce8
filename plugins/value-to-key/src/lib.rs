//! `ValueToKey`: Kafka's `org.apache.kafka.connect.transforms.ValueToKey`. Replaces the record
//! key with a new key made of some fields of the record value.
//!
//! As in Kafka: a struct value gives a struct key whose schema has the listed fields with their
//! schemas from the value schema (an unnamed, required struct schema), and a listed field missing
//! from the value schema fails the record with `Field does not exist: <field>`; a schemaless map
//! value gives a schemaless map key (a missing entry becomes null). The value is unchanged. A null
//! value (tombstone) is an error, as in Kafka. `replace.null.with.default` decides whether a null
//! field takes its schema's default in the key.

use std::sync::Arc;

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::{map_entry, require_map, require_struct};

use wasm_connect_sdk::requirements::{build_struct, check_field_value, field_value};

/// What Kafka's error messages say this transform is doing.
const PURPOSE: &str = "copying fields from value to key";

/// The transform.
#[derive(Clone, Debug)]
pub struct ValueToKey {
    /// `fields`: the value fields that make up the key, in order.
    pub fields: Vec<String>,
    /// `replace.null.with.default`.
    pub replace_null_with_default: bool,
}

impl ValueToKey {
    /// The key of a record with the schemaless map `entries` as value.
    fn schemaless_key(&self, entries: &[(Value, Value)]) -> Value {
        let mut key: Vec<(Value, Value)> = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let name = Value::String(field.clone());
            let value = map_entry(entries, field).cloned().unwrap_or(Value::Null);
            match key.iter_mut().find(|(k, _)| *k == name) {
                Some(slot) => slot.1 = value,
                None => key.push((name, value)),
            }
        }
        Value::Map(key)
    }

    /// The key schema and key of a record whose value is the struct `value` of `schema`.
    fn struct_key(&self, schema: &Schema, value: &Struct) -> Result<(Schema, Struct)> {
        let mut key_fields = Vec::with_capacity(self.fields.len());
        let mut values = Vec::with_capacity(self.fields.len());
        for name in &self.fields {
            let field = schema
                .field(name)
                .ok_or_else(|| PluginError::new(format!("Field does not exist: {name}")))?;
            key_fields.push((name.clone(), field.schema.clone()));
            values.push((
                field,
                field_value(value, field, self.replace_null_with_default),
            ));
        }
        let key_schema = build_struct(Schema::struct_builder(), key_fields)?;
        let mut key = Struct::new();
        for (field, v) in values {
            check_field_value(&field.name, &field.schema, &v)?;
            key.fields.push((field.name.clone(), v));
        }
        Ok((key_schema, key))
    }

    /// Replace `record`'s key with the configured fields of its value.
    pub fn copy_to_key(&self, mut record: ConnectRecord) -> Result<ConnectRecord> {
        let value = std::mem::take(&mut record.value.value);
        record.key = match record.value.schema.clone() {
            None => {
                let entries = require_map(value, PURPOSE)?;
                let key = self.schemaless_key(&entries);
                record.value.value = Value::Map(entries);
                SchemaAndValue::schemaless(key)
            }
            Some(schema) => {
                let value = require_struct(value, PURPOSE)?;
                let (key_schema, key) = self.struct_key(&schema, &value)?;
                record.value.value = Value::Struct(value);
                SchemaAndValue {
                    schema: Some(Arc::new(key_schema)),
                    value: Value::Struct(key),
                }
            }
        };
        Ok(record)
    }
}

impl Plugin for ValueToKey {
    fn info() -> PluginInfo {
        PluginInfo::new("ValueToKey")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.ValueToKey")
            .description("Replace the record key with a new key formed from a subset of fields in the record value.")
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::list("fields")
                .importance(Importance::High)
                .doc("Field names on the record value to extract as the record key."),
            ConfigKey::boolean("replace.null.with.default")
                .default_value(true)
                .importance(Importance::Medium)
                .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."),
        ]
    }
}

impl Transform for ValueToKey {
    fn configure(config: Config) -> Result<Self> {
        let fields = config.non_empty_list("fields")?;
        Ok(ValueToKey {
            fields,
            replace_null_with_default: config.boolean_or("replace.null.with.default", true)?,
        })
    }

    fn apply(&mut self, record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        self.copy_to_key(record).map(Some)
    }
}

wasm_connect_sdk::export_transform!(ValueToKey);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn configure(config: Config) -> ValueToKey {
        ValueToKey::configure(config).unwrap()
    }

    /// Kafka's `new SinkRecord("", 0, null, null, valueSchema, value, 0)`.
    fn record(value: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: String::new(),
            kafka_partition: Some(0),
            key: SchemaAndValue::null(),
            value,
            timestamp: None,
            headers: Vec::new(),
        }
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (Value::from(*k), v.clone()))
                .collect(),
        )
    }

    fn abc_schema() -> Schema {
        Schema::struct_builder()
            .field("a", Schema::int32())
            .field("b", Schema::int32())
            .field("c", Schema::int32())
            .build()
    }

    // ValueToKeyTest.schemaless
    #[test]
    fn schemaless_map_gives_map_key() {
        let mut t = configure(Config::new().with("fields", "a,b"));
        let value = map(&[("a", 1i32.into()), ("b", 2i32.into()), ("c", 3i32.into())]);
        let out = t
            .apply(record(SchemaAndValue::schemaless(value.clone())))
            .unwrap()
            .unwrap();
        assert_eq!(out.key.schema, None);
        assert_eq!(
            out.key.value,
            map(&[("a", 1i32.into()), ("b", 2i32.into())])
        );
        assert_eq!(out.value, SchemaAndValue::schemaless(value));
    }

    // ValueToKeyTest.withSchema
    #[test]
    fn struct_value_gives_struct_key_with_schema() {
        let mut t = configure(Config::new().with("fields", "a,b"));
        let value = Struct::new().put("a", 1i32).put("b", 2i32).put("c", 3i32);
        let out = t
            .apply(record(SchemaAndValue::new(abc_schema(), value.clone())))
            .unwrap()
            .unwrap();
        let expected_schema = Schema::struct_builder()
            .field("a", Schema::int32())
            .field("b", Schema::int32())
            .build();
        assert_eq!(out.key.schema.as_deref(), Some(&expected_schema));
        assert_eq!(
            out.key.value,
            Value::Struct(Struct::new().put("a", 1i32).put("b", 2i32))
        );
        assert_eq!(out.value, SchemaAndValue::new(abc_schema(), value));
    }

    // ValueToKeyTest.nonExistingField
    #[test]
    fn non_existing_field_fails() {
        let mut t = configure(Config::new().with("fields", "not_exist"));
        let schema = Schema::struct_builder().field("a", Schema::int32()).build();
        let err = t
            .apply(record(SchemaAndValue::new(
                schema,
                Struct::new().put("a", 1i32),
            )))
            .unwrap_err();
        assert_eq!(err.message, "Field does not exist: not_exist");
    }

    // ValueToKeyTest.testReplaceNullWithDefaultConfig (both parameter sets)
    #[test]
    fn replace_null_with_default_config() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let mut t = configure(
                Config::new()
                    .with("fields", "optional_with_default")
                    .with("replace.null.with.default", replace),
            );
            let field_schema = Schema::optional_int32()
                .to_builder()
                .default_value(Value::Int32(42))
                .build();
            let schema = Schema::struct_builder()
                .field("optional_with_default", field_schema)
                .build();
            let value = Struct::new().put("optional_with_default", Value::Null);
            let out = t
                .apply(record(SchemaAndValue::new(schema, value)))
                .unwrap()
                .unwrap();
            let Value::Struct(key) = out.key.value else {
                panic!("struct key expected")
            };
            assert_eq!(
                key.get("optional_with_default"),
                Some(&expected),
                "replace={replace}"
            );
        }
    }

    #[test]
    fn schemaless_missing_entry_is_null_and_key_is_replaced() {
        let mut t = configure(Config::new().with("fields", " b , x "));
        let mut r = record(SchemaAndValue::schemaless(map(&[("b", "v".into())])));
        r.key = SchemaAndValue::new(Schema::string(), "old key");
        let out = t.apply(r).unwrap().unwrap();
        assert_eq!(
            out.key,
            SchemaAndValue::schemaless(map(&[("b", "v".into()), ("x", Value::Null)]))
        );
    }

    #[test]
    fn wrong_value_types_and_tombstones_fail_as_in_kafka() {
        let mut t = configure(Config::new().with("fields", "a"));
        assert_eq!(
            t.apply(record(SchemaAndValue::schemaless("x")))
                .unwrap_err()
                .message,
            "Only Map objects supported in absence of schema for [copying fields from value to key], found: string"
        );
        assert_eq!(
            t.apply(record(SchemaAndValue::null())).unwrap_err().message,
            "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"
        );
        assert_eq!(
            t.apply(record(SchemaAndValue::new(Schema::int32(), 1i32)))
                .unwrap_err()
                .message,
            "Only Struct objects supported for [copying fields from value to key], found: int32"
        );
        assert_eq!(
            t.apply(record(SchemaAndValue::new(
                abc_schema().into_optional(),
                Value::Null
            )))
            .unwrap_err()
            .message,
            "Only Struct objects supported for [copying fields from value to key], found: null"
        );
    }

    #[test]
    fn null_in_required_field_fails_without_default_replacement() {
        let required_with_default = Schema::int32()
            .to_builder()
            .default_value(Value::Int32(7))
            .build();
        let schema = Schema::struct_builder()
            .field("a", required_with_default)
            .build();
        let r = record(SchemaAndValue::new(schema, Struct::new()));
        let mut t = configure(
            Config::new()
                .with("fields", "a")
                .with("replace.null.with.default", "false"),
        );
        assert_eq!(
            t.apply(r.clone()).unwrap_err().message,
            "Invalid value: null used for required field: \"a\", schema type: INT32"
        );
        let mut t = configure(Config::new().with("fields", "a"));
        let out = t.apply(r).unwrap().unwrap();
        assert_eq!(out.key.value, Value::Struct(Struct::new().put("a", 7i32)));
    }

    #[test]
    fn duplicate_field_is_a_schema_error() {
        let mut t = configure(Config::new().with("fields", "a,a"));
        let value = Struct::new().put("a", 1i32).put("b", 2i32).put("c", 3i32);
        assert_eq!(
            t.apply(record(SchemaAndValue::new(abc_schema(), value)))
                .unwrap_err()
                .message,
            "Cannot create field because of field name duplication a"
        );
    }

    #[test]
    fn rejects_bad_configuration() {
        assert_eq!(
            ValueToKey::configure(Config::new()).unwrap_err().message,
            "Missing required configuration \"fields\" which has no default value."
        );
        assert_eq!(
            ValueToKey::configure(Config::new().with("fields", ""))
                .unwrap_err()
                .message,
            "Invalid value [] for configuration fields: Empty list"
        );
        assert_eq!(
            ValueToKey::configure(
                Config::new()
                    .with("fields", "a")
                    .with("replace.null.with.default", "yes")
            )
            .unwrap_err()
            .message,
            "Invalid value yes for configuration replace.null.with.default: Expected value to be either true or false"
        );
        let def = ValueToKey::config_def();
        assert!(def[0].is_required());
        assert_eq!(def[1].default_value.as_deref(), Some("true"));
        assert_eq!(
            ValueToKey::info().aliases,
            ["org.apache.kafka.connect.transforms.ValueToKey"]
        );
    }
}
