//! Tencent Cloud API 3.0 (CVM 2017-03-12, Lighthouse 2020-03-24): building and signing requests as
//! the official SDKs do.
//!
//! Three wire forms, all documented (shared/reference/apis.md §1.1): POST JSON signed with TC3
//! (the SDK default), GET with the parameters in the query (TC3 or signature v1), and form POST
//! with signature v1.

use serde_json::Value;

use super::{ApiProfile, Beside, Call, Listing, NameRule, Outgoing, PrivateKeyField, Shape, Signer, Signing, Volatile, Wire};
use crate::sign;

/// `YYYY-MM-DDThh:mm:ssZ`, the time format of every Tencent key-pair API (apis.md §1.4).
const ISO8601_SECONDS: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$";

/// The official SDKs' credential variables (id, secret, session token).
pub(crate) const TENCENT_CREDENTIAL_ENV: (&str, &str, &str) =
    ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN");

/// `PrivateKey` beside `PublicKey` in CreateKeyPair's `KeyPair` (apis.md §1.4).
pub(crate) const TENCENT_PRIVATE_KEYS: &[PrivateKeyField] =
    &[PrivateKeyField { name: "PrivateKey", beside: Beside::OpenSshPublicKey("PublicKey") }];

/// `DescribeKeyPairs` of CVM and Lighthouse (apis.md §1.4, §1.5).
pub(crate) const TENCENT_LISTING: Listing =
    Listing { items: "/Response/KeyPairSet", total: "/Response/TotalCount", id: "KeyId", name: "KeyName", created: "CreatedTime" };

/// Tencent Cloud API 3.0: JSON POST with TC3, or GET/form POST with signature v1; answers in the
/// `{"Response": {...}}` envelope.
#[derive(Debug)]
pub struct TencentApi3;

impl Wire for TencentApi3 {
    fn build(&self, profile: &ApiProfile, base: &reqwest::Url, call: &Call<'_>, signer: &Signer<'_>) -> Result<Outgoing, String> {
        let host = authority(base)?;
        let path = profile.path;
        let url_base = format!("{}://{}{}", base.scheme(), host, path);
        match call.signing {
            Signing::Tc3 => build_tc3(profile, &url_base, &host, call, signer),
            Signing::AcsRpc | Signing::Acs3 => Err(format!("{} cannot sign with {}", profile.name, call.signing.as_str())),
            Signing::HmacSha1 | Signing::HmacSha256 => Ok(build_v1(&url_base, &host, path, call, signer, false)),
        }
    }

    fn error_code<'a>(&self, body: &'a Value) -> Option<&'a str> {
        body.pointer("/Response/Error/Code").and_then(Value::as_str)
    }

    fn envelope(&self) -> &'static str {
        "/Response"
    }

    fn page_params(&self, page: u64, size: u64) -> Value {
        serde_json::json!({"Offset": page * size, "Limit": size})
    }

    fn identity(&self) -> &'static ApiProfile {
        &super::sts::TENCENT_STS
    }
}

