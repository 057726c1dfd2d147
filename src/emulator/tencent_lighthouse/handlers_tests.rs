//! Lighthouse's actions through the API 3.0 front door, without a port: each answers the fields
//! its documents give (CreateKeyPair the example's six or the data type's eight, L-LH-11), and the
//! key-pair quota is the account's or the settings'.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::super::{Lighthouse, LighthouseSettings};
use crate::apis::tencent_api3::LIGHTHOUSE;
use crate::clock::ManualClock;
use crate::emulator::accounts::{Account, AccountSettings};
use crate::emulator::registry::Registry;
use crate::emulator::tencent::Api3;
use crate::emulator::{Emulator, EmulatorConfig};
use crate::test_support::tencent_answer;

/// 2025-01-01T00:00:00Z.
const NOW: i64 = 1_735_689_600;

/// Lighthouse alone behind the API 3.0 front door, generating 1024-bit keys (faster; the size is
/// not what these tests look at).
fn emulator(settings: LighthouseSettings) -> Arc<Emulator> {
    let lighthouse = Lighthouse { settings: LighthouseSettings { key_bits: 1024, ..settings }, ..Lighthouse::default() };
    let config = EmulatorConfig { clock: ManualClock::at_secs(NOW), ..EmulatorConfig::default() };
    Emulator::with_providers(config, Registry::new(vec![Box::new(Api3::default()), Box::new(lighthouse)]))
}

async fn answer(emulator: &Arc<Emulator>, account: &Account, action: &str, params: Value) -> (String, Value) {
    tencent_answer(emulator, account, &LIGHTHOUSE, action, params, NOW).await
}

fn field_names(object: &Value) -> BTreeSet<&str> {
    object.as_object().unwrap_or_else(|| panic!("not an object: {object}")).keys().map(String::as_str).collect()
}

#[tokio::test]
async fn create_answers_the_examples_six_fields_or_the_data_types_eight() {
    let example = ["KeyId", "KeyName", "PublicKey", "AssociatedInstanceIds", "CreatedTime", "PrivateKey"];
    let plain = emulator(LighthouseSettings::default());
    let someone = plain.accounts.create(AccountSettings::default());
    let (code, body) = answer(&plain, &someone, "CreateKeyPair", json!({"KeyName": "made"})).await;
    assert_eq!(code, "ok", "{body}");
    let pair = &body["Response"]["KeyPair"];
    assert_eq!(field_names(pair), BTreeSet::from(example));
    assert!(pair["KeyId"].as_str().is_some_and(|id| id.starts_with("lhkp-")), "{pair}");
    assert!(pair["PrivateKey"].as_str().is_some_and(|k| k.starts_with("-----BEGIN RSA PRIVATE KEY-----")));
    assert_eq!(pair["CreatedTime"], "2025-01-01T00:00:00Z");

    let full =
        emulator(LighthouseSettings { create_returns_data_type: true, created_time_null_on_create: true, ..LighthouseSettings::default() });
    let someone = full.accounts.create(AccountSettings::default());
    let (_, body) = answer(&full, &someone, "CreateKeyPair", json!({"KeyName": "made"})).await;
    let pair = &body["Response"]["KeyPair"];
    let data_type = BTreeSet::from_iter(example.into_iter().chain(["AssociatedInstanceSet", "Tags"]));
    assert_eq!(field_names(pair), data_type);
    assert!(pair["CreatedTime"].is_null() && pair["PrivateKey"].is_string(), "{pair}");
}

#[tokio::test]
async fn import_answers_the_key_id_and_a_listing_the_data_type_without_the_private_key() {
    let emulator = emulator(LighthouseSettings::default());
    let someone = emulator.accounts.create(AccountSettings::default());
    let (_, made) = answer(&emulator, &someone, "CreateKeyPair", json!({"KeyName": "made"})).await;
    let public_key = made["Response"]["KeyPair"]["PublicKey"].as_str().unwrap().to_string();
    let other = emulator.accounts.create(AccountSettings::default());
    let (code, imported) = answer(&emulator, &other, "ImportKeyPair", json!({"KeyName": "brought", "PublicKey": public_key})).await;
    assert_eq!(code, "ok", "{imported}");
    assert_eq!(field_names(&imported["Response"]), BTreeSet::from(["KeyId", "RequestId"]));
    let key_id = imported["Response"]["KeyId"].as_str().unwrap();

    let (_, listed) = answer(&emulator, &other, "DescribeKeyPairs", json!({})).await;
    let pair = &listed["Response"]["KeyPairSet"][0];
    let data_type =
        ["KeyId", "KeyName", "PublicKey", "AssociatedInstanceIds", "AssociatedInstanceSet", "CreatedTime", "PrivateKey", "Tags"];
    assert_eq!(field_names(pair), BTreeSet::from(data_type), "{listed}");
    assert_eq!(
        (pair["KeyId"].as_str(), pair["KeyName"].as_str(), pair["PublicKey"].as_str()),
        (Some(key_id), Some("brought"), Some(public_key.as_str()))
    );
    assert!(pair["PrivateKey"].is_null(), "{pair}");

    let (code, deleted) = answer(&emulator, &other, "DeleteKeyPairs", json!({"KeyIds": [key_id]})).await;
    assert_eq!((code.as_str(), field_names(&deleted["Response"])), ("ok", BTreeSet::from(["RequestId"])));
    let (_, listed) = answer(&emulator, &other, "DescribeKeyPairs", json!({})).await;
    assert_eq!(listed["Response"]["TotalCount"], 0, "{listed}");
}

#[tokio::test]
async fn the_quota_is_the_accounts_or_the_settings() {
    let emulator = emulator(LighthouseSettings { key_pair_quota: 2, ..LighthouseSettings::default() });
    let create = |account: Arc<Account>, name: &'static str| {
        let emulator = emulator.clone();
        async move { answer(&emulator, &account, "CreateKeyPair", json!({"KeyName": name})).await.0 }
    };
    let someone = emulator.accounts.create(AccountSettings::default());
    assert_eq!([create(someone.clone(), "k1").await, create(someone.clone(), "k2").await], ["ok", "ok"]);
    assert_eq!(create(someone, "k3").await, "LimitExceeded.KeyPairLimitExceeded");
    let quotas = [("tencent-lighthouse.key-pairs".to_string(), 1)].into();
    let smaller = emulator.accounts.create(AccountSettings { quotas, ..AccountSettings::default() });
    assert_eq!([create(smaller.clone(), "k1").await, create(smaller, "k2").await], ["ok", "LimitExceeded.KeyPairLimitExceeded"]);
}
