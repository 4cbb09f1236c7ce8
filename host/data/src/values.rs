//! Kafka Connect's `org.apache.kafka.connect.data.Values`: the string form of Connect data that
//! `SimpleHeaderConverter` writes and reads, and that `InsertHeader` parses its literal with.
//!
//! - [`parse_string`] infers a schema and value from text (`Values.parseString`): `true`/`false`,
//!   the smallest integer type that holds an integer, `float32`/`float64`, `Decimal` for integers
//!   beyond `int64`, arrays `[..]`, maps `{..}` (embedded strings in double quotes), ISO-8601 dates
//!   (`2019-08-23`), times (`14:34:54.346Z`) and timestamps (`2019-08-23T14:34:54.346Z`) as the
//!   `Date`/`Time`/`Timestamp` logical types, `null` as null, and anything else as the original
//!   string.
//! - [`convert_to_string`] renders a value (`Values.convertToString`).
//!
//! Kafka's quirks are kept: at the top level a leading number is returned and the text after it
//! ignored (`"1,2"` is the `int8` 1), a malformed array or map preceded by blanks gives just those
//! blanks, quoted strings keep their backslashes, and dates are read leniently (`2019-13-01` is
//! 2020-01-01).
//!
//! Differences from Kafka, where the data model or the JVM decide:
//! - Kafka parses and formats dates in the JVM's default time zone; here always UTC (the format's
//!   trailing `Z`). Dates before the Gregorian cutover (1582) use the proleptic Gregorian calendar.
//! - Only ASCII digits start numbers and dates (Java also accepts other Unicode digits).
//! - Logical values are stored as the data model stores them: `Date` as days (`Int32`), `Time` as
//!   milliseconds of the day (`Int32`), `Timestamp` as epoch milliseconds (`Int64`), `Decimal` as
//!   the unscaled big-endian two's-complement bytes with a `scale` parameter. Inside an array or map
//!   without a common element schema a temporal value becomes `Int64` epoch milliseconds and a
//!   decimal its unscaled bytes, as the model has no schemaless logical values.
//! - [`convert_to_string`] needs the schema to render logical values (Kafka looks at the Java
//!   class); without one they render as their underlying numbers or bytes.

use std::sync::Arc;

use crate::{Schema, SchemaAndValue, SchemaType, Struct, Value};

/// Logical name of Kafka's `Date` type (`int32` days since the Unix epoch).
pub const DATE_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Date";
/// Logical name of Kafka's `Time` type (`int32` milliseconds since midnight).
pub const TIME_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Time";
/// Logical name of Kafka's `Timestamp` type (`int64` milliseconds since the Unix epoch).
pub const TIMESTAMP_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Timestamp";
/// Logical name of Kafka's `Decimal` type (`bytes`: unscaled two's-complement big-endian value,
/// with the scale in the `scale` parameter).
pub const DECIMAL_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
/// The schema parameter holding a `Decimal`'s scale.
pub const DECIMAL_SCALE_PARAMETER: &str = "scale";

const MILLIS_PER_DAY: i64 = 24 * 60 * 60 * 1000;

/// Kafka's `Date.SCHEMA`.
pub fn date_schema() -> Schema {
    Schema::int32()
        .to_builder()
        .name(DATE_LOGICAL_NAME)
        .version(1)
        .build()
}

/// Kafka's `Time.SCHEMA`.
pub fn time_schema() -> Schema {
    Schema::int32()
        .to_builder()
        .name(TIME_LOGICAL_NAME)
        .version(1)
        .build()
}

/// Kafka's `Timestamp.SCHEMA`.
pub fn timestamp_schema() -> Schema {
    Schema::int64()
        .to_builder()
        .name(TIMESTAMP_LOGICAL_NAME)
        .version(1)
        .build()
}

/// Kafka's `Decimal.schema(scale)`.
pub fn decimal_schema(scale: i32) -> Schema {
    Schema::bytes()
        .to_builder()
        .name(DECIMAL_LOGICAL_NAME)
        .parameter(DECIMAL_SCALE_PARAMETER, scale.to_string())
        .version(1)
        .build()
}

/// Parse the string form of a value into its schema and value (Kafka's `Values.parseString`).
///
/// `"null"` gives [`SchemaAndValue::null`]; the empty string and anything that is not a literal,
/// number, date, array or map give a `string` schema with the original text.
pub fn parse_string(value: &str) -> SchemaAndValue {
    if value.is_empty() {
        return SchemaAndValue::new(Schema::string(), value);
    }
    let mut parser = ValueParser {
        parser: Parser::new(value),
    };
    match parser.parse(false) {
        Ok(Some(Typed { schema, value })) => {
            let value = into_value(Some(value), Some(&schema));
            SchemaAndValue {
                schema: Some(Arc::new(schema)),
                value,
            }
        }
        // The top level never fails (a failed array or map falls back to a string); null is null.
        Ok(None) | Err(DataError) => SchemaAndValue::null(),
    }
}

/// The string form of a value (Kafka's `Values.convertToString`); `None` for null.
///
/// Strings are written as is at the top level and quoted (with `\` and `"` escaped) inside arrays,
/// maps and structs; bytes as base64; numbers and booleans as Java prints them; arrays as
/// `[a,b]`; maps and structs as `{k:v,...}`; `Date`/`Time`/`Timestamp` values (with their schema)
/// as ISO-8601 text and `Decimal` values as Java's `BigDecimal.toString`.
pub fn convert_to_string(schema: Option<&Schema>, value: &Value) -> Option<String> {
    if value.is_null() {
        return None;
    }
    let mut out = String::new();
    append(&mut out, schema, value, false);
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Rendering (Values.append)
// ---------------------------------------------------------------------------------------------

fn append(out: &mut String, schema: Option<&Schema>, value: &Value, embedded: bool) {
    let logical = schema.and_then(|s| s.name.as_deref());
    match value {
        Value::Null => out.push_str("null"),
        Value::Int32(v) if logical == Some(DATE_LOGICAL_NAME) => {
            out.push_str(&format_date(i64::from(*v) * MILLIS_PER_DAY));
        }
        Value::Int32(v) if logical == Some(TIME_LOGICAL_NAME) => {
            out.push_str(&format_date(i64::from(*v)));
        }
        Value::Int64(v) if logical == Some(TIMESTAMP_LOGICAL_NAME) => {
            out.push_str(&format_date(*v));
        }
        Value::Int8(v) => out.push_str(&v.to_string()),
        Value::Int16(v) => out.push_str(&v.to_string()),
        Value::Int32(v) => out.push_str(&v.to_string()),
        Value::Int64(v) => out.push_str(&v.to_string()),
        Value::Float32(v) => out.push_str(&java_float_string(f64::from(*v), v.is_finite(), true)),
        Value::Float64(v) => out.push_str(&java_float_string(*v, v.is_finite(), false)),
        Value::Boolean(v) => out.push_str(if *v { "true" } else { "false" }),
        Value::String(s) => {
            if embedded {
                out.push('"');
                out.push_str(&escape(s));
                out.push('"');
            } else {
                out.push_str(s);
            }
        }
        Value::Bytes(bytes) => {
            let scale = schema
                .filter(|s| s.name.as_deref() == Some(DECIMAL_LOGICAL_NAME))
                .and_then(|s| s.parameter(DECIMAL_SCALE_PARAMETER))
                .and_then(|s| s.trim().parse::<i32>().ok());
            match scale {
                // A BigDecimal is a Number: never quoted.
                Some(scale) => {
                    out.push_str(&BigDec::from_twos_complement(bytes, scale).to_java_string())
                }
                None => {
                    let encoded = base64_encode(bytes);
                    if embedded {
                        out.push('"');
                        out.push_str(&encoded);
                        out.push('"');
                    } else {
                        out.push_str(&encoded);
                    }
                }
            }
        }
        Value::Array(items) => {
            let element = schema.and_then(|s| s.value_schema.as_deref());
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, element, item, true);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let key_schema = schema.and_then(|s| s.key_schema.as_deref());
            let value_schema = schema.and_then(|s| s.value_schema.as_deref());
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, key_schema, k, true);
                out.push(':');
                append(out, value_schema, v, true);
            }
            out.push('}');
        }
        Value::Struct(s) => append_struct(out, schema, s),
    }
}

