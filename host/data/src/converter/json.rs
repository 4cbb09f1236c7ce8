//! `org.apache.kafka.connect.json.JsonConverter`.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value as Json};

use super::json_schema::{schema_from_json, schema_to_json};
use super::{ConversionError, Converter, ConverterConfigError, Settings};
use crate::{Schema, SchemaAndValue, SchemaType, Struct, Value};

/// Schema name of Kafka's `Decimal` logical type (bytes: big-endian two's complement unscaled
/// value, parameter `scale`).
pub const DECIMAL_SCHEMA_NAME: &str = "org.apache.kafka.connect.data.Decimal";

/// Standard base64; decoding accepts missing padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// How [`JsonConverter`] writes `Decimal` values (`decimal.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalFormat {
    /// Base64 of the unscaled two's complement bytes (Kafka's default).
    #[default]
    Base64,
    /// A JSON number.
    Numeric,
}

/// Kafka's `JsonConverter`.
///
/// With `schemas.enable=true` (the default) records are `{"schema": …, "payload": …}` envelopes
/// in Kafka's JSON schema format; with `schemas.enable=false` they are plain JSON and
/// `to_connect` yields schemaless values (objects become maps with string keys, integers
/// `Int64`, other numbers `Float64`). As in Kafka, input that is an envelope is still read as
/// one when schemas are disabled.
///
/// Logical types keep the data model's representation: `Date`/`Time` are `Int32`, `Timestamp`
/// `Int64`, `Decimal` the unscaled bytes (`decimal.format=NUMERIC` writes and reads a JSON
/// number; NUMERIC output goes through `f64` beyond 64-bit integers, and values whose unscaled
/// form exceeds 128 bits are rejected).
#[derive(Debug, Clone)]
pub struct JsonConverter {
    schemas_enable: bool,
    decimal_format: DecimalFormat,
    replace_null_with_default: bool,
}

impl Default for JsonConverter {
    fn default() -> Self {
        JsonConverter::new(true)
    }
}

/// Where we are in a value or schema, for error messages (`$`, `$.address.city`, `$.tags[2]`).
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The whole value.
    Root,
    /// A struct field or schema attribute.
    Field(&'a Path<'a>, &'a str),
    /// An array element.
    Index(&'a Path<'a>, usize),
    /// The value of a string-keyed map entry.
    Key(&'a Path<'a>, &'a str),
}

impl<'a> Path<'a> {
    /// The child `name`.
    pub(crate) fn field(&'a self, name: &'a str) -> Path<'a> {
        Path::Field(self, name)
    }

    /// The element `index`.
    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("$"),
            Path::Field(p, name) => write!(f, "{p}.{name}"),
            Path::Index(p, i) => write!(f, "{p}[{i}]"),
            Path::Key(p, key) => write!(f, "{p}[{key:?}]"),
        }
    }
}

fn invalid(path: &Path<'_>, message: impl Into<String>) -> ConversionError {
    ConversionError::InvalidData {
        converter: "JsonConverter",
        path: path.to_string(),
        message: message.into(),
    }
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn f64_json(f: f64, path: &Path<'_>) -> Result<Json, ConversionError> {
    serde_json::Number::from_f64(f)
        .map(Json::Number)
        .ok_or_else(|| invalid(path, format!("{f} cannot be represented in JSON")))
}

fn f32_json(f: f32, path: &Path<'_>) -> Result<Json, ConversionError> {
    // Via the shortest decimal text, so 0.1f32 is written as 0.1, not 0.10000000149011612.
    f64_json(f.to_string().parse().unwrap_or(f64::from(f)), path)
}

/// A value without a schema as JSON (bytes as base64, maps with string keys as objects).
pub(crate) fn schemaless_to_json(value: &Value, path: &Path<'_>) -> Result<Json, ConversionError> {
    Ok(match value {
        Value::Null => Json::Null,
        Value::Int8(v) => (*v).into(),
        Value::Int16(v) => (*v).into(),
        Value::Int32(v) => (*v).into(),
        Value::Int64(v) => (*v).into(),
        Value::Float32(f) => f32_json(*f, path)?,
        Value::Float64(f) => f64_json(*f, path)?,
        Value::Boolean(b) => (*b).into(),
        Value::String(s) => s.clone().into(),
        Value::Bytes(b) => BASE64.encode(b).into(),
        Value::Array(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| schemaless_to_json(v, &path.index(i)))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(entries) if entries.iter().all(|(k, _)| k.as_str().is_some()) => {
            let mut o = Map::new();
            for (k, v) in entries {
                let k = k.as_str().unwrap_or_default();
                o.insert(k.to_string(), schemaless_to_json(v, &Path::Key(path, k))?);
            }
            Json::Object(o)
        }
        Value::Map(entries) => Json::Array(
            entries
                .iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    let p = path.index(i);
                    Ok(Json::Array(vec![
                        schemaless_to_json(k, &p.field("key"))?,
                        schemaless_to_json(v, &p.field("value"))?,
                    ]))
                })
                .collect::<Result<_, ConversionError>>()?,
        ),
        Value::Struct(s) => {
            let mut o = Map::new();
            for (k, v) in &s.fields {
                o.insert(k.clone(), schemaless_to_json(v, &path.field(k))?);
            }
            Json::Object(o)
        }
    })
}

