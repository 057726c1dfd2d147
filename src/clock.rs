//! Time, passed in rather than read globally, so signing checks, rate limits and timestamps can be
//! tested at a fixed instant (the SDK vectors are pinned at 2025-01-01T00:00:00Z).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of wall-clock time in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_millis(&self) -> i64;

    fn now_secs(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn at_secs(secs: i64) -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(secs * 1000)))
    }

    pub fn advance_millis(&self, millis: i64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` for a Unix time, the format every API here documents.
pub fn iso8601_utc(secs: i64) -> String {
    // From 1970 to 9999 written digit by digit (a 100-key Describe writes 100 of these); other
    // times through the `time` crate, which also decides what a time it cannot hold becomes.
    if (0..253_402_300_800).contains(&secs) {
        let mut text = crate::sign::utc_date(secs);
        let of_day = secs % 86_400;
        for (separator, value) in [('T', of_day / 3600), (':', of_day / 60 % 60), (':', of_day % 60)] {
            text.push(separator);
            crate::sign::push_digits(&mut text, value as u32, 2);
        }
        text.push('Z');
        return text;
    }
    let time = time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time.format(&format).unwrap_or_default()
}

/// Whether `timestamp` is at most `max_skew_secs` from `now`, for any two times (no overflow).
pub fn within_skew(now: i64, timestamp: i64, max_skew_secs: i64) -> bool {
    now.abs_diff(timestamp) <= max_skew_secs.unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_not_local_dates() {
        // The TC3 docs' own example: 1551113065 is 2019-02-25 in UTC (2019-02-26 in UTC+8).
        assert_eq!(iso8601_utc(1_551_113_065), "2019-02-25T16:44:25Z");
    }

    #[test]
    fn the_fast_format_agrees_with_the_time_crate() {
        let by_time = |secs: i64| {
            let time = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
            time.format(&time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap()
        };
        for secs in (0..253_402_300_800i64).step_by(9_876_543).chain([0, 59, 86_399, 951_782_400, 253_402_300_799]) {
            assert_eq!(iso8601_utc(secs), by_time(secs), "{secs}");
        }
        assert_eq!(iso8601_utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso8601_utc(i64::MAX), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn utc_dates_and_impossible_times() {
        // The TC3 scope date comes from `sign::utc_date`, total over every i64: a time the calendar
        // cannot hold still has a date (and is refused by the skew check before any date matters).
        assert_eq!(crate::sign::utc_date(1_551_113_065), "2019-02-25");
        assert!(time::OffsetDateTime::from_unix_timestamp(i64::MAX).is_err());
        assert!(!crate::sign::utc_date(i64::MAX).is_empty());
    }

    #[test]
    fn skew_never_overflows() {
        assert!(within_skew(1_000, 1_300, 300));
        assert!(!within_skew(1_000, 1_301, 300));
        assert!(!within_skew(1_735_689_600, i64::MIN, 300), "i64::MIN is not near now");
        assert!(!within_skew(1_735_689_600, i64::MAX, 300));
        assert!(!within_skew(i64::MIN, i64::MAX, 300));
    }

    #[test]
    fn the_system_clock_reads_unix_time_in_milliseconds() {
        let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
        let now = SystemClock.now_millis();
        let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
        assert!((before..=after).contains(&now), "{before} <= {now} <= {after}");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::at_secs(1_735_689_600);
        assert_eq!(clock.now_secs(), 1_735_689_600);
        clock.advance_millis(1500);
        assert_eq!(clock.now_millis(), 1_735_689_601_500);
    }
}
