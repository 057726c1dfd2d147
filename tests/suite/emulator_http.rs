//! The emulator over real HTTP on loopback: bad input of every kind gets Tencent's documented
//! envelope (never a panic or a hang), auth failures get the common codes, concurrent creates of
//! one name give exactly one success, and the requests recorded from the official SDK are accepted.

use std::net::SocketAddr;
use std::sync::Arc;

use keypair_contract::clock::ManualClock;
use keypair_contract::emulator::{self, Emulator, EmulatorConfig, accounts::AccountSettings};
use keypair_contract::sign::{HttpParts, tc3};
use serde_json::{Value, json};

const ID: &str = "AKIDtestaccount";
const KEY: &str = "test-secret";

async fn start() -> emulator::EmulatorHandle {
    let emulator = Emulator::new(EmulatorConfig::default());
    emulator.accounts.add(ID, KEY, AccountSettings::default());
    emulator::start(emulator, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A TC3-signed POST of raw `body` bytes; `tweak` may spoil the headers after signing.
async fn post(
    handle: &emulator::EmulatorHandle,
    action: &str,
    body: Vec<u8>,
    secret: &str,
    timestamp: i64,
    tweak: impl Fn(&mut Vec<(String, String)>),
) -> (u16, String, Value) {
    let host = handle.addr.to_string();
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("Host".to_string(), host.clone()),
        ("X-TC-Action".to_string(), action.to_string()),
        ("X-TC-Version".to_string(), "2017-03-12".to_string()),
        ("X-TC-Timestamp".to_string(), timestamp.to_string()),
        ("X-TC-Region".to_string(), "ap-guangzhou".to_string()),
    ];
    let parts = HttpParts { method: "POST", path: "/", query: "", headers: &headers, body: &body };
    let auth = tc3::sign(&parts, ID, secret, "cvm", timestamp, &["content-type", "host"]).unwrap();
    headers.push(("Authorization".into(), auth));
    tweak(&mut headers);
    let client = reqwest::Client::new();
    let mut request = client.post(format!("http://{host}/")).body(body);
    for (name, value) in headers.iter().filter(|(n, _)| n != "Host") {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body: Value = response.json().await.unwrap();
    (status, content_type, body)
}

fn code(body: &Value) -> &str {
    body.pointer("/Response/Error/Code").and_then(Value::as_str).unwrap_or("(success)")
}

#[tokio::test]
async fn bad_input_gets_the_documented_envelope() {
    let handle = start().await;
    let json = |v: Value| serde_json::to_vec(&v).unwrap();
    let (status, content_type, body) = post(&handle, "CreateKeyPair", b"{not json".to_vec(), KEY, now(), |_| {}).await;
    assert_eq!((status, content_type.as_str(), code(&body)), (200, "application/json", "InvalidParameter"));
    assert!(body["Response"]["RequestId"].is_string());
    let (_, _, body) = post(&handle, "CreateKeyPair", json(json!({"KeyName": 42, "ProjectId": 0})), KEY, now(), |_| {}).await;
    assert_eq!(code(&body), "InvalidParameter", "a wrong type");
    let (_, _, body) = post(&handle, "CreateKeyPair", json(json!(["a list"])), KEY, now(), |_| {}).await;
    assert_eq!(code(&body), "InvalidParameter");
    let huge = vec![b' '; 10 * 1024 * 1024 + 10];
    let (_, _, body) = post(&handle, "CreateKeyPair", huge, KEY, now(), |_| {}).await;
    assert_eq!(code(&body), "RequestSizeLimitExceeded");
    let (_, _, body) = post(&handle, "CreateKeyPair", json(json!({})), KEY, now(), |h| {
        h.iter_mut().filter(|(n, _)| n == "Authorization").for_each(|(_, v)| *v = "TC3-HMAC-SHA256 garbage".into())
    })
    .await;
    assert_eq!(code(&body), "AuthFailure.InvalidAuthorization");
}

#[tokio::test]
async fn auth_and_routing_failures_use_the_common_codes() {
    let handle = start().await;
    let body = serde_json::to_vec(&json!({})).unwrap();
    assert_eq!(code(&post(&handle, "DescribeKeyPairs", body.clone(), "wrong", now(), |_| {}).await.2), "AuthFailure.SignatureFailure");
    assert_eq!(code(&post(&handle, "DescribeKeyPairs", body.clone(), KEY, now() - 301, |_| {}).await.2), "AuthFailure.SignatureExpire");
    assert_eq!(code(&post(&handle, "RebootInstances", body.clone(), KEY, now(), |_| {}).await.2), "InvalidAction");
    // The version header is not signed (SignedHeaders=content-type;host), so it can be changed.
    let (_, _, reply) = post(&handle, "DescribeKeyPairs", body.clone(), KEY, now(), |h| {
        h.iter_mut().filter(|(n, _)| n == "X-TC-Version").for_each(|(_, v)| *v = "2099-01-01".into())
    })
    .await;
    assert_eq!(code(&reply), "NoSuchVersion");
    let (_, _, reply) = post(&handle, "DescribeKeyPairs", body.clone(), KEY, now(), |h| {
        h.iter_mut().filter(|(n, _)| n == "Authorization").for_each(|(_, v)| *v = v.replace(ID, "AKIDunknown"))
    })
    .await;
    assert_eq!(code(&reply), "AuthFailure.SecretIdNotFound");
    let response = reqwest::get(format!("{}/nothing-here", handle.base_url())).await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.unwrap();
    assert!(body["supported"].as_array().is_some_and(|p| !p.is_empty()), "{body}");
}

#[tokio::test]
async fn concurrent_creates_of_one_name_give_exactly_one_success() {
    let handle = Arc::new(start().await);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let handle = handle.clone();
        tasks.spawn(async move {
            let body = serde_json::to_vec(&json!({"KeyName": "same_name", "ProjectId": 0})).unwrap();
            code(&post(&handle, "CreateKeyPair", body, KEY, now(), |_| {}).await.2).to_string()
        });
    }
    let mut codes = Vec::new();
    while let Some(code) = tasks.join_next().await {
        codes.push(code.unwrap());
    }
    codes.sort();
    let successes = codes.iter().filter(|c| *c == "(success)").count();
    assert_eq!(successes, 1, "{codes:?}");
    assert!(codes.iter().all(|c| c == "(success)" || c == "InvalidKeyPairName.Duplicate"), "{codes:?}");
}

/// What the official SDK's request gets on a fresh account: the answer it saw from the cloud for a
/// new name (success for CreateKeyPair / ImportKeyPair, an empty list for DescribeKeyPairs of a key
/// the account does not hold), or the documented code when the recorded KeyId does not exist here.
fn expected_outcome(name: &str) -> &'static str {
    match name {
        "tencent-cvm-CreateKeyPair.json" | "tencent-cvm-ImportKeyPair.json" => "(success)",
        "tencent-cvm-DescribeKeyPairs.json"
        | "tencent-cvm-DescribeKeyPairs-tc3-get.json"
        | "tencent-cvm-DescribeKeyPairs-v1-hmacsha256.json" => "(success)",
        "tencent-cvm-DeleteKeyPairs.json" => "InvalidKeyPairId.NotFound",
        "tencent-cvm-DescribeKeyPairs-wrong-secret.json" => "AuthFailure.SignatureFailure",
        other => panic!("{other}: a new CVM vector; add the outcome the SDK saw to expected_outcome()"),
    }
}

