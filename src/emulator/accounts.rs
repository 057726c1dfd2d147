//! Emulator accounts: credentials, per-account settings (quotas, projects, permissions) and
//! injected faults. Every product keeps its own state per account; credentials map to accounts.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};

use super::ratelimit::RateLimiter;

/// The account `serve` creates unless told otherwise; documented in the README.
pub const DEFAULT_SECRET_ID: &str = "AKIDKEYPAIRCONTRACTEMULATOR0000";
pub const DEFAULT_SECRET_KEY: &str = "keypair-contract-emulator-secret";

/// One emulated cloud account. `Debug` never shows the secret key.
pub struct Account {
    /// A numeric account id, like Tencent's UIN.
    pub id: String,
    pub secret_id: String,
    secret_key: String,
    settings: Mutex<AccountSettings>,
    faults: Mutex<Vec<Fault>>,
    /// Handler turns: how many of this account's requests run at once ([`Account::in_turn`]).
    turns: Arc<tokio::sync::Semaphore>,
    /// The last TC3 signing key derived from the secret: (credential date, service, key).
    tc3_key: Mutex<Option<(String, String, [u8; 32])>>,
    /// This account's request-rate windows: per account, so no lock is shared between accounts
    /// on the request path.
    rate: RateLimiter,
}

/// Requests of one account whose handlers run at once: one fewer than the cores (at least 1), so
/// however hard one account floods, a core is left for everyone else's requests, and another
/// account's request queues behind at most that many running handlers, not behind the flood's
/// backlog. On 2 cores, with the other account's 100-KeyIds Describes at 16 connections, a quiet
/// account's Describe took 3.2–3.4 ms (p50) with a turn per core and 0.22–0.26 ms with this; the
/// flood itself ran 7–40 % slower, and the single-account routes of `bench` did not move
/// (BENCHMARKS.md, "per-account turns").
pub fn turns_per_account() -> usize {
    turns_for_cores(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2))
}

/// [`turns_per_account`]'s rule for a machine of `cores`: all but one, at least one.
fn turns_for_cores(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

tokio::task_local! {
    /// The handler turn the running request holds, so that a long wait inside the handler (a key
    /// generation) can give it back ([`give_back_turn`]).
    static TURN: std::cell::RefCell<Option<tokio::sync::OwnedSemaphorePermit>>;
}

/// Gives back the handler turn the running request holds, if it holds one. A key generation calls
/// it before waiting: the key pool shares its workers fairly between accounts itself, and an
/// account's other requests should not wait for the length of an RSA generation.
pub fn give_back_turn() {
    let _ = TURN.try_with(|turn| turn.borrow_mut().take());
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account").field("id", &self.id).field("secret_id", &self.secret_id).finish_non_exhaustive()
    }
}

/// What the control API can set on an account. Absent quotas take the provider model's default.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountSettings {
    /// Quota overrides by name, e.g. `tencent-cvm.key-pairs`; each provider model names its own.
    pub quotas: BTreeMap<String, u64>,
    /// Project ids that exist in this account (Tencent `ProjectId`); 0 is the default project.
    pub projects: BTreeSet<i64>,
    /// Denied actions, as `<api>:<Action>` (e.g. `tencent-lighthouse:CreateKeyPair`).
    pub deny: BTreeSet<String>,
    /// Whether the documented rate limits are enforced for this account.
    pub rate_limits: bool,
    /// Alibaba resource-group ids that exist in this account besides the default group
    /// (`aliyun_ecs::EcsSettings::default_resource_group`, which always exists).
    pub resource_groups: BTreeSet<String>,
}

impl AccountSettings {
    /// Whether `deny` (entries `<api>:<Action>`) names `api`'s `action`; no text is built for the
    /// usual empty list.
    pub fn denies(&self, api: &str, action: &str) -> bool {
        !self.deny.is_empty() && self.deny.contains(&format!("{api}:{action}"))
    }
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            quotas: BTreeMap::new(),
            projects: BTreeSet::from([0]),
            deny: BTreeSet::new(),
            rate_limits: true,
            resource_groups: BTreeSet::new(),
        }
    }
}

/// An error to answer instead of the next matching call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// The API, e.g. `tencent-cvm`.
    pub api: String,
    pub action: String,
    /// The provider error code to answer with, e.g. `InternalServerError`.
    pub code: String,
}

impl Account {
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The TC3 signing key of this account's secret for `date` and `service`, derived once and
    /// kept until the date or service changes (a day's requests to one product share it).
    pub fn tc3_signing_key(&self, date: &str, service: &str) -> [u8; 32] {
        let mut kept = self.tc3_key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((d, s, key)) = kept.as_ref()
            && d == date
            && s == service
        {
            return *key;
        }
        let key = crate::sign::tc3::signing_key(&self.secret_key, date, service);
        *kept = Some((date.to_string(), service.to_string(), key));
        key
    }

    pub fn settings(&self) -> AccountSettings {
        self.with_settings(AccountSettings::clone)
    }

