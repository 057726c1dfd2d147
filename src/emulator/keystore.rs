//! Key-pair storage shared by every provider model: key sets by scope (an account, or an account
//! and a region), names and public keys reserved while a key is generated, random ids.
//!
//! Creating a key takes a slow RSA generation between validation and storage, so a create first
//! *reserves* its name (and, for an import, its public key) under the scope's lock — of two
//! concurrent creates of one name exactly one wins —, generates outside the lock, then commits. A
//! [`Reservation`] dropped uncommitted (an error, a client gone away) releases what it held.
//!
//! The state rules run in one order for every provider: name taken → public key taken → the
//! provider's own check (e.g. CVM's tag quota) → key quota. Each model maps a [`Conflict`] to its
//! provider's code.
//!
//! Isolation and scale: each scope has its own lock, a read-write one (Describes read side by
//! side, and render their page under it instead of copying it out), so no lock is shared between
//! accounts on the request path (the scope map is only written when a scope is first seen or
//! forgotten). Within a scope, keys are indexed by id, name, public key (SHA-256 of the blob) and,
//! for providers that search by it, the MD5 fingerprint their record already holds;
//! [`ScopeKeys::page_where`] answers id, name and fingerprint lookups and unfiltered pages without
//! a scan. Deletes rebuild the indexes (O(n)).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rand::RngExt;
use sha2::{Digest, Sha256};

/// What a store needs to know of a stored key pair.
pub trait StoredKey: Clone {
    fn id(&self) -> &str;
    fn name(&self) -> &str;
    fn public_blob(&self) -> &[u8];
    /// The MD5 fingerprint (lowercase hex, no colons) of a key its provider looks up by
    /// fingerprint (ECS), computed when the record was made; `None` leaves it out of the index,
    /// so providers that never search by fingerprint hash nothing.
    fn md5_hex(&self) -> Option<String> {
        None
    }
}

/// Implements [`StoredKey`] for a provider's record from the names of its id and name fields and
/// its [`PublicKey`](crate::keys::PublicKey) field `public_key`:
/// `stored_key!(KeyPairRecord { id: key_id, name: key_name, public_key })`;
/// `md5: field` names a stored colon-separated MD5 fingerprint that indexes the key. A record
/// generic over one type (`KeyPairRecord<P>`, Tencent's shared one) is written with it.
macro_rules! stored_key {
    ($record:ident $(<$param:ident>)? { id: $id:ident, name: $name:ident, public_key $(, md5: $md5:ident)? }) => {
        impl$(<$param: Clone>)? $crate::emulator::keystore::StoredKey for $record$(<$param>)? {
            fn id(&self) -> &str {
                &self.$id
            }
            fn name(&self) -> &str {
                &self.$name
            }
            fn public_blob(&self) -> &[u8] {
                &self.public_key.blob
            }
            $(
                fn md5_hex(&self) -> Option<String> {
                    Some(self.$md5.replace(':', ""))
                }
            )?
        }
    };
}
pub(crate) use stored_key;

/// Why a reservation was refused, in the order the rules run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict<E> {
    NameTaken,
    PublicKeyTaken,
    /// The provider's own check failed.
    Other(E),
    QuotaExceeded,
}

/// Which stored keys a Describe starts from, before its other filters.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    /// Every key, no other filter: the page is a slice.
    Everything,
    /// Every key, through the filter (a scan).
    Scan,
    /// The keys with these ids (unknown ids are skipped).
    Ids(&'a [String]),
    /// The key with this exact name.
    Name(&'a str),
    /// The keys whose MD5 fingerprint is this (lowercase hex, no colons).
    Md5Fingerprint(&'a str),
}

impl<'a> Lookup<'a> {
    /// Tencent's `KeyIds`: by id when given, else every key (a slice when nothing else filters).
    pub fn ids_or_all(ids: &'a [String], no_other_filter: bool) -> Self {
        if !ids.is_empty() {
            Lookup::Ids(ids)
        } else if no_other_filter {
            Lookup::Everything
        } else {
            Lookup::Scan
        }
    }
}

/// The key pairs of one scope, with their indexes.
#[derive(Debug)]
pub struct ScopeKeys<K> {
    keys: Vec<K>,
    by_id: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    /// SHA-256 of each stored public blob (unique within a scope: a second is refused).
    by_blob: HashSet<[u8; 32]>,
    /// MD5 fingerprint (lowercase hex, no colons) → positions.
    by_md5: HashMap<String, Vec<usize>>,
    reserved_names: HashSet<String>,
    reserved_blobs: HashSet<Vec<u8>>,
}

impl<K> Default for ScopeKeys<K> {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            by_id: HashMap::new(),
            by_name: HashMap::new(),
            by_blob: HashSet::new(),
            by_md5: HashMap::new(),
            reserved_names: HashSet::new(),
            reserved_blobs: HashSet::new(),
        }
    }
}

