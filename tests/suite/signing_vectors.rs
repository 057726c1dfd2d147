//! The signing module against the vendors' vectors, never only against itself:
//!
//! * `tests/vectors/signing.json` — published worked examples and SDK-signer outputs: every
//!   intermediate value and the signature are recomputed with the signers, then the verifiers must
//!   accept the request.
//! * `tests/vectors/sdk-requests/*.json` — raw requests recorded from the official SDKs: the
//!   verifiers must give the expected verdict, reject every one-byte tampering of an accepted
//!   request, agree with the recorded `derived` values, and the signers must reproduce the SDKs'
//!   signatures from the same inputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keypair_contract::sign::{self, HttpParts, SignatureError, acs_rpc, acs3, tc3, tencent_v1};
use serde_json::Value;

use crate::common::recorded::Recorded;
use tencent_v1::V1Method;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A string field; numbers are rendered as their JSON text (Nonce, Timestamp, Limit…).
fn text(v: &Value, what: &str) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("{what}: expected a string or number, got {other}"),
    }
}

/// A JSON object as ordered (name, value) pairs; `Null` is an empty list.
fn pairs(v: &Value, what: &str) -> Vec<(String, String)> {
    match v {
        Value::Null => Vec::new(),
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), text(v, what))).collect(),
        other => panic!("{what}: expected an object, got {other}"),
    }
}

fn without(list: &[(String, String)], name: &str) -> Vec<(String, String)> {
    list.iter().filter(|(k, _)| !k.eq_ignore_ascii_case(name)).cloned().collect()
}

fn sorted(mut list: Vec<(String, String)>) -> Vec<(String, String)> {
    list.sort();
    list
}

fn is_mismatch<T: std::fmt::Debug>(r: &Result<T, SignatureError>) -> bool {
    matches!(r, Err(SignatureError::Mismatch(_)))
}

// ---------------------------------------------------------------------------------------------
// signing.json

const DOC_SCHEMES: [&str; 7] = [
    "TC3-HMAC-SHA256",
    "TencentCloud-v1-HmacSHA1",
    "TencentCloud-v1-HmacSHA256",
    "QcloudLegacyV2-HmacSHA1",
    "QcloudLegacyV2-HmacSHA256",
    "Aliyun-RPC-HMAC-SHA1",
    "ACS3-HMAC-SHA256",
];

#[test]
fn signing_json_vectors() {
    let vectors = load(&vectors_dir().join("signing.json"));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in vectors.as_array().expect("signing.json is an array") {
        let id = v["id"].as_str().expect("id");
        let scheme = v["scheme"].as_str().expect("scheme");
        match scheme {
            "TC3-HMAC-SHA256" => check_tc3_vector(id, v),
            "TencentCloud-v1-HmacSHA1" | "TencentCloud-v1-HmacSHA256" | "QcloudLegacyV2-HmacSHA1" | "QcloudLegacyV2-HmacSHA256" => {
                check_v1_vector(id, scheme, v)
            }
            "Aliyun-RPC-HMAC-SHA1" => check_rpc_vector(id, v),
            "ACS3-HMAC-SHA256" => check_acs3_vector(id, v),
            other => panic!("{id}: scheme {other:?} is not handled by this test"),
        }
        *counts.entry(scheme.to_string()).or_default() += 1;
    }
    println!("signing.json vectors checked per scheme: {counts:?}");
    assert_eq!(counts.values().sum::<usize>(), 20, "signing.json holds 20 vectors; a new one changes this count on purpose");
    for scheme in DOC_SCHEMES {
        assert!(counts.get(scheme).copied().unwrap_or(0) > 0, "no vector for {scheme}");
    }
}

