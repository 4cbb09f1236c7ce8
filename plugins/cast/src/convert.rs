//! Casting one value to a target type: Kafka's `Cast.castValueToType` and its `castTo*` helpers.

use wasm_connect_sdk::prelude::*;
pub use wasm_connect_sdk::requirements::java_type_name;

use crate::java::{self, BigDecimal, MILLIS_PER_DAY};

/// Logical name of Kafka's `Date` (int32 days since the epoch).
pub const DATE_LOGICAL: &str = "org.apache.kafka.connect.data.Date";
/// Logical name of Kafka's `Time` (int32 milliseconds since midnight).
pub const TIME_LOGICAL: &str = "org.apache.kafka.connect.data.Time";
/// Logical name of Kafka's `Timestamp` (int64 milliseconds since the epoch).
pub const TIMESTAMP_LOGICAL: &str = "org.apache.kafka.connect.data.Timestamp";
/// Logical name of Kafka's `Decimal` (bytes: big-endian two's complement unscaled value; the
/// schema parameter `scale` gives the scale).
pub const DECIMAL_LOGICAL: &str = "org.apache.kafka.connect.data.Decimal";

/// Every `Schema.Type`, in Kafka's declaration order.
const ALL_TYPES: [SchemaType; 12] = [
    SchemaType::Int8,
    SchemaType::Int16,
    SchemaType::Int32,
    SchemaType::Int64,
    SchemaType::Float32,
    SchemaType::Float64,
    SchemaType::Boolean,
    SchemaType::String,
    SchemaType::Bytes,
    SchemaType::Array,
    SchemaType::Map,
    SchemaType::Struct,
];

/// Kafka's `SUPPORTED_CAST_INPUT_TYPES`: the primitives.
const INPUT_TYPES: [SchemaType; 9] = [
    SchemaType::Int8,
    SchemaType::Int16,
    SchemaType::Int32,
    SchemaType::Int64,
    SchemaType::Float32,
    SchemaType::Float64,
    SchemaType::Boolean,
    SchemaType::String,
    SchemaType::Bytes,
];

/// Kafka's `SUPPORTED_CAST_OUTPUT_TYPES`: the primitives but bytes.
const OUTPUT_TYPES: [SchemaType; 8] = [
    SchemaType::Int8,
    SchemaType::Int16,
    SchemaType::Int32,
    SchemaType::Int64,
    SchemaType::Float32,
    SchemaType::Float64,
    SchemaType::Boolean,
    SchemaType::String,
];

/// Java's `Schema.Type.valueOf(name)` (exact, upper-case constant names).
pub fn type_from_java_name(name: &str) -> Option<SchemaType> {
    ALL_TYPES.into_iter().find(|t| java_type_name(*t) == name)
}

/// A set of types as Java prints an `EnumSet`: `[INT8, INT16, …]`.
fn type_set(types: &[SchemaType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| java_type_name(*t)).collect();
    format!("[{}]", names.join(", "))
}

/// Kafka's `validCastType(type, OUTPUT)`: the ConfigException message for a type values cannot
/// be cast to.
pub fn check_output_type(t: SchemaType) -> std::result::Result<SchemaType, String> {
    if OUTPUT_TYPES.contains(&t) {
        Ok(t)
    } else {
        Err(format!(
            "Cast transformation does not support casting to {}; supported types are {}",
            java_type_name(t),
            type_set(&OUTPUT_TYPES)
        ))
    }
}

/// Kafka's `validCastType(type, INPUT)`.
fn check_input_type(t: SchemaType) -> Result<()> {
    if INPUT_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(PluginError::new(format!(
            "Cast transformation does not support casting from {}; supported types are {}",
            java_type_name(t),
            type_set(&INPUT_TYPES)
        )))
    }
}

/// The type Kafka infers for a schemaless value (`ConnectSchema.schemaType(value.getClass())`).
fn inferred_type(value: &Value) -> SchemaType {
    match value {
        // Null never gets here: casting null gives null.
        Value::Null | Value::String(_) => SchemaType::String,
        Value::Int8(_) => SchemaType::Int8,
        Value::Int16(_) => SchemaType::Int16,
        Value::Int32(_) => SchemaType::Int32,
        Value::Int64(_) => SchemaType::Int64,
        Value::Float32(_) => SchemaType::Float32,
        Value::Float64(_) => SchemaType::Float64,
        Value::Boolean(_) => SchemaType::Boolean,
        Value::Bytes(_) => SchemaType::Bytes,
        Value::Array(_) => SchemaType::Array,
        Value::Map(_) => SchemaType::Map,
        Value::Struct(_) => SchemaType::Struct,
    }
}

