//! Lighthouse key-pair state per account, separate from CVM's, and the rules that depend on it
//! (duplicates, quota). No HTTP.
//!
//! As in the CVM model, a create first *reserves* its name (and imported public key) under the
//! lock, generates the RSA key outside it, then commits; a [`Reservation`] dropped unused
//! releases what it held, so two concurrent creates of one name cannot both win.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rand::RngExt;

use super::errors::{by_code, with_detail};
use super::rules::{DescribeQuery, NewKeyPair, Tag};
use crate::emulator::tencent::TencentError;

/// One stored key pair; the private key is never stored.
#[derive(Debug, Clone)]
pub struct KeyPairRecord {
    pub key_id: String,
    pub key_name: String,
    pub public_key: String,
    pub public_blob: Vec<u8>,
    pub created_at: i64,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Default)]
pub struct AccountKeys {
    keys: Vec<KeyPairRecord>,
    reserved_names: HashSet<String>,
    reserved_blobs: HashSet<Vec<u8>>,
}

impl AccountKeys {
    /// State checks in the documented precedence (rules.rs): duplicate name → duplicate public key
    /// → quota; on success the name (and public key) are reserved.
    fn reserve(&mut self, new: &NewKeyPair, quota: u64) -> Result<(), TencentError> {
        if self.reserved_names.contains(&new.key_name) || self.keys.iter().any(|k| k.key_name == new.key_name) {
            // Messages name no generated name or id: they are verbatim, and those vary from run to run.
            return Err(by_code("InvalidParameterValue.DuplicateParameterValue"));
        }
        if let Some((_, blob)) = &new.public_key
            && (self.reserved_blobs.contains(blob) || self.keys.iter().any(|k| &k.public_blob == blob))
        {
            return Err(with_detail("InvalidParameterValue.KeyPairPublicKeyDuplicated", ""));
        }
        let in_use = (self.keys.len() + self.reserved_names.len()) as u64;
        if in_use >= quota {
            return Err(with_detail("LimitExceeded.KeyPairLimitExceeded", format!("(quota {quota})")));
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

    /// `lhkp-` + 8 random `[0-9a-z]`, unique in the account (apis.md §1.6).
    fn new_key_id(&self) -> String {
        let mut rng = rand::rng();
        loop {
            let suffix: String = (0..8)
                .map(|_| {
                    let n = rng.random_range(0..36u8);
                    (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
                })
                .collect();
            let id = format!("lhkp-{suffix}");
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
        if ids.iter().any(|id| !self.keys.iter().any(|k| &k.key_id == id)) {
            return Err(by_code("ResourceNotFound.KeyIdNotFound"));
        }
        self.keys.retain(|k| !ids.contains(&k.key_id));
        Ok(())
    }

    pub fn keys(&self) -> &[KeyPairRecord] {
        &self.keys
    }
}

/// Different filters AND, the values of one filter OR; `key-name` is a fuzzy (substring) match
/// (apis.md §1.5).
fn filter_matches(key: &KeyPairRecord, name: &str, values: &[String]) -> bool {
    values.iter().any(|value| match name {
        "key-id" => key.key_id == *value,
        "key-name" => key.key_name.contains(value.as_str()),
        "tag-key" => key.tags.iter().any(|t| t.key == *value),
        "tag-value" => key.tags.iter().any(|t| t.value == *value),
        _ => match name.strip_prefix("tag:") {
            Some(tag_key) => key.tags.iter().any(|t| t.key == tag_key && t.value == *value),
            None => false,
        },
    })
}

type Accounts = Arc<Mutex<HashMap<String, AccountKeys>>>;

/// All accounts' Lighthouse key pairs.
#[derive(Debug, Default)]
pub struct LighthouseStore {
    accounts: Accounts,
}

/// A reserved name (and public key) awaiting its key; released if dropped uncommitted.
#[derive(Debug)]
pub struct Reservation {
    accounts: Accounts,
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

impl LighthouseStore {
    /// Checks the state rules for `new` and reserves its name.
    pub fn reserve(&self, account_id: &str, new: NewKeyPair, quota: u64) -> Result<Reservation, TencentError> {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        accounts.entry(account_id.to_string()).or_default().reserve(&new, quota)?;
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

    fn new(name: &str) -> NewKeyPair {
        NewKeyPair { key_name: name.into(), tags: vec![], public_key: None }
    }

    fn query() -> DescribeQuery {
        DescribeQuery { key_ids: vec![], filters: vec![], offset: 0, limit: 20 }
    }

    #[test]
    fn a_name_is_taken_while_reserved_and_freed_if_the_reservation_is_dropped() {
        let store = LighthouseStore::default();
        let first = store.reserve("a", new("k"), 5).unwrap();
        assert_eq!(store.reserve("a", new("k"), 5).unwrap_err().code, "InvalidParameterValue.DuplicateParameterValue");
        assert!(store.reserve("b", new("k"), 5).is_ok(), "accounts are separate");
        drop(first);
        let record = store.reserve("a", new("k"), 5).unwrap().commit("ssh-rsa AAAA".into(), vec![1], 7);
        assert!(super::super::rules::KEY_ID.is_match(&record.key_id), "{}", record.key_id);
        assert_eq!(record.created_at, 7);
        assert_eq!(store.reserve("a", new("k"), 5).unwrap_err().code, "InvalidParameterValue.DuplicateParameterValue");
    }

    #[test]
    fn quota_counts_stored_and_reserved_keys() {
        let store = LighthouseStore::default();
        store.reserve("a", new("one"), 2).unwrap().commit("k1".into(), vec![1], 0);
        let _pending = store.reserve("a", new("two"), 2).unwrap();
        assert_eq!(store.reserve("a", new("three"), 2).unwrap_err().code, "LimitExceeded.KeyPairLimitExceeded");
    }

    #[test]
    fn duplicate_public_keys_and_precedence() {
        let store = LighthouseStore::default();
        let imported = NewKeyPair { public_key: Some(("ssh-rsa A".into(), vec![7])), ..new("one") };
        store.reserve("a", imported.clone(), 1).unwrap().commit("ssh-rsa A".into(), vec![7], 0);
        let same_key = NewKeyPair { key_name: "two".into(), ..imported.clone() };
        // Duplicate public key comes before the (also exceeded) quota.
        assert_eq!(store.reserve("a", same_key, 1).unwrap_err().code, "InvalidParameterValue.KeyPairPublicKeyDuplicated");
        // Duplicate name comes before the duplicate key.
        assert_eq!(store.reserve("a", imported, 1).unwrap_err().code, "InvalidParameterValue.DuplicateParameterValue");
    }

    #[test]
    fn describe_filters_and_pages() {
        let store = LighthouseStore::default();
        let tagged = NewKeyPair { tags: vec![Tag { key: "env".into(), value: "ci".into() }], ..new("build_key") };
        let a = store.reserve("a", tagged, 10).unwrap().commit("k1".into(), vec![1], 0);
        let b = store.reserve("a", new("other"), 10).unwrap().commit("k2".into(), vec![2], 0);
        let run = |q: DescribeQuery| store.with_account("a", |k| k.describe(&q));
        let names = |(_, page): (usize, Vec<KeyPairRecord>)| page.into_iter().map(|k| k.key_name).collect::<Vec<_>>();
        assert_eq!(names(run(DescribeQuery { filters: vec![("key-name".into(), vec!["uild".into()])], ..query() })), ["build_key"]);
        assert_eq!(names(run(DescribeQuery { filters: vec![("tag:env".into(), vec!["ci".into()])], ..query() })), ["build_key"]);
        assert_eq!(names(run(DescribeQuery { filters: vec![("key-id".into(), vec![b.key_id.clone()])], ..query() })), ["other"]);
        assert_eq!(names(run(DescribeQuery { key_ids: vec![a.key_id.clone()], ..query() })), ["build_key"]);
        let (total, page) = run(DescribeQuery { offset: 1, limit: 1, ..query() });
        assert_eq!((total, page.len()), (2, 1));
    }

    #[test]
    fn delete_is_all_or_nothing() {
        let store = LighthouseStore::default();
        let record = store.reserve("a", new("one"), 5).unwrap().commit("k".into(), vec![1], 0);
        let err = store.with_account("a", |k| k.delete(&[record.key_id.clone(), "lhkp-00000000".into()])).unwrap_err();
        assert_eq!(err.code, "ResourceNotFound.KeyIdNotFound");
        assert_eq!(store.with_account("a", |k| k.keys().len()), 1);
        store.with_account("a", |k| k.delete(std::slice::from_ref(&record.key_id))).unwrap();
        assert_eq!(store.with_account("a", |k| k.keys().len()), 0);
    }
}
