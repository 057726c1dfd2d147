//! One test per ledger row whose choice became a setting (docs/discrepancies.md): each builds an
//! emulator with the setting's other value and shows the behaviour follows it, so a live run that
//! disagrees with a row is settled by changing one value. Named after the row's id.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::common;
use crate::common::{Answer, HOST, NOW, SECRET_ID, SECRET_KEY, Spec, send};
use axum::body::Body;
use axum::http::Request;
use keypair_contract::apis::{self, ApiProfile, Signing};
use keypair_contract::clock::ManualClock;
use keypair_contract::emulator::accounts::AccountSettings;
use keypair_contract::emulator::aliyun_ecs::settings::{
    AuthStatuses, ChineseInName, EcsCheck, FormatWithoutParameter, HostIdForm, NonceKeep,
};
use keypair_contract::emulator::aliyun_ecs::{Ecs, EcsGatewaySettings, EcsSettings};
use keypair_contract::emulator::registry::Provider;
use keypair_contract::emulator::tencent::TencentSettings;
use keypair_contract::emulator::tencent::settings::{CommonCode, DeleteMode, IdCheck, NameFilter, RequestCheck, RequestIdCase};
use keypair_contract::emulator::tencent_cvm::{
    Cvm, CvmDeleteSettings, CvmListingSettings, CvmProjectIdSettings, CvmSettings, CvmTagSettings,
};
use keypair_contract::emulator::tencent_legacy::{Legacy, LegacySettings, RateBucket};
use keypair_contract::emulator::tencent_lighthouse::{Lighthouse, LighthouseSettings};
use keypair_contract::emulator::{Emulator, EmulatorConfig, registered, router};
use keypair_contract::sign::tencent_v1::{self, V1Method};
use keypair_contract::sign::{HttpParts, tc3};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const CVM: &ApiProfile = &apis::tencent_api3::CVM;
const LIGHTHOUSE: &ApiProfile = &apis::tencent_api3::LIGHTHOUSE;
const ECS: &ApiProfile = &apis::aliyun_rpc::ECS;
/// A valid OpenSSH ed25519 public key.
const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKJf0U51hhGQWzsrVuZE7IB2/hU2Kl0srebnNBHyoyh7 c ed25519";

/// What an emulator under test differs in: the Tencent front doors' settings, the providers
/// replaced, the body limit, and whether the account is rate limited.
struct Setup {
    tencent: TencentSettings,
    providers: Vec<Box<dyn Provider>>,
    max_body_bytes: usize,
    rate_limits: bool,
    secret_key: &'static str,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            tencent: TencentSettings::default(),
            providers: Vec::new(),
            max_body_bytes: EmulatorConfig::default().max_body_bytes,
            rate_limits: false,
            secret_key: SECRET_KEY,
        }
    }
}

impl Setup {
    fn build(self) -> (Arc<Emulator>, Arc<ManualClock>) {
        let clock = ManualClock::at_secs(NOW);
        let config = EmulatorConfig {
            clock: clock.clone(),
            tencent: self.tencent,
            max_body_bytes: self.max_body_bytes,
            ..EmulatorConfig::default()
        };
        let providers = self.providers.into_iter().fold(registered(), |registry, provider| registry.replacing(provider));
        let emulator = Emulator::with_providers(config, providers);
        let settings = AccountSettings { rate_limits: self.rate_limits, ..AccountSettings::default() };
        emulator.accounts.add(SECRET_ID, self.secret_key, settings);
        (emulator, clock)
    }
}

fn with_provider(provider: Box<dyn Provider>) -> Arc<Emulator> {
    Setup { providers: vec![provider], ..Setup::default() }.build().0
}

fn cvm(settings: CvmSettings) -> Arc<Emulator> {
    with_provider(Box::new(Cvm { settings, ..Cvm::default() }))
}

fn lighthouse(settings: LighthouseSettings) -> Arc<Emulator> {
    with_provider(Box::new(Lighthouse { settings, ..Lighthouse::default() }))
}

fn legacy(settings: LegacySettings) -> Arc<Emulator> {
    with_provider(Box::new(Legacy { settings }))
}

fn ecs(settings: EcsSettings) -> Arc<Emulator> {
    with_provider(Box::new(Ecs { settings, ..Ecs::default() }))
}

fn tencent(settings: TencentSettings) -> Arc<Emulator> {
    Setup { tencent: settings, ..Setup::default() }.build().0
}

/// A fresh nonce for every call, so ECS never sees a replay it was not meant to.
fn nonce() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

async fn call(emulator: &Arc<Emulator>, profile: &ApiProfile, action: &str, params: Value) -> Answer {
    common::call(emulator, profile, action, params, nonce()).await
}

async fn create_cvm(emulator: &Arc<Emulator>, name: &str) -> String {
    create_key(emulator, CVM, json!({"KeyName": name, "ProjectId": 0})).await
}

async fn create_lighthouse(emulator: &Arc<Emulator>, name: &str) -> String {
    create_key(emulator, LIGHTHOUSE, json!({"KeyName": name})).await
}

/// A Tencent CreateKeyPair that must succeed: the new KeyId.
async fn create_key(emulator: &Arc<Emulator>, profile: &ApiProfile, params: Value) -> String {
    let answer = call(emulator, profile, "CreateKeyPair", params).await;
    assert_eq!(answer.code(), "", "{}", answer.text);
    answer.body.pointer("/Response/KeyPair/KeyId").and_then(Value::as_str).unwrap().to_string()
}

