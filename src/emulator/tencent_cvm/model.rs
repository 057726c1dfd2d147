//! CVM key-pair state per account, and the rules that depend on it (duplicates, quotas). No HTTP.
//!
//! Creating a key takes a slow RSA generation between validation and storage, so a create first
//! *reserves* its name under the lock (two concurrent creates of one name: exactly one wins),
//! generates outside the lock, then commits; a [`Reservation`] dropped unused releases the name.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rand::RngExt;

use super::errors::{by_code, with_detail};
use super::rules::{DescribeQuery, NewKeyPair, Tag};
use crate::emulator::tencent::TencentError;

/// One stored key pair. The private key is never stored ("Tencent Cloud does not save users'
/// private keys", seed 000 §1).
#[derive(Debug, Clone)]
pub struct KeyPairRecord {
    pub key_id: String,
    pub key_name: String,
    pub project_id: i64,
    pub description: String,
    pub public_key: String,
    pub public_blob: Vec<u8>,
    pub created_at: i64,
    pub tags: Vec<Tag>,
}

/// Quotas in force for one request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub key_pairs: u64,
    pub tag_resources: u64,
}

#[derive(Debug, Default)]
pub struct AccountKeys {
    keys: Vec<KeyPairRecord>,
    reserved_names: HashSet<String>,
    reserved_blobs: HashSet<Vec<u8>>,
}

impl AccountKeys {
    /// State checks in the documented precedence (rules.rs): duplicate name → duplicate public key →
    /// tag quota → key quota; on success the name (and public key) are reserved.
    fn reserve(&mut self, new: &NewKeyPair, limits: Limits) -> Result<(), TencentError> {
        if self.reserved_names.contains(&new.key_name) || self.keys.iter().any(|k| k.key_name == new.key_name) {
            return Err(by_code("InvalidKeyPairName.Duplicate"));
        }
        if let Some((_, blob)) = &new.public_key
            && (self.reserved_blobs.contains(blob) || self.keys.iter().any(|k| &k.public_blob == blob))
        {
            return Err(with_detail("InvalidPublicKey.Duplicate", ""));
        }
        for tag in &new.tags {
            let bound = self.keys.iter().filter(|k| k.tags.contains(tag)).count() as u64;
            if bound >= limits.tag_resources {
                return Err(with_detail("LimitExceeded.TagResourceQuota", format!("(tag `{}`)", tag.key)));
            }
        }
        let in_use = (self.keys.len() + self.reserved_names.len()) as u64;
        if in_use >= limits.key_pairs {
            return Err(with_detail("InvalidKeyPair.LimitExceeded", format!("(quota {})", limits.key_pairs)));
        }
        self.reserved_names.insert(new.key_name.clone());
        if let Some((_, blob)) = &new.public_key {
            self.reserved_blobs.insert(blob.clone());
        }
        Ok(())
    }

    fn release(&mut self, name: &str, blob: Option<&[u8]>) {
        self.reserved_names.remove(name);
        if let Some(blob) = blob {
            self.reserved_blobs.remove(blob);
        }
    }

    fn new_key_id(&self) -> String {
        let mut rng = rand::rng();
        loop {
            let suffix: String = (0..8)
                .map(|_| {
                    let n = rng.random_range(0..36u8);
                    (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
                })
                .collect();
            let id = format!("skey-{suffix}");
            if !self.keys.iter().any(|k| k.key_id == id) {
                return id;
            }
        }
    }

    /// Key pairs matching `query`, in creation order, and the total before paging.
    pub fn describe(&self, query: &DescribeQuery) -> (usize, Vec<KeyPairRecord>) {
        let matching: Vec<&KeyPairRecord> = self
            .keys
            .iter()
            .filter(|k| query.key_ids.is_empty() || query.key_ids.contains(&k.key_id))
            .filter(|k| query.filters.iter().all(|(name, values)| filter_matches(k, name, values)))
            .collect();
        let total = matching.len();
        let page = matching.into_iter().skip(query.offset).take(query.limit).cloned().collect();
        (total, page)
    }

    /// Deletes all of `ids` or none: an unknown id fails the whole request.
    pub fn delete(&mut self, ids: &[String]) -> Result<(), TencentError> {
        // The message names no id: provider messages are verbatim, and ids vary from run to run.
        if ids.iter().any(|id| !self.keys.iter().any(|k| &k.key_id == id)) {
            return Err(by_code("InvalidKeyPairId.NotFound"));
        }
        self.keys.retain(|k| !ids.contains(&k.key_id));
        Ok(())
    }

    pub fn keys(&self) -> &[KeyPairRecord] {
        &self.keys
    }
}

/// Different filters AND, the values of one filter OR (apis.md §1.4).
fn filter_matches(key: &KeyPairRecord, name: &str, values: &[String]) -> bool {
    values.iter().any(|value| match name {
        "project-id" => key.project_id.to_string() == *value,
        "key-name" => key.key_name == *value,
        "tag-key" => key.tags.iter().any(|t| t.key == *value),
        "tag-value" => key.tags.iter().any(|t| t.value == *value),
        _ => match name.strip_prefix("tag:") {
            Some(tag_key) => key.tags.iter().any(|t| t.key == tag_key && t.value == *value),
            None => false,
        },
    })
}

/// All accounts' CVM key pairs.
#[derive(Debug, Default)]
pub struct CvmStore {
    accounts: Arc<Mutex<HashMap<String, AccountKeys>>>,
}

/// A reserved name (and public key) awaiting its generated key; released if dropped uncommitted.
#[derive(Debug)]
pub struct Reservation {
    accounts: Arc<Mutex<HashMap<String, AccountKeys>>>,
    account_id: String,
    new: NewKeyPair,
    done: bool,
}

impl Reservation {
    /// Stores the key pair and returns its record.
    pub fn commit(mut self, public_key: String, public_blob: Vec<u8>, now_secs: i64) -> KeyPairRecord {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        let keys = accounts.entry(self.account_id.clone()).or_default();
        keys.release(&self.new.key_name, self.new.public_key.as_ref().map(|(_, b)| b.as_slice()));
        let record = KeyPairRecord {
            key_id: keys.new_key_id(),
            key_name: self.new.key_name.clone(),
            project_id: self.new.project_id,
            description: String::new(),
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
            let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(keys) = accounts.get_mut(&self.account_id) {
                keys.release(&self.new.key_name, self.new.public_key.as_ref().map(|(_, b)| b.as_slice()));
            }
        }
    }
}

impl CvmStore {
    /// Checks the state rules for `new` and reserves its name.
    pub fn reserve(&self, account_id: &str, new: NewKeyPair, limits: Limits) -> Result<Reservation, TencentError> {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        accounts.entry(account_id.to_string()).or_default().reserve(&new, limits)?;
        Ok(Reservation { accounts: self.accounts.clone(), account_id: account_id.to_string(), new, done: false })
    }

