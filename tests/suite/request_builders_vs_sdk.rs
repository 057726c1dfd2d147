//! The harness's request builders (`apis::build_request`) against the official SDKs' own
//! requests (`tests/vectors/sdk-requests/`, recorded from the SDKs; an independent oracle): the same
//! inputs, clock (2025-01-01T00:00:00Z) and nonce give the same request.
//!
//! Where the recording allows, the very same signature:
//! * TC3 over GET (`tencent-cvm-DescribeKeyPairs-tc3-get`): the same URL and Authorization, byte for byte;
//! * signature v1 on API 3.0 and the legacy endpoint: the same `Signature` once the SDK's own extra
//!   parameters (`RequestClient`, `Language`) are passed as call parameters, with the SDK's nonce.
//!
//! Where it does not, everything but what the SDK chose differently:
//! * TC3 over POST JSON: Python writes `{"KeyName": "k"}` where serde writes `{"KeyName":"k"}`, so the
//!   payload hash differs; the parameters, the X-TC headers and the signed headers are the SDK's, and
//!   signing the SDK's body bytes with the builder's headers gives the SDK's Authorization;
//! * Alibaba RPC and ACS3: the SDKs' nonces are hex strings and the builder's are integers; every other
//!   parameter (RPC) or header and the query (ACS3) are the SDK's.

use std::collections::BTreeMap;

use keypair_contract::apis::{self, ApiProfile, Call, Credentials, Outgoing, Signing};
use keypair_contract::sign::{self, HttpParts, tc3};
use serde_json::Value;

use crate::common::recorded::Recorded;

const VECTOR_TIME: i64 = 1_735_689_600;
const BASE: &str = "http://127.0.0.1:18080";

/// A recorded SDK request with its whole vector (action, version, …).
struct Sdk {
    vector: Value,
    request: Recorded,
}

impl Sdk {
    fn load(file: &str) -> Self {
        let (vector, request) = Recorded::load_sdk_request(file);
        Sdk { vector, request }
    }
}

impl std::ops::Deref for Sdk {
    type Target = Recorded;
    fn deref(&self) -> &Recorded {
        &self.request
    }
}

/// The recorded files of one SDK's four key-pair actions (`<prefix><Action>.json`).
fn key_pair_actions(prefix: &str) -> Vec<String> {
    ["CreateKeyPair", "DeleteKeyPairs", "DescribeKeyPairs", "ImportKeyPair"].iter().map(|action| format!("{prefix}{action}.json")).collect()
}

fn build(profile: &ApiProfile, call: &Call<'_>, id: &str, nonce: u64) -> Outgoing {
    let credentials = Credentials { id: id.into(), secret: "secretEXAMPLE".into() };
    apis::build_request(profile, &BASE.parse().unwrap(), call, &credentials, VECTOR_TIME, nonce).unwrap()
}

fn header<'a>(out: &'a Outgoing, name: &str) -> Option<&'a str> {
    out.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

fn without(pairs: Vec<(String, String)>, names: &[&str]) -> Vec<(String, String)> {
    pairs.into_iter().filter(|(k, _)| !names.contains(&k.as_str())).collect()
}

fn out_params(out: &Outgoing) -> Vec<(String, String)> {
    let url: reqwest::Url = out.url.parse().unwrap();
    let mut params = sign::decode_form(url.query().unwrap_or("").as_bytes());
    if header(out, "content-type").is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded")) {
        params.extend(sign::decode_form(&out.body));
    }
    params
}

fn target(out: &Outgoing) -> String {
    let url: reqwest::Url = out.url.parse().unwrap();
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

fn tencent_profile(vector: &Value) -> &'static ApiProfile {
    match vector["product"].as_str().unwrap() {
        "tencent-cvm" => &apis::tencent_api3::CVM,
        "tencent-lighthouse" => &apis::tencent_api3::LIGHTHOUSE,
        other => panic!("no API 3.0 profile for {other}"),
    }
}