/// Creates `alpha_one`, then counts the key pairs the `key-name` filter `alpha` lists.
async fn alpha_matches(emulator: Arc<Emulator>, profile: &ApiProfile, create: Value) -> u64 {
    create_key(&emulator, profile, create).await;
    let filter = json!({"Filters": [{"Name": "key-name", "Values": ["alpha"]}]});
    total(&call(&emulator, profile, "DescribeKeyPairs", filter).await)
}

/// The first listed key pair of a DescribeKeyPairs answer.
fn first_key_pair(answer: &Answer) -> &serde_json::Map<String, Value> {
    answer.body.pointer("/Response/KeyPairSet/0").and_then(Value::as_object).unwrap_or_else(|| panic!("{}", answer.text))
}

fn total(answer: &Answer) -> u64 {
    answer.body.pointer("/Response/TotalCount").and_then(Value::as_u64).unwrap_or_else(|| panic!("{}", answer.text))
}

/// Sends a request as given, through the router.
async fn send_raw(emulator: &Arc<Emulator>, method: &str, target: &str, headers: &[(String, String)], body: Vec<u8>) -> Answer {
    let mut builder = Request::builder().method(method).uri(target);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    common::answer_of(router(emulator.clone()).oneshot(builder.body(Body::from(body)).unwrap()).await.unwrap()).await
}

