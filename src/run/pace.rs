//! Pacing: one rate limiter per account, product and action, at the documented limits, which the
//! clouds count per account. On a live target every case runs as the same account, so its parallel
//! cases share each budget, split between shards (`run --shard K/N` gets 1/N of it); on an emulator
//! with a control API each case has an account of its own, and so a budget of its own.
//! Built on `governor` (GCRA). Requests are spaced evenly (no bursts) at [`SAFETY`] of the
//! documented rate, so arrivals stay under a one-second sliding window even with jitter.
//!
//! Steps that probe a rate limit on purpose (`burst:`) bypass the pacer; nothing else does.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// Share of a documented limit the pacer uses.
pub const SAFETY: f64 = 0.9;

/// Requests per second for Alibaba ECS actions: ECS documents none (apis.md §3.6), so a
/// conservative default, changed with `run --ecs-rate`.
pub const DEFAULT_ECS_RATE: f64 = 5.0;

/// The documented requests per second of `api`'s `action` (apis.md §1.4, §1.5, §8).
pub fn documented_rate(api: &str, action: &str, ecs_rate: f64) -> f64 {
    match (api, action) {
        ("tencent-lighthouse", "CreateKeyPair") => 20.0,
        ("tencent-lighthouse", "DescribeKeyPairs") => 100.0,
        ("tencent-sts", _) => 20.0,
        ("aliyun-ecs", _) | ("aliyun-sts", _) => ecs_rate,
        // Lighthouse's other actions and CVM API 3.0: 10/s per action; the legacy endpoint
        // documents none, so the same.
        _ => 10.0,
    }
}

/// The limiters of one run against one target.
#[derive(Debug)]
pub struct Pacer {
    shards: u32,
    ecs_rate: f64,
    /// By account (its credentials' id), product and action.
    limiters: Mutex<HashMap<(String, String, String), Arc<DefaultDirectRateLimiter>>>,
}

impl Pacer {
    /// A pacer for one of `shards` machines sharing the budget.
    pub fn new(shards: u32, ecs_rate: f64) -> Self {
        Self { shards: shards.max(1), ecs_rate, limiters: Mutex::new(HashMap::new()) }
    }

    /// The interval between two requests of `api`'s `action` in this shard.
    pub fn interval(&self, api: &str, action: &str) -> Duration {
        let rate = documented_rate(api, action, self.ecs_rate) * SAFETY / self.shards as f64;
        Duration::from_secs_f64(1.0 / rate.max(0.01))
    }

    /// Waits until a request of `api`'s `action` may go as `account` (the credentials' id).
    pub async fn wait(&self, account: &str, api: &str, action: &str) {
        let limiter = {
            let mut limiters = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
            limiters
                .entry((account.to_string(), api.to_string(), action.to_string()))
                .or_insert_with(|| {
                    let quota = Quota::with_period(self.interval(api, action))
                        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                        .allow_burst(NonZeroU32::MIN);
                    Arc::new(RateLimiter::direct(quota))
                })
                .clone()
        };
        limiter.until_ready().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn each_product_and_action_has_its_documented_rate() {
        let rates = [
            ("tencent-lighthouse", "CreateKeyPair", 20.0),
            ("tencent-lighthouse", "DescribeKeyPairs", 100.0),
            ("tencent-lighthouse", "ImportKeyPair", 10.0),
            ("tencent-lighthouse", "DeleteKeyPairs", 10.0),
            ("tencent-sts", "GetCallerIdentity", 20.0),
            ("aliyun-ecs", "CreateKeyPair", 3.0),
            ("aliyun-sts", "GetCallerIdentity", 3.0),
            ("tencent-cvm", "CreateKeyPair", 10.0),
            ("tencent-cvm-legacy", "CreateKeyPair", 10.0),
        ];
        for (api, action, rate) in rates {
            assert_eq!(documented_rate(api, action, 3.0), rate, "{api} {action}");
        }
    }

    #[test]
    fn shards_split_the_documented_budget() {
        let one = Pacer::new(1, DEFAULT_ECS_RATE);
        let two = Pacer::new(2, DEFAULT_ECS_RATE);
        assert_eq!(two.interval("tencent-cvm", "CreateKeyPair"), one.interval("tencent-cvm", "CreateKeyPair") * 2);
        assert!(one.interval("tencent-lighthouse", "DescribeKeyPairs") < one.interval("tencent-lighthouse", "ImportKeyPair"));
    }

    #[tokio::test]
    async fn requests_of_one_action_are_spaced_at_the_rate() {
        let pacer = Pacer::new(1, DEFAULT_ECS_RATE);
        let started = Instant::now();
        for _ in 0..6 {
            pacer.wait("AKID1", "tencent-cvm", "DescribeKeyPairs").await;
        }
        // 10/s at 90%: five intervals of ~111 ms after the first request.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(500) && elapsed < Duration::from_millis(1500), "{elapsed:?}");
        let other = Instant::now();
        pacer.wait("AKID1", "tencent-cvm", "CreateKeyPair").await;
        // Sharing the budget would wait a whole interval (~111 ms); the bound leaves the rest of it
        // for a busy machine's scheduling.
        assert!(other.elapsed() < Duration::from_millis(100), "another action has its own budget");
        let other_account = Instant::now();
        pacer.wait("AKID2", "tencent-cvm", "DescribeKeyPairs").await;
        assert!(other_account.elapsed() < Duration::from_millis(100), "another account has its own budget");
        // The other account's request took nothing from the first's budget, nor gave it any back:
        // its seventh request comes six intervals (~666 ms) after its first.
        pacer.wait("AKID1", "tencent-cvm", "DescribeKeyPairs").await;
        assert!(started.elapsed() >= Duration::from_millis(600), "{:?}", started.elapsed());
    }
}
