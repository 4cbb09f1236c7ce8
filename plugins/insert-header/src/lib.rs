//! `InsertHeader`: Kafka's `org.apache.kafka.connect.transforms.InsertHeader`. Appends a header
//! named `header` to every record, with `value.literal` parsed as Kafka's `Values.parseString`
//! does (`1` is an `int8`, `true` a boolean, `[1,2]` an array, `2019-08-23` a `Date`, `null` a
//! null header, anything else a string). Existing headers, including ones of the same name, stay.

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::types::values::parse_string;

/// Kafka's `InsertHeader.OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Add a header to each record.";

/// Config key: the header name.
pub const HEADER_FIELD: &str = "header";
/// Config key: the header value, as text.
pub const VALUE_LITERAL_FIELD: &str = "value.literal";

/// The transform.
#[derive(Clone, Debug)]
pub struct InsertHeader {
    /// Header name.
    pub header: String,
    /// Parsed header value.
    pub literal_value: SchemaAndValue,
}

/// Java's `String.trim()` (Kafka trims string config values).
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

impl Plugin for InsertHeader {
    fn info() -> PluginInfo {
        PluginInfo::new("InsertHeader")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.InsertHeader")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string(HEADER_FIELD)
                .importance(Importance::High)
                .doc("The name of the header."),
            ConfigKey::string(VALUE_LITERAL_FIELD)
                .importance(Importance::High)
                .doc("The literal value that is to be set as the header value on all records."),
        ]
    }
}

impl Transform for InsertHeader {
    fn configure(config: Config) -> Result<Self> {
        let header = java_trim(&config.string(HEADER_FIELD)?).to_string();
        let literal = config.string(VALUE_LITERAL_FIELD)?;
        Ok(InsertHeader {
            header,
            literal_value: parse_string(java_trim(&literal)),
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        record.headers.push(Header {
            key: self.header.clone(),
            value: self.literal_value.clone(),
        });
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(InsertHeader);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use wasm_connect_sdk::types::values::date_schema;

    fn transform(header: &str, value_literal: &str) -> InsertHeader {
        InsertHeader::configure(
            Config::new()
                .with(HEADER_FIELD, header)
                .with(VALUE_LITERAL_FIELD, value_literal),
        )
        .unwrap()
    }

    fn string_header(key: &str, value: &str) -> Header {
        Header {
            key: key.into(),
            value: SchemaAndValue::new(Schema::string(), value),
        }
    }

    /// Kafka's `InsertHeaderTest.sourceRecord`: schemaless key and value.
    fn record(headers: Vec<Header>) -> ConnectRecord {
        ConnectRecord {
            topic: "topic".into(),
            kafka_partition: Some(0),
            key: SchemaAndValue::schemaless("key"),
            value: SchemaAndValue::schemaless("value"),
            timestamp: Some(0),
            headers,
        }
    }

    /// Apply and check that nothing but the headers changed (Kafka's `assertNonHeaders`).
    fn apply(transform: &mut InsertHeader, original: ConnectRecord) -> Vec<Header> {
        let out = transform.apply(original.clone()).unwrap().unwrap();
        assert_eq!(
            ConnectRecord {
                headers: Vec::new(),
                ..out.clone()
            },
            ConnectRecord {
                headers: Vec::new(),
                ..original
            }
        );
        out.headers
    }

    #[test]
    fn insertion_with_existing_other_header() {
        let headers = apply(
            &mut transform("inserted", "inserted-value"),
            record(vec![string_header("existing", "existing-value")]),
        );
        assert_eq!(
            headers,
            [
                string_header("existing", "existing-value"),
                string_header("inserted", "inserted-value")
            ]
        );
    }

    #[test]
    fn insertion_with_existing_same_header() {
        let headers = apply(
            &mut transform("existing", "inserted-value"),
            record(vec![string_header("existing", "preexisting-value")]),
        );
        assert_eq!(
            headers,
            [
                string_header("existing", "preexisting-value"),
                string_header("existing", "inserted-value")
            ]
        );
    }

    #[test]
    fn insertion_with_byte_header() {
        let headers = apply(
            &mut transform("inserted", "1"),
            record(vec![string_header("existing", "existing-value")]),
        );
        assert_eq!(
            headers[1],
            Header {
                key: "inserted".into(),
                value: SchemaAndValue::new(Schema::int8(), 1i8)
            }
        );
    }

    #[test]
    fn literals_are_parsed_like_kafkas_values_parse_string() {
        let cases = [
            ("true", SchemaAndValue::new(Schema::boolean(), true)),
            ("70000", SchemaAndValue::new(Schema::int32(), 70000i32)),
            ("1.5", SchemaAndValue::new(Schema::float32(), 1.5f32)),
            ("2019-08-23", SchemaAndValue::new(date_schema(), 18131i32)),
            ("null", SchemaAndValue::null()),
            ("", SchemaAndValue::new(Schema::string(), "")),
            ("  42  ", SchemaAndValue::new(Schema::int8(), 42i8)),
            (
                "[1,2]",
                SchemaAndValue::new(
                    Schema::array(Schema::int8()),
                    Value::Array(vec![1i8.into(), 2i8.into()]),
                ),
            ),
            (
                "{\"a\":\"b\"}",
                SchemaAndValue::new(
                    Schema::map(Schema::string(), Schema::string()),
                    Value::Map(vec![("a".into(), "b".into())]),
                ),
            ),
            (
                "hello, world",
                SchemaAndValue::new(Schema::string(), "hello, world"),
            ),
        ];
        for (literal, expected) in cases {
            let headers = apply(&mut transform("h", literal), record(Vec::new()));
            assert_eq!(headers[0].value, expected, "{literal:?}");
        }
    }

    #[test]
    fn works_on_schemaful_records_and_tombstones() {
        let mut original = record(Vec::new());
        original.value = SchemaAndValue::new(
            Schema::struct_builder().field("f", Schema::int32()).build(),
            Struct::new().put("f", 1i32),
        );
        let headers = apply(&mut transform("h", "v"), original);
        assert_eq!(headers, [string_header("h", "v")]);
        let mut tombstone = record(Vec::new());
        tombstone.value = SchemaAndValue::null();
        let headers = apply(&mut transform("h", "v"), tombstone);
        assert_eq!(headers, [string_header("h", "v")]);
    }

    #[test]
    fn config_rejects_missing_header_key() {
        let err =
            InsertHeader::configure(Config::new().with(VALUE_LITERAL_FIELD, "1")).unwrap_err();
        assert_eq!(
            err.message,
            "Missing required configuration \"header\" which has no default value."
        );
    }

    #[test]
    fn config_rejects_missing_header_value() {
        let err =
            InsertHeader::configure(Config::new().with(HEADER_FIELD, "inserted")).unwrap_err();
        assert_eq!(
            err.message,
            "Missing required configuration \"value.literal\" which has no default value."
        );
    }

    #[test]
    fn info_names_kafkas_class() {
        let info = InsertHeader::info();
        assert_eq!(info.name, "InsertHeader");
        assert_eq!(
            info.aliases,
            ["org.apache.kafka.connect.transforms.InsertHeader"]
        );
        assert_eq!(info.description, OVERVIEW_DOC);
        assert!(InsertHeader::config_def().iter().all(|k| k.is_required()));
    }
}
