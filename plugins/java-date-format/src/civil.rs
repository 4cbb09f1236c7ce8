//! Calendar arithmetic on days since 1970-01-01 (UTC), with Java's `GregorianCalendar` rules:
//! the Julian calendar before 1582-10-15, the Gregorian calendar from then on.

use crate::MILLIS_PER_DAY;

/// 1582-10-15, the first Gregorian day (Java's default cutover), in days since 1970-01-01.
pub(crate) const GREGORIAN_CUTOVER_DAY: i64 = -141_427;

/// The year of the cutover.
pub(crate) const GREGORIAN_CUTOVER_YEAR: i64 = 1582;

/// A calendar system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Calendar {
    /// Leap years every 4 years.
    Julian,
    /// Leap years every 4 years except centuries not divisible by 400.
    Gregorian,
}

impl Calendar {
    /// Days from 1970-01-01 to `year`-`month`-`day` of this calendar.
    pub(crate) fn days_from(self, year: i64, month: u32, day: u32) -> i64 {
        match self {
            Calendar::Julian => days_from_julian(year, month, day),
            Calendar::Gregorian => days_from_civil(year, month, day),
        }
    }
}

/// Days from 1970-01-01 (Gregorian) to the Julian date `year`-`month`-`day`.
pub(crate) fn days_from_julian(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let cycle = year.div_euclid(4);
    let year_of_cycle = year - cycle * 4;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    cycle * 1461 + year_of_cycle * 365 + day_of_year - 719_470
}

/// The Julian (year, month, day) of a day since 1970-01-01.
pub(crate) fn julian_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_470;
    let cycle = z.div_euclid(1461);
    let day_of_cycle = z - cycle * 1461;
    let year_of_cycle = (day_of_cycle - day_of_cycle / 1460) / 365;
    let day_of_year = day_of_cycle - 365 * year_of_cycle;
    let (month, day) = month_day_from_march(day_of_year);
    (
        year_of_cycle + cycle * 4 + i64::from(month <= 2),
        month,
        day,
    )
}

/// (month, day) of the `day_of_year`-th day (0-based) of a year starting on March 1st.
fn month_day_from_march(day_of_year: i64) -> (u32, u32) {
    let month_from_march = (5 * day_of_year + 2) / 153;
    // Both are small and non-negative by construction.
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    (month, day)
}

/// Days since 1970-01-01 of January 1st of `year` (Julian up to 1582, as in Java).
pub(crate) fn new_year(year: i64) -> i64 {
    if year <= GREGORIAN_CUTOVER_YEAR {
        days_from_julian(year, 1, 1)
    } else {
        days_from_civil(year, 1, 1)
    }
}

/// Days from 1970-01-01 to `year`-`month`-`day` (month 1..=12, day 1..=31).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The (year, month 1..=12, day 1..=31) of a day since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let (month, day) = month_day_from_march(day_of_year);
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

