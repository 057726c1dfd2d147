//! What the CVM and Lighthouse stores share: key pairs per account on the shared
//! [`KeyStore`](crate::emulator::keystore), listed by ids or filters and paged, deleted all or
//! none, listed and forgotten for the control API. Each product keeps its own reservation rules
//! and its own filter names.

use super::error::TencentError;
use super::rules::{DescribeQuery, Tag};
use super::settings::{DeleteMode, NameFilter};
use crate::emulator::codes::Documented;
use crate::emulator::keystore::{self, Conflict, KeyStore};
use crate::keys::PublicKey;

/// A validated CreateKeyPair / ImportKeyPair request: the fields CVM and Lighthouse share, and
/// the product's own (`P`: CVM's project, nothing for Lighthouse).
#[derive(Debug, Clone)]
pub struct NewKeyPair<P> {
    pub key_name: String,
    pub tags: Vec<Tag>,
    /// ImportKeyPair only: the public key as given (its line trimmed).
    pub public_key: Option<PublicKey>,
    pub own: P,
}

/// One stored key pair: the fields CVM and Lighthouse share, and the product's own (`P`). The
/// private key is never stored ("Tencent Cloud does not save users' private keys", seed 000 §1).
#[derive(Debug, Clone)]
pub struct KeyPairRecord<P> {
    pub key_id: String,
    pub key_name: String,
    /// As imported, or as generated (CVM adds a comment).
    pub public_key: PublicKey,
    pub created_at: i64,
    pub tags: Vec<Tag>,
    pub own: P,
}

keystore::stored_key!(KeyPairRecord<P> { id: key_id, name: key_name, public_key });

/// What a product adds to the shared key pair: its own fields (the implementing type), its own
/// DescribeKeyPairs filter names, its codes for the store's refusals and its id prefix.
pub trait Product: Clone {
    /// The product's documented codes.
    type Code: Documented + Copy;
    /// Its codes for the store's refusals.
    const CODES: StoreCodes<Self::Code>;
    /// Ids are this prefix and 8 characters (`skey-`, `lhkp-`; apis.md §1.6).
    const ID_PREFIX: &'static str;
    /// Whether `key` matches one value of filter `name`, when `name` is the product's own filter
    /// (CVM's `project-id`, Lighthouse's `key-id`); `None` for any other name.
    fn own_filter(key: &KeyPairRecord<Self>, name: &str, value: &str) -> Option<bool>;
}

impl<P: Product> KeyPairRecord<P> {
    /// Whether the key matches one value of filter `name`: the product's own filters, `key-name`
    /// (compared as `key_name` says: L-CVM-18, L-LH-9) and the tag filters (apis.md §1.4, §1.5).
    fn filter_matches(&self, name: &str, value: &str, key_name: NameFilter) -> bool {
        if let Some(matches) = P::own_filter(self, name, value) {
            return matches;
        }
        match name {
            "key-name" => key_name.matches(&self.key_name, value),
            _ => tag_filter(&self.tags, name, value).unwrap_or(false),
        }
    }
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
pub struct Reservation<P: Product> {
    inner: keystore::Reservation<String, KeyPairRecord<P>>,
    new: NewKeyPair<P>,
}

impl<P: Product> Reservation<P> {
    /// Stores the key pair under a fresh id and returns its record.
    pub fn commit(self, public_key: PublicKey, now_secs: i64) -> KeyPairRecord<P> {
        let NewKeyPair { key_name, tags, own, .. } = self.new;
        self.inner.commit(|keys| KeyPairRecord {
            key_id: keys.mint_id(P::ID_PREFIX, 8),
            key_name,
            public_key,
            created_at: now_secs,
            tags,
            own,
        })
    }
}

/// All accounts' key pairs of one product; key pairs are account-wide, so the scope is the account id.
#[derive(Debug)]
pub struct AccountKeys<P> {
    pub keys: KeyStore<String, KeyPairRecord<P>>,
}

impl<P> Default for AccountKeys<P> {
    fn default() -> Self {
        Self { keys: KeyStore::default() }
    }
}

impl<P: Product> AccountKeys<P> {
    /// Reserves the name `new` asks for (and `public_blob`) in the account after the duplicate checks, `check` over
    /// the stored keys and the quota; a refusal answers the product's code. Messages name no
    /// generated name or id: they are verbatim, and those vary from run to run.
    pub fn reserve<C>(
        &self,
        account_id: &str,
        new: NewKeyPair<P>,
        public_blob: Option<Vec<u8>>,
        quota: u64,
        check: C,
    ) -> Result<Reservation<P>, TencentError>
    where
        C: FnOnce(&[KeyPairRecord<P>]) -> Result<(), TencentError>,
    {
        let inner =
            self.keys.reserve(account_id.to_string(), &new.key_name, public_blob, quota, check).map_err(|c| P::CODES.refusal(c, quota))?;
        Ok(Reservation { inner, new })
    }

    /// Key pairs matching `query`, in creation order, and the total before paging. Different
    /// filters AND, the values of one filter OR; `key_name` says how the `key-name` filter compares.
    pub fn describe(&self, account_id: &str, query: &DescribeQuery, key_name: NameFilter) -> (usize, Vec<KeyPairRecord<P>>) {
        self.describe_as(account_id, query, key_name, KeyPairRecord::clone)
    }

    /// [`AccountKeys::describe`], each key of the page turned into its answer by `item` while the
    /// account's keys are held: the records are read in place, not copied.
    pub fn describe_as<T>(
        &self,
        account_id: &str,
        query: &DescribeQuery,
        key_name: NameFilter,
        item: impl FnMut(&KeyPairRecord<P>) -> T,
    ) -> (usize, Vec<T>) {
        // `KeyIds` need no check here: the id lookup finds only those keys.
        let keep = |k: &KeyPairRecord<P>| {
            query.filters.iter().all(|(name, values)| values.iter().any(|value| k.filter_matches(name, value, key_name)))
        };
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
        if all_found { Ok(()) } else { Err(P::CODES.id_not_found.into()) }
    }

    /// Every key pair of an account (control API).
    pub fn list(&self, account_id: &str) -> Vec<KeyPairRecord<P>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<Tag> {
        pairs.iter().map(|(key, value)| Tag { key: key.to_string(), value: value.to_string() }).collect()
    }

    /// apis.md §1.4: `tag-key` matches a key, `tag-value` a value, `tag:<key>` that key with that
    /// value; a key pair with several tags matches if any one does.
    #[test]
    fn tag_filters_match_a_key_a_value_or_both_on_one_tag() {
        let tagged = tags(&[("env", "ci"), ("team", "infra")]);
        let cases = [
            ("tag-key", "team", Some(true)),
            ("tag-key", "infra", Some(false)),
            ("tag-value", "infra", Some(true)),
            ("tag-value", "team", Some(false)),
            ("tag:team", "infra", Some(true)),
            ("tag:team", "ci", Some(false)),
            ("tag:owner", "infra", Some(false)),
            ("project-id", "0", None),
        ];
        for (name, value, expected) in cases {
            assert_eq!(tag_filter(&tagged, name, value), expected, "{name}={value}");
        }
        assert_eq!(tag_filter(&[], "tag-key", "env"), Some(false), "no tags match nothing");
    }
}
