//! Java's textual forms of values, as Kafka's `Cast` produces and parses them: `Float.toString`,
//! `Double.toString`, `Float.parseFloat`/`Double.parseDouble`, `BigDecimal` (from a `Decimal`'s
//! unscaled bytes) with its `toString` and `Number` conversions, `Values.dateFormatFor`, and
//! Base64.

/// Milliseconds in a day (Kafka's `MILLIS_PER_DAY`).
pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// Java's `Double.toString` (JDK 19+: the shortest decimal that rounds to `v`).
pub fn double_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    let negative = v.is_sign_negative();
    let a = v.abs();
    if a.is_infinite() {
        return if negative { "-Infinity" } else { "Infinity" }.into();
    }
    if a == 0.0 {
        return if negative { "-0.0" } else { "0.0" }.into();
    }
    let mut sci = format!("{a:e}");
    if !sci.contains('.') {
        // One significant digit: Java prefers the closest decimal of length 2 that still rounds
        // to the value (e.g. 4.9E-324, not 5E-324).
        let two = format!("{a:.1e}");
        if two.parse::<f64>() == Ok(a) {
            sci = two;
        }
    }
    layout_java_float(negative, &sci)
}

/// Java's `Float.toString` (JDK 19+: the shortest decimal that rounds to `v`).
pub fn float_to_string(v: f32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    let negative = v.is_sign_negative();
    let a = v.abs();
    if a.is_infinite() {
        return if negative { "-Infinity" } else { "Infinity" }.into();
    }
    if a == 0.0 {
        return if negative { "-0.0" } else { "0.0" }.into();
    }
    let mut sci = format!("{a:e}");
    if !sci.contains('.') {
        let two = format!("{a:.1e}");
        if two.parse::<f32>() == Ok(a) {
            sci = two;
        }
    }
    layout_java_float(negative, &sci)
}

/// Lay out the digits of Rust's `{:e}` form (`d.ddde-n`) the way Java's `Double.toString` does:
/// plain for 10^-3 ≤ |v| < 10^7 (at least one fractional digit), otherwise `d.dddE-n`.
fn layout_java_float(negative: bool, sci: &str) -> String {
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let mut out = String::from(if negative { "-" } else { "" });
    if (-3..7).contains(&exponent) {
        if exponent >= 0 {
            let int_len = exponent as usize + 1;
            if digits.len() > int_len {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            } else {
                out.push_str(&digits);
                out.push_str(&"0".repeat(int_len - digits.len()));
                out.push_str(".0");
            }
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exponent - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push('E');
        out.push_str(&exponent.to_string());
    }
    out
}

/// A decimal floating-point literal as Java's `Double.parseDouble`/`Float.parseFloat` accept it.
enum JavaFloatLiteral<'a> {
    /// `NaN`.
    NaN,
    /// `Infinity` with a sign.
    Infinity { negative: bool },
    /// A decimal number Rust's parser reads the same way (sign, digits, point, exponent).
    Decimal(&'a str),
}

/// Check `s` against Java's grammar for decimal floating-point strings: surrounding characters up
/// to U+0020 are ignored, then an optional sign, `NaN`, `Infinity` or digits with an optional
/// point and exponent, and an optional `f`/`F`/`d`/`D` suffix. Hexadecimal literals (`0x1p3`) are
/// not supported and rejected.
fn java_float_literal(s: &str) -> Option<JavaFloatLiteral<'_>> {
    let s = s.trim_matches(|c: char| c <= ' ');
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    match unsigned {
        "NaN" => return Some(JavaFloatLiteral::NaN),
        "Infinity" => return Some(JavaFloatLiteral::Infinity { negative }),
        _ => {}
    }
    let number = match unsigned.as_bytes().last() {
        Some(b'f' | b'F' | b'd' | b'D') => &s[..s.len() - 1],
        _ => s,
    };
    let body = number.trim_start_matches(['+', '-']);
    if body.len() + 1 < number.len() {
        return None;
    }
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !all_digits(digits) {
            return None;
        }
    }
    Some(JavaFloatLiteral::Decimal(number))
}

/// Java's `Double.parseDouble`; `None` where Java throws `NumberFormatException`.
pub fn parse_double(s: &str) -> Option<f64> {
    match java_float_literal(s)? {
        JavaFloatLiteral::NaN => Some(f64::NAN),
        JavaFloatLiteral::Infinity { negative: true } => Some(f64::NEG_INFINITY),
        JavaFloatLiteral::Infinity { negative: false } => Some(f64::INFINITY),
        JavaFloatLiteral::Decimal(d) => d.parse().ok(),
    }
}

/// Java's `Float.parseFloat`; `None` where Java throws `NumberFormatException`.
pub fn parse_float(s: &str) -> Option<f32> {
    match java_float_literal(s)? {
        JavaFloatLiteral::NaN => Some(f32::NAN),
        JavaFloatLiteral::Infinity { negative: true } => Some(f32::NEG_INFINITY),
        JavaFloatLiteral::Infinity { negative: false } => Some(f32::INFINITY),
        JavaFloatLiteral::Decimal(d) => d.parse().ok(),
    }
}

