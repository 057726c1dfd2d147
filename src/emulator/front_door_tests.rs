//! Router-level tests (no port, except where a malformed HTTP body needs a real socket) of what
//! every front door must refuse: a TC3 scope that does not match the request, timestamps far
//! from now on every signature scheme, and bodies over the size limit or not well-formed; and the
//! control API's endpoints, each of which the suite otherwise reaches only through the runner.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde_json::Value;
use tower::ServiceExt;

use super::accounts::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
use super::{Emulator, EmulatorConfig, router};
use crate::clock::ManualClock;
use crate::sign::{self, HttpParts};

/// 2025-01-01T00:00:00Z.
const NOW: i64 = 1_735_689_600;
/// A small body limit, so the tests need no large bodies.
const LIMIT: usize = 4096;

fn emulator() -> Arc<Emulator> {
    let config = EmulatorConfig { control_api: true, clock: ManualClock::at_secs(NOW), max_body_bytes: LIMIT, ..EmulatorConfig::default() };
    Emulator::new(config).with_default_account()
}

async fn send(emulator: &Arc<Emulator>, request: Request<Body>) -> (u16, Value) {
    let response = router(emulator.clone()).oneshot(request).await.expect("the router is infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into())))
}

/// The Tencent error code of an API 3.0 answer, or `ok`.
fn tencent_code(body: &Value) -> String {
    body["Response"]["Error"]["Code"].as_str().unwrap_or("ok").to_string()
}

/// A TC3-signed DescribeKeyPairs for CVM at `timestamp`; `edit` may change the Authorization.
fn tc3(timestamp: i64, edit: impl Fn(String) -> String) -> Request<Body> {
    tc3_to("cvm", "2017-03-12", timestamp, edit)
}

/// A TC3-signed DescribeKeyPairs for the product `service` (of `version`) at `timestamp`.
fn tc3_to(service: &str, version: &str, timestamp: i64, edit: impl Fn(String) -> String) -> Request<Body> {
    let body = b"{}".to_vec();
    let headers: Vec<(String, String)> = [
        ("content-type", "application/json"),
        ("host", "127.0.0.1"),
        ("x-tc-action", "DescribeKeyPairs"),
        ("x-tc-version", version),
        ("x-tc-region", "ap-guangzhou"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([("x-tc-timestamp".to_string(), timestamp.to_string())])
    .collect();
    let parts = HttpParts::post(&headers, &body);
    let authorization =
        sign::tc3::sign(&parts, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, service, timestamp, &["content-type", "host"]).unwrap();
    let mut request = Request::post("/");
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    request.header("authorization", edit(authorization)).body(Body::from(body)).unwrap()
}

/// A signature-v1 GET on `path` at `timestamp` (Tencent API 3.0 at `/`, legacy at `/v2/index.php`).
fn v1(path: &str, timestamp: &str) -> Request<Body> {
    let mut params: Vec<(String, String)> = [
        ("Action", "CreateKeyPair"),
        ("Version", "2017-03-12"),
        ("Region", "ap-guangzhou"),
        ("SecretId", DEFAULT_SECRET_ID),
        ("Nonce", "12345"),
        ("Timestamp", timestamp),
        ("SignatureMethod", "HmacSHA256"),
        ("KeyName", "k"),
        ("ProjectId", "0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let signature = sign::tencent_v1::sign("GET", "127.0.0.1", path, &params, DEFAULT_SECRET_KEY, sign::tencent_v1::V1Method::HmacSha256);
    params.push(("Signature".into(), signature));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
    Request::get(format!("{path}?{query}")).header("host", "127.0.0.1").body(Body::empty()).unwrap()
}

/// An Alibaba RPC DescribeKeyPairs at `timestamp` (RPC signature in the query).
fn rpc(timestamp: &str, body: Body) -> Request<Body> {
    let mut params: Vec<(String, String)> = [
        ("AccessKeyId", DEFAULT_SECRET_ID),
        ("Action", "DescribeKeyPairs"),
        ("Version", "2014-05-26"),
        ("RegionId", "cn-hangzhou"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", "nonce-1"),
        ("Timestamp", timestamp),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let signature = sign::acs_rpc::sign("POST", &params, DEFAULT_SECRET_KEY);
    params.push(("Signature".into(), signature));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
    Request::post(format!("/?{query}")).header("host", "127.0.0.1").body(body).unwrap()
}

/// An ACS3 request (its signature is not checked before the tests' refusals).
fn acs3(date: &str, body: Body) -> Request<Body> {
    Request::post("/")
        .header("host", "127.0.0.1")
        .header("accept", "application/json")
        .header("x-acs-action", "DescribeKeyPairs")
        .header("x-acs-version", "2014-05-26")
        .header("x-acs-date", date)
        .header("x-acs-signature-nonce", "nonce-2")
        .header("authorization", format!("ACS3-HMAC-SHA256 Credential={DEFAULT_SECRET_ID},SignedHeaders=host,Signature=00"))
        .body(body)
        .unwrap()
}

#[tokio::test]
async fn a_tc3_scope_date_other_than_the_timestamps_utc_date_is_refused() {
    let emulator = emulator();
    let (_, body) = send(&emulator, tc3(NOW, |a| a)).await;
    assert_eq!(tencent_code(&body), "ok", "the unedited request is valid: {body}");
    for date in ["2025-01-02", "2024-12-31", "1999-99-99", "2025-1-01"] {
        let (_, body) = send(&emulator, tc3(NOW, |a| a.replace("/2025-01-01/", &format!("/{date}/")))).await;
        assert_eq!(tencent_code(&body), "AuthFailure.SignatureFailure", "scope date {date}");
    }
}

#[tokio::test]
async fn a_tc3_scope_names_the_products_service_and_ends_in_tc3_request() {
    let emulator = emulator();
    let (_, body) = send(&emulator, tc3(NOW, |a| a.replace("/cvm/", "/cbs/"))).await;
    assert_eq!(tencent_code(&body), "AuthFailure.SignatureFailure", "another service's scope does not verify: {body}");
    let (_, body) = send(&emulator, tc3(NOW, |a| a.replace("tc3_request", "tc4_request"))).await;
    assert_eq!(tencent_code(&body), "AuthFailure.InvalidAuthorization");
}

#[tokio::test]
async fn extreme_timestamps_are_refused_on_every_scheme() {
    let emulator = emulator();
    for timestamp in [i64::MIN, i64::MIN + 1, -1, i64::MAX, NOW + 301] {
        let (_, body) = send(&emulator, tc3(timestamp, |a| a)).await;
        assert_eq!(tencent_code(&body), "AuthFailure.SignatureExpire", "TC3 at {timestamp}");
        let (_, body) = send(&emulator, v1("/", &timestamp.to_string())).await;
        assert_eq!(tencent_code(&body), "AuthFailure.SignatureExpire", "v1 at {timestamp}");
        let (_, body) = send(&emulator, v1("/v2/index.php", &timestamp.to_string())).await;
        assert_eq!(tencent_code(&body), "AuthFailure.SignatureExpire", "legacy at {timestamp}");
    }
    for time in ["9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "1970-01-01T00:00:00Z"] {
        let (status, body) = send(&emulator, rpc(time, Body::empty())).await;
        assert_eq!((status, body["Code"].as_str()), (400, Some("InvalidTimeStamp.Expired")), "RPC at {time}");
        let (status, body) = send(&emulator, acs3(time, Body::empty())).await;
        assert_eq!((status, body["Code"].as_str()), (400, Some("InvalidTimeStamp.Expired")), "ACS3 at {time}");
    }
    for time in ["99999-01-01T00:00:00Z", "2025-13-01T00:00:00Z", "9223372036854775807"] {
        let (_, body) = send(&emulator, rpc(time, Body::empty())).await;
        assert_eq!(body["Code"], "InvalidTimeStamp.Format", "RPC at {time}");
        let (_, body) = send(&emulator, acs3(time, Body::empty())).await;
        assert_eq!(body["Code"], "InvalidTimeStamp.Format", "ACS3 at {time}");
    }
}

/// A body over the limit, declared by Content-Length or not.
fn oversized(declared: bool) -> (Body, Option<String>) {
    let bytes = vec![b'x'; LIMIT + 1];
    let length = declared.then(|| bytes.len().to_string());
    (Body::from(bytes), length)
}

fn with_length(mut request: Request<Body>, length: Option<String>) -> Request<Body> {
    if let Some(length) = length {
        request.headers_mut().insert("content-length", length.parse().unwrap());
    }
    request
}

#[tokio::test]
async fn an_oversized_body_gets_the_size_error_on_every_front_door() {
    let emulator = emulator();
    for declared in [true, false] {
        let (body, length) = oversized(declared);
        let request = Request::post("/")
            .header("content-type", "application/json")
            .header("x-tc-action", "DescribeKeyPairs")
            .header("authorization", "TC3-HMAC-SHA256 Credential=x/2025-01-01/cvm/tc3_request, SignedHeaders=host, Signature=0")
            .body(body)
            .unwrap();
        let (_, answer) = send(&emulator, with_length(request, length)).await;
        assert_eq!(tencent_code(&answer), "RequestSizeLimitExceeded", "API 3.0, declared {declared}");

        let (body, length) = oversized(declared);
        let request = Request::post("/v2/index.php").header("content-type", "application/x-www-form-urlencoded").body(body).unwrap();
        let (_, answer) = send(&emulator, with_length(request, length)).await;
        assert_eq!(tencent_code(&answer), "RequestSizeLimitExceeded", "legacy, declared {declared}");

        let (body, length) = oversized(declared);
        let (status, answer) = send(&emulator, with_length(rpc("2025-01-01T00:00:00Z", body), length)).await;
        assert_eq!((status, answer["Code"].as_str()), (400, Some("InvalidParameter")), "RPC, declared {declared}: {answer}");

        let (body, length) = oversized(declared);
        let (status, answer) = send(&emulator, with_length(acs3("2025-01-01T00:00:00Z", body), length)).await;
        assert_eq!((status, answer["Code"].as_str()), (400, Some("InvalidParameter")), "ACS3, declared {declared}: {answer}");

        let (body, length) = oversized(declared);
        let request = Request::post("/_emulator/accounts").header("content-type", "application/json").body(body).unwrap();
        let (status, answer) = send(&emulator, with_length(request, length)).await;
        assert_eq!(status, 413, "control API, declared {declared}: {answer}");
    }
    // No account was created by the refused control requests: only the default one exists.
    let (status, _) = send(&emulator, Request::get(format!("/_emulator/accounts/{DEFAULT_SECRET_ID}")).body(Body::empty()).unwrap()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_oversized_control_body_creates_no_account() {
    let emulator = emulator();
    let (body, _) = oversized(false);
    let request = Request::post("/_emulator/accounts").body(body).unwrap();
    let (status, answer) = send(&emulator, request).await;
    assert_eq!((status, answer.get("secret_id")), (413, None), "{answer}");
    let (status, answer) = send(&emulator, Request::post("/_emulator/accounts").body(Body::from("{}")).unwrap()).await;
    assert_eq!(status, 200, "a body within the limit still creates one: {answer}");
}

#[tokio::test]
async fn a_malformed_chunk_size_is_a_malformed_request_not_a_size_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let handle = super::start(emulator(), std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(handle.addr).await.unwrap();
    let request = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-TC-Action: DescribeKeyPairs\r\n\
                   Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.contains("\"InvalidRequest\""), "{answer}");
    assert!(!answer.contains("RequestSizeLimitExceeded"), "{answer}");
}

#[tokio::test]
async fn each_tencent_form_has_its_documented_size_limit() {
    let emulator = Emulator::new(EmulatorConfig { clock: ManualClock::at_secs(NOW), ..EmulatorConfig::default() }).with_default_account();
    // v1 POST: 1 MB.
    let form = format!("SecretId={DEFAULT_SECRET_ID}&Padding={}", "x".repeat(1024 * 1024));
    for path in ["/", "/v2/index.php"] {
        let request =
            Request::post(path).header("content-type", "application/x-www-form-urlencoded").body(Body::from(form.clone())).unwrap();
        let (_, body) = send(&emulator, request).await;
        assert_eq!(tencent_code(&body), "RequestSizeLimitExceeded", "v1 POST to {path}");
    }
    // GET: 32 KB.
    let query = format!("SecretId={DEFAULT_SECRET_ID}&Padding={}", "x".repeat(32 * 1024));
    let (_, body) = send(&emulator, Request::get(format!("/?{query}")).body(Body::empty()).unwrap()).await;
    assert_eq!(tencent_code(&body), "RequestSizeLimitExceeded", "GET");
    // TC3 POST: the 10 MB limit; a 1 MB body is still read and authenticated.
    let request = tc3(NOW, |a| a);
    let (parts, _) = request.into_parts();
    let mut request = Request::from_parts(parts, Body::from(format!("{{\"Padding\": \"{}\"}}", "x".repeat(1024 * 1024))));
    request.headers_mut().remove("content-length");
    let (_, body) = send(&emulator, request).await;
    assert_eq!(tencent_code(&body), "AuthFailure.SignatureFailure", "a TC3 body past 1 MB is not a size error: {body}");
}

#[tokio::test]
async fn throttling_names_the_actions_documented_limit() {
    let emulator = emulator();
    // Lighthouse documents 100 DescribeKeyPairs a second, CVM 10 (their action tables).
    for (service, version, limit) in [("lighthouse", "2020-03-24", 100), ("cvm", "2017-03-12", 10)] {
        for i in 0..limit {
            let (_, body) = send(&emulator, tc3_to(service, version, NOW, |a| a)).await;
            assert_eq!(tencent_code(&body), "ok", "{service} request {i} is within the limit: {body}");
        }
        let (_, body) = send(&emulator, tc3_to(service, version, NOW, |a| a)).await;
        assert_eq!(tencent_code(&body), "RequestLimitExceeded", "{service}");
        let message = body["Response"]["Error"]["Message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("frequency limit `{limit}` for a second")), "{service}: {message}");
    }
}

#[tokio::test]
async fn an_unrouted_request_is_told_every_front_door_and_how_it_is_recognised() {
    let emulator = emulator();
    let (status, body) = send(&emulator, Request::get("/nowhere").body(Body::empty()).unwrap()).await;
    assert_eq!(status, 404, "{body}");
    let supported = body["supported"].as_array().cloned().unwrap_or_default();
    // One entry per API (the API 3.0 and STS front doors serve no product of their own).
    let products: Vec<(&str, &str)> =
        supported.iter().map(|p| (p["product"].as_str().unwrap_or(""), p["path"].as_str().unwrap_or(""))).collect();
    assert_eq!(
        products,
        [("tencent-cvm-legacy", "/v2/index.php"), ("tencent-cvm", "/"), ("tencent-lighthouse", "/"), ("aliyun-ecs", "/")],
        "{body}"
    );
    assert!(supported.iter().all(|p| p["recognised_by"].as_str().is_some_and(|r| !r.is_empty())), "{body}");
    // At `/` without a signature scheme's marks (TC3 or ACS3 Authorization, X-TC-* headers, a v1
    // SecretId, or RPC's AccessKeyId with Signature or SignatureVersion), no product claims it either.
    for query in ["", "?Action=DescribeKeyPairs", "?AccessKeyId=x", "?Signature=x&SignatureVersion=1.0"] {
        let (status, body) = send(&emulator, Request::get(format!("/{query}")).body(Body::empty()).unwrap()).await;
        assert_eq!(status, 404, "GET /{query}: {body}");
    }
    // And each is found by that name, as `Registry::replacing` finds the provider a test swaps in.
    for (name, _) in products {
        assert_eq!(emulator.providers.get(name).map(|p| p.name()), Some(name));
    }
}

/// A control API request to `/_emulator/{path}` with `body`.
fn control(method: &str, path: &str, body: &str) -> Request<Body> {
    Request::builder().method(method).uri(format!("/_emulator/{path}")).body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn the_control_api_creates_configures_faults_lists_resets_and_removes_an_account() {
    let emulator = emulator();
    let (status, created) = send(&emulator, control("POST", "accounts", " \n")).await;
    assert_eq!(status, 200, "a blank body is every setting's default: {created}");
    let id = created["secret_id"].as_str().unwrap_or_default().to_string();
    assert!(created["account_id"].is_string() && created["secret_key"].as_str().is_some_and(|k| k.len() == 32), "{created}");
    assert_eq!(emulator.accounts.get(&id).map(|a| a.secret_key().to_string()), created["secret_key"].as_str().map(str::to_string));

    let settings = r#"{"quotas": {"tencent-cvm.key-pairs": 3}, "rate_limits": false}"#;
    assert_eq!(send(&emulator, control("PUT", &format!("accounts/{id}/settings"), settings)).await.0, 200);
    let fault = r#"{"api": "tencent-cvm", "action": "CreateKeyPair", "code": "InternalServerError"}"#;
    assert_eq!(send(&emulator, control("POST", &format!("accounts/{id}/faults"), fault)).await.0, 200);
    let (status, listed) = send(&emulator, control("GET", &format!("accounts/{id}"), "")).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["account_id"], created["account_id"]);
    assert_eq!((&listed["settings"]["quotas"]["tencent-cvm.key-pairs"], &listed["settings"]["rate_limits"]), (&3.into(), &false.into()));
    assert_eq!(listed["faults"][0]["code"], "InternalServerError", "{listed}");
    let products: Vec<&str> = listed["state"].as_object().map(|s| s.keys().map(String::as_str).collect()).unwrap_or_default();
    assert!(products.contains(&"tencent-cvm") && products.contains(&"aliyun-ecs"), "every product lists its state: {listed}");

    assert_eq!(send(&emulator, control("POST", &format!("accounts/{id}/reset"), "")).await.0, 200);
    let (_, listed) = send(&emulator, control("GET", &format!("accounts/{id}"), "")).await;
    assert_eq!(listed["faults"], serde_json::json!([]), "a reset forgets the faults: {listed}");
    assert_eq!(listed["settings"]["quotas"]["tencent-cvm.key-pairs"], 3, "and keeps the settings: {listed}");

    assert_eq!(send(&emulator, control("DELETE", &format!("accounts/{id}"), "")).await.0, 200);
    assert!(emulator.accounts.get(&id).is_none());
    let (status, gone) = send(&emulator, control("GET", &format!("accounts/{id}"), "")).await;
    assert_eq!(status, 404, "{gone}");
    assert!(gone["error"].as_str().is_some_and(|e| e.contains(&id)), "the answer names the secret id: {gone}");
}

#[tokio::test]
async fn the_control_api_refuses_unknown_endpoints_bad_bodies_and_is_off_unless_enabled() {
    let emulator = emulator();
    let (status, answer) = send(&emulator, control("PATCH", "accounts", "{}")).await;
    assert_eq!(status, 404, "{answer}");
    assert!(answer["error"].as_str().is_some_and(|e| e.contains("PATCH /_emulator/accounts")), "{answer}");
    let (status, answer) = send(&emulator, control("POST", "accounts", r#"{"quotas": 1}"#)).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"].as_str().is_some_and(|e| e.starts_with("bad control request body")), "{answer}");
    let (status, _) = send(&emulator, control("POST", "accounts", r#"{"unknown": 1}"#)).await;
    assert_eq!(status, 400, "unknown settings are refused");
    let (status, _) = send(&emulator, control("PUT", &format!("accounts/{DEFAULT_SECRET_ID}/settings"), "{")).await;
    assert_eq!(status, 400);
    assert!(emulator.accounts.get(DEFAULT_SECRET_ID).is_some_and(|a| a.settings().rate_limits), "a refused body changes nothing");

    let off = Emulator::new(EmulatorConfig { control_api: false, ..EmulatorConfig::default() });
    let (status, answer) = send(&off, control("POST", "accounts", "{}")).await;
    assert_eq!(status, 404, "{answer}");
    assert!(answer["error"].as_str().is_some_and(|e| e.contains("--control")), "the answer says how to enable it: {answer}");
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_not() {
    let emulator = emulator();
    for (size, expected) in [(LIMIT, 200), (LIMIT + 1, 413)] {
        // Settings JSON padded with spaces to `size` bytes, its length declared.
        let body = format!("{{}}{}", " ".repeat(size - 2));
        let request = Request::post("/_emulator/accounts").header("content-length", size.to_string()).body(Body::from(body)).unwrap();
        let (status, answer) = send(&emulator, request).await;
        assert_eq!(status, expected, "{size} bytes declared: {answer}");
    }
}

#[tokio::test]
async fn an_oversized_request_no_product_claims_is_told_its_size_not_that_nothing_serves_it() {
    let emulator = emulator();
    for declared in [true, false] {
        let (body, length) = oversized(declared);
        let (status, answer) = send(&emulator, with_length(Request::post("/").body(body).unwrap(), length)).await;
        assert_eq!(status, 413, "declared {declared}: {answer}");
        assert!(answer["error"].as_str().is_some_and(|e| e.contains("size limit")), "{answer}");
    }
}
