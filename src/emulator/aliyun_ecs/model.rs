//! ECS key-pair state per account and region, the rules that depend on it (name taken, quota),
//! and the memory of signature nonces. No HTTP.
//!
//! ECS addresses key pairs by name, per region (apis.md §3.4). Creating a key takes a slow RSA
//! generation between validation and storage, so a create first *reserves* its name under the
//! lock (two concurrent creates of one name: exactly one wins), generates outside the lock, then
//! commits; a [`Reservation`] dropped unused releases the name.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use rand::RngExt;

use super::errors::EcsError;
use super::rules::{self, DescribeQuery, NewKeyPair, Tag};

/// One stored key pair. The private key is never stored.
#[derive(Debug, Clone)]
pub struct KeyPairRecord {
    pub key_pair_id: String,
    pub key_pair_name: String,
    pub region_id: String,
    pub resource_group_id: String,
    /// The OpenSSH line (as imported, or as generated).
    pub public_key: String,
    pub public_blob: Vec<u8>,
    pub created_at: i64,
    pub tags: Vec<Tag>,
}

/// The key pairs of one account in one region.
#[derive(Debug, Default)]
pub struct RegionKeys {
    keys: Vec<KeyPairRecord>,
    reserved: HashSet<String>,
}

impl RegionKeys {
    /// State checks in the documented precedence (rules.rs): name taken → quota.
    fn reserve(&mut self, name: &str, quota: u64) -> Result<(), EcsError> {
        if self.reserved.contains(name) || self.keys.iter().any(|k| k.key_pair_name == name) {
            return Err(EcsError::new("KeyPair.AlreadyExist"));
        }
        if (self.keys.len() + self.reserved.len()) as u64 >= quota {
            return Err(EcsError::new("QuotaExceed.KeyPair"));
        }
        self.reserved.insert(name.to_string());
        Ok(())
    }

    /// Key pairs matching `query` in creation order, and the total before paging. `default_group`
    /// is kept in a group-filtered listing when `keep_default` (settings.rs).
    pub fn describe(&self, query: &DescribeQuery, default_group: &str, keep_default: bool) -> (usize, Vec<KeyPairRecord>) {
        let matching: Vec<&KeyPairRecord> = self
            .keys
            .iter()
            .filter(|k| query.name_pattern.as_deref().is_none_or(|p| rules::name_matches(p, &k.key_pair_name)))
            .filter(|k| {
                query.fingerprint.as_deref().is_none_or(|f| rules::normalize_fingerprint(&crate::keys::md5_fingerprint(&k.public_blob)) == f)
            })
            .filter(|k| {
                query.resource_group_id.as_deref().is_none_or(|g| {
                    k.resource_group_id == g || (keep_default && k.resource_group_id == default_group)
                })
            })
            .filter(|k| {
                query.tags.iter().all(|(key, value)| {
                    k.tags.iter().any(|t| t.key == *key && value.as_deref().is_none_or(|v| t.value == v))
                })
            })
            .collect();
        let total = matching.len();
        let skip = (query.page_number - 1).saturating_mul(query.page_size);
        let page = matching.into_iter().skip(skip).take(query.page_size).cloned().collect();
        (total, page)
    }

    /// Deletes the named key pairs. Unknown names are ignored, or fail the whole call when
    /// `ignore_unknown` is false (settings.rs).
    pub fn delete(&mut self, names: &[String], ignore_unknown: bool) -> Result<(), EcsError> {
        if !ignore_unknown && names.iter().any(|n| !self.keys.iter().any(|k| &k.key_pair_name == n)) {
            return Err(EcsError::new("InvalidKeyPairNames.ValueNotSupported"));
        }
        self.keys.retain(|k| !names.contains(&k.key_pair_name));
        Ok(())
    }

    pub fn keys(&self) -> &[KeyPairRecord] {
        &self.keys
    }
}

