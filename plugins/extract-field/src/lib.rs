//! `ExtractField`: Kafka's `org.apache.kafka.connect.transforms.ExtractField$Value` /
//! `ExtractField$Key`.
//!
//! Replaces the record value with one of its fields: from a struct when the value has a schema
//! (the result takes the field's schema), or from a map when schemaless. Null values pass through
//! (with the field's schema when there is one). A field missing from a schemaless map gives null;
//! a field missing from the schema is an error (`Unknown field: <path>`).
//!
//! `field.syntax.version` `V2` (KIP-821) reaches nested fields with dotted paths; see [`path`].
//! With `replace.null.with.default` (default `true`), a null field takes its schema's default.

pub mod path;

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::{require_map_or_null, require_struct_or_null};

use crate::path::{FieldSyntaxVersion, SingleFieldPath};

/// What the transform does, in Kafka's error messages (`[field extraction]`).
const PURPOSE: &str = "field extraction";

/// The `field` config key.
pub const FIELD_CONFIG: &str = "field";

/// The `replace.null.with.default` config key.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

/// Kafka's `OVERVIEW_DOC` for `ExtractField`.
pub const OVERVIEW_DOC: &str = "Extract the specified field from a Struct when schema present, or a Map in the case of schemaless data. Any null values are passed through unmodified.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.ExtractField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.ExtractField$Value</code>).";

/// The transform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractField {
    /// The `field` setting as given, for error messages.
    pub original_path: String,
    /// The parsed path.
    pub path: SingleFieldPath,
    /// Whether a null field is replaced by its schema's default.
    pub replace_null_with_default: bool,
}

impl ExtractField {
    /// Replace `data` with the field at [`ExtractField::path`].
    pub fn extract(&self, data: SchemaAndValue) -> Result<SchemaAndValue> {
        match data.schema {
            None => {
                let value = match require_map_or_null(data.value, PURPOSE)? {
                    None => Value::Null,
                    Some(entries) => self.path.value_from_map(&entries)?,
                };
                Ok(SchemaAndValue::schemaless(value))
            }
            Some(schema) => {
                let value = require_struct_or_null(data.value, PURPOSE)?;
                let Some(field) = self.path.field_from(&schema)? else {
                    return Err(PluginError::new(format!(
                        "Unknown field: {}",
                        self.original_path
                    )));
                };
                let value = match value {
                    None => Value::Null,
                    Some(value) => self.path.value_from_struct(
                        &value,
                        &schema,
                        self.replace_null_with_default,
                    )?,
                };
                Ok(SchemaAndValue::new(field.schema.clone(), value))
            }
        }
    }
}

impl Plugin for ExtractField {
    fn info() -> PluginInfo {
        PluginInfo::new("ExtractField")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("ExtractField$Value")
            .alias("ExtractField$Key")
            .alias("org.apache.kafka.connect.transforms.ExtractField$Value")
            .alias("org.apache.kafka.connect.transforms.ExtractField$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string(FIELD_CONFIG)
                .importance(Importance::Medium)
                .doc("Field name to extract."),
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .default_value(true)
                .importance(Importance::Medium)
                .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."),
            FieldSyntaxVersion::config_key(),
        ]
    }
}

