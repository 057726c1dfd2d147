//! ECS key-pair state per account and region, the rules that depend on it (name taken, quota),
//! and the memory of signature nonces. No HTTP.
//!
//! ECS addresses key pairs by name, per region (apis.md §3.4): the shared
//! [`KeyStore`](crate::emulator::keystore) is scoped by (account id, region). ECS documents no
//! duplicate-public-key rule, so imports reserve only their name.

use super::errors::{EcsCode, EcsError};
use super::rules::{self, DescribeQuery, NewKeyPair, Tag};
use crate::emulator::keystore::{self, Conflict, KeyStore};
use crate::keys::PublicKey;

/// One stored key pair. The private key is never stored.
#[derive(Debug, Clone)]
pub struct KeyPairRecord {
    pub key_pair_id: String,
    pub key_pair_name: String,
    pub region_id: String,
    pub resource_group_id: String,
    /// As imported, or as generated.
    pub public_key: PublicKey,
    /// MD5 fingerprint of the public key, colon-separated: computed once when the key is stored,
    /// not on every answer that shows it.
    pub md5_fingerprint: String,
    pub created_at: i64,
    pub tags: Vec<Tag>,
}

keystore::stored_key!(KeyPairRecord { id: key_pair_id, name: key_pair_name, public_key, md5: md5_fingerprint });

/// (account id, region id).
type Scope = (String, String);

/// All accounts' ECS key pairs, by account and region, and the nonce memory.
#[derive(Debug, Default)]
pub struct EcsStore {
    keys: KeyStore<Scope, KeyPairRecord>,
    pub nonces: crate::emulator::nonces::NonceStore,
}

/// A reserved name awaiting its generated key; released if dropped uncommitted.
#[derive(Debug)]
pub struct Reservation {
    inner: keystore::Reservation<Scope, KeyPairRecord>,
    new: NewKeyPair,
}

impl Reservation {
    /// Stores the key pair and returns its record.
    pub fn commit(self, public_key: PublicKey, now_secs: i64) -> KeyPairRecord {
        let new = self.new;
        self.inner.commit(|keys| KeyPairRecord {
            // `ssh-` + an opaque suffix as long as the documented example `ssh-bp67acfmxazb4p****`:
            // `bp` (the cn-hangzhou marker of Alibaba ids, apis.md §3.5) and 16 characters.
            key_pair_id: keys.mint_id("ssh-bp", 16),
            key_pair_name: new.key_pair_name,
            region_id: new.region_id,
            resource_group_id: new.resource_group_id,
            md5_fingerprint: crate::keys::md5_fingerprint(&public_key.blob),
            public_key,
            created_at: now_secs,
            tags: new.tags,
        })
    }
}

impl EcsStore {
    /// The state rules in the documented precedence (rules.rs): name taken → quota; then the name
    /// is reserved in `region_scope` (its region, or "" when key pairs are not regional, L-ECS-3).
    pub fn reserve(&self, account_id: &str, region_scope: &str, new: NewKeyPair, quota: u64) -> Result<Reservation, EcsError> {
        let scope = (account_id.to_string(), region_scope.to_string());
        let no_check = |_: &[KeyPairRecord]| Ok::<(), EcsError>(());
        let inner = self.keys.reserve(scope, &new.key_pair_name, None, quota, no_check).map_err(|c| match c {
            Conflict::NameTaken | Conflict::PublicKeyTaken => EcsError::new(EcsCode::KeyPairAlreadyExist),
            Conflict::Other(error) => error,
            Conflict::QuotaExceeded => EcsError::new(EcsCode::KeyPairQuotaExceed),
        })?;
        Ok(Reservation { inner, new })
    }