fn append_struct(out: &mut String, schema: Option<&Schema>, value: &Struct) {
    out.push('{');
    match schema.filter(|s| s.schema_type == SchemaType::Struct) {
        Some(schema) => {
            for (i, field) in schema.fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, None, &Value::String(field.name.clone()), true);
                out.push(':');
                // Struct.get(field): a null field reads as its schema's default.
                let v = match value.get(&field.name) {
                    None | Some(Value::Null) => field
                        .schema
                        .default_value
                        .as_deref()
                        .unwrap_or(&Value::Null),
                    Some(v) => v,
                };
                append(out, Some(&field.schema), v, true);
            }
        }
        None => {
            for (i, (name, v)) in value.fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, None, &Value::String(name.clone()), true);
                out.push(':');
                append(out, None, v, true);
            }
        }
    }
    out.push('}');
}

/// Kafka's `Values.escape`: `\` → `\\`, `"` → `\"`.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Java's `Float.toString` / `Double.toString` (shortest digits that round-trip).
fn java_float_string(v: f64, finite: bool, single: bool) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if !finite {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let sci = if single {
        format!("{:e}", v as f32)
    } else {
        format!("{v:e}")
    };
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    let abs = v.abs();
    if (1e-3..1e7).contains(&abs) {
        if exponent >= 0 {
            let int_len = exponent as usize + 1;
            let padded = format!("{digits:0<int_len$}");
            let (int_part, frac) = padded.split_at(int_len);
            out.push_str(int_part);
            out.push('.');
            out.push_str(if frac.is_empty() { "0" } else { frac });
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exponent - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push('E');
        out.push_str(&exponent.to_string());
    }
    out
}

/// Kafka's `Values.dateFormatFor(date).format(date)`, in UTC: before the end of the first day
/// (including negative values) a time, on a day boundary a date, otherwise a timestamp.
pub fn format_date(millis: i64) -> String {
    let time = || {
        let ms = millis.rem_euclid(MILLIS_PER_DAY);
        format!(
            "{:02}:{:02}:{:02}.{:03}Z",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    let date = || {
        let (y, m, d) = civil_from_days(millis.div_euclid(MILLIS_PER_DAY));
        format!("{y:04}-{m:02}-{d:02}")
    };
    if millis < MILLIS_PER_DAY {
        time()
    } else if millis % MILLIS_PER_DAY == 0 {
        date()
    } else {
        format!("{}T{}", date(), time())
    }
}

/// (year, month 1-12, day 1-31) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Standard Base64 with padding (Java's `Base64.getEncoder()`).
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Arbitrary-precision decimals (just enough of java.math.BigDecimal)
// ---------------------------------------------------------------------------------------------

/// A decimal: `(-1)^negative × digits × 10^-scale`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct BigDec {
    negative: bool,
    /// Unscaled magnitude in decimal, without leading zeros (`"0"` for zero).
    digits: String,
    scale: i32,
}

impl BigDec {
    /// `new BigDecimal(text)`: `[+-]digits[.digits][(e|E)[+-]digits]`; `None` where Java throws
    /// `NumberFormatException`.
    fn parse(text: &str) -> Option<BigDec> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (significand, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = significand.split_once('.').unwrap_or((significand, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part)
        {
            return None;
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
                if unsigned.is_empty() || !all_digits(unsigned) {
                    return None;
                }
                e.parse().ok()?
            }
        };
        let scale = i32::try_from(i64::try_from(frac_part.len()).ok()? - exponent).ok()?;
        let joined = format!("{int_part}{frac_part}");
        let digits = joined.trim_start_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        Some(BigDec {
            negative: negative && digits != "0",
            digits: digits.to_string(),
            scale,
        })
    }

    /// The value as an `i64` if it is an integer within range (`Values.parseAsExactDecimal`).
    fn exact_i64(&self) -> Option<i64> {
        if self.digits == "0" {
            return Some(0);
        }
        let integer = if self.scale <= 0 {
            let zeros = self.scale.unsigned_abs() as usize;
            if self.digits.len().saturating_add(zeros) > 19 {
                return None;
            }
            format!("{}{}", self.digits, "0".repeat(zeros))
        } else {
            let scale = self.scale as usize;
            if scale >= self.digits.len() {
                return None;
            }
            let (int_part, frac) = self.digits.split_at(self.digits.len() - scale);
            if frac.bytes().any(|b| b != b'0') || int_part.len() > 19 {
                return None;
            }
            int_part.to_string()
        };
        let magnitude: i128 = integer.parse().ok()?;
        i64::try_from(if self.negative { -magnitude } else { magnitude }).ok()
    }

    fn scientific(&self) -> String {
        format!(
            "{}{}e{}",
            if self.negative { "-" } else { "" },
            self.digits,
            -i64::from(self.scale)
        )
    }

    /// `BigDecimal.floatValue()` (correctly rounded).
    fn to_f32(&self) -> f32 {
        self.scientific().parse().unwrap_or(f32::NAN)
    }

    /// `BigDecimal.doubleValue()` (correctly rounded).
    fn to_f64(&self) -> f64 {
        self.scientific().parse().unwrap_or(f64::NAN)
    }

    /// The same value with `scale`, if that is exact (no digits lost, at most 10,000 added).
    fn with_scale(&self, scale: i32) -> Option<BigDec> {
        if scale == self.scale || self.digits == "0" {
            return Some(BigDec {
                scale,
                ..self.clone()
            });
        }
        let diff = i64::from(scale) - i64::from(self.scale);
        let digits = if diff > 0 {
            if diff > 10_000 {
                return None;
            }
            format!("{}{}", self.digits, "0".repeat(diff as usize))
        } else {
            let drop = usize::try_from(-diff).ok()?;
            if drop >= self.digits.len() {
                return None;
            }
            let (kept, dropped) = self.digits.split_at(self.digits.len() - drop);
            if dropped.bytes().any(|b| b != b'0') {
                return None;
            }
            kept.to_string()
        };
        Some(BigDec {
            negative: self.negative,
            digits,
            scale,
        })
    }

    /// The unscaled value as minimal big-endian two's-complement bytes (`BigInteger.toByteArray`).
    fn to_twos_complement(&self) -> Vec<u8> {
        // Magnitude in little-endian base 2^32.
        let mut limbs: Vec<u32> = vec![0];
        for digit in self.digits.bytes() {
            let mut carry = u64::from(digit - b'0');
            for limb in &mut limbs {
                let v = u64::from(*limb) * 10 + carry;
                *limb = v as u32;
                carry = v >> 32;
            }
            if carry > 0 {
                limbs.push(carry as u32);
            }
        }
        let mut bytes: Vec<u8> = limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
        let first = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        bytes.drain(..first);
        if self.negative {
            negate(&mut bytes);
            if bytes[0] & 0x80 == 0 {
                bytes.insert(0, 0xff);
            }
        } else if bytes[0] & 0x80 != 0 {
            bytes.insert(0, 0);
        }
        bytes
    }

    /// The decimal whose unscaled value is the two's-complement `bytes` (`Decimal.toLogical`).
    fn from_twos_complement(bytes: &[u8], scale: i32) -> BigDec {
        let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
        let mut magnitude = bytes.to_vec();
        if negative {
            negate(&mut magnitude);
        }
        // Repeatedly divide the big-endian magnitude by 10^9, collecting remainders.
        let mut chunks: Vec<u32> = Vec::new();
        while magnitude.iter().any(|&b| b != 0) {
            let mut remainder: u64 = 0;
            for byte in &mut magnitude {
                let v = (remainder << 8) | u64::from(*byte);
                *byte = (v / 1_000_000_000) as u8;
                remainder = v % 1_000_000_000;
            }
            chunks.push(remainder as u32);
        }
        let mut digits = chunks.last().map_or("0".to_string(), u32::to_string);
        for chunk in chunks.iter().rev().skip(1) {
            digits.push_str(&format!("{chunk:09}"));
        }
        BigDec {
            negative: negative && digits != "0",
            digits,
            scale,
        }
    }

    /// `BigDecimal.toString()`: plain notation when the scale is not negative and the adjusted
    /// exponent is at least -6, otherwise scientific (`1.23E+5`).
    fn to_java_string(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        let len = self.digits.len() as i64;
        let adjusted = -i64::from(self.scale) + (len - 1);
        if self.scale == 0 {
            format!("{sign}{}", self.digits)
        } else if self.scale > 0 && adjusted >= -6 {
            let scale = i64::from(self.scale);
            if len > scale {
                let (int_part, frac) = self.digits.split_at((len - scale) as usize);
                format!("{sign}{int_part}.{frac}")
            } else {
                let zeros = "0".repeat((scale - len) as usize);
                format!("{sign}0.{zeros}{}", self.digits)
            }
        } else {
            let (first, rest) = self.digits.split_at(1);
            let mut out = format!("{sign}{first}");
            if !rest.is_empty() {
                out.push('.');
                out.push_str(rest);
            }
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
            out
        }
    }
}

/// Two's-complement negation of a big-endian byte string, in place.
fn negate(bytes: &mut [u8]) {
    let mut carry = true;
    for byte in bytes.iter_mut().rev() {
        let (v, overflow) = (!*byte).overflowing_add(u8::from(carry));
        *byte = v;
        carry = carry && overflow;
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing (Values.Parser and Values.ValueParser)
// ---------------------------------------------------------------------------------------------

/// Kafka's `DataException` inside the parser: always caught, the text then parses as a string.
#[derive(Debug)]
struct DataError;

/// A parsed value before it is stored in the data model: like the Java objects `Values` builds.
#[derive(Clone, Debug)]
enum Parsed {
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    Boolean(bool),
    String(String),
    Decimal(BigDec),
    /// A `java.util.Date`: epoch milliseconds.
    Temporal(i64),
    Array(Vec<Option<Parsed>>),
    Map(Vec<(Parsed, Option<Parsed>)>),
}

impl Parsed {
    /// Java's `equals` between the objects (map keys).
    fn java_equals(&self, other: &Parsed) -> bool {
        match (self, other) {
            (Parsed::Float32(a), Parsed::Float32(b)) => a.to_bits() == b.to_bits(),
            (Parsed::Float64(a), Parsed::Float64(b)) => a.to_bits() == b.to_bits(),
            (Parsed::Int8(a), Parsed::Int8(b)) => a == b,
            (Parsed::Int16(a), Parsed::Int16(b)) => a == b,
            (Parsed::Int32(a), Parsed::Int32(b)) => a == b,
            (Parsed::Int64(a), Parsed::Int64(b)) => a == b,
            (Parsed::Boolean(a), Parsed::Boolean(b)) => a == b,
            (Parsed::String(a), Parsed::String(b)) => a == b,
            (Parsed::Decimal(a), Parsed::Decimal(b)) => a == b,
            (Parsed::Temporal(a), Parsed::Temporal(b)) => a == b,
            (Parsed::Array(a), Parsed::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| optional_equals(x, y))
            }
            (Parsed::Map(a), Parsed::Map(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| {
                        b.iter()
                            .any(|(k2, v2)| k.java_equals(k2) && optional_equals(v, v2))
                    })
            }
            _ => false,
        }
    }

    /// `Number.longValue()`; `None` for anything that is not a number.
    fn long_value(&self) -> Option<i64> {
        Some(match *self {
            Parsed::Int8(v) => v.into(),
            Parsed::Int16(v) => v.into(),
            Parsed::Int32(v) => v.into(),
            Parsed::Int64(v) => v,
            Parsed::Float32(v) => v as i64,
            Parsed::Float64(v) => v as i64,
            _ => return None,
        })
    }

    /// `Number.doubleValue()`; `None` for anything that is not a number.
    fn double_value(&self) -> Option<f64> {
        Some(match *self {
            Parsed::Float32(v) => v.into(),
            Parsed::Float64(v) => v,
            _ => self.long_value()? as f64,
        })
    }
}

fn optional_equals(a: &Option<Parsed>, b: &Option<Parsed>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.java_equals(b),
        _ => false,
    }
}

/// `LinkedHashMap.put`: replace the value of an equal key in place, or append.
fn map_put(map: &mut Vec<(Parsed, Option<Parsed>)>, key: Parsed, value: Option<Parsed>) {
    match map.iter_mut().find(|(k, _)| k.java_equals(&key)) {
        Some(entry) => entry.1 = value,
        None => map.push((key, value)),
    }
}

/// A parsed value with its inferred schema (a non-null Java `SchemaAndValue`).
#[derive(Clone, Debug)]
struct Typed {
    schema: Schema,
    value: Parsed,
}

impl Typed {
    fn new(schema: Schema, value: Parsed) -> Typed {
        Typed { schema, value }
    }

    fn string(s: &str) -> Typed {
        Typed::new(Schema::string(), Parsed::String(s.to_string()))
    }
}

/// Store a parsed value in the data model, guided by its schema.
fn into_value(parsed: Option<Parsed>, schema: Option<&Schema>) -> Value {
    let Some(parsed) = parsed else {
        return Value::Null;
    };
    match parsed {
        Parsed::Int8(v) => Value::Int8(v),
        Parsed::Int16(v) => Value::Int16(v),
        Parsed::Int32(v) => Value::Int32(v),
        Parsed::Int64(v) => Value::Int64(v),
        Parsed::Float32(v) => Value::Float32(v),
        Parsed::Float64(v) => Value::Float64(v),
        Parsed::Boolean(v) => Value::Boolean(v),
        Parsed::String(v) => Value::String(v),
        Parsed::Decimal(d) => Value::Bytes(d.to_twos_complement()),
        Parsed::Temporal(millis) => match schema.and_then(|s| s.name.as_deref()) {
            Some(DATE_LOGICAL_NAME) => Value::Int32(millis.div_euclid(MILLIS_PER_DAY) as i32),
            Some(TIME_LOGICAL_NAME) => Value::Int32(millis as i32),
            _ => Value::Int64(millis),
        },
        Parsed::Array(items) => {
            let element = schema.and_then(|s| s.value_schema.as_deref());
            Value::Array(items.into_iter().map(|i| into_value(i, element)).collect())
        }
        Parsed::Map(entries) => {
            let key_schema = schema.and_then(|s| s.key_schema.as_deref());
            let value_schema = schema.and_then(|s| s.value_schema.as_deref());
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (into_value(Some(k), key_schema), into_value(v, value_schema)))
                    .collect(),
            )
        }
    }
}