fn blob_digest(blob: &[u8]) -> [u8; 32] {
    Sha256::digest(blob).into()
}

impl<K: StoredKey> ScopeKeys<K> {
    /// Stored key pairs, in creation order.
    pub fn keys(&self) -> &[K] {
        &self.keys
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn find(&self, id: &str) -> Option<&K> {
        self.by_id.get(id).map(|&i| &self.keys[i])
    }

    pub fn find_by_name(&self, name: &str) -> Option<&K> {
        self.by_name.get(name).map(|&i| &self.keys[i])
    }

    fn name_taken(&self, name: &str) -> bool {
        self.reserved_names.contains(name) || self.by_name.contains_key(name)
    }

    fn blob_taken(&self, blob: &[u8]) -> bool {
        self.reserved_blobs.contains(blob) || self.by_blob.contains(&blob_digest(blob))
    }

    /// True if every one of `ids` is stored.
    pub fn has_all(&self, ids: &[String]) -> bool {
        ids.iter().all(|id| self.by_id.contains_key(id))
    }

    /// The key pairs `keep` selects, in creation order: how many there are, and the page of
    /// `limit` after skipping `offset` (a scan; see [`ScopeKeys::page_where`]).
    pub fn page(&self, keep: impl Fn(&K) -> bool, offset: usize, limit: usize) -> (usize, Vec<K>) {
        self.page_where(Lookup::Scan, keep, offset, limit)
    }

    /// Like [`ScopeKeys::page`], starting from the keys `lookup` finds through an index.
    pub fn page_where(&self, lookup: Lookup<'_>, keep: impl Fn(&K) -> bool, offset: usize, limit: usize) -> (usize, Vec<K>) {
        self.page_where_as(lookup, keep, offset, limit, K::clone)
    }

    /// [`ScopeKeys::page_where`] with each key of the page turned into what the answer needs by
    /// `item`, read in place: a 100-key page is rendered, not copied first.
    pub fn page_where_as<T>(
        &self,
        lookup: Lookup<'_>,
        keep: impl Fn(&K) -> bool,
        offset: usize,
        limit: usize,
        item: impl FnMut(&K) -> T,
    ) -> (usize, Vec<T>) {
        let mut positions: Vec<usize> = match lookup {
            Lookup::Everything => {
                let total = self.keys.len();
                let page = self.keys.iter().skip(offset).take(limit).map(item).collect();
                return (total, page);
            }
            Lookup::Scan => {
                let matching: Vec<&K> = self.keys.iter().filter(|k| keep(k)).collect();
                let total = matching.len();
                return (total, matching.into_iter().skip(offset).take(limit).map(item).collect());
            }
            Lookup::Ids(ids) => ids.iter().filter_map(|id| self.by_id.get(id).copied()).collect(),
            Lookup::Name(name) => self.by_name.get(name).copied().into_iter().collect(),
            Lookup::Md5Fingerprint(fp) => self.by_md5.get(fp).cloned().unwrap_or_default(),
        };
        positions.sort_unstable();
        positions.dedup();
        let matching: Vec<&K> = positions.iter().map(|&i| &self.keys[i]).filter(|k| keep(k)).collect();
        let total = matching.len();
        (total, matching.into_iter().skip(offset).take(limit).map(item).collect())
    }

    /// Removes all of `ids`, or none when one is unknown (returns false then).
    pub fn remove_all_or_none(&mut self, ids: &[String]) -> bool {
        if !self.has_all(ids) {
            return false;
        }
        self.remove(ids);
        true
    }

    /// Removes the key pairs whose ids are in `ids`; unknown ids are ignored.
    pub fn remove(&mut self, ids: &[String]) {
        let ids: HashSet<&str> = ids.iter().map(String::as_str).collect();
        self.retain(|k| !ids.contains(k.id()));
    }

    /// Removes the key pairs whose names are in `names`; unknown names are ignored.
    pub fn remove_by_name(&mut self, names: &[String]) {
        let names: HashSet<&str> = names.iter().map(String::as_str).collect();
        self.retain(|k| !names.contains(k.name()));
    }

    fn retain(&mut self, keep: impl Fn(&K) -> bool) {
        let before = self.keys.len();
        self.keys.retain(|k| keep(k));
        if self.keys.len() != before {
            self.reindex();
        }
    }

    fn reindex(&mut self) {
        let keys = std::mem::take(&mut self.keys);
        self.by_id.clear();
        self.by_name.clear();
        self.by_blob.clear();
        self.by_md5.clear();
        for key in keys {
            self.push(key);
        }
    }

    fn push(&mut self, key: K) {
        let at = self.keys.len();
        self.by_id.insert(key.id().to_string(), at);
        self.by_name.insert(key.name().to_string(), at);
        self.by_blob.insert(blob_digest(key.public_blob()));
        if let Some(fingerprint) = key.md5_hex() {
            self.by_md5.entry(fingerprint).or_default().push(at);
        }
        self.keys.push(key);
    }

    /// A random id `prefix` + `len` characters `[0-9a-z]`, unused in this scope.
    pub fn mint_id(&self, prefix: &str, len: usize) -> String {
        loop {
            let id = format!("{prefix}{}", random_lower_alnum(len));
            if !self.by_id.contains_key(&id) {
                return id;
            }
        }
    }

    fn release(&mut self, name: &str, blob: Option<&[u8]>) {
        self.reserved_names.remove(name);
        if let Some(blob) = blob {
            self.reserved_blobs.remove(blob);
        }
    }
}

/// Random `[0-9a-z]` text, the alphabet of every documented key-pair id.
pub fn random_lower_alnum(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| {
            let n = rng.random_range(0..36u8);
            (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
        })
        .collect()
}

/// One scope's keys behind a read-write lock: Describes read them together (a 100-key page is
/// rendered under the read lock), reservations, commits and deletes write.
type Scope<K> = Arc<RwLock<ScopeKeys<K>>>;

/// Key pairs of every scope, each scope behind its own lock.
#[derive(Debug)]
pub struct KeyStore<S, K> {
    scopes: RwLock<HashMap<S, Scope<K>>>,
}

impl<S, K> Default for KeyStore<S, K> {
    fn default() -> Self {
        Self { scopes: RwLock::new(HashMap::new()) }
    }
}

fn lock<K>(scope: &Scope<K>) -> RwLockWriteGuard<'_, ScopeKeys<K>> {
    scope.write().unwrap_or_else(|e| e.into_inner())
}

