//! ECS without a port: requests signed by the harness's RPC builder, answered through the router.
//! What the suite reaches only end to end is pinned here: the provider's claim, listing and reset,
//! the order rate limit → permission → fault, the error's HostId and wording, each action's fields,
//! and the settings that change an answer (quota, resource groups, regions, empty fields).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::settings::{AuthStatuses, HostIdForm, NonceKeep};
use super::{Ecs, EcsCode, EcsError, EcsGatewaySettings, EcsSettings};
use crate::apis::{Call, Credentials, aliyun_rpc::ECS, build_request};
use crate::clock::ManualClock;
use crate::emulator::accounts::{Account, AccountSettings, Fault};
use crate::emulator::registry::{Provider, Registry};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::test_support::public_keys::RSA;
use crate::test_support::{credentials, exchange, raw_request, signed_exchange};

/// 2025-01-01T00:00:00Z.
const NOW: i64 = 1_735_689_600;

/// An emulator serving ECS alone, with `settings`.
fn emulator(settings: EcsSettings) -> Arc<Emulator> {
    let config = EmulatorConfig { clock: ManualClock::at_secs(NOW), ..EmulatorConfig::default() };
    Emulator::with_providers(config, Registry::new(vec![Box::new(Ecs { settings, ..Ecs::default() })]))
}

/// [`emulator`] with `account`'s credentials added.
fn emulator_with(settings: EcsSettings, account: &Account) -> Arc<Emulator> {
    let emulator = emulator(settings);
    emulator.accounts.add(&account.secret_id, account.secret_key(), AccountSettings::default());
    emulator
}

fn account(emulator: &Emulator, settings: AccountSettings) -> Arc<Account> {
    emulator.accounts.create(settings)
}

/// Every request gets its own `SignatureNonce`: the emulator remembers them.
static NONCE: AtomicU64 = AtomicU64::new(1);

/// `action` in `region`, signed with ECS's default (RPC) signing and answered by the router: the
/// HTTP status and the JSON body.
async fn answer_in(emulator: &Arc<Emulator>, account: &Account, region: &str, action: &str, params: Value) -> (u16, Value) {
    send(emulator, &credentials(account), region, action, params).await
}

/// [`answer_in`] signed with any `credentials`.
async fn send(emulator: &Arc<Emulator>, credentials: &Credentials, region: &str, action: &str, params: Value) -> (u16, Value) {
    let call = Call { region: Some(region), ..Call::defaults(&ECS, action, &params) };
    let nonce = NONCE.fetch_add(1, Ordering::Relaxed);
    signed_exchange(emulator, credentials, &ECS, &call, NOW, nonce).await
}

/// [`answer_in`] in cn-hangzhou.
async fn answer(emulator: &Arc<Emulator>, account: &Account, action: &str, params: Value) -> (u16, Value) {
    answer_in(emulator, account, "cn-hangzhou", action, params).await
}

/// The error code of the answer, or `ok`.
async fn code(emulator: &Arc<Emulator>, account: &Account, action: &str, params: Value) -> String {
    let (_, body) = answer(emulator, account, action, params).await;
    body["Code"].as_str().unwrap_or("ok").to_string()
}

fn import(name: &str) -> Value {
    json!({"KeyPairName": name, "PublicKeyBody": RSA})
}

/// The names DescribeKeyPairs lists in `region`.
async fn names_in(emulator: &Arc<Emulator>, account: &Account, region: &str) -> Vec<String> {
    let (_, body) = answer_in(emulator, account, region, "DescribeKeyPairs", json!({})).await;
    let items = body["KeyPairs"]["KeyPair"].as_array().unwrap_or_else(|| panic!("no listing: {body}"));
    items.iter().map(|k| k["KeyPairName"].as_str().unwrap().to_string()).collect()
}

#[test]
fn requests_are_claimed_by_either_rpc_signature_parameter_or_an_acs3_header() {
    let ecs = Ecs::default();
    let claims = |path: &str, query: &str, headers: &[(&str, &str)]| ecs.claims(&raw_request("GET", path, query, headers, b""));
    assert!(claims("/", "AccessKeyId=a&Signature=s", &[]));
    assert!(claims("/", "AccessKeyId=a&SignatureVersion=1.0", &[]), "an unsigned RPC request is still ECS's, to refuse");
    assert!(!claims("/", "AccessKeyId=a", &[]));
    assert!(!claims("/", "Signature=s&SignatureVersion=1.0", &[]));
    assert!(claims("/", "", &[("authorization", "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=s")]));
    assert!(!claims("/", "", &[("x-acs-action", "CreateKeyPair")]), "x-acs-* headers alone do not count");
    assert!(!claims("/other", "AccessKeyId=a&Signature=s", &[]));
}

