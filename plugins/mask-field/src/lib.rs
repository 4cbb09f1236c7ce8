//! `MaskField`: Kafka's `org.apache.kafka.connect.transforms.MaskField$Key` / `$Value`. Replaces
//! the configured top-level fields of a struct (schema-ful) or map (schemaless) value with the
//! "null value" of their type (`0`, `false`, `""`, empty array/map, the epoch, decimal zero) or
//! with `replacement` converted to the field's type.
//!
//! One plugin serves both forms: the host swaps key and value around a transform selected by a
//! name ending in `$Key`, so this code only handles the record value.
//!
//! As in Kafka, the type of a value decides how it is masked:
//!
//! | value | masked with no `replacement` | with `replacement` |
//! |---|---|---|
//! | boolean | `false` | error |
//! | int8/16/32/64 | `0` | Java's `new BigDecimal(r).longValue()`, narrowed like a Java cast |
//! | float32/64 | `0.0` | Java's `new BigDecimal(r).doubleValue()` (then `(float)`) |
//! | string | `""` | `r` |
//! | `Date`/`Time`/`Timestamp` (schema-ful int32/int64) | `0` (the epoch) | error |
//! | `Decimal` (schema-ful bytes, `scale` parameter) | zero | `r` as a decimal at the schema's scale |
//! | array, map | empty | error |
//! | bytes, struct | error | error |
//!
//! Differences from Kafka:
//! - Schemaless records carry no logical types, so `java.util.Date`, `BigInteger` and `BigDecimal`
//!   map values (possible in Kafka only when another transform put them there) cannot occur.
//! - Kafka masks a decimal as `BigDecimal.ZERO` (scale 0) or `new BigDecimal(replacement)`, which
//!   its converters then reject unless that scale equals the schema's. Here the value is encoded
//!   at the schema's scale: zero always works, and a replacement with a different scale is
//!   rescaled when that is exact (`123.0` at scale 0 is `123`); otherwise it fails with Kafka's
//!   `Decimal.fromLogical` message.
//! - Null values (tombstones) fail as in Kafka (`... found: null`); guard the transform with the
//!   `RecordIsTombstone` predicate to skip them.

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::field_value;
use wasm_connect_sdk::requirements::{require_map, require_struct};

/// What the transform does, as named in Kafka's error messages.
const PURPOSE: &str = "mask fields";

/// Kafka's `OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Mask specified fields with a valid null value for the field type \
(i.e. 0, false, empty string, and so on).<p/>For numeric and string fields, an optional replacement \
value can be specified that is converted to the correct type.<p/>Use the concrete transformation \
type designed for the record key (<code>org.apache.kafka.connect.transforms.MaskField$Key</code>) \
or value (<code>org.apache.kafka.connect.transforms.MaskField$Value</code>).";

/// Config key: names of the fields to mask.
pub const FIELDS_CONFIG: &str = "fields";
/// Config key: custom replacement value.
pub const REPLACEMENT_CONFIG: &str = "replacement";
/// Config key: read a null field that has a default as its default value.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

/// Logical name of Kafka's `Decimal` type (bytes holding a two's-complement unscaled value).
pub const DECIMAL_LOGICAL: &str = "org.apache.kafka.connect.data.Decimal";
/// The `Decimal` schema parameter holding the scale.
pub const DECIMAL_SCALE_PARAMETER: &str = "scale";
/// Logical names of Kafka's `Date`, `Time` (int32) and `Timestamp` (int64) types.
pub const DATE_LOGICALS: [&str; 3] = [
    "org.apache.kafka.connect.data.Date",
    "org.apache.kafka.connect.data.Time",
    "org.apache.kafka.connect.data.Timestamp",
];

/// Longest unscaled decimal (in digits) a replacement may produce.
const MAX_DECIMAL_DIGITS: usize = 10_000;

/// The transform.
#[derive(Clone, Debug, Default)]
pub struct MaskField {
    /// `fields`, in configured order without duplicates.
    pub fields: Vec<String>,
    /// `replacement` (trimmed, as Kafka reads a STRING), if set.
    pub replacement: Option<String>,
    /// `replace.null.with.default`.
    pub replace_null_with_default: bool,
}

/// A number as Java's `new BigDecimal(String)` reads it: `±digits × 10^-scale`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaDecimal {
    /// Sign.
    pub negative: bool,
    /// Decimal digits (values 0–9) of the unscaled value, most significant first, without
    /// leading zeros (zero is `[0]`).
    pub digits: Vec<u8>,
    /// Scale: the number of digits after the decimal point (negative for trailing zeros).
    pub scale: i32,
}