/// JSON without a schema as a value (objects → maps, integers → Int64, numbers → Float64).
fn schemaless_from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int64(i),
            None => Value::Float64(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(schemaless_from_json).collect()),
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (Value::String(k.clone()), schemaless_from_json(v)))
                .collect(),
        ),
    }
}

fn is_decimal(schema: &Schema) -> bool {
    schema.schema_type == SchemaType::Bytes && schema.name.as_deref() == Some(DECIMAL_SCHEMA_NAME)
}

fn decimal_scale(schema: &Schema, path: &Path<'_>) -> Result<i32, ConversionError> {
    schema
        .parameter("scale")
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| invalid(path, "Decimal schema has no valid 'scale' parameter"))
}

/// Big-endian two's complement bytes as an i128.
fn unscaled_from_bytes(bytes: &[u8], path: &Path<'_>) -> Result<i128, ConversionError> {
    let Some(first) = bytes.first() else {
        return Err(invalid(path, "Decimal value has no bytes"));
    };
    let negative = first & 0x80 != 0;
    if bytes.len() > 16 {
        let (extra, rest) = bytes.split_at(bytes.len() - 16);
        let sign = if negative { 0xff } else { 0 };
        if extra.iter().any(|b| *b != sign) || ((rest[0] & 0x80 != 0) != negative) {
            return Err(invalid(
                path,
                "Decimal value is too large for NUMERIC format",
            ));
        }
    }
    let init: i128 = if negative { -1 } else { 0 };
    Ok(bytes
        .iter()
        .fold(init, |acc, b| (acc << 8) | i128::from(*b)))
}

/// The minimal big-endian two's complement bytes of `v` (Java's `BigInteger.toByteArray`).
fn unscaled_to_bytes(v: i128) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 15 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// `unscaled × 10^-scale` as a JSON number.
fn decimal_to_json(unscaled: i128, scale: i32, path: &Path<'_>) -> Result<Json, ConversionError> {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    let text = if scale <= 0 {
        if unscaled == 0 {
            "0".to_string()
        } else {
            format!(
                "{sign}{digits}{}",
                "0".repeat(scale.unsigned_abs() as usize)
            )
        }
    } else {
        let scale = scale.unsigned_abs() as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{sign}{int}.{frac}")
    };
    if let Ok(i) = text.parse::<i64>() {
        return Ok(i.into());
    }
    if let Ok(u) = text.parse::<u64>() {
        return Ok(u.into());
    }
    f64_json(text.parse().unwrap_or(f64::NAN), path)
}

/// A JSON number as the unscaled value at `scale`.
fn decimal_from_number(
    n: &serde_json::Number,
    scale: i32,
    path: &Path<'_>,
) -> Result<i128, ConversionError> {
    let text = n.to_string();
    let bad = |why: &str| invalid(path, format!("Decimal {text} {why}"));
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().map_err(|_| bad("is not a number"))?),
        None => (text.as_str(), 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: i128 = 0;
    for c in int.chars().chain(frac.chars()) {
        let d = c.to_digit(10).ok_or_else(|| bad("is not a number"))?;
        digits = digits
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(d)))
            .ok_or_else(|| bad("is too large"))?;
    }
    let shift = exp - frac.len() as i64 + i64::from(scale);
    let unscaled = if shift >= 0 {
        u32::try_from(shift)
            .ok()
            .and_then(|s| 10i128.checked_pow(s))
            .and_then(|p| digits.checked_mul(p))
            .ok_or_else(|| bad("is too large"))?
    } else {
        let p = u32::try_from(-shift)
            .ok()
            .and_then(|s| 10i128.checked_pow(s));
        match p {
            Some(p) if digits % p == 0 => digits / p,
            None if digits == 0 => 0,
            _ => {
                return Err(bad(&format!(
                    "has more fractional digits than scale {scale}"
                )));
            }
        }
    };
    Ok(if negative { -unscaled } else { unscaled })
}

fn int_from_json(
    json: &Json,
    schema_type: SchemaType,
    min: i64,
    max: i64,
    path: &Path<'_>,
) -> Result<i64, ConversionError> {
    let v = match json {
        Json::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                .map(|f| f as i64)
        }),
        _ => {
            return Err(invalid(
                path,
                format!("expected {schema_type}, got {}", json_kind(json)),
            ));
        }
    };
    v.filter(|v| (min..=max).contains(v))
        .ok_or_else(|| invalid(path, format!("{json} is not a valid {schema_type}")))
}