#[tokio::test]
async fn the_provider_lists_and_resets_one_accounts_key_pairs() {
    let emulator = emulator(EcsSettings::default());
    let (one, other) = (account(&emulator, AccountSettings::default()), account(&emulator, AccountSettings::default()));
    for account in [&one, &other] {
        assert_eq!(code(&emulator, account, "ImportKeyPair", import("k1")).await, "ok");
    }
    let ecs: &Ecs = emulator.provider().unwrap();
    let listed = ecs.list(&one.id).unwrap();
    let keys = listed["key_pairs"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{listed}");
    assert_eq!(
        (&keys[0]["KeyPairName"], &keys[0]["RegionId"], &keys[0]["ResourceGroupId"]),
        (&json!("k1"), &json!("cn-hangzhou"), &json!("rg-default"))
    );
    assert!(keys[0]["KeyPairId"].as_str().is_some_and(|id| id.starts_with("ssh-")), "{listed}");
    ecs.reset(&one.id);
    assert_eq!(ecs.list(&one.id).unwrap()["key_pairs"], json!([]));
    assert_eq!(names_in(&emulator, &other, "cn-hangzhou").await, ["k1"], "another account keeps its key pairs");
}

#[tokio::test]
async fn a_rate_limit_then_a_deny_then_a_fault_refuse_before_the_action() {
    let emulator = emulator(EcsSettings::default());
    let quotas = [("aliyun-ecs.requests-per-second".to_string(), 1)].into();
    let limited = account(&emulator, AccountSettings { quotas, rate_limits: true, ..AccountSettings::default() });
    assert_eq!(code(&emulator, &limited, "DescribeKeyPairs", json!({})).await, "ok");
    let (status, body) = answer(&emulator, &limited, "DescribeKeyPairs", json!({})).await;
    assert_eq!((status, body["Code"].as_str()), (400, Some("Throttling.User")), "{body}");

    let unlimited = account(&emulator, AccountSettings::default());
    for _ in 0..3 {
        assert_eq!(code(&emulator, &unlimited, "DescribeKeyPairs", json!({})).await, "ok", "no documented limit");
    }

    let deny = BTreeSet::from(["aliyun-ecs:ImportKeyPair".to_string()]);
    let denied = account(&emulator, AccountSettings { deny, ..AccountSettings::default() });
    assert_eq!(code(&emulator, &denied, "ImportKeyPair", import("k1")).await, "Forbidden.RAM");
    assert_eq!(code(&emulator, &denied, "DescribeKeyPairs", json!({})).await, "ok");

    let faulty = account(&emulator, AccountSettings::default());
    let fault = Fault { api: "aliyun-ecs".into(), action: "ImportKeyPair".into(), code: "ServiceUnavailable".into() };
    faulty.add_fault(fault);
    let (status, body) = answer(&emulator, &faulty, "ImportKeyPair", import("k1")).await;
    assert_eq!((status, body["Code"].as_str()), (503, Some("ServiceUnavailable")), "{body}");
    assert_eq!(code(&emulator, &faulty, "ImportKeyPair", import("k1")).await, "ok", "a fault is taken once");
}

#[tokio::test]
async fn an_errors_host_id_is_the_regional_endpoint_of_a_known_region() {
    let host_id = |body: Value| body["HostId"].as_str().unwrap().to_string();
    let regional = emulator(EcsSettings::default());
    let someone = account(&regional, AccountSettings::default());
    let bad_name = json!({"KeyPairName": "1starts-with-a-digit"});
    let (_, body) = answer_in(&regional, &someone, "cn-beijing", "CreateKeyPair", bad_name.clone()).await;
    assert_eq!(host_id(body), "ecs.cn-beijing.aliyuncs.com");
    let (_, body) = answer_in(&regional, &someone, "xx-nowhere-1", "CreateKeyPair", bad_name.clone()).await;
    assert_eq!((body["Code"].as_str(), host_id(body.clone())), (Some("InvalidRegionId.NotFound"), "ecs.aliyuncs.com".into()));
    let central = emulator(EcsSettings::from(EcsGatewaySettings { host_id_form: HostIdForm::Central, ..Default::default() }));
    let someone = account(&central, AccountSettings::default());
    let (_, body) = answer_in(&central, &someone, "cn-beijing", "CreateKeyPair", bad_name).await;
    assert_eq!(host_id(body), "ecs.aliyuncs.com");
}

#[tokio::test]
async fn the_message_is_the_documented_wording_unless_the_detail_is_asked_for() {
    // A signed GET with a body over the front door's limit: `InvalidParameter` naming `Body`,
    // with what went wrong as the detail.
    let message = |settings: EcsSettings| async move {
        let config = EmulatorConfig { clock: ManualClock::at_secs(NOW), max_body_bytes: 64, ..EmulatorConfig::default() };
        let emulator = Emulator::with_providers(config, Registry::new(vec![Box::new(Ecs { settings, ..Ecs::default() })]));
        let someone = account(&emulator, AccountSettings::default());
        let params = json!({});
        let call = Call { method: "GET", ..Call::defaults(&ECS, "DescribeKeyPairs", &params) };
        let mut out = build_request(&ECS, &"http://127.0.0.1:18080".parse().unwrap(), &call, &credentials(&someone), NOW, 1).unwrap();
        out.body = vec![b' '; 100];
        let (_, body) = exchange(&emulator, &out).await;
        assert_eq!(body["Code"], "InvalidParameter", "{body}");
        body["Message"].as_str().unwrap().to_string()
    };
    let documented = EcsError::invalid_parameter("Body").message;
    assert_eq!(message(EcsSettings::default()).await, documented);
    let appended = message(EcsSettings::from(EcsGatewaySettings { append_detail: true, ..Default::default() })).await;
    assert_eq!(appended, format!("{documented} (the body exceeds the size limit)"));
}

#[tokio::test]
async fn each_action_answers_its_documented_fields() {
    let settings = EcsSettings { key_bits: 1024, ..EcsSettings::default() };
    let emulator = emulator(settings);
    let someone = account(&emulator, AccountSettings::default());

    let (status, created) = answer(&emulator, &someone, "CreateKeyPair", json!({"KeyPairName": "made"})).await;
    assert_eq!(status, 200, "{created}");
    let fields: BTreeSet<&str> = created.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, BTreeSet::from(["RequestId", "KeyPairId", "KeyPairName", "KeyPairFingerPrint", "PrivateKeyBody"]));
    assert!(created["PrivateKeyBody"].as_str().unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"), "PKCS#1 by default");

    let (_, imported) = answer(&emulator, &someone, "ImportKeyPair", import("brought")).await;
    let fields: BTreeSet<&str> = imported.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, BTreeSet::from(["RequestId", "KeyPairName", "KeyPairFingerPrint"]), "no KeyPairId (L-ECS-19)");
    let fingerprint = imported["KeyPairFingerPrint"].as_str().unwrap();
    assert_eq!(fingerprint.len(), 47, "colon-separated MD5: {fingerprint}");

    let (_, listed) = answer(&emulator, &someone, "DescribeKeyPairs", json!({"PageSize": 1})).await;
    assert_eq!((&listed["TotalCount"], &listed["PageNumber"], &listed["PageSize"]), (&json!(2), &json!(1), &json!(1)), "{listed}");
    assert_eq!(listed["KeyPairs"]["KeyPair"].as_array().unwrap().len(), 1);

    let (status, deleted) = answer(&emulator, &someone, "DeleteKeyPairs", json!({"KeyPairNames": "[\"made\"]"})).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted.as_object().unwrap().keys().collect::<Vec<_>>(), ["RequestId"]);
    assert_eq!(names_in(&emulator, &someone, "cn-hangzhou").await, ["brought"]);
}

