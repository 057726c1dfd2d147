//! CVM key-pair state per account, and the rules that depend on it (duplicates, quotas), on the
//! shared [`KeyStore`](crate::emulator::keystore). No HTTP.

use super::errors::CvmCode;
use super::rules::{CvmFields, NewKeyPair};
use crate::emulator::tencent::error::TencentError;
use crate::emulator::tencent::store::{self, AccountKeys, Product, StoreCodes};

/// A reserved name (and public key) awaiting its key; released if dropped uncommitted.
pub type Reservation = store::Reservation<CvmFields>;

/// One stored key pair.
pub type KeyPairRecord = store::KeyPairRecord<CvmFields>;

impl Product for CvmFields {
    type Code = CvmCode;
    const CODES: StoreCodes<CvmCode> = StoreCodes {
        name_taken: CvmCode::KeyPairNameDuplicate,
        public_key_taken: CvmCode::PublicKeyDuplicate,
        quota_exceeded: CvmCode::KeyPairLimitExceeded,
        id_not_found: CvmCode::KeyPairIdNotFound,
    };
    const ID_PREFIX: &'static str = "skey-";

    /// `project-id` (apis.md §1.4); `key-name` and the tag filters are the shared store's.
    fn own_filter(key: &KeyPairRecord, name: &str, value: &str) -> Option<bool> {
        (name == "project-id").then(|| key.own.project_id.to_string() == value)
    }
}

/// Quotas in force for one request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub key_pairs: u64,
    pub tag_resources: u64,
}

/// All accounts' CVM key pairs; key pairs are account-wide (ledger L-CVM-9), so the scope is the
/// account id.
#[derive(Debug, Default)]
pub struct CvmStore {
    keys: AccountKeys<CvmFields>,
}

impl CvmStore {
    /// The state rules for `new` (duplicate name → duplicate public key → tag quota → key quota,
    /// ledger L-CVM-10), then its name is reserved.
    pub fn reserve(&self, account_id: &str, new: NewKeyPair, limits: Limits) -> Result<Reservation, TencentError> {
        let blob = new.public_key.as_ref().map(|key| key.blob.clone());
        let tags = new.tags.clone();
        let tag_quota = |stored: &[KeyPairRecord]| {
            for tag in &tags {
                let bound = stored.iter().filter(|k| k.tags.contains(tag)).count() as u64;
                if bound >= limits.tag_resources {
                    return Err(TencentError::documented(CvmCode::TagResourceQuota, format!("tag `{}`", tag.key)));
                }
            }
            Ok(())
        };
        self.keys.reserve(account_id, new, blob, limits.key_pairs, tag_quota)
    }
}

impl std::ops::Deref for CvmStore {
    type Target = AccountKeys<CvmFields>;
    /// Describe, delete, list and reset are the shared store's.
    fn deref(&self) -> &Self::Target {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::tencent::rules::Tag;
    use crate::emulator::tencent::settings::DeleteMode;
    use crate::keys::PublicKey;

    const LIMITS: Limits = Limits { key_pairs: 2, tag_resources: 1 };

    fn new(name: &str) -> NewKeyPair {
        NewKeyPair { key_name: name.into(), tags: vec![], public_key: None, own: CvmFields::default() }
    }

    #[test]
    fn a_name_is_taken_while_reserved_and_freed_if_the_reservation_is_dropped() {
        let store = CvmStore::default();
        let first = store.reserve("a", new("k"), LIMITS).unwrap();
        assert_eq!(store.reserve("a", new("k"), LIMITS).unwrap_err().code, "InvalidKeyPairName.Duplicate");
        assert!(store.reserve("b", new("k"), LIMITS).is_ok(), "accounts are separate");
        drop(first);
        let again = store.reserve("a", new("k"), LIMITS).unwrap();
        let record = again.commit(PublicKey::new("ssh-rsa AAAA", vec![1]), 0);
        assert!(record.key_id.starts_with("skey-") && record.key_id.len() == 13);
        assert_eq!(store.reserve("a", new("k"), LIMITS).unwrap_err().code, "InvalidKeyPairName.Duplicate");
    }

    #[test]
    fn quota_counts_stored_and_reserved_keys() {
        let store = CvmStore::default();
        store.reserve("a", new("one"), LIMITS).unwrap().commit(PublicKey::new("k1", vec![1]), 0);
        let _pending = store.reserve("a", new("two"), LIMITS).unwrap();
        assert_eq!(store.reserve("a", new("three"), LIMITS).unwrap_err().code, "InvalidKeyPair.LimitExceeded");
    }

    #[test]
    fn duplicate_public_keys_and_tag_quota() {
        let store = CvmStore::default();
        let tag = Tag { key: "env".into(), value: "ci".into() };
        let imported = NewKeyPair { public_key: Some(PublicKey::new("ssh-rsa A", vec![7])), tags: vec![tag.clone()], ..new("one") };
        store.reserve("a", imported.clone(), LIMITS).unwrap().commit(PublicKey::new("ssh-rsa A", vec![7]), 0);
        let same_key = NewKeyPair { key_name: "two".into(), tags: vec![], ..imported.clone() };
        assert_eq!(store.reserve("a", same_key, LIMITS).unwrap_err().code, "InvalidPublicKey.Duplicate");
        let same_tag = NewKeyPair { tags: vec![tag], ..new("three") };
        assert_eq!(store.reserve("a", same_tag, LIMITS).unwrap_err().code, "LimitExceeded.TagResourceQuota");
    }

    #[test]
    fn delete_is_all_or_nothing() {
        let store = CvmStore::default();
        let record = store.reserve("a", new("one"), LIMITS).unwrap().commit(PublicKey::new("k", vec![1]), 0);
        let err = store.delete("a", &[record.key_id.clone(), "skey-00000000".into()], DeleteMode::AllOrNone).unwrap_err();
        assert_eq!(err.code, "InvalidKeyPairId.NotFound");
        assert_eq!(store.list("a").len(), 1);
        store.delete("a", std::slice::from_ref(&record.key_id), DeleteMode::AllOrNone).unwrap();
        assert_eq!(store.list("a").len(), 0);
    }

    #[test]
    fn reset_forgets_one_account_only() {
        let store = CvmStore::default();
        for account in ["a", "b"] {
            store.reserve(account, new("k"), LIMITS).unwrap().commit(PublicKey::new("ssh-rsa AAAA", vec![1]), 0);
        }
        store.reset("a");
        assert!(store.list("a").is_empty());
        assert_eq!(store.list("b").len(), 1, "other accounts keep theirs");
        assert!(store.reserve("a", new("k"), LIMITS).is_ok(), "the name is free again");
    }
}
