//! `HoistField`: Kafka's `org.apache.kafka.connect.transforms.HoistField$Value` / `HoistField$Key`.
//!
//! Wraps the record value in a struct with the single field `field` when it has a schema, or in a
//! map with the single entry `field` when it is schemaless. Null values are wrapped too: a
//! schemaless tombstone becomes `{field: null}`, and a null with a required schema is rejected as
//! Kafka's `Struct.put` rejects it.

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::java_type_name;

/// The `field` config key.
pub const FIELD_CONFIG: &str = "field";

/// Kafka's `OVERVIEW_DOC` for `HoistField`.
pub const OVERVIEW_DOC: &str = "Wrap data using the specified field name in a Struct when schema present, or a Map in the case of schemaless data.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.HoistField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.HoistField$Value</code>).";

/// The transform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoistField {
    /// Name of the single field of the resulting struct or map.
    pub field: String,
}

impl HoistField {
    /// Wrap `data` in a struct (with a schema) or a map (schemaless) under [`HoistField::field`].
    pub fn hoist(&self, data: SchemaAndValue) -> Result<SchemaAndValue> {
        match data.schema {
            None => Ok(SchemaAndValue::schemaless(Value::Map(vec![(
                Value::String(self.field.clone()),
                data.value,
            )]))),
            Some(schema) => {
                if self.field.is_empty() {
                    return Err(PluginError::new("fieldName cannot be null."));
                }
                validate_value(&self.field, &schema, &data.value)?;
                let updated = Schema::struct_builder()
                    .field(self.field.clone(), (*schema).clone())
                    .build();
                let value = Struct::new().put(self.field.clone(), data.value);
                Ok(SchemaAndValue::new(updated, value))
            }
        }
    }
}

/// Kafka's `ConnectSchema.validateValue` for a struct field, as `Struct.put` applies it: null only
/// for an optional schema, and a value of the schema's type.
fn validate_value(field: &str, schema: &Schema, value: &Value) -> Result<()> {
    let type_name = java_type_name(schema.schema_type);
    if value.is_null() {
        if schema.optional {
            return Ok(());
        }
        return Err(PluginError::new(format!(
            "Invalid value: null used for required field: \"{field}\", schema type: {type_name}"
        )));
    }
    let matches = matches!(
        (schema.schema_type, value),
        (SchemaType::Int8, Value::Int8(_))
            | (SchemaType::Int16, Value::Int16(_))
            | (SchemaType::Int32, Value::Int32(_))
            | (SchemaType::Int64, Value::Int64(_))
            | (SchemaType::Float32, Value::Float32(_))
            | (SchemaType::Float64, Value::Float64(_))
            | (SchemaType::Boolean, Value::Boolean(_))
            | (SchemaType::String, Value::String(_))
            | (SchemaType::Bytes, Value::Bytes(_))
            | (SchemaType::Array, Value::Array(_))
            | (SchemaType::Map, Value::Map(_))
            | (SchemaType::Struct, Value::Struct(_))
    );
    if matches {
        return Ok(());
    }
    let name = schema
        .name
        .as_deref()
        .map(|n| format!(" \"{n}\""))
        .unwrap_or_default();
    Err(PluginError::new(format!(
        "Invalid Java object for schema{name} with type {type_name}: {} for field: \"{field}\"",
        value.kind()
    )))
}

impl Plugin for HoistField {
    fn info() -> PluginInfo {
        PluginInfo::new("HoistField")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("HoistField$Value")
            .alias("HoistField$Key")
            .alias("org.apache.kafka.connect.transforms.HoistField$Value")
            .alias("org.apache.kafka.connect.transforms.HoistField$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string(FIELD_CONFIG)
                .importance(Importance::Medium)
                .doc("Field name for the single field that will be created in the resulting Struct or Map."),
        ]
    }
}