fn check_tc3_vector(id: &str, v: &Value) {
    let (inp, mid, exp) = (&v["inputs"], &v["intermediate"], &v["expected"]);
    let headers = pairs(&inp["headers"], id);
    let body = inp["body"].as_str().unwrap_or_default().as_bytes();
    let parts = HttpParts {
        method: inp["method"].as_str().unwrap(),
        path: inp["path"].as_str().unwrap(),
        query: inp["query"].as_str().unwrap_or_default(),
        headers: &headers,
        body,
    };
    let (secret_id, key) = (text(&inp["credentials"]["secret_id"], id), text(&inp["credentials"]["secret_key"], id));
    let service = v["service"].as_str().unwrap();
    let ts = inp["timestamp"].as_i64().unwrap();
    let auth = tc3::parse_authorization(parts.header("Authorization").unwrap()).unwrap();
    let names: Vec<String> = inp["signed_headers"].as_array().unwrap().iter().map(|h| text(h, id)).collect();
    assert_eq!(auth.signed_headers, names, "{id}");
    assert_eq!((auth.secret_id.as_str(), auth.service.as_str()), (secret_id.as_str(), service), "{id}");
    if let Some(date) = inp["credential_date"].as_str() {
        assert_eq!(sign::utc_date(ts), date, "{id}: credential date is the UTC date");
        assert_eq!(auth.date, date, "{id}");
    }
    if let Some(hp) = mid["hashed_payload"].as_str() {
        assert_eq!(tc3::hashed_payload(&parts), hp, "{id}");
    }
    let canonical = tc3::canonical_request(&parts, &names).unwrap();
    assert_eq!(canonical, mid["canonical_request"].as_str().unwrap(), "{id}");
    for (name, value) in pairs(&inp["canonical_header_values"], id) {
        assert!(canonical.contains(&format!("\n{name}:{value}\n")), "{id}: {name}");
    }
    let sts = tc3::string_to_sign(&canonical, ts, service);
    assert_eq!(sts, mid["string_to_sign"].as_str().unwrap(), "{id}");
    assert_eq!(tc3::signature(&key, &auth.date, service, &sts), exp["signature"].as_str().unwrap(), "{id}");

    let unsigned = without(&headers, "Authorization");
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let authorization = tc3::sign(&HttpParts { headers: &unsigned, ..parts }, &secret_id, &key, service, ts, &name_refs).unwrap();
    assert_eq!(authorization, exp["authorization"].as_str().unwrap(), "{id}");
    assert_eq!(tc3::verify(&parts, &auth, &key, ts), Ok(()), "{id}");
    assert!(is_mismatch(&tc3::verify(&parts, &auth, "not-the-key", ts)), "{id}");
}

fn check_v1_vector(id: &str, scheme: &str, v: &Value) {
    let (inp, mid, exp) = (&v["inputs"], &v["intermediate"], &v["expected"]);
    let (method, host, path) = (inp["method"].as_str().unwrap(), inp["host"].as_str().unwrap(), inp["path"].as_str().unwrap());
    assert_eq!(path, if scheme.starts_with("QcloudLegacyV2") { "/v2/index.php" } else { "/" }, "{id}");
    let want_method = if scheme.ends_with("HmacSHA256") { V1Method::HmacSha256 } else { V1Method::HmacSha1 };
    let params = pairs(&inp["params"], id);
    let sig_method = params.iter().find(|(k, _)| k == "SignatureMethod").map(|(_, v)| v.as_str());
    assert_eq!(sig_method, inp["signature_method"].as_str(), "{id}");
    assert_eq!(V1Method::from_param(sig_method), want_method, "{id}");
    let key = text(&inp["credentials"]["secret_key"], id);

    assert_eq!(tencent_v1::string_to_sign(method, host, path, &params), mid["string_to_sign"].as_str().unwrap(), "{id}");
    let sig = tencent_v1::sign(method, host, path, &params, &key, want_method);
    assert_eq!(sig, exp["signature"].as_str().unwrap(), "{id}");
    if let Some(encoded) = exp["signature_param_urlencoded"].as_str() {
        assert_eq!(form_urlencoded::byte_serialize(sig.as_bytes()).collect::<String>(), encoded, "{id}");
    }
    let mut received = params.clone();
    received.push(("Signature".into(), sig));
    assert_eq!(tencent_v1::verify(method, host, path, &received, &key), Ok(()), "{id}");
    assert!(is_mismatch(&tencent_v1::verify(method, host, path, &received, "not-the-key")), "{id}");

    // The wire form the SDK sent decodes to the same parameters and verifies.
    if let Some(wire) = inp["wire_body_or_query"].as_str().or(inp["wire_query_or_body"].as_str()) {
        let decoded = sign::decode_form(wire.as_bytes());
        assert_eq!(sorted(without(&decoded, "Signature")), sorted(params.clone()), "{id}");
        assert_eq!(tencent_v1::verify(method, host, path, &decoded, &key), Ok(()), "{id}");
    }
}