fn read<K>(scope: &Scope<K>) -> RwLockReadGuard<'_, ScopeKeys<K>> {
    scope.read().unwrap_or_else(|e| e.into_inner())
}

impl<S: Hash + Eq + Clone, K: StoredKey> KeyStore<S, K> {
    /// The scope's key set, created when first seen.
    fn scope(&self, scope: &S) -> Scope<K> {
        if let Some(keys) = self.scopes.read().unwrap_or_else(|e| e.into_inner()).get(scope) {
            return keys.clone();
        }
        self.scopes.write().unwrap_or_else(|e| e.into_inner()).entry(scope.clone()).or_default().clone()
    }

    /// Runs the state rules for a new key pair named `name` (with `blob` for an import) in
    /// `scope`, then reserves it. `check` is the provider's own rule, run on the stored keys.
    pub fn reserve<E>(
        &self,
        scope: S,
        name: &str,
        blob: Option<Vec<u8>>,
        quota: u64,
        check: impl FnOnce(&[K]) -> Result<(), E>,
    ) -> Result<Reservation<S, K>, Conflict<E>> {
        let set = self.scope(&scope);
        let mut keys = lock(&set);
        if keys.name_taken(name) {
            return Err(Conflict::NameTaken);
        }
        if let Some(blob) = &blob
            && keys.blob_taken(blob)
        {
            return Err(Conflict::PublicKeyTaken);
        }
        check(&keys.keys).map_err(Conflict::Other)?;
        if (keys.keys.len() + keys.reserved_names.len()) as u64 >= quota {
            return Err(Conflict::QuotaExceeded);
        }
        keys.reserved_names.insert(name.to_string());
        if let Some(blob) = &blob {
            keys.reserved_blobs.insert(blob.clone());
        }
        drop(keys);
        Ok(Reservation { set, name: name.to_string(), blob, done: false, scope: PhantomData })
    }

