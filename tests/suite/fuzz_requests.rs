//! Property-based fuzzing of every request parser, through the router as a client would reach it
//! (`emulator::router(...).oneshot(...)`): TC3 Authorization headers, signature v1 and legacy
//! query/form parameters, Alibaba RPC parameters, ACS3 headers, and JSON bodies of correctly
//! signed requests. Properties: nothing panics, and every answer is in its product's documented
//! envelope (Tencent: HTTP 200 `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`;
//! ECS: `Code`, `Message`, `RequestId` in JSON or XML with a 4xx/5xx status; unrouted: a 404 JSON
//! body naming the products). A small fixed budget keeps `cargo test` fast; raise `FUZZ_CASES` to
//! search longer. The cargo-fuzz targets under fuzz/ drive the same entry points.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::Request;
use keypair_contract::apis::{ApiProfile, Call, Credentials, aliyun_rpc::ECS, build_request, tencent_api3};
use keypair_contract::clock::{Clock, SystemClock};
use keypair_contract::emulator::{self, Emulator, EmulatorConfig, accounts};
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

fn config() -> ProptestConfig {
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    emulator: Arc<Emulator>,
}

impl Harness {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let emulator = Emulator::new(EmulatorConfig::default()).with_default_account();
        Self { runtime, emulator }
    }

    /// Sends `request`; returns status, content type and body text.
    fn send(&self, request: Request<Body>) -> (u16, String, String) {
        self.runtime.block_on(async {
            let response = emulator::router(self.emulator.clone()).oneshot(request).await.expect("the router is infallible");
            let status = response.status().as_u16();
            let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let body = to_bytes(response.into_body(), usize::MAX).await.expect("bodies are in memory");
            (status, content_type, String::from_utf8_lossy(&body).into_owned())
        })
    }
}

fn tencent_envelope((status, _, body): &(u16, String, String)) -> Result<(), String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body}"))?;
    if *status == 404 && value.get("supported").is_some() {
        return Ok(());
    }
    if *status != 200 {
        return Err(format!("status {status}: {body}"));
    }
    let response = value.get("Response").ok_or_else(|| format!("no Response: {body}"))?;
    response.get("RequestId").and_then(Value::as_str).ok_or_else(|| format!("no RequestId: {body}"))?;
    if let Some(error) = response.get("Error") {
        let code = error.get("Code").and_then(Value::as_str).ok_or_else(|| format!("no Code: {body}"))?;
        error.get("Message").and_then(Value::as_str).ok_or_else(|| format!("no Message: {body}"))?;
        if code == "InternalError" {
            return Err(format!("an internal error: {body}"));
        }
    }
    Ok(())
}

fn ecs_envelope((status, content_type, body): &(u16, String, String)) -> Result<(), String> {
    if *status == 200 {
        return if body.contains("RequestId") { Ok(()) } else { Err(format!("a success without RequestId: {body}")) };
    }
    if *status == 404 && body.contains("\"supported\"") {
        return Ok(());
    }
    if !(400..500).contains(status) {
        return Err(format!("status {status}: {body}"));
    }
    let fields = ["Code", "Message", "RequestId"];
    if content_type.contains("json") {
        let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body}"))?;
        for field in fields {
            value.get(field).and_then(Value::as_str).ok_or_else(|| format!("no {field}: {body}"))?;
        }
    } else {
        for field in fields {
            if !body.contains(&format!("<{field}>")) {
                return Err(format!("no <{field}>: {body}"));
            }
        }
    }
    Ok(())
}

/// Printable ASCII, what a header value may carry.
fn header_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0x20u8..0x7f, 0..max).prop_map(|b| String::from_utf8(b).unwrap())
}

/// Any text, control characters and non-ASCII included (for query and form values).
fn any_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..max).prop_map(|c| c.into_iter().collect())
}

/// Timestamps that are times, near and far, or not numbers at all.
fn timestamp() -> impl Strategy<Value = String> {
    let now = SystemClock.now_secs();
    prop_oneof![
        Just(now.to_string()),
        (-1_000_000_000_000i64..1_000_000_000_000).prop_map(|t| t.to_string()),
        "[0-9]{15,30}",
        header_text(24),
    ]
}

/// Timestamps at the ends of i64, where `now - timestamp` overflows.
fn extreme_timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|t| t.to_string()),
        Just(i64::MAX.to_string()),
        Just(i64::MIN.to_string()),
        (i64::MIN..i64::MIN + 1_000_000_000_000).prop_map(|t| t.to_string()),
    ]
}