fn check_rpc_vector(id: &str, v: &Value) {
    let (inp, mid, exp) = (&v["inputs"], &v["intermediate"], &v["expected"]);
    let method = inp["method"].as_str().unwrap();
    let body_params = pairs(&inp["body_params"], id);
    let mut params = pairs(&inp["params"], id);
    params.extend(pairs(&inp["query_params"], id));
    params.extend(body_params.iter().cloned());
    let secret = text(&inp["credentials"]["access_key_secret"], id);

    assert_eq!(acs_rpc::canonicalized_query(&params), mid["canonicalized_query_string"].as_str().unwrap(), "{id}");
    assert_eq!(acs_rpc::string_to_sign(method, &params), mid["string_to_sign"].as_str().unwrap(), "{id}");
    if let Some(hmac_key) = mid["hmac_key"].as_str() {
        assert_eq!(format!("{secret}&"), hmac_key, "{id}: the key is secret + '&'");
    }
    let sig = acs_rpc::sign(method, &params, &secret);
    assert_eq!(sig, exp["signature"].as_str().unwrap(), "{id}");
    let mut received = params.clone();
    received.push(("Signature".into(), sig));
    assert_eq!(acs_rpc::verify(method, &received, &secret), Ok(()), "{id}");
    assert!(is_mismatch(&acs_rpc::verify(method, &received, "not-the-secret")), "{id}");

    // The URL the SDK built (form-body parameters travel in the body) verifies as received.
    if let Some(target) = inp["wire_url_path_and_query"].as_str() {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers = pairs(&inp["headers"], id);
        let mut body = String::new();
        if !body_params.is_empty() {
            headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
            body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&body_params).finish();
        }
        let parts = HttpParts { method, path, query, headers: &headers, body: body.as_bytes() };
        let received = parts.form_params();
        assert_eq!(sorted(without(&received, "Signature")), sorted(params.clone()), "{id}");
        assert_eq!(acs_rpc::verify(method, &received, &secret), Ok(()), "{id}");
    }
}

fn check_acs3_vector(id: &str, v: &Value) {
    let (inp, mid, exp) = (&v["inputs"], &v["intermediate"], &v["expected"]);
    // The vector lists the decoded query; send it the way tea-openapi does (`+` for space).
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs(&inp["query"], id)).finish();
    let headers = pairs(&inp["headers"], id);
    let body = inp["body"].as_str().unwrap_or_default().as_bytes();
    let parts =
        HttpParts { method: inp["method"].as_str().unwrap(), path: inp["path"].as_str().unwrap(), query: &query, headers: &headers, body };
    let (ak, secret) = (text(&inp["credentials"]["access_key_id"], id), text(&inp["credentials"]["access_key_secret"], id));

    assert_eq!(acs3::canonical_query_string(&query), mid["canonical_query_string"].as_str().unwrap(), "{id}");
    if let Some(hp) = mid["hashed_payload"].as_str() {
        assert_eq!(sign::sha256_hex(body), hp, "{id}");
    }
    let auth = acs3::parse_authorization(parts.header("Authorization").unwrap()).unwrap();
    assert_eq!(auth.access_key_id, ak, "{id}");
    let canonical = acs3::canonical_request(&parts, &auth.signed_headers).unwrap();
    assert_eq!(canonical, mid["canonical_request"].as_str().unwrap(), "{id}");
    let sts = acs3::string_to_sign(&canonical);
    assert_eq!(sts, mid["string_to_sign"].as_str().unwrap(), "{id}");
    assert_eq!(acs3::signature(&secret, &sts), exp["signature"].as_str().unwrap(), "{id}");

    let unsigned = without(&headers, "Authorization");
    let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
    let authorization = acs3::sign(&HttpParts { headers: &unsigned, ..parts }, &ak, &secret, &names).unwrap();
    assert_eq!(authorization, exp["authorization"].as_str().unwrap(), "{id}");
    assert_eq!(acs3::verify(&parts, &auth, &secret), Ok(()), "{id}");
    assert!(is_mismatch(&acs3::verify(&parts, &auth, "not-the-secret")), "{id}");
}

