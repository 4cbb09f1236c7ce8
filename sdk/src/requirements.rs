//! Checks and helpers shared by transforms, with the error messages of Kafka's
//! `org.apache.kafka.connect.transforms.util.Requirements` and `SchemaUtil`.
//!
//! `purpose` names what the transform is doing, e.g. `"field insertion"`; it appears in brackets in
//! the message, as in Kafka: `Only Struct objects supported for [field insertion], found: string`.

use crate::error::{PluginError, Result};
use crate::types::{Field, Schema, SchemaBuilder, SchemaType, Struct, Value};

/// The schema, or `Schema required for [purpose]`.
pub fn require_schema<'a>(schema: Option<&'a Schema>, purpose: &str) -> Result<&'a Schema> {
    schema.ok_or_else(|| PluginError::new(format!("Schema required for [{purpose}]")))
}

/// The entries of a schemaless map value, or Kafka's "Only Map objects supported" error.
pub fn require_map(value: Value, purpose: &str) -> Result<Vec<(Value, Value)>> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(PluginError::new(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            other.kind()
        ))),
    }
}

/// Like [`require_map`], but a null value gives `None`.
pub fn require_map_or_null(value: Value, purpose: &str) -> Result<Option<Vec<(Value, Value)>>> {
    match value {
        Value::Null => Ok(None),
        other => require_map(other, purpose).map(Some),
    }
}

/// The struct of a schema-ful value, or Kafka's "Only Struct objects supported" error.
pub fn require_struct(value: Value, purpose: &str) -> Result<Struct> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(PluginError::new(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            other.kind()
        ))),
    }
}

/// Like [`require_struct`], but a null value gives `None`.
pub fn require_struct_or_null(value: Value, purpose: &str) -> Result<Option<Struct>> {
    match value {
        Value::Null => Ok(None),
        other => require_struct(other, purpose).map(Some),
    }
}

/// A struct schema builder with `source`'s name, version, doc and parameters but no fields
/// (Kafka's `SchemaUtil.copySchemaBasics(source, SchemaBuilder.struct())`).
pub fn copy_schema_basics(source: &Schema) -> SchemaBuilder {
    let mut builder = Schema::struct_builder();
    if let Some(name) = &source.name {
        builder = builder.name(name.clone());
    }
    if let Some(version) = source.version {
        builder = builder.version(version);
    }
    if let Some(doc) = &source.doc {
        builder = builder.doc(doc.clone());
    }
    for (key, value) in &source.parameters {
        builder = builder.parameter(key.clone(), value.clone());
    }
    builder
}

/// The value of `key` in a map whose keys are strings (schemaless JSON objects).
pub fn map_entry<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// Kafka's `Schema.Type` constant name (`INT32`, `STRUCT`, …), as its error messages print it.
pub fn java_type_name(schema_type: SchemaType) -> &'static str {
    match schema_type {
        SchemaType::Int8 => "INT8",
        SchemaType::Int16 => "INT16",
        SchemaType::Int32 => "INT32",
        SchemaType::Int64 => "INT64",
        SchemaType::Float32 => "FLOAT32",
        SchemaType::Float64 => "FLOAT64",
        SchemaType::Boolean => "BOOLEAN",
        SchemaType::String => "STRING",
        SchemaType::Bytes => "BYTES",
        SchemaType::Array => "ARRAY",
        SchemaType::Map => "MAP",
        SchemaType::Struct => "STRUCT",
    }
}

/// `Schema{INT32}` or `Schema{name:INT64}`, as Kafka's `ConnectSchema.toString()` prints a schema.
pub fn kafka_schema_string(schema: &Schema) -> String {
    let schema_type = java_type_name(schema.schema_type);
    match &schema.name {
        Some(name) => format!("Schema{{{name}:{schema_type}}}"),
        None => format!("Schema{{{schema_type}}}"),
    }
}

/// The value of `field` in `value`, an unset field reading as null. With
/// `replace_null_with_default` a null becomes the field schema's default (Kafka's
/// `Struct.get(field)`); without, it stays null (`Struct.getWithoutDefault`).
pub fn field_value(value: &Struct, field: &Field, replace_null_with_default: bool) -> Value {
    match value.get(&field.name) {
        Some(v) if !v.is_null() => v.clone(),
        _ => match (&field.schema.default_value, replace_null_with_default) {
            (Some(default), true) => Value::clone(default),
            _ => Value::Null,
        },
    }
}

