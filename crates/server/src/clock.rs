//! Time as the server sees it, in unix seconds. Lockouts, token expiry and rate-limit windows all
//! read the [`Clock`] held in [`crate::AppState`], so tests move time with a [`ManualClock`]
//! instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use signet_domain::identity::CalendarDate;

/// The platform's days run on China Standard Time (UTC+8, no daylight saving): "today" for
/// birth-date checks and the days of the daily attempt budgets.
pub const PLATFORM_UTC_OFFSET_SECS: i64 = 8 * 60 * 60;
const DAY_SECS: i64 = 24 * 60 * 60;

/// A source of the current time in unix seconds.
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// The operating system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        // A clock before 1970 is a broken machine; treat it as the epoch rather than panic.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
}

/// A clock that only moves when told to. Share it (`Arc<ManualClock>`) between the test and the
/// [`crate::Settings`] the state is opened with.
#[derive(Debug)]
pub struct ManualClock {
    now: AtomicI64,
}

impl ManualClock {
    /// A clock standing at `start` (unix seconds).
    pub fn new(start: i64) -> Self {
        Self { now: AtomicI64::new(start) }
    }

    /// A clock standing at the current system time.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now())
    }

    /// Moves the clock forward by `secs`.
    pub fn advance(&self, secs: u64) {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        self.now.fetch_add(secs, Ordering::SeqCst);
    }

    /// Puts the clock at `now` (unix seconds).
    pub fn set(&self, now: i64) {
        self.now.store(now, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }
}

/// When the platform day containing `now` began (unix seconds).
pub fn platform_day_start(now: i64) -> i64 {
    let local = now.saturating_add(PLATFORM_UTC_OFFSET_SECS);
    local.div_euclid(DAY_SECS) * DAY_SECS - PLATFORM_UTC_OFFSET_SECS
}

/// The platform's calendar date at `now` (unix seconds): the date in China.
pub fn platform_date(now: i64) -> CalendarDate {
    CalendarDate::in_china_at(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_day_starts_at_midnight_in_china() {
        assert_eq!(platform_day_start(1_767_225_600), 1_767_196_800);
        assert_eq!(platform_day_start(1_767_196_800), 1_767_196_800);
        assert_eq!(platform_day_start(1_767_196_799), 1_767_196_800 - 86_400);
    }

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = ManualClock::new(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(900);
        assert_eq!(clock.now(), 1_900);
    }
}
