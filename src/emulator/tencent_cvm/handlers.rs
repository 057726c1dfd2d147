//! CVM handlers: parameters → rules and model → the response fields. Translation only.

use std::sync::Arc;

use rand::RngExt;
use serde_json::{Map, Value, json};

use super::model::{KeyPairRecord, Limits};
use super::rules;
use super::settings::{QUOTA_KEY_PAIRS, QUOTA_TAG_RESOURCES};
use crate::clock::iso8601_utc;
use crate::emulator::Emulator;
use crate::emulator::tencent::{Call, TencentError};

pub async fn handle(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let settings = &emulator.config.cvm;
    rules::check_region(call.region.as_deref(), settings)?;
    rules::check_known_parameters(&call.action, &call.params, settings)?;
    match call.action.as_str() {
        "CreateKeyPair" => create(emulator, call).await,
        "ImportKeyPair" => import(emulator, call),
        "DescribeKeyPairs" => describe(emulator, call),
        "DeleteKeyPairs" => delete(emulator, call),
        other => Err(TencentError::invalid_action(other)),
    }
}

fn limits(emulator: &Emulator, call: &Call) -> Limits {
    let settings = &emulator.config.cvm;
    Limits {
        key_pairs: call.account.quota(QUOTA_KEY_PAIRS, settings.key_pair_quota),
        tag_resources: call.account.quota(QUOTA_TAG_RESOURCES, settings.tag_resource_quota),
    }
}

/// CreateKeyPair (seed 000): the response carries the fields of the documented example.
async fn create(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let settings = &emulator.config.cvm;
    let new = rules::parse_create(&call.params, call.typed, settings, &call.account.settings().projects)?;
    let reservation = emulator.cvm.reserve(&call.account.id, new, limits(emulator, call))?;
    let key = crate::emulator::keypool::generate(&call.account.id, settings.key_bits)
        .await
        .map_err(|_| super::errors::by_code("InternalServerError"))?;
    // Generated public keys carry a `skey_<digits>` comment, as in seed 000's example.
    let comment: u32 = rand::rng().random_range(100_000..1_000_000);
    let public_key = format!("{} skey_{comment}", key.public_openssh);
    let record = reservation.commit(public_key, key.public_blob, emulator.config.clock.now_secs());
    let mut pair = Map::new();
    pair.insert("KeyId".into(), json!(record.key_id));
    pair.insert("KeyName".into(), json!(record.key_name));
    pair.insert("ProjectId".into(), json!(record.project_id));
    pair.insert("PublicKey".into(), json!(record.public_key));
    pair.insert("PrivateKey".into(), json!(key.private_pkcs1_pem));
    Ok(Map::from_iter([("KeyPair".to_string(), Value::Object(pair))]))
}

/// ImportKeyPair (seed 003): answers with the new KeyId only.
fn import(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let new = rules::parse_import(&call.params, call.typed, &emulator.config.cvm, &call.account.settings().projects)?;
    let (line, blob) = new.public_key.clone().unwrap_or_default();
    let reservation = emulator.cvm.reserve(&call.account.id, new, limits(emulator, call))?;
    let record = reservation.commit(line, blob, emulator.config.clock.now_secs());
    Ok(Map::from_iter([("KeyId".to_string(), json!(record.key_id))]))
}

fn describe(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let query = rules::parse_describe(&call.params)?;
    let (total, page) = emulator.cvm.describe(&call.account.id, &query);
    Ok(Map::from_iter([
        ("TotalCount".to_string(), json!(total)),
        ("KeyPairSet".to_string(), Value::Array(page.iter().map(key_pair_json).collect())),
    ]))
}

fn delete(emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
    let ids = rules::parse_delete(&call.params)?;
    emulator.cvm.delete(&call.account.id, &ids)?;
    Ok(Map::new())
}

/// The KeyPair data type as DescribeKeyPairs returns it (apis.md §1.4; no PrivateKey).
fn key_pair_json(record: &KeyPairRecord) -> Value {
    json!({
        "KeyId": record.key_id,
        "KeyName": record.key_name,
        "ProjectId": record.project_id,
        "Description": record.description,
        "PublicKey": record.public_key,
        "AssociatedInstanceIds": [],
        "CreatedTime": iso8601_utc(record.created_at),
        "Tags": record.tags.iter().map(|t| json!({"Key": t.key, "Value": t.value})).collect::<Vec<_>>(),
    })
}
