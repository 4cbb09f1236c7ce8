//! Java's `java.text.SimpleDateFormat` patterns, as Kafka's `TimestampConverter` and
//! `TimestampRouter` use them: formatting and (lenient) parsing of instants in UTC with the
//! en-US symbols of a default JVM. Written by hand, without dependencies.
//!
//! ```
//! use java_date_format::SimpleDateFormat;
//! let format = SimpleDateFormat::new("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").unwrap();
//! assert_eq!(format.format(1_483_425_001_864), "2017-01-03T06:30:01.864Z");
//! assert_eq!(format.parse("2017-01-03T07:30:01.864+01:00"), Ok(1_483_425_001_864));
//! ```
//!
//! # Pattern letters
//!
//! All letters Java accepts are accepted (`G y Y M L d D E u F w W a H k K h m s S z Z X`);
//! any other ASCII letter is rejected with Java's `Illegal pattern character 'b'`. Text in
//! single quotes is literal and `''` is a quote; other characters are literal.
//!
//! | letter | formats as | parses |
//! |---|---|---|
//! | `G` | `AD`/`BC` | yes (also `Anno Domini`/`Before Christ`) |
//! | `y` | era year; `yy` is the last two digits | yes; `y`/`yy` with two digits picks the century as Java does (80 years back, 20 ahead of now) |
//! | `M`, `L` | `M`/`MM` number, `MMM` `Jan`, `MMMM` `January` | yes (names case-insensitive, long or short) |
//! | `d`, `D` | day of month, day of year | yes |
//! | `E` | `Tue`, `EEEE` `Tuesday` | yes (decides the date only when no `d`/`D` is given, as in Java) |
//! | `u` | day number of week, 1 = Monday | yes (like `E`) |
//! | `a` | `AM`/`PM` | yes |
//! | `H` `k` `K` `h` | hour 0-23, 1-24, 0-11, 1-12 | yes |
//! | `m` `s` | minute, second | yes |
//! | `S` | milliseconds as a number (Java's quirk: `S` is not a fraction) | yes |
//! | `z` | `UTC` (`zzzz`: `Coordinated Universal Time`) | `UTC`, `GMT`, `GMT+h:mm`, `+hhmm`, and a few zone names (see [`SimpleDateFormat::parse`]) |
//! | `Z` | `+0000` | `+hhmm`, `GMT…` and zone names as for `z` |
//! | `X` | `Z` (`X`, `XX`, `XXX`; more is an error) | `Z`, `+hh`, `+hhmm`, `+hh:mm` by count |
//! | `Y` `w` `W` `F` | week year, week of year, week of month, day-of-week in month (en-US weeks: Sunday first, week 1 holds January 1st) | no: parsing fails |
//!
//! # Differences from Java
//!
//! - Only UTC output and the en-US locale (the symbols of a default English JVM with CLDR data).
//! - The calendar is Java's: Julian before 1582-10-15, Gregorian from then on. Where Java
//!   decides an ambiguous lenient date from the formatter's previous state, this takes the
//!   Gregorian reading.
//! - Parsed values are narrowed to 32 bits like Java's, but an instant beyond the 64-bit
//!   millisecond range fails to parse instead of wrapping around.
//! - Zone names when parsing: only the few listed in [`SimpleDateFormat::parse`].
//! - `W` (week of month) in October 1582, the month of the cutover, can differ.
//! - Numbers are ASCII digits only (Java's number parser also reads other Unicode digits).
//! - Parsing cannot use `Y`, `w`, `W` or `F`.

mod civil;
mod parse;

use std::fmt;

use civil::DateTime;

/// Milliseconds in a day.
pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// The pattern letters Java's `SimpleDateFormat` knows (`DateFormatSymbols.patternChars`).
const PATTERN_LETTERS: &str = "GyMdkHmsSEDFwWahKzZYuXL";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const SHORT_WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const AM_PM: [&str; 2] = ["AM", "PM"];
const ERAS: [&str; 2] = ["BC", "AD"];
const LONG_ERAS: [&str; 2] = ["Before Christ", "Anno Domini"];