impl JsonConverter {
    /// A converter with Kafka's defaults except `schemas.enable`.
    pub fn new(schemas_enable: bool) -> JsonConverter {
        JsonConverter {
            schemas_enable,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
        }
    }

    /// Set `decimal.format`.
    pub fn with_decimal_format(mut self, format: DecimalFormat) -> JsonConverter {
        self.decimal_format = format;
        self
    }

    /// Set `replace.null.with.default`.
    pub fn with_replace_null_with_default(mut self, replace: bool) -> JsonConverter {
        self.replace_null_with_default = replace;
        self
    }

    /// Read `schemas.enable`, `schemas.cache.size`, `decimal.format` and
    /// `replace.null.with.default`.
    pub(crate) fn configure(
        settings: &Settings<'_>,
    ) -> Result<JsonConverter, ConverterConfigError> {
        let decimal_format = match settings.get("decimal.format") {
            None => DecimalFormat::Base64,
            Some(v) if v.eq_ignore_ascii_case("BASE64") => DecimalFormat::Base64,
            Some(v) if v.eq_ignore_ascii_case("NUMERIC") => DecimalFormat::Numeric,
            Some(v) => {
                return Err(settings.error(
                    "decimal.format",
                    format!("expected BASE64 or NUMERIC, got '{v}'"),
                ));
            }
        };
        // Accepted and validated; parsed schemas are not cached.
        settings.usize("schemas.cache.size", 1000)?;
        Ok(JsonConverter {
            schemas_enable: settings.bool("schemas.enable", true)?,
            decimal_format,
            replace_null_with_default: settings.bool("replace.null.with.default", true)?,
        })
    }

    /// Connect `value` (described by `schema`) as JSON (Kafka's `convertToJson`).
    pub(crate) fn value_to_json(
        &self,
        schema: Option<&Schema>,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<Json, ConversionError> {
        let Some(schema) = schema else {
            return schemaless_to_json(value, path);
        };
        if value.is_null() {
            if self.replace_null_with_default
                && let Some(default) = schema.default_value.as_deref().filter(|d| !d.is_null())
            {
                return self.value_to_json(Some(schema), default, path);
            }
            if schema.optional {
                return Ok(Json::Null);
            }
            return Err(invalid(
                path,
                format!(
                    "null value for required {} field with no default",
                    schema.schema_type
                ),
            ));
        }
        let child_schema = |s: &Option<Arc<Schema>>, what: &str| {
            s.clone().ok_or_else(|| {
                invalid(
                    path,
                    format!("{} schema has no {what} schema", schema.schema_type),
                )
            })
        };
        Ok(match (schema.schema_type, value) {
            (SchemaType::Bytes, Value::Bytes(b))
                if self.decimal_format == DecimalFormat::Numeric && is_decimal(schema) =>
            {
                let scale = decimal_scale(schema, path)?;
                decimal_to_json(unscaled_from_bytes(b, path)?, scale, path)?
            }
            (SchemaType::Int8, Value::Int8(v)) => (*v).into(),
            (SchemaType::Int16, Value::Int16(v)) => (*v).into(),
            (SchemaType::Int32, Value::Int32(v)) => (*v).into(),
            (SchemaType::Int64, Value::Int64(v)) => (*v).into(),
            (SchemaType::Float32, Value::Float32(f)) => f32_json(*f, path)?,
            (SchemaType::Float64, Value::Float64(f)) => f64_json(*f, path)?,
            (SchemaType::Boolean, Value::Boolean(b)) => (*b).into(),
            (SchemaType::String, Value::String(s)) => s.clone().into(),
            (SchemaType::Bytes, Value::Bytes(b)) => BASE64.encode(b).into(),
            (SchemaType::Array, Value::Array(items)) => {
                let es = child_schema(&schema.value_schema, "element")?;
                Json::Array(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.value_to_json(Some(&es), v, &path.index(i)))
                        .collect::<Result<_, _>>()?,
                )
            }
            (SchemaType::Map, Value::Map(entries)) => {
                let ks = child_schema(&schema.key_schema, "key")?;
                let vs = child_schema(&schema.value_schema, "value")?;
                if ks.schema_type == SchemaType::String {
                    let mut o = Map::new();
                    for (i, (k, v)) in entries.iter().enumerate() {
                        let Value::String(k) = k else {
                            return Err(invalid(
                                &path.index(i),
                                format!("expected string map key, got {}", k.kind()),
                            ));
                        };
                        o.insert(
                            k.clone(),
                            self.value_to_json(Some(&vs), v, &Path::Key(path, k))?,
                        );
                    }
                    Json::Object(o)
                } else {
                    let mut out = Vec::with_capacity(entries.len());
                    for (i, (k, v)) in entries.iter().enumerate() {
                        let p = path.index(i);
                        out.push(Json::Array(vec![
                            self.value_to_json(Some(&ks), k, &p.field("key"))?,
                            self.value_to_json(Some(&vs), v, &p.field("value"))?,
                        ]));
                    }
                    Json::Array(out)
                }
            }
            (SchemaType::Struct, Value::Struct(s)) => {
                if let Some((extra, _)) = s.fields.iter().find(|(n, _)| schema.field(n).is_none()) {
                    return Err(invalid(
                        path,
                        format!("struct has field '{extra}' that is not in its schema"),
                    ));
                }
                let mut o = Map::new();
                for field in schema.fields.iter() {
                    let v = s.get(&field.name).unwrap_or(&Value::Null);
                    let json =
                        self.value_to_json(Some(&field.schema), v, &path.field(&field.name))?;
                    o.insert(field.name.clone(), json);
                }
                Json::Object(o)
            }
            (t, v) => return Err(invalid(path, format!("expected {t}, got {}", v.kind()))),
        })
    }