    /// Runs `f` on one scope's key pairs, alone.
    pub fn with_scope<T>(&self, scope: S, f: impl FnOnce(&mut ScopeKeys<K>) -> T) -> T {
        let set = self.scope(&scope);
        let mut keys = lock(&set);
        f(&mut keys)
    }

    /// Runs `f` on one scope's key pairs, beside other readers of the scope.
    pub fn read_scope<T>(&self, scope: S, f: impl FnOnce(&ScopeKeys<K>) -> T) -> T {
        let set = self.scope(&scope);
        let keys = read(&set);
        f(&keys)
    }

    /// The stored key pairs of one scope, in creation order (control API listings).
    pub fn list(&self, scope: &S) -> Vec<K> {
        let set = self.scopes.read().unwrap_or_else(|e| e.into_inner()).get(scope).cloned();
        set.map(|set| read(&set).keys.clone()).unwrap_or_default()
    }

    /// Every stored key pair of the scopes `pick` selects.
    pub fn collect(&self, pick: impl Fn(&S) -> bool) -> Vec<(S, Vec<K>)> {
        let sets: Vec<(S, Scope<K>)> = self
            .scopes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(s, _)| pick(s))
            .map(|(s, k)| (s.clone(), k.clone()))
            .collect();
        sets.into_iter().map(|(s, set)| (s, read(&set).keys.clone())).collect()
    }

    /// Forgets the scopes `pick` selects (control API reset).
    pub fn forget(&self, pick: impl Fn(&S) -> bool) {
        self.scopes.write().unwrap_or_else(|e| e.into_inner()).retain(|s, _| !pick(s));
    }
}

/// A reserved name (and public key) awaiting its key pair; released if dropped uncommitted.
/// A reservation outliving a [`KeyStore::forget`] of its scope commits into the forgotten set.
#[derive(Debug)]
pub struct Reservation<S: Hash + Eq, K> {
    set: Scope<K>,
    name: String,
    blob: Option<Vec<u8>>,
    done: bool,
    scope: PhantomData<S>,
}

impl<S: Hash + Eq + Clone, K: StoredKey> Reservation<S, K> {
    /// Stores the key pair `make` builds (it may mint an id from the scope) and returns it.
    pub fn commit(mut self, make: impl FnOnce(&ScopeKeys<K>) -> K) -> K {
        let set = self.set.clone();
        let mut keys = lock(&set);
        keys.release(&self.name, self.blob.as_deref());
        let record = make(&keys);
        keys.push(record.clone());
        self.done = true;
        record
    }
}