impl Transform for ExtractField {
    fn configure(config: Config) -> Result<Self> {
        let original_path = config.string(FIELD_CONFIG)?;
        let replace_null_with_default =
            config.boolean_or(REPLACE_NULL_WITH_DEFAULT_CONFIG, true)?;
        let version = FieldSyntaxVersion::from_config(&config)?;
        Ok(ExtractField {
            path: SingleFieldPath::new(&original_path, version)?,
            original_path,
            replace_null_with_default,
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        record.value = self.extract(std::mem::take(&mut record.value))?;
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(ExtractField);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn transform(config: &[(&str, &str)]) -> ExtractField {
        ExtractField::configure(config.iter().copied().collect()).unwrap()
    }

    /// A record as the host hands it to `ExtractField$Key`: the key in `record.value`.
    fn key_record(key: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: "test".into(),
            kafka_partition: Some(0),
            key: SchemaAndValue::null(),
            value: key,
            ..Default::default()
        }
    }

    /// Apply the `$Key` form configured with `config` to `key`.
    fn apply_key(config: &[(&str, &str)], key: SchemaAndValue) -> Result<SchemaAndValue> {
        let out = transform(config).apply(key_record(key))?.unwrap();
        assert_eq!(
            out.key,
            SchemaAndValue::null(),
            "the other side is untouched"
        );
        Ok(out.value)
    }

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    const V2: (&str, &str) = ("field.syntax.version", "V2");

    // ExtractFieldTest.schemaless
    #[test]
    fn schemaless_field_is_extracted() {
        let key = map(vec![("magic", Value::Int32(42))]);
        let out = apply_key(&[("field", "magic")], SchemaAndValue::schemaless(key)).unwrap();
        assert_eq!(out, SchemaAndValue::schemaless(42i32));
    }

    // ExtractFieldTest.schemalessAndNestedPath
    #[test]
    fn schemaless_nested_path_is_extracted_with_v2() {
        let key = map(vec![("magic", map(vec![("foo", Value::Int32(42))]))]);
        let out = apply_key(
            &[("field", "magic.foo"), V2],
            SchemaAndValue::schemaless(key),
        )
        .unwrap();
        assert_eq!(out, SchemaAndValue::schemaless(42i32));
    }

    // ExtractFieldTest.nullSchemaless
    #[test]
    fn schemaless_null_passes_through() {
        let out = apply_key(&[("field", "magic")], SchemaAndValue::null()).unwrap();
        assert_eq!(out, SchemaAndValue::null());
    }

    // ExtractFieldTest.withSchema
    #[test]
    fn struct_field_is_extracted_with_its_schema() {
        let schema = Schema::struct_builder()
            .field("magic", Schema::int32())
            .build();
        let key = Struct::new().put("magic", 42i32);
        let out = apply_key(&[("field", "magic")], SchemaAndValue::new(schema, key)).unwrap();
        assert_eq!(out, SchemaAndValue::new(Schema::int32(), 42i32));
    }

    // ExtractFieldTest.withSchemaAndNestedPath
    #[test]
    fn nested_struct_field_is_extracted_with_v2() {
        let foo = Schema::struct_builder()
            .field("foo", Schema::int32())
            .build();
        let schema = Schema::struct_builder().field("magic", foo).build();
        let key = Struct::new().put("magic", Struct::new().put("foo", 42i32));
        let out = apply_key(
            &[("field", "magic.foo"), V2],
            SchemaAndValue::new(schema, key),
        )
        .unwrap();
        assert_eq!(out, SchemaAndValue::new(Schema::int32(), 42i32));
    }

    // ExtractFieldTest.testNullWithSchema
    #[test]
    fn null_with_schema_gives_null_with_field_schema() {
        let schema = Schema::struct_builder()
            .field("magic", Schema::int32())
            .optional()
            .build();
        let out = apply_key(
            &[("field", "magic")],
            SchemaAndValue::new(schema, Value::Null),
        )
        .unwrap();
        assert_eq!(out, SchemaAndValue::new(Schema::int32(), Value::Null));
    }

    // ExtractFieldTest.nonExistentFieldSchemalessShouldReturnNull
    #[test]
    fn missing_schemaless_field_gives_null() {
        let key = map(vec![("magic", Value::Int32(42))]);
        let out = apply_key(&[("field", "nonexistent")], SchemaAndValue::schemaless(key)).unwrap();
        assert_eq!(out, SchemaAndValue::null());
    }

    // ExtractFieldTest.nonExistentNestedFieldSchemalessShouldReturnNull
    #[test]
    fn missing_nested_schemaless_field_gives_null() {
        let key = map(vec![("magic", map(vec![("foo", Value::Int32(42))]))]);
        let out = apply_key(
            &[("field", "magic.nonexistent"), V2],
            SchemaAndValue::schemaless(key),
        )
        .unwrap();
        assert_eq!(out, SchemaAndValue::null());
    }

    // ExtractFieldTest.nonExistentFieldWithSchemaShouldFail
    #[test]
    fn missing_struct_field_is_an_error() {
        let schema = Schema::struct_builder()
            .field("magic", Schema::int32())
            .build();
        let key = Struct::new().put("magic", 42i32);
        let err = apply_key(
            &[("field", "nonexistent")],
            SchemaAndValue::new(schema, key),
        )
        .unwrap_err();
        assert_eq!(err.message, "Unknown field: nonexistent");
    }

    // ExtractFieldTest.nonExistentNestedFieldWithSchemaShouldFail
    #[test]
    fn missing_nested_struct_field_is_an_error() {
        let foo = Schema::struct_builder()
            .field("foo", Schema::int32())
            .build();
        let schema = Schema::struct_builder().field("magic", foo).build();
        let key = Struct::new().put("magic", Struct::new().put("foo", 42i32));
        let err = apply_key(
            &[("field", "magic.nonexistent"), V2],
            SchemaAndValue::new(schema, key),
        )
        .unwrap_err();
        assert_eq!(err.message, "Unknown field: magic.nonexistent");
    }

    fn optional_with_default() -> (Schema, Struct) {
        let schema = Schema::struct_builder()
            .field(
                "optional_with_default",
                Schema::optional_int32()
                    .to_builder()
                    .default_value(Value::Int32(42))
                    .build(),
            )
            .build();
        (
            schema,
            Struct::new().put("optional_with_default", Value::Null),
        )
    }

    // ExtractFieldTest.testUnsetOptionalKey (both parameter sets)
    #[test]
    fn unset_optional_key_uses_default_only_when_replacing_nulls() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let (schema, key) = optional_with_default();
            let out = apply_key(
                &[
                    ("field", "optional_with_default"),
                    ("replace.null.with.default", replace),
                ],
                SchemaAndValue::new(schema, key),
            )
            .unwrap();
            assert_eq!(out.value, expected, "replace.null.with.default={replace}");
        }
    }