fn tc3_authorization() -> impl Strategy<Value = String> {
    let date = prop_oneof![Just("2026-11-29".to_string()), "[0-9]{4}-[0-9]{2}-[0-9]{2}", header_text(12)];
    let service = prop_oneof![Just("cvm".to_string()), Just("lighthouse".to_string()), header_text(12)];
    let terminator = prop_oneof![Just("tc3_request".to_string()), header_text(12)];
    let signed = prop_oneof![Just("content-type;host".to_string()), Just("authorization;host".to_string()), header_text(40)];
    let structured = (date, service, terminator, signed, "[0-9a-f]{0,70}").prop_map(|(date, service, end, signed, sig)| {
        format!(
            "TC3-HMAC-SHA256 Credential={}/{date}/{service}/{end}, SignedHeaders={signed}, Signature={sig}",
            accounts::DEFAULT_SECRET_ID
        )
    });
    prop_oneof![
        structured,
        header_text(200).prop_map(|t| format!("TC3-HMAC-SHA256 {t}")),
        header_text(200).prop_map(|t| format!("TC3-{t}"))
    ]
}

fn form(params: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        serializer.append_pair(k, v);
    }
    serializer.finish()
}

/// Parameters drawn from a protocol's names (and strangers), with any values.
fn params(names: &'static [&'static str], must: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![4 => proptest::sample::select(names).prop_map(str::to_string), 1 => any_text(12)];
    proptest::collection::vec((name, any_text(40)), 0..12).prop_flat_map(move |pairs| {
        proptest::collection::vec(any_text(30), must.len()).prop_map(move |values| {
            let mut all: Vec<(String, String)> = must.iter().map(|m| m.to_string()).zip(values).collect();
            all.append(&mut pairs.clone());
            all
        })
    })
}

/// A POST to the emulator's router on the loopback Host, with `headers` in the order given.
fn post(uri: &str, headers: &[(&str, &str)], body: String) -> Request<Body> {
    headers
        .iter()
        .fold(Request::post(uri).header("host", "127.0.0.1"), |request, (name, value)| request.header(*name, *value))
        .body(Body::from(body))
        .unwrap()
}

