//! Which answers are worth another try, and how long to wait: throttling answers
//! (`RequestLimitExceeded*`, ECS `Throttling*`) and transient failures (HTTP 5xx, reset
//! connections, timeouts), with bounded exponential backoff and full jitter.

use std::time::Duration;

use rand::RngExt;
use serde_json::Value;

use crate::apis::ApiProfile;

/// Tries per request, the first included.
pub const MAX_ATTEMPTS: u32 = 6;
/// The first backoff; doubled per attempt.
pub const BASE_DELAY: Duration = Duration::from_millis(200);
/// No wait is longer.
pub const MAX_DELAY: Duration = Duration::from_secs(5);

/// Why an answer is retried, if it is.
pub fn retry_reason(profile: &ApiProfile, status: u16, body: &Value) -> Option<String> {
    if let Some(code) = profile.error_code(status, body)
        && is_throttling(code)
    {
        return Some(format!("throttled ({code})"));
    }
    (status >= 500).then(|| format!("HTTP {status}"))
}

/// Throttling codes of both providers (apis.md §1.3 and §3.3; the Tencent SDK's retry set).
pub fn is_throttling(code: &str) -> bool {
    code == "RequestLimitExceeded"
        || code.starts_with("RequestLimitExceeded.")
        || code.starts_with("Throttling")
        || code == "ServiceUnavailable"
}

/// The wait before try `try_number` of a request (1-based): none before the first, then the
/// backoff of the retry it is.
pub fn wait_before(try_number: u32) -> Option<Duration> {
    (try_number > 1).then(|| backoff(try_number - 1))
}

/// The wait before try `attempt` (1 = the first retry): full jitter over a doubling bound.
pub fn backoff(attempt: u32) -> Duration {
    let bound = BASE_DELAY.saturating_mul(1 << attempt.min(16)).min(MAX_DELAY);
    let millis = rand::rng().random_range(bound.as_millis() as u64 / 2..=bound.as_millis() as u64);
    Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apis::{aliyun_rpc::ECS, tencent_api3::CVM};
    use serde_json::json;

    #[test]
    fn throttling_and_5xx_are_retried_nothing_else() {
        let throttled = json!({"Response": {"Error": {"Code": "RequestLimitExceeded"}}});
        assert!(retry_reason(&CVM, 200, &throttled).is_some());
        assert!(retry_reason(&CVM, 200, &json!({"Response": {"Error": {"Code": "InvalidKeyPairNameEmpty"}}})).is_none());
        assert!(retry_reason(&ECS, 400, &json!({"Code": "Throttling.User"})).is_some());
        assert!(retry_reason(&ECS, 503, &json!({})).is_some());
        assert!(retry_reason(&ECS, 400, &json!({"Code": "MissingParameter"})).is_none());
    }

    #[test]
    fn no_wait_before_the_first_try_then_the_backoff_of_each_retry() {
        assert_eq!(wait_before(1), None);
        let millis = |try_number| (0..40).map(|_| wait_before(try_number).unwrap().as_millis() as u64).collect::<Vec<_>>();
        // Before the second try, the first retry's backoff: half to all of 2 × 200 ms.
        let second = millis(2);
        assert!(second.iter().all(|ms| (200..=400).contains(ms)) && second.iter().any(|ms| *ms < 400), "{second:?}");
        let sixth = millis(6);
        assert!(sixth.iter().all(|ms| (2500..=5000).contains(ms)), "{sixth:?}");
    }

    #[test]
    fn backoff_is_bounded() {
        for attempt in 1..20 {
            assert!(backoff(attempt) <= MAX_DELAY);
        }
        assert!(backoff(1) >= BASE_DELAY);
    }
}