/// `Values.convertTo(toSchema, null, value)` for the values the parser produces, used to align
/// array elements and map entries with their common schema.
fn convert_to(to: &Schema, value: Option<Parsed>) -> Result<Option<Parsed>, DataError> {
    let Some(value) = value else {
        // "Unable to convert a null value to a schema that requires a value"
        return if to.optional {
            Ok(None)
        } else {
            Err(DataError)
        };
    };
    let name = to.name.as_deref();
    let converted = match to.schema_type {
        SchemaType::Int32 if name == Some(DATE_LOGICAL_NAME) => match value {
            Parsed::Temporal(_) => value,
            other => {
                let days = other.long_value().ok_or(DataError)? as i32;
                Parsed::Temporal(i64::from(days) * MILLIS_PER_DAY)
            }
        },
        SchemaType::Int32 if name == Some(TIME_LOGICAL_NAME) => match value {
            Parsed::Temporal(_) => value,
            other => {
                let millis = other.long_value().ok_or(DataError)? as i32;
                if millis < 0 || i64::from(millis) > MILLIS_PER_DAY {
                    return Err(DataError);
                }
                Parsed::Temporal(millis.into())
            }
        },
        SchemaType::Int64 if name == Some(TIMESTAMP_LOGICAL_NAME) => match value {
            Parsed::Temporal(_) => value,
            other => Parsed::Temporal(other.long_value().ok_or(DataError)?),
        },
        SchemaType::Int8 => match value {
            Parsed::Int8(_) => value,
            other => Parsed::Int8(other.long_value().ok_or(DataError)? as i8),
        },
        SchemaType::Int16 => match value {
            Parsed::Int16(_) => value,
            other => Parsed::Int16(other.long_value().ok_or(DataError)? as i16),
        },
        SchemaType::Int32 => match value {
            Parsed::Int32(_) => value,
            other => Parsed::Int32(other.long_value().ok_or(DataError)? as i32),
        },
        SchemaType::Int64 => match value {
            Parsed::Int64(_) => value,
            other => Parsed::Int64(other.long_value().ok_or(DataError)?),
        },
        SchemaType::Float32 => match value {
            Parsed::Float32(_) => value,
            other => Parsed::Float32(other.double_value().ok_or(DataError)? as f32),
        },
        SchemaType::Float64 => match value {
            Parsed::Float64(_) => value,
            other => Parsed::Float64(other.double_value().ok_or(DataError)?),
        },
        SchemaType::Bytes if name == Some(DECIMAL_LOGICAL_NAME) => match value {
            // The model keeps one scale per schema: rescale exactly, or give up.
            Parsed::Decimal(d) => {
                let scale = to
                    .parameter(DECIMAL_SCALE_PARAMETER)
                    .and_then(|s| s.parse().ok())
                    .ok_or(DataError)?;
                Parsed::Decimal(d.with_scale(scale).ok_or(DataError)?)
            }
            _ => return Err(DataError),
        },
        SchemaType::Boolean => match value {
            Parsed::Boolean(_) => value,
            _ => return Err(DataError),
        },
        SchemaType::String => match value {
            Parsed::String(_) => value,
            _ => return Err(DataError),
        },
        SchemaType::Array => match value {
            Parsed::Array(_) => value,
            _ => return Err(DataError),
        },
        SchemaType::Map => match value {
            Parsed::Map(_) => value,
            _ => return Err(DataError),
        },
        SchemaType::Bytes | SchemaType::Struct => return Err(DataError),
    };
    Ok(Some(converted))
}