#[tokio::test]
async fn a_listing_fills_in_the_empty_group_and_tags_unless_told_to_leave_them_out() {
    let item = |settings: EcsSettings, params: Value| async move {
        let emulator = emulator(settings);
        let someone = account(&emulator, AccountSettings { resource_groups: ["rg-team".to_string()].into(), ..AccountSettings::default() });
        assert_eq!(code(&emulator, &someone, "ImportKeyPair", params).await, "ok");
        let (_, listed) = answer(&emulator, &someone, "DescribeKeyPairs", json!({})).await;
        let item = listed["KeyPairs"]["KeyPair"][0].as_object().unwrap().clone();
        item.keys().cloned().collect::<BTreeSet<String>>()
    };
    let base = ["KeyPairName", "KeyPairFingerPrint", "CreationTime"];
    let with = |extra: &[&str]| base.iter().chain(extra).map(|s| s.to_string()).collect::<BTreeSet<String>>();
    assert_eq!(item(EcsSettings::default(), import("k1")).await, with(&["ResourceGroupId", "Tags"]));
    let leaving_out = || EcsSettings { describe_fills_empty_fields: false, ..EcsSettings::default() };
    assert_eq!(item(leaving_out(), import("k1")).await, with(&[]));
    let grouped = json!({"KeyPairName": "k1", "PublicKeyBody": RSA, "ResourceGroupId": "rg-team"});
    assert_eq!(item(leaving_out(), grouped).await, with(&["ResourceGroupId"]));
    let tagged = json!({"KeyPairName": "k1", "PublicKeyBody": RSA, "Tag.1.Key": "team", "Tag.1.Value": "a"});
    assert_eq!(item(leaving_out(), tagged).await, with(&["Tags"]));
}

