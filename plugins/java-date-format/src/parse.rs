//! Lenient parsing, following `SimpleDateFormat.parse` and `GregorianCalendar`'s field
//! resolution.

use crate::civil::{
    Calendar, DateTime, GREGORIAN_CUTOVER_DAY, GREGORIAN_CUTOVER_YEAR, days_in_month,
};
use crate::{
    AM_PM, ERAS, Item, LONG_ERAS, MILLIS_PER_DAY, MONTHS, SHORT_MONTHS, SHORT_WEEKDAYS, WEEKDAYS,
};

/// Calendar fields a pattern can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CalendarField {
    Era,
    Year,
    Month,
    DayOfMonth,
    DayOfYear,
    /// 1 = Sunday … 7 = Saturday, as `Calendar.DAY_OF_WEEK`.
    DayOfWeek,
    HourOfDay,
    Hour,
    AmPm,
    Minute,
    Second,
    Millisecond,
}

const FIELD_COUNT: usize = 12;

/// Named zones `z`/`Z` understand, with their offsets in minutes (first match wins, like Java's
/// scan of its zone names starting with the formatter's own zone, UTC).
const ZONE_NAMES: [(&str, i64); 22] = [
    ("Coordinated Universal Time", 0),
    ("UTC", 0),
    ("Greenwich Mean Time", 0),
    ("Eastern Standard Time", -300),
    ("EST", -300),
    ("Eastern Daylight Time", -240),
    ("EDT", -240),
    ("Central Standard Time", -360),
    ("CST", -360),
    ("Central Daylight Time", -300),
    ("CDT", -300),
    ("Mountain Standard Time", -420),
    ("MST", -420),
    ("Mountain Daylight Time", -360),
    ("MDT", -360),
    ("Pacific Standard Time", -480),
    ("PST", -480),
    ("Pacific Daylight Time", -420),
    ("PDT", -420),
    ("Central European Standard Time", 60),
    ("CET", 60),
    ("CEST", 120),
];

/// Values set while parsing, each with the order in which it was set (Java's "stamps": when
/// fields conflict, the one set last wins).
#[derive(Clone, Debug, Default)]
struct Fields {
    values: [Option<(i64, u32)>; FIELD_COUNT],
    next_stamp: u32,
    /// Offset of the parsed zone from UTC, in milliseconds.
    zone_offset: Option<i64>,
}

impl Fields {
    fn set(&mut self, field: CalendarField, value: i64) {
        self.next_stamp += 1;
        self.values[field as usize] = Some((value, self.next_stamp));
    }

    fn get(&self, field: CalendarField) -> Option<i64> {
        self.values[field as usize].map(|(v, _)| v)
    }

    /// 0 when unset.
    fn stamp(&self, field: CalendarField) -> u32 {
        self.values[field as usize].map_or(0, |(_, s)| s)
    }

