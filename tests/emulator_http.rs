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

/// Every recorded official-SDK request for CVM is accepted at its timestamp (business errors are
/// fine — the recorded KeyIds do not exist here — auth errors are not); the wrong-secret one is not.
#[tokio::test]
async fn requests_recorded_from_the_official_sdk_are_accepted() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sdk-requests");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("tencent-cvm-") || name.starts_with("tencent-cvm-legacy") {
            continue;
        }
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let clock = ManualClock::at_secs(1_735_689_600);
        let emulator = Emulator::new(EmulatorConfig { clock, ..EmulatorConfig::default() });
        emulator.accounts.add("AKIDEXAMPLE", "secretEXAMPLE", AccountSettings::default());
        // The vectors were signed for Host 127.0.0.1:18080: serve exactly there, or skip loudly.
        // The previous vector's emulator may still be releasing the port: retry for up to 5 s.
        let mut attempt = 0;
        let handle = loop {
            match emulator::start(emulator.clone(), "127.0.0.1:18080".parse().unwrap()).await {
                Ok(handle) => break handle,
                Err(e) if attempt >= 100 => panic!("port 18080 is needed to replay {name} (the Host is signed): {e}"),
                Err(_) => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        };
        let request = &vector["request"];
        let client = reqwest::Client::new();
        let method = reqwest::Method::from_bytes(request["method"].as_str().unwrap().as_bytes()).unwrap();
        let body = base64_decode(request["body_base64"].as_str().unwrap());
        let mut builder = client.request(method, format!("http://127.0.0.1:18080{}", request["target"].as_str().unwrap())).body(body);
        for header in request["headers"].as_array().unwrap() {
            let (k, v) = (header[0].as_str().unwrap(), header[1].as_str().unwrap());
            if !["host", "content-length", "connection", "accept-encoding"].contains(&k.to_ascii_lowercase().as_str()) {
                builder = builder.header(k, v);
            }
        }
        let reply: Value = builder.send().await.unwrap().json().await.unwrap();
        let got = code(&reply);
        if vector["expected_verdict"] == "accept" {
            assert!(!got.starts_with("AuthFailure"), "{name}: {got}");
        } else {
            assert_eq!(got, "AuthFailure.SignatureFailure", "{name}");
        }
        checked += 1;
        drop(handle);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(checked >= 6, "only {checked} CVM vectors found");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}
