//! Header converters (`header.converter`): Kafka's `SimpleHeaderConverter` (the default), or any
//! record converter used for header values (Kafka's StringConverter, JsonConverter and
//! ByteArrayConverter are header converters too).

use std::collections::BTreeMap;

use super::{ConversionError, Converter, ConverterConfigError, create_converter};
use crate::values::{convert_to_string, parse_string};
use crate::{Schema, SchemaAndValue};

/// Converts header values between Connect data and bytes.
pub trait HeaderConverter: Send + Sync + std::fmt::Debug {
    /// Short name, for error reports.
    fn name(&self) -> &'static str;
    /// Connect data → header bytes (None = null header value).
    #[allow(clippy::wrong_self_convention)]
    fn from_connect_header(
        &self,
        topic: &str,
        header: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConversionError>;
    /// Header bytes → Connect data.
    fn to_connect_header(
        &self,
        topic: &str,
        header: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConversionError>;
}

/// Kafka's `SimpleHeaderConverter`: values as their `Values.convertToString` text; reading parses
/// the text back with `Values.parseString` (numbers, booleans, lists, maps, dates, else a string),
/// and bytes that are not UTF-8 become a bytes value.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimpleHeaderConverter;

impl HeaderConverter for SimpleHeaderConverter {
    fn name(&self) -> &'static str {
        "SimpleHeaderConverter"
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        if data.value.is_null() {
            return Ok(None);
        }
        Ok(convert_to_string(data.schema.as_deref(), &data.value).map(String::into_bytes))
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConversionError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::null());
        };
        Ok(match std::str::from_utf8(bytes) {
            Ok("") => SchemaAndValue::new(Schema::string(), ""),
            Ok(text) => parse_string(text),
            Err(_) => SchemaAndValue::new(Schema::bytes(), bytes.to_vec()),
        })
    }
}

/// A record converter used for header values.
#[derive(Debug)]
pub struct ConverterHeaders(Box<dyn Converter>);

impl HeaderConverter for ConverterHeaders {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn from_connect_header(
        &self,
        topic: &str,
        _header: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        self.0.from_connect(topic, data)
    }

    fn to_connect_header(
        &self,
        topic: &str,
        _header: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConversionError> {
        self.0.to_connect(topic, bytes)
    }
}

/// Kafka's class name of the default header converter.
pub const SIMPLE_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// Create the header converter called `class` (`SimpleHeaderConverter`, a record converter's
/// name, or their Kafka class names) from its sub-settings.
pub fn create_header_converter(
    class: &str,
    settings: &BTreeMap<String, String>,
) -> Result<Box<dyn HeaderConverter>, ConverterConfigError> {
    let class = class.trim();
    if class == "SimpleHeaderConverter" || class == SIMPLE_HEADER_CONVERTER {
        return Ok(Box::new(SimpleHeaderConverter));
    }
    // Record converters read their settings under `header.converter.`; error messages name it.
    create_converter(class, settings, false)
        .map(|c| Box::new(ConverterHeaders(c)) as Box<dyn HeaderConverter>)
        .map_err(|e| match e {
            ConverterConfigError::InvalidSetting { key, message } => {
                ConverterConfigError::InvalidSetting {
                    key: key.replacen("value.converter", "header.converter", 1),
                    message,
                }
            }
            other => other,
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{SchemaType, Value};

    fn simple() -> Box<dyn HeaderConverter> {
        create_header_converter(SIMPLE_HEADER_CONVERTER, &BTreeMap::new()).unwrap()
    }

    #[test]
    fn simple_headers_round_trip_like_kafka() {
        let c = simple();
        let cases = [
            (SchemaAndValue::new(Schema::int32(), 42i32), "42"),
            (SchemaAndValue::new(Schema::boolean(), true), "true"),
            (SchemaAndValue::new(Schema::string(), "hello"), "hello"),
            (
                SchemaAndValue::schemaless(Value::Array(vec![1i32.into(), 2i32.into()])),
                "[1,2]",
            ),
        ];
        for (data, text) in cases {
            let bytes = c.from_connect_header("t", "h", &data).unwrap();
            assert_eq!(bytes.as_deref(), Some(text.as_bytes()), "{data:?}");
        }
        let back = c.to_connect_header("t", "h", Some(b"42")).unwrap();
        assert_eq!(back.value, Value::Int8(42));
        let back = c.to_connect_header("t", "h", Some(b"true")).unwrap();
        assert_eq!(back.value, Value::Boolean(true));
        let back = c.to_connect_header("t", "h", Some(b"plain text")).unwrap();
        assert_eq!(back.value, Value::String("plain text".into()));
    }

    #[test]
    fn nulls_empty_and_binary_headers() {
        let c = simple();
        assert_eq!(
            c.from_connect_header("t", "h", &SchemaAndValue::null())
                .unwrap(),
            None
        );
        assert!(c.to_connect_header("t", "h", None).unwrap().value.is_null());
        let empty = c.to_connect_header("t", "h", Some(b"")).unwrap();
        assert_eq!(empty.value, Value::String(String::new()));
        let binary = c.to_connect_header("t", "h", Some(&[0xff, 0xfe])).unwrap();
        assert_eq!(
            binary.schema.map(|s| s.schema_type),
            Some(SchemaType::Bytes)
        );
    }

    #[test]
    fn record_converters_work_as_header_converters() {
        let c = create_header_converter("StringConverter", &BTreeMap::new()).unwrap();
        assert_eq!(c.name(), "StringConverter");
        let back = c.to_connect_header("t", "h", Some(b"42")).unwrap();
        assert_eq!(back.value, Value::String("42".into()));
        assert!(create_header_converter("Nope", &BTreeMap::new()).is_err());
    }
}