    /// Resolve the fields into milliseconds since the epoch, as a lenient `GregorianCalendar`
    /// does. `extra_years` is added to the parsed year (for the two-digit-year correction).
    fn resolve(&self, extra_years: i64) -> Option<i64> {
        use CalendarField as F;
        // Hours: HOUR_OF_DAY, or HOUR (+ 12 for PM), whichever was set last.
        let hour_of_day = self.stamp(F::HourOfDay);
        let (hour, am_pm) = (self.stamp(F::Hour), self.stamp(F::AmPm));
        let hour_and_am_pm = if hour == 0 || am_pm == 0 {
            0
        } else {
            hour.max(am_pm)
        };
        let mut best = hour_and_am_pm.max(hour_of_day);
        if best == 0 {
            best = hour.max(am_pm);
        }
        let hours = if best == 0 {
            0
        } else if best == hour_of_day {
            self.get(F::HourOfDay).unwrap_or(0)
        } else {
            self.get(F::Hour).unwrap_or(0) + 12 * self.get(F::AmPm).unwrap_or(0)
        };
        let time_of_day = ((i128::from(hours) * 60 + i128::from(self.get(F::Minute).unwrap_or(0)))
            * 60
            + i128::from(self.get(F::Second).unwrap_or(0)))
            * 1000
            + i128::from(self.get(F::Millisecond).unwrap_or(0));
        let day_millis = i128::from(MILLIS_PER_DAY);
        // Whole days of a lenient time of day move the date.
        let carried_days = i64::try_from(time_of_day.div_euclid(day_millis)).ok()?;
        let time_of_day = time_of_day.rem_euclid(day_millis);

        let mut year = self.get(F::Year).unwrap_or(1970) + extra_years;
        if self.get(F::Era) == Some(0) {
            year = 1 - year;
        }
        let month = self.get(F::Month).unwrap_or(0);
        let date_year = year.checked_add(month.div_euclid(12))?;
        let month = month.rem_euclid(12) as u32 + 1;

        // Date: day of month, day of year, or (with only a weekday) the first such weekday of
        // the month, whichever was set last.
        let (dom, doy, dow) = (
            self.stamp(F::DayOfMonth),
            self.stamp(F::DayOfYear),
            self.stamp(F::DayOfWeek),
        );
        let best = dom.max(doy);
        let by_day_of_year = best != 0 && best == doy;
        let days_in = |calendar: Calendar| -> i64 {
            let first_of_month = calendar.days_from(date_year, month, 1);
            let days = if best == 0 && dow != 0 {
                let weekday = self.get(F::DayOfWeek).unwrap_or(1);
                // Java's getDayOfWeekDateOnOrBefore(first + 6, weekday), on Rata Die numbers.
                let last = first_of_month + 6 + RATA_DIE_EPOCH;
                last - (last - (weekday - 1)).rem_euclid(7) - RATA_DIE_EPOCH
            } else if by_day_of_year {
                calendar.days_from(year, 1, 1) + self.get(F::DayOfYear).unwrap_or(1) - 1
            } else {
                first_of_month + self.get(F::DayOfMonth).unwrap_or(1) - 1
            };
            days + carried_days
        };
        let days = resolve_calendar(year, by_day_of_year, days_in);

        let millis =
            i128::from(days) * day_millis + time_of_day - i128::from(self.zone_offset.unwrap_or(0));
        i64::try_from(millis).ok()
    }
}

/// Days since 1970-01-01 of Rata Die day 0 (0000-12-31 Gregorian), Java's "fixed date" origin.
const RATA_DIE_EPOCH: i64 = 719_163;

/// Pick the Julian or the Gregorian reading of a date as `GregorianCalendar.computeTime` does:
/// `days_in` computes the day in either calendar for the (era-adjusted) `year`.
fn resolve_calendar(year: i64, by_day_of_year: bool, days_in: impl Fn(Calendar) -> i64) -> i64 {
    let (gregorian, julian) = if year > GREGORIAN_CUTOVER_YEAR {
        let gregorian = days_in(Calendar::Gregorian);
        if gregorian >= GREGORIAN_CUTOVER_DAY {
            return gregorian;
        }
        (gregorian, days_in(Calendar::Julian))
    } else if year < GREGORIAN_CUTOVER_YEAR {
        let julian = days_in(Calendar::Julian);
        if julian < GREGORIAN_CUTOVER_DAY {
            return julian;
        }
        (julian, julian)
    } else {
        (days_in(Calendar::Gregorian), days_in(Calendar::Julian))
    };
    // A day of the year counts from January 1st, which is Julian up to the cutover year.
    if by_day_of_year {
        return julian;
    }
    if gregorian >= GREGORIAN_CUTOVER_DAY {
        // Both readings past the cutover, or an overlap resolved as Gregorian (Java decides
        // from the calendar's previous date, which is Gregorian for a fresh formatter).
        gregorian
    } else {
        // Before the cutover, or in the ten days that do not exist.
        julian
    }
}

/// The text being parsed and the position in it.
struct Cursor<'a> {
    chars: &'a [char],
}