/// An invalid pattern, with the message of Java's `IllegalArgumentException`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    message: String,
}

impl PatternError {
    fn new(message: impl Into<String>) -> PatternError {
        PatternError {
            message: message.into(),
        }
    }

    /// What is wrong, e.g. `Illegal pattern character 'b'`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PatternError {}

/// Text that does not match the pattern (Java's `ParseException`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The text that was parsed.
    pub text: String,
    /// Index (in characters) where parsing failed, as far as it is known.
    pub error_index: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Unparseable date: \"{}\"", self.text)
    }
}

impl std::error::Error for ParseError {}

/// One element of a compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    /// Literal text (unquoted non-letters, quoted text, `''`).
    Literal(Vec<char>),
    /// A pattern letter repeated `count` times.
    Field {
        /// The letter.
        letter: char,
        /// How many times it is repeated.
        count: usize,
    },
}

/// A compiled `SimpleDateFormat` pattern that formats and parses in UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleDateFormat {
    pattern: String,
    items: Vec<Item>,
}

impl SimpleDateFormat {
    /// Compile `pattern`; errors carry Java's messages (`Illegal pattern character 'b'`,
    /// `Unterminated quote`, `invalid ISO 8601 format: length=4`).
    pub fn new(pattern: &str) -> Result<SimpleDateFormat, PatternError> {
        Ok(SimpleDateFormat {
            pattern: pattern.to_owned(),
            items: compile(pattern)?,
        })
    }

    /// The pattern as given (Java's `toPattern()`).
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Format milliseconds since the Unix epoch, in UTC.
    pub fn format(&self, epoch_millis: i64) -> String {
        let dt = DateTime::from_epoch_millis(epoch_millis);
        let mut out = String::new();
        for item in &self.items {
            match item {
                Item::Literal(chars) => out.extend(chars),
                Item::Field { letter, count } => format_field(&mut out, *letter, *count, dt),
            }
        }
        out
    }

    /// Parse `text` into milliseconds since the Unix epoch, like Java's lenient
    /// `SimpleDateFormat.parse` with the UTC time zone: missing fields default to
    /// 1970-01-01T00:00:00.000, out-of-range values roll over (month 13 is January of the next
    /// year), spaces and tabs before a field are skipped, numbers take as many digits as there
    /// are unless the next field is numeric too (then exactly as many as pattern letters), and
    /// text after the pattern is ignored.
    ///
    /// A time zone in the text (`z`, `Z`, `X`) shifts the result; `z`/`Z` understand `GMT`,
    /// `GMT±h:mm`, `±hhmm` and the names `UTC`, `Coordinated Universal Time`,
    /// `Greenwich Mean Time`, `EST`/`EDT`, `CST`/`CDT`, `MST`/`MDT`, `PST`/`PDT` (US zones,
    /// also their long names) and `CET`/`CEST`. Two-digit years (`y`/`yy`) are placed within
    /// 80 years before and 20 years after the current time.
    pub fn parse(&self, text: &str) -> Result<i64, ParseError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.parse_at(text, now)
    }

    /// [`parse`](Self::parse) with `now_epoch_millis` as the current time (which only matters
    /// for two-digit years).
    pub fn parse_at(&self, text: &str, now_epoch_millis: i64) -> Result<i64, ParseError> {
        parse::parse(&self.items, text, now_epoch_millis).map_err(|error_index| ParseError {
            text: text.to_owned(),
            error_index,
        })
    }
}

impl fmt::Display for SimpleDateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