#[tokio::test]
async fn resource_groups_are_the_default_and_the_accounts_own() {
    let emulator = emulator(EcsSettings::default());
    let someone = account(&emulator, AccountSettings { resource_groups: ["rg-team".to_string()].into(), ..AccountSettings::default() });
    let in_group = |name: &str, group: &str| json!({"KeyPairName": name, "PublicKeyBody": RSA, "ResourceGroupId": group});
    assert_eq!(code(&emulator, &someone, "ImportKeyPair", in_group("k1", "rg-default")).await, "ok");
    assert_eq!(code(&emulator, &someone, "ImportKeyPair", in_group("k2", "rg-team")).await, "ok");
    assert_eq!(code(&emulator, &someone, "ImportKeyPair", in_group("k3", "rg-other")).await, "InvalidResourceGroup.NotFound");
}

#[tokio::test]
async fn the_quota_is_the_accounts_or_the_settings() {
    let emulator = emulator(EcsSettings { key_pair_quota: 2, ..EcsSettings::default() });
    let someone = account(&emulator, AccountSettings::default());
    for name in ["k1", "k2"] {
        assert_eq!(code(&emulator, &someone, "ImportKeyPair", import(name)).await, "ok");
    }
    assert_eq!(code(&emulator, &someone, "ImportKeyPair", import("k3")).await, "QuotaExceed.KeyPair");
    let quotas = [("aliyun-ecs.key-pairs".to_string(), 3)].into();
    let larger = account(&emulator, AccountSettings { quotas, ..AccountSettings::default() });
    for name in ["k1", "k2", "k3"] {
        assert_eq!(code(&emulator, &larger, "ImportKeyPair", import(name)).await, "ok");
    }
}

#[tokio::test]
async fn key_pairs_are_kept_per_region_unless_the_settings_join_them() {
    let regional = emulator(EcsSettings::default());
    let someone = account(&regional, AccountSettings::default());
    assert_eq!(code(&regional, &someone, "ImportKeyPair", import("k1")).await, "ok");
    assert!(names_in(&regional, &someone, "cn-beijing").await.is_empty());
    let joined = emulator(EcsSettings { regional_key_pairs: false, ..EcsSettings::default() });
    let someone = account(&joined, AccountSettings::default());
    assert_eq!(code(&joined, &someone, "ImportKeyPair", import("k1")).await, "ok");
    assert_eq!(names_in(&joined, &someone, "cn-beijing").await, ["k1"]);
}

#[tokio::test]
async fn a_bad_signature_and_an_unknown_key_take_the_chosen_lists_statuses() {
    assert_eq!((AuthStatuses::Gateway.signature_does_not_match(), AuthStatuses::Gateway.access_key_not_found()), (400, 404));
    let pages = AuthStatuses::ProductPages;
    assert_eq!((pages.signature_does_not_match(), pages.access_key_not_found()), (403, 400));
    let emulator = emulator(EcsSettings::default());
    let someone = account(&emulator, AccountSettings::default());
    let stranger = Credentials { id: "LTAI-nobody".into(), secret: someone.secret_key().to_string() };
    let (status, body) = send(&emulator, &stranger, "cn-hangzhou", "DescribeKeyPairs", json!({})).await;
    assert_eq!((status, body["Code"].as_str()), (404, Some("InvalidAccessKeyId.NotFound")), "{body}");
    let forger = Credentials { id: someone.secret_id.clone(), secret: "not-the-secret".into() };
    let (status, body) = send(&emulator, &forger, "cn-hangzhou", "DescribeKeyPairs", json!({})).await;
    assert_eq!((status, body["Code"].as_str()), (400, Some("SignatureDoesNotMatch")), "{body}");
    let pages =
        emulator_with(EcsSettings::from(EcsGatewaySettings { auth_statuses: AuthStatuses::ProductPages, ..Default::default() }), &someone);
    let (status, _) = send(&pages, &forger, "cn-hangzhou", "DescribeKeyPairs", json!({})).await;
    assert_eq!(status, 403);
}

#[test]
fn a_nonce_is_kept_twice_the_skew_and_a_second_or_as_set() {
    assert_eq!(EcsGatewaySettings::default().nonce_keep_secs(), 2 * 900 + 1);
    assert_eq!(EcsGatewaySettings { nonce_keep: NonceKeep::Seconds(7), ..EcsGatewaySettings::default() }.nonce_keep_secs(), 7);
}

#[test]
fn an_error_keeps_its_detail_and_shows_code_status_and_message() {
    let error = EcsError::new(EcsCode::KeyPairQuotaExceed).with_detail("501 of 500");
    assert_eq!(error.detail.as_deref(), Some("501 of 500"));
    assert_eq!(error.to_string(), format!("QuotaExceed.KeyPair (403): {}", error.message));
}