/// `ssh-` + an opaque suffix as long as the documented example `ssh-bp67acfmxazb4p****`:
/// `bp` (the cn-hangzhou marker of Alibaba ids, apis.md §3.5) and 16 characters `[0-9a-z]`.
fn new_key_pair_id() -> String {
    let mut rng = rand::rng();
    let suffix: String = (0..16)
        .map(|_| {
            let n = rng.random_range(0..36u8);
            (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
        })
        .collect();
    format!("ssh-bp{suffix}")
}

type Regions = Arc<Mutex<HashMap<(String, String), RegionKeys>>>;

/// All accounts' ECS key pairs, by (account id, region), and the nonce memory.
#[derive(Debug, Default)]
pub struct EcsStore {
    regions: Regions,
    pub nonces: NonceMemory,
}

/// A reserved name awaiting its generated key; released if dropped uncommitted.
#[derive(Debug)]
pub struct Reservation {
    regions: Regions,
    account_id: String,
    new: NewKeyPair,
    done: bool,
}

impl Reservation {
    /// Stores the key pair and returns its record.
    pub fn commit(mut self, public_key: String, public_blob: Vec<u8>, now_secs: i64) -> KeyPairRecord {
        let mut regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
        let keys = regions.entry((self.account_id.clone(), self.new.region_id.clone())).or_default();
        keys.reserved.remove(&self.new.key_pair_name);
        let record = KeyPairRecord {
            key_pair_id: loop {
                let id = new_key_pair_id();
                if !keys.keys.iter().any(|k| k.key_pair_id == id) {
                    break id;
                }
            },
            key_pair_name: self.new.key_pair_name.clone(),
            region_id: self.new.region_id.clone(),
            resource_group_id: self.new.resource_group_id.clone(),
            public_key,
            public_blob,
            created_at: now_secs,
            tags: self.new.tags.clone(),
        };
        keys.keys.push(record.clone());
        self.done = true;
        record
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.done {
            let mut regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(keys) = regions.get_mut(&(self.account_id.clone(), self.new.region_id.clone())) {
                keys.reserved.remove(&self.new.key_pair_name);
            }
        }
    }
}

impl EcsStore {
    /// Checks the state rules for `new` in its region and reserves its name.
    pub fn reserve(&self, account_id: &str, new: NewKeyPair, quota: u64) -> Result<Reservation, EcsError> {
        let mut regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
        regions.entry((account_id.to_string(), new.region_id.clone())).or_default().reserve(&new.key_pair_name, quota)?;
        Ok(Reservation { regions: self.regions.clone(), account_id: account_id.to_string(), new, done: false })
    }

    /// Runs `f` on one account's key pairs in one region.
    pub fn with_region<R>(&self, account_id: &str, region_id: &str, f: impl FnOnce(&mut RegionKeys) -> R) -> R {
        let mut regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
        f(regions.entry((account_id.to_string(), region_id.to_string())).or_default())
    }

    /// Every key pair of an account, by region then creation (for the control API).
    pub fn list(&self, account_id: &str) -> Vec<KeyPairRecord> {
        let regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
        let mut found: Vec<&(String, String)> = regions.keys().filter(|(a, _)| a == account_id).collect();
        found.sort();
        found.into_iter().flat_map(|key| regions[key].keys.iter().cloned()).collect()
    }

    /// Forgets an account's key pairs in every region.
    pub fn reset(&self, account_id: &str) {
        self.regions.lock().unwrap_or_else(|e| e.into_inner()).retain(|(a, _), _| a != account_id);
    }
}

/// Signature nonces seen per account (`SignatureNonce`, `x-acs-signature-nonce`), each kept only
/// as long as a request carrying it could still pass the clock-skew check, so the memory is
/// bounded by time, not by count.
#[derive(Debug, Default)]
pub struct NonceMemory {
    inner: Mutex<NonceInner>,
}

#[derive(Debug, Default)]
struct NonceInner {
    seen: HashSet<(String, String)>,
    /// (forget at, key) in insertion order.
    expiry: VecDeque<(i64, (String, String))>,
}

impl NonceMemory {
    /// Remembers `nonce` for `account_id` until `now_secs + keep_secs`; false if it was already
    /// remembered (a replay).
    pub fn remember(&self, account_id: &str, nonce: &str, now_secs: i64, keep_secs: i64) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while inner.expiry.front().is_some_and(|(at, _)| *at <= now_secs) {
            if let Some((_, key)) = inner.expiry.pop_front() {
                inner.seen.remove(&key);
            }
        }
        let key = (account_id.to_string(), nonce.to_string());
        if !inner.seen.insert(key.clone()) {
            return false;
        }
        inner.expiry.push_back((now_secs + keep_secs, key));
        true
    }

    /// How many nonces are remembered (for tests and the control API).
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(region: &str, name: &str) -> NewKeyPair {
        NewKeyPair {
            region_id: region.into(),
            key_pair_name: name.into(),
            resource_group_id: "rg-default".into(),
            tags: vec![],
            public_key: None,
        }
    }

    fn query(region: &str) -> DescribeQuery {
        DescribeQuery {
            region_id: region.into(),
            name_pattern: None,
            fingerprint: None,
            resource_group_id: None,
            tags: vec![],
            page_number: 1,
            page_size: 10,
            include_public_key: false,
        }
    }

    #[test]
    fn names_are_per_account_and_region_and_reserved_until_dropped() {
        let store = EcsStore::default();
        let first = store.reserve("a", new("cn-hangzhou", "k1"), 500).unwrap();
        assert_eq!(store.reserve("a", new("cn-hangzhou", "k1"), 500).unwrap_err().code, "KeyPair.AlreadyExist");
        assert!(store.reserve("a", new("cn-shanghai", "k1"), 500).is_ok(), "regions are separate");
        assert!(store.reserve("b", new("cn-hangzhou", "k1"), 500).is_ok(), "accounts are separate");
        drop(first);
        let record = store.reserve("a", new("cn-hangzhou", "k1"), 500).unwrap().commit("ssh-rsa AAAA".into(), vec![1], 0);
        assert!(regex::Regex::new(r"^ssh-bp[0-9a-z]{16}$").unwrap().is_match(&record.key_pair_id), "{}", record.key_pair_id);
        assert_eq!(store.reserve("a", new("cn-hangzhou", "k1"), 500).unwrap_err().code, "KeyPair.AlreadyExist");
        assert_eq!(store.list("a").len(), 1);
    }

    #[test]
    fn quota_counts_stored_and_reserved_keys_per_region() {
        let store = EcsStore::default();
        store.reserve("a", new("cn-hangzhou", "k1"), 2).unwrap().commit("k".into(), vec![1], 0);
        let _pending = store.reserve("a", new("cn-hangzhou", "k2"), 2).unwrap();
        let err = store.reserve("a", new("cn-hangzhou", "k3"), 2).unwrap_err();
        assert_eq!((err.code.as_str(), err.status), ("QuotaExceed.KeyPair", 403));
        assert!(store.reserve("a", new("cn-beijing", "k3"), 2).is_ok());
        // The name check comes before the quota.
        assert_eq!(store.reserve("a", new("cn-hangzhou", "k1"), 2).unwrap_err().code, "KeyPair.AlreadyExist");
    }

    #[test]
    fn describe_filters_and_pages() {
        let store = EcsStore::default();
        for (name, group, tag) in [("web-1", "rg-default", "a"), ("web-2", "rg-team", "b"), ("db-1", "rg-team", "a")] {
            let mut n = new("cn-hangzhou", name);
            n.resource_group_id = group.into();
            n.tags = vec![Tag { key: "env".into(), value: tag.into() }];
            store.reserve("a", n, 500).unwrap().commit("k".into(), name.as_bytes().to_vec(), 0);
        }
        let run = |q: &DescribeQuery, keep: bool| {
            store.with_region("a", "cn-hangzhou", |k| {
                let (total, page) = k.describe(q, "rg-default", keep);
                (total, page.into_iter().map(|r| r.key_pair_name).collect::<Vec<_>>())
            })
        };
        assert_eq!(run(&query("cn-hangzhou"), true).0, 3);
        assert_eq!(run(&DescribeQuery { name_pattern: Some("web*".into()), ..query("cn-hangzhou") }, true).1, ["web-1", "web-2"]);
        let by_group = DescribeQuery { resource_group_id: Some("rg-team".into()), ..query("cn-hangzhou") };
        assert_eq!(run(&by_group, true).0, 3, "the default group is always listed");
        assert_eq!(run(&by_group, false).1, ["web-2", "db-1"]);
        let by_tag = DescribeQuery { tags: vec![("env".into(), Some("a".into()))], ..query("cn-hangzhou") };
        assert_eq!(run(&by_tag, true).1, ["web-1", "db-1"]);
        let fp = rules::normalize_fingerprint(&crate::keys::md5_fingerprint(b"db-1"));
        assert_eq!(run(&DescribeQuery { fingerprint: Some(fp), ..query("cn-hangzhou") }, true).1, ["db-1"]);
        let page2 = DescribeQuery { page_number: 2, page_size: 2, ..query("cn-hangzhou") };
        assert_eq!(run(&page2, true), (3, vec!["db-1".to_string()]));
        let other_region = store.with_region("a", "cn-beijing", |k| k.describe(&query("cn-beijing"), "rg-default", true).0);
        assert_eq!(other_region, 0);
    }

    #[test]
    fn delete_by_name() {
        let store = EcsStore::default();
        store.reserve("a", new("cn-hangzhou", "k1"), 500).unwrap().commit("k".into(), vec![1], 0);
        let names = vec!["k1".to_string(), "ghost".to_string()];
        let err = store.with_region("a", "cn-hangzhou", |k| k.delete(&names, false)).unwrap_err();
        assert_eq!(err.code, "InvalidKeyPairNames.ValueNotSupported");
        assert_eq!(store.list("a").len(), 1);
        store.with_region("a", "cn-hangzhou", |k| k.delete(&names, true)).unwrap();
        assert!(store.list("a").is_empty());
    }

    #[test]
    fn nonces_are_refused_once_seen_and_forgotten_after_their_window() {
        let nonces = NonceMemory::default();
        assert!(nonces.remember("a", "n1", 1000, 1800));
        assert!(!nonces.remember("a", "n1", 1001, 1800));
        assert!(nonces.remember("b", "n1", 1001, 1800), "per account");
        assert!(!nonces.remember("a", "n1", 2799, 1800));
        assert!(nonces.remember("a", "n2", 2800, 1800), "n1's window is over");
        assert!(nonces.remember("a", "n1", 2800, 1800));
        assert_eq!(nonces.len(), 3);
    }
}