/// A Tencent request id (a UUID).
const REQUEST_ID: Volatile = Volatile {
    selector: ".**.RequestId",
    token: "request-id",
    shape: Shape::Pattern(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
};
const PUBLIC_KEY: Volatile = Volatile { selector: ".**.PublicKey", token: "public-key", shape: Shape::OpenSshRsa };
const PRIVATE_KEY: Volatile = Volatile { selector: ".**.PrivateKey", token: "private-key", shape: Shape::PemRsaPrivate };
const CREATED_TIME: Volatile = Volatile { selector: ".**.CreatedTime", token: "time", shape: Shape::Time(ISO8601_SECONDS) };

/// Response fields of a Tencent key-pair API that change from run to run, with its KeyId shape.
const fn volatile_with_key_id(key_id: &'static str) -> [Volatile; 5] {
    [REQUEST_ID, Volatile { selector: ".**.KeyId", token: "key-id", shape: Shape::Pattern(key_id) }, PUBLIC_KEY, PRIVATE_KEY, CREATED_TIME]
}

/// CVM's volatile fields.
const TENCENT_VOLATILE: &[Volatile] = &volatile_with_key_id(r"^skey-[0-9a-z]{8}$");

/// Lighthouse's: its own KeyId shape (apis.md §1.6). `CreatedTime` and `PrivateKey` "may be null"
/// (apis.md §1.5; seed 001 §4 returns a null `CreatedTime` from CreateKeyPair, listings carry a
/// null `PrivateKey`): a null is not volatile and passes as it is (check::snapshot), a string must
/// have the shape below.
const LIGHTHOUSE_VOLATILE: &[Volatile] = &volatile_with_key_id(r"^lhkp-[0-9a-z]{8}$");

/// Lighthouse API 3.0, seed 001 (CreateKeyPair) and apis.md §1.5.
pub static LIGHTHOUSE: ApiProfile = ApiProfile {
    name: "tencent-lighthouse",
    default_version: "2020-03-24",
    service: "lighthouse",
    live_endpoint: "https://lighthouse.tencentcloudapi.com",
    volatile: LIGHTHOUSE_VOLATILE,
    // The rest as CVM: the same wire, actions, fields and limits (apis.md §1.5).
    ..CVM
};

/// CVM API 3.0, seeds 000 (CreateKeyPair) and 003 (ImportKeyPair).
pub static CVM: ApiProfile = ApiProfile {
    name: "tencent-cvm",
    wire: &TencentApi3,
    default_version: "2017-03-12",
    default_region: "ap-guangzhou",
    regional: true,
    default_method: "POST",
    default_signing: Signing::Tc3,
    signings: &[Signing::Tc3, Signing::HmacSha1, Signing::HmacSha256],
    service: "cvm",
    live_endpoint: "https://cvm.tencentcloudapi.com",
    path: "/",
    actions: &["CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPairs"],
    name_rule: NameRule { max_len: 25, default_len: 16 },
    name_field: "KeyName",
    volatile: TENCENT_VOLATILE,
    private_keys: TENCENT_PRIVATE_KEYS,
    request_id: "/Response/RequestId",
    creates: &[("CreateKeyPair", "/Response/KeyPair/KeyId"), ("ImportKeyPair", "/Response/KeyId")],
    delete: ("DeleteKeyPairs", "KeyIds"),
    listing: Some(TENCENT_LISTING),
    cleanup: None,
    credential_env: TENCENT_CREDENTIAL_ENV,
};

/// A signature-v1 request (GET query or form POST) for `path` on `host`, shared by API 3.0 and the
/// legacy endpoint. `SignatureMethod` is sent for HmacSHA256, and for HmacSHA1 too when
/// `always_send_method` (the legacy SDK always sends it, apis.md §6).
pub(crate) fn build_v1(url_base: &str, host: &str, path: &str, call: &Call<'_>, signer: &Signer<'_>, always_send_method: bool) -> Outgoing {
    let Signer { id: secret_id, secret: secret_key, token, now_secs, nonce } = *signer;
    let mut params = flatten(call.params, 0);
    params.push(("Action".into(), call.action.into()));
    params.push(("Version".into(), call.version.into()));
    if let Some(region) = call.region {
        params.push(("Region".into(), region.into()));
    }
    params.push(("Timestamp".into(), now_secs.to_string()));
    params.push(("Nonce".into(), nonce.to_string()));
    params.push(("SecretId".into(), secret_id.into()));
    if let Some(token) = token {
        params.push(("Token".into(), token.into()));
    }
    let v1 =
        if call.signing == Signing::HmacSha256 { sign::tencent_v1::V1Method::HmacSha256 } else { sign::tencent_v1::V1Method::HmacSha1 };
    if v1 == sign::tencent_v1::V1Method::HmacSha256 || always_send_method {
        params.push(("SignatureMethod".into(), v1.as_param().into()));
    }
    let signature = sign::tencent_v1::sign(call.method, host, path, &params, secret_key, v1);
    params.push(("Signature".into(), signature));
    let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
    if call.method.eq_ignore_ascii_case("GET") {
        Outgoing { method: "GET".into(), url: format!("{url_base}?{encoded}"), headers: vec![], body: vec![] }
    } else {
        Outgoing {
            method: call.method.to_ascii_uppercase(),
            url: url_base.to_string(),
            headers: vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())],
            body: encoded.into_bytes(),
        }
    }
}

