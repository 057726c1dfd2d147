//! ECS handlers: parameters → rules and model → the response fields. Translation only.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::Ecs;
use super::errors::{EcsCode, EcsError};
use super::model::KeyPairRecord;
use super::request::EcsCall;
use super::rules;
use super::settings::{EcsSettings, FingerprintFormat, PrivateKeyFormat, QUOTA_KEY_PAIRS};
use crate::clock::iso8601_utc;
use crate::emulator::Emulator;
use crate::emulator::actions::KeyPairAction;

pub async fn handle(ecs: &Ecs, emulator: &Arc<Emulator>, call: &EcsCall) -> Result<Map<String, Value>, EcsError> {
    match call.action.action {
        KeyPairAction::Create => create(ecs, emulator, call).await,
        KeyPairAction::Import => import(ecs, emulator, call),
        KeyPairAction::Describe => describe(ecs, call),
        KeyPairAction::Delete => delete(ecs, call),
    }
}

/// The account's resource groups: the default one and those added through the control API.
fn resource_groups(ecs: &Ecs, call: &EcsCall) -> BTreeSet<String> {
    let mut groups = call.account.with_settings(|s| s.resource_groups.clone());
    groups.insert(ecs.settings.default_resource_group.clone());
    groups
}

fn quota(ecs: &Ecs, call: &EcsCall) -> u64 {
    call.account.quota(QUOTA_KEY_PAIRS, ecs.settings.key_pair_quota)
}

/// A fingerprint (colon-separated MD5, as stored with each key) as the settings write it.
fn fingerprint(settings: &EcsSettings, md5_colons: &str) -> String {
    match settings.fingerprint_format {
        FingerprintFormat::Colons => md5_colons.to_string(),
        FingerprintFormat::Bare => rules::normalize_fingerprint(md5_colons),
    }
}

/// CreateKeyPair (seed 004): KeyPairId, KeyPairName, KeyPairFingerPrint, PrivateKeyBody.
async fn create(ecs: &Ecs, emulator: &Arc<Emulator>, call: &EcsCall) -> Result<Map<String, Value>, EcsError> {
    let settings = &ecs.settings;
    let new = rules::parse_create(&call.params, settings, &resource_groups(ecs, call))?;
    let region_scope = settings.scope_region(&new.region_id).to_string();
    let reservation = ecs.store.reserve(&call.account.id, &region_scope, new, quota(ecs, call))?;
    let key = crate::emulator::keypool::generate(&call.account.id, settings.key_bits)
        .await
        .map_err(|e| EcsError::new(EcsCode::InternalError).with_detail(e.to_string()))?;
    let private = match settings.private_key_format {
        PrivateKeyFormat::Pkcs1 => key.private_pkcs1_pem.clone(),
        PrivateKeyFormat::Pkcs8 => key.private_pkcs8_pem.clone(),
    };
    let record = reservation.commit(key.public.clone(), emulator.config.clock.now_secs());
    Ok(Map::from_iter([
        ("KeyPairId".to_string(), json!(record.key_pair_id)),
        ("KeyPairName".to_string(), json!(record.key_pair_name)),
        ("KeyPairFingerPrint".to_string(), json!(fingerprint(settings, &record.md5_fingerprint))),
        ("PrivateKeyBody".to_string(), json!(private)),
    ]))
}

/// ImportKeyPair: KeyPairName and KeyPairFingerPrint (no KeyPairId in the SDK model, apis.md §3.4).
fn import(ecs: &Ecs, emulator: &Emulator, call: &EcsCall) -> Result<Map<String, Value>, EcsError> {
    let settings = &ecs.settings;
    let new = rules::parse_import(&call.params, settings, &resource_groups(ecs, call))?;
    let imported = new.public_key.clone().ok_or_else(|| EcsError::new(EcsCode::PublicKeyBodyMalformed))?;
    let region_scope = settings.scope_region(&new.region_id).to_string();
    let reservation = ecs.store.reserve(&call.account.id, &region_scope, new, quota(ecs, call))?;
    let record = reservation.commit(imported, emulator.config.clock.now_secs());
    let mut answer = Map::new();
    if settings.import_returns_key_pair_id {
        answer.insert("KeyPairId".to_string(), json!(record.key_pair_id));
    }
    answer.insert("KeyPairName".to_string(), json!(record.key_pair_name));
    answer.insert("KeyPairFingerPrint".to_string(), json!(fingerprint(settings, &record.md5_fingerprint)));
    Ok(answer)
}