fn request_with_params(path: &str, in_query: bool, pairs: &[(String, String)]) -> Request<Body> {
    let encoded = form(pairs);
    if in_query {
        Request::get(format!("{path}?{encoded}")).header("host", "127.0.0.1").body(Body::empty()).unwrap()
    } else {
        Request::post(path)
            .header("host", "127.0.0.1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(encoded))
            .unwrap()
    }
}

const V1_NAMES: &[&str] =
    &["Action", "SecretId", "Signature", "Timestamp", "Nonce", "Region", "Version", "SignatureMethod", "KeyName", "ProjectId", "KeyIds.0"];
const RPC_NAMES: &[&str] = &[
    "Action",
    "AccessKeyId",
    "Signature",
    "SignatureVersion",
    "SignatureMethod",
    "SignatureNonce",
    "Timestamp",
    "Version",
    "Format",
    "RegionId",
    "KeyPairName",
    "PublicKeyBody",
    "PageSize",
    "PageNumber",
    "KeyPairNames",
    "Tag.1.Key",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tc3_headers_never_panic_and_answer_in_the_tencent_envelope(
        auth in tc3_authorization(),
        ts in timestamp(),
        action in prop_oneof![Just("DescribeKeyPairs".to_string()), Just("ImportKeyPair".to_string()), header_text(20)],
        version in prop_oneof![Just("2017-03-12".to_string()), Just("2020-03-24".to_string()), header_text(12)],
        region in header_text(16),
        body in any_text(64),
    ) {
        let harness = Harness::new();
        let headers = [("content-type", "application/json"), ("authorization", &auth), ("x-tc-timestamp", &ts), ("x-tc-action", &action), ("x-tc-version", &version), ("x-tc-region", &region)];
        let request = post("/", &headers, body);
        let answer = harness.send(request);
        prop_assert!(tencent_envelope(&answer).is_ok(), "{:?}", tencent_envelope(&answer));
    }

    #[test]
    fn v1_and_legacy_parameters_answer_in_the_tencent_envelope(
        pairs in params(V1_NAMES, &["SecretId"]),
        legacy in any::<bool>(),
        in_query in any::<bool>(),
        ts in timestamp(),
    ) {
        let harness = Harness::new();
        let mut pairs = pairs;
        pairs.push(("Timestamp".into(), ts));
        let path = if legacy { "/v2/index.php" } else { "/" };
        let answer = harness.send(request_with_params(path, in_query, &pairs));
        prop_assert!(tencent_envelope(&answer).is_ok(), "{:?}", tencent_envelope(&answer));
    }

    #[test]
    fn alibaba_rpc_parameters_answer_in_the_ecs_envelope(
        pairs in params(RPC_NAMES, &["AccessKeyId", "SignatureVersion"]),
        in_query in any::<bool>(),
        ts in prop_oneof![Just("2026-11-29T12:00:00Z".to_string()), any_text(30), "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"],
    ) {
        let harness = Harness::new();
        let mut pairs = pairs;
        pairs.push(("Timestamp".into(), ts));
        let answer = harness.send(request_with_params("/", in_query, &pairs));
        prop_assert!(ecs_envelope(&answer).is_ok(), "{:?}", ecs_envelope(&answer));
    }

    #[test]
    fn acs3_headers_answer_in_the_ecs_envelope(
        auth in header_text(200),
        date in prop_oneof![Just("2026-11-29T12:00:00Z".to_string()), header_text(30)],
        action in prop_oneof![Just("DescribeKeyPairs".to_string()), header_text(20)],
        nonce in header_text(40),
        sha in header_text(70),
        body in any_text(64),
    ) {
        let harness = Harness::new();
        let auth = format!("ACS3-HMAC-SHA256 {auth}");
        let headers = [("authorization", auth.as_str()), ("x-acs-date", &date), ("x-acs-action", &action), ("x-acs-version", "2014-05-26"), ("x-acs-signature-nonce", &nonce), ("x-acs-content-sha256", &sha)];
        let request = post("/?RegionId=cn-hangzhou", &headers, body);
        let answer = harness.send(request);
        prop_assert!(ecs_envelope(&answer).is_ok(), "{:?}", ecs_envelope(&answer));
    }

    #[test]
    fn signed_json_bodies_answer_in_the_envelope(
        product in 0usize..3,
        action in proptest::sample::select(&["DescribeKeyPairs", "ImportKeyPair", "DeleteKeyPairs", "DisassociateInstancesKeyPairs"][..]),
        params in json_object(),
        nonce in any::<u64>(),
    ) {
        let harness = Harness::new();
        let profile: &ApiProfile = [&tencent_api3::CVM, &tencent_api3::LIGHTHOUSE, &ECS][product];
        let params = if product == 2 { flatten(&params) } else { params };
        let credentials = Credentials { id: accounts::DEFAULT_SECRET_ID.into(), secret: accounts::DEFAULT_SECRET_KEY.into() };
        let call = Call { region: Some(profile.default_region), method: "POST", ..Call::defaults(profile, action, &params) };
        let base: reqwest::Url = "http://127.0.0.1/".parse().unwrap();
        let out = build_request(profile, &base, &call, &credentials, SystemClock.now_secs(), nonce).unwrap();
        let url: reqwest::Url = out.url.parse().unwrap();
        let target = url.query().map(|q| format!("{}?{q}", url.path())).unwrap_or_else(|| url.path().to_string());
        let mut request = Request::builder().method(out.method.as_str()).uri(target);
        if !out.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            request = request.header("host", url.authority());
        }
        for (name, value) in &out.headers {
            request = request.header(name, value);
        }
        let answer = harness.send(request.body(Body::from(out.body)).unwrap());
        let checked = if product == 2 { ecs_envelope(&answer) } else { tencent_envelope(&answer) };
        prop_assert!(checked.is_ok(), "{:?}", checked);
        prop_assert!(!answer.2.contains("SignatureDoesNotMatch") && !answer.2.contains("AuthFailure"), "the harness signed it: {}", answer.2);
    }
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        any_text(30).prop_map(Value::String),
        Just(Value::String("skey-00000000".into())),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(any_text(10), inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const PARAM_NAMES: &[&str] = &[
    "KeyIds",
    "KeyName",
    "ProjectId",
    "PublicKey",
    "Filters",
    "Offset",
    "Limit",
    "KeyPairName",
    "PublicKeyBody",
    "KeyPairNames",
    "TagSpecification",
    "Tags",
    "InstanceIds",
];

fn json_object() -> impl Strategy<Value = Value> {
    let name = prop_oneof![4 => proptest::sample::select(PARAM_NAMES).prop_map(str::to_string), 1 => any_text(10)];
    proptest::collection::btree_map(name, json_value(), 0..6).prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// ECS parameters are flat strings.
fn flatten(params: &Value) -> Value {
    let map = params.as_object().cloned().unwrap_or_default();
    Value::Object(
        map.into_iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, Value::String(text))
            })
            .collect(),
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn openssh_public_keys_parse_or_fail_cleanly(line in any_text(300)) {
        let _ = keypair_contract::keys::parse_openssh_public(&line);
    }

    #[test]
    fn mutated_openssh_keys_parse_or_fail_cleanly(at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let valid = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDP0Yw2T4itUKOJQIK69c1Asy1UO88cxEbujR5Jbr0e/Ey1v4ZKAUzDnsBnFlf4hKPA1YvMB8RBYj4GcLtM7PrKnBNNram8rgl73X/klOO8oqKv+J/XUA7KHH1Y6wcn1RTRTMdDHbGhW1q/UpfeylNTbf+wEIWhEfaL5FKQm4hqCw== skey_112168";
        let mut bytes = valid.as_bytes().to_vec();
        let i = at.index(bytes.len());
        if cut { bytes.truncate(i) } else { bytes[i] = byte }
        let line = String::from_utf8_lossy(&bytes);
        if let Ok(key) = keypair_contract::keys::parse_openssh_public(&line) {
            prop_assert!(!key.algorithm.is_empty());
        }
    }

    #[test]
    fn base64_noise_after_an_algorithm_fails_cleanly(
        algorithm in proptest::sample::select(&["ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-dss"][..]),
        blob in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        use base64::Engine;
        let line = format!("{algorithm} {}", base64::engine::general_purpose::STANDARD.encode(blob));
        let _ = keypair_contract::keys::parse_openssh_public(&line);
    }
}

proptest! {
    #![proptest_config(config())]

    /// Clock-skew arithmetic with extreme timestamps (issue 11: it overflowed on TC3 and the legacy
    /// endpoint — a panic in a debug build, an accepted request in release).
    #[test]
    fn extreme_timestamps_are_refused_on_every_scheme(ts in extreme_timestamp(), scheme in 0usize..3) {
        let harness = Harness::new();
        let answer = match scheme {
            0 => {
                let auth = format!("TC3-HMAC-SHA256 Credential={}/2026-11-29/cvm/tc3_request, SignedHeaders=content-type;host, Signature=00", accounts::DEFAULT_SECRET_ID);
                let ts = ts.to_string();
                harness.send(post("/", &[("content-type", "application/json"), ("authorization", &auth), ("x-tc-timestamp", &ts), ("x-tc-action", "DescribeKeyPairs"), ("x-tc-version", "2017-03-12")], "{}".into()))
            }
            n => {
                let pairs: Vec<(String, String)> = [
                    ("Action", "CreateKeyPair"),
                    ("SecretId", accounts::DEFAULT_SECRET_ID),
                    ("Signature", "x"),
                    ("Nonce", "1"),
                    ("Region", "ap-guangzhou"),
                    ("Version", "2017-03-12"),
                    ("Timestamp", ts.as_str()),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                harness.send(request_with_params(if n == 1 { "/" } else { "/v2/index.php" }, true, &pairs))
            }
        };
        prop_assert!(tencent_envelope(&answer).is_ok(), "{:?}", tencent_envelope(&answer));
        prop_assert!(answer.2.contains("\"Error\""), "an extreme timestamp was accepted: {}", answer.2);
    }
}

proptest! {
    #![proptest_config(config())]

    /// The header parsers on their own: any text parses or is refused, never panics.
    #[test]
    fn authorization_parsers_parse_or_refuse(text in any_text(300), tc3 in tc3_authorization()) {
        for value in [text.as_str(), tc3.as_str()] {
            let _ = keypair_contract::sign::tc3::parse_authorization(value);
            let _ = keypair_contract::sign::acs3::parse_authorization(value);
            let _ = keypair_contract::sign::acs3::canonical_query_string(value);
        }
    }

    #[test]
    fn decoded_forms_give_a_percent_encoded_string_to_sign(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let params = keypair_contract::sign::decode_form(&bytes);
        let sts = keypair_contract::sign::acs_rpc::string_to_sign("POST", &params);
        prop_assert!(sts.starts_with("POST&%2F&"));
        prop_assert!(sts.bytes().all(|b| b.is_ascii_graphic()), "the string to sign is percent-encoded ASCII: {}", sts);
    }
}