/// Split a pattern into literals and fields, as `SimpleDateFormat.compile` does.
fn compile(pattern: &str) -> Result<Vec<Item>, PatternError> {
    fn push_literal(items: &mut Vec<Item>, c: char) {
        match items.last_mut() {
            Some(Item::Literal(chars)) => chars.push(c),
            _ => items.push(Item::Literal(vec![c])),
        }
    }

    let mut items = Vec::new();
    let mut in_quote = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // '' is a quote, inside or outside quoted text.
            if chars.next_if_eq(&'\'').is_some() {
                push_literal(&mut items, '\'');
            } else {
                in_quote = !in_quote;
            }
            continue;
        }
        if in_quote || !c.is_ascii_alphabetic() {
            push_literal(&mut items, c);
            continue;
        }
        if !PATTERN_LETTERS.contains(c) {
            return Err(PatternError::new(format!(
                "Illegal pattern character '{c}'"
            )));
        }
        match items.last_mut() {
            Some(Item::Field { letter, count }) if *letter == c => *count += 1,
            _ => items.push(Item::Field {
                letter: c,
                count: 1,
            }),
        }
    }
    if in_quote {
        return Err(PatternError::new("Unterminated quote"));
    }
    for item in &items {
        if let Item::Field { letter: 'X', count } = item
            && *count > 3
        {
            return Err(PatternError::new(format!(
                "invalid ISO 8601 format: length={count}"
            )));
        }
    }
    Ok(items)
}

/// Append `value` with at least `min_digits` digits (Java's `zeroPaddingNumber`).
fn pad(out: &mut String, value: i64, min_digits: usize) {
    if value < 0 {
        out.push('-');
    }
    let digits = value.unsigned_abs().to_string();
    for _ in digits.len()..min_digits {
        out.push('0');
    }
    out.push_str(&digits);
}

/// A year as Java shows it: the year of its era, or its last two digits for `yy`.
fn pad_year(out: &mut String, year: i64, count: usize) {
    let era_year = if year <= 0 { 1 - year } else { year };
    if count == 2 {
        pad(out, era_year % 100, 2);
    } else {
        pad(out, era_year, count);
    }
}

