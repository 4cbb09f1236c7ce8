//! Kafka's number converters (`org.apache.kafka.connect.converters.{Short,Integer,Long,Float,Double}Converter`):
//! one number ↔ its big-endian bytes, as Kafka's `ShortSerializer`, `IntegerSerializer`, … write it.

use super::{ConversionError, Converter};
use crate::{Schema, SchemaAndValue, SchemaType, Value};

/// Which number a [`NumberConverter`] handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    /// `ShortConverter`: int16, 2 bytes.
    Short,
    /// `IntegerConverter`: int32, 4 bytes.
    Integer,
    /// `LongConverter`: int64, 8 bytes.
    Long,
    /// `FloatConverter`: float32, 4 bytes.
    Float,
    /// `DoubleConverter`: float64, 8 bytes.
    Double,
}

impl NumberKind {
    /// The converter's short name.
    pub fn converter_name(self) -> &'static str {
        match self {
            NumberKind::Short => "ShortConverter",
            NumberKind::Integer => "IntegerConverter",
            NumberKind::Long => "LongConverter",
            NumberKind::Float => "FloatConverter",
            NumberKind::Double => "DoubleConverter",
        }
    }

    /// Kafka's type name in messages (`Failed to deserialize integer: …`).
    fn type_name(self) -> &'static str {
        match self {
            NumberKind::Short => "short",
            NumberKind::Integer => "integer",
            NumberKind::Long => "long",
            NumberKind::Float => "float",
            NumberKind::Double => "double",
        }
    }

    /// Kafka's deserializer class name in messages.
    fn deserializer(self) -> &'static str {
        match self {
            NumberKind::Short => "ShortDeserializer",
            NumberKind::Integer => "IntegerDeserializer",
            NumberKind::Long => "LongDeserializer",
            NumberKind::Float => "FloatDeserializer",
            NumberKind::Double => "DoubleDeserializer",
        }
    }

    fn schema_type(self) -> SchemaType {
        match self {
            NumberKind::Short => SchemaType::Int16,
            NumberKind::Integer => SchemaType::Int32,
            NumberKind::Long => SchemaType::Int64,
            NumberKind::Float => SchemaType::Float32,
            NumberKind::Double => SchemaType::Float64,
        }
    }

    fn size(self) -> usize {
        match self {
            NumberKind::Short => 2,
            NumberKind::Integer | NumberKind::Float => 4,
            NumberKind::Long | NumberKind::Double => 8,
        }
    }

    fn encode(self, value: &Value) -> Option<Vec<u8>> {
        Some(match (self, value) {
            (NumberKind::Short, Value::Int16(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Integer, Value::Int32(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Long, Value::Int64(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Float, Value::Float32(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Double, Value::Float64(v)) => v.to_be_bytes().to_vec(),
            _ => return None,
        })
    }

    fn decode(self, bytes: &[u8]) -> Option<Value> {
        Some(match self {
            NumberKind::Short => Value::Int16(i16::from_be_bytes(bytes.try_into().ok()?)),
            NumberKind::Integer => Value::Int32(i32::from_be_bytes(bytes.try_into().ok()?)),
            NumberKind::Long => Value::Int64(i64::from_be_bytes(bytes.try_into().ok()?)),
            NumberKind::Float => Value::Float32(f32::from_be_bytes(bytes.try_into().ok()?)),
            NumberKind::Double => Value::Float64(f64::from_be_bytes(bytes.try_into().ok()?)),
        })
    }
}

/// A Kafka number converter: an optional int16/int32/int64/float32/float64 value.
#[derive(Debug, Clone, Copy)]
pub struct NumberConverter {
    kind: NumberKind,
}

impl NumberConverter {
    /// The converter for `kind`.
    pub fn new(kind: NumberKind) -> NumberConverter {
        NumberConverter { kind }
    }
}

impl Converter for NumberConverter {
    fn name(&self) -> &'static str {
        self.kind.converter_name()
    }

    fn from_connect(
        &self,
        _topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        if data.value.is_null() {
            return Ok(None);
        }
        self.kind
            .encode(&data.value)
            .map(Some)
            .ok_or_else(|| ConversionError::InvalidData {
                converter: self.name(),
                path: "$".into(),
                message: format!(
                    "Failed to serialize to {} (was {})",
                    self.kind.type_name(),
                    data.value.kind()
                ),
            })
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConversionError> {
        let schema = Schema::new(self.kind.schema_type()).into_optional();
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::new(schema, Value::Null));
        };
        let value = self
            .kind
            .decode(bytes)
            .ok_or_else(|| ConversionError::InvalidData {
                converter: self.name(),
                path: "$".into(),
                message: format!(
                    "Failed to deserialize {}: Size of data received by {} is not {}",
                    self.kind.type_name(),
                    self.kind.deserializer(),
                    self.kind.size()
                ),
            })?;
        Ok(SchemaAndValue::new(schema, value))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::converter::create_converter;

    fn converter(name: &str) -> Box<dyn Converter> {
        create_converter(name, &BTreeMap::new(), false).unwrap()
    }

    #[test]
    fn numbers_round_trip_big_endian() {
        let cases: [(&str, Value, Vec<u8>); 5] = [
            ("ShortConverter", Value::Int16(-2), vec![0xff, 0xfe]),
            ("IntegerConverter", Value::Int32(258), vec![0, 0, 1, 2]),
            (
                "LongConverter",
                Value::Int64(1),
                vec![0, 0, 0, 0, 0, 0, 0, 1],
            ),
            (
                "FloatConverter",
                Value::Float32(1.0),
                vec![0x3f, 0x80, 0, 0],
            ),
            (
                "DoubleConverter",
                Value::Float64(-2.0),
                vec![0xc0, 0, 0, 0, 0, 0, 0, 0],
            ),
        ];
        for (name, value, bytes) in cases {
            let c = converter(&format!("org.apache.kafka.connect.converters.{name}"));
            assert_eq!(c.name(), name);
            let data = SchemaAndValue::schemaless(value.clone());
            assert_eq!(c.from_connect("t", &data).unwrap(), Some(bytes.clone()));
            let back = c.to_connect("t", Some(&bytes)).unwrap();
            assert_eq!(back.value, value);
            let schema = back.schema.unwrap();
            assert!(schema.optional, "{name} gives an optional schema");
        }
    }

    #[test]
    fn nulls_are_null() {
        for name in ["ShortConverter", "IntegerConverter", "DoubleConverter"] {
            let c = converter(name);
            assert_eq!(c.from_connect("t", &SchemaAndValue::null()).unwrap(), None);
            assert!(c.to_connect("t", None).unwrap().value.is_null());
        }
    }

    #[test]
    fn wrong_sizes_and_types_are_errors() {
        let c = converter("IntegerConverter");
        let err = c.to_connect("t", Some(&[1, 2, 3])).unwrap_err().to_string();
        assert!(
            err.contains("Failed to deserialize integer: Size of data received by IntegerDeserializer is not 4"),
            "{err}"
        );
        let err = c
            .from_connect("t", &SchemaAndValue::schemaless(Value::Int64(1)))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Failed to serialize to integer (was int64)"),
            "{err}"
        );
        let err = converter("LongConverter")
            .from_connect("t", &SchemaAndValue::schemaless("12"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Failed to serialize to long (was string)"),
            "{err}"
        );
    }
}