fn describe(ecs: &Ecs, call: &EcsCall) -> Result<Map<String, Value>, EcsError> {
    let settings = &ecs.settings;
    let query = rules::parse_describe(&call.params, settings)?;
    let region_scope = settings.scope_region(&query.region_id);
    let (default_group, keep_default) = (&settings.default_resource_group, settings.describe_group_filter_keeps_default);
    let (total, page) = ecs.store.describe(&call.account.id, region_scope, &query, default_group, keep_default);
    let items: Vec<Value> = page.iter().map(|r| key_pair_json(settings, r, query.include_public_key)).collect();
    Ok(Map::from_iter([
        ("TotalCount".to_string(), json!(total)),
        ("PageNumber".to_string(), json!(query.page_number)),
        ("PageSize".to_string(), json!(query.page_size)),
        ("KeyPairs".to_string(), json!({ "KeyPair": items })),
    ]))
}

fn delete(ecs: &Ecs, call: &EcsCall) -> Result<Map<String, Value>, EcsError> {
    let settings = &ecs.settings;
    let (region_id, names) = rules::parse_delete(&call.params, settings)?;
    ecs.store.delete(&call.account.id, settings.scope_region(&region_id), &names, settings.delete_ignores_unknown_names)?;
    Ok(Map::new())
}

/// One item of DescribeKeyPairs' `KeyPairs.KeyPair` (apis.md §3.4).
fn key_pair_json(settings: &EcsSettings, record: &KeyPairRecord, include_public_key: bool) -> Value {
    let mut item = Map::new();
    item.insert("KeyPairName".into(), json!(record.key_pair_name));
    item.insert("KeyPairFingerPrint".into(), json!(fingerprint(settings, &record.md5_fingerprint)));
    item.insert("CreationTime".into(), json!(iso8601_utc(record.created_at)));
    // A key created without a group or tags: filled, or left out (L-ECS-22).
    let fill = settings.describe_fills_empty_fields;
    if fill || record.resource_group_id != settings.default_resource_group {
        item.insert("ResourceGroupId".into(), json!(record.resource_group_id));
    }
    if include_public_key {
        item.insert("PublicKey".into(), json!(record.public_key.openssh));
    }
    let tags: Vec<Value> = record.tags.iter().map(|t| json!({"TagKey": t.key, "TagValue": t.value})).collect();
    if fill || !tags.is_empty() {
        item.insert("Tags".into(), json!({ "Tag": tags }));
    }
    Value::Object(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys;

    /// What `ssh-keygen -l -E md5 -f <file>` prints as the fingerprint, without `MD5:`.
    fn ssh_keygen_md5(public_line: &str) -> String {
        let path = std::env::temp_dir().join(format!("ecs-fp-{}-{}.pub", std::process::id(), rand::random::<u64>()));
        std::fs::write(&path, format!("{public_line}\n")).unwrap();
        let output = std::process::Command::new("ssh-keygen")
            .args(["-l", "-E", "md5", "-f"])
            .arg(&path)
            .output()
            .expect("ssh-keygen must be installed (OpenSSH client tools) to check fingerprints");
        let _ = std::fs::remove_file(&path);
        assert!(output.status.success(), "ssh-keygen failed: {}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8(output.stdout).unwrap();
        let field = text.split_whitespace().nth(1).unwrap_or_default();
        field.strip_prefix("MD5:").unwrap_or_else(|| panic!("unexpected ssh-keygen output {text:?}")).to_string()
    }

    #[test]
    fn fingerprints_match_ssh_keygen() {
        let settings = EcsSettings::default();
        let key = keys::generate_rsa(1024).unwrap();
        assert_eq!(fingerprint(&settings, &keys::md5_fingerprint(&key.public.blob)), ssh_keygen_md5(&key.public.openssh));
        for line in [crate::test_support::public_keys::DSA, crate::test_support::public_keys::ECDSA] {
            let parsed = keys::parse_openssh_public(line).unwrap();
            assert_eq!(fingerprint(&settings, &keys::md5_fingerprint(&parsed.blob)), ssh_keygen_md5(line), "{}", parsed.algorithm);
        }
        let bare = EcsSettings { fingerprint_format: FingerprintFormat::Bare, ..EcsSettings::default() };
        assert_eq!(fingerprint(&bare, &keys::md5_fingerprint(&key.public.blob)), ssh_keygen_md5(&key.public.openssh).replace(':', ""));
    }
}