    /// Key pairs of one region scope matching `query` in creation order, and the total before
    /// paging. `default_group` is kept in a group-filtered listing when `keep_default` (settings.rs).
    pub fn describe(
        &self,
        account_id: &str,
        region_scope: &str,
        query: &DescribeQuery,
        default_group: &str,
        keep_default: bool,
    ) -> (usize, Vec<KeyPairRecord>) {
        let keep = |k: &KeyPairRecord| {
            query.name_pattern.as_deref().is_none_or(|p| rules::name_matches(p, &k.key_pair_name))
                && query.fingerprint.as_deref().is_none_or(|f| rules::normalize_fingerprint(&k.md5_fingerprint) == f)
                && query
                    .resource_group_id
                    .as_deref()
                    .is_none_or(|g| k.resource_group_id == g || (keep_default && k.resource_group_id == default_group))
                && query
                    .tags
                    .iter()
                    .all(|(key, value)| k.tags.iter().any(|t| t.key == *key && value.as_deref().is_none_or(|v| t.value == v)))
        };
        let skip = (query.page_number - 1).saturating_mul(query.page_size);
        // Indexed where the query allows: by fingerprint, or by an exact name (no `*`).
        let lookup = match (&query.fingerprint, &query.name_pattern) {
            (Some(fingerprint), _) => keystore::Lookup::Md5Fingerprint(fingerprint),
            (None, Some(name)) if !name.contains('*') => keystore::Lookup::Name(name),
            _ => keystore::Lookup::Scan,
        };
        // A read: beside other Describes of the scope, as Tencent's are.
        self.keys
            .read_scope((account_id.to_string(), region_scope.to_string()), |keys| keys.page_where(lookup, keep, skip, query.page_size))
    }

    /// Deletes the named key pairs of one region. Unknown names are ignored, or fail the whole
    /// call when `ignore_unknown` is false (settings.rs).
    pub fn delete(&self, account_id: &str, region_id: &str, names: &[String], ignore_unknown: bool) -> Result<(), EcsError> {
        self.keys.with_scope((account_id.to_string(), region_id.to_string()), |keys| {
            if !ignore_unknown && names.iter().any(|n| !keys.keys().iter().any(|k| &k.key_pair_name == n)) {
                return Err(EcsError::new(EcsCode::KeyPairNamesValueNotSupported));
            }
            keys.remove_by_name(names);
            Ok(())
        })
    }

    /// Every key pair of an account, by region then creation (for the control API).
    pub fn list(&self, account_id: &str) -> Vec<KeyPairRecord> {
        let mut regions = self.keys.collect(|(account, _)| account == account_id);
        regions.sort_by(|a, b| a.0.cmp(&b.0));
        regions.into_iter().flat_map(|(_, keys)| keys).collect()
    }