/// Kafka's `Values.mergeSchemas`: a schema for values of both, widening numbers.
fn merge_schemas(previous: &Schema, new: &Schema) -> Option<Schema> {
    use SchemaType::*;
    let rank = |t: SchemaType| match t {
        Int8 => Some(0),
        Int16 => Some(1),
        Int32 => Some(2),
        Int64 => Some(3),
        Float32 => Some(4),
        Float64 => Some(5),
        _ => None,
    };
    if previous.schema_type != new.schema_type {
        let (p, n) = (rank(previous.schema_type)?, rank(new.schema_type)?);
        return Some(if n > p { new.clone() } else { previous.clone() });
    }
    if previous.optional == new.optional {
        return Some(if previous.optional {
            previous.clone()
        } else {
            new.clone()
        });
    }
    // Optionality differs, so the schemas are never equal.
    None
}

/// Kafka's `Values.SchemaMerger`.
#[derive(Default)]
struct SchemaMerger {
    common: Option<Schema>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&Typed>) {
        let Some(latest) = latest else { return };
        if self.incompatible {
            return;
        }
        self.common = match &self.common {
            None => Some(latest.schema.clone()),
            Some(previous) => merge_schemas(previous, &latest.schema),
        };
        self.incompatible = self.common.is_none();
    }
}

/// Java's `String.trim()`: strips characters up to U+0020.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Kafka's `Utils.isBlank`.
fn is_blank(s: &str) -> bool {
    java_trim(s).is_empty()
}

/// Kafka's `Values.Parser`: splits text into tokens at unescaped `: , { } [ ] "`.
struct Parser<'a> {
    original: &'a str,
    /// Byte index of the next unread character.
    position: usize,
    /// A token read ahead by [`Parser::is_next`] and not consumed yet.
    next_token: Option<&'a str>,
}

impl<'a> Parser<'a> {
    fn new(original: &'a str) -> Parser<'a> {
        Parser {
            original,
            position: 0,
            next_token: None,
        }
    }

    fn mark(&self) -> usize {
        self.position - self.next_token.map_or(0, str::len)
    }

    fn rewind_to(&mut self, position: usize) {
        self.position = position;
        self.next_token = None;
    }

    fn can_consume_next_token(&self) -> bool {
        self.position < self.original.len()
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.can_consume_next_token()
    }

    fn next(&mut self) -> &'a str {
        match self.next_token.take() {
            Some(token) => token,
            None => self.consume_next_token(),
        }
    }

    /// The text of the next `n` tokens, or `None` (and nothing consumed) if there are fewer.
    fn next_n(&mut self, n: usize) -> Option<&'a str> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(&self.original[start..self.position])
    }

    fn consume_next_token(&mut self) -> &'a str {
        let bytes = self.original.as_bytes();
        let start = self.position;
        let mut escaped = false;
        while self.position < bytes.len() {
            match bytes[self.position] {
                b'\\' => escaped = !escaped,
                b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"' => {
                    if !escaped {
                        if start < self.position {
                            return &self.original[start..self.position];
                        }
                        self.position += 1;
                        return &self.original[start..self.position];
                    }
                    escaped = false;
                }
                _ => escaped = false,
            }
            self.position += 1;
        }
        &self.original[start..]
    }

    /// Consume the next token if it is `expected` (ignoring surrounding whitespace and skipping
    /// blank tokens).
    fn can_consume(&mut self, expected: &str) -> bool {
        if self.is_next(expected) {
            self.next_token = None;
            return true;
        }
        false
    }

    fn is_next(&mut self, expected: &str) -> bool {
        let mut token = match self.next_token {
            Some(token) => token,
            None => {
                if !self.has_next() {
                    return false;
                }
                self.consume_next_token()
            }
        };
        while is_blank(token) && self.can_consume_next_token() {
            token = self.consume_next_token();
        }
        self.next_token = Some(token);
        java_trim(token) == expected
    }
}

/// Kafka's `Values.ValueParser`.
struct ValueParser<'a> {
    parser: Parser<'a>,
}

const ISO_8601_DATE_LENGTH: usize = 10; // yyyy-MM-dd
const ISO_8601_TIME_LENGTH: usize = 13; // HH:mm:ss.SSSZ
const ISO_8601_TIMESTAMP_LENGTH: usize = 24; // yyyy-MM-ddTHH:mm:ss.SSSZ