impl JavaDecimal {
    /// Parse like `new BigDecimal(s)`: optional sign, digits with an optional point, optional
    /// exponent (`e`/`E`, optional sign). `None` where Java throws `NumberFormatException`.
    pub fn parse(s: &str) -> Option<JavaDecimal> {
        let (negative, rest) = split_sign(s);
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if (int_part.is_empty() && frac_part.is_empty())
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return None;
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let (exp_negative, exp_digits) = split_sign(e);
                if exp_digits.is_empty() || exp_digits.len() > 10 || !all_digits(exp_digits) {
                    return None;
                }
                let magnitude: i64 = exp_digits.parse().ok()?;
                if exp_negative { -magnitude } else { magnitude }
            }
        };
        let frac_len = i64::try_from(frac_part.len()).ok()?;
        let scale = i32::try_from(frac_len - exponent).ok()?;
        let mut digits: Vec<u8> = int_part
            .bytes()
            .chain(frac_part.bytes())
            .map(|b| b - b'0')
            .skip_while(|d| *d == 0)
            .collect();
        if digits.is_empty() {
            digits.push(0);
        }
        Some(JavaDecimal {
            negative,
            digits,
            scale,
        })
    }

    /// Java's `BigDecimal.longValue()`: the value truncated towards zero, keeping the low 64 bits.
    pub fn long_value(&self) -> i64 {
        let integer_digits = match usize::try_from(self.scale) {
            Ok(scale) => &self.digits[..self.digits.len().saturating_sub(scale)],
            Err(_) => &self.digits[..],
        };
        let mut acc = integer_digits.iter().fold(0u64, |acc, d| {
            acc.wrapping_mul(10).wrapping_add(u64::from(*d))
        });
        // 10^64 is a multiple of 2^64: more trailing zeros leave the low 64 bits at zero.
        if self.scale < 0 {
            for _ in 0..self.scale.unsigned_abs().min(64) {
                acc = acc.wrapping_mul(10);
            }
        }
        let value = acc as i64;
        if self.negative {
            value.wrapping_neg()
        } else {
            value
        }
    }

    /// The unscaled digits at `scale`: exact, or `None` when non-zero digits would be dropped.
    /// `Err` when the result would be absurdly long.
    fn digits_at_scale(&self, scale: i32) -> std::result::Result<Option<Vec<u8>>, ()> {
        let diff = i64::from(scale) - i64::from(self.scale);
        if diff >= 0 {
            let zeros = usize::try_from(diff).map_err(|_| ())?;
            if self.digits.len().saturating_add(zeros) > MAX_DECIMAL_DIGITS {
                return Err(());
            }
            let mut digits = self.digits.clone();
            digits.resize(digits.len() + zeros, 0);
            return Ok(Some(digits));
        }
        let drop = usize::try_from(-diff).map_err(|_| ())?;
        if self.digits == [0] {
            return Ok(Some(vec![0]));
        }
        if drop > self.digits.len() {
            return Ok(None);
        }
        let (kept, dropped) = self.digits.split_at(self.digits.len() - drop);
        Ok(dropped.iter().all(|d| *d == 0).then(|| {
            if kept.is_empty() {
                vec![0]
            } else {
                kept.to_vec()
            }
        }))
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

/// Java's `BigInteger.toByteArray()` of `±digits`: minimal big-endian two's complement.
pub fn twos_complement(negative: bool, digits: &[u8]) -> Vec<u8> {
    let mut magnitude: Vec<u8> = Vec::new();
    for &digit in digits {
        let mut carry = u32::from(digit);
        for byte in magnitude.iter_mut().rev() {
            let v = u32::from(*byte) * 10 + carry;
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            magnitude.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    if magnitude.is_empty() {
        return vec![0];
    }
    if !negative {
        if magnitude[0] & 0x80 != 0 {
            magnitude.insert(0, 0);
        }
        return magnitude;
    }
    let mut carry = true;
    for byte in magnitude.iter_mut().rev() {
        let (v, overflow) = (!*byte).overflowing_add(u8::from(carry));
        *byte = v;
        carry = overflow;
    }
    if magnitude[0] & 0x80 == 0 {
        magnitude.insert(0, 0xff);
    }
    magnitude
}

/// How a value is masked: Kafka decides by the value's Java class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind<'a> {
    /// A primitive, array, map, bytes or struct.
    Plain,
    /// `Date`, `Time` or `Timestamp` (a `java.util.Date` in Kafka).
    Date,
    /// `Decimal` with the schema's scale parameter (a `BigDecimal` in Kafka).
    Decimal(Option<&'a str>),
}

fn kind<'a>(value: &Value, schema: Option<&'a Schema>) -> Kind<'a> {
    let Some(schema) = schema else {
        return Kind::Plain;
    };
    let name = schema.name.as_deref().unwrap_or_default();
    match value {
        Value::Int32(_) | Value::Int64(_) if DATE_LOGICALS.contains(&name) => Kind::Date,
        Value::Bytes(_) if name == DECIMAL_LOGICAL => {
            Kind::Decimal(schema.parameter(DECIMAL_SCALE_PARAMETER))
        }
        _ => Kind::Plain,
    }
}

/// The Java class Kafka would name for `value` in its messages.
fn java_class(value: &Value, kind: Kind<'_>) -> &'static str {
    match (kind, value) {
        (Kind::Date, _) => "class java.util.Date",
        (Kind::Decimal(_), _) => "class java.math.BigDecimal",
        (_, Value::Null) => "null",
        (_, Value::Int8(_)) => "class java.lang.Byte",
        (_, Value::Int16(_)) => "class java.lang.Short",
        (_, Value::Int32(_)) => "class java.lang.Integer",
        (_, Value::Int64(_)) => "class java.lang.Long",
        (_, Value::Float32(_)) => "class java.lang.Float",
        (_, Value::Float64(_)) => "class java.lang.Double",
        (_, Value::Boolean(_)) => "class java.lang.Boolean",
        (_, Value::String(_)) => "class java.lang.String",
        (_, Value::Bytes(_)) => "class [B",
        (_, Value::Array(_)) => "class java.util.ArrayList",
        (_, Value::Map(_)) => "class java.util.HashMap",
        (_, Value::Struct(_)) => "class org.apache.kafka.connect.data.Struct",
    }
}

/// The scale of a `Decimal` schema, with Kafka's messages for a missing or bad parameter.
fn decimal_scale(parameter: Option<&str>) -> Result<i32> {
    let raw = parameter
        .ok_or_else(|| PluginError::new("Invalid Decimal schema: scale parameter not found."))?;
    raw.parse()
        .map_err(|_| PluginError::new("Invalid scale parameter found in Decimal schema: "))
}

/// Kafka's `Values.convertTo*` failure for a replacement that is not a number.
fn not_a_number(replacement: &str) -> PluginError {
    PluginError::new(format!(
        "Unable to convert {replacement} (class java.lang.String) to a number"
    ))
}

/// `replacement` as a Java `long` (`Values.asLong`).
fn replacement_long(replacement: &str) -> Result<i64> {
    JavaDecimal::parse(replacement)
        .map(|d| d.long_value())
        .ok_or_else(|| not_a_number(replacement))
}

/// `replacement` as a Java `double` (`Values.asDouble`).
fn replacement_double(replacement: &str) -> Result<f64> {
    JavaDecimal::parse(replacement)
        .and_then(|_| replacement.parse().ok())
        .ok_or_else(|| not_a_number(replacement))
}

/// `replacement` as the bytes of a `Decimal` at `scale`.
fn replacement_decimal(replacement: &str, scale: i32) -> Result<Value> {
    let decimal = JavaDecimal::parse(replacement).ok_or_else(|| {
        PluginError::new(format!(
            "Unable to convert {replacement} (class java.lang.String) to number"
        ))
    })?;
    match decimal.digits_at_scale(scale) {
        Ok(Some(digits)) => Ok(Value::Bytes(twos_complement(decimal.negative, &digits))),
        Ok(None) => Err(PluginError::new(format!(
            "Decimal value has mismatching scale for given Decimal schema. Schema has scale {scale}, value has scale {}.",
            decimal.scale
        ))),
        Err(()) => Err(PluginError::new(format!(
            "Decimal replacement {replacement} has more than {MAX_DECIMAL_DIGITS} digits at scale {scale}"
        ))),
    }
}

/// `value` masked with the null value of its type (Kafka's `maskWithNullValue`).
fn mask_with_null_value(value: &Value, kind: Kind<'_>) -> Result<Value> {
    Ok(match (kind, value) {
        (Kind::Date, Value::Int64(_)) => Value::Int64(0),
        (Kind::Date, _) => Value::Int32(0),
        (Kind::Decimal(_), _) => Value::Bytes(vec![0]),
        (_, Value::Boolean(_)) => Value::Boolean(false),
        (_, Value::Int8(_)) => Value::Int8(0),
        (_, Value::Int16(_)) => Value::Int16(0),
        (_, Value::Int32(_)) => Value::Int32(0),
        (_, Value::Int64(_)) => Value::Int64(0),
        (_, Value::Float32(_)) => Value::Float32(0.0),
        (_, Value::Float64(_)) => Value::Float64(0.0),
        (_, Value::String(_)) => Value::String(String::new()),
        (_, Value::Array(_)) => Value::Array(Vec::new()),
        (_, Value::Map(_)) => Value::Map(Vec::new()),
        (_, other) => {
            return Err(PluginError::new(format!(
                "Cannot mask value of type: {}",
                java_class(other, kind)
            )));
        }
    })
}

/// `value` masked with `replacement` converted to its type (Kafka's `maskWithCustomReplacement`).
fn mask_with_replacement(value: &Value, kind: Kind<'_>, replacement: &str) -> Result<Value> {
    Ok(match (kind, value) {
        (Kind::Decimal(scale), _) => replacement_decimal(replacement, decimal_scale(scale)?)?,
        (Kind::Plain, Value::Int8(_)) => Value::Int8(replacement_long(replacement)? as i8),
        (Kind::Plain, Value::Int16(_)) => Value::Int16(replacement_long(replacement)? as i16),
        (Kind::Plain, Value::Int32(_)) => Value::Int32(replacement_long(replacement)? as i32),
        (Kind::Plain, Value::Int64(_)) => Value::Int64(replacement_long(replacement)?),
        (Kind::Plain, Value::Float32(_)) => Value::Float32(replacement_double(replacement)? as f32),
        (Kind::Plain, Value::Float64(_)) => Value::Float64(replacement_double(replacement)?),
        (Kind::Plain, Value::String(_)) => Value::String(replacement.to_owned()),
        (_, other) => {
            return Err(PluginError::new(format!(
                "Cannot mask value of type {} with custom replacement.",
                java_class(other, kind)
            )));
        }
    })
}

impl MaskField {
    /// `value` (whose schema, if known, is `schema`) masked; null stays null.
    pub fn masked(&self, value: &Value, schema: Option<&Schema>) -> Result<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let kind = kind(value, schema);
        match &self.replacement {
            None => mask_with_null_value(value, kind),
            Some(replacement) => mask_with_replacement(value, kind, replacement),
        }
    }

    fn is_masked(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f == name)
    }

    /// Kafka puts every configured field into the result, so one missing from the map is added
    /// with a null value.
    fn apply_schemaless(&self, value: Value) -> Result<Value> {
        let mut entries = require_map(value, PURPOSE)?;
        for name in &self.fields {
            match entries.iter_mut().find(|(k, _)| k.as_str() == Some(name)) {
                Some(slot) => slot.1 = self.masked(&slot.1, None)?,
                None => entries.push((Value::String(name.clone()), Value::Null)),
            }
        }
        Ok(Value::Map(entries))
    }

    fn apply_with_schema(&self, schema: &Schema, value: Value) -> Result<Value> {
        let value = require_struct(value, PURPOSE)?;
        let mut fields = Vec::with_capacity(schema.fields.len());
        for field in schema.fields.iter() {
            let original = field_value(&value, field, self.replace_null_with_default);
            let updated = if self.is_masked(&field.name) {
                self.masked(&original, Some(&field.schema))?
            } else {
                original
            };
            fields.push((field.name.clone(), updated));
        }
        Ok(Value::Struct(Struct { fields }))
    }
}

