//! `org.apache.kafka.connect.converters.ByteArrayConverter`.

use super::{ConversionError, Converter};
use crate::{Schema, SchemaAndValue, SchemaType, Value};

/// Kafka's `ByteArrayConverter`: raw bytes ↔ an optional bytes value, untouched.
#[derive(Debug, Clone, Default)]
pub struct ByteArrayConverter;

impl Converter for ByteArrayConverter {
    fn name(&self) -> &'static str {
        "ByteArrayConverter"
    }

    fn from_connect(
        &self,
        _topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        let error = |message: String| ConversionError::InvalidData {
            converter: "ByteArrayConverter",
            path: "$".into(),
            message,
        };
        if let Some(schema) = &data.schema
            && schema.schema_type != SchemaType::Bytes
        {
            return Err(error(format!(
                "invalid schema type {}: only bytes schemas are supported",
                schema.schema_type
            )));
        }
        match &data.value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.clone())),
            other => Err(error(format!(
                "expected bytes, got {}; use StringConverter or JsonConverter for other data",
                other.kind()
            ))),
        }
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConversionError> {
        Ok(SchemaAndValue::new(
            Schema::optional_bytes(),
            bytes.map_or(Value::Null, |b| Value::Bytes(b.to_vec())),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::converter::create_converter;

    #[test]
    fn bytes_round_trip() {
        for name in [
            "ByteArrayConverter",
            "org.apache.kafka.connect.converters.ByteArrayConverter",
        ] {
            let c = create_converter(name, &BTreeMap::new(), true).unwrap();
            let data = SchemaAndValue::new(Schema::bytes(), vec![0u8, 0xff, 7]);
            let bytes = c.from_connect("t", &data).unwrap();
            assert_eq!(bytes, Some(vec![0u8, 0xff, 7]));
            assert_eq!(
                c.to_connect("t", bytes.as_deref()).unwrap(),
                SchemaAndValue::new(Schema::optional_bytes(), vec![0u8, 0xff, 7])
            );
            // Schemaless bytes are fine too.
            assert_eq!(
                c.from_connect("t", &SchemaAndValue::schemaless(vec![1u8]))
                    .unwrap(),
                Some(vec![1u8])
            );
        }
    }

    #[test]
    fn nulls() {
        let c = ByteArrayConverter;
        assert_eq!(c.from_connect("t", &SchemaAndValue::null()).unwrap(), None);
        assert_eq!(
            c.to_connect("t", None).unwrap(),
            SchemaAndValue::new(Schema::optional_bytes(), Value::Null)
        );
    }

    #[test]
    fn non_bytes_are_rejected() {
        let c = ByteArrayConverter;
        let err = c
            .from_connect("t", &SchemaAndValue::schemaless("text"))
            .unwrap_err();
        assert!(
            err.to_string().contains("expected bytes, got string"),
            "{err}"
        );
        let err = c
            .from_connect("t", &SchemaAndValue::new(Schema::string(), "text"))
            .unwrap_err();
        assert!(
            err.to_string().contains("invalid schema type string"),
            "{err}"
        );
    }
}