impl ValueParser<'_> {
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.parser.mark();
        // At the top level, a literal followed by more tokens ("true}") is a string.
        if self.parser.can_consume(literal) && (embedded || !self.parser.has_next()) {
            return true;
        }
        self.parser.rewind_to(start);
        false
    }

    /// `Ok(None)` is Java's null (the `null` literal, or nothing left).
    fn parse(&mut self, embedded: bool) -> Result<Option<Typed>, DataError> {
        if !self.parser.has_next() {
            return Ok(None);
        }
        if embedded && self.parser.can_consume("\"") {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        if self.can_parse_single_token_literal(embedded, "true") {
            return Ok(Some(Typed::new(Schema::boolean(), Parsed::Boolean(true))));
        }
        if self.can_parse_single_token_literal(embedded, "false") {
            return Ok(Some(Typed::new(Schema::boolean(), Parsed::Boolean(false))));
        }

        let start = self.parser.mark();
        let structured = if self.parser.can_consume("[") {
            Some(self.parse_array())
        } else if self.parser.can_consume("{") {
            Some(self.parse_map())
        } else {
            None
        };
        match structured {
            Some(Ok(typed)) => return Ok(Some(typed)),
            // Not a valid array or map: read it again as a single token.
            Some(Err(DataError)) => self.parser.rewind_to(start),
            None => {}
        }

        let token = self.parser.next();
        if is_blank(token) {
            Ok(Some(Typed::string(token)))
        } else {
            self.parse_next_token(embedded, java_trim(token))
        }
    }

    fn parse_next_token(
        &mut self,
        embedded: bool,
        token: &str,
    ) -> Result<Option<Typed>, DataError> {
        let first = token.chars().next().unwrap_or(' ');
        let first_is_digit = first.is_ascii_digit();
        // Temporal types are more restrictive, so try them first.
        if first_is_digit && let Some(temporal) = self.parse_multiple_tokens_as_temporal(token) {
            return Ok(Some(temporal));
        }
        if (first_is_digit || first == '+' || first == '-')
            && let Some(number) = parse_as_number(token)
        {
            return Ok(Some(number));
        }
        if embedded {
            // "Failed to parse embedded value"
            return Err(DataError);
        }
        // At the top level, anything else is the whole original string.
        Ok(Some(Typed::string(self.parser.original)))
    }

    fn parse_quoted_string(&mut self) -> Typed {
        let mut content = String::new();
        while self.parser.has_next() {
            if self.parser.can_consume("\"") {
                break;
            }
            content.push_str(self.parser.next());
        }
        // Quoted text can be a temporal value; otherwise it is a string.
        parse_as_temporal(&content).unwrap_or_else(|| Typed::string(&content))
    }

    fn parse_array(&mut self) -> Result<Typed, DataError> {
        let mut items: Vec<Option<Parsed>> = Vec::new();
        let mut element_schema = SchemaMerger::default();
        while self.parser.has_next() {
            if self.parser.can_consume("]") {
                return Ok(match element_schema.common {
                    Some(common) => {
                        let items = items
                            .into_iter()
                            .map(|item| convert_to(&common, item))
                            .collect::<Result<_, _>>()?;
                        Typed::new(Schema::array(common), Parsed::Array(items))
                    }
                    // Every element is null, or they have no common schema.
                    None => Typed::new(Schema::new(SchemaType::Array), Parsed::Array(items)),
                });
            }
            if self.parser.can_consume(",") {
                // "Unable to parse an empty array element"
                return Err(DataError);
            }
            let element = self.parse(true)?;
            element_schema.merge(element.as_ref());
            items.push(element.map(|e| e.value));

            let position = self.parser.mark();
            if self.parser.can_consume("]") {
                self.parser.rewind_to(position);
            } else if !self.parser.can_consume(",") {
                // "Array elements missing ',' delimiter"
                return Err(DataError);
            }
        }
        // "Array is missing terminating ']'"
        Err(DataError)
    }

    fn parse_map(&mut self) -> Result<Typed, DataError> {
        let mut entries: Vec<(Parsed, Option<Parsed>)> = Vec::new();
        let mut key_schema = SchemaMerger::default();
        let mut value_schema = SchemaMerger::default();
        while self.parser.has_next() {
            if self.parser.can_consume("}") {
                let typed = match (key_schema.common, value_schema.common) {
                    (Some(k), Some(v)) => {
                        let mut aligned = Vec::with_capacity(entries.len());
                        for (key, value) in entries {
                            let key = convert_to(&k, Some(key))?.ok_or(DataError)?;
                            map_put(&mut aligned, key, convert_to(&v, value)?);
                        }
                        Typed::new(Schema::map(k, v), Parsed::Map(aligned))
                    }
                    (Some(k), None) => {
                        let mut aligned = Vec::with_capacity(entries.len());
                        for (key, value) in entries {
                            let key = convert_to(&k, Some(key))?.ok_or(DataError)?;
                            map_put(&mut aligned, key, value);
                        }
                        let schema = Schema {
                            key_schema: Some(Arc::new(k)),
                            ..Schema::new(SchemaType::Map)
                        };
                        Typed::new(schema, Parsed::Map(aligned))
                    }
                    _ => Typed::new(Schema::new(SchemaType::Map), Parsed::Map(entries)),
                };
                return Ok(typed);
            }
            if self.parser.can_consume(",") {
                // "Unable to parse a map entry with no key or value"
                return Err(DataError);
            }
            // "Map entry may not have a null key"
            let key = self.parse(true)?.ok_or(DataError)?;
            if !self.parser.can_consume(":") {
                // "Map entry is missing ':'"
                return Err(DataError);
            }
            let value = self.parse(true)?;
            map_put(
                &mut entries,
                key.value.clone(),
                value.as_ref().map(|v| v.value.clone()),
            );
            self.parser.can_consume(",");
            key_schema.merge(Some(&key));
            value_schema.merge(value.as_ref());
        }
        // "Map is missing terminating '}'"
        Err(DataError)
    }

    /// A time or timestamp is split into 5 tokens at its unescaped colons: try them together
    /// first, then the token alone.
    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<Typed> {
        let position = self.parser.mark();
        if let Some(remainder) = self.parser.next_n(4)
            && let Some(temporal) = parse_as_temporal(&format!("{token}{remainder}"))
        {
            return Some(temporal);
        }
        self.parser.rewind_to(position);
        parse_as_temporal(token)
    }
}

/// Kafka's `ValueParser.parseAsNumber`: the smallest integer type for an integer, else `float32`
/// if finite, else `float64` if finite, else a `Decimal`.
fn parse_as_number(token: &str) -> Option<Typed> {
    let decimal = BigDec::parse(token)?;
    if let Some(integral) = decimal.exact_i64() {
        return Some(if let Ok(v) = i8::try_from(integral) {
            Typed::new(Schema::int8(), Parsed::Int8(v))
        } else if let Ok(v) = i16::try_from(integral) {
            Typed::new(Schema::int16(), Parsed::Int16(v))
        } else if let Ok(v) = i32::try_from(integral) {
            Typed::new(Schema::int32(), Parsed::Int32(v))
        } else {
            Typed::new(Schema::int64(), Parsed::Int64(integral))
        });
    }
    let float = decimal.to_f32();
    if float.is_finite() && decimal.scale != 0 {
        return Some(Typed::new(Schema::float32(), Parsed::Float32(float)));
    }
    let double = decimal.to_f64();
    if double.is_finite() && decimal.scale != 0 {
        return Some(Typed::new(Schema::float64(), Parsed::Float64(double)));
    }
    Some(Typed::new(
        decimal_schema(decimal.scale),
        Parsed::Decimal(decimal),
    ))
}

/// One element of a `SimpleDateFormat` pattern.
#[derive(Clone, Copy)]
enum Pattern {
    /// A numeric field: index into (year, month, day, hour, minute, second, millisecond).
    Number(usize),
    /// A literal character.
    Literal(u8),
}

const DATE_PATTERN: &[Pattern] = &[
    Pattern::Number(0),
    Pattern::Literal(b'-'),
    Pattern::Number(1),
    Pattern::Literal(b'-'),
    Pattern::Number(2),
];
const TIME_PATTERN: &[Pattern] = &[
    Pattern::Number(3),
    Pattern::Literal(b':'),
    Pattern::Number(4),
    Pattern::Literal(b':'),
    Pattern::Number(5),
    Pattern::Literal(b'.'),
    Pattern::Number(6),
    Pattern::Literal(b'Z'),
];

/// Kafka's `ValueParser.parseAsTemporal`: by length, a time (`HH:mm:ss.SSS'Z'`), timestamp
/// (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`) or date (`yyyy-MM-dd`), read like Java's lenient
/// `SimpleDateFormat` (in UTC).
fn parse_as_temporal(token: &str) -> Option<Typed> {
    // Escaped colons come through with their backslashes.
    let token = token.replace("\\:", ":");
    let (schema, pattern): (Schema, Vec<Pattern>) = match token.encode_utf16().count() {
        ISO_8601_TIME_LENGTH => (time_schema(), TIME_PATTERN.to_vec()),
        ISO_8601_TIMESTAMP_LENGTH => {
            let mut pattern = DATE_PATTERN.to_vec();
            pattern.push(Pattern::Literal(b'T'));
            pattern.extend_from_slice(TIME_PATTERN);
            (timestamp_schema(), pattern)
        }
        ISO_8601_DATE_LENGTH => (date_schema(), DATE_PATTERN.to_vec()),
        _ => return None,
    };
    let millis = simple_date_format_parse(&token, &pattern)?;
    Some(Typed::new(schema, Parsed::Temporal(millis)))
}

