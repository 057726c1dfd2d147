//! RSA key generation for the emulator: a bounded set of generator threads shared fairly between
//! accounts, and an optional pool of keys generated ahead of time.
//!
//! RSA-2048 generation takes ≈ 80 ms of one core (tail to ≈ 1 s). Unbounded, a flood of
//! CreateKeyPair from one account filled tokio's blocking pool (up to 512 threads) and starved
//! every other account's reads of CPU. Here:
//! - at most `workers` keys are generated at once (default: cores − 1, at least 1), on tokio's
//!   blocking threads, never on an async worker thread;
//! - one account holds at most `per_account` of them (default: half the workers, at least 1), and
//!   waiters are served first come first served, so another account's create waits for at most a
//!   few keys, not for the whole flood;
//! - with `pregenerate` > 0 (default 0: off, since each pooled key holds ≈ 4 KB and a core busy
//!   while it refills), one background thread keeps that many 2048-bit keys ready, so a burst of
//!   creates answers at import speed until the pool runs dry.
//!
//! The pool is process-wide ([`configure`]; `serve --key-pool N`): keys are
//! random and interchangeable, so emulators in one process can share it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::keys::{GeneratedKey, KeyError, generate_rsa};

/// How keys are generated; see the module docs for the defaults and why.
#[derive(Debug, Clone)]
pub struct KeyPoolSettings {
    /// Keys generated at once, by requests.
    pub workers: usize,
    /// Of those, how many one account may hold.
    pub per_account: usize,
    /// Keys kept ready in the background (0: no background generation).
    pub pregenerate: usize,
    /// The size of pre-generated keys; requests for another size are always generated.
    pub bits: usize,
}

impl Default for KeyPoolSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let workers = cores.saturating_sub(1).max(1);
        Self { workers, per_account: workers.div_ceil(2).max(1), pregenerate: 0, bits: 2048 }
    }
}

/// Counters for `bench` and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPoolStats {
    /// Keys handed out from the ready pool.
    pub from_pool: u64,
    /// Keys generated on request.
    pub generated: u64,
    /// Keys ready now.
    pub ready: usize,
}

#[derive(Debug)]
pub struct KeyPool {
    settings: KeyPoolSettings,
    workers: Arc<Semaphore>,
    accounts: Mutex<HashMap<String, Arc<Semaphore>>>,
    ready: Arc<(Mutex<VecDeque<GeneratedKey>>, Condvar)>,
    from_pool: AtomicU64,
    generated: AtomicU64,
}

static POOL: RwLock<Option<Arc<KeyPool>>> = RwLock::new(None);

/// Replaces the process-wide pool (keys already pooled by the old one are dropped with it; its
/// refill thread stops generating once the old pool is full).
pub fn configure(settings: KeyPoolSettings) {
    *POOL.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(KeyPool::new(settings)));
}

/// The process-wide pool (default settings unless [`configure`]d).
pub fn global() -> Arc<KeyPool> {
    if let Some(pool) = POOL.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        return pool.clone();
    }
    POOL.write().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(|| Arc::new(KeyPool::new(KeyPoolSettings::default()))).clone()
}

/// A key of `bits` bits for `account_id`, from the process-wide pool.
pub async fn generate(account_id: &str, bits: usize) -> Result<GeneratedKey, KeyError> {
    global().generate(account_id, bits).await
}

impl KeyPool {
    /// A pool; with `pregenerate` > 0 its refill thread starts at once.
    pub fn new(settings: KeyPoolSettings) -> Self {
        let ready: Arc<(Mutex<VecDeque<GeneratedKey>>, Condvar)> = Arc::default();
        if settings.pregenerate > 0 {
            let (ready, target, bits) = (ready.clone(), settings.pregenerate, settings.bits);
            let spawned = std::thread::Builder::new().name("keypool-refill".into()).spawn(move || refill(&ready, target, bits));
            if let Err(e) = spawned {
                eprintln!("key pool: could not start the refill thread ({e}); keys are generated on request");
            }
        }
        Self {
            workers: Arc::new(Semaphore::new(settings.workers.max(1))),
            accounts: Mutex::new(HashMap::new()),
            ready,
            from_pool: AtomicU64::new(0),
            generated: AtomicU64::new(0),
            settings,
        }
    }

    pub fn settings(&self) -> &KeyPoolSettings {
        &self.settings
    }

    pub fn stats(&self) -> KeyPoolStats {
        KeyPoolStats {
            from_pool: self.from_pool.load(Ordering::Relaxed),
            generated: self.generated.load(Ordering::Relaxed),
            ready: self.ready.0.lock().unwrap_or_else(|e| e.into_inner()).len(),
        }
    }