// ---------------------------------------------------------------------------------------------
// sdk-requests/

/// A recorded request read as the vector file states it twice (target and path/query, body and
/// body_base64): both forms must agree.
fn recorded(file: &str, r: &Value) -> Recorded {
    let req = Recorded::from_json(file, r);
    assert_eq!((req.path.as_str(), req.query.as_str()), (r["path"].as_str().unwrap(), r["query_string"].as_str().unwrap()), "{file}");
    assert_eq!(req.body, r["body"].as_str().unwrap().as_bytes(), "{file}: body and body_base64 agree");
    req
}

/// Copies of a recorded request with one byte changed.
trait Tampered {
    fn with_header_tampered(&self, name: &str, at: impl Fn(&str) -> usize) -> Recorded;
}

impl Tampered for Recorded {
    fn with_header_tampered(&self, name: &str, at: impl Fn(&str) -> usize) -> Recorded {
        let mut copy = self.clone();
        let (_, value) = copy.headers.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(name)).unwrap();
        *value = String::from_utf8(tamper(value.as_bytes(), at(value))).unwrap();
        copy
    }
}

/// Replaces byte `at` with an ASCII digit it is not. Never a case change, which TC3's lower-casing
/// of header values would undo.
fn tamper(s: &[u8], at: usize) -> Vec<u8> {
    let mut out = s.to_vec();
    assert!(out[at].is_ascii(), "tampering keeps the text UTF-8");
    out[at] = if out[at] == b'7' { b'8' } else { b'7' };
    out
}

/// Index of the first byte of the `Signature` parameter's value in raw form text.
fn signature_value_at(raw: &str) -> Option<usize> {
    if raw.starts_with("Signature=") {
        return Some("Signature=".len());
    }
    raw.find("&Signature=").map(|i| i + "&Signature=".len())
}

/// What each scheme needs from a recorded request.
struct Scheme {
    verify: fn(&Recorded, &str) -> Result<(), SignatureError>,
    /// Headers covered by the signature, whose tampering must be rejected.
    signed_headers: fn(&Recorded) -> Vec<String>,
    /// Recomputes (canonical request, string to sign, signature) with the signer.
    derive: fn(&Recorded, &Value) -> (Option<String>, String, String),
}