impl<S: Hash + Eq, K> Drop for Reservation<S, K> {
    fn drop(&mut self) {
        if !self.done {
            let mut keys = lock(&self.set);
            keys.reserved_names.remove(&self.name);
            if let Some(blob) = &self.blob {
                keys.reserved_blobs.remove(blob);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Key(String, String, Vec<u8>);

    impl StoredKey for Key {
        fn id(&self) -> &str {
            &self.0
        }
        fn name(&self) -> &str {
            &self.1
        }
        fn public_blob(&self) -> &[u8] {
            &self.2
        }
        fn md5_hex(&self) -> Option<String> {
            Some(md5_hex(&self.2))
        }
    }

    /// The MD5 fingerprint of a public blob as lowercase hex without colons.
    fn md5_hex(blob: &[u8]) -> String {
        use md5::Digest as _;
        hex::encode(md5::Md5::digest(blob))
    }

    type Store = KeyStore<String, Key>;

    fn ok(_: &[Key]) -> Result<(), ()> {
        Ok(())
    }

    fn reserve(store: &Store, scope: &str, name: &str, blob: Option<u8>, quota: u64) -> Result<Reservation<String, Key>, Conflict<()>> {
        store.reserve(scope.to_string(), name, blob.map(|b| vec![b]), quota, ok)
    }

    #[test]
    fn a_name_is_taken_while_reserved_and_freed_when_the_reservation_is_dropped() {
        let store = Store::default();
        let first = reserve(&store, "a", "k", None, 10).unwrap();
        assert_eq!(reserve(&store, "a", "k", None, 10).unwrap_err(), Conflict::NameTaken);
        assert!(reserve(&store, "b", "k", None, 10).is_ok(), "scopes are separate");
        drop(first);
        let again = reserve(&store, "a", "k", None, 10).unwrap();
        let stored = again.commit(|keys| Key(keys.mint_id("skey-", 8), "k".into(), vec![]));
        assert!(stored.0.starts_with("skey-") && stored.0.len() == 13);
        assert_eq!(reserve(&store, "a", "k", None, 10).unwrap_err(), Conflict::NameTaken);
    }

    #[test]
    fn rules_run_in_order_and_quota_counts_reservations() {
        let store = Store::default();
        reserve(&store, "a", "one", Some(7), 2).unwrap().commit(|_| Key("id1".into(), "one".into(), vec![7]));
        assert_eq!(reserve(&store, "a", "one", Some(7), 0).unwrap_err(), Conflict::NameTaken);
        assert_eq!(reserve(&store, "a", "two", Some(7), 0).unwrap_err(), Conflict::PublicKeyTaken);
        let refused = store.reserve("a".to_string(), "two", None, 0, |_| Err("tag"));
        assert_eq!(refused.unwrap_err(), Conflict::Other("tag"));
        let _pending = reserve(&store, "a", "two", None, 2).unwrap();
        assert_eq!(reserve(&store, "a", "three", None, 2).unwrap_err(), Conflict::QuotaExceeded);
    }

    #[test]
    fn removal_and_forgetting() {
        let store = Store::default();
        reserve(&store, "a", "one", None, 9).unwrap().commit(|_| Key("id1".into(), "one".into(), vec![]));
        reserve(&store, "a", "two", None, 9).unwrap().commit(|_| Key("id2".into(), "two".into(), vec![]));
        store.with_scope("a".into(), |keys| {
            assert!(keys.has_all(&["id1".into(), "id2".into()]));
            assert!(!keys.has_all(&["id1".into(), "id3".into()]));
            assert!(!keys.remove_all_or_none(&["id1".into(), "id3".into()]));
            assert_eq!(keys.page(|_| true, 1, 5), (2, vec![Key("id2".into(), "two".into(), vec![])]));
            keys.remove(&["id1".into()]);
            keys.remove_by_name(&["two".into()]);
            assert!(keys.keys().is_empty());
        });
        reserve(&store, "b", "x", None, 9).unwrap().commit(|_| Key("id9".into(), "x".into(), vec![]));
        store.forget(|s| s == "b");
        assert!(store.list(&"b".to_string()).is_empty());
        assert!(store.collect(|_| true).iter().all(|(_, keys)| keys.is_empty()));
    }

    #[test]
    fn indexed_lookups_agree_with_a_scan_and_survive_removal() {
        let store = Store::default();
        for i in 0..50u8 {
            reserve(&store, "a", &format!("n{i}"), Some(i % 10), 100)
                .ok()
                .map(|r| r.commit(|_| Key(format!("id{i}"), format!("n{i}"), vec![i % 10])));
        }
        store.with_scope("a".into(), |keys| {
            assert_eq!(keys.len(), 10, "public keys are unique");
            let ids: Vec<String> = ["id7", "id3", "nope", "id3"].iter().map(|s| s.to_string()).collect();
            let by_index = keys.page_where(Lookup::Ids(&ids), |_| true, 0, 10);
            let by_scan = keys.page(|k| ids.contains(&k.0), 0, 10);
            assert_eq!(by_index, by_scan);
            assert_eq!(by_index.1.iter().map(|k| k.0.as_str()).collect::<Vec<_>>(), ["id3", "id7"], "creation order, once each");
            assert_eq!(keys.page_where(Lookup::Name("n5"), |_| true, 0, 10).1, vec![Key("id5".into(), "n5".into(), vec![5])]);
            let fp = md5_hex(&[5]);
            assert_eq!(keys.page_where(Lookup::Md5Fingerprint(&fp), |_| true, 0, 10).0, 1);
            assert_eq!(keys.page_where(Lookup::Everything, |_| false, 8, 5), keys.page(|_| true, 8, 5), "a slice, no filter");
            keys.remove(&["id3".into()]);
            assert!(keys.find("id3").is_none() && keys.find("id7").is_some() && keys.find_by_name("n9").is_some());
            assert_eq!(keys.page_where(Lookup::Ids(&ids), |_| true, 0, 10).0, 1);
        });
        assert_eq!(reserve(&store, "a", "fresh", Some(3), 100).err(), None, "a removed key's public key is free again");
    }

    #[test]
    fn a_public_key_is_taken_while_reserved_and_freed_when_the_reservation_is_dropped() {
        let store = Store::default();
        let pending = reserve(&store, "a", "one", Some(7), 10).unwrap();
        assert_eq!(reserve(&store, "a", "two", Some(7), 10).unwrap_err(), Conflict::PublicKeyTaken);
        assert!(reserve(&store, "b", "two", Some(7), 10).is_ok(), "scopes are separate");
        drop(pending);
        let again = reserve(&store, "a", "two", Some(7), 10).unwrap();
        again.commit(|_| Key("id2".into(), "two".into(), vec![7]));
        assert_eq!(reserve(&store, "a", "three", Some(7), 10).unwrap_err(), Conflict::PublicKeyTaken, "stored, still taken");
        assert!(reserve(&store, "a", "three", Some(8), 10).is_ok(), "another public key is free");
    }

    #[test]
    fn listings_read_the_stored_keys_of_the_scopes_asked_for() {
        let store = Store::default();
        assert_eq!(store.with_scope("a".into(), |keys| (keys.is_empty(), keys.len())), (true, 0));
        reserve(&store, "a", "one", None, 9).unwrap().commit(|_| Key("id1".into(), "one".into(), vec![1]));
        reserve(&store, "b", "two", None, 9).unwrap().commit(|_| Key("id2".into(), "two".into(), vec![2]));
        assert_eq!(store.read_scope("a".into(), |keys| (keys.is_empty(), keys.len())), (false, 1));
        assert_eq!(store.list(&"a".to_string()), vec![Key("id1".into(), "one".into(), vec![1])]);
        assert!(store.list(&"never seen".to_string()).is_empty());
        let picked = store.collect(|s| s == "b");
        assert_eq!(picked, vec![("b".to_string(), vec![Key("id2".into(), "two".into(), vec![2])])]);
        store.forget(|s| s == "a");
        assert_eq!(store.collect(|_| true).len(), 1, "only the forgotten scope is gone");
    }

    #[test]
    fn key_ids_are_looked_up_by_index_and_no_filter_takes_a_slice() {
        let ids = vec!["id1".to_string()];
        assert!(matches!(Lookup::ids_or_all(&ids, true), Lookup::Ids(found) if found == ids.as_slice()));
        assert!(matches!(Lookup::ids_or_all(&[], true), Lookup::Everything));
        assert!(matches!(Lookup::ids_or_all(&[], false), Lookup::Scan));
    }

    #[test]
    fn a_key_without_a_fingerprint_is_not_in_the_fingerprint_index() {
        #[derive(Clone)]
        struct Plain;
        impl StoredKey for Plain {
            fn id(&self) -> &str {
                "id"
            }
            fn name(&self) -> &str {
                "name"
            }
            fn public_blob(&self) -> &[u8] {
                b"blob"
            }
        }
        assert_eq!(Plain.md5_hex(), None, "providers that never search by fingerprint hash nothing");
        let store = KeyStore::<String, Plain>::default();
        store.reserve("a".to_string(), "name", None, 9, |_| Ok::<(), ()>(())).unwrap().commit(|_| Plain);
        store.with_scope("a".to_string(), |keys| {
            assert_eq!(keys.len(), 1);
            assert!(keys.by_md5.is_empty(), "a stored key without a fingerprint is not indexed by one");
        });
    }

    #[test]
    fn random_ids_use_every_character_of_the_documented_alphabet_and_no_other() {
        let text = random_lower_alnum(5000);
        assert_eq!(text.len(), 5000);
        let seen: std::collections::BTreeSet<char> = text.chars().collect();
        let alphabet: std::collections::BTreeSet<char> = ('0'..='9').chain('a'..='z').collect();
        assert_eq!(seen, alphabet, "5,000 draws from 36 characters miss one with odds below 1e-58");
    }

    #[test]
    fn a_scope_lock_is_not_shared_between_scopes() {
        let store = Arc::new(Store::default());
        let held = store.scope(&"a".to_string());
        let _guard = lock(&held);
        // While scope a is locked, scope b still answers (on this thread: a shared lock would deadlock).
        assert!(reserve(&store, "b", "k", None, 10).is_ok());
        assert!(store.list(&"b".to_string()).is_empty());
    }
}
