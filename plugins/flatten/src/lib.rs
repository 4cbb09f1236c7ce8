//! `Flatten`: Kafka's `org.apache.kafka.connect.transforms.Flatten$Value` / `Flatten$Key`.
//!
//! Flattens nested structs (with a schema) or nested maps (schemaless) into one level, naming each
//! field by joining the names along its path with `delimiter` (default `.`). Arrays and their
//! contents are left as they are. A null value (tombstone) passes through unchanged.
//!
//! With a schema, a flattened field is optional when it or any struct above it is optional, and
//! takes its default from its own schema or else from the default value of the struct above it.
//! Map fields are not supported with a schema; a struct inside a schemaless map is not supported.

use std::sync::Arc;

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::java_type_name;
use wasm_connect_sdk::requirements::{copy_schema_basics, require_map, require_struct_or_null};

/// What the transform does, in Kafka's error messages (`[flattening]`).
const PURPOSE: &str = "flattening";

/// The `delimiter` config key.
pub const DELIMITER_CONFIG: &str = "delimiter";

/// The default of `delimiter`.
pub const DELIMITER_DEFAULT: &str = ".";

/// How many flattened schemas are kept (Kafka uses an LRU cache of 16).
const SCHEMA_CACHE_SIZE: usize = 16;

/// Kafka's `OVERVIEW_DOC` for `Flatten`.
pub const OVERVIEW_DOC: &str = "Flatten a nested data structure, generating names for each field by concatenating the field names at each level with a configurable delimiter character. Applies to Struct when schema present, or a Map in the case of schemaless data. Array fields and their contents are not modified. The default delimiter is '.'.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.Flatten$Key</code>) or value (<code>org.apache.kafka.connect.transforms.Flatten$Value</code>).";

/// The transform.
#[derive(Clone, Debug)]
pub struct Flatten {
    /// Inserted between the field names of each level.
    pub delimiter: String,
    /// Recently flattened schemas: (input schema, flattened schema), most recent first.
    cache: Vec<(Arc<Schema>, Arc<Schema>)>,
}

impl Flatten {
    /// A transform joining names with `delimiter`.
    pub fn new(delimiter: impl Into<String>) -> Flatten {
        Flatten {
            delimiter: delimiter.into(),
            cache: Vec::new(),
        }
    }

    fn field_name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    /// Flatten a record value: a struct with its schema, or a schemaless map. Null passes through.
    pub fn flatten(&mut self, mut data: SchemaAndValue) -> Result<SchemaAndValue> {
        if data.value.is_null() {
            return Ok(data);
        }
        match data.schema.take() {
            None => {
                let mut out = Vec::new();
                self.flatten_map(require_map(data.value, PURPOSE)?, "", &mut out)?;
                Ok(SchemaAndValue {
                    schema: None,
                    value: Value::Map(out),
                })
            }
            Some(schema) => {
                let value = require_struct_or_null(data.value, PURPOSE)?;
                let flat_schema = self.flattened_schema(&schema)?;
                let value = match value {
                    None => Value::Null,
                    Some(value) => {
                        let mut out = Struct {
                            fields: Vec::with_capacity(flat_schema.fields.len()),
                        };
                        self.flatten_struct(&schema, Some(&value), "", &flat_schema, &mut out)?;
                        Value::Struct(out)
                    }
                };
                Ok(SchemaAndValue {
                    schema: Some(flat_schema),
                    value,
                })
            }
        }
    }