fn format_field(out: &mut String, letter: char, count: usize, dt: DateTime) {
    let long = count >= 4;
    match letter {
        // Java prints the short era names for any count.
        'G' => out.push_str(ERAS[usize::from(dt.year > 0)]),
        'y' => pad_year(out, dt.year, count),
        'Y' => pad_year(out, dt.week_of_year().0, count),
        'M' | 'L' => {
            let index = dt.month as usize - 1;
            match count {
                1 | 2 => pad(out, i64::from(dt.month), count),
                3 => out.push_str(SHORT_MONTHS[index]),
                _ => out.push_str(MONTHS[index]),
            }
        }
        'd' => pad(out, i64::from(dt.day), count),
        'D' => pad(out, dt.day_of_year(), count),
        'E' => {
            let index = dt.day_of_week() as usize;
            out.push_str(if long {
                WEEKDAYS[index]
            } else {
                SHORT_WEEKDAYS[index]
            });
        }
        'u' => {
            let iso = match dt.day_of_week() {
                0 => 7,
                n => n,
            };
            pad(out, i64::from(iso), count);
        }
        'F' => pad(out, i64::from((dt.day - 1) / 7 + 1), count),
        'w' => pad(out, dt.week_of_year().1, count),
        'W' => pad(out, dt.week_of_month(), count),
        'a' => out.push_str(AM_PM[usize::from(dt.hour >= 12)]),
        'H' => pad(out, i64::from(dt.hour), count),
        'k' => pad(
            out,
            i64::from(if dt.hour == 0 { 24 } else { dt.hour }),
            count,
        ),
        'K' => pad(out, i64::from(dt.hour % 12), count),
        'h' => {
            let hour = match dt.hour % 12 {
                0 => 12,
                h => h,
            };
            pad(out, i64::from(hour), count);
        }
        'm' => pad(out, i64::from(dt.minute), count),
        's' => pad(out, i64::from(dt.second), count),
        'S' => pad(out, i64::from(dt.millisecond), count),
        'z' => out.push_str(if long {
            "Coordinated Universal Time"
        } else {
            "UTC"
        }),
        'Z' => out.push_str("+0000"),
        'X' => out.push('Z'),
        // `compile` only lets pattern letters through, and all are handled above.
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// 2017-01-03T06:30:01.864Z, a Tuesday.
    const TS: i64 = 1_483_425_001_864;

    fn fmt(pattern: &str, millis: i64) -> String {
        SimpleDateFormat::new(pattern).unwrap().format(millis)
    }

    #[test]
    fn formats_numeric_fields_with_java_padding() {
        assert_eq!(fmt("yyyyMMdd", TS), "20170103");
        assert_eq!(
            fmt("yyyy MM dd HH mm ss SSS z", 86_401_234),
            "1970 01 02 00 00 01 234 UTC"
        );
        assert_eq!(fmt("y-M-d H:m:s.S", TS), "2017-1-3 6:30:1.864");
        assert_eq!(fmt("yy", TS), "17");
        assert_eq!(fmt("yyyyyy", TS), "002017");
        // S is a millisecond count, not a fraction: six letters pad it to six digits.
        assert_eq!(fmt("SSSSSS", TS), "000864");
        assert_eq!(fmt("D DDD", TS), "3 003");
    }

    #[test]
    fn formats_text_fields_and_hours() {
        assert_eq!(fmt("EEE, d MMM yyyy", TS), "Tue, 3 Jan 2017");
        assert_eq!(fmt("EEEE d MMMM G", TS), "Tuesday 3 January AD");
        assert_eq!(fmt("GGGG", TS), "AD");
        assert_eq!(fmt("u F w W", TS), "2 1 1 1");
        let midnight = 1_483_401_600_000; // 2017-01-03T00:00Z
        assert_eq!(fmt("H k K h a", midnight), "0 24 0 12 AM");
        let afternoon = midnight + 13 * 3_600_000;
        assert_eq!(fmt("HH kk KK hh a", afternoon), "13 13 01 01 PM");
        assert_eq!(
            fmt("z zzzz Z X XX XXX", TS),
            "UTC Coordinated Universal Time +0000 Z Z Z"
        );
    }

    #[test]
    fn formats_quotes_and_literals() {
        assert_eq!(
            fmt("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", TS),
            "2017-01-03T06:30:01.864Z"
        );
        assert_eq!(fmt("hh 'o''clock' a", TS), "06 o'clock AM");
        assert_eq!(fmt("''yy''", TS), "'17'");
        assert_eq!(fmt("'week' w, é", TS), "week 1, é");
    }

    #[test]
    fn formats_dates_before_the_epoch_and_bc() {
        assert_eq!(
            fmt("yyyy-MM-dd HH:mm:ss.SSS", -1),
            "1969-12-31 23:59:59.999"
        );
        // Julian dates before 1582-10-15, and 1 BC before 1 AD.
        assert_eq!(fmt("yyyy-MM-dd G", -100_000_000_000_000), "1200-02-26 BC");
        assert_eq!(fmt("yyyy-MM-dd G", -62_198_755_200_000), "0002-01-03 BC");
        let cutover = civil::GREGORIAN_CUTOVER_DAY * MILLIS_PER_DAY;
        assert_eq!(fmt("yyyy-MM-dd D", cutover - 1), "1582-10-04 277");
        assert_eq!(fmt("yyyy-MM-dd D", cutover), "1582-10-15 278");
    }

    #[test]
    fn rejects_invalid_patterns_with_java_messages() {
        let err = |p: &str| SimpleDateFormat::new(p).unwrap_err().to_string();
        assert_eq!(err("bad-format"), "Illegal pattern character 'b'");
        assert_eq!(err("yyyy 'T"), "Unterminated quote");
        assert_eq!(err("XXXX"), "invalid ISO 8601 format: length=4");
        assert_eq!(err("yyyyMMddq"), "Illegal pattern character 'q'");
        assert!(SimpleDateFormat::new("").is_ok());
        assert_eq!(SimpleDateFormat::new("yyyy").unwrap().pattern(), "yyyy");
    }
}
