//! The emulator against requests it did not build itself: the raw requests recorded from the
//! official SDKs (`tests/vectors/sdk-requests/`) are replayed byte for byte through
//! `router(..).oneshot(..)`, with the clock pinned at the vectors' time (2025-01-01T00:00:00Z) and
//! the vectors' account (`AKIDEXAMPLE` / `secretEXAMPLE`).
//!
//! * every vector, replayed alone on a fresh account, gets the answer the SDK saw: CreateKeyPair and
//!   ImportKeyPair succeed (the name is free), DescribeKeyPairs of the recorded KeyId lists nothing,
//!   DeleteKeyPairs of it is the documented not-found code, every `reject` vector is
//!   `AuthFailure.SignatureFailure`; in sequence, the import after the create is a duplicate;
//! * the legacy CVM v2 vectors (qcloudapi-sdk-python, HmacSHA1 GET and HmacSHA256 form POST) create
//!   a CVM key that API 3.0 DescribeKeyPairs lists; one changed Signature character is refused;
//! * the documented GET form of Lighthouse CreateKeyPair (seed 001 §4) works signed with TC3 and
//!   with signature v1, built by the harness's own request builders.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt as _;
use keypair_contract::apis::{self, Credentials, Outgoing, Signing};
use keypair_contract::clock::ManualClock;
use keypair_contract::emulator::accounts::AccountSettings;
use keypair_contract::emulator::{Emulator, EmulatorConfig, router};
use keypair_contract::sign::tencent_v1;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::common::recorded::Recorded;

/// 2025-01-01T00:00:00Z, the time every SDK vector is pinned at.
const VECTOR_TIME: i64 = 1_735_689_600;
const SECRET_ID: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "secretEXAMPLE";
/// The endpoint the vectors were recorded against; signed into every one of them.
const VECTOR_HOST: &str = "127.0.0.1:18080";

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sdk-requests")
}

fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Vector files whose name starts with `prefix`, sorted; finding none is an error.
fn vector_names(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors/sdk-requests exists")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no vectors named {prefix}*.json");
    names
}

fn emulator() -> (Arc<Emulator>, Arc<ManualClock>) {
    let clock = ManualClock::at_secs(VECTOR_TIME);
    let config = EmulatorConfig { clock: clock.clone(), ..EmulatorConfig::default() };
    let emulator = Emulator::new(config);
    emulator.accounts.add(SECRET_ID, SECRET_KEY, AccountSettings::default());
    (emulator, clock)
}

fn recorded(vector: &Value) -> Recorded {
    Recorded::from_json(vector["file"].as_str().unwrap_or("a recorded request"), &vector["request"])
}

