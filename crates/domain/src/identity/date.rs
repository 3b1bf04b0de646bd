//! A calendar date without a clock: the caller says what "today" is.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A date of the proleptic Gregorian calendar, years 1-9999. Serialised as `"YYYY-MM-DD"`.
/// Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CalendarDate {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    year: u16,
    month: u8,
    day: u8,
}

impl CalendarDate {
    /// The date, if it exists (`2024-02-29` does, `2023-02-29` and `1949-02-30` do not).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let exists = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        exists.then_some(Self { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// The date in China (UTC+8, no daylight saving) at `unix_secs`: the platform's "today" for
    /// birth-date rules and daily budgets. Clamped to years 1-9999 (a clock that far off is
    /// broken anyway).
    pub fn in_china_at(unix_secs: i64) -> Self {
        const CHINA_UTC_OFFSET_SECS: i64 = 8 * 3600;
        let days = unix_secs.saturating_add(CHINA_UTC_OFFSET_SECS).div_euclid(86_400);
        // Howard Hinnant's civil_from_days.
        let z = days.saturating_add(719_468);
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(1, 9999) as u16;
        Self::new(year, month, day).unwrap_or(Self { year, month: 1, day: 1 })
    }
}

fn is_leap_year(year: u16) -> bool {
    // Divisible by 4 but not by 100, or by 400. (`is_multiple_of` would need Rust 1.87; the
    // workspace supports 1.80.)
    matches!((year % 4, year % 100, year % 400), (0, 1.., _) | (_, _, 0))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The text is not a `YYYY-MM-DD` date that exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an existing date in the form YYYY-MM-DD: {0:?}")]
pub struct InvalidCalendarDate(pub String);

impl FromStr for CalendarDate {
    type Err = InvalidCalendarDate;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidCalendarDate(s.to_string());
        let bytes = s.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return Err(invalid());
        }
        let year = s[0..4].parse().map_err(|_| invalid())?;
        let month = s[5..7].parse().map_err(|_| invalid())?;
        let day = s[8..10].parse().map_err(|_| invalid())?;
        Self::new(year, month, day).ok_or_else(invalid)
    }
}

impl TryFrom<String> for CalendarDate {
    type Error = InvalidCalendarDate;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CalendarDate> for String {
    fn from(date: CalendarDate) -> Self {
        date.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_date_in_china_turns_at_midnight_utc_plus_eight() {
        // 2026-01-01T00:00:00Z is 08:00 in China.
        assert_eq!(CalendarDate::in_china_at(1_767_225_600).to_string(), "2026-01-01");
        // 2025-12-31T16:00:00Z is midnight in China.
        assert_eq!(CalendarDate::in_china_at(1_767_196_800).to_string(), "2026-01-01");
        assert_eq!(CalendarDate::in_china_at(1_767_196_799).to_string(), "2025-12-31");
        assert_eq!(CalendarDate::in_china_at(0).to_string(), "1970-01-01");
        assert_eq!(CalendarDate::in_china_at(951_782_400).to_string(), "2000-02-29");
        assert_eq!(CalendarDate::in_china_at(i64::MAX).year(), 9999);
    }

    use super::*;

    #[test]
    fn february_has_29_days_only_in_leap_years() {
        assert!(CalendarDate::new(2024, 2, 29).is_some());
        assert!(CalendarDate::new(2000, 2, 29).is_some());
        assert!(CalendarDate::new(1900, 2, 29).is_none());
        assert!(CalendarDate::new(2023, 2, 29).is_none());
    }

    #[test]
    fn month_and_day_zero_do_not_exist() {
        assert!(CalendarDate::new(1990, 0, 1).is_none());
        assert!(CalendarDate::new(1990, 1, 0).is_none());
        assert!(CalendarDate::new(1990, 13, 1).is_none());
        assert!(CalendarDate::new(1990, 4, 31).is_none());
    }

    #[test]
    fn dates_order_chronologically() {
        let earlier = CalendarDate::new(1949, 12, 31);
        let later = CalendarDate::new(1950, 1, 1);
        assert!(earlier < later);
    }

    #[test]
    fn serialises_as_iso_text_and_parses_back() {
        let date = CalendarDate::new(1949, 12, 31).expect("date exists");
        let json = serde_json::to_string(&date).expect("serialises");
        assert_eq!(json, "\"1949-12-31\"");
        assert_eq!(serde_json::from_str::<CalendarDate>(&json).ok(), Some(date));
    }

    #[test]
    fn text_that_is_not_an_existing_date_does_not_parse() {
        assert!("1949-02-30".parse::<CalendarDate>().is_err());
        assert!("1949-2-3".parse::<CalendarDate>().is_err());
        assert!("+949-12-31".parse::<CalendarDate>().is_err());
        assert!(serde_json::from_str::<CalendarDate>("\"19491231\"").is_err());
    }
}
