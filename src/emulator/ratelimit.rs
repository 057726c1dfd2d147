//! Per-account, per-action request rate limits ("10 requests/second" in the docs), as a sliding
//! one-second window on the injected clock. Each account holds its own limiter
//! ([`super::accounts::Account::admit`]), keyed by front door and action.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Counts requests per key over the last second.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl RateLimiter {
    /// Records a request for `key` at `now_millis`; false when `limit` requests already arrived
    /// within the preceding second (the request is then not counted).
    pub fn admit(&self, key: &str, limit: u32, now_millis: i64) -> bool {
        self.admit_within(key.to_string(), limit, 1000, now_millis)
    }

    /// [`Self::admit`] over a window of `window_millis` instead of one second. The key is taken
    /// owned: the caller builds it anyway, and the map keeps it without a second copy.
    pub fn admit_within(&self, key: String, limit: u32, window_millis: i64, now_millis: i64) -> bool {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window = windows.entry(key).or_default();
        while window.front().is_some_and(|t| *t <= now_millis - window_millis) {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            return false;
        }
        window.push_back(now_millis);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_the_limit_per_second_then_refuses_until_the_window_moves() {
        let limiter = RateLimiter::default();
        for i in 0..10 {
            assert!(limiter.admit("a:CreateKeyPair", 10, 1_000 + i));
        }
        assert!(!limiter.admit("a:CreateKeyPair", 10, 1_500));
        assert!(limiter.admit("a:DescribeKeyPairs", 10, 1_500), "actions are limited separately");
        assert!(limiter.admit("a:CreateKeyPair", 10, 2_001), "the first request left the window");
    }
}