fn scheme_for(label: &str) -> Option<Scheme> {
    Some(match label {
        "TC3-HMAC-SHA256" => Scheme {
            verify: |r, key| {
                let auth = tc3::parse_authorization(r.required_header("Authorization"))?;
                let ts = r.required_header("X-TC-Timestamp").parse().map_err(|_| SignatureError::Malformed("timestamp".into()))?;
                tc3::verify(&r.parts(), &auth, key, ts)
            },
            signed_headers: |r| tc3::parse_authorization(r.required_header("Authorization")).unwrap().signed_headers,
            derive: |r, creds| {
                let auth = tc3::parse_authorization(r.required_header("Authorization")).unwrap();
                let ts: i64 = r.required_header("X-TC-Timestamp").parse().unwrap();
                let unsigned = without(&r.headers, "Authorization");
                let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
                let parts = HttpParts { headers: &unsigned, ..r.parts() };
                let (id, key) = (text(&creds["secret_id"], "id"), text(&creds["secret_key"], "key"));
                let canonical = tc3::canonical_request(&parts, &names).unwrap();
                let authorization = tc3::sign(&parts, &id, &key, &auth.service, ts, &names).unwrap();
                let sig = tc3::parse_authorization(&authorization).unwrap().signature.0;
                (Some(canonical.clone()), tc3::string_to_sign(&canonical, ts, &auth.service), sig)
            },
        },
        "TC-V1-HmacSHA1" | "TC-V1-HmacSHA256" => Scheme {
            verify: |r, key| tencent_v1::verify(&r.method, r.required_header("Host"), &r.path, &r.parts().form_params(), key),
            signed_headers: |_| vec!["host".into()],
            derive: |r, creds| {
                let params = without(&r.parts().form_params(), "Signature");
                let method = V1Method::from_param(params.iter().find(|(k, _)| k == "SignatureMethod").map(|(_, v)| v.as_str()));
                let key = text(&creds["secret_key"], "key");
                let sts = tencent_v1::string_to_sign(&r.method, r.required_header("Host"), &r.path, &params);
                (None, sts, tencent_v1::sign(&r.method, r.required_header("Host"), &r.path, &params, &key, method))
            },
        },
        "ALIYUN-RPC-V1-HMAC-SHA1" => Scheme {
            verify: |r, secret| acs_rpc::verify(&r.method, &r.parts().form_params(), secret),
            signed_headers: |_| Vec::new(),
            derive: |r, creds| {
                let params = without(&r.parts().form_params(), "Signature");
                let secret = text(&creds["access_key_secret"], "secret");
                (None, acs_rpc::string_to_sign(&r.method, &params), acs_rpc::sign(&r.method, &params, &secret))
            },
        },
        "ACS3-HMAC-SHA256" => Scheme {
            verify: |r, secret| acs3::verify(&r.parts(), &acs3::parse_authorization(r.required_header("Authorization"))?, secret),
            signed_headers: |r| acs3::parse_authorization(r.required_header("Authorization")).unwrap().signed_headers,
            derive: |r, creds| {
                let auth = acs3::parse_authorization(r.required_header("Authorization")).unwrap();
                let unsigned = without(&r.headers, "Authorization");
                let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
                let parts = HttpParts { headers: &unsigned, ..r.parts() };
                let (ak, secret) = (text(&creds["access_key_id"], "ak"), text(&creds["access_key_secret"], "secret"));
                let canonical = acs3::canonical_request(&parts, &names).unwrap();
                let authorization = acs3::sign(&parts, &ak, &secret, &names).unwrap();
                let sig = acs3::parse_authorization(&authorization).unwrap().signature.0;
                (Some(canonical.clone()), acs3::string_to_sign(&canonical), sig)
            },
        },
        _ => return None,
    })
}

