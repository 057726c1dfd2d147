//! What the CVM and Lighthouse stores share: key pairs per account on the shared
//! [`KeyStore`](crate::emulator::keystore), listed by ids or filters and paged, deleted all or
//! none, listed and forgotten for the control API. Each product keeps its own reservation rules
//! and its own filter names.

use super::error::TencentError;
use super::rules::{DescribeQuery, Tag};
use super::settings::{DeleteMode, NameFilter};
use crate::emulator::codes::Documented;
use crate::emulator::keystore::{self, Conflict, KeyStore, StoredKey};

/// What a product's key-pair record tells the shared store: how the product reads one
/// DescribeKeyPairs filter value, and its codes for the store's refusals.
pub trait ProductKey: StoredKey + Clone {
    /// Whether the key matches one value of filter `name`; `key-name` compares as `key_name` says.
    fn filter_matches(&self, name: &str, value: &str, key_name: NameFilter) -> bool;
    /// The product's documented codes.
    type Code: Documented + Copy;
    /// Its codes for the store's refusals.
    const CODES: StoreCodes<Self::Code>;
    /// A validated CreateKeyPair / ImportKeyPair request of the product.
    type New;
    /// The name `new` asks for.
    fn name_of(new: &Self::New) -> &str;
    /// Ids are this prefix and 8 characters (`skey-`, `lhkp-`; apis.md §1.6).
    const ID_PREFIX: &'static str;
    /// The record stored for `new` under the minted `key_id`.
    fn stored(key_id: String, new: Self::New, public_key: String, public_blob: Vec<u8>, created_at: i64) -> Self;
}

/// The codes a product answers for a taken name, a taken public key, a full key-pair quota, and an
/// unknown id in DeleteKeyPairs.
#[derive(Debug, Clone, Copy)]
pub struct StoreCodes<C> {
    pub name_taken: C,
    pub public_key_taken: C,
    pub quota_exceeded: C,
    pub id_not_found: C,
}

impl<C: Documented + Copy> StoreCodes<C> {
    /// The error for a refused reservation (naming the quota when it is full; the message stays
    /// the documented one, the detail goes to the log).
    fn refusal(&self, conflict: Conflict<TencentError>, quota: u64) -> TencentError {
        match conflict {
            Conflict::NameTaken => self.name_taken.into(),
            Conflict::PublicKeyTaken => self.public_key_taken.into(),
            Conflict::Other(error) => error,
            Conflict::QuotaExceeded => TencentError::documented(self.quota_exceeded, format!("quota {quota}")),
        }
    }
}

/// A reserved name (and public key) awaiting its key; released if dropped uncommitted.
#[derive(Debug)]
pub struct Reservation<K: ProductKey> {
    inner: keystore::Reservation<String, K>,
    new: K::New,
}

impl<K: ProductKey> Reservation<K> {
    /// Stores the key pair under a fresh id and returns its record.
    pub fn commit(self, public_key: String, public_blob: Vec<u8>, now_secs: i64) -> K {
        let new = self.new;
        self.inner.commit(|keys| K::stored(keys.mint_id(K::ID_PREFIX, 8), new, public_key, public_blob, now_secs))
    }
}

/// All accounts' key pairs of one product; key pairs are account-wide, so the scope is the account id.
#[derive(Debug)]
pub struct AccountKeys<K> {
    pub keys: KeyStore<String, K>,
}

impl<K> Default for AccountKeys<K> {
    fn default() -> Self {
        Self { keys: KeyStore::default() }
    }
}

impl<K: ProductKey> AccountKeys<K> {
    /// Reserves the name `new` asks for (and `public_blob`) in the account after the duplicate checks, `check` over
    /// the stored keys and the quota; a refusal answers the product's code. Messages name no
    /// generated name or id: they are verbatim, and those vary from run to run.
    pub fn reserve<C>(
        &self,
        account_id: &str,
        new: K::New,
        public_blob: Option<Vec<u8>>,
        quota: u64,
        check: C,
    ) -> Result<Reservation<K>, TencentError>
    where
        C: FnOnce(&[K]) -> Result<(), TencentError>,
    {
        let inner = self
            .keys
            .reserve(account_id.to_string(), K::name_of(&new), public_blob, quota, check)
            .map_err(|c| K::CODES.refusal(c, quota))?;
        Ok(Reservation { inner, new })
    }

    /// Key pairs matching `query`, in creation order, and the total before paging. Different
    /// filters AND, the values of one filter OR; `key_name` says how the `key-name` filter compares.
    pub fn describe(&self, account_id: &str, query: &DescribeQuery, key_name: NameFilter) -> (usize, Vec<K>) {
        self.describe_as(account_id, query, key_name, K::clone)
    }

    /// [`AccountKeys::describe`], each key of the page turned into its answer by `item` while the
    /// account's keys are held: the records are read in place, not copied.
    pub fn describe_as<T>(
        &self,
        account_id: &str,
        query: &DescribeQuery,
        key_name: NameFilter,
        item: impl FnMut(&K) -> T,
    ) -> (usize, Vec<T>) {
        // `KeyIds` need no check here: the id lookup finds only those keys.
        let keep = |k: &K| query.filters.iter().all(|(name, values)| values.iter().any(|value| k.filter_matches(name, value, key_name)));
        // Ids are looked up through the index, an unfiltered page is a slice; only filters scan.
        let lookup = crate::emulator::keystore::Lookup::ids_or_all(&query.key_ids, query.filters.is_empty());
        self.keys.read_scope(account_id.to_string(), |keys| keys.page_where_as(lookup, keep, query.offset, query.limit, item))
    }

    /// Deletes `ids`; an unknown id fails the request with the product's code, after deleting
    /// nothing or the known ids, as `mode` says (L-CVM-17, L-LH-10).
    pub fn delete(&self, account_id: &str, ids: &[String], mode: DeleteMode) -> Result<(), TencentError> {
        let all_found = self.keys.with_scope(account_id.to_string(), |keys| match mode {
            DeleteMode::AllOrNone => keys.remove_all_or_none(ids),
            DeleteMode::DeleteFound => {
                let all_found = keys.has_all(ids);
                keys.remove(ids);
                all_found
            }
        });
        if all_found { Ok(()) } else { Err(K::CODES.id_not_found.into()) }
    }

    /// Every key pair of an account (control API).
    pub fn list(&self, account_id: &str) -> Vec<K> {
        self.keys.list(&account_id.to_string())
    }

    /// Forgets everything of one account (control API reset).
    pub fn reset(&self, account_id: &str) {
        self.keys.forget(|scope| scope == account_id);
    }
}

/// The tag filters both products document: `tag-key`, `tag-value` and `tag:<key>` (whose values
/// are the tag's values); `None` for any other filter name.
pub fn tag_filter(tags: &[Tag], name: &str, value: &str) -> Option<bool> {
    match name {
        "tag-key" => Some(tags.iter().any(|t| t.key == value)),
        "tag-value" => Some(tags.iter().any(|t| t.value == value)),
        _ => name.strip_prefix("tag:").map(|key| tags.iter().any(|t| t.key == key && t.value == value)),
    }
}
