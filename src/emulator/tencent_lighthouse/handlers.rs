//! Lighthouse handlers: parameters → rules and model → the response fields. Translation only.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::model::KeyPairRecord;
use super::rules;
use super::settings::QUOTA_KEY_PAIRS;
use super::{Lighthouse, LighthouseCode};
use crate::clock::iso8601_utc;
use crate::emulator::Emulator;
use crate::emulator::tencent::error::TencentError;
use crate::emulator::tencent::product::{self as tencent, Call};

/// DescribeKeyPairs (apis.md §1.5): the shared listing, each key pair in Lighthouse's data type.
pub fn describe(lighthouse: &Lighthouse, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let query = rules::parse_describe(&call.params)?;
    Ok(tencent::describe(&lighthouse.store, call, &query, lighthouse.settings.key_name_filter, key_pair_json))
}

/// DeleteKeyPairs (apis.md §1.5): deleted as the delete mode says (L-LH-10).
pub fn delete(lighthouse: &Lighthouse, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let ids = rules::parse_delete(&call.params)?;
    lighthouse.store.delete(&call.account.id, &ids, lighthouse.settings.delete_mode).map(|()| Map::new())
}

fn quota(lighthouse: &Lighthouse, call: &Call) -> u64 {
    call.account.quota(QUOTA_KEY_PAIRS, lighthouse.settings.key_pair_quota)
}

/// CreateKeyPair (seed 001): the six KeyPair fields of the documented example.
pub async fn create(lighthouse: &Lighthouse, emulator: &Arc<Emulator>, call: &Call<'_>) -> Result<Map<String, Value>, TencentError> {
    let settings = &lighthouse.settings;
    let new = rules::parse_create(&call.params, settings)?;
    let reservation = lighthouse.store.reserve(&call.account.id, new, quota(lighthouse, call))?;
    let key = crate::emulator::keypool::generate(&call.account.id, settings.key_bits)
        .await
        .map_err(|e| TencentError::documented(LighthouseCode::CreateKeyPairFailed, e.to_string()))?;
    let record = reservation.commit(key.public, emulator.config.clock.now_secs());
    let mut pair = if settings.create_returns_data_type { key_pair_json(&record) } else { example_fields(&record) };
    if settings.created_time_null_on_create {
        pair.insert("CreatedTime".into(), Value::Null);
    }
    pair.insert("PrivateKey".into(), json!(key.private_pkcs1_pem));
    Ok(Map::from_iter([("KeyPair".to_string(), Value::Object(pair))]))
}

/// ImportKeyPair: answers with the new KeyId only (apis.md §1.5).
pub fn import(lighthouse: &Lighthouse, emulator: &Emulator, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let new = rules::parse_import(&call.params, &lighthouse.settings)?;
    let public_key = new.public_key.clone().unwrap_or_default();
    let reservation = lighthouse.store.reserve(&call.account.id, new, quota(lighthouse, call))?;
    let record = reservation.commit(public_key, emulator.config.clock.now_secs());
    Ok(tencent::key_id(&record.key_id))
}

/// The six fields of seed 001's CreateKeyPair example, in the data type's order (L-LH-11).
const CREATE_EXAMPLE_FIELDS: &[&str] = &["KeyId", "KeyName", "PublicKey", "AssociatedInstanceIds", "CreatedTime", "PrivateKey"];

fn example_fields(record: &KeyPairRecord) -> Map<String, Value> {
    let mut pair = key_pair_json(record);
    pair.retain(|name, _| CREATE_EXAMPLE_FIELDS.contains(&name.as_str()));
    pair
}

/// The Lighthouse KeyPair data type as a listing returns it (apis.md §1.5): no instances are ever
/// bound here, and PrivateKey ("may be null; only on create") is null.
fn key_pair_json(record: &KeyPairRecord) -> Map<String, Value> {
    // Sized for every field: a 100-key page makes 100 of these.
    let mut pair = Map::with_capacity(8);
    pair.insert("KeyId".into(), json!(record.key_id));
    pair.insert("KeyName".into(), json!(record.key_name));
    pair.insert("PublicKey".into(), json!(record.public_key.openssh));
    pair.insert("AssociatedInstanceIds".into(), json!([]));
    pair.insert("AssociatedInstanceSet".into(), json!([]));
    pair.insert("CreatedTime".into(), json!(iso8601_utc(record.created_at)));
    pair.insert("PrivateKey".into(), Value::Null);
    pair.insert("Tags".into(), record.tags.iter().map(|t| json!({"Key": t.key, "Value": t.value})).collect());
    pair
}

#[cfg(test)]
#[path = "handlers_tests.rs"]
mod tests;
