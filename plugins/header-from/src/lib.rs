//! `HeaderFrom`: Kafka's `org.apache.kafka.connect.transforms.HeaderFrom$Key` / `$Value`. Moves or
//! copies fields of the record value (or key, selected as `HeaderFrom$Key`) into headers.
//!
//! The i-th entry of `fields` goes to a header named by the i-th entry of `headers`; headers are
//! appended after the existing ones (a header of the same name is kept). With `operation=move` the
//! fields are removed from the value and its schema (which keeps the name, version, doc and
//! parameters of the original but, as in Kafka, not its optionality). Like Kafka, null values
//! (tombstones) are rejected: the value must be a Struct (with a schema) or a Map (without).

use std::sync::Arc;

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::{copy_schema_basics, map_entry, require_map, require_struct};
use wasm_connect_sdk::requirements::{java_type_name, kafka_schema_string};

/// Kafka's `HeaderFrom.OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Moves or copies fields in the key/value of a record into that \
record's headers. Corresponding elements of <code>fields</code> and <code>headers</code> together \
identify a field and the header it should be moved or copied to. Use the concrete transformation \
type designed for the record key (<code>org.apache.kafka.connect.transforms.HeaderFrom$Key</code>) \
or value (<code>org.apache.kafka.connect.transforms.HeaderFrom$Value</code>).";

/// Config key: the field names to copy or move.
pub const FIELDS_FIELD: &str = "fields";
/// Config key: the header names, in the order of `fields`.
pub const HEADERS_FIELD: &str = "headers";
/// Config key: `move` or `copy`.
pub const OPERATION_FIELD: &str = "operation";
/// Config key: whether a null field with a default value is read as its default.
pub const REPLACE_NULL_WITH_DEFAULT_FIELD: &str = "replace.null.with.default";

/// Whether fields are removed from the value (`move`) or kept (`copy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Remove the fields from the value.
    Move,
    /// Keep the fields in the value.
    Copy,
}

impl Operation {
    /// Kafka's name of the operation.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Move => "move",
            Operation::Copy => "copy",
        }
    }
}

/// The transform.
#[derive(Clone, Debug)]
pub struct HeaderFrom {
    /// Field names, in order.
    pub fields: Vec<String>,
    /// Header names, one per field.
    pub headers: Vec<String>,
    /// Move or copy.
    pub operation: Operation,
    /// Read a null field with a default value as the default.
    pub replace_null_with_default: bool,
}

/// Java's `String.trim()` (Kafka trims string config values).
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

impl HeaderFrom {
    fn purpose(&self) -> String {
        format!("header {}", self.operation.name())
    }

    /// Kafka's `getFieldValue`: the field's value, or its default when null (if configured).
    fn field_value(&self, value: &Struct, field: &Field) -> Value {
        let raw = value.get(&field.name).cloned().unwrap_or_default();
        if raw.is_null()
            && self.replace_null_with_default
            && let Some(default) = &field.schema.default_value
        {
            return (**default).clone();
        }
        raw
    }

    fn apply_schemaless(&self, mut record: ConnectRecord, value: Value) -> Result<ConnectRecord> {
        let original = require_map(value, &self.purpose())?;
        let mut updated = original.clone();
        for (field, header) in self.fields.iter().zip(&self.headers) {
            let field_value = map_entry(&original, field).cloned().unwrap_or_default();
            if self.operation == Operation::Move {
                updated.retain(|(k, _)| k.as_str() != Some(field.as_str()));
            }
            record.headers.push(Header {
                key: header.clone(),
                value: SchemaAndValue::schemaless(field_value),
            });
        }
        record.value = SchemaAndValue::schemaless(Value::Map(updated));
        Ok(record)
    }