impl Cursor<'_> {
    fn at(&self, index: usize) -> Option<char> {
        self.chars.get(index).copied()
    }

    /// Java's `regionMatches(true, …)` for ASCII names.
    fn matches_ignore_case(&self, start: usize, name: &str) -> bool {
        let mut index = start;
        for expected in name.chars() {
            match self.at(index) {
                Some(c) if c.eq_ignore_ascii_case(&expected) => index += 1,
                _ => return false,
            }
        }
        true
    }

    /// The longest of `names` at `start` (Java's `matchString`): (index in `names`, end).
    fn match_names(&self, start: usize, names: &[&str]) -> Option<(usize, usize)> {
        names
            .iter()
            .enumerate()
            .filter(|(_, name)| self.matches_ignore_case(start, name))
            .max_by_key(|(i, name)| (name.len(), std::cmp::Reverse(*i)))
            .map(|(i, name)| (i, start + name.chars().count()))
    }

    /// An integer as Java's integer-only `DecimalFormat` reads it from `start` up to `limit`:
    /// an optional `-` and at least one ASCII digit. The value is narrowed like Java's
    /// `Number.intValue()`.
    fn number(&self, start: usize, limit: usize) -> Option<(i64, usize)> {
        let limit = limit.min(self.chars.len());
        let mut index = start;
        let negative = index < limit && self.chars[index] == '-';
        if negative {
            index += 1;
        }
        let digits_start = index;
        let mut magnitude: u128 = 0;
        while index < limit {
            let Some(digit) = self.chars[index].to_digit(10) else {
                break;
            };
            magnitude = magnitude
                .saturating_mul(10)
                .saturating_add(u128::from(digit));
            index += 1;
        }
        if index == digits_start {
            return None;
        }
        let signed = if negative {
            -(magnitude.min(u128::from(u64::MAX)) as i128)
        } else {
            magnitude.min(u128::from(u64::MAX)) as i128
        };
        // A Long narrows by dropping high bits, a Double (beyond Long) saturates.
        let value = match i64::try_from(signed) {
            Ok(long) => i64::from(long as i32),
            Err(_) if negative => i64::from(i32::MIN),
            Err(_) => i64::from(i32::MAX),
        };
        Some((value, index))
    }

    /// `hh[[:]mm]` after a sign, as Java's `subParseNumericZone`: the offset in milliseconds
    /// and the end. `iso_count` is the number of `X` letters (0 for `z`/`Z`).
    fn numeric_zone(
        &self,
        start: usize,
        sign: i64,
        iso_count: usize,
        colon: bool,
    ) -> Option<(i64, usize)> {
        let digit = |index: usize| self.at(index).and_then(|c| c.to_digit(10)).map(i64::from);
        let mut index = start;
        let mut hours = digit(index)?;
        index += 1;
        match digit(index) {
            Some(d) => {
                hours = hours * 10 + d;
                index += 1;
            }
            // Without a colon (RFC 822) or for X, two digits are required.
            None if iso_count > 0 || !colon => return None,
            None => {}
        }
        if hours > 23 {
            return None;
        }
        let mut minutes = 0;
        if iso_count != 1 {
            if colon {
                if self.at(index) != Some(':') {
                    return None;
                }
                index += 1;
            }
            minutes = digit(index)? * 10 + digit(index + 1)?;
            index += 2;
            if minutes > 59 {
                return None;
            }
        }
        Some((sign * (hours * 60 + minutes) * 60_000, index))
    }
}

/// The instant `century_start` of Java's `defaultCenturyStart` (now minus 80 years) and its
/// year.
fn default_century_start(now: i64) -> (i64, i64) {
    let now = DateTime::from_epoch_millis(now);
    let year = now.year - 80;
    let start = DateTime {
        year,
        day: now.day.min(days_in_month(year, now.month)),
        ..now
    };
    (start.to_epoch_millis().unwrap_or(i64::MIN), year)
}

/// Parse `text` against `items`; the error is the index where parsing failed.
pub(crate) fn parse(items: &[Item], text: &str, now: i64) -> Result<i64, usize> {
    let chars: Vec<char> = text.chars().collect();
    let cursor = Cursor { chars: &chars };
    let mut fields = Fields::default();
    let mut ambiguous_year = false;
    let (century_start, century_start_year) = default_century_start(now);
    let mut position = 0;

    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Literal(literal) => {
                for &expected in literal {
                    if cursor.at(position) != Some(expected) {
                        return Err(position);
                    }
                    position += 1;
                }
            }
            Item::Field { letter, count } => {
                let obey_count = matches!(
                    items.get(i + 1),
                    Some(Item::Field { letter: next, count: next_count })
                        if next_is_numeric(*next, *next_count)
                );
                let context = FieldContext {
                    cursor: &cursor,
                    start: position,
                    letter: *letter,
                    count: *count,
                    obey_count,
                    century_start_year,
                };
                let (end, ambiguous) = context.parse(&mut fields)?;
                ambiguous_year |= ambiguous;
                position = end;
            }
        }
    }
    // Java's DateFormat.parse(String) fails when nothing was consumed.
    if position == 0 {
        return Err(0);
    }
    let mut millis = fields.resolve(0).ok_or(position)?;
    if ambiguous_year && millis < century_start {
        millis = fields.resolve(100).ok_or(position)?;
    }
    Ok(millis)
}

