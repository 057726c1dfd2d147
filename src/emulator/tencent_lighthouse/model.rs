//! Lighthouse key-pair state per account, separate from CVM's, and the rules that depend on it
//! (duplicates, quota), on the shared [`KeyStore`](crate::emulator::keystore). No HTTP.

use super::errors::LighthouseCode;
use super::rules::{LighthouseFields, NewKeyPair};
use crate::emulator::tencent::error::TencentError;
use crate::emulator::tencent::store::{self, AccountKeys, Product, StoreCodes};

/// A reserved name (and public key) awaiting its key; released if dropped uncommitted.
pub type Reservation = store::Reservation<LighthouseFields>;

/// One stored key pair.
pub type KeyPairRecord = store::KeyPairRecord<LighthouseFields>;

/// All accounts' Lighthouse key pairs, by account id.
#[derive(Debug, Default)]
pub struct LighthouseStore {
    keys: AccountKeys<LighthouseFields>,
}

impl Product for LighthouseFields {
    type Code = LighthouseCode;
    const CODES: StoreCodes<LighthouseCode> = StoreCodes {
        name_taken: LighthouseCode::DuplicateParameterValue,
        public_key_taken: LighthouseCode::PublicKeyDuplicated,
        quota_exceeded: LighthouseCode::KeyPairLimitExceeded,
        id_not_found: LighthouseCode::KeyIdNotFound,
    };
    const ID_PREFIX: &'static str = "lhkp-";

    /// `key-id` (apis.md §1.5); `key-name` (a fuzzy, substring match by default, L-LH-9) and the
    /// tag filters are the shared store's.
    fn own_filter(key: &KeyPairRecord, name: &str, value: &str) -> Option<bool> {
        (name == "key-id").then(|| key.key_id == value)
    }
}

impl LighthouseStore {
    /// The state rules in the documented precedence (rules.rs): duplicate name → duplicate public
    /// key → quota; then the name (and public key) are reserved.
    pub fn reserve(&self, account_id: &str, new: NewKeyPair, quota: u64) -> Result<Reservation, TencentError> {
        let blob = new.public_key.as_ref().map(|key| key.blob.clone());
        let no_check = |_: &[KeyPairRecord]| Ok::<(), TencentError>(());
        self.keys.reserve(account_id, new, blob, quota, no_check)
    }
}

impl std::ops::Deref for LighthouseStore {
    type Target = AccountKeys<LighthouseFields>;
    /// Describe, delete, list and reset are the shared store's.
    fn deref(&self) -> &Self::Target {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::tencent::rules::DescribeQuery;
    use crate::emulator::tencent::rules::Tag;
    use crate::emulator::tencent::settings::DeleteMode;
    use crate::emulator::tencent::settings::NameFilter;
    use crate::keys::PublicKey;

    fn new(name: &str) -> NewKeyPair {
        NewKeyPair { key_name: name.into(), tags: vec![], public_key: None, own: LighthouseFields }
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
        let record = store.reserve("a", new("k"), 5).unwrap().commit(PublicKey::new("ssh-rsa AAAA", vec![1]), 7);
        assert!(super::super::rules::KEY_ID.is_match(&record.key_id), "{}", record.key_id);
        assert_eq!(record.created_at, 7);
        assert_eq!(store.reserve("a", new("k"), 5).unwrap_err().code, "InvalidParameterValue.DuplicateParameterValue");
    }

    #[test]
    fn quota_counts_stored_and_reserved_keys() {
        let store = LighthouseStore::default();
        store.reserve("a", new("one"), 2).unwrap().commit(PublicKey::new("k1", vec![1]), 0);
        let _pending = store.reserve("a", new("two"), 2).unwrap();
        assert_eq!(store.reserve("a", new("three"), 2).unwrap_err().code, "LimitExceeded.KeyPairLimitExceeded");
    }

    #[test]
    fn duplicate_public_keys_and_precedence() {
        let store = LighthouseStore::default();
        let imported = NewKeyPair { public_key: Some(PublicKey::new("ssh-rsa A", vec![7])), ..new("one") };
        store.reserve("a", imported.clone(), 1).unwrap().commit(PublicKey::new("ssh-rsa A", vec![7]), 0);
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
        let a = store.reserve("a", tagged, 10).unwrap().commit(PublicKey::new("k1", vec![1]), 0);
        let b = store.reserve("a", new("other"), 10).unwrap().commit(PublicKey::new("k2", vec![2]), 0);
        let run = |q: DescribeQuery| store.describe("a", &q, NameFilter::Fuzzy);
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
        let record = store.reserve("a", new("one"), 5).unwrap().commit(PublicKey::new("k", vec![1]), 0);
        let err = store.delete("a", &[record.key_id.clone(), "lhkp-00000000".into()], DeleteMode::AllOrNone).unwrap_err();
        assert_eq!(err.code, "ResourceNotFound.KeyIdNotFound");
        assert_eq!(store.list("a").len(), 1);
        store.delete("a", std::slice::from_ref(&record.key_id), DeleteMode::AllOrNone).unwrap();
        assert_eq!(store.list("a").len(), 0);
    }
}
