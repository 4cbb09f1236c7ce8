//! `SetSchemaMetadata`: Kafka's `org.apache.kafka.connect.transforms.SetSchemaMetadata$Key` /
//! `$Value`. Sets the name and/or version of the record value's schema, keeping everything else.
//!
//! One plugin serves both forms: the host swaps key and value around a transform selected by a
//! name ending in `$Key`, so this code only handles the record value.
//!
//! As in Kafka, a record whose value and schema are both null passes through; a value without a
//! schema fails (`Schema required for [updating schema metadata]`); a null value with a schema
//! gets the updated schema. A struct value is rebuilt against the new schema: with
//! `replace.null.with.default` (the default) a null field that has a default takes that default.
//!
//! Difference from Kafka: an empty `schema.name` or `schema.version` counts as not set (Kafka
//! would set the name to the empty string).

use std::sync::Arc;

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::field_value;
use wasm_connect_sdk::requirements::require_schema;

/// What the transform does, as named in Kafka's error messages.
const PURPOSE: &str = "updating schema metadata";

/// Kafka's `OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Set the schema name, version or both on the record's key \
(<code>org.apache.kafka.connect.transforms.SetSchemaMetadata$Key</code>) or value \
(<code>org.apache.kafka.connect.transforms.SetSchemaMetadata$Value</code>) schema.";

/// Config key: the schema name to set.
pub const SCHEMA_NAME_CONFIG: &str = "schema.name";
/// Config key: the schema version to set.
pub const SCHEMA_VERSION_CONFIG: &str = "schema.version";
/// Config key: read a null field that has a default as its default value.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

/// The transform.
#[derive(Clone, Debug, Default)]
pub struct SetSchemaMetadata {
    /// `schema.name`, if set.
    pub schema_name: Option<String>,
    /// `schema.version`, if set.
    pub schema_version: Option<i32>,
    /// `replace.null.with.default`.
    pub replace_null_with_default: bool,
}

impl SetSchemaMetadata {
    /// `schema` with the configured name and/or version.
    pub fn updated_schema(&self, schema: &Schema) -> Schema {
        let mut updated = schema.clone();
        if let Some(name) = &self.schema_name {
            updated.name = Some(name.clone());
        }
        if let Some(version) = self.schema_version {
            updated.version = Some(version);
        }
        updated
    }

    /// Kafka's `updateSchemaIn`: a struct is rebuilt with every field of `schema` (the fields are
    /// unchanged, only the name/version differ); any other value is returned as is.
    pub fn update_schema_in(&self, value: Value, schema: &Schema) -> Value {
        match value {
            Value::Struct(original) => Value::Struct(Struct {
                fields: schema
                    .fields
                    .iter()
                    .map(|field| {
                        let v = field_value(&original, field, self.replace_null_with_default);
                        (field.name.clone(), v)
                    })
                    .collect(),
            }),
            other => other,
        }
    }
}

impl Plugin for SetSchemaMetadata {
    fn info() -> PluginInfo {
        PluginInfo::new("SetSchemaMetadata")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("SetSchemaMetadata$Value")
            .alias("SetSchemaMetadata$Key")
            .alias("org.apache.kafka.connect.transforms.SetSchemaMetadata$Value")
            .alias("org.apache.kafka.connect.transforms.SetSchemaMetadata$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string(SCHEMA_NAME_CONFIG)
                .optional()
                .importance(Importance::High)
                .doc("Schema name to set."),
            ConfigKey::int(SCHEMA_VERSION_CONFIG)
                .optional()
                .importance(Importance::High)
                .doc("Schema version to set."),
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .default_value(true)
                .importance(Importance::Medium)
                .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."),
        ]
    }
}