    fn apply_with_schema(
        &self,
        mut record: ConnectRecord,
        schema: Arc<Schema>,
        value: Value,
    ) -> Result<ConnectRecord> {
        let value = require_struct(value, &self.purpose())?;
        let (updated_schema, updated_value) = match self.operation {
            Operation::Move => {
                let mut builder = copy_schema_basics(&schema);
                for field in schema.fields.iter() {
                    if !self.fields.contains(&field.name) {
                        builder = builder.field(field.name.clone(), field.schema.clone());
                    }
                }
                let moved_schema = builder.build();
                let mut moved = Struct::new();
                for field in moved_schema.fields.iter() {
                    let v = self.field_value(&value, field);
                    if v.is_null() && !field.schema.optional {
                        return Err(PluginError::new(format!(
                            "Invalid value: null used for required field: \"{}\", schema type: {}",
                            field.name,
                            java_type_name(field.schema.schema_type)
                        )));
                    }
                    moved.set(field.name.clone(), v);
                }
                (Arc::new(moved_schema), moved)
            }
            Operation::Copy => (schema.clone(), value.clone()),
        };
        for (field_name, header) in self.fields.iter().zip(&self.headers) {
            let Some(field) = schema.field(field_name) else {
                return Err(PluginError::new(format!(
                    "Field {field_name} does not exist in the schema for [{}]",
                    self.purpose()
                )));
            };
            let field_value = self.field_value(&value, field);
            if field_value.is_null() && !field.schema.optional {
                return Err(PluginError::new(format!(
                    "A null value requires an optional schema but was {}",
                    kafka_schema_string(&field.schema)
                )));
            }
            record.headers.push(Header {
                key: header.clone(),
                value: SchemaAndValue {
                    schema: Some(Arc::new(field.schema.clone())),
                    value: field_value,
                },
            });
        }
        record.value = SchemaAndValue {
            schema: Some(updated_schema),
            value: Value::Struct(updated_value),
        };
        Ok(record)
    }
}

impl Plugin for HeaderFrom {
    fn info() -> PluginInfo {
        PluginInfo::new("HeaderFrom")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("HeaderFrom$Value")
            .alias("HeaderFrom$Key")
            .alias("org.apache.kafka.connect.transforms.HeaderFrom$Value")
            .alias("org.apache.kafka.connect.transforms.HeaderFrom$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::list(FIELDS_FIELD)
                .importance(Importance::High)
                .doc("Field names in the record whose values are to be copied or moved to headers."),
            ConfigKey::list(HEADERS_FIELD)
                .importance(Importance::High)
                .doc("Header names, in the same order as the field names listed in the fields configuration property."),
            ConfigKey::string(OPERATION_FIELD)
                .one_of(["move", "copy"])
                .importance(Importance::High)
                .doc("Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value)."),
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_FIELD)
                .default_value(true)
                .importance(Importance::Medium)
                .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."),
        ]
    }
}