async fn send(emulator: &Arc<Emulator>, request: &Recorded) -> Value {
    let mut builder = Request::builder().method(request.method.as_str()).uri(request.target());
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = router(emulator.clone()).oneshot(builder.body(Body::from(request.body.clone())).unwrap()).await.unwrap();
    assert_eq!(response.status(), 200, "Tencent answers every error with HTTP 200");
    assert_eq!(response.headers()["content-type"], "application/json");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// Sends a request built by the harness, with the Host header reqwest would add.
async fn send_built(emulator: &Arc<Emulator>, out: &Outgoing) -> Value {
    let url: reqwest::Url = out.url.parse().unwrap();
    let mut headers = out.headers.clone();
    headers.push(("Host".into(), apis::tencent_api3::authority(&url).unwrap()));
    let (path, query) = (url.path().to_string(), url.query().unwrap_or_default().to_string());
    send(emulator, &Recorded { file: "built".into(), method: out.method.clone(), path, query, headers, body: out.body.clone() }).await
}

fn error_code(body: &Value) -> Option<&str> {
    body.pointer("/Response/Error/Code").and_then(Value::as_str)
}

/// Changes one character of the `Signature` value in `text` (a query string or form body).
fn tamper(text: &str) -> String {
    let start = text.find("Signature=").expect("a Signature parameter") + "Signature=".len();
    let mut chars: Vec<char> = text.chars().collect();
    let index = text[..start].chars().count();
    chars[index] = if chars[index] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

fn describe_cvm(base: &reqwest::Url, now: i64) -> Outgoing {
    let params = json!({});
    let call = apis::Call {
        action: "DescribeKeyPairs",
        version: "2017-03-12",
        region: Some("ap-guangzhou"),
        method: "POST",
        signing: Signing::Tc3,
        params: &params,
    };
    let credentials = Credentials { id: SECRET_ID.into(), secret: SECRET_KEY.into() };
    apis::build_request(&apis::tencent_api3::CVM, base, &call, &credentials, now, 1).unwrap()
}

/// The answer the SDK saw for a vector replayed alone on a fresh account (the name it creates or
/// imports is free; the KeyId it names, `skey-abcd1234` / `lhkp-abcd1234`, is not held): `None` for
/// success, else the error code.
fn outcome_on_a_fresh_account(name: &str, vector: &Value) -> Option<&'static str> {
    if vector["expected_verdict"] == "reject" {
        return Some("AuthFailure.SignatureFailure");
    }
    match vector["action"].as_str().unwrap() {
        "CreateKeyPair" | "ImportKeyPair" | "DescribeKeyPairs" => None,
        "DeleteKeyPairs" if name.starts_with("tencent-lighthouse-") => Some("ResourceNotFound.KeyIdNotFound"),
        "DeleteKeyPairs" => Some("InvalidKeyPairId.NotFound"),
        other => panic!("{name}: no expected outcome for {other}"),
    }
}

#[tokio::test]
async fn every_recorded_tencent_request_gets_the_answer_the_sdk_saw() {
    // 7 CVM API 3.0 vectors (4 actions, 2 optional profiles, 1 wrong secret) and 5 Lighthouse ones.
    for (prefix, count) in [("tencent-lighthouse-", 5), ("tencent-cvm-", 9)] {
        let names = vector_names(prefix);
        assert_eq!(names.len(), count, "{prefix}*.json: {names:?}");
        for name in names {
            let (emulator, _clock) = emulator();
            let vector = load(&name);
            let body = send(&emulator, &recorded(&vector)).await;
            assert_eq!(error_code(&body), outcome_on_a_fresh_account(&name, &vector), "{name}: {body}");
            assert!(body["Response"]["RequestId"].is_string(), "{name}: {body}");
            let response = &body["Response"];
            match (vector["action"].as_str().unwrap(), vector["expected_verdict"].as_str().unwrap()) {
                ("CreateKeyPair", _) => {
                    assert_eq!(response["KeyPair"]["KeyName"], "vector_key_1", "{name}");
                    assert!(response["KeyPair"]["PrivateKey"].as_str().is_some_and(|k| k.starts_with("-----BEGIN ")), "{name}");
                }
                ("ImportKeyPair", _) => {
                    let sent: Value = serde_json::from_slice(&recorded(&vector).body).unwrap();
                    let key_id = response["KeyId"].as_str().unwrap_or_else(|| panic!("{name}: {body}"));
                    assert!(key_id.starts_with("skey-") || key_id.starts_with("lhkp-"), "{name}: {key_id}");
                    assert!(sent["PublicKey"].as_str().unwrap().starts_with("ssh-rsa "), "{name}");
                }
                ("DescribeKeyPairs", "accept") => {
                    assert_eq!(response["TotalCount"], 0, "{name}: the recorded KeyId is not held: {body}");
                    assert_eq!(response["KeyPairSet"], json!([]), "{name}");
                }
                _ => {}
            }
        }
    }
}

/// In the order an SDK user would send them, on one account: the create succeeds, the import of the
/// same name is a duplicate, and DescribeKeyPairs by the recorded KeyId still finds nothing.
#[tokio::test]
async fn recorded_tencent_requests_in_sequence_see_the_state_they_made() {
    for (prefix, duplicate) in
        [("tencent-cvm-", "InvalidKeyPairName.Duplicate"), ("tencent-lighthouse-", "InvalidParameterValue.DuplicateParameterValue")]
    {
        let (emulator, _clock) = emulator();
        let create = send(&emulator, &recorded(&load(&format!("{prefix}CreateKeyPair.json")))).await;
        assert_eq!(error_code(&create), None, "{prefix}: {create}");
        let import = send(&emulator, &recorded(&load(&format!("{prefix}ImportKeyPair.json")))).await;
        assert_eq!(error_code(&import), Some(duplicate), "{prefix}: {import}");
    }
}

#[tokio::test]
async fn lighthouse_sdk_create_answers_the_documented_fields() {
    let (emulator, _clock) = emulator();
    let body = send(&emulator, &recorded(&load("tencent-lighthouse-CreateKeyPair.json"))).await;
    let pair = &body["Response"]["KeyPair"];
    let fields: Vec<&str> = pair.as_object().unwrap_or_else(|| panic!("{body}")).keys().map(String::as_str).collect();
    assert_eq!(fields, ["KeyId", "KeyName", "PublicKey", "AssociatedInstanceIds", "CreatedTime", "PrivateKey"]);
    assert!(regex::Regex::new(r"^lhkp-[0-9a-z]{8}$").unwrap().is_match(pair["KeyId"].as_str().unwrap()));
    assert_eq!(pair["KeyName"], "vector_key_1");
    assert_eq!(pair["CreatedTime"], "2025-01-01T00:00:00Z", "created_time_null_on_create defaults to false");
    assert!(pair["PrivateKey"].as_str().unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    // Lighthouse keys are not CVM keys.
    let cvm = send_built(&emulator, &describe_cvm(&format!("http://{VECTOR_HOST}").parse().unwrap(), VECTOR_TIME)).await;
    assert_eq!(cvm["Response"]["TotalCount"], 0, "{cvm}");
}

#[tokio::test]
async fn legacy_vectors_create_cvm_keys_that_api3_lists() {
    for name in ["tencent-cvm-legacy-CreateKeyPair-hmacsha1.json", "tencent-cvm-legacy-CreateKeyPair-hmacsha256.json"] {
        let (emulator, _clock) = emulator();
        let body = send(&emulator, &recorded(&load(name))).await;
        assert_eq!(error_code(&body), None, "{name}: {body}");
        let pair = &body["Response"]["KeyPair"];
        assert_eq!(pair["KeyName"], "vector_key_1", "{name}");
        assert_eq!(pair["ProjectId"], 0, "{name}");
        let key_id = pair["KeyId"].as_str().unwrap().to_string();
        assert!(key_id.starts_with("skey-"), "{name}: {key_id}");
        assert!(body["Response"]["RequestId"].is_string());

        let listed = send_built(&emulator, &describe_cvm(&format!("http://{VECTOR_HOST}").parse().unwrap(), VECTOR_TIME)).await;
        assert_eq!(listed["Response"]["TotalCount"], 1, "{name}: {listed}");
        assert_eq!(listed["Response"]["KeyPairSet"][0]["KeyId"], key_id.as_str());

        // The same request again: the name is taken, in CVM's own words.
        let again = send(&emulator, &recorded(&load(name))).await;
        assert_eq!(error_code(&again), Some("InvalidKeyPairName.Duplicate"), "{name}: {again}");
    }
}

#[tokio::test]
async fn legacy_vectors_with_one_signature_character_changed_are_refused() {
    for name in ["tencent-cvm-legacy-CreateKeyPair-hmacsha1.json", "tencent-cvm-legacy-CreateKeyPair-hmacsha256.json"] {
        let (emulator, _clock) = emulator();
        let mut request = recorded(&load(name));
        if request.method == "GET" {
            request.query = tamper(&request.query);
        } else {
            request.body = tamper(&String::from_utf8(request.body).unwrap()).into_bytes();
        }
        let body = send(&emulator, &request).await;
        assert_eq!(error_code(&body), Some("AuthFailure.SignatureFailure"), "{name}: {body}");
    }
}

#[tokio::test]
async fn legacy_vectors_outside_the_clock_window_expire() {
    let (emulator, clock) = emulator();
    clock.advance_millis(301_000);
    let body = send(&emulator, &recorded(&load("tencent-cvm-legacy-CreateKeyPair-hmacsha1.json"))).await;
    assert_eq!(error_code(&body), Some("AuthFailure.SignatureExpire"), "{body}");
}

/// A legacy request signed here, for the cases no vector covers.
fn legacy_request(host_signed: &str, host_sent: &str, params: &[(&str, &str)]) -> Recorded {
    let mut pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    pairs.push(("SecretId".into(), SECRET_ID.into()));
    pairs.push(("Timestamp".into(), VECTOR_TIME.to_string()));
    pairs.push(("Nonce".into(), "9223372036854775807".into()));
    pairs.push(("SignatureMethod".into(), "HmacSHA1".into()));
    let signature = tencent_v1::sign("GET", host_signed, "/v2/index.php", &pairs, SECRET_KEY, tencent_v1::V1Method::HmacSha1);
    pairs.push(("Signature".into(), signature));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    Recorded {
        file: "signed here".into(),
        method: "GET".into(),
        path: "/v2/index.php".into(),
        query,
        headers: vec![("Host".into(), host_sent.into())],
        body: vec![],
    }
}

#[tokio::test]
async fn legacy_front_door_rules() {
    let (emulator, _clock) = emulator();
    let create = [("Action", "CreateKeyPair"), ("Version", "2017-03-12"), ("KeyName", "short_region"), ("ProjectId", "0")];

    // A legacy short region code, and the qcloudapi habit of signing `host:80` but sending `host`.
    let mut params = create.to_vec();
    params.push(("Region", "gz"));
    let body = send(&emulator, &legacy_request("cvm.example:80", "cvm.example", &params)).await;
    assert_eq!(error_code(&body), None, "{body}");

    // Seed 002's codes come from the CVM rules; the front door's own rules (apis.md §2).
    // What is wrong, the parameters that make it so, and the code it is refused with.
    type Refusal<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let refused: [Refusal; 5] = [
        (
            "an illegal name",
            &[
                ("Action", "CreateKeyPair"),
                ("Version", "2017-03-12"),
                ("KeyName", "bad-name"),
                ("ProjectId", "0"),
                ("Region", "ap-guangzhou"),
            ],
            "InvalidKeyPairNameIncludeIllegalChar",
        ),
        ("no Region", &[("Action", "CreateKeyPair"), ("Version", "2017-03-12"), ("KeyName", "k"), ("ProjectId", "0")], "MissingParameter"),
        ("an action the endpoint lacks", &[("Action", "DescribeKeyPairs"), ("Version", "2017-03-12"), ("Region", "gz")], "InvalidAction"),
        ("no Version", &[("Action", "CreateKeyPair"), ("Region", "gz"), ("keyName", "k")], "MissingParameter"),
        ("another Version", &[("Action", "CreateKeyPair"), ("Version", "2020-03-24"), ("Region", "gz")], "NoSuchVersion"),
    ];
    for (what, sent, code) in refused {
        let body = send(&emulator, &legacy_request(VECTOR_HOST, VECTOR_HOST, sent)).await;
        assert_eq!(error_code(&body), Some(code), "{what}: {body}");
    }

    // A Host that differs from the signed one is not forgiven.
    let body = send(&emulator, &legacy_request("cvm.example:8080", "cvm.example", &params)).await;
    assert_eq!(error_code(&body), Some("AuthFailure.SignatureFailure"), "{body}");
}

#[tokio::test]
async fn lighthouse_documented_get_form_works_with_tc3_and_v1() {
    let (emulator, _clock) = emulator();
    let base: reqwest::Url = format!("http://{VECTOR_HOST}").parse().unwrap();
    let credentials = Credentials { id: SECRET_ID.into(), secret: SECRET_KEY.into() };
    let cases = [
        ("GET", Signing::Tc3, None),
        ("GET", Signing::HmacSha1, Some("ap-guangzhou")),
        ("POST", Signing::HmacSha256, None),
        ("POST", Signing::Tc3, Some("ap-guangzhou")),
    ];
    for (i, (method, signing, region)) in cases.into_iter().enumerate() {
        let params = json!({"KeyName": format!("test_create_{i}")});
        let call = apis::Call { action: "CreateKeyPair", version: "2020-03-24", region, method, signing, params: &params };
        let out = apis::build_request(&apis::tencent_api3::LIGHTHOUSE, &base, &call, &credentials, VECTOR_TIME, i as u64).unwrap();
        let body = send_built(&emulator, &out).await;
        assert_eq!(error_code(&body), None, "{method} {}: {body}", signing.as_str());
        assert_eq!(body["Response"]["KeyPair"]["KeyName"], format!("test_create_{i}"));
    }
    let params = json!({"Filters": [{"Name": "key-name", "Values": ["test_create"]}]});
    let call = apis::Call {
        action: "DescribeKeyPairs",
        version: "2020-03-24",
        region: None,
        method: "GET",
        signing: Signing::Tc3,
        params: &params,
    };
    let out = apis::build_request(&apis::tencent_api3::LIGHTHOUSE, &base, &call, &credentials, VECTOR_TIME, 9).unwrap();
    let body = send_built(&emulator, &out).await;
    assert_eq!(body["Response"]["TotalCount"], 4, "key-name is a fuzzy match: {body}");
    assert!(body["Response"]["KeyPairSet"][0]["CreatedTime"].is_string());
}

#[tokio::test]
async fn lighthouse_denied_actions_answer_no_permission() {
    let (emulator, _clock) = emulator();
    let account = emulator.accounts.get(SECRET_ID).unwrap();
    let mut settings = account.settings();
    settings.deny.insert("tencent-lighthouse:CreateKeyPair".into());
    account.update_settings(settings);
    let body = send(&emulator, &recorded(&load("tencent-lighthouse-CreateKeyPair.json"))).await;
    assert_eq!(error_code(&body), Some("UnauthorizedOperation.NoPermission"), "{body}");
    let body = send(&emulator, &recorded(&load("tencent-lighthouse-DescribeKeyPairs.json"))).await;
    assert_eq!(error_code(&body), None, "only the denied action is refused: {body}");
}

#[tokio::test]
async fn injected_faults_answer_per_front_door() {
    use keypair_contract::emulator::accounts::Fault;
    let (emulator, _clock) = emulator();
    let account = emulator.accounts.get(SECRET_ID).unwrap();
    let fault = |api: &str, code: &str| Fault { api: api.into(), action: "CreateKeyPair".into(), code: code.into() };
    account.add_fault(fault("tencent-lighthouse", "FailedOperation.CreateKeyPairFailed"));
    account.add_fault(fault("tencent-cvm-legacy", "InternalServerError"));

    let body = send(&emulator, &recorded(&load("tencent-lighthouse-CreateKeyPair.json"))).await;
    assert_eq!(
        body["Response"]["Error"],
        json!({"Code": "FailedOperation.CreateKeyPairFailed", "Message": "Failed to create the key pair."})
    );
    // The API 3.0 CVM door has no fault pending; the legacy door has one.
    let body = send(&emulator, &recorded(&load("tencent-cvm-legacy-CreateKeyPair-hmacsha1.json"))).await;
    assert_eq!(error_code(&body), Some("InternalServerError"), "{body}");
    let body = send(&emulator, &recorded(&load("tencent-cvm-legacy-CreateKeyPair-hmacsha1.json"))).await;
    assert_eq!(error_code(&body), None, "a fault fires once: {body}");
}
