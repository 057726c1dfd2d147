//! Lighthouse handlers: parameters → rules and model → the response fields. Translation only.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::model::KeyPairRecord;
use super::rules;
use super::settings::QUOTA_KEY_PAIRS;
use crate::clock::iso8601_utc;
use crate::emulator::Emulator;
use crate::emulator::tencent::{Call, TencentError};

pub async fn handle(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    rules::check_region(call.region.as_deref(), &emulator.config.lighthouse)?;
    rules::check_known_parameters(&call.action, &call.params, &emulator.config.lighthouse)?;
    match call.action.as_str() {
        "CreateKeyPair" => create(emulator, call).await,
        "ImportKeyPair" => import(emulator, call),
        "DescribeKeyPairs" => describe(emulator, call),
        "DeleteKeyPairs" => delete(emulator, call),
        other => Err(TencentError::invalid_action(other)),
    }
}

fn quota(emulator: &Emulator, call: &Call) -> u64 {
    call.account.quota(QUOTA_KEY_PAIRS, emulator.config.lighthouse.key_pair_quota)
}

/// CreateKeyPair (seed 001): the six KeyPair fields of the documented example.
async fn create(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let settings = &emulator.config.lighthouse;
    let new = rules::parse_create(&call.params, settings)?;
    let reservation = emulator.lighthouse.reserve(&call.account.id, new, quota(emulator, call))?;
    let key = crate::emulator::keypool::generate(&call.account.id, settings.key_bits)
        .await
        .map_err(|_| super::errors::by_code("FailedOperation.CreateKeyPairFailed"))?;
    let record = reservation.commit(key.public_openssh, key.public_blob, emulator.config.clock.now_secs());
    let created_time = if settings.created_time_null_on_create { Value::Null } else { json!(iso8601_utc(record.created_at)) };
    let mut pair = Map::new();
    pair.insert("KeyId".into(), json!(record.key_id));
    pair.insert("KeyName".into(), json!(record.key_name));
    pair.insert("PublicKey".into(), json!(record.public_key));
    pair.insert("AssociatedInstanceIds".into(), json!([]));
    pair.insert("CreatedTime".into(), created_time);
    pair.insert("PrivateKey".into(), json!(key.private_pkcs1_pem));
    Ok(Map::from_iter([("KeyPair".to_string(), Value::Object(pair))]))
}

/// ImportKeyPair: answers with the new KeyId only (apis.md §1.5).
fn import(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let new = rules::parse_import(&call.params, &emulator.config.lighthouse)?;
    let (line, blob) = new.public_key.clone().unwrap_or_default();
    let reservation = emulator.lighthouse.reserve(&call.account.id, new, quota(emulator, call))?;
    let record = reservation.commit(line, blob, emulator.config.clock.now_secs());
    Ok(Map::from_iter([("KeyId".to_string(), json!(record.key_id))]))
}

fn describe(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let query = rules::parse_describe(&call.params)?;
    let (total, page) = emulator.lighthouse.describe(&call.account.id, &query);
    Ok(Map::from_iter([
        ("TotalCount".to_string(), json!(total)),
        ("KeyPairSet".to_string(), Value::Array(page.iter().map(key_pair_json).collect())),
    ]))
}

fn delete(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let ids = rules::parse_delete(&call.params)?;
    emulator.lighthouse.delete(&call.account.id, &ids)?;
    Ok(Map::new())
}

/// The Lighthouse KeyPair data type as a listing returns it (apis.md §1.5): no instances are ever
/// bound here, and PrivateKey ("may be null; only on create") is null.
fn key_pair_json(record: &KeyPairRecord) -> Value {
    json!({
        "KeyId": record.key_id,
        "KeyName": record.key_name,
        "PublicKey": record.public_key,
        "AssociatedInstanceIds": [],
        "AssociatedInstanceSet": [],
        "CreatedTime": iso8601_utc(record.created_at),
        "PrivateKey": null,
        "Tags": record.tags.iter().map(|t| json!({"Key": t.key, "Value": t.value})).collect::<Vec<_>>(),
    })
}