impl Transform for HeaderFrom {
    fn configure(config: Config) -> Result<Self> {
        let fields = config.non_empty_list(FIELDS_FIELD)?;
        let headers = config.non_empty_list(HEADERS_FIELD)?;
        let raw_operation = config.string(OPERATION_FIELD)?;
        let operation = match java_trim(&raw_operation) {
            "move" => Operation::Move,
            "copy" => Operation::Copy,
            other => {
                return Err(PluginError::new(format!(
                    "Invalid value {other} for configuration {OPERATION_FIELD}: String must be one of: move, copy"
                )));
            }
        };
        let replace_null_with_default = config.boolean_or(REPLACE_NULL_WITH_DEFAULT_FIELD, true)?;
        if headers.len() != fields.len() {
            return Err(PluginError::new(format!(
                "'{FIELDS_FIELD}' config must have the same number of elements as '{HEADERS_FIELD}' config."
            )));
        }
        Ok(HeaderFrom {
            fields,
            headers,
            operation,
            replace_null_with_default,
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        let SchemaAndValue { schema, value } = std::mem::take(&mut record.value);
        match schema {
            None => self.apply_schemaless(record, value),
            Some(schema) => self.apply_with_schema(record, schema, value),
        }
        .map(Some)
    }
}

wasm_connect_sdk::export_transform!(HeaderFrom);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Kafka's `HeaderFromTest.RecordBuilder`: fields of the operated-on value, and headers.
    #[derive(Clone, Default)]
    struct RecordBuilder {
        fields: Vec<(String, Schema, Value)>,
        headers: Vec<(String, Schema, Value)>,
    }

    impl RecordBuilder {
        fn with_field(mut self, name: &str, schema: Schema, value: impl Into<Value>) -> Self {
            self.fields.push((name.into(), schema, value.into()));
            self
        }

        fn add_header(mut self, name: &str, schema: Schema, value: impl Into<Value>) -> Self {
            self.headers.push((name.into(), schema, value.into()));
            self
        }

        /// The record as the transform sees it: for the `$Key` form the host swaps key and value,
        /// so the operated-on data is in `value` and the record's value ("value") in `key`.
        fn record(
            &self,
            key_transform: bool,
            data: SchemaAndValue,
            schemaless: bool,
        ) -> ConnectRecord {
            let other = if key_transform { "value" } else { "key" };
            ConnectRecord {
                topic: "topic".into(),
                kafka_partition: Some(0),
                key: SchemaAndValue::schemaless(other),
                value: data,
                timestamp: Some(0),
                headers: self
                    .headers
                    .iter()
                    .map(|(name, schema, value)| Header {
                        key: name.clone(),
                        value: if schemaless {
                            SchemaAndValue::schemaless(value.clone())
                        } else {
                            SchemaAndValue::new(schema.clone(), value.clone())
                        },
                    })
                    .collect(),
            }
        }

        fn schemaless(&self, key_transform: bool) -> ConnectRecord {
            let map = self
                .fields
                .iter()
                .map(|(name, _, value)| (Value::from(name.as_str()), value.clone()))
                .collect();
            self.record(
                key_transform,
                SchemaAndValue::schemaless(Value::Map(map)),
                true,
            )
        }

        fn with_schema(&self, key_transform: bool) -> ConnectRecord {
            let mut schema = Schema::struct_builder();
            let mut value = Struct::new();
            for (name, field_schema, field_value) in &self.fields {
                schema = schema.field(name.clone(), field_schema.clone());
                value.set(name.clone(), field_value.clone());
            }
            self.record(
                key_transform,
                SchemaAndValue::new(schema.build(), value),
                false,
            )
        }
    }

    struct Case {
        description: &'static str,
        original: RecordBuilder,
        fields: &'static str,
        headers: &'static str,
        operation: &'static str,
        replace_null_with_default: bool,
        expected: RecordBuilder,
    }

    fn optional_string_with_default() -> Schema {
        Schema::optional_string()
            .to_builder()
            .default_value("default".into())
            .build()
    }

    /// Kafka's `HeaderFromTest.data()`.
    fn cases() -> Vec<Case> {
        let string = Schema::string;
        let base = RecordBuilder::default()
            .with_field("field1", string(), "field1-value")
            .with_field("field2", string(), "field2-value");
        let existing = base
            .clone()
            .add_header("header1", string(), "existing-value");
        let preexisting = base
            .clone()
            .add_header("inserted1", string(), "existing-value");
        let struct_schema = Schema::struct_builder().field("foo", string()).build();
        let struct_value = Struct::new().put("foo", "foo-value");
        let with_struct = RecordBuilder::default()
            .with_field("field1", struct_schema.clone(), struct_value.clone())
            .with_field("field2", string(), "field2-value")
            .add_header("header1", string(), "existing-value");
        let with_nulls = RecordBuilder::default()
            .with_field("field1", optional_string_with_default(), "field1-value")
            .with_field("field2", optional_string_with_default(), Value::Null)
            .add_header("header1", string(), "existing-value");
        let case =
            |description, original: &RecordBuilder, fields, headers, operation, expected| Case {
                description,
                original: original.clone(),
                fields,
                headers,
                operation,
                replace_null_with_default: true,
                expected,
            };
        vec![
            case(
                "basic copy",
                &existing,
                "field1",
                "inserted1",
                "copy",
                existing
                    .clone()
                    .add_header("inserted1", string(), "field1-value"),
            ),
            case(
                "basic move",
                &existing,
                "field1",
                "inserted1",
                "move",
                RecordBuilder::default()
                    .with_field("field2", string(), "field2-value")
                    .add_header("header1", string(), "existing-value")
                    .add_header("inserted1", string(), "field1-value"),
            ),
            case(
                "copy with preexisting header",
                &preexisting,
                "field1",
                "inserted1",
                "copy",
                preexisting
                    .clone()
                    .add_header("inserted1", string(), "field1-value"),
            ),
            case(
                "move with preexisting header",
                &preexisting,
                "field1",
                "inserted1",
                "move",
                RecordBuilder::default()
                    .with_field("field2", string(), "field2-value")
                    .add_header("inserted1", string(), "existing-value")
                    .add_header("inserted1", string(), "field1-value"),
            ),
            case(
                "copy with struct value",
                &with_struct,
                "field1",
                "inserted1",
                "copy",
                with_struct.clone().add_header(
                    "inserted1",
                    struct_schema.clone(),
                    struct_value.clone(),
                ),
            ),
            case(
                "move with struct value",
                &with_struct,
                "field1",
                "inserted1",
                "move",
                RecordBuilder::default()
                    .with_field("field2", string(), "field2-value")
                    .add_header("header1", string(), "existing-value")
                    .add_header("inserted1", struct_schema, struct_value),
            ),
            case(
                "two headers from same field",
                &existing,
                "field1,field1",
                "inserted1,inserted2",
                "move",
                RecordBuilder::default()
                    .with_field("field2", string(), "field2-value")
                    .add_header("header1", string(), "existing-value")
                    .add_header("inserted1", string(), "field1-value")
                    .add_header("inserted2", string(), "field1-value"),
            ),
            case(
                "two fields to same header",
                &existing,
                "field1,field2",
                "inserted1,inserted1",
                "move",
                RecordBuilder::default()
                    .add_header("header1", string(), "existing-value")
                    .add_header("inserted1", string(), "field1-value")
                    .add_header("inserted1", string(), "field2-value"),
            ),
            Case {
                replace_null_with_default: false,
                ..case(
                    "Copy null field without default",
                    &with_nulls,
                    "field1,field2",
                    "inserted1,inserted2",
                    "copy",
                    with_nulls
                        .clone()
                        .add_header("inserted1", optional_string_with_default(), "field1-value")
                        .add_header("inserted2", optional_string_with_default(), Value::Null),
                )
            },
            Case {
                replace_null_with_default: false,
                ..case(
                    "Move null field without default",
                    &with_nulls,
                    "field1,field2",
                    "inserted1,inserted2",
                    "move",
                    RecordBuilder::default()
                        .add_header("header1", string(), "existing-value")
                        .add_header("inserted1", optional_string_with_default(), "field1-value")
                        .add_header("inserted2", optional_string_with_default(), Value::Null),
                )
            },
        ]
    }

    fn config(
        fields: &str,
        headers: &str,
        operation: &str,
        replace_null_with_default: bool,
    ) -> Config {
        Config::new()
            .with(FIELDS_FIELD, fields)
            .with(HEADERS_FIELD, headers)
            .with(OPERATION_FIELD, operation)
            .with(
                REPLACE_NULL_WITH_DEFAULT_FIELD,
                replace_null_with_default.to_string(),
            )
    }

    fn transform(case: &Case) -> HeaderFrom {
        HeaderFrom::configure(config(
            case.fields,
            case.headers,
            case.operation,
            case.replace_null_with_default,
        ))
        .unwrap()
    }

    #[test]
    fn kafka_cases_schemaless_for_key_and_value() {
        for key_transform in [true, false] {
            for case in cases() {
                let out = transform(&case)
                    .apply(case.original.schemaless(key_transform))
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    out,
                    case.expected.schemaless(key_transform),
                    "{} (key: {key_transform})",
                    case.description
                );
            }
        }
    }