    /// `read` applied to the settings under their lock: the request path reads a flag or a set
    /// without cloning every quota, project and deny entry.
    pub fn with_settings<T>(&self, read: impl FnOnce(&AccountSettings) -> T) -> T {
        read(&self.settings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Records a call of `api`'s `action` at `now_millis` against its `limit` per second; false
    /// when the limit is reached (see [`RateLimiter::admit`]).
    pub fn admit(&self, api: &str, action: &str, limit: u32, now_millis: i64) -> bool {
        self.admit_within(api, action, limit, 1000, now_millis)
    }

    /// [`Self::admit`] over a window of `window_millis` (Tencent's window is a setting, L-TC-5).
    pub fn admit_within(&self, api: &str, action: &str, limit: u32, window_millis: i64, now_millis: i64) -> bool {
        self.rate.admit_within(format!("{api}:{action}"), limit, window_millis, now_millis)
    }

    pub fn update_settings(&self, settings: AccountSettings) {
        *self.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings;
    }

    /// The quota `name` for this account, or `default`.
    pub fn quota(&self, name: &str, default: u64) -> u64 {
        self.with_settings(|s| s.quotas.get(name).copied().unwrap_or(default))
    }

    pub fn add_fault(&self, fault: Fault) {
        self.faults.lock().unwrap_or_else(|e| e.into_inner()).push(fault);
    }

    pub fn faults(&self) -> Vec<Fault> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Removes and returns the first fault injected for `api` and `action`.
    pub fn take_fault(&self, api: &str, action: &str) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let index = faults.iter().position(|f| f.api == api && f.action == action)?;
        Some(faults.remove(index))
    }

    /// Runs `handler` in one of this account's handler turns: waits for a turn (first come, first
    /// served) and holds it until `handler` ends or gives it back ([`give_back_turn`]). Providers
    /// run their handler in a turn, after authentication and rate limits, so a flood queues in its
    /// own account instead of ahead of everyone else's requests.
    pub async fn in_turn<T>(&self, handler: impl Future<Output = T>) -> T {
        let turn = self.turns.clone().acquire_owned().await.ok();
        TURN.scope(std::cell::RefCell::new(turn), handler).await
    }

    pub fn clear_faults(&self) {
        self.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// All accounts of one emulator, by secret id (Tencent SecretId, Alibaba AccessKeyId).
#[derive(Debug, Default)]
pub struct AccountStore {
    by_secret_id: RwLock<HashMap<String, Arc<Account>>>,
    next_id: AtomicU64,
}

impl AccountStore {
    /// Adds an account with the given credentials; replaces one with the same secret id.
    pub fn add(&self, secret_id: &str, secret_key: &str, settings: AccountSettings) -> Arc<Account> {
        let number = 100_000_000_001 + self.next_id.fetch_add(1, Ordering::SeqCst);
        let account = Arc::new(Account {
            id: number.to_string(),
            secret_id: secret_id.to_string(),
            secret_key: secret_key.to_string(),
            settings: Mutex::new(settings),
            faults: Mutex::new(Vec::new()),
            turns: Arc::new(tokio::sync::Semaphore::new(turns_per_account())),
            tc3_key: Mutex::new(None),
            rate: RateLimiter::default(),
        });
        self.by_secret_id.write().unwrap_or_else(|e| e.into_inner()).insert(secret_id.to_string(), account.clone());
        account
    }

    /// Creates an account with fresh random credentials.
    pub fn create(&self, settings: AccountSettings) -> Arc<Account> {
        let secret_id = format!("AKID{}", random_alnum(32));
        let secret_key = random_alnum(32);
        self.add(&secret_id, &secret_key, settings)
    }

    pub fn get(&self, secret_id: &str) -> Option<Arc<Account>> {
        self.by_secret_id.read().unwrap_or_else(|e| e.into_inner()).get(secret_id).cloned()
    }

    pub fn remove(&self, secret_id: &str) -> Option<Arc<Account>> {
        self.by_secret_id.write().unwrap_or_else(|e| e.into_inner()).remove(secret_id)
    }
}

/// Random `[0-9A-Za-z]` text for credentials.
pub fn random_alnum(len: usize) -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn faults_fire_once_for_their_action() {
        let store = AccountStore::default();
        let account = store.create(AccountSettings::default());
        account.add_fault(Fault { api: "tencent-cvm".into(), action: "CreateKeyPair".into(), code: "InternalServerError".into() });
        assert!(account.take_fault("tencent-cvm", "ImportKeyPair").is_none());
        assert!(account.take_fault("tencent-cvm", "CreateKeyPair").is_some());
        assert!(account.take_fault("tencent-cvm", "CreateKeyPair").is_none());
    }

    #[test]
    fn debug_hides_the_secret() {
        let store = AccountStore::default();
        let account = store.add("AKIDx", "very-secret", AccountSettings::default());
        let shown = format!("{account:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("AKIDx") && shown.contains(&account.id), "the id and secret id tell accounts apart: {shown}");
        assert_eq!(store.get("AKIDx").unwrap().secret_key(), "very-secret");
    }

    #[test]
    fn settings_quotas_and_rate_windows_are_the_accounts_own() {
        let store = AccountStore::default();
        let account = store.create(AccountSettings::default());
        assert_eq!(account.quota("tencent-cvm.key-pairs", 5), 5, "an absent quota takes the model's default");
        let settings = AccountSettings {
            quotas: BTreeMap::from([("tencent-cvm.key-pairs".to_string(), 2)]),
            rate_limits: false,
            ..AccountSettings::default()
        };
        account.update_settings(settings);
        assert_eq!(account.quota("tencent-cvm.key-pairs", 5), 2);
        assert!(!account.settings().rate_limits && account.settings().quotas.len() == 1, "settings() reads what was set");
        assert!(account.admit("tencent-cvm", "CreateKeyPair", 2, 1_000));
        assert!(account.admit("tencent-cvm", "CreateKeyPair", 2, 1_001));
        assert!(!account.admit("tencent-cvm", "CreateKeyPair", 2, 1_002), "the third within a second");
        assert!(account.admit("tencent-cvm", "CreateKeyPair", 2, 2_001), "a second later");
    }

    #[test]
    fn the_kept_tc3_signing_key_follows_the_date_and_the_service() {
        let store = AccountStore::default();
        let account = store.add("AKIDx", "very-secret", AccountSettings::default());
        for (date, service) in [("2025-01-01", "cvm"), ("2025-01-01", "cvm"), ("2025-01-02", "cvm"), ("2025-01-02", "lighthouse")] {
            let expected = crate::sign::tc3::signing_key("very-secret", date, service);
            assert_eq!(account.tc3_signing_key(date, service), expected, "{date} {service}");
        }
    }

    #[test]
    fn account_ids_are_distinct_twelve_digit_numbers_like_uins() {
        let store = AccountStore::default();
        let ids: Vec<String> = (0..3).map(|_| store.create(AccountSettings::default()).id.clone()).collect();
        assert!(ids.iter().all(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0')), "{ids:?}");
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 3, "{ids:?}");
    }

    #[test]
    fn an_account_gets_all_cores_but_one_and_at_least_one() {
        assert_eq!([1, 2, 3, 8].map(turns_for_cores), [1, 1, 2, 7]);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert_eq!(turns_per_account(), turns_for_cores(cores), "read from this machine's {cores} cores");
    }

    #[test]
    fn denied_actions_are_named_api_and_action() {
        let settings = AccountSettings { deny: BTreeSet::from(["tencent-cvm:CreateKeyPair".to_string()]), ..AccountSettings::default() };
        assert!(settings.denies("tencent-cvm", "CreateKeyPair"));
        assert!(!settings.denies("tencent-cvm", "ImportKeyPair"), "another action");
        assert!(!settings.denies("tencent-lighthouse", "CreateKeyPair"), "another API");
        assert!(!AccountSettings::default().denies("tencent-cvm", "CreateKeyPair"), "nothing is denied by default");
    }

    #[tokio::test]
    async fn turns_are_limited_per_account_not_across_accounts() {
        let store = AccountStore::default();
        let (busy, quiet) = (store.create(AccountSettings::default()), store.create(AccountSettings::default()));
        let (release, released) = tokio::sync::watch::channel(false);
        let mut holders = Vec::new();
        for _ in 0..turns_per_account() {
            let (busy, mut released) = (busy.clone(), released.clone());
            holders.push(tokio::spawn(async move { busy.in_turn(async move { released.wait_for(|r| *r).await.map(|_| ()) }).await }));
        }
        tokio::task::yield_now().await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), busy.in_turn(async {})).await;
        assert!(waiting.is_err(), "the busy account got more turns than its share");
        let other = tokio::time::timeout(Duration::from_millis(50), quiet.in_turn(async {})).await;
        assert!(other.is_ok(), "another account waited for the busy one");
        release.send(true).unwrap();
        for holder in holders {
            holder.await.unwrap().unwrap();
        }
        assert!(tokio::time::timeout(Duration::from_millis(50), busy.in_turn(async {})).await.is_ok());
        drop(released);
    }

    #[tokio::test]
    async fn a_handler_that_gives_its_turn_back_lets_the_account_run_another() {
        let store = AccountStore::default();
        let busy = store.create(AccountSettings::default());
        let (release, released) = tokio::sync::watch::channel(false);
        let mut holders = Vec::new();
        for _ in 0..turns_per_account() {
            let (busy, mut released) = (busy.clone(), released.clone());
            holders.push(tokio::spawn(async move {
                busy.in_turn(async move {
                    give_back_turn();
                    released.wait_for(|r| *r).await.map(|_| ())
                })
                .await
            }));
        }
        tokio::task::yield_now().await;
        let next = tokio::time::timeout(Duration::from_millis(50), busy.in_turn(async {})).await;
        assert!(next.is_ok(), "handlers waiting without their turns still held the account");
        // Outside a turn, giving one back does nothing.
        give_back_turn();
        release.send(true).unwrap();
        for holder in holders {
            holder.await.unwrap().unwrap();
        }
    }
}