/// Java's `shouldObeyCount`: whether a field followed by `letter` x `count` reads a fixed
/// number of digits.
fn next_is_numeric(letter: char, count: usize) -> bool {
    match letter {
        'M' | 'L' => count <= 2,
        'y' | 'd' | 'k' | 'H' | 'm' | 's' | 'S' | 'D' | 'F' | 'w' | 'W' | 'h' | 'K' | 'Y' | 'u' => {
            true
        }
        _ => false,
    }
}

/// One field to parse.
struct FieldContext<'a, 'b> {
    cursor: &'a Cursor<'b>,
    /// Position before skipping spaces.
    start: usize,
    letter: char,
    count: usize,
    obey_count: bool,
    century_start_year: i64,
}

impl FieldContext<'_, '_> {
    /// Parse the field into `fields`: the end position and whether the year is ambiguous, or
    /// the error position.
    fn parse(&self, fields: &mut Fields) -> Result<(usize, bool), usize> {
        use CalendarField as F;
        let cursor = self.cursor;
        let start = self.start;
        // Skip spaces and tabs; running out of text fails.
        let mut pos = start;
        loop {
            match cursor.at(pos) {
                None => return Err(start),
                Some(' ' | '\t') => pos += 1,
                Some(_) => break,
            }
        }
        let actual_start = pos;
        let number = || {
            let limit = if self.obey_count {
                let limit = start + self.count;
                if limit > cursor.chars.len() {
                    return None;
                }
                limit
            } else {
                cursor.chars.len()
            };
            cursor.number(actual_start, limit)
        };
        let names = |fields: &mut Fields, field: F, lists: &[&[&str]], offset: i64| {
            for list in lists {
                if let Some((index, end)) = cursor.match_names(start, list) {
                    fields.set(field, index as i64 + offset);
                    return Ok((end, false));
                }
            }
            Err(actual_start)
        };
        let set_number = |fields: &mut Fields, field: F, adjust: fn(i64) -> i64| {
            let (value, end) = number().ok_or(actual_start)?;
            fields.set(field, adjust(value));
            Ok((end, false))
        };

        match self.letter {
            'G' => {
                // Both the short and the long names; the index is Java's era (0 = BC).
                let all = [ERAS[0], ERAS[1], LONG_ERAS[0], LONG_ERAS[1]];
                let (index, end) = cursor.match_names(start, &all).ok_or(actual_start)?;
                fields.set(F::Era, (index % 2) as i64);
                Ok((end, false))
            }
            'y' => {
                let (mut value, end) = number().ok_or(actual_start)?;
                let mut ambiguous = false;
                let two_digits = end - actual_start == 2
                    && cursor.chars[actual_start..end]
                        .iter()
                        .all(char::is_ascii_digit);
                if self.count <= 2 && two_digits {
                    let ambiguous_two_digit_year = self.century_start_year.rem_euclid(100);
                    ambiguous = value == ambiguous_two_digit_year;
                    value += self.century_start_year.div_euclid(100) * 100
                        + if value < ambiguous_two_digit_year {
                            100
                        } else {
                            0
                        };
                }
                fields.set(F::Year, value);
                Ok((end, ambiguous))
            }
            'M' | 'L' if self.count <= 2 => set_number(fields, F::Month, |v| v - 1),
            'M' | 'L' => names(fields, F::Month, &[&MONTHS[..], &SHORT_MONTHS[..]], 0),
            'E' => names(
                fields,
                F::DayOfWeek,
                &[&WEEKDAYS[..], &SHORT_WEEKDAYS[..]],
                1,
            ),
            'a' => names(fields, F::AmPm, &[&AM_PM[..]], 0),
            'd' => set_number(fields, F::DayOfMonth, |v| v),
            'D' => set_number(fields, F::DayOfYear, |v| v),
            // ISO day number (1 = Monday … 7 = Sunday) to Calendar's 1 = Sunday … 7 = Saturday;
            // Java keeps out-of-range values as they are.
            'u' => set_number(fields, F::DayOfWeek, |v| match v {
                7 => 1,
                1..=6 => v + 1,
                _ => v,
            }),
            'H' => set_number(fields, F::HourOfDay, |v| v),
            'k' => set_number(fields, F::HourOfDay, |v| if v == 24 { 0 } else { v }),
            'K' => set_number(fields, F::Hour, |v| v),
            'h' => set_number(fields, F::Hour, |v| if v == 12 { 0 } else { v }),
            'm' => set_number(fields, F::Minute, |v| v),
            's' => set_number(fields, F::Second, |v| v),
            'S' => set_number(fields, F::Millisecond, |v| v),
            'z' | 'Z' => {
                let (offset, end) = self.general_zone(actual_start).ok_or(actual_start)?;
                fields.zone_offset = Some(offset);
                Ok((end, false))
            }
            'X' => {
                let sign = match cursor.at(actual_start) {
                    Some('Z') => {
                        fields.zone_offset = Some(0);
                        return Ok((actual_start + 1, false));
                    }
                    Some('+') => 1,
                    Some('-') => -1,
                    _ => return Err(actual_start),
                };
                let (offset, end) = cursor
                    .numeric_zone(actual_start + 1, sign, self.count, self.count == 3)
                    .ok_or(actual_start)?;
                fields.zone_offset = Some(offset);
                Ok((end, false))
            }
            // Y, w, W and F: week-based parsing is not supported.
            _ => Err(actual_start),
        }
    }