/// Kafka's null check when a value is put into a struct field (`Struct.put` →
/// `ConnectSchema.validateValue`): null is only valid for an optional field schema.
pub fn check_field_value(name: &str, schema: &Schema, value: &Value) -> Result<()> {
    if value.is_null() && !schema.optional {
        return Err(PluginError::new(format!(
            "Invalid value: null used for required field: \"{name}\", schema type: {}",
            java_type_name(schema.schema_type)
        )));
    }
    Ok(())
}

/// Add `fields` to the struct schema `builder` and build it, refusing a name used twice as
/// Kafka's `SchemaBuilder.field` does ([`SchemaBuilder::field`] would replace the earlier field).
pub fn build_struct(
    mut builder: SchemaBuilder,
    fields: impl IntoIterator<Item = (String, Schema)>,
) -> Result<Schema> {
    let mut names: Vec<String> = Vec::new();
    for (name, schema) in fields {
        if names.contains(&name) {
            return Err(PluginError::new(format!(
                "Cannot create field because of field name duplication {name}"
            )));
        }
        names.push(name.clone());
        builder = builder.field(name, schema);
    }
    Ok(builder.build())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_kafka() {
        assert_eq!(
            require_schema(None, "field insertion").unwrap_err().message,
            "Schema required for [field insertion]"
        );
        assert_eq!(
            require_map(Value::from("x"), "flattening")
                .unwrap_err()
                .message,
            "Only Map objects supported in absence of schema for [flattening], found: string"
        );
        assert_eq!(
            require_struct(Value::Int32(1), "masking")
                .unwrap_err()
                .message,
            "Only Struct objects supported for [masking], found: int32"
        );
        assert_eq!(require_struct_or_null(Value::Null, "x").unwrap(), None);
        assert_eq!(require_map_or_null(Value::Null, "x").unwrap(), None);
        let entries = require_map(Value::Map(vec![("a".into(), 1i32.into())]), "x").unwrap();
        assert_eq!(map_entry(&entries, "a"), Some(&Value::Int32(1)));
        assert_eq!(map_entry(&entries, "b"), None);
    }

    #[test]
    fn field_values_defaults_and_duplicates() {
        let schema = Schema::struct_builder()
            .field(
                "a",
                Schema::int32()
                    .to_builder()
                    .optional()
                    .default_value(Value::Int32(7))
                    .build(),
            )
            .build();
        let field = schema.field("a").unwrap();
        let empty = Struct::new();
        assert_eq!(field_value(&empty, field, true), Value::Int32(7));
        assert_eq!(field_value(&empty, field, false), Value::Null);
        assert_eq!(
            check_field_value("b", &Schema::int32(), &Value::Null)
                .unwrap_err()
                .message,
            "Invalid value: null used for required field: \"b\", schema type: INT32"
        );
        assert!(check_field_value("b", &Schema::optional_int32(), &Value::Null).is_ok());
        let duplicate = build_struct(
            Schema::struct_builder(),
            [
                ("x".to_string(), Schema::int8()),
                ("x".to_string(), Schema::int8()),
            ],
        );
        assert_eq!(
            duplicate.unwrap_err().message,
            "Cannot create field because of field name duplication x"
        );
        assert_eq!(java_type_name(SchemaType::Float64), "FLOAT64");
        assert_eq!(
            kafka_schema_string(&Schema::optional_int32()),
            "Schema{INT32}"
        );
    }

    #[test]
    fn copies_basics_without_fields() {
        let source = Schema::struct_builder()
            .name("n")
            .version(2)
            .doc("d")
            .parameter("p", "v")
            .field("f", Schema::int32())
            .optional()
            .build();
        let copy = copy_schema_basics(&source).build();
        assert_eq!(copy.name.as_deref(), Some("n"));
        assert_eq!(copy.version, Some(2));
        assert_eq!(copy.doc.as_deref(), Some("d"));
        assert_eq!(copy.parameter("p"), Some("v"));
        assert!(copy.fields.is_empty());
        assert!(!copy.optional);
    }
}