/// Epoch milliseconds of `text` read with `pattern` the way a lenient `SimpleDateFormat` does:
/// each number may have leading blanks, a minus sign and any number of digits, out-of-range
/// fields roll over, and text after the pattern is ignored.
fn simple_date_format_parse(text: &str, pattern: &[Pattern]) -> Option<i64> {
    let bytes = text.as_bytes();
    let mut fields: [i64; 7] = [1970, 1, 1, 0, 0, 0, 0];
    let mut i = 0;
    for element in pattern {
        match *element {
            Pattern::Literal(c) => {
                if bytes.get(i) != Some(&c) {
                    return None;
                }
                i += 1;
            }
            Pattern::Number(field) => {
                while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
                let negative = bytes.get(i) == Some(&b'-');
                if negative {
                    i += 1;
                }
                let start = i;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                let magnitude: i64 = text[start..i].parse().ok()?;
                // Number.intValue() of the parsed Long.
                let value = i64::from((if negative { -magnitude } else { magnitude }) as i32);
                fields[field] = value;
            }
        }
    }
    let [year, month, day, hour, minute, second, millis] = fields;
    let month0 = month - 1;
    let days =
        days_from_civil(year + month0.div_euclid(12), month0.rem_euclid(12) + 1, 1) + (day - 1);
    // Java's calendar arithmetic overflows silently for absurd years; so does this.
    Some(
        days.wrapping_mul(MILLIS_PER_DAY)
            .wrapping_add(hour * 3_600_000 + minute * 60_000 + second * 1000 + millis),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const WHITESPACE: &str = "\n \t \t\n";

    fn string_value(s: &str) -> SchemaAndValue {
        SchemaAndValue::new(Schema::string(), s)
    }

    fn schema_of(parsed: &SchemaAndValue) -> &Schema {
        parsed.schema.as_deref().unwrap()
    }

    /// Kafka's `assertParsed`: the tokens of `input`.
    fn tokens(input: &str) -> Vec<&str> {
        let mut parser = Parser::new(input);
        let mut out = Vec::new();
        while parser.has_next() {
            out.push(parser.next());
        }
        out
    }

    #[test]
    fn parses_empty_string_as_string() {
        assert_eq!(parse_string(""), string_value(""));
    }

    #[test]
    fn does_not_loop_on_the_java_done_character() {
        let s = "\u{ffff}";
        assert_eq!(parse_string(s), string_value(s));
    }

    #[test]
    fn unquoted_embedded_strings_make_the_whole_text_a_string() {
        for s in ["{foo: 3}", "{3: foo}", "[foo]", "null=", "true}", "false]"] {
            assert_eq!(parse_string(s), string_value(s), "{s}");
        }
    }

    #[test]
    fn parses_literals_surrounded_by_whitespace() {
        let t = parse_string(&format!("{WHITESPACE}true{WHITESPACE}"));
        assert_eq!(t, SchemaAndValue::new(Schema::boolean(), true));
        let f = parse_string(&format!("{WHITESPACE}false{WHITESPACE}"));
        assert_eq!(f, SchemaAndValue::new(Schema::boolean(), false));
        assert_eq!(
            parse_string(&format!("{WHITESPACE}null{WHITESPACE}")),
            SchemaAndValue::null()
        );
        assert_eq!(parse_string("null"), SchemaAndValue::null());
    }

    #[test]
    fn parses_boolean_literals_embedded_in_array_and_map() {
        let array = parse_string("[true, false]");
        assert_eq!(schema_of(&array), &Schema::array(Schema::boolean()));
        assert_eq!(array.value, Value::Array(vec![true.into(), false.into()]));
        let map = parse_string("{true: false, false: true}");
        assert_eq!(
            schema_of(&map),
            &Schema::map(Schema::boolean(), Schema::boolean())
        );
        assert_eq!(
            map.value,
            Value::Map(vec![
                (true.into(), false.into()),
                (false.into(), true.into())
            ])
        );
    }

    #[test]
    fn malformed_arrays_and_maps_are_strings() {
        for s in [
            "{6:9 4:20}",
            "[0 1 2]",
            "{null: 3}",
            "[1, 2, 3,,,]",
            "[1, null]",
            "[null, 1]",
            "{ \"foo\" :  1234567890 ,, \"bar\" : 0,  \"baz\" : -987654321 }  ",
            "{ \"foo\" :  1234567890 , \"a\", \"bar\" : 0,  \"baz\" : -987654321 }  ",
            "{ ,,  , , }  ",
            "[1, 2",
        ] {
            assert_eq!(parse_string(s), string_value(s), "{s}");
        }
    }

    #[test]
    fn keeps_kafkas_quirks_at_the_top_level() {
        // Kafka rewinds a failed map to the blank text before it and returns only that token.
        for s in [
            " { \"foo\" :  1234567890 ,, \"bar\" : 0,  \"baz\" : -987654321 }  ",
            " { ,,  , , }  ",
        ] {
            assert_eq!(parse_string(s), string_value(" "), "{s}");
        }
        // A leading number is returned and the tokens after it are ignored.
        assert_eq!(
            parse_string("1,2"),
            SchemaAndValue::new(Schema::int8(), 1i8)
        );
        assert_eq!(
            parse_string("12:30"),
            SchemaAndValue::new(Schema::int8(), 12i8)
        );
        // Lenient SimpleDateFormat: month 13 rolls over into the next year.
        assert_eq!(
            parse_string("2019-13-01"),
            SchemaAndValue::new(date_schema(), 18262i32)
        );
        // Absurd lenient years do not panic.
        let far = parse_string("999999999-01-01T0:0:0.0Z");
        assert_eq!(schema_of(&far), &timestamp_schema());
    }

    #[test]
    fn parses_empty_and_null_containing_collections() {
        let map = parse_string("{}");
        assert_eq!(schema_of(&map).schema_type, SchemaType::Map);
        assert_eq!(map.value, Value::Map(vec![]));
        let array = parse_string("[]");
        assert_eq!(schema_of(&array).schema_type, SchemaType::Array);
        assert_eq!(array.value, Value::Array(vec![]));

        let map = parse_string("{3: null}");
        assert_eq!(schema_of(&map).key_schema.as_deref(), Some(&Schema::int8()));
        assert_eq!(schema_of(&map).value_schema, None);
        assert_eq!(map.value, Value::Map(vec![(Value::Int8(3), Value::Null)]));
        let array = parse_string("[null]");
        assert_eq!(schema_of(&array).value_schema, None);
        assert_eq!(array.value, Value::Array(vec![Value::Null]));
    }

    #[test]
    fn parses_maps_of_strings_shorts_and_ints_with_or_without_whitespace() {
        let strings = Schema::map(Schema::string(), Schema::string());
        for s in [
            "{\"foo\":\"123\",\"bar\":\"baz\"}",
            "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ",
        ] {
            let parsed = parse_string(s);
            assert_eq!(schema_of(&parsed), &strings);
            assert_eq!(
                parsed.value,
                Value::Map(vec![
                    ("foo".into(), "123".into()),
                    ("bar".into(), "baz".into())
                ])
            );
        }
        let shorts = parse_string(" { \"foo\" :  12345 , \"bar\" : 0,  \"baz\" : -4321 }  ");
        assert_eq!(
            schema_of(&shorts),
            &Schema::map(Schema::string(), Schema::int16())
        );
        assert_eq!(
            shorts.value,
            Value::Map(vec![
                ("foo".into(), Value::Int16(12345)),
                ("bar".into(), Value::Int16(0)),
                ("baz".into(), Value::Int16(-4321)),
            ])
        );
        let ints = parse_string("{\"foo\":1234567890,\"bar\":0,\"baz\":-987654321}");
        assert_eq!(
            schema_of(&ints),
            &Schema::map(Schema::string(), Schema::int32())
        );
        assert_eq!(ints.value.map_get("baz"), Some(&Value::Int32(-987_654_321)));
    }

    #[test]
    fn widens_numeric_array_elements_to_the_largest_type() {
        let ints = parse_string(&format!("[1, 2, {}]", i32::from(i16::MAX) + 1));
        assert_eq!(schema_of(&ints), &Schema::array(Schema::int32()));
        assert_eq!(
            ints.value,
            Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(32768)])
        );
        let floats = parse_string("[1, 2, 3.4028235E38]");
        assert_eq!(schema_of(&floats), &Schema::array(Schema::float32()));
        assert_eq!(
            floats.value,
            Value::Array(vec![1.0f32.into(), 2.0f32.into(), f32::MAX.into()])
        );
        let doubles = parse_string("[1, 2, 1.7976931348623157E308]");
        assert_eq!(schema_of(&doubles), &Schema::array(Schema::float64()));
        assert_eq!(
            doubles.value,
            Value::Array(vec![1.0f64.into(), 2.0f64.into(), f64::MAX.into()])
        );
    }

    #[test]
    fn mixed_element_types_have_no_common_schema() {
        for (s, expected) in [
            (
                "[1, 2, 300, \"four\"]",
                vec![1i8.into(), 2i8.into(), 300i16.into(), "four".into()],
            ),
            (
                "[\"four\", 1, 2, 300]",
                vec!["four".into(), 1i8.into(), 2i8.into(), 300i16.into()],
            ),
        ] {
            let parsed = parse_string(s);
            assert_eq!(schema_of(&parsed).schema_type, SchemaType::Array);
            assert_eq!(schema_of(&parsed).value_schema, None);
            assert_eq!(parsed.value, Value::Array(expected), "{s}");
        }
        let keys = parse_string("{1:1, 2:1, 300:300, \"four\":1}");
        assert_eq!(schema_of(&keys).key_schema, None);
        assert_eq!(schema_of(&keys).value_schema, None);
        assert_eq!(keys.value.map_get("four"), Some(&Value::Int8(1)));
        let values = parse_string("{4:\"four\", 1:1, 2:1, 300:300}");
        assert_eq!(
            schema_of(&values).key_schema.as_deref(),
            Some(&Schema::int16())
        );
        assert_eq!(schema_of(&values).value_schema, None);
        assert_eq!(
            values.value,
            Value::Map(vec![
                (Value::Int16(4), "four".into()),
                (Value::Int16(1), Value::Int8(1)),
                (Value::Int16(2), Value::Int8(1)),
                (Value::Int16(300), Value::Int16(300)),
            ])
        );
    }

    #[test]
    fn parses_nested_arrays_and_maps() {
        let cases = [
            ("[[]]", SchemaType::Array, SchemaType::Array),
            ("[{}]", SchemaType::Array, SchemaType::Map),
            ("{\"a\":{}}", SchemaType::Map, SchemaType::Map),
            ("{\"a\":[]}", SchemaType::Map, SchemaType::Array),
        ];
        for (s, outer, inner) in cases {
            let parsed = parse_string(s);
            assert_eq!(schema_of(&parsed).schema_type, outer, "{s}");
            assert_eq!(
                schema_of(&parsed)
                    .value_schema
                    .as_ref()
                    .unwrap()
                    .schema_type,
                inner,
                "{s}"
            );
        }
    }

    #[test]
    fn parses_iso_dates_times_and_timestamps() {
        // 2019-08-23T14:34:54.346Z
        let millis = 1_566_570_894_346i64;
        for s in ["2019-08-23T14:34:54.346Z", "2019-08-23T14\\:34\\:54.346Z"] {
            assert_eq!(
                parse_string(s),
                SchemaAndValue::new(timestamp_schema(), millis),
                "{s}"
            );
        }
        assert_eq!(
            parse_string("2019-08-23"),
            SchemaAndValue::new(date_schema(), 18131i32)
        );
        let time = 14 * 3_600_000 + 34 * 60_000 + 54_346;
        for s in ["14:34:54.346Z", "14\\:34\\:54.346Z"] {
            assert_eq!(
                parse_string(s),
                SchemaAndValue::new(time_schema(), time),
                "{s}"
            );
        }
    }

    #[test]
    fn parses_temporal_values_in_arrays_and_maps() {
        let dates = parse_string("[2019-08-23]");
        assert_eq!(schema_of(&dates), &Schema::array(date_schema()));
        assert_eq!(dates.value, Value::Array(vec![Value::Int32(18131)]));
        let times = parse_string("[14:34:54.346Z]");
        assert_eq!(schema_of(&times), &Schema::array(time_schema()));
        let stamps = parse_string(
            "[2019-08-23T14:34:54.346Z,2019-01-23T15:12:34.567Z,   2019-04-23T19:12:34.567Z]",
        );
        assert_eq!(schema_of(&stamps), &Schema::array(timestamp_schema()));
        assert_eq!(
            stamps.value,
            Value::Array(vec![
                Value::Int64(1_566_570_894_346),
                Value::Int64(1_548_256_354_567),
                Value::Int64(1_556_046_754_567),
            ])
        );
        let time = Value::Int32(14 * 3_600_000 + 34 * 60_000 + 54_346);
        for s in ["{\"k1\":\"14:34:54.346Z\"}", "{\"k1\":14:34:54.346Z}"] {
            let map = parse_string(s);
            assert_eq!(
                schema_of(&map),
                &Schema::map(Schema::string(), time_schema()),
                "{s}"
            );
            assert_eq!(map.value, Value::Map(vec![("k1".into(), time.clone())]));
        }
    }

    #[test]
    fn parses_integers_as_the_smallest_type() {
        assert_eq!(
            parse_string("127"),
            SchemaAndValue::new(Schema::int8(), i8::MAX)
        );
        assert_eq!(
            parse_string("-128"),
            SchemaAndValue::new(Schema::int8(), i8::MIN)
        );
        assert_eq!(
            parse_string("32767"),
            SchemaAndValue::new(Schema::int16(), i16::MAX)
        );
        assert_eq!(
            parse_string("-32768"),
            SchemaAndValue::new(Schema::int16(), i16::MIN)
        );
        assert_eq!(
            parse_string("2147483647"),
            SchemaAndValue::new(Schema::int32(), i32::MAX)
        );
        assert_eq!(
            parse_string("-2147483648"),
            SchemaAndValue::new(Schema::int32(), i32::MIN)
        );
        assert_eq!(
            parse_string("9223372036854775807"),
            SchemaAndValue::new(Schema::int64(), i64::MAX)
        );
        assert_eq!(
            parse_string("-9223372036854775808"),
            SchemaAndValue::new(Schema::int64(), i64::MIN)
        );
    }

    #[test]
    fn parses_floats_and_doubles() {
        assert_eq!(
            parse_string("3.4028235E38"),
            SchemaAndValue::new(Schema::float32(), f32::MAX)
        );
        assert_eq!(
            parse_string("-3.4028235E38"),
            SchemaAndValue::new(Schema::float32(), -f32::MAX)
        );
        assert_eq!(
            parse_string("1.7976931348623157E308"),
            SchemaAndValue::new(Schema::float64(), f64::MAX)
        );
        assert_eq!(
            parse_string("-1.7976931348623157E308"),
            SchemaAndValue::new(Schema::float64(), -f64::MAX)
        );
    }

    #[test]
    fn parses_integral_fractions_as_integers() {
        assert_eq!(
            parse_string("1.0"),
            SchemaAndValue::new(Schema::int8(), 1i8)
        );
        assert_eq!(
            parse_string("1.1"),
            SchemaAndValue::new(Schema::float32(), 1.1f32)
        );
        assert_eq!(
            parse_string("300.0"),
            SchemaAndValue::new(Schema::int16(), 300i16)
        );
        assert_eq!(
            parse_string("300.01"),
            SchemaAndValue::new(Schema::float32(), 300.01f32)
        );
        assert_eq!(
            parse_string("66000.0"),
            SchemaAndValue::new(Schema::int32(), 66000i32)
        );
        assert_eq!(
            parse_string("66000.0008"),
            SchemaAndValue::new(Schema::float32(), 66000.0008f32)
        );
    }

    #[test]
    fn parses_integers_beyond_int64_as_decimals() {
        // Long.MAX_VALUE + 1 = 0x00 80 00 .. 00; Long.MIN_VALUE - 1 = 0xff 7f ff .. ff.
        let mut above = vec![0x00, 0x80];
        above.extend([0u8; 7]);
        assert_eq!(
            parse_string("9223372036854775808"),
            SchemaAndValue::new(decimal_schema(0), above.clone())
        );
        let mut below = vec![0xff, 0x7f];
        below.extend([0xffu8; 7]);
        assert_eq!(
            parse_string("-9223372036854775809"),
            SchemaAndValue::new(decimal_schema(0), below.clone())
        );
        let array = parse_string("[9223372036854775808, -9223372036854775809]");
        assert_eq!(schema_of(&array), &Schema::array(decimal_schema(0)));
        assert_eq!(
            array.value,
            Value::Array(vec![above.clone().into(), below.into()])
        );
        let mixed = parse_string("[\"1.0\", 9223372036854775808, 1, 1]");
        assert_eq!(schema_of(&mixed).value_schema, None);
        assert_eq!(
            mixed.value,
            Value::Array(vec!["1.0".into(), above.into(), 1i8.into(), 1i8.into()])
        );
    }

    #[test]
    fn tokenizes_like_kafka() {
        assert_eq!(tokens("si\\\"mple"), ["si\\\"mple"]);
        assert_eq!(tokens("si\\:mple"), ["si\\:mple"]);
        assert_eq!(tokens("a{b"), ["a", "{", "b"]);
        assert_eq!(tokens("\"b"), ["\"", "b"]);
        assert_eq!(tokens(","), [","]);
        assert_eq!(
            tokens("\"simple\" string"),
            ["\"", "simple", "\"", " string"]
        );
        assert_eq!(tokens("a { b c } d"), ["a ", "{", " b c ", "}", " d"]);
        let mut parser = Parser::new("a:b:c:d:e:f:g:h");
        assert_eq!(parser.next_n(5), Some("a:b:c"));
        assert_eq!(parser.next(), ":");
        assert_eq!(parser.next(), "d");
        assert_eq!(parser.next(), ":");
        assert_eq!(parser.next_n(8), None);
        assert_eq!(parser.next(), "e");
    }

    #[test]
    fn plain_strings_parse_as_themselves() {
        for s in [
            "  ",
            "simple",
            "simple string",
            "simple \n\t\u{8}string",
            "'simple' string",
            "si\\mple",
            "si\\\\mple",
            "string with delimiters: <>?,./\\=+-!@#$%^&*(){}[]|;':",
            "three\"blind\\\"mice",
        ] {
            assert_eq!(parse_string(s), string_value(s), "{s:?}");
        }
    }

    #[test]
    fn escapes_quotes_and_backslashes() {
        assert_eq!(escape("three\"blind\\\"mice"), "three\\\"blind\\\\\\\"mice");
    }

    #[test]
    fn converts_primitives_to_strings() {
        assert_eq!(convert_to_string(None, &Value::Null), None);
        assert_eq!(
            convert_to_string(Some(&Schema::string()), &"null".into()).unwrap(),
            "null"
        );
        assert_eq!(convert_to_string(None, &true.into()).unwrap(), "true");
        assert_eq!(convert_to_string(None, &Value::Int8(1)).unwrap(), "1");
        assert_eq!(convert_to_string(None, &Value::Int64(-42)).unwrap(), "-42");
        let floats: [(Value, &str); 10] = [
            (1.0f32.into(), "1.0"),
            (1.1f32.into(), "1.1"),
            (f32::MAX.into(), "3.4028235E38"),
            (1.0f64.into(), "1.0"),
            (f64::MAX.into(), "1.7976931348623157E308"),
            (0.001f64.into(), "0.001"),
            (0.0001f64.into(), "1.0E-4"),
            (1.0e7f64.into(), "1.0E7"),
            (1234567.5f64.into(), "1234567.5"),
            ((-0.0f64).into(), "-0.0"),
        ];
        for (value, expected) in floats {
            assert_eq!(convert_to_string(None, &value).unwrap(), expected);
        }
        assert_eq!(
            convert_to_string(None, &vec![0u8, 1, 2, 3].into()).unwrap(),
            "AAECAw=="
        );
        assert_eq!(convert_to_string(None, &"simple".into()).unwrap(), "simple");
    }

    #[test]
    fn converts_collections_and_structs_to_strings() {
        let map = Value::Map(vec![
            ("foo".into(), "123".into()),
            ("bar".into(), "baz".into()),
        ]);
        let text = convert_to_string(None, &map).unwrap();
        assert_eq!(text, "{\"foo\":\"123\",\"bar\":\"baz\"}");
        let list = Value::Array(vec![
            Value::Int32(1_234_567_890),
            Value::Int32(-987_654_321),
        ]);
        assert_eq!(
            convert_to_string(None, &list).unwrap(),
            "[1234567890,-987654321]"
        );
        let quoted = Value::Array(vec!["three\"blind\\\"mice".into(), Value::Null]);
        assert_eq!(
            convert_to_string(None, &quoted).unwrap(),
            "[\"three\\\"blind\\\\\\\"mice\",null]"
        );
        let schema = Schema::struct_builder()
            .field("a", Schema::int32())
            .field(
                "b",
                Schema::optional_string()
                    .to_builder()
                    .default_value("dflt".into())
                    .build(),
            )
            .field("c", Schema::array(Schema::string()))
            .build();
        let value = Struct::new()
            .put("a", 1i32)
            .put("c", Value::Array(vec!["x".into()]));
        assert_eq!(
            convert_to_string(Some(&schema), &Value::Struct(value)).unwrap(),
            "{\"a\":1,\"b\":\"dflt\",\"c\":[\"x\"]}"
        );
    }

    #[test]
    fn converts_logical_values_to_strings() {
        assert_eq!(
            convert_to_string(Some(&timestamp_schema()), &Value::Int64(1_566_570_894_346)).unwrap(),
            "2019-08-23T14:34:54.346Z"
        );
        assert_eq!(
            convert_to_string(Some(&date_schema()), &Value::Int32(18131)).unwrap(),
            "2019-08-23"
        );
        assert_eq!(
            convert_to_string(Some(&time_schema()), &Value::Int32(52_494_346)).unwrap(),
            "14:34:54.346Z"
        );
        // Kafka formats a date of 1970-01-01 (0 ms) as a time.
        assert_eq!(
            convert_to_string(Some(&date_schema()), &Value::Int32(0)).unwrap(),
            "00:00:00.000Z"
        );
        // 12345 unscaled, scale 2 → 123.45; scale -3 → 1.2345E+7; scale 10 → 0.0000012345
        let bytes = Value::Bytes(vec![0x30, 0x39]);
        for (scale, expected) in [
            (2, "123.45"),
            (-3, "1.2345E+7"),
            (10, "0.0000012345"),
            (12, "1.2345E-8"),
        ] {
            assert_eq!(
                convert_to_string(Some(&decimal_schema(scale)), &bytes).unwrap(),
                expected
            );
        }
        let negative = Value::Bytes(vec![0xcf, 0xc7]); // -12345
        assert_eq!(
            convert_to_string(Some(&decimal_schema(0)), &negative).unwrap(),
            "-12345"
        );
        let array = Value::Array(vec![Value::Int32(18131)]);
        assert_eq!(
            convert_to_string(Some(&Schema::array(date_schema())), &array).unwrap(),
            "[2019-08-23]"
        );
    }

    #[test]
    fn strings_round_trip_through_parse_and_convert() {
        for text in [
            "simple",
            "{\"foo\":\"123\",\"bar\":\"baz\"}",
            "[1234567890,-987654321]",
            "{\"foo\":12345,\"bar\":0,\"baz\":-4321}",
            "[true,false]",
            "2019-08-23T14:34:54.346Z",
            "2019-08-23",
            "14:34:54.346Z",
            "1.1",
            "9223372036854775808",
            "[2019-08-23,2019-08-24]",
        ] {
            let parsed = parse_string(text);
            assert_eq!(
                convert_to_string(parsed.schema.as_deref(), &parsed.value).as_deref(),
                Some(text),
                "{text}"
            );
        }
    }

    #[test]
    fn big_decimals_convert_between_digits_and_bytes() {
        for text in [
            "0",
            "1",
            "-1",
            "127",
            "128",
            "-128",
            "-129",
            "255",
            "256",
            "-256",
            "123456789012345678901234567890",
            "-98765432109876543210",
        ] {
            let d = BigDec::parse(text).unwrap();
            let bytes = d.to_twos_complement();
            assert_eq!(BigDec::from_twos_complement(&bytes, 0), d, "{text}");
        }
        assert_eq!(
            BigDec::parse("128").unwrap().to_twos_complement(),
            [0x00, 0x80]
        );
        assert_eq!(BigDec::parse("-128").unwrap().to_twos_complement(), [0x80]);
        assert_eq!(
            BigDec::parse("-129").unwrap().to_twos_complement(),
            [0xff, 0x7f]
        );
        for bad in [
            "", "+", ".", "1e", "1.2.3", "1e+", "0x10", "1 2", "NaN", "e5",
        ] {
            assert!(BigDec::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(BigDec::parse(".5").unwrap().scale, 1);
        assert_eq!(BigDec::parse("1E+30").unwrap().scale, -30);
    }

    #[test]
    fn huge_exponents_become_floats_or_decimals() {
        assert_eq!(
            parse_string("1E+30"),
            SchemaAndValue::new(Schema::float32(), 1e30f32)
        );
        assert_eq!(
            parse_string("1E+300"),
            SchemaAndValue::new(Schema::float64(), 1e300f64)
        );
        let huge = parse_string("1.5E+400");
        assert_eq!(schema_of(&huge), &decimal_schema(-399));
        assert_eq!(huge.value, Value::Bytes(vec![15]));
        assert_eq!(
            parse_string("1e-50"),
            SchemaAndValue::new(Schema::float32(), 0.0f32)
        );
        assert_eq!(parse_string("+5"), SchemaAndValue::new(Schema::int8(), 5i8));
        assert_eq!(parse_string("-"), string_value("-"));
    }
}