/// Every recorded official-SDK request for CVM, over real HTTP on a free loopback port, answers what
/// the SDK saw. The vectors were signed for `Host: 127.0.0.1:18080`, so that Host header is sent as
/// recorded to whatever port the emulator got: no fixed port is needed.
#[tokio::test]
async fn requests_recorded_from_the_official_sdk_get_the_answer_the_sdk_saw() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sdk-requests");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("tencent-cvm-") && !name.starts_with("tencent-cvm-legacy") && name.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "the CVM API 3.0 vectors (4 actions, 2 optional profiles, 1 wrong secret): {names:?}");
    for name in names {
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(&name)).unwrap()).unwrap();
        let clock = ManualClock::at_secs(1_735_689_600);
        let emulator = Emulator::new(EmulatorConfig { clock, ..EmulatorConfig::default() });
        emulator.accounts.add("AKIDEXAMPLE", "secretEXAMPLE", AccountSettings::default());
        let handle = emulator::start(emulator.clone(), SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let request = &vector["request"];
        let method = reqwest::Method::from_bytes(request["method"].as_str().unwrap().as_bytes()).unwrap();
        let body = base64_decode(request["body_base64"].as_str().unwrap());
        let url = format!("http://{}{}", handle.addr, request["target"].as_str().unwrap());
        let mut builder = reqwest::Client::new().request(method, url).body(body);
        let mut host_sent = false;
        for header in request["headers"].as_array().unwrap() {
            let (k, v) = (header[0].as_str().unwrap(), header[1].as_str().unwrap());
            host_sent |= k.eq_ignore_ascii_case("host");
            if !["content-length", "connection", "accept-encoding"].contains(&k.to_ascii_lowercase().as_str()) {
                builder = builder.header(k, v);
            }
        }
        assert!(host_sent, "{name}: the recorded request has a Host header");
        let reply: Value = builder.send().await.unwrap().json().await.unwrap();
        assert_eq!(code(&reply), expected_outcome(&name), "{name}: {reply}");
        assert!(reply["Response"]["RequestId"].is_string(), "{name}: {reply}");
        match vector["action"].as_str().unwrap() {
            "CreateKeyPair" if vector["expected_verdict"] == "accept" => {
                let pair = &reply["Response"]["KeyPair"];
                assert_eq!(pair["KeyName"], "vector_key_1", "{name}");
                assert!(pair["PrivateKey"].as_str().unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{name}");
            }
            "ImportKeyPair" => {
                let key_id = reply["Response"]["KeyId"].as_str().unwrap_or_else(|| panic!("{name}: {reply}"));
                assert!(key_id.starts_with("skey-") && key_id.len() == 13, "{name}: {key_id}");
                let listed = describe_as_vector_account(&handle).await;
                assert_eq!(listed["Response"]["TotalCount"], 1, "{name}: the imported key is held: {listed}");
                assert_eq!(listed["Response"]["KeyPairSet"][0]["KeyId"], key_id, "{name}");
            }
            "DescribeKeyPairs" if vector["expected_verdict"] == "accept" => {
                assert_eq!(reply["Response"]["TotalCount"], 0, "{name}: {reply}");
            }
            _ => {}
        }
        drop(handle);
    }
}

/// DescribeKeyPairs as the vectors' account (`AKIDEXAMPLE`), at the vectors' time, signed here.
async fn describe_as_vector_account(handle: &emulator::EmulatorHandle) -> Value {
    let timestamp = 1_735_689_600;
    let host = handle.addr.to_string();
    let body = b"{}".to_vec();
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("Host".to_string(), host.clone()),
        ("X-TC-Action".to_string(), "DescribeKeyPairs".to_string()),
        ("X-TC-Version".to_string(), "2017-03-12".to_string()),
        ("X-TC-Timestamp".to_string(), timestamp.to_string()),
        ("X-TC-Region".to_string(), "ap-guangzhou".to_string()),
    ];
    let parts = HttpParts { method: "POST", path: "/", query: "", headers: &headers, body: &body };
    let auth = tc3::sign(&parts, "AKIDEXAMPLE", "secretEXAMPLE", "cvm", timestamp, &["content-type", "host"]).unwrap();
    headers.push(("Authorization".into(), auth));
    let mut request = reqwest::Client::new().post(format!("http://{host}/")).body(body);
    for (name, value) in headers.iter().filter(|(n, _)| n != "Host") {
        request = request.header(name, value);
    }
    request.send().await.unwrap().json().await.unwrap()
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}