/// True for leap years of the proleptic Gregorian calendar.
pub(crate) fn is_leap_year(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// Number of days in `month` (1..=12) of `year`.
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of the week of a day since 1970-01-01: 0 = Sunday … 6 = Saturday (1970-01-01 was a
/// Thursday).
pub(crate) fn day_of_week(days: i64) -> u32 {
    (days + 4).rem_euclid(7) as u32
}

/// A UTC instant broken down into calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DateTime {
    /// Days since 1970-01-01.
    pub days: i64,
    /// Year (0 is 1 BC).
    pub year: i64,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=59.
    pub second: u32,
    /// 0..=999.
    pub millisecond: u32,
}

impl DateTime {
    /// Break down milliseconds since the Unix epoch (UTC), in the Julian calendar before the
    /// Gregorian cutover.
    pub(crate) fn from_epoch_millis(millis: i64) -> DateTime {
        let days = millis.div_euclid(MILLIS_PER_DAY);
        let in_day = millis.rem_euclid(MILLIS_PER_DAY) as u32;
        let (year, month, day) = if days < GREGORIAN_CUTOVER_DAY {
            julian_from_days(days)
        } else {
            civil_from_days(days)
        };
        DateTime {
            days,
            year,
            month,
            day,
            hour: in_day / 3_600_000,
            minute: in_day / 60_000 % 60,
            second: in_day / 1000 % 60,
            millisecond: in_day % 1000,
        }
    }

    /// Milliseconds since the Unix epoch of a Gregorian date-time; `None` if out of `i64` range.
    pub(crate) fn to_epoch_millis(self) -> Option<i64> {
        let in_day = i64::from(self.hour) * 3_600_000
            + i64::from(self.minute) * 60_000
            + i64::from(self.second) * 1000
            + i64::from(self.millisecond);
        days_from_civil(self.year, self.month, self.day)
            .checked_mul(MILLIS_PER_DAY)?
            .checked_add(in_day)
    }

    /// Day of the year, 1..=366 (1582 counts from its Julian January 1st, as in Java).
    pub(crate) fn day_of_year(self) -> i64 {
        self.days - new_year(self.year) + 1
    }

    /// 0 = Sunday … 6 = Saturday.
    pub(crate) fn day_of_week(self) -> u32 {
        day_of_week(self.days)
    }

    /// (week year, week of year) with weeks starting on Sunday and week 1 being the week that
    /// contains January 1st (the en-US rules Java uses by default).
    pub(crate) fn week_of_year(self) -> (i64, i64) {
        let week_start = self.days - i64::from(self.day_of_week());
        if week_start + 6 >= new_year(self.year + 1) {
            return (self.year + 1, 1);
        }
        let first = new_year(self.year);
        let first_dow = i64::from(day_of_week(first));
        (self.year, (self.days - first + first_dow) / 7 + 1)
    }

    /// Week of the month, weeks starting on Sunday, week 1 containing the 1st.
    pub(crate) fn week_of_month(self) -> i64 {
        let first = self.days - i64::from(self.day) + 1;
        (i64::from(self.day) - 1 + i64::from(day_of_week(first))) / 7 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days_around_the_epoch_and_leap_years() {
        for days in [
            -800_000, -719_468, -1, 0, 1, 59, 60, 10_956, 11_016, 2_932_896,
        ] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(day_of_week(0), 4);
    }

    #[test]
    fn julian_calendar_before_the_cutover() {
        assert_eq!(days_from_julian(1582, 10, 5), GREGORIAN_CUTOVER_DAY);
        assert_eq!(days_from_civil(1582, 10, 15), GREGORIAN_CUTOVER_DAY);
        assert_eq!(julian_from_days(GREGORIAN_CUTOVER_DAY - 1), (1582, 10, 4));
        assert_eq!(
            julian_from_days(days_from_julian(1500, 2, 29)),
            (1500, 2, 29)
        );
        for days in [-900_000, -719_470, -141_428, 0] {
            let (y, m, d) = julian_from_days(days);
            assert_eq!(days_from_julian(y, m, d), days, "{y}-{m}-{d}");
        }
        let dt = DateTime::from_epoch_millis((GREGORIAN_CUTOVER_DAY - 1) * MILLIS_PER_DAY);
        assert_eq!((dt.year, dt.month, dt.day), (1582, 10, 4));
        // 1582 lost ten days: October 15th is day 278, not 288.
        let dt = DateTime::from_epoch_millis(GREGORIAN_CUTOVER_DAY * MILLIS_PER_DAY);
        assert_eq!(dt.day_of_year(), 278);
    }

    #[test]
    fn weeks_follow_us_rules() {
        // 2017-01-01 is a Sunday, so 2016-12-31 (a Saturday) ends week 53 of 2016.
        let dt = DateTime::from_epoch_millis(days_from_civil(2016, 12, 31) * MILLIS_PER_DAY);
        assert_eq!(dt.week_of_year(), (2016, 53));
        // 2019-12-31 (a Tuesday) shares its week with 2020-01-01: week 1 of 2020.
        let dt = DateTime::from_epoch_millis(days_from_civil(2019, 12, 31) * MILLIS_PER_DAY);
        assert_eq!(dt.week_of_year(), (2020, 1));
        // 2017-01-03 (a Tuesday): week 1 of 2017, first week of January.
        let dt = DateTime::from_epoch_millis(days_from_civil(2017, 1, 3) * MILLIS_PER_DAY);
        assert_eq!(dt.week_of_year(), (2017, 1));
        assert_eq!(dt.week_of_month(), 1);
        assert_eq!(dt.day_of_year(), 3);
    }
}