#[test]
fn tc3_get_is_the_sdks_request_byte_for_byte() {
    let sdk = Sdk::load("tencent-cvm-DescribeKeyPairs-tc3-get.json");
    let params = sdk.business_params(&[]);
    let call = Call {
        action: "DescribeKeyPairs",
        version: "2017-03-12",
        region: Some("ap-guangzhou"),
        method: "GET",
        signing: Signing::Tc3,
        params: &params,
    };
    let out = build(&apis::tencent_api3::CVM, &call, "AKIDEXAMPLE", 1);
    assert_eq!(out.method, sdk.method);
    assert_eq!(target(&out), sdk.vector["request"]["target"].as_str().unwrap());
    assert!(out.body.is_empty());
    for name in ["Content-Type", "X-TC-Action", "X-TC-Version", "X-TC-Timestamp", "X-TC-Region", "Authorization"] {
        assert_eq!(header(&out, name), sdk.header(name), "{name}");
    }
}

#[test]
fn tc3_post_sends_the_sdks_parameters_and_headers() {
    let files = [key_pair_actions("tencent-cvm-"), key_pair_actions("tencent-lighthouse-")].concat();
    for file in &files {
        let sdk = Sdk::load(file);
        let params: Value = serde_json::from_slice(&sdk.body).unwrap();
        let action = sdk.vector["action"].as_str().unwrap();
        let version = sdk.vector["api_version"].as_str().unwrap();
        let call = Call { action, version, region: sdk.header("X-TC-Region"), method: "POST", signing: Signing::Tc3, params: &params };
        let out = build(tencent_profile(&sdk.vector), &call, "AKIDEXAMPLE", 1);
        assert_eq!((out.method.as_str(), target(&out).as_str()), ("POST", "/"), "{file}");
        let sent: Value = serde_json::from_slice(&out.body).unwrap();
        assert_eq!(sent, params, "{file}: the JSON body holds the SDK's parameters");
        for name in ["Content-Type", "X-TC-Action", "X-TC-Version", "X-TC-Timestamp", "X-TC-Region"] {
            assert_eq!(header(&out, name), sdk.header(name), "{file}: {name}");
        }
        let ours = header(&out, "Authorization").unwrap();
        let theirs = sdk.header("Authorization").unwrap();
        let scope = |auth: &str| auth.split(", Signature=").next().unwrap().to_string();
        assert_eq!(scope(ours), scope(theirs), "{file}: credential scope and signed headers");

        // The only difference is the body's formatting: the builder's headers over the SDK's bytes sign
        // to the SDK's Authorization.
        let mut headers: Vec<(String, String)> = out.headers.iter().filter(|(k, _)| k != "Authorization").cloned().collect();
        headers.push(("Host".into(), "127.0.0.1:18080".into()));
        let parts = HttpParts { method: "POST", path: "/", query: "", headers: &headers, body: &sdk.body };
        let service = tencent_profile(&sdk.vector).service;
        let resigned = tc3::sign(&parts, "AKIDEXAMPLE", "secretEXAMPLE", service, VECTOR_TIME, &["content-type", "host"]).unwrap();
        assert_eq!(resigned, theirs, "{file}");
    }
}

