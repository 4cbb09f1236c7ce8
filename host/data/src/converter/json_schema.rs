//! Kafka Connect's JSON schema format (the `"schema"` half of a JsonConverter envelope):
//! `{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,…}`.

use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::ConversionError;
use super::json::{JsonConverter, Path};
use crate::{Field, Schema, SchemaType};

fn invalid(path: &Path<'_>, message: impl Into<String>) -> ConversionError {
    ConversionError::InvalidSchema {
        path: path.to_string(),
        message: message.into(),
    }
}

/// `schema` as Kafka's JsonConverter writes it (`JsonConverter.asJsonSchema`), key order included.
pub(super) fn schema_to_json(
    conv: &JsonConverter,
    schema: &Schema,
    path: &Path<'_>,
) -> Result<Json, ConversionError> {
    let mut o = Map::new();
    o.insert("type".into(), schema.schema_type.name().into());
    let child = |s: &Option<Arc<Schema>>, what: &'static str| match s {
        Some(s) => schema_to_json(conv, s, &path.field(what)),
        None => Err(invalid(
            path,
            format!("{} schema has no {what} schema", schema.schema_type),
        )),
    };
    match schema.schema_type {
        SchemaType::Array => {
            o.insert("items".into(), child(&schema.value_schema, "items")?);
        }
        SchemaType::Map => {
            o.insert("keys".into(), child(&schema.key_schema, "keys")?);
            o.insert("values".into(), child(&schema.value_schema, "values")?);
        }
        SchemaType::Struct => {
            let fields_path = path.field("fields");
            let fields = schema
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let mut j = schema_to_json(conv, &f.schema, &fields_path.index(i))?;
                    if let Json::Object(m) = &mut j {
                        m.insert("field".into(), f.name.clone().into());
                    }
                    Ok(j)
                })
                .collect::<Result<Vec<_>, ConversionError>>()?;
            o.insert("fields".into(), Json::Array(fields));
        }
        _ => {}
    }
    o.insert("optional".into(), schema.optional.into());
    if let Some(name) = &schema.name {
        o.insert("name".into(), name.clone().into());
    }
    if let Some(version) = schema.version {
        o.insert("version".into(), version.into());
    }
    if let Some(doc) = &schema.doc {
        o.insert("doc".into(), doc.clone().into());
    }
    if !schema.parameters.is_empty() {
        let params = schema
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect();
        o.insert("parameters".into(), Json::Object(params));
    }
    if let Some(default) = schema.default_value.as_deref().filter(|d| !d.is_null()) {
        let json = conv.value_to_json(Some(schema), default, &path.field("default"))?;
        o.insert("default".into(), json);
    }
    Ok(Json::Object(o))
}