    /// JSON as a Connect value of `schema` (Kafka's `convertToConnect`).
    pub(crate) fn json_to_value(
        &self,
        schema: Option<&Schema>,
        json: &Json,
        path: &Path<'_>,
    ) -> Result<Value, ConversionError> {
        let Some(schema) = schema else {
            return Ok(schemaless_from_json(json));
        };
        if json.is_null() {
            if self.replace_null_with_default
                && let Some(default) = schema.default_value.as_deref().filter(|d| !d.is_null())
            {
                return Ok(default.clone());
            }
            if schema.optional {
                return Ok(Value::Null);
            }
            return Err(invalid(
                path,
                format!(
                    "invalid null value for required {} field",
                    schema.schema_type
                ),
            ));
        }
        let mismatch = || {
            invalid(
                path,
                format!("expected {}, got {}", schema.schema_type, json_kind(json)),
            )
        };
        let child_schema = |s: &Option<Arc<Schema>>, what: &str| {
            s.clone().ok_or_else(|| {
                invalid(
                    path,
                    format!("{} schema has no {what} schema", schema.schema_type),
                )
            })
        };
        let t = schema.schema_type;
        Ok(match t {
            SchemaType::Bytes if is_decimal(schema) && json.is_number() => {
                let Json::Number(n) = json else {
                    return Err(mismatch());
                };
                let scale = decimal_scale(schema, path)?;
                Value::Bytes(unscaled_to_bytes(decimal_from_number(n, scale, path)?))
            }
            SchemaType::Int8 => {
                Value::Int8(int_from_json(json, t, i8::MIN.into(), i8::MAX.into(), path)? as i8)
            }
            SchemaType::Int16 => {
                Value::Int16(int_from_json(json, t, i16::MIN.into(), i16::MAX.into(), path)? as i16)
            }
            SchemaType::Int32 => {
                Value::Int32(int_from_json(json, t, i32::MIN.into(), i32::MAX.into(), path)? as i32)
            }
            SchemaType::Int64 => Value::Int64(int_from_json(json, t, i64::MIN, i64::MAX, path)?),
            SchemaType::Float32 => Value::Float32(json.as_f64().ok_or_else(mismatch)? as f32),
            SchemaType::Float64 => Value::Float64(json.as_f64().ok_or_else(mismatch)?),
            SchemaType::Boolean => Value::Boolean(json.as_bool().ok_or_else(mismatch)?),
            SchemaType::String => Value::String(json.as_str().ok_or_else(mismatch)?.to_string()),
            SchemaType::Bytes => {
                let text = json.as_str().ok_or_else(mismatch)?;
                Value::Bytes(
                    BASE64
                        .decode(text)
                        .map_err(|e| invalid(path, format!("invalid base64 bytes: {e}")))?,
                )
            }
            SchemaType::Array => {
                let es = child_schema(&schema.value_schema, "element")?;
                let items = json.as_array().ok_or_else(mismatch)?;
                Value::Array(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, j)| self.json_to_value(Some(&es), j, &path.index(i)))
                        .collect::<Result<_, _>>()?,
                )
            }
            SchemaType::Map => {
                let ks = child_schema(&schema.key_schema, "key")?;
                let vs = child_schema(&schema.value_schema, "value")?;
                if ks.schema_type == SchemaType::String {
                    let Json::Object(o) = json else {
                        return Err(invalid(
                            path,
                            format!(
                                "maps with string keys should be encoded as JSON objects, but found {}",
                                json_kind(json)
                            ),
                        ));
                    };
                    Value::Map(
                        o.iter()
                            .map(|(k, j)| {
                                let v = self.json_to_value(Some(&vs), j, &Path::Key(path, k))?;
                                Ok((Value::String(k.clone()), v))
                            })
                            .collect::<Result<_, ConversionError>>()?,
                    )
                } else {
                    let Json::Array(entries) = json else {
                        return Err(invalid(
                            path,
                            format!(
                                "maps with non-string keys should be encoded as JSON arrays of [key, value] pairs, but found {}",
                                json_kind(json)
                            ),
                        ));
                    };
                    let mut out = Vec::with_capacity(entries.len());
                    for (i, entry) in entries.iter().enumerate() {
                        let p = path.index(i);
                        let Some([k, v]) = entry.as_array().map(Vec::as_slice) else {
                            return Err(invalid(&p, "expected a [key, value] array"));
                        };
                        out.push((
                            self.json_to_value(Some(&ks), k, &p.field("key"))?,
                            self.json_to_value(Some(&vs), v, &p.field("value"))?,
                        ));
                    }
                    Value::Map(out)
                }
            }
            SchemaType::Struct => {
                let o = json.as_object().ok_or_else(mismatch)?;
                let mut s = Struct {
                    fields: Vec::with_capacity(schema.fields.len()),
                };
                for field in schema.fields.iter() {
                    let j = o.get(&field.name).unwrap_or(&Json::Null);
                    let v = self.json_to_value(Some(&field.schema), j, &path.field(&field.name))?;
                    s.fields.push((field.name.clone(), v));
                }
                Value::Struct(s)
            }
        })
    }
}