/// Java's `BigDecimal`: a sign, the decimal digits of the unscaled value and a scale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BigDecimal {
    negative: bool,
    /// Digits of |unscaled|, no leading zeros (`"0"` for zero).
    digits: String,
    scale: i32,
}

impl BigDecimal {
    /// `new BigDecimal(new BigInteger(bytes), scale)`: `bytes` is the unscaled value in big-endian
    /// two's complement, as Kafka's `Decimal` logical type stores it. `None` for no bytes (Java's
    /// `Zero length BigInteger`).
    pub fn from_unscaled_bytes(bytes: &[u8], scale: i32) -> Option<BigDecimal> {
        let negative = *bytes.first()? & 0x80 != 0;
        // Magnitude as big-endian bytes: negate the two's complement if negative.
        let mut magnitude = bytes.to_vec();
        if negative {
            let mut carry = true;
            for b in magnitude.iter_mut().rev() {
                *b = !*b;
                if carry {
                    let (sum, overflow) = b.overflowing_add(1);
                    *b = sum;
                    carry = overflow;
                }
            }
        }
        // Repeated division by 10^9 over base-256 digits yields 9 decimal digits at a time.
        let mut chunks: Vec<u32> = Vec::new();
        let mut rest: Vec<u8> = magnitude;
        while rest.iter().any(|b| *b != 0) {
            let mut remainder: u64 = 0;
            let mut quotient = Vec::with_capacity(rest.len());
            for b in &rest {
                let acc = (remainder << 8) | u64::from(*b);
                let q = acc / 1_000_000_000;
                remainder = acc % 1_000_000_000;
                if !(quotient.is_empty() && q == 0) {
                    quotient.push(q as u8);
                }
            }
            chunks.push(remainder as u32);
            rest = quotient;
        }
        let digits = match chunks.split_last() {
            None => "0".to_string(),
            Some((most, lower)) => {
                let mut s = most.to_string();
                for chunk in lower.iter().rev() {
                    s.push_str(&format!("{chunk:09}"));
                }
                s
            }
        };
        Some(BigDecimal {
            negative: negative && digits != "0",
            digits,
            scale,
        })
    }

    /// Java's `BigDecimal.toString()`: plain notation when the scale is not negative and the
    /// adjusted exponent is at least -6, otherwise scientific (`4.2E+3`, `1.5E-8`).
    pub fn to_java_string(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        let len = self.digits.len() as i64;
        let scale = i64::from(self.scale);
        if scale == 0 {
            return format!("{sign}{}", self.digits);
        }
        let adjusted = -scale + (len - 1);
        if scale > 0 && adjusted >= -6 {
            let point = len - scale;
            if point > 0 {
                let (int, frac) = self.digits.split_at(point as usize);
                format!("{sign}{int}.{frac}")
            } else {
                format!("{sign}0.{}{}", "0".repeat((-point) as usize), self.digits)
            }
        } else {
            let (first, rest) = self.digits.split_at(1);
            let point = if rest.is_empty() { "" } else { "." };
            let exp_sign = if adjusted > 0 { "+" } else { "" };
            format!("{sign}{first}{point}{rest}E{exp_sign}{adjusted}")
        }
    }

    /// Java's `BigDecimal.longValue()`: the integer part (truncated towards zero), keeping only
    /// its low 64 bits.
    pub fn long_value(&self) -> i64 {
        let scale = i64::from(self.scale);
        let len = self.digits.len() as i64;
        let int_digits = if scale > 0 {
            &self.digits[..(len - scale).max(0) as usize]
        } else {
            &self.digits[..]
        };
        let mut low: u64 = 0;
        for d in int_digits.bytes() {
            low = low.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        }
        // 10^64 is a multiple of 2^64: more than 64 trailing zeros leave no low bits.
        for _ in 0..(-scale).clamp(0, 64) {
            low = low.wrapping_mul(10);
        }
        let low = low as i64;
        if self.negative {
            low.wrapping_neg()
        } else {
            low
        }
    }

    /// `unscaled × 10^-scale` in scientific notation, which Rust's parsers round correctly.
    fn scientific(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        format!("{sign}{}e{}", self.digits, -i64::from(self.scale))
    }

    /// Java's `BigDecimal.doubleValue()` (correctly rounded).
    pub fn double_value(&self) -> f64 {
        self.scientific().parse().unwrap_or(f64::NAN)
    }

    /// Java's `BigDecimal.floatValue()` (correctly rounded).
    pub fn float_value(&self) -> f32 {
        self.scientific().parse().unwrap_or(f32::NAN)
    }
}