    /// `z`/`Z`: `+hhmm`, `GMT`, `GMT+h:mm` or a zone name.
    fn general_zone(&self, pos: usize) -> Option<(i64, usize)> {
        let cursor = self.cursor;
        match cursor.at(pos)? {
            '+' => cursor.numeric_zone(pos + 1, 1, 0, false),
            '-' => cursor.numeric_zone(pos + 1, -1, 0, false),
            'G' | 'g' if cursor.matches_ignore_case(self.start, "GMT") => {
                let after = self.start + 3;
                match cursor.at(after) {
                    Some('+') => cursor.numeric_zone(after + 1, 1, 0, true),
                    Some('-') => cursor.numeric_zone(after + 1, -1, 0, true),
                    _ => Some((0, after)),
                }
            }
            _ => ZONE_NAMES
                .iter()
                .find(|(name, _)| cursor.matches_ignore_case(pos, name))
                .map(|(name, minutes)| (minutes * 60_000, pos + name.chars().count())),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::SimpleDateFormat;
    use crate::civil::{days_from_civil, days_from_julian};

    /// 2024-06-15T12:00Z: two-digit years then mean 1944-06-15 … 2044-06-14.
    const NOW: i64 = 1_718_452_800_000;
    /// 2017-01-03T06:30:01.864Z.
    const TS: i64 = 1_483_425_001_864;

    fn parse(pattern: &str, text: &str) -> Result<i64, String> {
        SimpleDateFormat::new(pattern)
            .unwrap()
            .parse_at(text, NOW)
            .map_err(|e| e.to_string())
    }

    fn date(y: i64, m: u32, d: u32) -> i64 {
        days_from_civil(y, m, d) * crate::MILLIS_PER_DAY
    }

    fn julian_date(y: i64, m: u32, d: u32) -> i64 {
        days_from_julian(y, m, d) * crate::MILLIS_PER_DAY
    }

    #[test]
    fn parses_what_it_formats() {
        for pattern in [
            "yyyy MM dd HH mm ss SSS z",
            "yyyyMMddHHmmssSSS",
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
            "EEE, d MMM yyyy hh:mm:ss.SSS a Z",
            "EEEE MMMM dd yyyy G kk:mm:ss:SSS zzzz",
            "D yyyy HH:mm:ss.SSS X",
        ] {
            let text = SimpleDateFormat::new(pattern).unwrap().format(TS);
            assert_eq!(parse(pattern, &text), Ok(TS), "{pattern}: {text}");
        }
    }

    #[test]
    fn parses_kafka_test_string() {
        assert_eq!(
            parse("yyyy MM dd HH mm ss SSS z", "1970 01 02 00 00 01 234 UTC"),
            Ok(86_401_234)
        );
    }

    #[test]
    fn defaults_missing_fields_to_the_epoch() {
        assert_eq!(parse("HH:mm", "06:30"), Ok(6 * 3_600_000 + 30 * 60_000));
        assert_eq!(parse("yyyy", "2017"), Ok(date(2017, 1, 1)));
        assert_eq!(parse("MMM", "mar"), Ok(date(1970, 3, 1)));
    }

    #[test]
    fn is_lenient_like_java() {
        // Month 13 is January of the next year, day 32 rolls into the next month.
        assert_eq!(parse("yyyy-MM-dd", "2016-13-01"), Ok(date(2017, 1, 1)));
        assert_eq!(parse("yyyy-MM-dd", "2017-01-32"), Ok(date(2017, 2, 1)));
        assert_eq!(
            parse("HH:mm", "25:61"),
            Ok(date(1970, 1, 2) + 2 * 3_600_000 + 60_000)
        );
        // Text after the pattern is ignored; spaces before a field are skipped.
        assert_eq!(
            parse("yyyy-MM-dd", "2017-01-03T10:00"),
            Ok(date(2017, 1, 3))
        );
        assert_eq!(parse("yyyy-MM-dd", " 2017-01-  3"), Ok(date(2017, 1, 3)));
        // Without an adjacent numeric field a number takes all its digits.
        assert_eq!(parse("S", "123456"), Ok(123_456));
    }

    #[test]
    fn adjacent_numeric_fields_take_exactly_their_width() {
        assert_eq!(parse("yyyyMMdd", "20170103"), Ok(date(2017, 1, 3)));
        assert_eq!(
            parse("yyyyMMddHHmm", "201701030630"),
            Ok(date(2017, 1, 3) + 23_400_000)
        );
        // The last field is not bounded: day 312 of January is November 8th.
        assert_eq!(parse("yyyyMMdd", "2017010312"), Ok(date(2017, 11, 8)));
        assert!(parse("yyyyMMdd", "2017").is_err());
    }

    #[test]
    fn resolves_two_digit_years_around_now() {
        assert_eq!(parse("yy-MM-dd", "17-01-03"), Ok(date(2017, 1, 3)));
        assert_eq!(parse("yy-MM-dd", "50-01-03"), Ok(date(1950, 1, 3)));
        assert_eq!(parse("yy-MM-dd", "43-01-03"), Ok(date(2043, 1, 3)));
        // 44 is ambiguous: before the century start (1944-06-15) it moves to 2044.
        assert_eq!(parse("yy-MM-dd", "44-06-14"), Ok(date(2044, 6, 14)));
        assert_eq!(parse("yy-MM-dd", "44-06-16"), Ok(date(1944, 6, 16)));
        // Three digits, or yyyy, are literal (and the year 17 is Julian).
        assert_eq!(parse("yy-MM-dd", "017-01-03"), Ok(julian_date(17, 1, 3)));
        assert_eq!(parse("yyyy-MM-dd", "17-01-03"), Ok(julian_date(17, 1, 3)));
    }

    #[test]
    fn resolves_hours_and_weekdays_like_gregorian_calendar() {
        let hour = 3_600_000;
        assert_eq!(parse("hh:mm a", "12:30 AM"), Ok(30 * 60_000));
        assert_eq!(parse("hh:mm a", "12:30 pm"), Ok(12 * hour + 30 * 60_000));
        assert_eq!(parse("h a", "7 PM"), Ok(19 * hour));
        // HH wins over a when a has no h to go with.
        assert_eq!(parse("HH a", "07 PM"), Ok(7 * hour));
        assert_eq!(parse("kk", "24"), Ok(0));
        // The weekday does not change an explicit date...
        assert_eq!(
            parse("EEE yyyy-MM-dd", "Fri 2017-01-03"),
            Ok(date(2017, 1, 3))
        );
        // ...but alone it picks the first such weekday of the month.
        assert_eq!(
            parse("EEEE MMM yyyy", "Tuesday Jan 2017"),
            Ok(date(2017, 1, 3))
        );
        assert_eq!(parse("u yyyy", "7 2017"), Ok(date(2017, 1, 1)));
        // Day of year, BC years.
        assert_eq!(parse("yyyy DDD", "2017 034"), Ok(date(2017, 2, 3)));
        assert_eq!(parse("yyyy G", "0001 BC"), Ok(julian_date(0, 1, 1)));
        assert_eq!(
            parse("yyyy GGGG", "0001 anno domini"),
            Ok(julian_date(1, 1, 1))
        );
    }

    #[test]
    fn switches_to_the_julian_calendar_before_1582_10_15() {
        assert_eq!(parse("yyyy-MM-dd", "1582-10-15"), Ok(date(1582, 10, 15)));
        assert_eq!(
            parse("yyyy-MM-dd", "1582-10-04"),
            Ok(julian_date(1582, 10, 4))
        );
        // The ten days that never were are read as Julian dates (= October 15th-24th).
        assert_eq!(parse("yyyy-MM-dd", "1582-10-10"), Ok(date(1582, 10, 20)));
        let day = crate::MILLIS_PER_DAY;
        let bc_1200 = (-100_000_000_000_000_i64).div_euclid(day) * day;
        assert_eq!(parse("yyyy-MM-dd G", "1200-02-26 BC"), Ok(bc_1200));
        assert_eq!(parse("yyyy DDD", "1582 278"), Ok(date(1582, 10, 15)));
    }

    #[test]
    fn applies_parsed_time_zones() {
        let hour = 3_600_000;
        let base = date(2017, 1, 3) + 10 * hour;
        let p = "yyyy-MM-dd HH:mm";
        assert_eq!(
            parse(&format!("{p} Z"), "2017-01-03 10:00 +0200"),
            Ok(base - 2 * hour)
        );
        assert_eq!(
            parse(&format!("{p} z"), "2017-01-03 10:00 -0130"),
            Ok(base + 90 * 60_000)
        );
        assert_eq!(parse(&format!("{p} z"), "2017-01-03 10:00 GMT"), Ok(base));
        assert_eq!(
            parse(&format!("{p} z"), "2017-01-03 10:00 GMT+5:30"),
            Ok(base - 330 * 60_000)
        );
        assert_eq!(
            parse(&format!("{p} z"), "2017-01-03 10:00 PST"),
            Ok(base + 8 * hour)
        );
        assert_eq!(
            parse(
                &format!("{p} z"),
                "2017-01-03 10:00 Coordinated Universal Time"
            ),
            Ok(base)
        );
        assert_eq!(parse(&format!("{p} X"), "2017-01-03 10:00 Z"), Ok(base));
        assert_eq!(
            parse(&format!("{p} X"), "2017-01-03 10:00 -03"),
            Ok(base + 3 * hour)
        );
        assert_eq!(
            parse(&format!("{p} XX"), "2017-01-03 10:00 +0100"),
            Ok(base - hour)
        );
        assert_eq!(
            parse(&format!("{p} XXX"), "2017-01-03 10:00 +01:00"),
            Ok(base - hour)
        );
        // RFC 822 needs four digits; X needs the form its count says.
        assert!(parse(&format!("{p} Z"), "2017-01-03 10:00 +01:00").is_err());
        assert!(parse(&format!("{p} XXX"), "2017-01-03 10:00 +0100").is_err());
        assert!(parse(&format!("{p} z"), "2017-01-03 10:00 Mars").is_err());
    }

    #[test]
    fn rejects_text_that_does_not_match() {
        assert_eq!(
            parse("yyyy MM dd HH mm ss SSS z", "2017-01-03"),
            Err("Unparseable date: \"2017-01-03\"".to_string())
        );
        assert!(parse("yyyy-MM-dd", "").is_err());
        assert!(parse("yyyy-MM-dd", "2017/01/03").is_err());
        assert!(parse("MMM", "Foo").is_err());
        assert!(parse("dd", "-").is_err());
        // Week-based fields cannot be parsed.
        assert!(parse("YYYY ww", "2017 01").is_err());
        let error = SimpleDateFormat::new("yyyy-MM-dd")
            .unwrap()
            .parse_at("2017+01", NOW)
            .unwrap_err();
        assert_eq!(error.error_index, 4);
    }

    #[test]
    fn parse_uses_the_clock_for_two_digit_years() {
        let format = SimpleDateFormat::new("yyyy-MM-dd HH:mm:ss").unwrap();
        assert_eq!(format.parse("2017-01-03 06:30:01"), Ok(TS - 864));
        assert_eq!(crate::civil::civil_from_days(0), (1970, 1, 1));
    }
}