/// The value as the Java object Kafka's `castTo*` methods see.
enum Operand<'a> {
    /// `Byte`.
    Byte(i8),
    /// `Short`.
    Short(i16),
    /// `Integer`.
    Int(i32),
    /// `Long`.
    Long(i64),
    /// `Float`.
    Float(f32),
    /// `Double`.
    Double(f64),
    /// `BigDecimal` (a `Decimal` logical value).
    Decimal(BigDecimal),
    /// `Boolean`.
    Bool(bool),
    /// `String`.
    Str(&'a str),
    /// `byte[]`.
    Bytes(&'a [u8]),
    /// `java.util.Date` (a `Date`, `Time` or `Timestamp` logical value cast to string), in
    /// milliseconds since the epoch.
    Date(i64),
    /// Anything else, by its Java class name.
    Other(&'static str),
}

/// The `scale` parameter of a `Decimal` schema, with the messages of Kafka's `Decimal.scale`.
fn decimal_scale(schema: &Schema) -> Result<i32> {
    let scale = schema
        .parameter("scale")
        .ok_or_else(|| PluginError::new("Invalid Decimal schema: scale parameter not found."))?;
    scale
        .parse()
        .map_err(|_| PluginError::new("Invalid scale parameter found in Decimal schema: "))
}

impl<'a> Operand<'a> {
    /// What Java would hold for `value` under `schema`. `Decimal` bytes become a `BigDecimal`;
    /// `Date`/`Time`/`Timestamp` values become a `java.util.Date` when cast to string (for other
    /// targets Kafka encodes them to their int32/int64 form, which is what `value` already is).
    fn new(schema: Option<&Schema>, value: &'a Value, target: SchemaType) -> Result<Operand<'a>> {
        let logical = schema.and_then(|s| s.name.as_deref());
        if let (Some(schema), Some(DECIMAL_LOGICAL), Value::Bytes(bytes)) = (schema, logical, value)
        {
            let decimal = BigDecimal::from_unscaled_bytes(bytes, decimal_scale(schema)?)
                .ok_or_else(|| PluginError::new("Zero length BigInteger"))?;
            return Ok(Operand::Decimal(decimal));
        }
        Ok(match (logical, value) {
            (Some(DATE_LOGICAL), Value::Int32(days)) if target == SchemaType::String => {
                Operand::Date(i64::from(*days) * MILLIS_PER_DAY)
            }
            (Some(TIME_LOGICAL), Value::Int32(millis)) if target == SchemaType::String => {
                Operand::Date(i64::from(*millis))
            }
            (Some(TIMESTAMP_LOGICAL), Value::Int64(millis)) if target == SchemaType::String => {
                Operand::Date(*millis)
            }
            (_, Value::Int8(v)) => Operand::Byte(*v),
            (_, Value::Int16(v)) => Operand::Short(*v),
            (_, Value::Int32(v)) => Operand::Int(*v),
            (_, Value::Int64(v)) => Operand::Long(*v),
            (_, Value::Float32(v)) => Operand::Float(*v),
            (_, Value::Float64(v)) => Operand::Double(*v),
            (_, Value::Boolean(v)) => Operand::Bool(*v),
            (_, Value::String(v)) => Operand::Str(v),
            (_, Value::Bytes(v)) => Operand::Bytes(v),
            (_, Value::Array(_)) => Operand::Other("java.util.ArrayList"),
            (_, Value::Map(_)) => Operand::Other("java.util.HashMap"),
            (_, Value::Struct(_)) => Operand::Other("org.apache.kafka.connect.data.Struct"),
            (_, Value::Null) => Operand::Other("null"),
        })
    }

    /// The Java class name, for "Unexpected type" messages.
    fn class_name(&self) -> &'static str {
        match self {
            Operand::Byte(_) => "java.lang.Byte",
            Operand::Short(_) => "java.lang.Short",
            Operand::Int(_) => "java.lang.Integer",
            Operand::Long(_) => "java.lang.Long",
            Operand::Float(_) => "java.lang.Float",
            Operand::Double(_) => "java.lang.Double",
            Operand::Decimal(_) => "java.math.BigDecimal",
            Operand::Bool(_) => "java.lang.Boolean",
            Operand::Str(_) => "java.lang.String",
            Operand::Bytes(_) => "[B",
            Operand::Date(_) => "java.util.Date",
            Operand::Other(class) => class,
        }
    }

    fn unexpected(&self) -> PluginError {
        PluginError::new(format!(
            "Unexpected type in Cast transformation: class {}",
            self.class_name()
        ))
    }

    /// `Number.intValue()`, or `None` if this is not a `Number`.
    fn int_value(&self) -> Option<i32> {
        Some(match self {
            Operand::Byte(v) => i32::from(*v),
            Operand::Short(v) => i32::from(*v),
            Operand::Int(v) => *v,
            Operand::Long(v) => *v as i32,
            Operand::Float(v) => *v as i32,
            Operand::Double(v) => *v as i32,
            Operand::Decimal(d) => d.long_value() as i32,
            _ => return None,
        })
    }

    /// `Number.longValue()`, or `None` if this is not a `Number`.
    fn long_value(&self) -> Option<i64> {
        Some(match self {
            Operand::Long(v) => *v,
            Operand::Float(v) => *v as i64,
            Operand::Double(v) => *v as i64,
            Operand::Decimal(d) => d.long_value(),
            other => i64::from(other.int_value()?),
        })
    }

    /// `Number.floatValue()`, or `None` if this is not a `Number`.
    fn float_value(&self) -> Option<f32> {
        Some(match self {
            Operand::Byte(v) => f32::from(*v),
            Operand::Short(v) => f32::from(*v),
            Operand::Int(v) => *v as f32,
            Operand::Long(v) => *v as f32,
            Operand::Float(v) => *v,
            Operand::Double(v) => *v as f32,
            Operand::Decimal(d) => d.float_value(),
            _ => return None,
        })
    }

    /// `Number.doubleValue()`, or `None` if this is not a `Number`.
    fn double_value(&self) -> Option<f64> {
        Some(match self {
            Operand::Byte(v) => f64::from(*v),
            Operand::Short(v) => f64::from(*v),
            Operand::Int(v) => f64::from(*v),
            Operand::Long(v) => *v as f64,
            Operand::Float(v) => f64::from(*v),
            Operand::Double(v) => *v,
            Operand::Decimal(d) => d.double_value(),
            _ => return None,
        })
    }

    /// Kafka's `castToInt8`..`castToFloat64`: a number narrows or widens as Java's `Number`
    /// methods do, a boolean is 1 or 0, a string is parsed; anything else is an error.
    fn to_number<T>(
        &self,
        from_number: impl FnOnce(&Self) -> Option<T>,
        from_bool: impl FnOnce(bool) -> T,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T> {
        if let Some(v) = from_number(self) {
            return Ok(v);
        }
        match self {
            Operand::Bool(b) => Ok(from_bool(*b)),
            Operand::Str(s) => parse(s).ok_or_else(|| {
                PluginError::new(format!(
                    "Value ({s}) was out of range for requested data type"
                ))
            }),
            other => Err(other.unexpected()),
        }
    }

    /// Kafka's `castToBoolean`: a number is true when its `longValue()` is not zero, a string
    /// when it equals `true` ignoring case.
    fn to_boolean(&self) -> Result<bool> {
        if let Some(v) = self.long_value() {
            return Ok(v != 0);
        }
        match self {
            Operand::Bool(b) => Ok(*b),
            Operand::Str(s) => Ok(s.eq_ignore_ascii_case("true")),
            other => Err(other.unexpected()),
        }
    }

    /// Kafka's `castToString`: Java's `toString()`, dates as `Values.dateFormatFor`, bytes in
    /// Base64.
    fn to_java_string(&self) -> Result<String> {
        Ok(match self {
            Operand::Byte(v) => v.to_string(),
            Operand::Short(v) => v.to_string(),
            Operand::Int(v) => v.to_string(),
            Operand::Long(v) => v.to_string(),
            Operand::Float(v) => java::float_to_string(*v),
            Operand::Double(v) => java::double_to_string(*v),
            Operand::Decimal(d) => d.to_java_string(),
            Operand::Bool(b) => b.to_string(),
            Operand::Str(s) => (*s).to_owned(),
            Operand::Bytes(b) => java::base64(b),
            Operand::Date(millis) => java::format_date(*millis),
            Operand::Other(_) => return Err(self.unexpected()),
        })
    }
}

/// Kafka's `castValueToType(schema, value, targetType)`: cast `value`, described by `schema` (or
/// schemaless when `None`), to `target`. Null stays null.
pub fn cast_value(schema: Option<&Schema>, value: &Value, target: SchemaType) -> Result<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let from = schema.map_or_else(|| inferred_type(value), |s| s.schema_type);
    check_input_type(from)?;
    let operand = Operand::new(schema, value, target)?;
    Ok(match target {
        SchemaType::Int8 => Value::Int8(operand.to_number(
            |o| o.int_value().map(|v| v as i8),
            i8::from,
            |s| s.parse().ok(),
        )?),
        SchemaType::Int16 => Value::Int16(operand.to_number(
            |o| o.int_value().map(|v| v as i16),
            i16::from,
            |s| s.parse().ok(),
        )?),
        SchemaType::Int32 => {
            Value::Int32(operand.to_number(Operand::int_value, i32::from, |s| s.parse().ok())?)
        }
        SchemaType::Int64 => {
            Value::Int64(operand.to_number(Operand::long_value, i64::from, |s| s.parse().ok())?)
        }
        SchemaType::Float32 => Value::Float32(operand.to_number(
            Operand::float_value,
            |b| if b { 1.0 } else { 0.0 },
            java::parse_float,
        )?),
        SchemaType::Float64 => Value::Float64(operand.to_number(
            Operand::double_value,
            |b| if b { 1.0 } else { 0.0 },
            java::parse_double,
        )?),
        SchemaType::Boolean => Value::Boolean(operand.to_boolean()?),
        SchemaType::String => Value::String(operand.to_java_string()?),
        other => {
            return Err(PluginError::new(format!(
                "{} is not supported in the Cast transformation.",
                java_type_name(other)
            )));
        }
    })
}