    /// Waits until `n` keys are ready, for at most `within`; whether they are. A pool that
    /// pre-generates fills in the background; `bench` waits for a full one before timing a burst
    /// from it.
    pub async fn wait_ready(&self, n: usize, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while self.stats().ready < n {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// A ready key when there is one of this size, else one generated within the account's share.
    pub async fn generate(&self, account_id: &str, bits: usize) -> Result<GeneratedKey, KeyError> {
        if bits == self.settings.bits
            && let Some(key) = self.take_ready()
        {
            return Ok(key);
        }
        // The wait below is the key pool's, shared fairly between accounts; the account's handler
        // turn would only keep its other requests waiting for the length of a generation.
        super::accounts::give_back_turn();
        let share = self.account_share(account_id);
        let account_permit = share.clone().acquire_owned().await.map_err(|_| KeyError("key pool closed".into()))?;
        let worker_permit = self.workers.clone().acquire_owned().await.map_err(|_| KeyError("key pool closed".into()))?;
        // The permits travel with the work: a client that goes away does not free a busy slot.
        // The worker is given back before the account's turn (a tuple drops in order): the other
        // way round, the account's next key could take a second worker for an instant.
        let result = tokio::task::spawn_blocking(move || {
            let _held = (worker_permit, account_permit);
            generate_rsa(bits)
        })
        .await
        .map_err(|e| KeyError(format!("key generation task failed: {e}")))?;
        self.generated.fetch_add(1, Ordering::Relaxed);
        self.release_share(account_id, share);
        result
    }

    fn take_ready(&self) -> Option<GeneratedKey> {
        let (ready, wake) = &*self.ready;
        let key = ready.lock().unwrap_or_else(|e| e.into_inner()).pop_front()?;
        wake.notify_one();
        self.from_pool.fetch_add(1, Ordering::Relaxed);
        Some(key)
    }

    fn account_share(&self, account_id: &str) -> Arc<Semaphore> {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        accounts.entry(account_id.to_string()).or_insert_with(|| Arc::new(Semaphore::new(self.settings.per_account.max(1)))).clone()
    }

    /// Forgets an account's share once nobody waits on it, so the map stays as small as the set
    /// of accounts generating right now.
    fn release_share(&self, account_id: &str, share: Arc<Semaphore>) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        if Arc::strong_count(&share) == 2 {
            accounts.remove(account_id);
        }
    }
}

/// The refill thread: generates while fewer than `target` keys are ready, sleeps otherwise.
fn refill(ready: &(Mutex<VecDeque<GeneratedKey>>, Condvar), target: usize, bits: usize) {
    let (keys, wake) = ready;
    loop {
        {
            let mut keys = keys.lock().unwrap_or_else(|e| e.into_inner());
            while keys.len() >= target {
                keys = wake.wait(keys).unwrap_or_else(|e| e.into_inner());
            }
        }
        match generate_rsa(bits) {
            Ok(key) => keys.lock().unwrap_or_else(|e| e.into_inner()).push_back(key),
            Err(e) => {
                eprintln!("key pool: {e}; refill stops, keys are generated on request");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_prefilled_pool_answers_at_once_and_refills() {
        let pool = KeyPool::new(KeyPoolSettings { workers: 1, per_account: 1, pregenerate: 2, bits: 1024 });
        let waited = Instant::now();
        assert!(pool.wait_ready(2, Duration::from_secs(20)).await);
        assert_eq!(pool.stats().ready, 2);
        // It returned once they were ready, not at the end of its time.
        assert!(waited.elapsed() < Duration::from_secs(10), "{:?}", waited.elapsed());
        // A pool kept at 2 is never at 3: the wait gives up when its time is out.
        let waited = Instant::now();
        assert!(!pool.wait_ready(3, Duration::from_millis(100)).await);
        assert!(waited.elapsed() >= Duration::from_millis(100));
        // Served from the pool, not generated: counted, not timed (a clock bound flakes on a busy
        // machine, and the counts say which path answered).
        let a = pool.generate("a", 1024).await.unwrap();
        let b = pool.generate("a", 1024).await.unwrap();
        assert_ne!(a.public.blob, b.public.blob, "each key is handed out once");
        assert_eq!((pool.stats().from_pool, pool.stats().generated), (2, 0));
        // Another size is generated on request.
        pool.generate("a", 2048).await.unwrap();
        assert_eq!(pool.stats().generated, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_accounts_flood_does_not_hold_every_worker() {
        let pool = Arc::new(KeyPool::new(KeyPoolSettings { workers: 2, per_account: 1, pregenerate: 0, bits: 2048 }));
        let mut flood = Vec::new();
        for _ in 0..6 {
            let pool = pool.clone();
            flood.push(tokio::spawn(async move { pool.generate("flood", 1024).await }));
        }
        // Once the flood has started (its tasks may take a moment to be scheduled on a busy machine),
        // the flooding account holds one worker; the other is free for another account at once.
        // Sampled, not read once after a sleep: a 1024-bit key can be done in a few milliseconds,
        // leaving both workers free for an instant between two of the flood's keys.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut free = pool.workers.available_permits();
        while free == 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
            free = pool.workers.available_permits();
        }
        assert_eq!(free, 1);
        let watch_until = Instant::now() + Duration::from_millis(50);
        while Instant::now() < watch_until {
            assert!(pool.workers.available_permits() >= 1, "the flooding account holds every worker");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let started = Instant::now();
        pool.generate("quiet", 1024).await.unwrap();
        let quiet = started.elapsed();
        let mut flood_done = 0;
        for task in flood {
            task.await.unwrap().unwrap();
            flood_done += 1;
        }
        assert_eq!(flood_done, 6);
        assert!(pool.accounts.lock().unwrap().is_empty(), "shares are forgotten when idle");
        eprintln!("quiet account's key under a flood: {quiet:?}");
    }

    #[test]
    fn configure_replaces_the_process_wide_pool_with_one_of_its_settings() {
        // Default settings: other tests generating through the global pool meanwhile see no change.
        let before = global();
        configure(KeyPoolSettings::default());
        let after = global();
        assert!(!Arc::ptr_eq(&before, &after), "configure left the old pool in place");
        assert!(Arc::ptr_eq(&after, &global()), "the configured pool is the one kept");
        let pool = KeyPool::new(KeyPoolSettings { workers: 3, per_account: 2, pregenerate: 0, bits: 1024 });
        let settings = pool.settings();
        assert_eq!((settings.workers, settings.per_account, settings.pregenerate, settings.bits), (3, 2, 0, 1024));
    }
}