impl Transform for HoistField {
    fn configure(config: Config) -> Result<Self> {
        Ok(HoistField {
            field: config.string(FIELD_CONFIG)?,
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        record.value = self.hoist(std::mem::take(&mut record.value))?;
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(HoistField);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn transform(field: &str) -> HoistField {
        HoistField::configure(Config::new().with("field", field)).unwrap()
    }

    /// A record as the host hands it to `HoistField$Key`: the key in `record.value`, the value in
    /// `record.key`.
    fn key_record(key: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: "test".into(),
            kafka_partition: Some(0),
            key: SchemaAndValue::null(),
            value: key,
            ..Default::default()
        }
    }

    fn apply(field: &str, data: SchemaAndValue) -> Result<SchemaAndValue> {
        let out = transform(field).apply(key_record(data))?.unwrap();
        assert_eq!(
            out.key,
            SchemaAndValue::null(),
            "the other side is untouched"
        );
        Ok(out.value)
    }

    // HoistFieldTest.schemaless
    #[test]
    fn schemaless_value_is_wrapped_in_a_map() {
        let out = apply("magic", SchemaAndValue::schemaless(42i32)).unwrap();
        assert!(out.schema.is_none());
        assert_eq!(
            out.value,
            Value::Map(vec![("magic".into(), Value::Int32(42))])
        );
    }

    // HoistFieldTest.withSchema
    #[test]
    fn value_with_schema_is_wrapped_in_a_struct() {
        let out = apply("magic", SchemaAndValue::new(Schema::int32(), 42i32)).unwrap();
        let schema = out.schema.unwrap();
        assert_eq!(schema.schema_type, SchemaType::Struct);
        assert!(!schema.optional);
        assert_eq!(schema.name, None);
        assert_eq!(schema.fields.len(), 1);
        assert_eq!(schema.field("magic").unwrap().schema, Schema::int32());
        assert_eq!(out.value, Value::Struct(Struct::new().put("magic", 42i32)));
    }

    // HoistFieldTest.testSchemalessMapIsMutable
    #[test]
    fn schemaless_result_map_can_be_extended() {
        let out = apply("magic", SchemaAndValue::schemaless(420i32)).unwrap();
        let Value::Map(mut entries) = out.value else {
            panic!("expected a map")
        };
        entries.push(("k".into(), "v".into()));
        assert_eq!(
            entries,
            vec![
                ("magic".into(), Value::Int32(420)),
                ("k".into(), "v".into())
            ]
        );
    }

    #[test]
    fn value_form_wraps_the_value_and_struct_schemas_nest() {
        let inner = Schema::struct_builder()
            .name("inner")
            .field("a", Schema::string())
            .build();
        let record = ConnectRecord {
            topic: "test".into(),
            key: SchemaAndValue::schemaless("k"),
            value: SchemaAndValue::new(inner.clone(), Struct::new().put("a", "x")),
            ..Default::default()
        };
        let out = transform("wrapped").apply(record).unwrap().unwrap();
        assert_eq!(out.key, SchemaAndValue::schemaless("k"));
        assert_eq!(
            out.value.schema.unwrap().field("wrapped").unwrap().schema,
            inner
        );
        assert_eq!(
            out.value.value,
            Value::Struct(Struct::new().put("wrapped", Struct::new().put("a", "x")))
        );
    }

    #[test]
    fn schemaless_null_is_wrapped() {
        let out = apply("magic", SchemaAndValue::null()).unwrap();
        assert_eq!(out.value, Value::Map(vec![("magic".into(), Value::Null)]));
        assert!(out.schema.is_none());
    }

    #[test]
    fn null_with_optional_schema_is_wrapped() {
        let out = apply(
            "magic",
            SchemaAndValue::new(Schema::optional_int32(), Value::Null),
        )
        .unwrap();
        assert_eq!(
            out.schema.unwrap().field("magic").unwrap().schema,
            Schema::optional_int32()
        );
        assert_eq!(
            out.value,
            Value::Struct(Struct::new().put("magic", Value::Null))
        );
    }

    #[test]
    fn null_with_required_schema_is_rejected() {
        let err = apply("magic", SchemaAndValue::new(Schema::int32(), Value::Null)).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value: null used for required field: \"magic\", schema type: INT32"
        );
    }

    #[test]
    fn value_not_matching_its_schema_is_rejected() {
        let schema = Schema::int64()
            .to_builder()
            .name("org.apache.kafka.connect.data.Timestamp")
            .build();
        let err = apply("magic", SchemaAndValue::new(schema, "x")).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid Java object for schema \"org.apache.kafka.connect.data.Timestamp\" with type INT64: string for field: \"magic\""
        );
    }

    #[test]
    fn empty_field_name_is_rejected_with_schema() {
        let err = apply("", SchemaAndValue::new(Schema::int32(), 1i32)).unwrap_err();
        assert_eq!(err.message, "fieldName cannot be null.");
        let out = apply("", SchemaAndValue::schemaless(1i32)).unwrap();
        assert_eq!(out.value, Value::Map(vec![("".into(), Value::Int32(1))]));
    }

    #[test]
    fn missing_field_config_is_rejected() {
        let err = HoistField::configure(Config::new()).unwrap_err();
        assert_eq!(
            err.message,
            "Missing required configuration \"field\" which has no default value."
        );
        let def = HoistField::config_def();
        assert_eq!(def.len(), 1);
        assert!(def[0].is_required());
        assert_eq!(HoistField::info().description, OVERVIEW_DOC);
    }
}