/// A CVM DescribeKeyPairs POST with `body`, TC3-signed over `content-type;host` as the SDKs sign.
fn tc3_describe(body: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = [
        ("Content-Type", "application/json"),
        ("Host", HOST),
        ("X-TC-Action", "DescribeKeyPairs"),
        ("X-TC-Version", "2017-03-12"),
        ("X-TC-Region", "ap-guangzhou"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    headers.push(("X-TC-Timestamp".into(), NOW.to_string()));
    let parts = HttpParts { method: "POST", path: "/", query: "", headers: &headers, body: body.as_bytes() };
    let authorization = tc3::sign(&parts, SECRET_ID, SECRET_KEY, "cvm", NOW, &["content-type", "host"]).unwrap();
    headers.push(("Authorization".into(), authorization));
    headers
}

/// A legacy CreateKeyPair form POST with `own` parameters (overriding the common ones of the same
/// name), signed v1 (HmacSHA256) for `signed_host`, sent with `host`.
async fn legacy_post(emulator: &Arc<Emulator>, own: &[(&str, &str)], signed_host: &str, host: &str) -> Answer {
    let common = [
        ("Action", "CreateKeyPair"),
        ("Region", "ap-guangzhou"),
        ("SecretId", SECRET_ID),
        ("SignatureMethod", "HmacSHA256"),
        ("Nonce", "4242"),
    ];
    let not_overridden = common.iter().filter(|(name, _)| !own.iter().any(|(k, _)| k == name));
    let mut params: Vec<(String, String)> = not_overridden.chain(own).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    params.push(("Timestamp".into(), NOW.to_string()));
    let signature = tencent_v1::sign("POST", signed_host, "/v2/index.php", &params, SECRET_KEY, V1Method::HmacSha256);
    params.push(("Signature".into(), signature));
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
    let headers =
        vec![("Host".to_string(), host.to_string()), ("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string())];
    send_raw(emulator, "POST", "/v2/index.php", &headers, body.into_bytes()).await
}

// ---- CVM ----

#[tokio::test]
async fn l_cvm_10_check_order_decides_which_fault_wins() {
    let both_wrong = json!({"KeyName": "", "ProjectId": 42});
    let default = call(&cvm(CvmSettings::default()), CVM, "CreateKeyPair", both_wrong.clone()).await;
    assert_eq!(default.code(), "InvalidKeyPairNameEmpty");
    let order = vec![RequestCheck::ProjectId, RequestCheck::KeyName, RequestCheck::PublicKey, RequestCheck::Tags];
    let project_first = cvm(CvmSettings { check_order: order, ..CvmSettings::default() });
    assert_eq!(call(&project_first, CVM, "CreateKeyPair", both_wrong).await.code(), "InvalidProjectId.NotFound");
}

#[tokio::test]
async fn l_cvm_11_create_can_answer_the_full_data_type() {
    let key_pair = |answer: &Answer| answer.body.pointer("/Response/KeyPair").cloned().unwrap();
    let params = json!({"KeyName": "k", "ProjectId": 0});
    let example = key_pair(&call(&cvm(CvmSettings::default()), CVM, "CreateKeyPair", params.clone()).await);
    assert!(example.get("CreatedTime").is_none() && example.get("PrivateKey").is_some(), "{example}");
    let full = cvm(CvmSettings { create_returns_data_type: true, ..CvmSettings::default() });
    let data_type = key_pair(&call(&full, CVM, "CreateKeyPair", params).await);
    for field in ["CreatedTime", "Tags", "Description", "AssociatedInstanceIds", "PrivateKey"] {
        assert!(data_type.get(field).is_some(), "{field} missing: {data_type}");
    }
}

#[tokio::test]
async fn l_cvm_12_request_id_case() {
    let request_id = |answer: Answer| answer.body.pointer("/Response/RequestId").and_then(Value::as_str).unwrap().to_string();
    let lower = request_id(call(&tencent(TencentSettings::default()), CVM, "DescribeKeyPairs", json!({})).await);
    assert_eq!(lower, lower.to_ascii_lowercase());
    let upper_settings = TencentSettings { request_id_case: RequestIdCase::Upper, ..TencentSettings::default() };
    let upper = request_id(call(&tencent(upper_settings), CVM, "DescribeKeyPairs", json!({})).await);
    assert!(upper == upper.to_ascii_uppercase() && upper != upper.to_ascii_lowercase(), "{upper}");
}

#[tokio::test]
async fn l_cvm_13_public_key_types() {
    let params = json!({"KeyName": "imported", "ProjectId": 0, "PublicKey": ED25519});
    assert_eq!(call(&cvm(CvmSettings::default()), CVM, "ImportKeyPair", params.clone()).await.code(), "InvalidPublicKey.Malformed");
    let types = vec!["ssh-rsa".to_string(), "ssh-ed25519".to_string()];
    let lenient = cvm(CvmSettings { public_key_types: types, ..CvmSettings::default() });
    assert_eq!(call(&lenient, CVM, "ImportKeyPair", params).await.code(), "");
}

/// A CreateKeyPair whose TagSpecification names `resource_type`.
fn tag_spec(resource_type: &str) -> Value {
    json!({"KeyName": "tagged", "ProjectId": 0, "TagSpecification": [{"ResourceType": resource_type, "Tags": [{"Key": "env", "Value": "ci"}]}]})
}

#[tokio::test]
async fn l_cvm_14_tag_resource_type() {
    let default = cvm(CvmSettings::default());
    assert_eq!(call(&default, CVM, "CreateKeyPair", tag_spec("instance")).await.code(), "InvalidParameterValue");
    let other = cvm(CvmSettings {
        tags: CvmTagSettings { resource_type: "instance".into(), ..CvmTagSettings::default() },
        ..CvmSettings::default()
    });
    assert_eq!(call(&other, CVM, "CreateKeyPair", tag_spec("instance")).await.code(), "");
    assert_eq!(call(&other, CVM, "CreateKeyPair", tag_spec("keypair")).await.code(), "InvalidParameterValue");
}

/// Creates a key, deletes it with an unknown id beside it, and returns how many keys remain.
async fn delete_mixed(emulator: &Arc<Emulator>, profile: &ApiProfile, key_id: String, unknown: &str, not_found: &str) -> u64 {
    let answer = call(emulator, profile, "DeleteKeyPairs", json!({"KeyIds": [key_id, unknown]})).await;
    assert_eq!(answer.code(), not_found, "{}", answer.text);
    total(&call(emulator, profile, "DescribeKeyPairs", json!({})).await)
}

#[tokio::test]
async fn l_cvm_17_delete_found_deletes_the_known_ids() {
    let (unknown, not_found) = ("skey-00000000", "InvalidKeyPairId.NotFound");
    let all_or_none = cvm(CvmSettings::default());
    let id = create_cvm(&all_or_none, "one").await;
    assert_eq!(delete_mixed(&all_or_none, CVM, id, unknown, not_found).await, 1, "nothing is deleted");
    let found = cvm(CvmSettings::from(CvmDeleteSettings { mode: DeleteMode::DeleteFound, ..Default::default() }));
    let id = create_cvm(&found, "one").await;
    assert_eq!(delete_mixed(&found, CVM, id, unknown, not_found).await, 0, "the known id is deleted");
}

#[tokio::test]
async fn l_cvm_18_key_name_filter() {
    let matches = |emulator| alpha_matches(emulator, CVM, json!({"KeyName": "alpha_one", "ProjectId": 0}));
    assert_eq!(matches(cvm(CvmSettings::default())).await, 0, "whole names only");
    assert_eq!(matches(cvm(CvmSettings::from(CvmListingSettings { key_name_filter: NameFilter::Fuzzy, ..Default::default() }))).await, 1);
}

#[tokio::test]
async fn l_cvm_19_delete_check_order() {
    let ids: Vec<String> = (0..101).map(|i| format!("bad-{i}")).collect();
    let params = json!({"KeyIds": ids});
    let default = call(&cvm(CvmSettings::default()), CVM, "DeleteKeyPairs", params.clone()).await;
    assert_eq!(default.code(), "InvalidParameterValue.LimitExceeded");
    let shape_first = cvm(CvmSettings::from(CvmDeleteSettings {
        check_order: vec![IdCheck::Missing, IdCheck::Shape, IdCheck::Count],
        ..Default::default()
    }));
    assert_eq!(call(&shape_first, CVM, "DeleteKeyPairs", params).await.code(), "InvalidKeyPairId.Malformed");
}

#[tokio::test]
async fn l_cvm_20_empty_fields_can_be_left_out() {
    let listed = |emulator: Arc<Emulator>| async move {
        create_cvm(&emulator, "bare").await;
        first_key_pair(&call(&emulator, CVM, "DescribeKeyPairs", json!({})).await).clone()
    };
    let filled = listed(cvm(CvmSettings::default())).await;
    let sparse = listed(cvm(CvmSettings::from(CvmListingSettings { fills_empty_fields: false, ..Default::default() }))).await;
    for field in ["Description", "AssociatedInstanceIds", "Tags"] {
        assert!(filled.contains_key(field) && !sparse.contains_key(field), "{field}: {filled:?} / {sparse:?}");
    }
}

#[tokio::test]
async fn l_cvm_21_created_time_field() {
    let emulator = cvm(CvmSettings::from(CvmListingSettings { created_time_field: "CreateTime".into(), ..Default::default() }));
    create_cvm(&emulator, "timed").await;
    let listed = call(&emulator, CVM, "DescribeKeyPairs", json!({})).await;
    let pair = first_key_pair(&listed);
    assert!(pair.contains_key("CreateTime") && !pair.contains_key("CreatedTime"), "{pair:?}");
}

#[tokio::test]
async fn l_cvm_22_project_id_type_code() {
    let params = json!({"KeyName": "k", "ProjectId": true});
    assert_eq!(call(&cvm(CvmSettings::default()), CVM, "CreateKeyPair", params.clone()).await.code(), "InvalidParameter");
    let value = cvm(CvmSettings::from(CvmProjectIdSettings { type_code: CommonCode::InvalidParameterValue, ..Default::default() }));
    assert_eq!(call(&value, CVM, "CreateKeyPair", params).await.code(), "InvalidParameterValue");
}

#[tokio::test]
async fn l_cvm_23_absent_region_code() {
    let params = json!({"KeyName": "k", "ProjectId": 0});
    let without_region = |emulator: Arc<Emulator>| {
        let params = params.clone();
        async move { send(&emulator, &Spec { region: None, ..Spec::new(CVM, "CreateKeyPair", &params, nonce()) }).await }
    };
    assert_eq!(without_region(cvm(CvmSettings::default())).await.code(), "MissingParameter");
    let other = cvm(CvmSettings { absent_region_code: CommonCode::InvalidParameter, ..CvmSettings::default() });
    assert_eq!(without_region(other).await.code(), "InvalidParameter");
}

#[tokio::test]
async fn l_cvm_24_project_id_can_be_optional() {
    let params = json!({"KeyName": "k"});
    assert_eq!(call(&cvm(CvmSettings::default()), CVM, "CreateKeyPair", params.clone()).await.code(), "MissingParameter");
    let optional = cvm(CvmSettings::from(CvmProjectIdSettings { required: false, ..Default::default() }));
    let answer = call(&optional, CVM, "CreateKeyPair", params).await;
    assert_eq!(answer.body.pointer("/Response/KeyPair/ProjectId"), Some(&json!(0)), "{}", answer.text);
}

// ---- the Tencent front doors ----

#[tokio::test]
async fn l_tc_1_error_status() {
    let params = json!({"KeyName": "", "ProjectId": 0});
    assert_eq!(call(&tencent(TencentSettings::default()), CVM, "CreateKeyPair", params.clone()).await.status, 200);
    let other = tencent(TencentSettings { error_status: 400, ..TencentSettings::default() });
    let answer = call(&other, CVM, "CreateKeyPair", params).await;
    assert_eq!((answer.status, answer.code()), (400, "InvalidKeyPairNameEmpty"));
}

#[tokio::test]
async fn l_tc_2_malformed_body_code() {
    let malformed = |emulator: Arc<Emulator>| async move { send_raw(&emulator, "POST", "/", &tc3_describe("{"), b"{".to_vec()).await };
    assert_eq!(malformed(tencent(TencentSettings::default())).await.code(), "InvalidParameter");
    let other = tencent(TencentSettings { malformed_body_code: CommonCode::InvalidParameterValue, ..TencentSettings::default() });
    assert_eq!(malformed(other).await.code(), "InvalidParameterValue");
}

#[tokio::test]
async fn l_tc_3_detail_can_be_appended() {
    let params = json!({"KeyName": "a".repeat(26), "ProjectId": 0});
    let plain = call(&tencent(TencentSettings::default()), CVM, "CreateKeyPair", params.clone()).await;
    assert_eq!(plain.message(), "The key name cannot exceed 25 characters.");
    let appended = tencent(TencentSettings { append_detail: true, ..TencentSettings::default() });
    let answer = call(&appended, CVM, "CreateKeyPair", params).await;
    assert_eq!(answer.message(), "The key name cannot exceed 25 characters. (got 26 characters, at most 25)");
}

#[tokio::test]
async fn l_tc_4_deprecated_warning() {
    let warning = |answer: Answer| answer.body.pointer("/Response/DeprecatedWarning").cloned();
    assert_eq!(warning(call(&tencent(TencentSettings::default()), CVM, "DescribeKeyPairs", json!({})).await), None);
    let warned = tencent(TencentSettings { deprecated_warning: Some("old".into()), ..TencentSettings::default() });
    assert_eq!(warning(call(&warned, CVM, "DescribeKeyPairs", json!({})).await), Some(json!("old")));
}

/// Ten DescribeKeyPairs (CVM's limit per second), 1.5 s later an eleventh: its code.
async fn eleventh_after_a_second_and_a_half(settings: TencentSettings) -> String {
    let (emulator, clock) = Setup { tencent: settings, rate_limits: true, ..Setup::default() }.build();
    for _ in 0..10 {
        assert_eq!(call(&emulator, CVM, "DescribeKeyPairs", json!({})).await.code(), "");
    }
    clock.advance_millis(1500);
    call(&emulator, CVM, "DescribeKeyPairs", json!({})).await.code().to_string()
}

#[tokio::test]
async fn l_tc_5_rate_window() {
    assert_eq!(eleventh_after_a_second_and_a_half(TencentSettings::default()).await, "");
    let two_seconds = TencentSettings { rate_window_millis: 2000, ..TencentSettings::default() };
    assert_eq!(eleventh_after_a_second_and_a_half(two_seconds).await, "RequestLimitExceeded");
}

#[tokio::test]
async fn l_tc_6_routing_headers_can_be_required_signed() {
    assert_eq!(call(&tencent(TencentSettings::default()), CVM, "DescribeKeyPairs", json!({})).await.code(), "");
    let strict = tencent(TencentSettings { require_signed_tc_headers: true, ..TencentSettings::default() });
    assert_eq!(call(&strict, CVM, "DescribeKeyPairs", json!({})).await.code(), "AuthFailure.SignatureFailure");
}

#[tokio::test]
async fn l_tc_7_tc3_signatures_can_be_remembered() {
    let twice = |emulator: Arc<Emulator>| async move {
        let headers = tc3_describe("{}");
        let first = send_raw(&emulator, "POST", "/", &headers, b"{}".to_vec()).await;
        assert_eq!(first.code(), "", "{}", first.text);
        send_raw(&emulator, "POST", "/", &headers, b"{}".to_vec()).await.code().to_string()
    };
    assert_eq!(twice(tencent(TencentSettings::default())).await, "", "served again, as on the cloud");
    let remembering = tencent(TencentSettings { remember_tc3_signatures: true, ..TencentSettings::default() });
    assert_eq!(twice(remembering).await, "AuthFailure.SignatureFailure");
}

#[tokio::test]
async fn l_tc_8_scope_date_check() {
    let another_date = |emulator: Arc<Emulator>| async move {
        let mut headers = tc3_describe("{}");
        let authorization = headers.iter_mut().find(|(n, _)| n == "Authorization").unwrap();
        authorization.1 = authorization.1.replace("/2025-01-01/", "/2024-12-31/");
        send_raw(&emulator, "POST", "/", &headers, b"{}".to_vec()).await.code().to_string()
    };
    assert_eq!(another_date(tencent(TencentSettings::default())).await, "AuthFailure.SignatureFailure");
    let unchecked = tencent(TencentSettings { check_scope_date: false, ..TencentSettings::default() });
    assert_eq!(another_date(unchecked).await, "");
}

#[tokio::test]
async fn l_tc_9_size_limits() {
    let long_get = |emulator: Arc<Emulator>| async move {
        let params = json!({"Filters": [{"Name": "key-name", "Values": ["a".repeat(300)]}]});
        send(&emulator, &Spec { method: "GET", ..Spec::new(CVM, "DescribeKeyPairs", &params, nonce()) }).await.code().to_string()
    };
    assert_eq!(long_get(tencent(TencentSettings::default())).await, "");
    let mut settings = TencentSettings::default();
    settings.size_limits.get_bytes = 256;
    assert_eq!(long_get(tencent(settings)).await, "RequestSizeLimitExceeded");
}

// ---- Lighthouse ----

#[tokio::test]
async fn l_lh_7_check_order_decides_which_fault_wins() {
    let tags: Vec<Value> = (0..11).map(|i| json!({"Key": format!("k{i}"), "Value": "v"})).collect();
    let both_wrong = json!({"KeyName": "", "Tags": tags});
    let default = call(&lighthouse(LighthouseSettings::default()), LIGHTHOUSE, "CreateKeyPair", both_wrong.clone()).await;
    assert_eq!(default.code(), "InvalidParameterValue.InvalidKeyPairNameEmpty");
    let order = vec![RequestCheck::Tags, RequestCheck::KeyName, RequestCheck::PublicKey];
    let tags_first = lighthouse(LighthouseSettings { check_order: order, ..LighthouseSettings::default() });
    assert_eq!(call(&tags_first, LIGHTHOUSE, "CreateKeyPair", both_wrong).await.code(), "InvalidParameterValue.LimitExceeded");
}

#[tokio::test]
async fn l_lh_9_key_name_filter() {
    let matches = |emulator| alpha_matches(emulator, LIGHTHOUSE, json!({"KeyName": "alpha_one"}));
    assert_eq!(matches(lighthouse(LighthouseSettings::default())).await, 1, "a fuzzy match");
    assert_eq!(matches(lighthouse(LighthouseSettings { key_name_filter: NameFilter::Exact, ..LighthouseSettings::default() })).await, 0);
}

#[tokio::test]
async fn l_lh_10_delete_found_deletes_the_known_ids() {
    let (unknown, not_found) = ("lhkp-00000000", "ResourceNotFound.KeyIdNotFound");
    let all_or_none = lighthouse(LighthouseSettings::default());
    let id = create_lighthouse(&all_or_none, "one").await;
    assert_eq!(delete_mixed(&all_or_none, LIGHTHOUSE, id, unknown, not_found).await, 1);
    let found = lighthouse(LighthouseSettings { delete_mode: DeleteMode::DeleteFound, ..LighthouseSettings::default() });
    let id = create_lighthouse(&found, "one").await;
    assert_eq!(delete_mixed(&found, LIGHTHOUSE, id, unknown, not_found).await, 0);
}

#[tokio::test]
async fn l_lh_11_create_can_answer_the_full_data_type() {
    let fields = |answer: Answer| answer.body.pointer("/Response/KeyPair").and_then(Value::as_object).unwrap().len();
    let example = call(&lighthouse(LighthouseSettings::default()), LIGHTHOUSE, "CreateKeyPair", json!({"KeyName": "k"})).await;
    assert_eq!(fields(example), 6);
    let full = lighthouse(LighthouseSettings { create_returns_data_type: true, ..LighthouseSettings::default() });
    assert_eq!(fields(call(&full, LIGHTHOUSE, "CreateKeyPair", json!({"KeyName": "k"})).await), 8);
}

// ---- the legacy endpoint ----

#[tokio::test]
async fn l_leg_2_implied_version() {
    let own = [("KeyName", "legacy"), ("ProjectId", "0")];
    let default = legacy_post(&legacy(LegacySettings::default()), &own, HOST, HOST).await;
    assert_eq!(default.code(), "MissingParameter");
    let implied = legacy(LegacySettings { implied_version: Some("2017-03-12".into()), ..LegacySettings::default() });
    let answer = legacy_post(&implied, &own, HOST, HOST).await;
    assert_eq!(answer.code(), "", "{}", answer.text);
}

#[tokio::test]
async fn l_leg_3_short_region_codes() {
    let own = [("KeyName", "legacy"), ("ProjectId", "0"), ("Version", "2017-03-12")];
    let with_region = |emulator: Arc<Emulator>, region: &'static str| async move {
        let mut own = own.to_vec();
        own.push(("Region", region));
        legacy_post(&emulator, &own, HOST, HOST).await.code().to_string()
    };
    assert_eq!(with_region(legacy(LegacySettings::default()), "gz").await, "");
    let codes = vec![("gzx".to_string(), "ap-guangzhou".to_string())];
    let renamed = legacy(LegacySettings { short_region_codes: codes, ..LegacySettings::default() });
    assert_eq!(with_region(renamed.clone(), "gzx").await, "");
    assert_eq!(with_region(renamed, "gz").await, "UnsupportedRegion");
}

#[tokio::test]
async fn l_leg_4_rate_bucket() {
    let after_ten_api3_creates = |settings: LegacySettings| async move {
        let provider: Box<dyn Provider> = Box::new(Legacy { settings });
        let (emulator, _) = Setup { providers: vec![provider], rate_limits: true, ..Setup::default() }.build();
        for _ in 0..10 {
            // Refused requests count too (L-TC-5), and are quick.
            call(&emulator, CVM, "CreateKeyPair", json!({"KeyName": "", "ProjectId": 0})).await;
        }
        let own = [("KeyName", "legacy"), ("ProjectId", "0"), ("Version", "2017-03-12")];
        legacy_post(&emulator, &own, HOST, HOST).await.code().to_string()
    };
    assert_eq!(after_ten_api3_creates(LegacySettings::default()).await, "");
    let shared = LegacySettings { rate_bucket: RateBucket::SharedWithCvm, ..LegacySettings::default() };
    assert_eq!(after_ten_api3_creates(shared).await, "RequestLimitExceeded");
}

#[tokio::test]
async fn l_leg_5_host_retried_with_port_80() {
    let own = [("KeyName", "legacy"), ("ProjectId", "0"), ("Version", "2017-03-12")];
    let sdk_style =
        |emulator: Arc<Emulator>| async move { legacy_post(&emulator, &own, "127.0.0.1:80", "127.0.0.1").await.code().to_string() };
    assert_eq!(sdk_style(legacy(LegacySettings::default())).await, "");
    let strict = legacy(LegacySettings { retry_host_with_port_80: false, ..LegacySettings::default() });
    assert_eq!(sdk_style(strict).await, "AuthFailure.SignatureFailure");
}

#[tokio::test]
async fn l_leg_6_tag_resource_type_on_the_legacy_endpoint() {
    let own = [
        ("KeyName", "legacy"),
        ("ProjectId", "0"),
        ("Version", "2017-03-12"),
        ("TagSpecification.0.ResourceType", "instance"),
        ("TagSpecification.0.Tags.0.Key", "env"),
        ("TagSpecification.0.Tags.0.Value", "ci"),
    ];
    assert_eq!(legacy_post(&cvm(CvmSettings::default()), &own, HOST, HOST).await.code(), "InvalidParameterValue");
    let other = cvm(CvmSettings {
        tags: CvmTagSettings { resource_type: "instance".into(), ..CvmTagSettings::default() },
        ..CvmSettings::default()
    });
    assert_eq!(legacy_post(&other, &own, HOST, HOST).await.code(), "");
}

// ---- ECS ----

async fn ecs_call(emulator: &Arc<Emulator>, action: &str, params: Value) -> Answer {
    call(emulator, ECS, action, params).await
}

async fn ecs_create(emulator: &Arc<Emulator>, region: &str, name: &str) -> Answer {
    ecs_call(emulator, "CreateKeyPair", json!({"RegionId": region, "KeyPairName": name})).await
}

#[tokio::test]
async fn l_ecs_3_names_can_be_account_wide() {
    let twice = |emulator: Arc<Emulator>| async move {
        assert_eq!(ecs_create(&emulator, "cn-hangzhou", "shared").await.code(), "");
        ecs_create(&emulator, "cn-shanghai", "shared").await.code().to_string()
    };
    assert_eq!(twice(ecs(EcsSettings::default())).await, "");
    assert_eq!(twice(ecs(EcsSettings { regional_key_pairs: false, ..EcsSettings::default() })).await, "KeyPair.AlreadyExist");
}

#[tokio::test]
async fn l_ecs_8_chinese_first_character() {
    assert_eq!(ecs_create(&ecs(EcsSettings::default()), "cn-hangzhou", "中文key").await.code(), "");
    let letter_first = ecs(EcsSettings { chinese_in_name: ChineseInName::NotFirst, ..EcsSettings::default() });
    assert_eq!(ecs_create(&letter_first, "cn-hangzhou", "中文key").await.code(), "InvalidKeyPairName.Malformed");
    assert_eq!(ecs_create(&letter_first, "cn-hangzhou", "key中文").await.code(), "");
}

#[tokio::test]
async fn l_ecs_11_reserved_tag_key_prefixes() {
    let params = json!({"RegionId": "cn-hangzhou", "KeyPairName": "tagged", "Tag": [{"Key": "aliyun-team", "Value": "x"}]});
    assert_eq!(ecs_call(&ecs(EcsSettings::default()), "CreateKeyPair", params.clone()).await.code(), "InvalidTagKey.Malformed");
    let none_reserved = ecs(EcsSettings { reserved_tag_key_prefixes: Vec::new(), ..EcsSettings::default() });
    assert_eq!(ecs_call(&none_reserved, "CreateKeyPair", params).await.code(), "");
}

#[tokio::test]
async fn l_ecs_12_max_tags() {
    let tags: Vec<Value> = (1..=3).map(|i| json!({"Key": format!("k{i}"), "Value": "v"})).collect();
    let params = json!({"RegionId": "cn-hangzhou", "KeyPairName": "tagged", "Tag": tags});
    assert_eq!(ecs_call(&ecs(EcsSettings::default()), "CreateKeyPair", params.clone()).await.code(), "");
    let two = ecs(EcsSettings { max_tags: 2, ..EcsSettings::default() });
    assert_eq!(ecs_call(&two, "CreateKeyPair", params).await.code(), "QuotaExceed.Tags");
}

#[tokio::test]
async fn l_ecs_14_check_order_decides_which_fault_wins() {
    let both_wrong = json!({"KeyPairName": "-bad"});
    let without_region = |emulator: Arc<Emulator>| {
        let params = both_wrong.clone();
        async move { send(&emulator, &Spec { region: None, ..Spec::new(ECS, "CreateKeyPair", &params, nonce()) }).await.code().to_string() }
    };
    assert_eq!(without_region(ecs(EcsSettings::default())).await, "MissingParameter");
    let order = vec![EcsCheck::KeyPairName, EcsCheck::RegionId, EcsCheck::PublicKeyBody, EcsCheck::ResourceGroupId, EcsCheck::Tags];
    let name_first = ecs(EcsSettings { check_order: order, ..EcsSettings::default() });
    assert_eq!(without_region(name_first).await, "InvalidKeyPairName.Malformed");
}

#[tokio::test]
async fn l_ecs_15_signature_statuses() {
    let product_pages = || EcsSettings::from(EcsGatewaySettings { auth_statuses: AuthStatuses::ProductPages, ..Default::default() });
    let mismatch = |settings: EcsSettings| async move {
        let provider: Box<dyn Provider> = Box::new(Ecs { settings, ..Ecs::default() });
        let (emulator, _) = Setup { providers: vec![provider], secret_key: "another-secret", ..Setup::default() }.build();
        let answer = ecs_call(&emulator, "DescribeKeyPairs", json!({"RegionId": "cn-hangzhou"})).await;
        assert_eq!(answer.code(), "SignatureDoesNotMatch", "{}", answer.text);
        answer.status
    };
    assert_eq!(mismatch(EcsSettings::default()).await, 400);
    assert_eq!(mismatch(product_pages()).await, 403);
    // An AccessKeyId no account has: 404 on the gateway's page, 400 on the product pages'.
    let unknown_key = |settings: EcsSettings| async move {
        let (emulator, _) = Setup { providers: vec![Box::new(Ecs { settings, ..Ecs::default() })], ..Setup::default() }.build();
        emulator.accounts.remove(SECRET_ID);
        let answer = ecs_call(&emulator, "DescribeKeyPairs", json!({"RegionId": "cn-hangzhou"})).await;
        assert_eq!(answer.code(), "InvalidAccessKeyId.NotFound", "{}", answer.text);
        answer.status
    };
    assert_eq!(unknown_key(EcsSettings::default()).await, 404);
    assert_eq!(unknown_key(product_pages()).await, 400);
}

/// The same DescribeKeyPairs twice with one nonce, `wait_secs` apart: the second answer's code.
async fn replayed_after(settings: EcsSettings, wait_secs: i64) -> String {
    let provider: Box<dyn Provider> = Box::new(Ecs { settings, ..Ecs::default() });
    let (emulator, clock) = Setup { providers: vec![provider], ..Setup::default() }.build();
    let params = json!({"RegionId": "cn-hangzhou"});
    let spec = Spec::new(ECS, "DescribeKeyPairs", &params, 777);
    assert_eq!(send(&emulator, &spec).await.code(), "");
    clock.advance_millis(wait_secs * 1000);
    send(&emulator, &spec).await.code().to_string()
}

#[tokio::test]
async fn l_ecs_16_nonces_can_be_forgotten() {
    assert_eq!(replayed_after(EcsSettings::default(), 0).await, "SignatureNonceUsed");
    assert_eq!(replayed_after(EcsSettings::from(EcsGatewaySettings { remember_nonces: false, ..Default::default() }), 0).await, "");
}

#[tokio::test]
async fn l_ecs_17_requests_per_second() {
    let second_call = |settings: EcsSettings| async move {
        let provider: Box<dyn Provider> = Box::new(Ecs { settings, ..Ecs::default() });
        let (emulator, _) = Setup { providers: vec![provider], rate_limits: true, ..Setup::default() }.build();
        assert_eq!(ecs_call(&emulator, "DescribeKeyPairs", json!({"RegionId": "cn-hangzhou"})).await.code(), "");
        ecs_call(&emulator, "DescribeKeyPairs", json!({"RegionId": "cn-hangzhou"})).await.code().to_string()
    };
    assert_eq!(second_call(EcsSettings::default()).await, "");
    assert_eq!(
        second_call(EcsSettings::from(EcsGatewaySettings { requests_per_second: Some(1), ..Default::default() })).await,
        "Throttling.User"
    );
}

#[tokio::test]
async fn l_ecs_18_format_without_parameter() {
    let acs3 = |emulator: Arc<Emulator>| async move {
        let params = json!({"RegionId": "cn-hangzhou"});
        send(&emulator, &Spec { signing: Signing::Acs3, ..Spec::new(ECS, "DescribeKeyPairs", &params, nonce()) }).await.content_type
    };
    assert!(acs3(ecs(EcsSettings::default())).await.starts_with("application/json"));
    let xml = ecs(EcsSettings::from(EcsGatewaySettings { format_without_parameter: FormatWithoutParameter::Xml, ..Default::default() }));
    assert!(acs3(xml).await.starts_with("text/xml"));
}

#[tokio::test]
async fn l_ecs_19_import_can_answer_the_key_pair_id() {
    let imported = |emulator: Arc<Emulator>| async move {
        let key = keypair_contract::keys::generate_rsa(1024).unwrap();
        let params = json!({"RegionId": "cn-hangzhou", "KeyPairName": "imported", "PublicKeyBody": key.public.openssh});
        ecs_call(&emulator, "ImportKeyPair", params).await.body
    };
    assert!(imported(ecs(EcsSettings::default())).await.get("KeyPairId").is_none());
    let with_id = ecs(EcsSettings { import_returns_key_pair_id: true, ..EcsSettings::default() });
    let answer = imported(with_id).await;
    assert!(answer.get("KeyPairId").and_then(Value::as_str).is_some_and(|id| id.starts_with("ssh-")), "{answer}");
}

#[tokio::test]
async fn l_ecs_21_host_id_form() {
    let host_id = |emulator: Arc<Emulator>| async move {
        let answer = ecs_create(&emulator, "cn-hangzhou", "-bad").await;
        answer.body.get("HostId").and_then(Value::as_str).unwrap_or_default().to_string()
    };
    assert_eq!(host_id(ecs(EcsSettings::default())).await, "ecs.cn-hangzhou.aliyuncs.com");
    assert_eq!(
        host_id(ecs(EcsSettings::from(EcsGatewaySettings { host_id_form: HostIdForm::Central, ..Default::default() }))).await,
        "ecs.aliyuncs.com"
    );
}

#[tokio::test]
async fn l_ecs_22_empty_fields_can_be_left_out() {
    let listed = |emulator: Arc<Emulator>| async move {
        assert_eq!(ecs_create(&emulator, "cn-hangzhou", "bare").await.code(), "");
        let answer = ecs_call(&emulator, "DescribeKeyPairs", json!({"RegionId": "cn-hangzhou"})).await;
        answer.body.pointer("/KeyPairs/KeyPair/0").and_then(Value::as_object).cloned().unwrap_or_else(|| panic!("{}", answer.text))
    };
    let filled = listed(ecs(EcsSettings::default())).await;
    let sparse = listed(ecs(EcsSettings { describe_fills_empty_fields: false, ..EcsSettings::default() })).await;
    for field in ["ResourceGroupId", "Tags"] {
        assert!(filled.contains_key(field) && !sparse.contains_key(field), "{field}: {filled:?} / {sparse:?}");
    }
}

/// An ECS request whose body is over a 1 KB limit: the answer.
async fn oversized(settings: EcsSettings) -> Answer {
    let provider: Box<dyn Provider> = Box::new(Ecs { settings, ..Ecs::default() });
    let (emulator, _) = Setup { providers: vec![provider], max_body_bytes: 1024, ..Setup::default() }.build();
    let headers = vec![("Host".to_string(), HOST.to_string()), ("Accept".to_string(), "application/json".to_string())];
    let body = format!("KeyPairName={}", "a".repeat(4096)).into_bytes();
    send_raw(&emulator, "POST", "/?AccessKeyId=x&Signature=y&Format=JSON", &headers, body).await
}

#[tokio::test]
async fn l_ecs_23_body_error_status() {
    let default = oversized(EcsSettings::default()).await;
    assert_eq!((default.status, default.code()), (400, "InvalidParameter"), "{}", default.text);
    let other = oversized(EcsSettings::from(EcsGatewaySettings { body_error_status: 413, ..Default::default() })).await;
    assert_eq!((other.status, other.code()), (413, "InvalidParameter"));
}

#[test]
fn l_ecs_24_the_harness_paces_ecs_by_its_run_option() {
    use clap::Parser as _;
    use keypair_contract::cli::{Cli, Command};
    use keypair_contract::run::pace::documented_rate;
    let ecs_rate = |args: &[&str]| match Cli::try_parse_from([&["keypair-contract", "run"], args].concat()).unwrap().command {
        Command::Run(run) => run.ecs_rate,
        other => panic!("{other:?}"),
    };
    assert_eq!(documented_rate("aliyun-ecs", "CreateKeyPair", ecs_rate(&[])), 5.0);
    assert_eq!(documented_rate("aliyun-ecs", "CreateKeyPair", ecs_rate(&["--ecs-rate", "2"])), 2.0);
}

#[tokio::test]
async fn l_ecs_25_detail_can_be_appended() {
    let plain = oversized(EcsSettings::default()).await;
    assert!(!plain.message().contains("(the body exceeds the size limit)"), "{}", plain.message());
    let appended = oversized(EcsSettings::from(EcsGatewaySettings { append_detail: true, ..Default::default() })).await;
    assert!(appended.message().ends_with("(the body exceeds the size limit)"), "{}", appended.message());
}

#[tokio::test]
async fn l_ecs_26_nonce_keep() {
    assert_eq!(replayed_after(EcsSettings::default(), 60).await, "SignatureNonceUsed");
    assert_eq!(
        replayed_after(EcsSettings::from(EcsGatewaySettings { nonce_keep: NonceKeep::Seconds(30), ..Default::default() }), 60).await,
        ""
    );
}