    #[test]
    fn kafka_cases_with_schema_for_key_and_value() {
        for key_transform in [true, false] {
            for case in cases() {
                let out = transform(&case)
                    .apply(case.original.with_schema(key_transform))
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    out,
                    case.expected.with_schema(key_transform),
                    "{} (key: {key_transform})",
                    case.description
                );
            }
        }
    }

    #[test]
    fn null_fields_read_as_their_default_unless_disabled() {
        let original = RecordBuilder::default()
            .with_field("field1", optional_string_with_default(), Value::Null)
            .with_field("field2", optional_string_with_default(), Value::Null);
        let out = HeaderFrom::configure(config("field1", "inserted1", "move", true))
            .unwrap()
            .apply(original.with_schema(false))
            .unwrap()
            .unwrap();
        // The header gets the default, and so does the field that stays (Struct.get in Kafka).
        assert_eq!(out.headers[0].value.value, Value::from("default"));
        let Value::Struct(value) = &out.value.value else {
            panic!("not a struct")
        };
        assert_eq!(value.get("field2"), Some(&Value::from("default")));
        assert_eq!(value.fields.len(), 1);
    }

    #[test]
    fn moved_schema_keeps_name_version_and_doc() {
        let schema = Schema::struct_builder()
            .name("com.example.V")
            .version(3)
            .doc("d")
            .field("a", Schema::int32())
            .field("b", Schema::string())
            .build();
        let record = ConnectRecord {
            value: SchemaAndValue::new(schema, Struct::new().put("a", 1i32).put("b", "x")),
            ..Default::default()
        };
        let out = HeaderFrom::configure(config("a", "h", "move", true))
            .unwrap()
            .apply(record)
            .unwrap()
            .unwrap();
        let expected = Schema::struct_builder()
            .name("com.example.V")
            .version(3)
            .doc("d")
            .field("b", Schema::string())
            .build();
        assert_eq!(out.value.schema.as_deref(), Some(&expected));
        assert_eq!(
            out.headers[0].value,
            SchemaAndValue::new(Schema::int32(), 1i32)
        );
    }

    #[test]
    fn rejects_lists_of_different_lengths_and_empty_lists() {
        let err = HeaderFrom::configure(config("foo,bar", "foo", "copy", true)).unwrap_err();
        assert_eq!(
            err.message,
            "'fields' config must have the same number of elements as 'headers' config."
        );
        assert!(HeaderFrom::configure(config("foo", "foo,bar", "copy", true)).is_err());
        let err = HeaderFrom::configure(config("", "", "copy", true)).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value [] for configuration fields: Empty list"
        );
        let err = HeaderFrom::configure(config("a", "", "copy", true)).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value [] for configuration headers: Empty list"
        );
    }

    #[test]
    fn rejects_missing_and_invalid_settings() {
        let err = HeaderFrom::configure(
            Config::new()
                .with(HEADERS_FIELD, "h")
                .with(OPERATION_FIELD, "copy"),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Missing required configuration \"fields\" which has no default value."
        );
        let err = HeaderFrom::configure(config("a", "h", "steal", true)).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value steal for configuration operation: String must be one of: move, copy"
        );
        let err = HeaderFrom::configure(
            config("a", "h", "copy", true).with(REPLACE_NULL_WITH_DEFAULT_FIELD, "maybe"),
        )
        .unwrap_err();
        assert!(
            err.message
                .contains("Expected value to be either true or false"),
            "{err}"
        );
        let t = HeaderFrom::configure(
            Config::new()
                .with(FIELDS_FIELD, "a")
                .with(HEADERS_FIELD, "h")
                .with(OPERATION_FIELD, " move "),
        )
        .unwrap();
        assert_eq!(t.operation, Operation::Move);
        assert!(t.replace_null_with_default);
    }

    #[test]
    fn rejects_values_of_the_wrong_type_and_tombstones() {
        let mut copy = HeaderFrom::configure(config("a", "h", "copy", true)).unwrap();
        let record = |value| ConnectRecord {
            value,
            ..Default::default()
        };
        assert_eq!(
            copy.apply(record(SchemaAndValue::schemaless("text")))
                .unwrap_err()
                .message,
            "Only Map objects supported in absence of schema for [header copy], found: string"
        );
        assert_eq!(
            copy.apply(record(SchemaAndValue::null()))
                .unwrap_err()
                .message,
            "Only Map objects supported in absence of schema for [header copy], found: null"
        );
        let mut moving = HeaderFrom::configure(config("a", "h", "move", true)).unwrap();
        assert_eq!(
            moving
                .apply(record(SchemaAndValue::new(Schema::string(), "text")))
                .unwrap_err()
                .message,
            "Only Struct objects supported for [header move], found: string"
        );
    }

    #[test]
    fn rejects_fields_missing_from_the_schema_and_nulls_in_required_fields() {
        let schema = Schema::struct_builder().field("a", Schema::int32()).build();
        let record = |value: Struct| ConnectRecord {
            value: SchemaAndValue::new(schema.clone(), value),
            ..Default::default()
        };
        let mut copy = HeaderFrom::configure(config("b", "h", "copy", true)).unwrap();
        assert_eq!(
            copy.apply(record(Struct::new().put("a", 1i32)))
                .unwrap_err()
                .message,
            "Field b does not exist in the schema for [header copy]"
        );
        let mut copy_a = HeaderFrom::configure(config("a", "h", "copy", true)).unwrap();
        assert_eq!(
            copy_a.apply(record(Struct::new())).unwrap_err().message,
            "A null value requires an optional schema but was Schema{INT32}"
        );
        let two = Schema::struct_builder()
            .field("a", Schema::int32())
            .field("b", Schema::int32())
            .build();
        let mut move_b = HeaderFrom::configure(config("b", "h", "move", true)).unwrap();
        let record = ConnectRecord {
            value: SchemaAndValue::new(two, Struct::new().put("b", 2i32)),
            ..Default::default()
        };
        assert_eq!(
            move_b.apply(record).unwrap_err().message,
            "Invalid value: null used for required field: \"a\", schema type: INT32"
        );
    }

    #[test]
    fn schemaless_missing_fields_become_null_headers() {
        let original = RecordBuilder::default().with_field("field1", Schema::string(), "v");
        let out = HeaderFrom::configure(config("nope", "h", "move", true))
            .unwrap()
            .apply(original.schemaless(false))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.headers,
            [Header {
                key: "h".into(),
                value: SchemaAndValue::null()
            }]
        );
        assert_eq!(out.value, original.schemaless(false).value);
    }

    #[test]
    fn info_lists_key_and_value_aliases() {
        let info = HeaderFrom::info();
        assert_eq!(info.name, "HeaderFrom");
        for alias in [
            "HeaderFrom$Value",
            "HeaderFrom$Key",
            "org.apache.kafka.connect.transforms.HeaderFrom$Value",
            "org.apache.kafka.connect.transforms.HeaderFrom$Key",
        ] {
            assert!(info.aliases.iter().any(|a| a == alias), "{alias}");
        }
        let keys: Vec<_> = HeaderFrom::config_def()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(
            keys,
            [
                FIELDS_FIELD,
                HEADERS_FIELD,
                OPERATION_FIELD,
                REPLACE_NULL_WITH_DEFAULT_FIELD
            ]
        );
    }
}