/// Kafka's `Values.dateFormatFor(date).format(date)` (UTC), and Java's standard Base64: shared
/// with the data model's `Values` port.
pub use wasm_connect_sdk::types::values::{base64_encode as base64, format_date};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_java() {
        let cases: [(f64, &str); 16] = [
            (42.0, "42.0"),
            (-64.0, "-64.0"),
            (0.1, "0.1"),
            (0.001, "0.001"),
            (1.0e-4, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (1.0e7, "1.0E7"),
            (1.25e10, "1.25E10"),
            (9.223372036854776e18, "9.223372036854776E18"),
            (-1.125, "-1.125"),
            (-0.0, "-0.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::from_bits(1), "4.9E-324"),
            (100.0, "100.0"),
        ];
        for (v, expected) in cases {
            assert_eq!(double_to_string(v), expected, "{v:e}");
        }
    }

    #[test]
    fn floats_print_like_java() {
        assert_eq!(float_to_string(32.0), "32.0");
        assert_eq!(float_to_string(42.125), "42.125");
        assert_eq!(float_to_string(0.1), "0.1");
        assert_eq!(float_to_string(1.0e10), "1.0E10");
        assert_eq!(float_to_string(f32::from_bits(1)), "1.4E-45");
        assert_eq!(float_to_string(f32::MAX), "3.4028235E38");
        assert_eq!(float_to_string(f32::INFINITY), "Infinity");
    }

    #[test]
    fn parses_floats_like_java() {
        assert_eq!(parse_double("42"), Some(42.0));
        assert_eq!(parse_double(" -1.5e3 "), Some(-1500.0));
        assert_eq!(parse_double("1.5f"), Some(1.5));
        assert_eq!(parse_double(".5D"), Some(0.5));
        assert_eq!(parse_double("1."), Some(1.0));
        assert_eq!(parse_double("1.e2"), Some(100.0));
        assert_eq!(parse_double("+.5"), Some(0.5));
        assert_eq!(parse_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_double("NaN").unwrap().is_nan());
        assert_eq!(parse_double("1e400"), Some(f64::INFINITY));
        for bad in [
            "", ".", "inf", "nan", "infinity", "1e", "1e+", "abc", "1.5ff", "--1", "+-1", "1,5",
        ] {
            assert_eq!(parse_double(bad), None, "{bad}");
        }
        assert_eq!(parse_float("0.1"), Some(0.1f32));
    }

    fn decimal(unscaled: i128, scale: i32) -> BigDecimal {
        let bytes = unscaled.to_be_bytes();
        BigDecimal::from_unscaled_bytes(&bytes, scale).unwrap()
    }

    #[test]
    fn decimals_print_like_java_big_decimal() {
        assert_eq!(decimal(42, 0).to_java_string(), "42");
        assert_eq!(decimal(-12345, 2).to_java_string(), "-123.45");
        assert_eq!(decimal(5, 3).to_java_string(), "0.005");
        assert_eq!(decimal(0, 2).to_java_string(), "0.00");
        assert_eq!(decimal(42, -2).to_java_string(), "4.2E+3");
        assert_eq!(decimal(0, -3).to_java_string(), "0E+3");
        assert_eq!(decimal(15, 9).to_java_string(), "1.5E-8");
        assert_eq!(decimal(1, 7).to_java_string(), "1E-7");
        assert_eq!(decimal(1, 6).to_java_string(), "0.000001");
        let big = decimal(i128::MIN, 0);
        assert_eq!(big.to_java_string(), i128::MIN.to_string());
        assert_eq!(
            BigDecimal::from_unscaled_bytes(&[0xff, 0xff], 0)
                .unwrap()
                .to_java_string(),
            "-1"
        );
        assert_eq!(BigDecimal::from_unscaled_bytes(&[], 0), None);
    }

    #[test]
    fn decimal_number_conversions_match_java() {
        assert_eq!(decimal(2_147_483_648, 0).long_value() as i32, i32::MIN);
        assert_eq!(decimal(-12345, 2).long_value(), -123);
        assert_eq!(decimal(99, 2).long_value(), 0);
        assert_eq!(decimal(1 << 64, 0).long_value(), 0);
        assert_eq!(decimal(3, -2).long_value(), 300);
        assert_eq!(decimal(1, -70).long_value(), 0);
        assert_eq!(decimal(-12345, 2).double_value(), -123.45);
        assert_eq!(decimal(1, 1).float_value(), 0.1f32);
    }

    #[test]
    fn dates_format_like_kafka_values() {
        assert_eq!(format_date(0), "00:00:00.000Z");
        assert_eq!(format_date(3_600_000), "01:00:00.000Z");
        assert_eq!(format_date(-1), "23:59:59.999Z");
        assert_eq!(format_date(MILLIS_PER_DAY), "1970-01-02");
        assert_eq!(format_date(MILLIS_PER_DAY + 1), "1970-01-02T00:00:00.001Z");
        assert_eq!(format_date(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(format_date(951_782_400_000), "2000-02-29");
        assert_eq!(format_date(i64::MAX), "292278994-08-17T07:12:55.807Z");
    }

    #[test]
    fn base64_pads_like_java() {
        assert_eq!(
            base64(&[0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10]),
            "/ty6mHZUMhA="
        );
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }
}
