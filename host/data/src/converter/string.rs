//! `org.apache.kafka.connect.storage.StringConverter`.

use super::{ConversionError, Converter, ConverterConfigError, Settings, json};
use crate::{Schema, SchemaAndValue, Value};

/// Kafka's `StringConverter`: UTF-8 text ↔ an optional string.
///
/// `from_connect` renders any value as text: strings as they are, numbers and booleans as Java's
/// `toString` would, UTF-8 bytes as their text, arrays, maps and structs as schemaless JSON.
/// `to_connect` always yields an optional string schema.
#[derive(Debug, Clone, Default)]
pub struct StringConverter;

impl StringConverter {
    /// Read `converter.encoding` (and Kafka's `serializer.encoding` / `deserializer.encoding`
    /// overrides); only UTF-8 is supported.
    pub(crate) fn configure(
        settings: &Settings<'_>,
    ) -> Result<StringConverter, ConverterConfigError> {
        for key in [
            "converter.encoding",
            "serializer.encoding",
            "deserializer.encoding",
        ] {
            if let Some(enc) = settings.get(key) {
                let norm = enc.to_ascii_uppercase().replace(['-', '_'], "");
                if norm != "UTF8" {
                    return Err(settings.error(
                        key,
                        format!("unsupported encoding '{enc}': only UTF-8 is supported"),
                    ));
                }
            }
        }
        Ok(StringConverter)
    }
}

/// Java's `Double.toString`-like rendering: whole numbers keep a `.0`.
fn float_text(text: String) -> String {
    if text.contains(['.', 'e', 'E']) || text.contains("inf") || text.contains("NaN") {
        text
    } else {
        text + ".0"
    }
}

/// `value` as text.
fn render(value: &Value) -> Result<String, ConversionError> {
    Ok(match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Boolean(b) => b.to_string(),
        Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_) => {
            value.as_i64().map(|i| i.to_string()).unwrap_or_default()
        }
        Value::Float32(f) => float_text(f.to_string()),
        Value::Float64(f) => float_text(f.to_string()),
        Value::Bytes(b) => {
            String::from_utf8(b.clone()).map_err(|_| ConversionError::InvalidData {
                converter: "StringConverter",
                path: "$".into(),
                message: "bytes are not valid UTF-8 text; use ByteArrayConverter for binary data"
                    .into(),
            })?
        }
        Value::Array(_) | Value::Map(_) | Value::Struct(_) => {
            json::schemaless_to_json(value, &json::Path::Root)?.to_string()
        }
    })
}

impl Converter for StringConverter {
    fn name(&self) -> &'static str {
        "StringConverter"
    }

    fn from_connect(
        &self,
        _topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        if data.value.is_null() {
            return Ok(None);
        }
        render(&data.value).map(|s| Some(s.into_bytes()))
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConversionError> {
        let value = match bytes {
            None => Value::Null,
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => Value::String(s.to_string()),
                Err(e) => {
                    return Err(ConversionError::InvalidData {
                        converter: "StringConverter",
                        path: "$".into(),
                        message: format!("bytes are not valid UTF-8: {e}"),
                    });
                }
            },
        };
        Ok(SchemaAndValue::new(Schema::optional_string(), value))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::Struct;
    use crate::converter::create_converter;

    fn conv() -> Box<dyn Converter> {
        create_converter("StringConverter", &BTreeMap::new(), false).unwrap()
    }

    fn text(value: impl Into<Value>) -> String {
        let bytes = conv()
            .from_connect("t", &SchemaAndValue::schemaless(value))
            .unwrap()
            .unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn strings_round_trip() {
        let c = conv();
        let bytes = c
            .from_connect("t", &SchemaAndValue::new(Schema::string(), "héllo"))
            .unwrap();
        assert_eq!(bytes.as_deref(), Some("héllo".as_bytes()));
        let back = c.to_connect("t", bytes.as_deref()).unwrap();
        assert_eq!(
            back,
            SchemaAndValue::new(Schema::optional_string(), "héllo")
        );
    }

    #[test]
    fn nulls_are_tombstones() {
        let c = conv();
        assert_eq!(c.from_connect("t", &SchemaAndValue::null()).unwrap(), None);
        assert_eq!(
            c.from_connect(
                "t",
                &SchemaAndValue::new(Schema::optional_string(), Value::Null)
            )
            .unwrap(),
            None
        );
        assert_eq!(
            c.to_connect("t", None).unwrap(),
            SchemaAndValue::new(Schema::optional_string(), Value::Null)
        );
    }

    #[test]
    fn other_values_are_rendered_as_text() {
        assert_eq!(text(42i32), "42");
        assert_eq!(text(-7i8), "-7");
        assert_eq!(text(true), "true");
        assert_eq!(text(1.5f64), "1.5");
        assert_eq!(text(2.0f32), "2.0");
        assert_eq!(text(b"raw".to_vec()), "raw");
        assert_eq!(
            text(Value::Array(vec![1i32.into(), "a".into()])),
            r#"[1,"a"]"#
        );
        assert_eq!(
            text(Struct::new().put("id", 1i32).put("name", "x")),
            r#"{"id":1,"name":"x"}"#
        );
    }

    #[test]
    fn bad_input_is_rejected() {
        let c = conv();
        assert!(c.to_connect("t", Some(&[0xff, 0xfe])).is_err());
        let err = c
            .from_connect("t", &SchemaAndValue::schemaless(vec![0xffu8]))
            .unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }

    #[test]
    fn encoding_setting() {
        for enc in ["UTF-8", "utf8", "UTF8"] {
            let s: BTreeMap<String, String> =
                [("converter.encoding".to_string(), enc.to_string())].into();
            assert!(
                create_converter(
                    "org.apache.kafka.connect.storage.StringConverter",
                    &s,
                    false
                )
                .is_ok()
            );
        }
        let s: BTreeMap<String, String> =
            [("converter.encoding".to_string(), "ISO-8859-1".to_string())].into();
        let err = create_converter("StringConverter", &s, false).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "value.converter.converter.encoding: unsupported encoding 'ISO-8859-1'"
            )
        );
    }
}