    /// Runs `f` on one account's key pairs.
    pub fn with_account<T>(&self, account_id: &str, f: impl FnOnce(&mut AccountKeys) -> T) -> T {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        f(accounts.entry(account_id.to_string()).or_default())
    }

    /// Forgets everything of one account (control API reset).
    pub fn reset(&self, account_id: &str) {
        self.accounts.lock().unwrap_or_else(|e| e.into_inner()).remove(account_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { key_pairs: 2, tag_resources: 1 };

    fn new(name: &str) -> NewKeyPair {
        NewKeyPair { key_name: name.into(), project_id: 0, tags: vec![], public_key: None }
    }

    #[test]
    fn a_name_is_taken_while_reserved_and_freed_if_the_reservation_is_dropped() {
        let store = CvmStore::default();
        let first = store.reserve("a", new("k"), LIMITS).unwrap();
        assert_eq!(store.reserve("a", new("k"), LIMITS).unwrap_err().code, "InvalidKeyPairName.Duplicate");
        assert!(store.reserve("b", new("k"), LIMITS).is_ok(), "accounts are separate");
        drop(first);
        let again = store.reserve("a", new("k"), LIMITS).unwrap();
        let record = again.commit("ssh-rsa AAAA".into(), vec![1], 0);
        assert!(record.key_id.starts_with("skey-") && record.key_id.len() == 13);
        assert_eq!(store.reserve("a", new("k"), LIMITS).unwrap_err().code, "InvalidKeyPairName.Duplicate");
    }

    #[test]
    fn quota_counts_stored_and_reserved_keys() {
        let store = CvmStore::default();
        store.reserve("a", new("one"), LIMITS).unwrap().commit("k1".into(), vec![1], 0);
        let _pending = store.reserve("a", new("two"), LIMITS).unwrap();
        assert_eq!(store.reserve("a", new("three"), LIMITS).unwrap_err().code, "InvalidKeyPair.LimitExceeded");
    }

    #[test]
    fn duplicate_public_keys_and_tag_quota() {
        let store = CvmStore::default();
        let tag = Tag { key: "env".into(), value: "ci".into() };
        let imported = NewKeyPair { public_key: Some(("ssh-rsa A".into(), vec![7])), tags: vec![tag.clone()], ..new("one") };
        store.reserve("a", imported.clone(), LIMITS).unwrap().commit("ssh-rsa A".into(), vec![7], 0);
        let same_key = NewKeyPair { key_name: "two".into(), tags: vec![], ..imported.clone() };
        assert_eq!(store.reserve("a", same_key, LIMITS).unwrap_err().code, "InvalidPublicKey.Duplicate");
        let same_tag = NewKeyPair { tags: vec![tag], ..new("three") };
        assert_eq!(store.reserve("a", same_tag, LIMITS).unwrap_err().code, "LimitExceeded.TagResourceQuota");
    }

    #[test]
    fn delete_is_all_or_nothing() {
        let store = CvmStore::default();
        let record = store.reserve("a", new("one"), LIMITS).unwrap().commit("k".into(), vec![1], 0);
        let err = store.with_account("a", |k| k.delete(&[record.key_id.clone(), "skey-00000000".into()])).unwrap_err();
        assert_eq!(err.code, "InvalidKeyPairId.NotFound");
        assert_eq!(store.with_account("a", |k| k.keys().len()), 1);
        store.with_account("a", |k| k.delete(&[record.key_id.clone()])).unwrap();
        assert_eq!(store.with_account("a", |k| k.keys().len()), 0);
    }
}
