//! Replay memory for signature nonces (Alibaba `SignatureNonce`, `x-acs-signature-nonce`).
//!
//! A nonce only needs remembering while a request carrying it could still pass the clock-skew
//! check; the caller says how long that is (ECS: twice its 15-minute skew, because a request
//! stamped one skew ahead stays valid one skew more — a shorter window would let replays through).
//! Each entry is 128 bits of a keyed hash of (account, nonce) and its expiry — about 50 bytes,
//! whatever the client sent — in 16 shards picked by that hash, so accounts do not queue on one lock.
//!
//! At the hard cap ([`NonceStore::with_capacity`], default [`DEFAULT_CAPACITY`]) nothing is
//! evicted early (evicting would let a replay of the evicted nonce through): a new nonce is
//! refused with [`Nonce::Full`], which the provider answers as throttling, until entries expire.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::Mutex;

/// Default hard cap: 1,048,576 nonces (~50 MB), about 580 signed requests a second sustained
/// over ECS's 30-minute window.
pub const DEFAULT_CAPACITY: usize = 1 << 20;

const SHARDS: usize = 16;

/// What [`NonceStore::remember`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nonce {
    /// First use: remembered.
    Fresh,
    /// Already used within its window: a replay.
    Replayed,
    /// The store is at its cap; the nonce was not remembered and the request must be refused.
    Full,
}

#[derive(Debug, Default)]
struct Shard {
    seen: HashSet<u128>,
    /// (forget at, key) in insertion order; expiries are monotonic for a constant window.
    expiry: VecDeque<(i64, u128)>,
}

impl Shard {
    fn expire(&mut self, now_secs: i64) {
        while let Some(&(at, key)) = self.expiry.front() {
            if at > now_secs {
                break;
            }
            self.expiry.pop_front();
            self.seen.remove(&key);
        }
    }
}

/// Nonces of every account, bounded by time and by count.
#[derive(Debug)]
pub struct NonceStore {
    shards: Vec<Mutex<Shard>>,
    capacity_per_shard: usize,
    keys: (RandomState, RandomState),
}

impl Default for NonceStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl NonceStore {
    /// A store holding at most about `capacity` nonces (rounded up to a multiple of 16).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            capacity_per_shard: capacity.div_ceil(SHARDS).max(1),
            keys: (RandomState::new(), RandomState::new()),
        }
    }

    fn key(&self, account_id: &str, nonce: &str) -> u128 {
        let half = |state: &RandomState| {
            let mut h = state.build_hasher();
            h.write(account_id.as_bytes());
            h.write_u8(0xff);
            h.write(nonce.as_bytes());
            h.finish()
        };
        (u128::from(half(&self.keys.0)) << 64) | u128::from(half(&self.keys.1))
    }

    /// Remembers `nonce` for `account_id` until `now_secs + keep_secs`.
    pub fn remember(&self, account_id: &str, nonce: &str, now_secs: i64, keep_secs: i64) -> Nonce {
        let key = self.key(account_id, nonce);
        let mut shard = self.shards[(key % SHARDS as u128) as usize].lock().unwrap_or_else(|e| e.into_inner());
        shard.expire(now_secs);
        if shard.seen.contains(&key) {
            return Nonce::Replayed;
        }
        if shard.seen.len() >= self.capacity_per_shard {
            return Nonce::Full;
        }
        shard.seen.insert(key);
        shard.expiry.push_back((now_secs.saturating_add(keep_secs), key));
        Nonce::Fresh
    }

    /// How many nonces are remembered (tests, the control API).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).seen.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_refused_once_seen_and_forgotten_after_their_window() {
        let nonces = NonceStore::default();
        assert!(nonces.is_empty());
        assert_eq!(nonces.remember("a", "n1", 1000, 1800), Nonce::Fresh);
        assert!(!nonces.is_empty());
        assert_eq!(nonces.remember("a", "n1", 1001, 1800), Nonce::Replayed);
        assert_eq!(nonces.remember("b", "n1", 1001, 1800), Nonce::Fresh, "per account");
        assert_eq!(nonces.remember("a", "n1", 2799, 1800), Nonce::Replayed);
        assert_eq!(nonces.remember("a", "n2", 2800, 1800), Nonce::Fresh);
        // n1's window is over once its shard is next touched.
        assert_eq!(nonces.remember("a", "n1", 2800, 1800), Nonce::Fresh);
        assert!(nonces.len() <= 3);
    }

    #[test]
    fn the_cap_refuses_new_nonces_without_forgetting_old_ones() {
        let nonces = NonceStore::with_capacity(SHARDS);
        let mut full = 0;
        for i in 0..200 {
            if nonces.remember("a", &i.to_string(), 0, 100) == Nonce::Full {
                full += 1;
            }
        }
        assert!(nonces.len() <= SHARDS, "{} kept", nonces.len());
        assert_eq!(full, 200 - nonces.len());
        // Every remembered nonce is still refused as a replay at the cap.
        let replays = (0..200).filter(|i| nonces.remember("a", &i.to_string(), 1, 100) == Nonce::Replayed).count();
        assert_eq!(replays, nonces.len());
        // After the window everything expires and new nonces are taken again.
        assert_eq!(nonces.remember("a", "late", 100, 100), Nonce::Fresh);
    }

    #[test]
    fn memory_is_bounded_by_time_under_a_steady_stream() {
        let nonces = NonceStore::default();
        for second in 0..10_000i64 {
            nonces.remember("a", &second.to_string(), second, 60);
        }
        assert!(nonces.len() <= 2 * 61 + SHARDS * 4, "{} kept", nonces.len());
    }

    #[test]
    fn the_default_store_takes_a_busy_window_of_nonces() {
        // DEFAULT_CAPACITY's figure: a store sized for hundreds of requests a second over ECS's
        // 30-minute window refuses none of 20,000 nonces.
        let nonces = NonceStore::default();
        let full = (0..20_000).filter(|i| nonces.remember("a", &i.to_string(), 0, 1800) == Nonce::Full).count();
        assert_eq!((full, nonces.len()), (0, 20_000));
    }

    #[test]
    fn the_key_keeps_both_halves_of_its_128_bits() {
        // Two independent 64-bit hashes: a collision, which would refuse a fresh nonce as a
        // replay, needs both to collide. A key of one half would double the bits it loses.
        let nonces = NonceStore::default();
        let keys: Vec<u128> = (0..8).map(|i| nonces.key("a", &i.to_string())).collect();
        assert!(keys.iter().all(|k| k >> 64 != 0 && *k as u64 != 0), "{keys:x?}");
        assert!(keys.iter().any(|k| (k >> 64) as u64 != *k as u64), "the halves are hashed with different keys");
    }

    #[test]
    fn long_nonces_cost_the_same_as_short_ones() {
        let nonces = NonceStore::default();
        let long = "x".repeat(100_000);
        assert_eq!(nonces.remember("a", &long, 0, 60), Nonce::Fresh);
        assert_eq!(nonces.remember("a", &long, 1, 60), Nonce::Replayed);
    }
}