    // ExtractFieldTest.testUnsetOptionalField (both parameter sets): the $Value form.
    #[test]
    fn unset_optional_field_uses_default_only_when_replacing_nulls() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let (schema, value) = optional_with_default();
            let record = ConnectRecord {
                topic: "test".into(),
                key: SchemaAndValue::schemaless("k"),
                value: SchemaAndValue::new(schema, value),
                ..Default::default()
            };
            let mut t = transform(&[
                ("field", "optional_with_default"),
                ("replace.null.with.default", replace),
            ]);
            let out = t.apply(record).unwrap().unwrap();
            assert_eq!(
                out.value.value, expected,
                "replace.null.with.default={replace}"
            );
            assert_eq!(out.key, SchemaAndValue::schemaless("k"));
        }
    }

    #[test]
    fn wrong_value_types_are_rejected() {
        let err = apply_key(
            &[("field", "magic")],
            SchemaAndValue::new(Schema::int32(), 42i32),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Only Struct objects supported for [field extraction], found: int32"
        );
        let err = apply_key(&[("field", "magic")], SchemaAndValue::schemaless("x")).unwrap_err();
        assert_eq!(
            err.message,
            "Only Map objects supported in absence of schema for [field extraction], found: string"
        );
        let err = apply_key(
            &[("field", "magic.foo"), V2],
            SchemaAndValue::schemaless(map(vec![("magic", Value::Int32(1))])),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Only Map objects supported in absence of schema for [nested field access], found: int32"
        );
        let err = apply_key(
            &[("field", "magic")],
            SchemaAndValue::new(Schema::optional_int32(), Value::Null),
        )
        .unwrap_err();
        assert_eq!(err.message, "Cannot look up fields on non-struct type");
    }

    #[test]
    fn v1_treats_dots_as_part_of_the_name() {
        let key = map(vec![
            ("magic.foo", Value::Int32(1)),
            ("magic", map(vec![("foo", Value::Int32(2))])),
        ]);
        let out = apply_key(&[("field", "magic.foo")], SchemaAndValue::schemaless(key)).unwrap();
        assert_eq!(out.value, Value::Int32(1));
    }

    #[test]
    fn nested_null_struct_gives_null() {
        let foo = Schema::struct_builder()
            .optional()
            .field("foo", Schema::int32())
            .build();
        let schema = Schema::struct_builder().field("magic", foo).build();
        let key = Struct::new().put("magic", Value::Null);
        let out = apply_key(
            &[("field", "magic.foo"), V2],
            SchemaAndValue::new(schema, key),
        )
        .unwrap();
        assert_eq!(out, SchemaAndValue::new(Schema::int32(), Value::Null));
    }

    #[test]
    fn bad_config_is_rejected() {
        let err = ExtractField::configure(Config::new()).unwrap_err();
        assert_eq!(
            err.message,
            "Missing required configuration \"field\" which has no default value."
        );
        let err = ExtractField::configure(
            Config::new()
                .with("field", "a")
                .with("replace.null.with.default", "maybe"),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"
        );
        let err = ExtractField::configure(
            Config::new()
                .with("field", "a")
                .with("field.syntax.version", "V9"),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value V9 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"
        );
        let err = ExtractField::configure(
            Config::new()
                .with("field", "`magic")
                .with("field.syntax.version", "v2"),
        )
        .unwrap_err();
        assert!(err.message.starts_with("Incomplete backtick pair"), "{err}");
        let names: Vec<_> = ExtractField::config_def()
            .into_iter()
            .map(|k| (k.name, k.default_value))
            .collect();
        assert_eq!(
            names,
            [
                ("field".to_owned(), None),
                (
                    "replace.null.with.default".to_owned(),
                    Some("true".to_owned())
                ),
                ("field.syntax.version".to_owned(), Some("V1".to_owned())),
            ]
        );
    }
}