#[test]
fn sdk_request_vectors() {
    let dir = vectors_dir().join("sdk-requests");
    let index = load(&dir.join("index.json"));
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for file in index["files"].as_array().expect("index.files") {
        let file = file.as_str().unwrap();
        let v = load(&dir.join(file));
        let label = v["signature_scheme"].as_str().unwrap();
        let verdict = v["expected_verdict"].as_str().unwrap();
        let scheme = scheme_for(label).unwrap_or_else(|| panic!("{file}: scheme {label:?} is not handled by this test"));
        let creds = &v["credentials"];
        let secret = text(creds.get("secret_key").unwrap_or(&creds["access_key_secret"]), file);
        let req = recorded(file, &v["request"]);
        let derived = &v["derived"];

        // The signer, fed the request's own inputs, agrees with the independently derived values.
        let (canonical, sts, sig) = (scheme.derive)(&req, creds);
        if let Some(want) = derived["canonical_request"].as_str() {
            assert_eq!(canonical.as_deref(), Some(want), "{file}: canonical request");
        }
        assert_eq!(sts, derived["string_to_sign"].as_str().unwrap(), "{file}: string to sign");
        assert_eq!(sig, derived["expected_signature"].as_str().unwrap(), "{file}: signature");

        let result = (scheme.verify)(&req, &secret);
        match verdict {
            "accept" => {
                assert_eq!(result, Ok(()), "{file}");
                assert_eq!(sig, derived["provided_signature"].as_str().unwrap(), "{file}: signer reproduces the SDK");
                check_tampering_is_rejected(file, &req, &scheme, &secret);
            }
            "reject" => {
                let Err(SignatureError::Mismatch(expected)) = result else { panic!("{file}: want a mismatch, got {result:?}") };
                assert_eq!(expected.string_to_sign, sts, "{file}");
                if canonical.is_some() {
                    assert_eq!(expected.canonical_request, canonical, "{file}");
                }
                assert_ne!(sig, derived["provided_signature"].as_str().unwrap(), "{file}");
                // …and the only thing wrong is the secret (README: signed with `secretWRONG`).
                assert_eq!((scheme.verify)(&req, "secretWRONG"), Ok(()), "{file}");
            }
            other => panic!("{file}: unknown verdict {other:?}"),
        }
        *counts.entry((label.to_string(), verdict.to_string())).or_default() += 1;
    }
    println!("sdk-requests checked per (scheme, verdict): {counts:?}");
    let files_on_disk = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(".json") && n != "index.json"))
        .count();
    assert_eq!(counts.values().sum::<usize>(), files_on_disk, "index.json lists every vector file in sdk-requests/");
    assert_eq!(files_on_disk, 24, "sdk-requests holds 24 vectors; a new one changes this count on purpose");
    for label in ["TC3-HMAC-SHA256", "TC-V1-HmacSHA1", "TC-V1-HmacSHA256", "ALIYUN-RPC-V1-HMAC-SHA1", "ACS3-HMAC-SHA256"] {
        assert!(counts.get(&(label.to_string(), "accept".to_string())).copied().unwrap_or(0) > 0, "no accept vector for {label}");
    }
    assert!(counts.keys().any(|(_, verdict)| verdict == "reject"), "no reject vector");
}

fn check_tampering_is_rejected(file: &str, req: &Recorded, scheme: &Scheme, secret: &str) {
    let mut variants: Vec<(String, Recorded)> = Vec::new();
    for name in (scheme.signed_headers)(req) {
        variants.push((format!("signed header {name}"), req.with_header_tampered(&name, |v| v.len() / 2)));
    }
    if !req.query.is_empty() {
        let mut copy = req.clone();
        copy.query = String::from_utf8(tamper(req.query.as_bytes(), req.query.len() / 2)).unwrap();
        variants.push(("query".into(), copy));
    }
    if !req.body.is_empty() {
        let mut copy = req.clone();
        copy.body = tamper(&req.body, req.body.len() / 2);
        variants.push(("body".into(), copy));
    }
    // The signature itself: in Authorization for the header schemes, else the Signature parameter.
    let sig_variant = if req.parts().header("Authorization").is_some() {
        req.with_header_tampered("Authorization", |v| v.len() - 1)
    } else if let Some(at) = signature_value_at(&req.query) {
        Recorded { query: String::from_utf8(tamper(req.query.as_bytes(), at)).unwrap(), ..req.clone() }
    } else {
        let body = String::from_utf8(req.body.clone()).unwrap();
        let at = signature_value_at(&body).unwrap_or_else(|| panic!("{file}: no Signature parameter"));
        Recorded { body: tamper(&req.body, at), ..req.clone() }
    };
    variants.push(("signature".into(), sig_variant));

    for (what, variant) in variants {
        let result = (scheme.verify)(&variant, secret);
        // A tampered query or body may also lose a required parameter; anything else is a mismatch.
        let rejected = match what.as_str() {
            "query" | "body" => result.is_err(),
            _ => is_mismatch(&result),
        };
        assert!(rejected, "{file}: tampered {what} was not rejected: {result:?}");
    }
}