impl Transform for SetSchemaMetadata {
    fn configure(config: Config) -> Result<Self> {
        let schema_name = config
            .optional_string(SCHEMA_NAME_CONFIG)
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty());
        let schema_version = match config.optional_string(SCHEMA_VERSION_CONFIG) {
            Some(_) => Some(config.int(SCHEMA_VERSION_CONFIG)?),
            None => None,
        };
        let replace_null_with_default =
            config.boolean_or(REPLACE_NULL_WITH_DEFAULT_CONFIG, true)?;
        if schema_name.is_none() && schema_version.is_none() {
            return Err(PluginError::new(
                "Neither schema name nor version configured",
            ));
        }
        Ok(SetSchemaMetadata {
            schema_name,
            schema_version,
            replace_null_with_default,
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        if record.value.value.is_null() && record.value.schema.is_none() {
            return Ok(Some(record));
        }
        let schema = require_schema(record.value.schema.as_deref(), PURPOSE)?;
        let updated = self.updated_schema(schema);
        let value = std::mem::take(&mut record.value.value);
        wasm_connect_sdk::trace!(
            "Applying SetSchemaMetadata SMT. Original schema: {schema:?}, updated schema: {updated:?}"
        );
        record.value = SchemaAndValue {
            value: self.update_schema_in(value, &updated),
            schema: Some(Arc::new(updated)),
        };
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(SetSchemaMetadata);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn transform(props: &[(&str, &str)]) -> SetSchemaMetadata {
        SetSchemaMetadata::configure(props.iter().copied().collect()).unwrap()
    }

    fn record(value: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: String::new(),
            kafka_partition: Some(0),
            value,
            ..Default::default()
        }
    }

    fn empty_struct() -> SchemaAndValue {
        SchemaAndValue::new(Schema::struct_builder().build(), Value::Null)
    }

    fn two_field_schema(f1: Schema) -> Schema {
        Schema::struct_builder()
            .name("my.orig.SchemaDefn")
            .field("f1", f1)
            .field("f2", Schema::int32())
            .build()
    }

    // SetSchemaMetadataTest.schemaNameUpdate
    #[test]
    fn schema_name_update() {
        let out = transform(&[("schema.name", "foo")])
            .apply(record(empty_struct()))
            .unwrap()
            .unwrap();
        let schema = out.value.schema.unwrap();
        assert_eq!(schema.name.as_deref(), Some("foo"));
        assert_eq!(schema.version, None);
    }

    // SetSchemaMetadataTest.schemaVersionUpdate
    #[test]
    fn schema_version_update() {
        let out = transform(&[("schema.version", "42")])
            .apply(record(empty_struct()))
            .unwrap()
            .unwrap();
        let schema = out.value.schema.unwrap();
        assert_eq!(schema.version, Some(42));
        assert_eq!(schema.name, None);
    }

    // SetSchemaMetadataTest.schemaNameAndVersionUpdate
    #[test]
    fn schema_name_and_version_update() {
        let out = transform(&[("schema.name", "foo"), ("schema.version", "42")])
            .apply(record(empty_struct()))
            .unwrap()
            .unwrap();
        let schema = out.value.schema.unwrap();
        assert_eq!(schema.name.as_deref(), Some("foo"));
        assert_eq!(schema.version, Some(42));
        assert_eq!(out.value.value, Value::Null);
    }

    // SetSchemaMetadataTest.schemaNameAndVersionUpdateWithStruct
    #[test]
    fn schema_name_and_version_update_with_struct() {
        let schema = two_field_schema(Schema::string());
        let value = Struct::new().put("f1", "value1").put("f2", 1i32);
        let out = transform(&[("schema.name", "foo"), ("schema.version", "42")])
            .apply(record(SchemaAndValue::new(schema.clone(), value.clone())))
            .unwrap()
            .unwrap();
        let updated = out.value.schema.unwrap();
        assert_eq!(updated.name.as_deref(), Some("foo"));
        assert_eq!(updated.version, Some(42));
        // Same fields (names, indexes, schemas) as before; only the metadata changed.
        assert_eq!(updated.fields, schema.fields);
        assert_eq!(
            *updated,
            Schema {
                name: Some("foo".into()),
                version: Some(42),
                ..schema
            }
        );
        assert_eq!(out.value.value, Value::Struct(value));
    }

    // SetSchemaMetadataTest.schemaNameAndVersionUpdateWithStructAndNullField (both parameter sets)
    #[test]
    fn struct_null_field_follows_replace_null_with_default() {
        let with_default = Schema::optional_string()
            .to_builder()
            .default_value("default".into())
            .build();
        for (replace, expected) in [("false", Value::Null), ("true", Value::from("default"))] {
            let value = Struct::new().put("f1", Value::Null).put("f2", 1i32);
            let out = transform(&[
                ("schema.name", "foo"),
                ("schema.version", "42"),
                ("replace.null.with.default", replace),
            ])
            .apply(record(SchemaAndValue::new(
                two_field_schema(with_default.clone()),
                value,
            )))
            .unwrap()
            .unwrap();
            let schema = out.value.schema.unwrap();
            assert_eq!(schema.name.as_deref(), Some("foo"));
            assert_eq!(schema.version, Some(42));
            assert_eq!(
                out.value.value,
                Value::Struct(Struct::new().put("f1", expected).put("f2", 1i32)),
                "{replace}"
            );
        }
    }

    // SetSchemaMetadataTest.valueSchemaRequired
    #[test]
    fn value_schema_required() {
        let err = transform(&[("schema.name", "foo")])
            .apply(record(SchemaAndValue::schemaless(42i32)))
            .unwrap_err();
        assert_eq!(
            err.message,
            "Schema required for [updating schema metadata]"
        );
    }

    // SetSchemaMetadataTest.ignoreRecordWithNullValue
    #[test]
    fn ignore_record_with_null_value() {
        let input = record(SchemaAndValue::null());
        let out = transform(&[("schema.name", "foo")])
            .apply(input.clone())
            .unwrap();
        assert_eq!(out, Some(input));
    }

    // SetSchemaMetadataTest.updateSchemaOfStruct / updateSchemaOfNonStruct / updateSchemaOfNull
    #[test]
    fn update_schema_in_rebuilds_structs_only() {
        let xform = transform(&[("schema.name", "foo")]);
        let value = Struct::new().put("f2", 1i32).put("f1", "value1");
        let new_schema = Schema::struct_builder()
            .name("my.updated.SchemaDefn")
            .field("f1", Schema::string())
            .field("f2", Schema::int32())
            .build();
        // Rebuilt in the order of the new schema.
        assert_eq!(
            xform.update_schema_in(Value::Struct(value), &new_schema),
            Value::Struct(Struct::new().put("f1", "value1").put("f2", 1i32))
        );
        assert_eq!(
            xform.update_schema_in(Value::Int32(1), &Schema::int32()),
            Value::Int32(1)
        );
        assert_eq!(
            xform.update_schema_in(Value::Null, &Schema::int32()),
            Value::Null
        );
    }

    #[test]
    fn neither_name_nor_version_is_a_config_error() {
        for config in [
            Config::new(),
            Config::new()
                .with("schema.name", "")
                .with("schema.version", ""),
        ] {
            let err = SetSchemaMetadata::configure(config).unwrap_err();
            assert_eq!(err.message, "Neither schema name nor version configured");
        }
        let err =
            SetSchemaMetadata::configure(Config::new().with("schema.version", "v1")).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value v1 for configuration schema.version: Not a number of type INT"
        );
    }