impl Plugin for MaskField {
    fn info() -> PluginInfo {
        PluginInfo::new("MaskField")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("MaskField$Value")
            .alias("MaskField$Key")
            .alias("org.apache.kafka.connect.transforms.MaskField$Value")
            .alias("org.apache.kafka.connect.transforms.MaskField$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::list(FIELDS_CONFIG)
                .importance(Importance::High)
                .doc("Names of fields to mask."),
            ConfigKey::string(REPLACEMENT_CONFIG)
                .optional()
                .non_empty()
                .importance(Importance::Low)
                .doc("Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only)."),
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .default_value(true)
                .importance(Importance::Medium)
                .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."),
        ]
    }
}

impl Transform for MaskField {
    fn configure(config: Config) -> Result<Self> {
        let mut fields: Vec<String> = Vec::new();
        for field in config.non_empty_list(FIELDS_CONFIG)? {
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        let replacement = match config.get(REPLACEMENT_CONFIG).map(str::trim) {
            None => None,
            Some("") => {
                return Err(PluginError::new(format!(
                    "Invalid value  for configuration {REPLACEMENT_CONFIG}: String must be non-empty"
                )));
            }
            Some(r) => Some(r.to_owned()),
        };
        Ok(MaskField {
            fields,
            replacement,
            replace_null_with_default: config.boolean_or(REPLACE_NULL_WITH_DEFAULT_CONFIG, true)?,
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        let value = std::mem::take(&mut record.value.value);
        record.value.value = match record.value.schema.as_deref() {
            None => self.apply_schemaless(value)?,
            Some(schema) => self.apply_with_schema(schema, value)?,
        };
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(MaskField);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn logical(base: Schema, name: &str) -> Schema {
        base.to_builder().name(name).version(1).build()
    }

    fn decimal_schema(scale: i32) -> Schema {
        Schema::bytes()
            .to_builder()
            .name(DECIMAL_LOGICAL)
            .parameter(DECIMAL_SCALE_PARAMETER, scale.to_string())
            .version(1)
            .build()
    }

    /// MaskFieldTest.SCHEMA.
    fn schema() -> Schema {
        Schema::struct_builder()
            .field("magic", Schema::int32())
            .field("bool", Schema::boolean())
            .field("byte", Schema::int8())
            .field("short", Schema::int16())
            .field("int", Schema::int32())
            .field("long", Schema::int64())
            .field("float", Schema::float32())
            .field("double", Schema::float64())
            .field("string", Schema::string())
            .field("date", logical(Schema::int32(), DATE_LOGICALS[0]))
            .field("time", logical(Schema::int32(), DATE_LOGICALS[1]))
            .field("timestamp", logical(Schema::int64(), DATE_LOGICALS[2]))
            .field("decimal", decimal_schema(0))
            .field("array", Schema::array(Schema::int32()))
            .field("map", Schema::map(Schema::string(), Schema::string()))
            .field(
                "withDefault",
                Schema::optional_string()
                    .to_builder()
                    .default_value("default".into())
                    .build(),
            )
            .build()
    }

    /// MaskFieldTest.VALUES_WITH_SCHEMA.
    fn values_with_schema() -> Struct {
        Struct::new()
            .put("magic", 42i32)
            .put("bool", true)
            .put("byte", 42i8)
            .put("short", 42i16)
            .put("int", 42i32)
            .put("long", 42i64)
            .put("float", 42f32)
            .put("double", 42f64)
            .put("string", "hmm")
            .put("date", 19_000i32)
            .put("time", 3_600_000i32)
            .put("timestamp", 1_700_000_000_000i64)
            .put("decimal", vec![42u8])
            .put(
                "array",
                Value::Array(vec![1i32.into(), 2i32.into(), 3i32.into()]),
            )
            .put("map", Value::Map(vec![("what".into(), "what".into())]))
            .put("withDefault", Value::Null)
    }

    /// MaskFieldTest.VALUES (without Date/BigInteger/BigDecimal, which schemaless data cannot hold).
    fn values() -> Value {
        Value::Map(vec![
            ("magic".into(), 42i32.into()),
            ("bool".into(), true.into()),
            ("byte".into(), 42i8.into()),
            ("short".into(), 42i16.into()),
            ("int".into(), 42i32.into()),
            ("long".into(), 42i64.into()),
            ("float".into(), 42f32.into()),
            ("double".into(), 42f64.into()),
            ("string".into(), "55.121.20.20".into()),
            ("list".into(), Value::Array(vec![42i32.into()])),
            (
                "map".into(),
                Value::Map(vec![("key".into(), "value".into())]),
            ),
        ])
    }

    /// MaskFieldTest.transform: `replace.null.with.default=false` as there.
    fn transform(fields: &[&str], replacement: Option<&str>) -> MaskField {
        let mut config = Config::new()
            .with("fields", fields.join(","))
            .with("replace.null.with.default", "false");
        if let Some(r) = replacement {
            config.set("replacement", r);
        }
        MaskField::configure(config).unwrap()
    }

    fn record(value: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: String::new(),
            kafka_partition: Some(0),
            value,
            ..Default::default()
        }
    }

    fn apply_schemaless(fields: &[&str], replacement: Option<&str>) -> Result<Value> {
        transform(fields, replacement)
            .apply(record(SchemaAndValue::schemaless(values())))
            .map(|r| r.unwrap().value.value)
    }

    fn apply_with_schema(fields: &[&str], replacement: Option<&str>) -> Result<Struct> {
        transform(fields, replacement)
            .apply(record(SchemaAndValue::new(schema(), values_with_schema())))
            .map(|r| match r.unwrap().value.value {
                Value::Struct(s) => s,
                other => panic!("expected a struct, got {other:?}"),
            })
    }

    // MaskFieldTest.testSchemaless
    #[test]
    fn schemaless_masks_with_null_values() {
        let fields = [
            "bool", "byte", "short", "int", "long", "float", "double", "string", "list", "map",
        ];
        let out = apply_schemaless(&fields, None).unwrap();
        let expected = [
            ("magic", Value::Int32(42)),
            ("bool", Value::Boolean(false)),
            ("byte", Value::Int8(0)),
            ("short", Value::Int16(0)),
            ("int", Value::Int32(0)),
            ("long", Value::Int64(0)),
            ("float", Value::Float32(0.0)),
            ("double", Value::Float64(0.0)),
            ("string", Value::String(String::new())),
            ("list", Value::Array(Vec::new())),
            ("map", Value::Map(Vec::new())),
        ];
        for (name, value) in expected {
            assert_eq!(out.map_get(name), Some(&value), "{name}");
        }
    }

    // MaskFieldTest.testWithSchema
    #[test]
    fn with_schema_masks_with_null_values() {
        let fields: Vec<String> = schema()
            .fields
            .iter()
            .map(|f| f.name.clone())
            .filter(|n| n != "magic")
            .collect();
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let out = apply_with_schema(&fields, None).unwrap();
        let expected = [
            ("magic", Value::Int32(42)),
            ("bool", Value::Boolean(false)),
            ("byte", Value::Int8(0)),
            ("short", Value::Int16(0)),
            ("int", Value::Int32(0)),
            ("long", Value::Int64(0)),
            ("float", Value::Float32(0.0)),
            ("double", Value::Float64(0.0)),
            ("string", Value::String(String::new())),
            ("date", Value::Int32(0)),
            ("time", Value::Int32(0)),
            ("timestamp", Value::Int64(0)),
            ("decimal", Value::Bytes(vec![0])),
            ("array", Value::Array(Vec::new())),
            ("map", Value::Map(Vec::new())),
            ("withDefault", Value::Null),
        ];
        for (name, value) in expected {
            assert_eq!(out.get(name), Some(&value), "{name}");
        }
    }

    // MaskFieldTest.testSchemalessWithReplacement
    #[test]
    fn schemaless_with_replacement() {
        let cases = [
            ("short", "123", Value::Int16(123)),
            ("byte", "123", Value::Int8(123)),
            ("int", "123", Value::Int32(123)),
            ("long", "123", Value::Int64(123)),
            ("float", "123.0", Value::Float32(123.0)),
            ("double", "123.0", Value::Float64(123.0)),
            ("string", "123", Value::String("123".into())),
        ];
        for (field, replacement, expected) in cases {
            let out = apply_schemaless(&[field], Some(replacement)).unwrap();
            assert_eq!(out.map_get(field), Some(&expected), "{field}");
            assert_eq!(out.map_get("magic"), Some(&Value::Int32(42)));
        }
    }

    // MaskFieldTest.testSchemalessUnsupportedReplacementType
    #[test]
    fn schemaless_unsupported_replacement_type() {
        let cases = [
            (&["bool"][..], "false", "class java.lang.Boolean"),
            (&["list"][..], "[123]", "class java.util.ArrayList"),
            (&["map"][..], "{123=321}", "class java.util.HashMap"),
            (&["int", "bool"][..], "1", "class java.lang.Boolean"),
        ];
        for (fields, replacement, class) in cases {
            let err = apply_schemaless(fields, Some(replacement)).unwrap_err();
            assert_eq!(
                err.message,
                format!("Cannot mask value of type {class} with custom replacement.")
            );
        }
    }

    // MaskFieldTest.testWithSchemaAndReplacement
    #[test]
    fn with_schema_and_replacement() {
        let cases = [
            ("short", "123", Value::Int16(123)),
            ("byte", "123", Value::Int8(123)),
            ("int", "123", Value::Int32(123)),
            ("long", "123", Value::Int64(123)),
            ("float", "123.0", Value::Float32(123.0)),
            ("double", "123.0", Value::Float64(123.0)),
            ("string", "123", Value::String("123".into())),
            // BigDecimal.valueOf(123.0) on a Decimal.schema(0) field: 123 at scale 0.
            ("decimal", "123.0", Value::Bytes(vec![123])),
        ];
        for (field, replacement, expected) in cases {
            let out = apply_with_schema(&[field], Some(replacement)).unwrap();
            assert_eq!(out.get(field), Some(&expected), "{field}");
            assert_eq!(out.get("magic"), Some(&Value::Int32(42)));
        }
    }

    // MaskFieldTest.testWithSchemaUnsupportedReplacementType
    #[test]
    fn with_schema_unsupported_replacement_type() {
        let cases = [
            ("time", "class java.util.Date"),
            ("timestamp", "class java.util.Date"),
            ("date", "class java.util.Date"),
            ("array", "class java.util.ArrayList"),
        ];
        for (field, class) in cases {
            let err = apply_with_schema(&[field], Some("123")).unwrap_err();
            assert_eq!(
                err.message,
                format!("Cannot mask value of type {class} with custom replacement.")
            );
        }
    }

    // MaskFieldTest.testReplacementTypeMismatch
    #[test]
    fn replacement_type_mismatch() {
        for field in ["byte", "short", "int", "long", "float", "double"] {
            let err = apply_schemaless(&[field], Some("foo")).unwrap_err();
            assert_eq!(
                err.message, "Unable to convert foo (class java.lang.String) to a number",
                "{field}"
            );
        }
        let err = apply_schemaless(&["string", "int"], Some("foo")).unwrap_err();
        assert!(err.message.starts_with("Unable to convert foo"), "{err}");
        let err = apply_with_schema(&["decimal"], Some("foo")).unwrap_err();
        assert_eq!(
            err.message,
            "Unable to convert foo (class java.lang.String) to number"
        );
        // Java's `String.valueOf(new Date())` is not a number either.
        let err = apply_schemaless(&["int"], Some("Thu Jan 01 00:00:00 UTC 1970")).unwrap_err();
        assert!(err.message.starts_with("Unable to convert Thu"), "{err}");
    }

    // MaskFieldTest.testEmptyStringReplacementValue
    #[test]
    fn empty_string_replacement_is_rejected() {
        for empty in ["", "  "] {
            let err = MaskField::configure(
                Config::new()
                    .with("fields", "short")
                    .with("replacement", empty),
            )
            .unwrap_err();
            assert_eq!(
                err.message,
                "Invalid value  for configuration replacement: String must be non-empty"
            );
        }
    }

    #[test]
    fn fields_are_required_and_non_empty() {
        let err = MaskField::configure(Config::new()).unwrap_err();
        assert_eq!(
            err.message,
            "Missing required configuration \"fields\" which has no default value."
        );
        let err = MaskField::configure(Config::new().with("fields", " ")).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value [] for configuration fields: Empty list"
        );
    }

    #[test]
    fn replace_null_with_default_reads_the_default() {
        let mut xform =
            MaskField::configure(Config::new().with("fields", "withDefault,int")).unwrap();
        let out = xform
            .apply(record(SchemaAndValue::new(schema(), values_with_schema())))
            .unwrap()
            .unwrap();
        let Value::Struct(s) = out.value.value else {
            panic!("expected a struct")
        };
        // The null field reads as "default", which masks to "".
        assert_eq!(s.get("withDefault"), Some(&Value::String(String::new())));
        assert_eq!(s.get("int"), Some(&Value::Int32(0)));
        // Without masking it, the default is materialised.
        let mut xform = MaskField::configure(Config::new().with("fields", "int")).unwrap();
        let out = xform
            .apply(record(SchemaAndValue::new(schema(), values_with_schema())))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.value.value,
            Value::Struct(
                values_with_schema()
                    .put("int", 0i32)
                    .put("withDefault", "default")
            )
        );
        assert_eq!(out.value.schema.as_deref(), Some(&schema()));
    }

    #[test]
    fn key_form_masks_the_swapped_key_only() {
        // The host hands the key over as the value; the real value (now in `key`) is untouched.
        let swapped = ConnectRecord {
            key: SchemaAndValue::schemaless("the value"),
            ..record(SchemaAndValue::new(schema(), values_with_schema()))
        };
        let out = transform(&["string"], Some("***"))
            .apply(swapped)
            .unwrap()
            .unwrap();
        assert_eq!(out.key, SchemaAndValue::schemaless("the value"));
        let Value::Struct(s) = out.value.value else {
            panic!("expected a struct")
        };
        assert_eq!(s.get("string"), Some(&Value::String("***".into())));
    }

    #[test]
    fn unmaskable_types_and_tombstones_fail_like_kafka() {
        let bytes_schema = Schema::struct_builder().field("b", Schema::bytes()).build();
        let err = transform(&["b"], None)
            .apply(record(SchemaAndValue::new(
                bytes_schema,
                Struct::new().put("b", vec![1u8]),
            )))
            .unwrap_err();
        assert_eq!(err.message, "Cannot mask value of type: class [B");
        let err = transform(&["a"], None)
            .apply(record(SchemaAndValue::null()))
            .unwrap_err();
        assert_eq!(
            err.message,
            "Only Map objects supported in absence of schema for [mask fields], found: null"
        );
        let err = transform(&["a"], None)
            .apply(record(SchemaAndValue::new(schema(), Value::Null)))
            .unwrap_err();
        assert_eq!(
            err.message,
            "Only Struct objects supported for [mask fields], found: null"
        );
    }

    #[test]
    fn schemaless_adds_missing_fields_as_null() {
        let out = apply_schemaless(&["int", "absent"], None).unwrap();
        assert_eq!(out.map_get("int"), Some(&Value::Int32(0)));
        assert_eq!(out.map_get("absent"), Some(&Value::Null));
    }

    #[test]
    fn numeric_replacements_convert_like_java() {
        let cases = [
            ("int", "123.9", Value::Int32(123)),
            ("int", "-123.9", Value::Int32(-123)),
            ("byte", "300", Value::Int8(44)),
            ("short", "1e3", Value::Int16(1000)),
            ("long", "+7", Value::Int64(7)),
            ("long", "18446744073709551617", Value::Int64(1)),
            ("int", "1e70", Value::Int32(0)),
            ("double", ".5", Value::Float64(0.5)),
            ("float", "0.1", Value::Float32(0.1f64 as f32)),
        ];
        for (field, replacement, expected) in cases {
            let out = apply_schemaless(&[field], Some(replacement)).unwrap();
            assert_eq!(out.map_get(field), Some(&expected), "{field} {replacement}");
        }
        for bad in ["NaN", "inf", "1e", "e1", ".", "1.2.3", "0x10", "1_000"] {
            assert!(apply_schemaless(&["double"], Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimal_replacement_uses_the_schema_scale() {
        let cases = [
            (2, "1.25", vec![125u8]),  // 1.25
            (2, "1.5", vec![0, 150]),  // 1.50: 150 needs a sign byte
            (0, "-1", vec![0xff]),     // -1
            (0, "128", vec![0, 0x80]), // sign byte needed
            (0, "-129", vec![0xff, 0x7f]),
            (1, "1e2", vec![0x03, 0xe8]), // 100.0 = 1000 unscaled
            (3, "0", vec![0]),
        ];
        for (scale, replacement, bytes) in cases {
            let s = Schema::struct_builder()
                .field("d", decimal_schema(scale))
                .build();
            let out = transform(&["d"], Some(replacement))
                .apply(record(SchemaAndValue::new(
                    s,
                    Struct::new().put("d", vec![9u8]),
                )))
                .unwrap()
                .unwrap();
            assert_eq!(
                out.value.value,
                Value::Struct(Struct::new().put("d", bytes)),
                "{replacement} at {scale}"
            );
        }
        let err = apply_with_schema(&["decimal"], Some("1.25")).unwrap_err();
        assert_eq!(
            err.message,
            "Decimal value has mismatching scale for given Decimal schema. Schema has scale 0, value has scale 2."
        );
    }

    #[test]
    fn twos_complement_matches_java_big_integer() {
        let digits = |s: &str| s.bytes().map(|b| b - b'0').collect::<Vec<_>>();
        assert_eq!(twos_complement(false, &digits("0")), [0]);
        assert_eq!(twos_complement(false, &digits("127")), [0x7f]);
        assert_eq!(twos_complement(true, &digits("128")), [0x80]);
        assert_eq!(twos_complement(true, &digits("256")), [0xff, 0x00]);
        assert_eq!(twos_complement(false, &digits("65536")), [0x01, 0x00, 0x00]);
        assert_eq!(twos_complement(true, &digits("32768")), [0x80, 0x00]);
    }

    #[test]
    fn info_names_both_forms() {
        let info = MaskField::info();
        assert_eq!(info.name, "MaskField");
        for alias in [
            "MaskField$Value",
            "MaskField$Key",
            "org.apache.kafka.connect.transforms.MaskField$Value",
            "org.apache.kafka.connect.transforms.MaskField$Key",
        ] {
            assert!(info.aliases.iter().any(|a| a == alias), "{alias}");
        }
        let fields = &MaskField::config_def()[0];
        assert!(fields.is_required());
    }
}