impl Converter for JsonConverter {
    fn name(&self) -> &'static str {
        "JsonConverter"
    }

    fn from_connect(
        &self,
        _topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        if data.schema.is_none() && data.value.is_null() {
            return Ok(None);
        }
        let schema = data.schema.as_deref();
        let payload = self.value_to_json(schema, &data.value, &Path::Root)?;
        let json = if self.schemas_enable {
            let schema_json = match schema {
                Some(s) => schema_to_json(self, s, &Path::Root.field("schema"))?,
                None => Json::Null,
            };
            let mut envelope = Map::new();
            envelope.insert("schema".into(), schema_json);
            envelope.insert("payload".into(), payload);
            Json::Object(envelope)
        } else {
            payload
        };
        Ok(Some(json.to_string().into_bytes()))
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConversionError> {
        let Some(bytes) = bytes.filter(|b| !b.iter().all(u8::is_ascii_whitespace)) else {
            return Ok(SchemaAndValue::null());
        };
        let json: Json = serde_json::from_slice(bytes)
            .map_err(|e| ConversionError::InvalidJson(e.to_string()))?;
        let (schema_json, payload) = match json {
            Json::Object(mut o)
                if o.len() == 2 && o.contains_key("schema") && o.contains_key("payload") =>
            {
                let payload = o.remove("payload").unwrap_or_default();
                (o.remove("schema").unwrap_or_default(), payload)
            }
            _ if self.schemas_enable => return Err(ConversionError::MissingEnvelope),
            other => (Json::Null, other),
        };
        let schema = schema_from_json(self, &schema_json, &Path::Root.field("schema"))?;
        let value = self.json_to_value(schema.as_ref(), &payload, &Path::Root)?;
        Ok(SchemaAndValue {
            schema: schema.map(Arc::new),
            value,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::converter::create_converter;

    fn conv(settings: &[(&str, &str)]) -> Box<dyn Converter> {
        let s: BTreeMap<String, String> = settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        create_converter("org.apache.kafka.connect.json.JsonConverter", &s, false).unwrap()
    }

    fn round_trip(c: &dyn Converter, data: &SchemaAndValue) -> String {
        let bytes = c.from_connect("t", data).unwrap().unwrap();
        let back = c.to_connect("t", Some(&bytes)).unwrap();
        assert_eq!(&back, data, "{}", String::from_utf8_lossy(&bytes));
        String::from_utf8(bytes).unwrap()
    }

    fn user_schema() -> Schema {
        Schema::struct_builder()
            .name("com.example.User")
            .version(1)
            .field("id", Schema::int32())
            .field("name", Schema::optional_string())
            .build()
    }

    #[test]
    fn envelope_matches_kafka() {
        let c = conv(&[]);
        let data = SchemaAndValue::new(
            user_schema(),
            Struct::new().put("id", 1i32).put("name", "alice"),
        );
        let text = round_trip(c.as_ref(), &data);
        assert_eq!(
            text,
            r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"}],"optional":false,"name":"com.example.User","version":1},"payload":{"id":1,"name":"alice"}}"#
        );
    }

    #[test]
    fn every_schema_type_round_trips() {
        let inner = Schema::struct_builder()
            .field("x", Schema::float64())
            .optional()
            .build();
        let cases: Vec<(Schema, Value)> = vec![
            (Schema::int8(), Value::Int8(-8)),
            (Schema::int16(), Value::Int16(1600)),
            (Schema::int32(), Value::Int32(-32)),
            (Schema::int64(), Value::Int64(i64::MAX)),
            (Schema::float32(), Value::Float32(0.1)),
            (Schema::float64(), Value::Float64(-2.5)),
            (Schema::boolean(), Value::Boolean(true)),
            (Schema::string(), Value::String("héllo \"q\"".into())),
            (Schema::bytes(), Value::Bytes(vec![0, 1, 254, 255])),
            (Schema::optional_int32(), Value::Null),
            (
                Schema::array(Schema::optional_string()),
                Value::Array(vec!["a".into(), Value::Null]),
            ),
            (
                Schema::map(Schema::string(), Schema::int64()),
                Value::Map(vec![("b".into(), 2i64.into()), ("a".into(), 1i64.into())]),
            ),
            (
                Schema::map(Schema::int32(), Schema::boolean()),
                Value::Map(vec![
                    (1i32.into(), true.into()),
                    (2i32.into(), false.into()),
                ]),
            ),
            (
                Schema::struct_builder()
                    .field("id", Schema::int64())
                    .field("inner", inner.clone())
                    .field("missing", inner)
                    .field("tags", Schema::array(Schema::string()))
                    .build(),
                Value::Struct(
                    Struct::new()
                        .put("id", 7i64)
                        .put("inner", Struct::new().put("x", 1.0f64))
                        .put("missing", Value::Null)
                        .put("tags", Value::Array(vec!["t".into()])),
                ),
            ),
        ];
        for enable in ["true", "false"] {
            let c = conv(&[("schemas.enable", enable)]);
            for (schema, value) in &cases {
                let data = SchemaAndValue::new(schema.clone(), value.clone());
                if enable == "true" {
                    round_trip(c.as_ref(), &data);
                } else {
                    // Without schemas the JSON is plain and the schema is not recovered.
                    let bytes = c.from_connect("t", &data).unwrap().unwrap();
                    let payload: Json = serde_json::from_slice(&bytes).unwrap();
                    let enveloped = conv(&[]).from_connect("t", &data).unwrap().unwrap();
                    let enveloped: Json = serde_json::from_slice(&enveloped).unwrap();
                    assert_eq!(payload, enveloped["payload"]);
                }
            }
        }
    }

    #[test]
    fn payload_shapes() {
        let c = conv(&[("schemas.enable", "false")]);
        let to = |schema: Schema, value: Value| {
            let b = c
                .from_connect("t", &SchemaAndValue::new(schema, value))
                .unwrap()
                .unwrap();
            String::from_utf8(b).unwrap()
        };
        assert_eq!(to(Schema::bytes(), vec![1u8, 2, 3].into()), r#""AQID""#);
        assert_eq!(to(Schema::float32(), 0.1f32.into()), "0.1");
        assert_eq!(to(Schema::optional_string(), Value::Null), "null");
        assert_eq!(
            to(
                Schema::map(Schema::int32(), Schema::string()),
                Value::Map(vec![(1i32.into(), "a".into())])
            ),
            r#"[[1,"a"]]"#
        );
    }

    #[test]
    fn logical_types() {
        let date = Schema::int32()
            .to_builder()
            .name("org.apache.kafka.connect.data.Date")
            .version(1)
            .build();
        let ts = Schema::int64()
            .to_builder()
            .name("org.apache.kafka.connect.data.Timestamp")
            .version(1)
            .build();
        let decimal = Schema::bytes()
            .to_builder()
            .name(DECIMAL_SCHEMA_NAME)
            .version(1)
            .parameter("scale", "2")
            .build();
        let c = conv(&[]);
        round_trip(c.as_ref(), &SchemaAndValue::new(date, 19000i32));
        round_trip(c.as_ref(), &SchemaAndValue::new(ts, 1_700_000_000_000i64));
        // 12345 unscaled = 123.45
        let value = Value::Bytes(vec![0x30, 0x39]);
        let text = round_trip(
            c.as_ref(),
            &SchemaAndValue::new(decimal.clone(), value.clone()),
        );
        assert_eq!(
            text,
            r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"MDk="}"#
        );
        let numeric = conv(&[("decimal.format", "NUMERIC")]);
        let text = round_trip(
            numeric.as_ref(),
            &SchemaAndValue::new(decimal.clone(), value),
        );
        assert!(text.ends_with(r#""payload":123.45}"#), "{text}");
        // Negative values and integers.
        for (unscaled, expected) in [(-5i128, "-0.05"), (-12800, "-128.0"), (0, "0.0")] {
            let data = SchemaAndValue::new(decimal.clone(), unscaled_to_bytes(unscaled));
            let text = round_trip(numeric.as_ref(), &data);
            let j: Json = serde_json::from_str(&text).unwrap();
            assert_eq!(
                j["payload"],
                serde_json::from_str::<Json>(expected).unwrap()
            );
        }
        let int_decimal = decimal.to_builder().build();
        let mut int_decimal = int_decimal;
        int_decimal.parameters = vec![("scale".into(), "0".into())];
        let text = round_trip(
            numeric.as_ref(),
            &SchemaAndValue::new(int_decimal, unscaled_to_bytes(-9_000_000_000_000)),
        );
        assert!(text.ends_with(r#""payload":-9000000000000}"#), "{text}");
        // Too many fractional digits for the scale.
        let bad = format!(
            r#"{{"schema":{},"payload":1.234}}"#,
            schema_to_json(&JsonConverter::default(), &decimal, &Path::Root).unwrap()
        );
        let err = numeric.to_connect("t", Some(bad.as_bytes())).unwrap_err();
        assert!(err.to_string().contains("more fractional digits"), "{err}");
    }

    #[test]
    fn twos_complement_helpers() {
        for v in [
            0i128,
            1,
            -1,
            127,
            128,
            -128,
            -129,
            255,
            65535,
            i64::MAX.into(),
            i128::MIN,
            i128::MAX,
        ] {
            let bytes = unscaled_to_bytes(v);
            assert_eq!(unscaled_from_bytes(&bytes, &Path::Root).unwrap(), v);
        }
        assert_eq!(unscaled_to_bytes(128), vec![0, 128]);
        assert_eq!(unscaled_to_bytes(-128), vec![128]);
        let mut long = vec![0xffu8; 4];
        long.extend(unscaled_to_bytes(-1000).iter().copied());
        assert_eq!(unscaled_from_bytes(&long, &Path::Root).unwrap(), -1000);
        assert!(unscaled_from_bytes(&[1u8; 17], &Path::Root).is_err());
    }

    #[test]
    fn schemaless_json() {
        let c = conv(&[("schemas.enable", "false")]);
        let back = c
            .to_connect(
                "t",
                Some(br#"{"a":1,"b":[1.5,"x",null,true],"c":{"d":-2}}"#),
            )
            .unwrap();
        assert_eq!(back.schema, None);
        assert_eq!(
            back.value,
            Value::Map(vec![
                ("a".into(), Value::Int64(1)),
                (
                    "b".into(),
                    Value::Array(vec![
                        Value::Float64(1.5),
                        "x".into(),
                        Value::Null,
                        Value::Boolean(true)
                    ])
                ),
                ("c".into(), Value::Map(vec![("d".into(), Value::Int64(-2))])),
            ])
        );
        let bytes = c.from_connect("t", &back).unwrap().unwrap();
        assert_eq!(bytes, br#"{"a":1,"b":[1.5,"x",null,true],"c":{"d":-2}}"#);
        assert_eq!(
            c.to_connect("t", Some(b"null")).unwrap(),
            SchemaAndValue::null()
        );
        assert_eq!(
            c.to_connect("t", Some(b"42")).unwrap().value,
            Value::Int64(42)
        );
        // Envelopes are still honoured, as in Kafka.
        let back = c
            .to_connect("t", Some(br#"{"schema":{"type":"int32"},"payload":5}"#))
            .unwrap();
        assert_eq!(back, SchemaAndValue::new(Schema::int32(), 5i32));
        // Schemaless with envelope: schema null.
        let enveloped = conv(&[]);
        let bytes = enveloped
            .from_connect(
                "t",
                &SchemaAndValue::schemaless(Value::Array(vec![1i64.into()])),
            )
            .unwrap()
            .unwrap();
        assert_eq!(bytes, br#"{"schema":null,"payload":[1]}"#);
        assert_eq!(
            enveloped.to_connect("t", Some(&bytes)).unwrap(),
            SchemaAndValue::schemaless(Value::Array(vec![1i64.into()]))
        );
        // Non-string map keys become [key, value] pairs.
        let bytes = c
            .from_connect(
                "t",
                &SchemaAndValue::schemaless(Value::Map(vec![(1i32.into(), "a".into())])),
            )
            .unwrap()
            .unwrap();
        assert_eq!(bytes, br#"[[1,"a"]]"#);
    }

    #[test]
    fn nulls() {
        for enable in ["true", "false"] {
            let c = conv(&[("schemas.enable", enable)]);
            assert_eq!(c.from_connect("t", &SchemaAndValue::null()).unwrap(), None);
            assert_eq!(c.to_connect("t", None).unwrap(), SchemaAndValue::null());
            assert_eq!(
                c.to_connect("t", Some(b"")).unwrap(),
                SchemaAndValue::null()
            );
        }
        let c = conv(&[]);
        let bytes = c
            .from_connect(
                "t",
                &SchemaAndValue::new(Schema::optional_int32(), Value::Null),
            )
            .unwrap()
            .unwrap();
        assert_eq!(
            bytes,
            br#"{"schema":{"type":"int32","optional":true},"payload":null}"#
        );
    }

    #[test]
    fn defaults_replace_nulls() {
        let schema = Schema::struct_builder()
            .field(
                "level",
                Schema::optional_int32()
                    .to_builder()
                    .default_value(Value::Int32(5))
                    .build(),
            )
            .build();
        let data = SchemaAndValue::new(schema.clone(), Struct::new().put("level", Value::Null));
        let out = |c: &dyn Converter| {
            let b = c.from_connect("t", &data).unwrap().unwrap();
            let j: Json = serde_json::from_slice(&b).unwrap();
            j["payload"].clone()
        };
        assert_eq!(out(conv(&[]).as_ref()), json!({"level": 5}));
        let keep = conv(&[("replace.null.with.default", "false")]);
        assert_eq!(out(keep.as_ref()), json!({"level": null}));
        let back = keep
            .to_connect("t", Some(&keep.from_connect("t", &data).unwrap().unwrap()))
            .unwrap();
        assert_eq!(
            back.value,
            Value::Struct(Struct::new().put("level", Value::Null))
        );
        let replaced = conv(&[])
            .to_connect("t", Some(&keep.from_connect("t", &data).unwrap().unwrap()))
            .unwrap();
        assert_eq!(
            replaced.value,
            Value::Struct(Struct::new().put("level", 5i32))
        );
    }

    #[test]
    fn mismatches_name_the_path() {
        let c = conv(&[]);
        let schema = Schema::struct_builder()
            .field(
                "address",
                Schema::struct_builder()
                    .field("city", Schema::string())
                    .build(),
            )
            .field("tags", Schema::array(Schema::int32()))
            .build();
        let cases = [
            (
                Struct::new()
                    .put("address", Struct::new().put("city", 5i32))
                    .put("tags", Value::Array(vec![])),
                "JsonConverter: invalid data at $.address.city: expected string, got int32",
            ),
            (
                Struct::new()
                    .put("address", Struct::new())
                    .put("tags", Value::Array(vec![])),
                "$.address.city: null value for required string field",
            ),
            (
                Struct::new()
                    .put("address", Struct::new().put("city", "x"))
                    .put("tags", Value::Array(vec![1i32.into(), 2i64.into()])),
                "$.tags[1]: expected int32, got int64",
            ),
            (
                Struct::new()
                    .put("address", Struct::new().put("city", "x"))
                    .put("tags", Value::Array(vec![]))
                    .put("extra", 1i32),
                "$: struct has field 'extra' that is not in its schema",
            ),
        ];
        for (value, msg) in cases {
            let err = c
                .from_connect("t", &SchemaAndValue::new(schema.clone(), value))
                .unwrap_err();
            assert!(err.to_string().contains(msg), "{err}");
        }
        let err = c
            .from_connect("t", &SchemaAndValue::new(Schema::float64(), f64::NAN))
            .unwrap_err();
        assert!(err.to_string().contains("cannot be represented"), "{err}");
    }

    #[test]
    fn bad_input() {
        let c = conv(&[]);
        let err = c.to_connect("t", Some(br#"{"a":1}"#)).unwrap_err();
        assert_eq!(err, ConversionError::MissingEnvelope);
        assert_eq!(
            err.to_string(),
            "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may \
             not contain additional fields. If you are trying to deserialize plain JSON data, set \
             schemas.enable=false in your converter configuration."
        );
        assert_eq!(
            c.to_connect("t", Some(br#"{"schema":null,"payload":1,"x":2}"#))
                .unwrap_err(),
            ConversionError::MissingEnvelope
        );
        assert!(matches!(
            c.to_connect("t", Some(b"{not json")).unwrap_err(),
            ConversionError::InvalidJson(_)
        ));
        let cases: [(&[u8], &str); 7] = [
            (
                br#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}]},"payload":{}}"#,
                "$.id: invalid null value for required int32 field",
            ),
            (
                br#"{"schema":{"type":"int8"},"payload":300}"#,
                "$: 300 is not a valid int8",
            ),
            (
                br#"{"schema":{"type":"string"},"payload":1}"#,
                "$: expected string, got number",
            ),
            (
                br#"{"schema":{"type":"bytes"},"payload":"!!"}"#,
                "invalid base64",
            ),
            (
                br#"{"schema":{"type":"array","items":{"type":"boolean"}},"payload":[true,1]}"#,
                "$[1]: expected boolean, got number",
            ),
            (
                br#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":{"k":"v"}}"#,
                "$[\"k\"]: expected int32, got string",
            ),
            (
                br#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[[1]]}"#,
                "$[0]: expected a [key, value] array",
            ),
        ];
        for (input, msg) in cases {
            let err = c.to_connect("t", Some(input)).unwrap_err();
            assert!(err.to_string().contains(msg), "{err}");
        }
        let err = c
            .to_connect("t", Some(br#"{"schema":{"type":"nope"},"payload":1}"#))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid schema at $.schema: Unknown schema type: nope"),
            "{err}"
        );
    }
}