/// Parse a Kafka JSON schema (`JsonConverter.asConnectSchema`); JSON null means no schema.
pub(super) fn schema_from_json(
    conv: &JsonConverter,
    json: &Json,
    path: &Path<'_>,
) -> Result<Option<Schema>, ConversionError> {
    let o = match json {
        Json::Null => return Ok(None),
        Json::Object(o) => o,
        _ => return Err(invalid(path, "a schema must be a JSON object or null")),
    };
    let type_name = o
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| invalid(path, "Schema must contain 'type' field"))?;
    let schema_type = SchemaType::from_name(type_name)
        .ok_or_else(|| invalid(path, format!("Unknown schema type: {type_name}")))?;
    let mut schema = Schema::new(schema_type);
    let child = |key: &'static str, missing: &str| -> Result<Arc<Schema>, ConversionError> {
        let p = path.field(key);
        let j = o.get(key).ok_or_else(|| invalid(path, missing))?;
        schema_from_json(conv, j, &p)?
            .map(Arc::new)
            .ok_or_else(|| invalid(&p, "schema must not be null"))
    };
    match schema_type {
        SchemaType::Array => {
            schema.value_schema = Some(child(
                "items",
                "Array schema did not specify the element type",
            )?);
        }
        SchemaType::Map => {
            schema.key_schema = Some(child("keys", "Map schema did not specify the key type")?);
            schema.value_schema = Some(child(
                "values",
                "Map schema did not specify the value type",
            )?);
        }
        SchemaType::Struct => {
            let fields_path = path.field("fields");
            let fields = o.get("fields").and_then(Json::as_array).ok_or_else(|| {
                invalid(path, "Struct schema's \"fields\" argument is not an array.")
            })?;
            let mut out: Vec<Field> = Vec::with_capacity(fields.len());
            for (index, f) in fields.iter().enumerate() {
                let p = fields_path.index(index);
                let name = f.get("field").and_then(Json::as_str).ok_or_else(|| {
                    invalid(&p, "Struct schema's field name not specified properly")
                })?;
                if out.iter().any(|existing| existing.name == name) {
                    return Err(invalid(&p, format!("duplicate field name '{name}'")));
                }
                let field_schema = schema_from_json(conv, f, &p)?
                    .ok_or_else(|| invalid(&p, "field schema must not be null"))?;
                out.push(Field {
                    name: name.to_string(),
                    index,
                    schema: field_schema,
                });
            }
            schema.fields = Arc::new(out);
        }
        _ => {}
    }
    schema.optional = match o.get("optional") {
        None | Some(Json::Null) => false,
        Some(Json::Bool(b)) => *b,
        Some(_) => return Err(invalid(path, "'optional' must be a boolean")),
    };
    let string = |key: &str| match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(path, format!("'{key}' must be a string"))),
    };
    schema.name = string("name")?;
    schema.doc = string("doc")?;
    schema.version = match o.get("version") {
        None | Some(Json::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| invalid(path, "'version' must be a 32-bit integer"))?,
        ),
    };
    match o.get("parameters") {
        None | Some(Json::Null) => {}
        Some(Json::Object(params)) => {
            for (k, v) in params {
                let v = v
                    .as_str()
                    .ok_or_else(|| invalid(path, "Schema parameters must have string values."))?;
                schema.parameters.push((k.clone(), v.to_string()));
            }
        }
        Some(_) => return Err(invalid(path, "'parameters' must be a JSON object")),
    }
    if let Some(default) = o.get("default").filter(|d| !d.is_null()) {
        let value = conv.json_to_value(Some(&schema), default, &path.field("default"))?;
        schema.default_value = Some(Arc::new(value));
    }
    Ok(Some(schema))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{Struct, Value};

    fn round_trip(schema: &Schema) -> Json {
        let conv = JsonConverter::default();
        let j = schema_to_json(&conv, schema, &Path::Root).unwrap();
        let back = schema_from_json(&conv, &j, &Path::Root).unwrap().unwrap();
        assert_eq!(&back, schema, "{j}");
        j
    }

    #[test]
    fn primitive_schemas() {
        for t in [
            SchemaType::Int8,
            SchemaType::Int16,
            SchemaType::Int32,
            SchemaType::Int64,
            SchemaType::Float32,
            SchemaType::Float64,
            SchemaType::Boolean,
            SchemaType::String,
            SchemaType::Bytes,
        ] {
            let j = round_trip(&Schema::new(t));
            assert_eq!(j, json!({"type": t.name(), "optional": false}));
            round_trip(&Schema::new(t).into_optional());
        }
    }

    #[test]
    fn complex_schemas_match_kafka() {
        let schema = Schema::struct_builder()
            .name("com.example.Order")
            .version(3)
            .doc("an order")
            .parameter("p", "v")
            .field("tags", Schema::array(Schema::string()))
            .field(
                "counts",
                Schema::map(Schema::string(), Schema::optional_int64()),
            )
            .field(
                "inner",
                Schema::struct_builder()
                    .field("x", Schema::float64())
                    .optional()
                    .build(),
            )
            .field(
                "level",
                Schema::int32()
                    .to_builder()
                    .default_value(Value::Int32(5))
                    .build(),
            )
            .build();
        let j = round_trip(&schema);
        let expected = json!({
            "type": "struct",
            "fields": [
                {"type": "array", "items": {"type": "string", "optional": false}, "optional": false, "field": "tags"},
                {"type": "map", "keys": {"type": "string", "optional": false},
                 "values": {"type": "int64", "optional": true}, "optional": false, "field": "counts"},
                {"type": "struct", "fields": [{"type": "double", "optional": false, "field": "x"}],
                 "optional": true, "field": "inner"},
                {"type": "int32", "optional": false, "default": 5, "field": "level"}
            ],
            "optional": false,
            "name": "com.example.Order",
            "version": 3,
            "doc": "an order",
            "parameters": {"p": "v"}
        });
        // Compare text so key order counts too.
        assert_eq!(j.to_string(), expected.to_string());
    }

    #[test]
    fn struct_default_round_trips() {
        let inner = Schema::struct_builder().field("a", Schema::int32()).build();
        let schema = inner
            .to_builder()
            .default_value(Value::Struct(Struct::new().put("a", 1i32)))
            .build();
        let j = round_trip(&schema);
        assert_eq!(j["default"], json!({"a": 1}));
    }

    #[test]
    fn bad_schemas_are_rejected() {
        let conv = JsonConverter::default();
        let cases = [
            (
                json!({"optional": false}),
                "Schema must contain 'type' field",
            ),
            (json!({"type": "uuid"}), "Unknown schema type: uuid"),
            (
                json!({"type": "array"}),
                "Array schema did not specify the element type",
            ),
            (
                json!({"type": "map", "keys": {"type": "string"}}),
                "did not specify the value type",
            ),
            (json!({"type": "struct", "fields": {}}), "is not an array"),
            (
                json!({"type": "struct", "fields": [{"type": "int32"}]}),
                "$.fields[0]: Struct schema's field name",
            ),
            (
                json!({"type": "int32", "parameters": {"a": 1}}),
                "must have string values",
            ),
            (
                json!({"type": "int32", "default": "x"}),
                "$.default: expected int32, got string",
            ),
            (json!(5), "must be a JSON object or null"),
        ];
        for (j, msg) in cases {
            let err = schema_from_json(&conv, &j, &Path::Root).unwrap_err();
            assert!(err.to_string().contains(msg), "{j}: {err}");
        }
    }
}