fn build_tc3(profile: &ApiProfile, url_base: &str, host: &str, call: &Call<'_>, signer: &Signer<'_>) -> Result<Outgoing, String> {
    let Signer { id: secret_id, secret: secret_key, token, now_secs, .. } = *signer;
    let get = call.method.eq_ignore_ascii_case("GET");
    let (query, content_type, body) = if get {
        let pairs = flatten(call.params, 0);
        let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        (query, "application/x-www-form-urlencoded", Vec::new())
    } else {
        let body = serde_json::to_vec(call.params).map_err(|e| format!("cannot encode parameters: {e}"))?;
        (String::new(), "application/json", body)
    };
    let mut headers: Vec<(String, String)> = vec![
        ("Content-Type".into(), content_type.into()),
        ("Host".into(), host.into()),
        ("X-TC-Action".into(), call.action.into()),
        ("X-TC-Version".into(), call.version.into()),
        ("X-TC-Timestamp".into(), now_secs.to_string()),
    ];
    if let Some(region) = call.region {
        headers.push(("X-TC-Region".into(), region.into()));
    }
    if let Some(token) = token {
        headers.push(("X-TC-Token".into(), token.into()));
    }
    let method = call.method.to_ascii_uppercase();
    let parts = sign::HttpParts { method: &method, path: profile.path, query: &query, headers: &headers, body: &body };
    let authorization = sign::tc3::sign(&parts, secret_id, secret_key, profile.service, now_secs, &["content-type", "host"])
        .map_err(|e| format!("cannot sign: {e}"))?;
    headers.push(("Authorization".into(), authorization));
    // reqwest sets Host itself from the URL, to the same authority that was signed.
    headers.retain(|(name, _)| !name.eq_ignore_ascii_case("host"));
    let url = if query.is_empty() { url_base.to_string() } else { format!("{url_base}?{query}") };
    Ok(Outgoing { method, url, headers, body })
}

