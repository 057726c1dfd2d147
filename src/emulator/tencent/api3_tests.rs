//! The Tencent front door without a port: requests signed by the harness's builders, answered
//! through the router; a product as a registered provider (its listing and reset), denies on either
//! front door's name, and the envelope with or without the log's detail.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Api3, TencentError, TencentSettings, render};
use crate::apis::{ApiProfile, tencent_api3::CVM, tencent_legacy::CVM_LEGACY};
use crate::clock::ManualClock;
use crate::emulator::accounts::{Account, AccountSettings};
use crate::emulator::registry::Provider;
use crate::emulator::tencent_cvm::Cvm;
use crate::emulator::{Emulator, EmulatorConfig};
use crate::test_support::public_keys::RSA;
use crate::test_support::tencent_answer;

/// 2025-01-01T00:00:00Z.
const NOW: i64 = 1_735_689_600;

fn emulator() -> Arc<Emulator> {
    Emulator::new(EmulatorConfig { clock: ManualClock::at_secs(NOW), ..EmulatorConfig::default() })
}

/// `action` through `api`'s builder with its default signing, answered by the router: the API 3.0 error code or `ok`.
async fn call(emulator: &Arc<Emulator>, account: &Account, api: &ApiProfile, action: &str, params: Value) -> String {
    answer(emulator, account, api, action, params).await.0
}

/// [`call`]'s code and the whole answer.
async fn answer(emulator: &Arc<Emulator>, account: &Account, api: &ApiProfile, action: &str, params: Value) -> (String, Value) {
    tencent_answer(emulator, account, api, action, params, NOW).await
}

#[tokio::test]
async fn a_product_lists_and_resets_one_accounts_key_pairs_as_a_provider() {
    let emulator = emulator();
    let (one, other) = (emulator.accounts.create(AccountSettings::default()), emulator.accounts.create(AccountSettings::default()));
    for account in [&one, &other] {
        let (code, body) =
            answer(&emulator, account, &CVM, "ImportKeyPair", json!({"KeyName": "k1", "ProjectId": 0, "PublicKey": RSA})).await;
        assert_eq!(code, "ok");
        let key_id = body["Response"]["KeyId"].as_str().unwrap_or_default();
        assert!(key_id.starts_with("skey-") && key_id.len() == 13, "{body}");
    }
    let cvm: &Cvm = emulator.provider().unwrap();
    let names = |account: &Account| -> Vec<Value> {
        let listed = cvm.list(&account.id).unwrap();
        listed["key_pairs"].as_array().unwrap().iter().map(|k| k["KeyName"].clone()).collect()
    };
    assert_eq!(names(&one), [json!("k1")], "{}", cvm.list(&one.id).unwrap());
    cvm.reset(&one.id);
    assert!(names(&one).is_empty());
    assert_eq!(names(&other).len(), 1, "another account keeps its key pairs");
    assert_eq!((cvm.name(), Api3::default().name()), ("tencent-cvm", "tencent-api3"));
    let describe = crate::emulator::actions::find(super::TencentProduct::actions(cvm), "DescribeKeyPairs").unwrap();
    let call = super::Call {
        product: cvm,
        action: describe,
        version: "2017-03-12".into(),
        region: None,
        params: json!({}),
        typed: true,
        account: one,
    };
    // The account's secret never shows; the product and action do.
    assert_eq!(format!("{call:?}"), r#"Call { product: "tencent-cvm", action: "DescribeKeyPairs", .. }"#);
}

#[tokio::test]
async fn a_deny_of_the_product_or_of_the_front_door_refuses_the_call() {
    let emulator = emulator();
    let denying =
        |rule: &str| emulator.accounts.create(AccountSettings { deny: BTreeSet::from([rule.to_string()]), ..AccountSettings::default() });
    let params = || json!({"KeyName": "k1", "ProjectId": 0});
    let product = denying("tencent-cvm:CreateKeyPair");
    assert_eq!(call(&emulator, &product, &CVM_LEGACY, "CreateKeyPair", params()).await, "AuthFailure.UnauthorizedOperation");
    let front_door = denying("tencent-cvm-legacy:CreateKeyPair");
    assert_eq!(call(&emulator, &front_door, &CVM_LEGACY, "CreateKeyPair", params()).await, "AuthFailure.UnauthorizedOperation");
    assert_eq!(call(&emulator, &front_door, &CVM, "DescribeKeyPairs", json!({})).await, "ok", "API 3.0 is another front door");
}

#[test]
fn the_envelope_appends_the_detail_only_when_asked() {
    let error = || TencentError::invalid_parameter("The KeyName is too long.").with_detail("KeyName: 26 characters");
    let message = |settings: &TencentSettings| {
        let served = render(settings, "tencent-cvm CreateKeyPair".into(), "r-1", Err(error()));
        let body = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(axum::body::to_bytes(served.response.into_body(), 1 << 16))
            .unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!((served.outcome.code.as_ref(), body["Response"]["RequestId"].as_str()), ("InvalidParameter", Some("r-1")));
        body["Response"]["Error"]["Message"].as_str().unwrap().to_string()
    };
    assert_eq!(message(&TencentSettings::default()), "The KeyName is too long.");
    let appending = TencentSettings { append_detail: true, ..TencentSettings::default() };
    assert_eq!(message(&appending), "The KeyName is too long. (KeyName: 26 characters)");
    assert_eq!(error().to_string(), "InvalidParameter: The KeyName is too long.");
}

#[test]
fn the_key_name_filter_matches_whole_or_part_of_a_name_case_sensitively() {
    use super::settings::NameFilter;
    assert!(NameFilter::Exact.matches("key-1", "key-1") && !NameFilter::Exact.matches("key-1", "key"));
    assert!(NameFilter::Fuzzy.matches("key-1", "ey-") && !NameFilter::Fuzzy.matches("key-1", "KEY"));
    let rule = super::settings::TagLength::TAG_SERVICE.rule();
    assert_eq!(rule, "key must be 1-127 characters, value at most 255");
}