    /// Forgets an account's key pairs in every region.
    pub fn reset(&self, account_id: &str) {
        self.keys.forget(|(account, _)| account == account_id);
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
    fn reset_forgets_one_account_in_every_region() {
        let store = EcsStore::default();
        for (account, region) in [("a", "cn-hangzhou"), ("a", "cn-shanghai"), ("b", "cn-hangzhou")] {
            store.reserve(account, region, new(region, "k1"), 500).unwrap().commit(PublicKey::new("ssh-rsa AAAA", vec![1]), 0);
        }
        store.reset("a");
        assert!(store.list("a").is_empty());
        assert_eq!(store.list("b").len(), 1, "other accounts keep theirs");
        assert!(store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k1"), 500).is_ok(), "the name is free again");
    }

    /// L-ECS-13 off: one unknown name fails the whole call and deletes nothing; known names alone
    /// are deleted.
    #[test]
    fn a_strict_delete_refuses_unknown_names_and_deletes_nothing() {
        let store = EcsStore::default();
        for name in ["k1", "k2"] {
            store.reserve("a", "cn-hangzhou", new("cn-hangzhou", name), 500).unwrap().commit(PublicKey::new("ssh-rsa AAAA", vec![1]), 0);
        }
        let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let stored = || store.list("a").into_iter().map(|k| k.key_pair_name).collect::<Vec<_>>();
        let refused = store.delete("a", "cn-hangzhou", &names(&["k1", "nope"]), false).unwrap_err();
        assert_eq!(refused.code, "InvalidKeyPairNames.ValueNotSupported");
        assert_eq!(stored(), ["k1", "k2"], "nothing deleted");
        store.delete("a", "cn-hangzhou", &names(&["k1"]), false).unwrap();
        assert_eq!(stored(), ["k2"]);
        store.delete("a", "cn-hangzhou", &names(&["k2", "nope"]), true).unwrap();
        assert!(stored().is_empty(), "the lenient default ignores the unknown name");
    }

    #[test]
    fn names_are_per_account_and_region_and_reserved_until_dropped() {
        let store = EcsStore::default();
        let first = store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k1"), 500).unwrap();
        assert_eq!(store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k1"), 500).unwrap_err().code, "KeyPair.AlreadyExist");
        assert!(store.reserve("a", "cn-shanghai", new("cn-shanghai", "k1"), 500).is_ok(), "regions are separate");
        assert!(store.reserve("b", "cn-hangzhou", new("cn-hangzhou", "k1"), 500).is_ok(), "accounts are separate");
        drop(first);
        let record =
            store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k1"), 500).unwrap().commit(PublicKey::new("ssh-rsa AAAA", vec![1]), 0);
        assert!(regex::Regex::new(r"^ssh-bp[0-9a-z]{16}$").unwrap().is_match(&record.key_pair_id), "{}", record.key_pair_id);
        assert_eq!(store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k1"), 500).unwrap_err().code, "KeyPair.AlreadyExist");
        assert_eq!(store.list("a").len(), 1);
    }

    #[test]
    fn quota_counts_stored_and_reserved_keys_per_region() {
        let store = EcsStore::default();
        store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k1"), 2).unwrap().commit(PublicKey::new("k", vec![1]), 0);
        let _pending = store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k2"), 2).unwrap();
        let err = store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k3"), 2).unwrap_err();
        assert_eq!((err.code.as_str(), err.status), ("QuotaExceed.KeyPair", 403));
        assert!(store.reserve("a", "cn-beijing", new("cn-beijing", "k3"), 2).is_ok());
        // The name check comes before the quota.
        assert_eq!(store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k1"), 2).unwrap_err().code, "KeyPair.AlreadyExist");
    }

    #[test]
    fn describe_filters_and_pages() {
        let store = EcsStore::default();
        for (name, group, tag) in [("web-1", "rg-default", "a"), ("web-2", "rg-team", "b"), ("db-1", "rg-team", "a")] {
            let mut n = new("cn-hangzhou", name);
            n.resource_group_id = group.into();
            n.tags = vec![Tag { key: "env".into(), value: tag.into() }];
            store.reserve("a", "cn-hangzhou", n, 500).unwrap().commit(PublicKey::new("k", name.as_bytes().to_vec()), 0);
        }
        let run = |q: &DescribeQuery, keep: bool| {
            let (total, page) = store.describe("a", &q.region_id, q, "rg-default", keep);
            (total, page.into_iter().map(|r| r.key_pair_name).collect::<Vec<_>>())
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
        let other_region = store.describe("a", "cn-beijing", &query("cn-beijing"), "rg-default", true).0;
        assert_eq!(other_region, 0);
    }

    #[test]
    fn delete_by_name() {
        let store = EcsStore::default();
        store.reserve("a", "cn-hangzhou", new("cn-hangzhou", "k1"), 500).unwrap().commit(PublicKey::new("k", vec![1]), 0);
        let names = vec!["k1".to_string(), "ghost".to_string()];
        let err = store.delete("a", "cn-hangzhou", &names, false).unwrap_err();
        assert_eq!(err.code, "InvalidKeyPairNames.ValueNotSupported");
        assert_eq!(store.list("a").len(), 1);
        store.delete("a", "cn-hangzhou", &names, true).unwrap();
        assert!(store.list("a").is_empty());
    }
}
