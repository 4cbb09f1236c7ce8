//! Kafka Connect converters: Connect data ([`SchemaAndValue`]) ↔ Kafka record bytes.
//!
//! Ships the converters of Apache Kafka's runtime, under their short names and their Kafka class
//! names (see [`known_converters`]): [`StringConverter`], [`JsonConverter`],
//! [`ByteArrayConverter`] and the [`NumberConverter`]s (Short, Integer, Long, Float, Double).

use std::collections::BTreeMap;

use crate::SchemaAndValue;

mod byte_array;
mod header;
mod json;
mod json_schema;
mod number;
mod record_json;
mod string;

pub use byte_array::ByteArrayConverter;
pub use header::{
    ConverterHeaders, HeaderConverter, SIMPLE_HEADER_CONVERTER, SimpleHeaderConverter,
    create_header_converter,
};
pub use json::{DecimalFormat, JsonConverter};
pub use number::{NumberConverter, NumberKind};
pub use record_json::RecordJson;
pub use string::StringConverter;

/// Converts between Connect data and the bytes of a Kafka record key or value.
pub trait Converter: Send + Sync + std::fmt::Debug {
    /// Short name, as in [`known_converters`] (e.g. `JsonConverter`), for error reports.
    fn name(&self) -> &'static str;
    /// Connect data → bytes (None = Kafka null / tombstone).
    #[allow(clippy::wrong_self_convention)]
    fn from_connect(
        &self,
        topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConversionError>;
    /// bytes → Connect data (None bytes = null value, schema per converter).
    fn to_connect(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConversionError>;
}

/// Why a record key or value could not be converted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConversionError {
    /// The bytes are not valid JSON.
    #[error("JsonConverter: invalid JSON: {0}")]
    InvalidJson(String),
    /// `schemas.enable=true` but the JSON is not a `{"schema": …, "payload": …}` envelope.
    #[error(
        "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not \
         contain additional fields. If you are trying to deserialize plain JSON data, set \
         schemas.enable=false in your converter configuration."
    )]
    MissingEnvelope,
    /// The `schema` of a JSON envelope is not a valid Kafka Connect JSON schema.
    #[error("JsonConverter: invalid schema at {path}: {message}")]
    InvalidSchema {
        /// Where in the schema (`$` is the root, `$.fields[1]` a field, …).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The data does not match its schema, or cannot be represented by the converter.
    #[error("{converter}: invalid data at {path}: {message}")]
    InvalidData {
        /// The converter that refused the data.
        converter: &'static str,
        /// Where in the value (`$` is the root, `$.address.city` a nested field, `$.tags[2]`, …).
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Why a converter could not be created from its configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConverterConfigError {
    /// No converter has this name or class name.
    #[error("unknown converter '{class}'; known converters: {known}")]
    UnknownConverter {
        /// The requested name.
        class: String,
        /// The names we know, for the message.
        known: String,
    },
    /// A setting has an invalid value.
    #[error("{key}: {message}")]
    InvalidSetting {
        /// Full setting name, e.g. `value.converter.schemas.enable`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

const KNOWN: &[(&str, &str)] = &[
    (
        "StringConverter",
        "org.apache.kafka.connect.storage.StringConverter",
    ),
    (
        "JsonConverter",
        "org.apache.kafka.connect.json.JsonConverter",
    ),
    (
        "ByteArrayConverter",
        "org.apache.kafka.connect.converters.ByteArrayConverter",
    ),
    (
        "ShortConverter",
        "org.apache.kafka.connect.converters.ShortConverter",
    ),
    (
        "IntegerConverter",
        "org.apache.kafka.connect.converters.IntegerConverter",
    ),
    (
        "LongConverter",
        "org.apache.kafka.connect.converters.LongConverter",
    ),
    (
        "FloatConverter",
        "org.apache.kafka.connect.converters.FloatConverter",
    ),
    (
        "DoubleConverter",
        "org.apache.kafka.connect.converters.DoubleConverter",
    ),
];

/// (short name, Kafka class name) of every converter we ship.
pub fn known_converters() -> &'static [(&'static str, &'static str)] {
    KNOWN
}

/// Create the converter called `class` (short name or Kafka class name) from its sub-settings
/// (keys without the `key.converter.` / `value.converter.` prefix, e.g. `schemas.enable`).
/// `is_key` selects the prefix used in error messages.
pub fn create_converter(
    class: &str,
    settings: &BTreeMap<String, String>,
    is_key: bool,
) -> Result<Box<dyn Converter>, ConverterConfigError> {
    let class = class.trim();
    let short = KNOWN
        .iter()
        .find(|(short, long)| *short == class || *long == class)
        .map(|(short, _)| *short);
    let settings = Settings {
        map: settings,
        prefix: if is_key {
            "key.converter"
        } else {
            "value.converter"
        },
    };
    Ok(match short {
        Some("StringConverter") => Box::new(StringConverter::configure(&settings)?),
        Some("JsonConverter") => Box::new(JsonConverter::configure(&settings)?),
        Some("ByteArrayConverter") => Box::new(ByteArrayConverter),
        Some("ShortConverter") => Box::new(NumberConverter::new(NumberKind::Short)),
        Some("IntegerConverter") => Box::new(NumberConverter::new(NumberKind::Integer)),
        Some("LongConverter") => Box::new(NumberConverter::new(NumberKind::Long)),
        Some("FloatConverter") => Box::new(NumberConverter::new(NumberKind::Float)),
        Some("DoubleConverter") => Box::new(NumberConverter::new(NumberKind::Double)),
        _ => {
            return Err(ConverterConfigError::UnknownConverter {
                class: class.to_string(),
                known: KNOWN
                    .iter()
                    .map(|(short, long)| format!("{short} ({long})"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    })
}

/// Converter sub-settings plus the prefix to name them by in errors.
pub(crate) struct Settings<'a> {
    map: &'a BTreeMap<String, String>,
    prefix: &'static str,
}

impl Settings<'_> {
    /// The trimmed value of `key`, if set.
    fn get(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(|v| v.trim())
    }

    /// An [`ConverterConfigError::InvalidSetting`] for `key`.
    fn error(&self, key: &str, message: impl Into<String>) -> ConverterConfigError {
        ConverterConfigError::InvalidSetting {
            key: format!("{}.{key}", self.prefix),
            message: message.into(),
        }
    }

    /// A boolean setting (`true`/`false`, any case).
    fn bool(&self, key: &str, default: bool) -> Result<bool, ConverterConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(self.error(key, format!("expected true or false, got '{v}'"))),
        }
    }

    /// A non-negative integer setting.
    fn usize(&self, key: &str, default: usize) -> Result<usize, ConverterConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| {
                self.error(key, format!("expected a non-negative integer, got '{v}'"))
            }),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn short_and_class_names_are_accepted() {
        for (short, long) in known_converters() {
            assert!(create_converter(short, &BTreeMap::new(), false).is_ok());
            assert!(create_converter(long, &BTreeMap::new(), true).is_ok());
        }
        let c = create_converter(
            "org.apache.kafka.connect.json.JsonConverter",
            &BTreeMap::new(),
            false,
        )
        .unwrap();
        assert!(format!("{c:?}").contains("JsonConverter"));
    }

    #[test]
    fn unknown_converter_lists_known_ones() {
        let err = create_converter("AvroConverter", &BTreeMap::new(), false).unwrap_err();
        assert!(matches!(err, ConverterConfigError::UnknownConverter { .. }));
        let msg = err.to_string();
        assert!(msg.contains("AvroConverter"), "{msg}");
        for (short, long) in known_converters() {
            assert!(msg.contains(short) && msg.contains(long), "{msg}");
        }
    }

    #[test]
    fn bad_settings_name_the_full_key() {
        let err = create_converter(
            "JsonConverter",
            &settings(&[("schemas.enable", "maybe")]),
            false,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "value.converter.schemas.enable: expected true or false, got 'maybe'"
        );
        let err = create_converter("JsonConverter", &settings(&[("schemas.enable", "1")]), true)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("key.converter.schemas.enable: ")
        );
        let err = create_converter(
            "JsonConverter",
            &settings(&[("schemas.cache.size", "-3")]),
            false,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("value.converter.schemas.cache.size: ")
        );
        let err = create_converter(
            "JsonConverter",
            &settings(&[("decimal.format", "HEX")]),
            false,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("value.converter.decimal.format: ")
        );
        let err = create_converter(
            "JsonConverter",
            &settings(&[("replace.null.with.default", "yes")]),
            false,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("value.converter.replace.null.with.default: ")
        );
        let err = create_converter(
            "StringConverter",
            &settings(&[("converter.encoding", "UTF-16")]),
            true,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("key.converter.converter.encoding: ")
        );
    }

    #[test]
    fn good_settings_are_accepted() {
        let c = create_converter(
            "JsonConverter",
            &settings(&[
                ("schemas.enable", "FALSE"),
                ("schemas.cache.size", "1000"),
                ("decimal.format", "numeric"),
                ("replace.null.with.default", "true"),
                ("converter.type", "value"),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(
            c.from_connect("t", &SchemaAndValue::schemaless(1i64))
                .unwrap(),
            Some(b"1".to_vec())
        );
    }
}