    #[test]
    fn key_form_renames_the_swapped_key_schema() {
        // The host hands the key over as the value; the real value (now in `key`) is untouched.
        let key_schema = Schema::string().to_builder().name("old").version(1).build();
        let swapped = ConnectRecord {
            key: SchemaAndValue::schemaless("the value"),
            ..record(SchemaAndValue::new(key_schema, "k"))
        };
        let out = transform(&[("schema.version", "2")])
            .apply(swapped)
            .unwrap()
            .unwrap();
        assert_eq!(out.key, SchemaAndValue::schemaless("the value"));
        let schema = out.value.schema.unwrap();
        assert_eq!(schema.name.as_deref(), Some("old"));
        assert_eq!(schema.version, Some(2));
        assert_eq!(out.value.value, Value::from("k"));
    }

    #[test]
    fn map_and_array_schemas_keep_their_parts() {
        let map_schema = Schema::map(Schema::string(), Schema::optional_int64()).into_optional();
        let value = Value::Map(vec![("a".into(), 1i64.into())]);
        let out = transform(&[("schema.name", "m")])
            .apply(record(SchemaAndValue::new(
                map_schema.clone(),
                value.clone(),
            )))
            .unwrap()
            .unwrap();
        let schema = out.value.schema.unwrap();
        assert_eq!(schema.name.as_deref(), Some("m"));
        assert!(schema.optional);
        assert_eq!(schema.key_schema, map_schema.key_schema);
        assert_eq!(schema.value_schema, map_schema.value_schema);
        assert_eq!(out.value.value, value);
    }

    #[test]
    fn info_names_both_forms() {
        let info = SetSchemaMetadata::info();
        assert_eq!(info.name, "SetSchemaMetadata");
        for alias in [
            "SetSchemaMetadata$Value",
            "SetSchemaMetadata$Key",
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
        ] {
            assert!(info.aliases.iter().any(|a| a == alias), "{alias}");
        }
    }
}