/// `host[:port]` as reqwest will send it in the Host header (the default port is omitted).
pub fn authority(base: &reqwest::Url) -> Result<String, String> {
    let host = base.host_str().ok_or_else(|| format!("endpoint {base} has no host"))?;
    Ok(match base.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Flattens JSON parameters into the `Name.N.Field` form of GET and form requests; Tencent counts
/// list items from 0 (apis.md §1.1), Alibaba from 1.
pub fn flatten(params: &Value, first_index: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    flatten_into(&mut out, String::new(), params, first_index);
    out
}

fn flatten_into(out: &mut Vec<(String, String)>, prefix: String, value: &Value, first: usize) {
    let join = |key: &str| if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| flatten_into(out, join(k), v, first)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| flatten_into(out, join(&(i + first).to_string()), v, first)),
        Value::String(s) => out.push((prefix, s.clone())),
        Value::Null => {}
        other => out.push((prefix, other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_lists_from_zero() {
        let params = json!({"KeyIds": ["skey-1", "skey-2"], "Filters": [{"Name": "key-name", "Values": ["a"]}], "Limit": 5});
        assert_eq!(
            flatten(&params, 0),
            vec![
                ("KeyIds.0".to_string(), "skey-1".to_string()),
                ("KeyIds.1".into(), "skey-2".into()),
                ("Filters.0.Name".into(), "key-name".into()),
                ("Filters.0.Values.0".into(), "a".into()),
                ("Limit".into(), "5".into()),
            ]
        );
    }

    /// `action` with `params` for CVM, signed with the example credentials at a fixed time.
    fn build(method: &str, signing: Signing, params: &Value, token: Option<&str>) -> Result<Outgoing, String> {
        let base: reqwest::Url = "http://127.0.0.1:18080".parse().unwrap();
        let call = Call { action: "DescribeKeyPairs", version: "2017-03-12", region: Some("ap-guangzhou"), method, signing, params };
        let signer = Signer { id: "AKIDEXAMPLE", secret: "secretEXAMPLE", token, now_secs: 1_735_689_600, nonce: 42 };
        TencentApi3.build(&CVM, &base, &call, &signer)
    }

    fn header<'a>(out: &'a Outgoing, name: &str) -> Option<&'a str> {
        out.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Checks `out`'s TC3 signature the way a server would, with the Host reqwest will send.
    fn verify_tc3(out: &Outgoing) -> Result<(), sign::SignatureError> {
        let url: reqwest::Url = out.url.parse().unwrap();
        let mut headers = out.headers.clone();
        headers.push(("Host".into(), "127.0.0.1:18080".into()));
        let auth = sign::tc3::parse_authorization(header(out, "Authorization").unwrap())?;
        let parts =
            sign::HttpParts { method: &out.method, path: url.path(), query: url.query().unwrap_or(""), headers: &headers, body: &out.body };
        sign::tc3::verify(&parts, &auth, "secretEXAMPLE", 1_735_689_600)
    }

    #[test]
    fn tc3_post_sends_the_json_body_and_the_x_tc_headers_and_leaves_host_to_the_client() {
        let params = json!({"KeyIds": ["skey-1"]});
        let out = build("post", Signing::Tc3, &params, Some("session-token")).unwrap();
        assert_eq!((out.method.as_str(), out.url.as_str()), ("POST", "http://127.0.0.1:18080/"));
        assert_eq!(out.body, br#"{"KeyIds":["skey-1"]}"#);
        assert_eq!(header(&out, "Content-Type"), Some("application/json"));
        assert_eq!(header(&out, "X-TC-Action"), Some("DescribeKeyPairs"));
        assert_eq!(header(&out, "X-TC-Timestamp"), Some("1735689600"));
        assert_eq!(header(&out, "X-TC-Region"), Some("ap-guangzhou"));
        assert_eq!(header(&out, "X-TC-Token"), Some("session-token"));
        assert_eq!(header(&out, "Host"), None, "reqwest sets Host from the URL");
        assert!(header(&out, "Authorization").unwrap().contains("Credential=AKIDEXAMPLE/2025-01-01/cvm/tc3_request"));
        assert_eq!(verify_tc3(&out), Ok(()));
    }

    #[test]
    fn tc3_get_puts_the_parameters_in_the_signed_query() {
        let params = json!({"Limit": 5, "KeyIds": ["skey-1"]});
        let out = build("GET", Signing::Tc3, &params, None).unwrap();
        assert_eq!(out.url, "http://127.0.0.1:18080/?Limit=5&KeyIds.0=skey-1");
        assert!(out.body.is_empty());
        assert_eq!(header(&out, "Content-Type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(header(&out, "X-TC-Token"), None);
        assert_eq!(verify_tc3(&out), Ok(()));
        let empty = build("GET", Signing::Tc3, &json!({}), None).unwrap();
        assert_eq!(empty.url, "http://127.0.0.1:18080/", "no `?` without parameters");
    }

    #[test]
    fn v1_sends_signature_method_only_for_hmac_sha256_and_the_token_as_a_parameter() {
        let params = json!({"KeyName": "k"});
        let sha1 = build("GET", Signing::HmacSha1, &params, Some("t")).unwrap();
        let pairs: Vec<(String, String)> = sha1.url.parse::<reqwest::Url>().unwrap().query_pairs().into_owned().collect();
        assert!(!pairs.iter().any(|(k, _)| k == "SignatureMethod"), "{pairs:?}");
        assert!(pairs.contains(&("Token".into(), "t".into())) && pairs.contains(&("Region".into(), "ap-guangzhou".into())));
        assert_eq!(sign::tencent_v1::verify("GET", "127.0.0.1:18080", "/", &pairs, "secretEXAMPLE"), Ok(()));
        let sha256 = build("post", Signing::HmacSha256, &params, None).unwrap();
        assert_eq!((sha256.method.as_str(), sha256.url.as_str()), ("POST", "http://127.0.0.1:18080/"));
        let pairs = sign::decode_form(&sha256.body);
        assert!(pairs.contains(&("SignatureMethod".into(), "HmacSHA256".into())));
        assert!(!pairs.iter().any(|(k, _)| k == "Token"));
        assert_eq!(sign::tencent_v1::verify("POST", "127.0.0.1:18080", "/", &pairs, "secretEXAMPLE"), Ok(()));
    }

    #[test]
    fn refuses_alibaba_signings_and_reads_the_response_envelope() {
        assert_eq!(build("POST", Signing::AcsRpc, &json!({}), None).unwrap_err(), "tencent-cvm cannot sign with acs-rpc");
        assert!(build("POST", Signing::Acs3, &json!({}), None).is_err());
        assert_eq!(TencentApi3.error_code(&json!({"Response": {"Error": {"Code": "AuthFailure"}}})), Some("AuthFailure"));
        assert_eq!(TencentApi3.error_code(&json!({"Response": {"RequestId": "r"}})), None);
        assert_eq!(TencentApi3.envelope(), "/Response");
        assert_eq!(TencentApi3.page_params(2, 50), json!({"Offset": 100, "Limit": 50}));
    }

    #[test]
    fn flattening_leaves_nulls_out_and_writes_other_scalars_as_json() {
        let params = json!({"A": null, "B": true, "C": {"D": [1.5]}});
        assert_eq!(flatten(&params, 1), vec![("B".to_string(), "true".to_string()), ("C.D.1".into(), "1.5".into())]);
    }

    #[test]
    fn authority_keeps_an_explicit_port() {
        assert_eq!(authority(&"http://127.0.0.1:18080/".parse().unwrap()).unwrap(), "127.0.0.1:18080");
        assert_eq!(authority(&"https://cvm.tencentcloudapi.com".parse().unwrap()).unwrap(), "cvm.tencentcloudapi.com");
    }
}
