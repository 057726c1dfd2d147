//! CVM handlers: parameters → rules and model → the response fields. Translation only.

use std::sync::Arc;

use rand::RngExt;
use serde_json::{Map, Value, json};

use super::model::{KeyPairRecord, Limits};
use super::rules;
use super::settings::{CvmListingSettings, QUOTA_KEY_PAIRS, QUOTA_TAG_RESOURCES};
use super::{Cvm, CvmCode};
use crate::clock::iso8601_utc;
use crate::emulator::Emulator;
use crate::emulator::tencent::error::TencentError;
use crate::emulator::tencent::product::{self as tencent, Call};
use crate::keys::PublicKey;

/// DescribeKeyPairs (apis.md §1.4): the shared listing, each key pair in CVM's data type.
pub fn describe(cvm: &Cvm, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let query = rules::parse_describe(&call.params)?;
    Ok(tencent::describe(&cvm.store, call, &query, cvm.settings.listing.key_name_filter, |record| {
        key_pair_json(&cvm.settings.listing, record)
    }))
}

/// DeleteKeyPairs (apis.md §1.4): `KeyIds` checked in the settings' order (L-CVM-19), deleted as
/// the delete mode says (L-CVM-17).
pub fn delete(cvm: &Cvm, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let ids = rules::parse_delete(&call.params, &cvm.settings.delete)?;
    cvm.store.delete(&call.account.id, &ids, cvm.settings.delete.mode).map(|()| Map::new())
}

fn limits(cvm: &Cvm, call: &Call) -> Limits {
    let settings = &cvm.settings;
    Limits {
        key_pairs: call.account.quota(QUOTA_KEY_PAIRS, settings.key_pair_quota),
        tag_resources: call.account.quota(QUOTA_TAG_RESOURCES, settings.tags.resource_quota),
    }
}

/// The account's projects, copied out so its settings lock is not held while a key is parsed.
fn projects(call: &Call) -> std::collections::BTreeSet<i64> {
    call.account.with_settings(|s| s.projects.clone())
}

/// CreateKeyPair (seed 000): the response carries the fields of the documented example.
pub async fn create(cvm: &Cvm, emulator: &Arc<Emulator>, call: &Call<'_>) -> Result<Map<String, Value>, TencentError> {
    let settings = &cvm.settings;
    let new = rules::parse_create(&call.params, call.typed, settings, &projects(call))?;
    let reservation = cvm.store.reserve(&call.account.id, new, limits(cvm, call))?;
    let key = crate::emulator::keypool::generate(&call.account.id, settings.key_bits)
        .await
        .map_err(|e| TencentError::documented(CvmCode::InternalServerError, e.to_string()))?;
    // Generated public keys carry a `skey_<digits>` comment, as in seed 000's example.
    let comment: u32 = rand::rng().random_range(100_000..1_000_000);
    let public_key = PublicKey::new(format!("{} skey_{comment}", key.public.openssh), key.public.blob);
    let record = reservation.commit(public_key, emulator.config.clock.now_secs());
    let mut pair = if settings.create_returns_data_type {
        key_pair_json(&settings.listing, &record)
    } else {
        example_fields(&settings.listing, &record)
    };
    pair.insert("PrivateKey".into(), json!(key.private_pkcs1_pem));
    Ok(Map::from_iter([("KeyPair".to_string(), Value::Object(pair))]))
}

/// ImportKeyPair (seed 003): answers with the new KeyId only.
pub fn import(cvm: &Cvm, emulator: &Emulator, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let new = rules::parse_import(&call.params, call.typed, &cvm.settings, &projects(call))?;
    let public_key = new.public_key.clone().unwrap_or_default();
    let reservation = cvm.store.reserve(&call.account.id, new, limits(cvm, call))?;
    let record = reservation.commit(public_key, emulator.config.clock.now_secs());
    Ok(tencent::key_id(&record.key_id))
}

/// The fields of seed 000's CreateKeyPair example but PrivateKey, in the data type's order (L-CVM-11).
const CREATE_EXAMPLE_FIELDS: &[&str] = &["KeyId", "KeyName", "ProjectId", "PublicKey"];

fn example_fields(listing: &CvmListingSettings, record: &KeyPairRecord) -> Map<String, Value> {
    let mut pair = key_pair_json(listing, record);
    pair.retain(|name, _| CREATE_EXAMPLE_FIELDS.contains(&name.as_str()));
    pair
}

/// The KeyPair data type as DescribeKeyPairs returns it (apis.md §1.4; no PrivateKey), its time
/// field named as the settings say (L-CVM-21), empty fields kept or left out (L-CVM-20).
fn key_pair_json(listing: &CvmListingSettings, record: &KeyPairRecord) -> Map<String, Value> {
    // Sized for every field: a 100-key page makes 100 of these.
    let mut pair = Map::with_capacity(8);
    pair.insert("KeyId".into(), json!(record.key_id));
    pair.insert("KeyName".into(), json!(record.key_name));
    pair.insert("ProjectId".into(), json!(record.own.project_id));
    pair.insert("Description".into(), json!(record.own.description));
    pair.insert("PublicKey".into(), json!(record.public_key.openssh));
    pair.insert("AssociatedInstanceIds".into(), json!([]));
    pair.insert(listing.created_time_field.clone(), json!(iso8601_utc(record.created_at)));
    pair.insert("Tags".into(), record.tags.iter().map(|t| json!({"Key": t.key, "Value": t.value})).collect());
    if !listing.fills_empty_fields {
        pair.retain(|_, v| !is_empty(v));
    }
    pair
}

fn is_empty(value: &Value) -> bool {
    value.as_str().is_some_and(str::is_empty) || value.as_array().is_some_and(Vec::is_empty)
}

#[cfg(test)]
#[path = "handlers_tests.rs"]
mod tests;
