//! Key-pair storage shared by every provider model: key sets by scope (an account, or an account
//! and a region), names and public keys reserved while a key is generated, random ids.
//!
//! Creating a key takes a slow RSA generation between validation and storage, so a create first
//! *reserves* its name (and, for an import, its public key) under the lock — of two concurrent
//! creates of one name exactly one wins —, generates outside the lock, then commits. A
//! [`Reservation`] dropped uncommitted (an error, a client gone away) releases what it held.
//!
//! The state rules run in one order for every provider: name taken → public key taken → the
//! provider's own check (e.g. CVM's tag quota) → key quota. Each model maps a [`Conflict`] to its
//! provider's code.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::RngExt;

/// What a store needs to know of a stored key pair.
pub trait StoredKey: Clone {
    fn id(&self) -> &str;
    fn name(&self) -> &str;
    fn public_blob(&self) -> &[u8];
}

/// Why a reservation was refused, in the order the rules run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict<E> {
    NameTaken,
    PublicKeyTaken,
    /// The provider's own check failed.
    Other(E),
    QuotaExceeded,
}

/// The key pairs of one scope.
#[derive(Debug)]
pub struct ScopeKeys<K> {
    keys: Vec<K>,
    reserved_names: HashSet<String>,
    reserved_blobs: HashSet<Vec<u8>>,
}

impl<K> Default for ScopeKeys<K> {
    fn default() -> Self {
        Self { keys: Vec::new(), reserved_names: HashSet::new(), reserved_blobs: HashSet::new() }
    }
}

impl<K: StoredKey> ScopeKeys<K> {
    /// Stored key pairs, in creation order.
    pub fn keys(&self) -> &[K] {
        &self.keys
    }

    pub fn find(&self, id: &str) -> Option<&K> {
        self.keys.iter().find(|k| k.id() == id)
    }

    fn name_taken(&self, name: &str) -> bool {
        self.reserved_names.contains(name) || self.keys.iter().any(|k| k.name() == name)
    }

    /// True if every one of `ids` is stored.
    pub fn has_all(&self, ids: &[String]) -> bool {
        ids.iter().all(|id| self.find(id).is_some())
    }

    /// The key pairs `keep` selects, in creation order: how many there are, and the page of
    /// `limit` after skipping `offset` (every Describe action pages this way).
    pub fn page(&self, keep: impl Fn(&K) -> bool, offset: usize, limit: usize) -> (usize, Vec<K>) {
        let matching: Vec<&K> = self.keys.iter().filter(|k| keep(k)).collect();
        let total = matching.len();
        (total, matching.into_iter().skip(offset).take(limit).cloned().collect())
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
        self.keys.retain(|k| !ids.iter().any(|id| id == k.id()));
    }

    /// Removes the key pairs whose names are in `names`; unknown names are ignored.
    pub fn remove_by_name(&mut self, names: &[String]) {
        self.keys.retain(|k| !names.iter().any(|n| n == k.name()));
    }

    /// A random id `prefix` + `len` characters `[0-9a-z]`, unused in this scope.
    pub fn mint_id(&self, prefix: &str, len: usize) -> String {
        loop {
            let id = format!("{prefix}{}", random_lower_alnum(len));
            if self.find(&id).is_none() {
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

type Scopes<S, K> = Arc<Mutex<HashMap<S, ScopeKeys<K>>>>;

/// Key pairs of every scope.
#[derive(Debug)]
pub struct KeyStore<S, K> {
    scopes: Scopes<S, K>,
}

impl<S, K> Default for KeyStore<S, K> {
    fn default() -> Self {
        Self { scopes: Arc::new(Mutex::new(HashMap::new())) }
    }
}

fn lock<S, K>(scopes: &Scopes<S, K>) -> MutexGuard<'_, HashMap<S, ScopeKeys<K>>> {
    scopes.lock().unwrap_or_else(|e| e.into_inner())
}

impl<S: Hash + Eq + Clone, K: StoredKey> KeyStore<S, K> {
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
        let mut scopes = lock(&self.scopes);
        let keys = scopes.entry(scope.clone()).or_default();
        if keys.name_taken(name) {
            return Err(Conflict::NameTaken);
        }
        if let Some(blob) = &blob
            && (keys.reserved_blobs.contains(blob) || keys.keys.iter().any(|k| k.public_blob() == blob.as_slice()))
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
        Ok(Reservation { scopes: self.scopes.clone(), scope, name: name.to_string(), blob, done: false })
    }

    /// Runs `f` on one scope's key pairs.
    pub fn with_scope<T>(&self, scope: S, f: impl FnOnce(&mut ScopeKeys<K>) -> T) -> T {
        f(lock(&self.scopes).entry(scope).or_default())
    }

    /// The stored key pairs of one scope, in creation order (control API listings).
    pub fn list(&self, scope: &S) -> Vec<K> {
        lock(&self.scopes).get(scope).map(|keys| keys.keys.clone()).unwrap_or_default()
    }

    /// Every stored key pair of the scopes `pick` selects.
    pub fn collect(&self, pick: impl Fn(&S) -> bool) -> Vec<(S, Vec<K>)> {
        lock(&self.scopes).iter().filter(|(s, _)| pick(s)).map(|(s, k)| (s.clone(), k.keys.clone())).collect()
    }

    /// Forgets the scopes `pick` selects (control API reset).
    pub fn forget(&self, pick: impl Fn(&S) -> bool) {
        lock(&self.scopes).retain(|s, _| !pick(s));
    }
}

/// A reserved name (and public key) awaiting its key pair; released if dropped uncommitted.
#[derive(Debug)]
pub struct Reservation<S: Hash + Eq, K> {
    scopes: Scopes<S, K>,
    scope: S,
    name: String,
    blob: Option<Vec<u8>>,
    done: bool,
}

impl<S: Hash + Eq + Clone, K: StoredKey> Reservation<S, K> {
    /// Stores the key pair `make` builds (it may mint an id from the scope) and returns it.
    pub fn commit(mut self, make: impl FnOnce(&ScopeKeys<K>) -> K) -> K {
        let mut scopes = lock(&self.scopes);
        let keys = scopes.entry(self.scope.clone()).or_default();
        keys.release(&self.name, self.blob.as_deref());
        let record = make(keys);
        keys.keys.push(record.clone());
        self.done = true;
        record
    }
}

impl<S: Hash + Eq, K> Drop for Reservation<S, K> {
    fn drop(&mut self) {
        if !self.done {
            let mut scopes = self.scopes.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(keys) = scopes.get_mut(&self.scope) {
                keys.reserved_names.remove(&self.name);
                if let Some(blob) = &self.blob {
                    keys.reserved_blobs.remove(blob);
                }
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
        assert!(store.collect(|_| true).iter().all(|(_, keys)| keys.is_empty()));
    }
}