    /// Copy the entries of a schemaless map into `out`, descending into nested maps.
    fn flatten_map(
        &self,
        entries: Vec<(Value, Value)>,
        prefix: &str,
        out: &mut Vec<(Value, Value)>,
    ) -> Result<()> {
        for (key, value) in entries {
            let Value::String(key) = key else {
                return Err(PluginError::new(format!(
                    "Only String map keys supported in absence of schema for [{PURPOSE}], found: {}",
                    key.kind()
                )));
            };
            let name = self.field_name(prefix, &key);
            match value {
                Value::Map(nested) => self.flatten_map(nested, &name, out)?,
                Value::Struct(_) => {
                    return Err(PluginError::new(format!(
                        "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field {name})."
                    )));
                }
                value => {
                    // A later entry with the same flattened name replaces the earlier one in place,
                    // as Kafka's LinkedHashMap does.
                    let key = Value::String(name);
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => out.push((key, value)),
                    }
                }
            }
        }
        Ok(())
    }

    /// The flattened schema of `schema`, from the cache when it was seen recently.
    fn flattened_schema(&mut self, schema: &Arc<Schema>) -> Result<Arc<Schema>> {
        if let Some(pos) = self
            .cache
            .iter()
            .position(|(k, _)| Arc::ptr_eq(k, schema) || **k == **schema)
        {
            let entry = self.cache.remove(pos);
            let flat = Arc::clone(&entry.1);
            self.cache.insert(0, entry);
            return Ok(flat);
        }
        let flat = Arc::new(self.build_flattened_schema(schema)?);
        self.cache
            .insert(0, (Arc::clone(schema), Arc::clone(&flat)));
        self.cache.truncate(SCHEMA_CACHE_SIZE);
        Ok(flat)
    }

    /// Build the flattened schema of a struct schema (uncached).
    pub fn build_flattened_schema(&self, schema: &Schema) -> Result<Schema> {
        if schema.schema_type != SchemaType::Struct {
            return Err(PluginError::new("Cannot list fields on non-struct type"));
        }
        let mut fields = Vec::new();
        self.collect_fields(
            schema,
            "",
            schema.optional,
            schema.default_value.as_deref(),
            &mut fields,
        )?;
        let mut builder = copy_schema_basics(schema);
        for (name, field_schema) in fields {
            builder = builder.field(name, field_schema);
        }
        Ok(builder.build())
    }

    /// Append the flattened fields of struct `schema` to `out`. `optional` is true when an
    /// enclosing struct is optional; `parent_default` is the default of the enclosing struct.
    fn collect_fields(
        &self,
        schema: &Schema,
        prefix: &str,
        optional: bool,
        parent_default: Option<&Value>,
        out: &mut Vec<(String, Schema)>,
    ) -> Result<()> {
        for field in schema.fields.iter() {
            let name = self.field_name(prefix, &field.name);
            let field_optional = optional || field.schema.optional;
            let default = match field.schema.default_value.as_deref() {
                Some(own) if !own.is_null() => Some(own),
                _ => match parent_default {
                    Some(Value::Struct(parent)) => parent.get(&field.name).filter(|v| !v.is_null()),
                    _ => None,
                },
            };
            match field.schema.schema_type {
                SchemaType::Struct => {
                    self.collect_fields(&field.schema, &name, field_optional, default, out)?;
                }
                SchemaType::Map => return Err(unsupported_with_schema(SchemaType::Map, &name)),
                _ => {
                    if out.iter().any(|(existing, _)| *existing == name) {
                        return Err(PluginError::new(format!(
                            "Cannot create field because of field name duplication {name}"
                        )));
                    }
                    out.push((
                        name,
                        flattened_field_schema(&field.schema, field_optional, default),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Append the flattened values of `value` (of struct `schema`) to `out`, whose schema is
    /// `flat`. A null nested struct gives null for each of its flattened fields.
    fn flatten_struct(
        &self,
        schema: &Schema,
        value: Option<&Struct>,
        prefix: &str,
        flat: &Schema,
        out: &mut Struct,
    ) -> Result<()> {
        for field in schema.fields.iter() {
            let name = self.field_name(prefix, &field.name);
            let field_value = value.map_or(&Value::Null, |s| value_with_default(s, field));
            match field.schema.schema_type {
                SchemaType::Struct => {
                    let nested = require_struct_or_null(field_value.clone(), PURPOSE)?;
                    self.flatten_struct(&field.schema, nested.as_ref(), &name, flat, out)?;
                }
                SchemaType::Map => return Err(unsupported_with_schema(SchemaType::Map, &name)),
                _ => {
                    if value.is_some() && field_value.is_null() {
                        // Kafka's Struct.put validates against the flattened field's schema.
                        // Leaves are emitted in the order of the flattened schema's fields.
                        let optional = flat
                            .fields
                            .get(out.fields.len())
                            .is_none_or(|f| f.schema.optional);
                        if !optional {
                            return Err(PluginError::new(format!(
                                "Invalid value: null used for required field: \"{name}\", schema type: {}",
                                java_type_name(field.schema.schema_type)
                            )));
                        }
                    }
                    out.fields.push((name, field_value.clone()));
                }
            }
        }
        Ok(())
    }
}

/// The value of `field` in `value`, or the field's default when it is null (Kafka's
/// `Struct.get(Field)`).
fn value_with_default<'a>(value: &'a Struct, field: &'a Field) -> &'a Value {
    // Struct fields usually follow the schema order: try the field's position first.
    let raw = match value.fields.get(field.index) {
        Some((name, v)) if *name == field.name => Some(v),
        _ => value.get(&field.name),
    };
    match raw {
        Some(v) if !v.is_null() => v,
        _ => field
            .schema
            .default_value
            .as_deref()
            .unwrap_or(&Value::Null),
    }
}

/// The schema of a flattened primitive or array field: `orig`'s type, name, version, doc and
/// parameters (and element schema for arrays), made optional and given a default as asked
/// (Kafka's `convertFieldSchema`).
fn flattened_field_schema(orig: &Schema, optional: bool, default: Option<&Value>) -> Schema {
    let mut schema = Schema::new(orig.schema_type);
    if orig.schema_type == SchemaType::Array {
        schema.value_schema.clone_from(&orig.value_schema);
    }
    schema.name.clone_from(&orig.name);
    schema.version = orig.version;
    schema.doc.clone_from(&orig.doc);
    schema.parameters.clone_from(&orig.parameters);
    schema.optional = optional;
    schema.default_value = default.map(|d| Arc::new(d.clone()));
    schema
}

/// Kafka's error for a field type Flatten cannot handle with a schema.
fn unsupported_with_schema(schema_type: SchemaType, name: &str) -> PluginError {
    PluginError::new(format!(
        "Flatten transformation does not support {} for record with schemas (for field {name}).",
        java_type_name(schema_type)
    ))
}

impl Plugin for Flatten {
    fn info() -> PluginInfo {
        PluginInfo::new("Flatten")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("Flatten$Value")
            .alias("Flatten$Key")
            .alias("org.apache.kafka.connect.transforms.Flatten$Value")
            .alias("org.apache.kafka.connect.transforms.Flatten$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string(DELIMITER_CONFIG)
                .default_value(DELIMITER_DEFAULT)
                .importance(Importance::Medium)
                .doc("Delimiter to insert between field names from the input record when generating field names for the output record"),
        ]
    }
}

impl Transform for Flatten {
    fn configure(config: Config) -> Result<Self> {
        Ok(Flatten::new(
            config.string_or(DELIMITER_CONFIG, DELIMITER_DEFAULT),
        ))
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        record.value = self.flatten(std::mem::take(&mut record.value))?;
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(Flatten);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn transform(config: &[(&str, &str)]) -> Flatten {
        Flatten::configure(config.iter().copied().collect()).unwrap()
    }

    fn record(value: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: "topic".into(),
            kafka_partition: Some(0),
            value,
            ..Default::default()
        }
    }

    fn apply(config: &[(&str, &str)], value: SchemaAndValue) -> Result<SchemaAndValue> {
        transform(config)
            .apply(record(value))
            .map(|r| r.unwrap().value)
    }

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    fn supported_types_schema() -> Schema {
        Schema::struct_builder()
            .field("int8", Schema::int8())
            .field("int16", Schema::int16())
            .field("int32", Schema::int32())
            .field("int64", Schema::int64())
            .field("float32", Schema::float32())
            .field("float64", Schema::float64())
            .field("boolean", Schema::boolean())
            .field("string", Schema::string())
            .field("bytes", Schema::bytes())
            .build()
    }

    fn supported_types() -> Vec<(&'static str, Value)> {
        vec![
            ("int8", Value::Int8(8)),
            ("int16", Value::Int16(16)),
            ("int32", Value::Int32(32)),
            ("int64", Value::Int64(64)),
            ("float32", Value::Float32(32.0)),
            ("float64", Value::Float64(64.0)),
            ("boolean", Value::Boolean(true)),
            ("string", Value::String("stringy".into())),
            ("bytes", Value::Bytes(b"bytes".to_vec())),
        ]
    }

    fn unwrap_struct(value: Value) -> Struct {
        match value {
            Value::Struct(s) => s,
            other => panic!("expected a struct, got {other:?}"),
        }
    }

    // FlattenTest.topLevelStructRequired
    #[test]
    fn top_level_struct_required() {
        let err = apply(&[], SchemaAndValue::new(Schema::int32(), 42i32)).unwrap_err();
        assert_eq!(
            err.message,
            "Only Struct objects supported for [flattening], found: int32"
        );
    }

    // FlattenTest.topLevelMapRequired
    #[test]
    fn top_level_map_required() {
        let err = apply(&[], SchemaAndValue::schemaless(42i32)).unwrap_err();
        assert_eq!(
            err.message,
            "Only Map objects supported in absence of schema for [flattening], found: int32"
        );
    }

    // FlattenTest.testNestedStruct
    #[test]
    fn nested_struct_is_flattened_with_dotted_names() {
        let supported_schema = supported_types_schema();
        let one_level = Schema::struct_builder()
            .field("B", supported_schema)
            .build();
        let two_level = Schema::struct_builder().field("A", one_level).build();
        let mut supported = Struct::new();
        for (name, v) in supported_types() {
            supported.set(name, v);
        }
        let value = Struct::new().put("A", Struct::new().put("B", supported));

        let out = apply(&[], SchemaAndValue::new(two_level, value)).unwrap();

        let schema = out.schema.unwrap();
        assert_eq!(schema.schema_type, SchemaType::Struct);
        assert_eq!(schema.fields.len(), 9);
        let s = unwrap_struct(out.value);
        assert_eq!(s.fields.len(), 9);
        for (name, v) in supported_types() {
            let flat = format!("A.B.{name}");
            assert_eq!(s.get(&flat), Some(&v), "{flat}");
            let field = schema.field(&flat).unwrap();
            assert!(!field.schema.optional, "{flat}");
        }
        assert_eq!(
            schema.field("A.B.float64").unwrap().schema.schema_type,
            SchemaType::Float64
        );
    }

    // FlattenTest.testNestedMapWithDelimiter
    #[test]
    fn nested_map_is_flattened_with_configured_delimiter() {
        let value = map(vec![(
            "A",
            map(vec![(
                "B",
                Value::Map(
                    supported_types()
                        .into_iter()
                        .map(|(k, v)| (k.into(), v))
                        .collect(),
                ),
            )]),
        )]);

        let out = apply(&[("delimiter", "#")], SchemaAndValue::schemaless(value)).unwrap();

        assert!(out.schema.is_none());
        let Value::Map(entries) = &out.value else {
            panic!("expected a map, got {:?}", out.value)
        };
        assert_eq!(entries.len(), 9);
        for (name, v) in supported_types() {
            assert_eq!(out.value.map_get(&format!("A#B#{name}")), Some(&v));
        }
    }

    // FlattenTest.testOptionalFieldStruct
    #[test]
    fn optional_null_field_in_nested_struct_stays_null() {
        let inner = Schema::struct_builder()
            .field("opt_int32", Schema::optional_int32())
            .build();
        let schema = Schema::struct_builder().field("B", inner).build();
        let value = Struct::new().put("B", Struct::new().put("opt_int32", Value::Null));

        let out = apply(&[], SchemaAndValue::new(schema, value)).unwrap();

        assert_eq!(out.schema.unwrap().schema_type, SchemaType::Struct);
        assert_eq!(
            unwrap_struct(out.value),
            Struct::new().put("B.opt_int32", Value::Null)
        );
    }

    // FlattenTest.testOptionalStruct
    #[test]
    fn null_optional_struct_passes_through() {
        let schema = Schema::struct_builder()
            .optional()
            .field("opt_int32", Schema::optional_int32())
            .build();

        let out = apply(&[], SchemaAndValue::new(schema.clone(), Value::Null)).unwrap();

        assert_eq!(out.schema.as_deref(), Some(&schema));
        assert_eq!(out.value, Value::Null);
    }

    // FlattenTest.testOptionalNestedStruct
    #[test]
    fn null_optional_nested_struct_gives_null_fields() {
        let inner = Schema::struct_builder()
            .optional()
            .field("opt_int32", Schema::optional_int32())
            .build();
        let schema = Schema::struct_builder().field("B", inner).build();
        let value = Struct::new().put("B", Value::Null);

        let out = apply(&[], SchemaAndValue::new(schema, value)).unwrap();

        let flat = out.schema.unwrap();
        assert!(flat.field("B.opt_int32").unwrap().schema.optional);
        assert_eq!(
            unwrap_struct(out.value),
            Struct::new().put("B.opt_int32", Value::Null)
        );
    }

    // FlattenTest.testOptionalFieldMap
    #[test]
    fn null_entry_in_nested_map_stays_null() {
        let value = map(vec![("B", map(vec![("opt_int32", Value::Null)]))]);

        let out = apply(&[], SchemaAndValue::schemaless(value)).unwrap();

        assert!(out.schema.is_none());
        assert_eq!(out.value, map(vec![("B.opt_int32", Value::Null)]));
    }

    // FlattenTest.testKey: the host hands the key over in `record.value`.
    #[test]
    fn key_form_flattens_the_key() {
        let key = map(vec![("A", map(vec![("B", Value::Int32(12))]))]);
        let mut t = transform(&[]);
        let swapped = ConnectRecord {
            topic: "topic".into(),
            key: SchemaAndValue::null(),
            value: SchemaAndValue::schemaless(key),
            ..Default::default()
        };

        let out = t.apply(swapped).unwrap().unwrap();

        assert!(out.value.schema.is_none());
        assert_eq!(out.value.value, map(vec![("A.B", Value::Int32(12))]));
        assert_eq!(out.key, SchemaAndValue::null());
        assert!(
            Flatten::info()
                .aliases
                .iter()
                .any(|a| a == "org.apache.kafka.connect.transforms.Flatten$Key")
        );
    }

    // FlattenTest.testSchemalessArray
    #[test]
    fn schemaless_arrays_are_not_modified() {
        let value = map(vec![(
            "foo",
            Value::Array(vec![
                "bar".into(),
                map(vec![("baz", map(vec![("lfg", "lfg".into())]))]),
            ]),
        )]);

        let out = apply(&[], SchemaAndValue::schemaless(value.clone())).unwrap();

        assert_eq!(out.value, value);
    }

    // FlattenTest.testArrayWithSchema
    #[test]
    fn arrays_with_schema_are_not_modified() {
        let nested = Schema::struct_builder()
            .field("lfg", Schema::string())
            .build();
        let inner = Schema::struct_builder().field("baz", nested).build();
        let array = Schema::array(inner).to_builder().doc("durk").build();
        let schema = Schema::struct_builder().field("foo", array).build();
        let value = Struct::new().put(
            "foo",
            Value::Array(vec![
                Struct::new()
                    .put("baz", Struct::new().put("lfg", "lfg"))
                    .into(),
            ]),
        );

        let out = apply(&[], SchemaAndValue::new(schema.clone(), value.clone())).unwrap();

        assert_eq!(out.value, Value::Struct(value));
        assert_eq!(out.schema.as_deref(), Some(&schema));
    }

    // FlattenTest.testOptionalAndDefaultValuesNested
    #[test]
    fn optional_and_default_values_come_from_parent_struct() {
        let child = Schema::struct_builder()
            .optional()
            .field("req_field", Schema::string())
            .field(
                "opt_field",
                Schema::optional_string()
                    .to_builder()
                    .default_value("child_default".into())
                    .build(),
            );
        let schema = child
            .default_value(Struct::new().put("req_field", "req_default").into())
            .build();

        let out = apply(&[], SchemaAndValue::new(schema, Struct::new())).unwrap();

        let flat = out.schema.unwrap();
        assert_eq!(flat.schema_type, SchemaType::Struct);
        assert_eq!(flat.fields.len(), 2);
        assert_eq!(
            flat.field("req_field").unwrap().schema,
            Schema::optional_string()
                .to_builder()
                .default_value("req_default".into())
                .build()
        );
        assert_eq!(
            flat.field("opt_field").unwrap().schema,
            Schema::optional_string()
                .to_builder()
                .default_value("child_default".into())
                .build()
        );
        // Unset values read as their (own) defaults, as Kafka's Struct.get does.
        assert_eq!(
            unwrap_struct(out.value),
            Struct::new()
                .put("req_field", Value::Null)
                .put("opt_field", "child_default")
        );
    }

    // FlattenTest.tombstoneEventWithoutSchemaShouldPassThrough
    #[test]
    fn tombstone_without_schema_passes_through() {
        let out = apply(&[], SchemaAndValue::null()).unwrap();
        assert_eq!(out, SchemaAndValue::null());
    }

    // FlattenTest.tombstoneEventWithSchemaShouldPassThrough
    #[test]
    fn tombstone_with_schema_passes_through() {
        let schema = Schema::struct_builder()
            .name("name")
            .version(1)
            .doc("doc")
            .field("magic", Schema::optional_int64())
            .build();

        let out = apply(&[], SchemaAndValue::new(schema.clone(), Value::Null)).unwrap();

        assert_eq!(out.value, Value::Null);
        assert_eq!(out.schema.as_deref(), Some(&schema));
    }

    // FlattenTest.testMapWithNullFields
    #[test]
    fn map_with_null_fields_keeps_order() {
        let value = map(vec![
            ("firstNull", Value::Null),
            ("firstNonNull", "nonNull".into()),
            ("secondNull", Value::Null),
            ("secondNonNull", "alsoNonNull".into()),
            ("thirdNonNull", Value::Null),
        ]);

        let out = apply(&[], SchemaAndValue::schemaless(value.clone())).unwrap();

        assert_eq!(out.value, value);
    }

    // FlattenTest.testStructWithNullFields
    #[test]
    fn struct_with_null_fields_is_unchanged() {
        let names = [
            "firstNull",
            "firstNonNull",
            "secondNull",
            "secondNonNull",
            "thirdNonNull",
        ];
        let mut builder = Schema::struct_builder();
        for name in names {
            builder = builder.field(name, Schema::optional_string());
        }
        let schema = builder.build();
        let value = Struct::new()
            .put("firstNull", Value::Null)
            .put("firstNonNull", "nonNull")
            .put("secondNull", Value::Null)
            .put("secondNonNull", "alsoNonNull")
            .put("thirdNonNull", Value::Null);

        let out = apply(&[], SchemaAndValue::new(schema.clone(), value.clone())).unwrap();

        assert_eq!(out.value, Value::Struct(value));
        assert_eq!(out.schema.as_deref(), Some(&schema));
    }

    #[test]
    fn map_field_with_schema_is_rejected() {
        let schema = Schema::struct_builder()
            .field(
                "A",
                Schema::struct_builder()
                    .field("m", Schema::map(Schema::string(), Schema::int32()))
                    .build(),
            )
            .build();
        let value = Struct::new().put("A", Struct::new().put("m", Value::Map(vec![])));

        let err = apply(&[], SchemaAndValue::new(schema, value)).unwrap_err();

        assert_eq!(
            err.message,
            "Flatten transformation does not support MAP for record with schemas (for field A.m)."
        );
    }

    #[test]
    fn struct_inside_schemaless_map_is_rejected() {
        let value = map(vec![("A", map(vec![("s", Struct::new().into())]))]);

        let err = apply(&[], SchemaAndValue::schemaless(value)).unwrap_err();

        assert_eq!(
            err.message,
            "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field A.s)."
        );
    }

    #[test]
    fn duplicate_flattened_field_name_is_rejected() {
        let schema = Schema::struct_builder()
            .field("A.B", Schema::int32())
            .field(
                "A",
                Schema::struct_builder().field("B", Schema::int32()).build(),
            )
            .build();
        let value = Struct::new()
            .put("A.B", 1i32)
            .put("A", Struct::new().put("B", 2i32));

        let err = apply(&[], SchemaAndValue::new(schema, value)).unwrap_err();

        assert_eq!(
            err.message,
            "Cannot create field because of field name duplication A.B"
        );
    }

    #[test]
    fn null_in_required_field_is_rejected() {
        let schema = Schema::struct_builder()
            .field(
                "A",
                Schema::struct_builder()
                    .field("B", Schema::string())
                    .build(),
            )
            .build();
        let value = Struct::new().put("A", Struct::new().put("B", Value::Null));

        let err = apply(&[], SchemaAndValue::new(schema, value)).unwrap_err();

        assert_eq!(
            err.message,
            "Invalid value: null used for required field: \"A.B\", schema type: STRING"
        );
    }

    #[test]
    fn schema_basics_are_kept_and_cache_is_reused() {
        let schema = Arc::new(
            Schema::struct_builder()
                .name("n")
                .version(3)
                .doc("d")
                .parameter("p", "v")
                .field(
                    "A",
                    Schema::struct_builder()
                        .field(
                            "t",
                            Schema::int64()
                                .to_builder()
                                .name("org.apache.kafka.connect.data.Timestamp")
                                .version(1)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
        let mut t = transform(&[("delimiter", "_")]);
        let first = t.flattened_schema(&schema).unwrap();
        let second = t.flattened_schema(&Arc::new((*schema).clone())).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(first.name.as_deref(), Some("n"));
        assert_eq!(first.version, Some(3));
        assert_eq!(first.doc.as_deref(), Some("d"));
        assert_eq!(first.parameter("p"), Some("v"));
        let field = first.field("A_t").unwrap();
        assert_eq!(
            field.schema.name.as_deref(),
            Some("org.apache.kafka.connect.data.Timestamp")
        );
        assert_eq!(field.schema.version, Some(1));
    }

    #[test]
    fn config_definition_matches_kafka() {
        let def = Flatten::config_def();
        assert_eq!(def.len(), 1);
        assert_eq!(def[0].name, "delimiter");
        assert_eq!(def[0].default_value.as_deref(), Some("."));
        assert_eq!(transform(&[]).delimiter, ".");
        assert_eq!(Flatten::info().name, "Flatten");
        assert_eq!(Flatten::info().description, OVERVIEW_DOC);
    }
}