/// Signature v1 (API 3.0 form POST and the legacy endpoint): with the SDK's nonce and the SDK's
/// extra parameters, the builder's `Signature` is the SDK's.
#[test]
fn signature_v1_requests_sign_to_the_sdks_signature() {
    const PROTOCOL: &[&str] = &["Action", "Version", "Region", "Timestamp", "Nonce", "SecretId", "SignatureMethod", "Signature"];
    let cases: [(&str, &ApiProfile, Signing); 3] = [
        ("tencent-cvm-DescribeKeyPairs-v1-hmacsha256.json", &apis::tencent_api3::CVM, Signing::HmacSha256),
        ("tencent-cvm-legacy-CreateKeyPair-hmacsha1.json", &apis::tencent_legacy::CVM_LEGACY, Signing::HmacSha1),
        ("tencent-cvm-legacy-CreateKeyPair-hmacsha256.json", &apis::tencent_legacy::CVM_LEGACY, Signing::HmacSha256),
    ];
    for (file, profile, signing) in cases {
        let sdk = Sdk::load(file);
        let params = sdk.business_params(PROTOCOL);
        let nonce: u64 = sdk.param("Nonce").parse().unwrap();
        let region = sdk.param("Region");
        let action = sdk.param("Action");
        let version = sdk.param("Version");
        let call = Call { action: &action, version: &version, region: Some(&region), method: &sdk.method, signing, params: &params };
        let out = build(profile, &call, "AKIDEXAMPLE", nonce);
        assert_eq!(out.method, sdk.method, "{file}");
        assert_eq!(out.url.parse::<reqwest::Url>().unwrap().path(), sdk.path, "{file}");
        assert_eq!(sorted(out_params(&out)), sorted(sdk.params()), "{file}: same parameters, same values, same Signature");
    }
}

#[test]
fn alibaba_rpc_requests_hold_the_sdks_parameters() {
    const PROTOCOL: &[&str] = &[
        "Action",
        "Version",
        "Format",
        "RegionId",
        "Timestamp",
        "SignatureMethod",
        "SignatureType",
        "SignatureVersion",
        "SignatureNonce",
        "AccessKeyId",
        "Signature",
    ];
    for file in &key_pair_actions("alibaba-ecs-rpcsdk-") {
        let sdk = Sdk::load(file);
        let params = sdk.business_params(PROTOCOL);
        let action = sdk.param("Action");
        let region = sdk.param("RegionId");
        let call = Call {
            action: &action,
            version: "2014-05-26",
            region: Some(&region),
            method: "POST",
            signing: Signing::AcsRpc,
            params: &params,
        };
        let out = build(&apis::aliyun_rpc::ECS, &call, "LTAIEXAMPLE", 1);
        // aliyun-python-sdk-core sends an empty SignatureType, which the signature covers; the nonce differs.
        let ours = sorted(without(out_params(&out), &["SignatureNonce", "Signature"]));
        let theirs = sorted(without(sdk.params(), &["SignatureNonce", "Signature", "SignatureType"]));
        assert_eq!(ours, theirs, "{file}");
        // With the SDK's nonce and its empty SignatureType, the builder's parameters sign to the SDK's Signature.
        let mut resigned = without(out_params(&out), &["SignatureNonce", "Signature"]);
        resigned.push(("SignatureNonce".into(), sdk.param("SignatureNonce")));
        resigned.push(("SignatureType".into(), String::new()));
        assert_eq!(sign::acs_rpc::sign(&sdk.method, &resigned, "secretEXAMPLE"), sdk.param("Signature"), "{file}");
    }
}

#[test]
fn alibaba_acs3_requests_hold_the_sdks_query_and_headers() {
    for file in &key_pair_actions("alibaba-ecs-v3sdk-") {
        let sdk = Sdk::load(file);
        let params = sdk.business_params(&["RegionId"]);
        let action = sdk.header("x-acs-action").unwrap().to_string();
        let region = sdk.param("RegionId");
        let call =
            Call { action: &action, version: "2014-05-26", region: Some(&region), method: "POST", signing: Signing::Acs3, params: &params };
        let out = build(&apis::aliyun_rpc::ECS, &call, "LTAIEXAMPLE", 1);
        assert_eq!(out.method, sdk.method, "{file}");
        let ours: BTreeMap<String, String> =
            sign::decode_form(out.url.parse::<reqwest::Url>().unwrap().query().unwrap_or("").as_bytes()).into_iter().collect();
        let theirs: BTreeMap<String, String> = sdk.params().into_iter().collect();
        assert_eq!(ours, theirs, "{file}: the query");
        assert_eq!(out.body, sdk.body, "{file}: the (empty) body");
        for name in ["accept", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-content-sha256"] {
            assert_eq!(header(&out, name), sdk.header(name), "{file}: {name}");
        }
    }
}
