//! Alibaba Cloud RPC-style APIs (ECS 2014-05-26): building and signing requests as the official
//! SDKs do (shared/reference/apis.md §3.1).
//!
//! Two signatures: RPC signature 1.0 (`acs-rpc`, HMAC-SHA1 over the sorted parameters, the
//! aliyun-python-sdk-core scheme and the default here) and ACS3-HMAC-SHA256 (`acs3`, the
//! tea-openapi scheme). Lists flatten from 1 (`Tag.1.Key`). `RegionId` is an ordinary parameter in
//! ECS: the call's region fills it unless the case's parameters name `RegionId` themselves (a
//! `null` there leaves it out, to provoke `MissingParameter`).

use serde_json::Value;

use super::tencent_api3::{authority, flatten};
use super::xml::XmlShape;
use super::{ApiProfile, Beside, Call, Listing, NameRule, Outgoing, PrivateKeyField, Shape, Signer, Signing, Volatile, Wire};
use crate::clock::iso8601_utc;
use crate::sign::{self, acs_rpc::percent_encode};

/// Response fields of the ECS key-pair APIs that change from run to run.
const ECS_VOLATILE: &[Volatile] = &[
    Volatile {
        selector: ".**.RequestId",
        token: "request-id",
        shape: Shape::Pattern(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$"),
    },
    // Error bodies repeat the request id in their troubleshooting link (apis.md §3.2).
    Volatile {
        selector: ".**.Recommend",
        token: "recommend",
        shape: Shape::Pattern(r"^https://api\.aliyun\.com/troubleshoot\?q=[^&]+&product=Ecs&requestId=[0-9A-Fa-f-]+$"),
    },
    Volatile { selector: ".**.KeyPairId", token: "key-pair-id", shape: Shape::Pattern(r"^ssh-[0-9a-z]+$") },
    Volatile { selector: ".**.PrivateKeyBody", token: "private-key", shape: Shape::PemRsaPrivate },
    Volatile { selector: ".**.KeyPairFingerPrint", token: "fingerprint", shape: Shape::Pattern(r"^[0-9a-f]{2}(?::[0-9a-f]{2}){15}$") },
    // Seconds optional, as in schemas/aliyun-ecs/DescribeKeyPairs.json: ECS writes some times to the minute.
    Volatile {
        selector: ".**.CreationTime",
        token: "time",
        shape: Shape::Time(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?Z$"),
    },
    // DescribeKeyPairs with IncludePublicKey: generated keys differ per run.
    Volatile {
        selector: ".**.PublicKey",
        token: "public-key",
        shape: Shape::Pattern(r"^(?:ssh-rsa|ssh-dss|ecdsa-sha2-nistp(?:256|384|521)) AAAA[0-9A-Za-z+/]+={0,2}(?: .*)?$"),
    },
];

/// ECS 2014-05-26, seed 004 (CreateKeyPair) and apis.md §3.4. Key pairs are addressed by name.
pub static ECS: ApiProfile = ApiProfile {
    name: "aliyun-ecs",
    wire: &ECS_WIRE,
    default_version: "2014-05-26",
    default_region: "cn-hangzhou",
    regional: true,
    default_method: "POST",
    default_signing: Signing::AcsRpc,
    signings: &[Signing::AcsRpc, Signing::Acs3],
    service: "ecs",
    live_endpoint: "https://ecs.aliyuncs.com",
    path: "/",
    actions: &["CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPairs"],
    // KeyPairName: 2–128 characters, starting with a letter (seed 004).
    name_rule: NameRule { max_len: 128, default_len: 24 },
    name_field: "KeyPairName",
    volatile: ECS_VOLATILE,
    private_keys: &[PrivateKeyField { name: "PrivateKeyBody", beside: Beside::Md5Fingerprint("KeyPairFingerPrint") }],
    request_id: "/RequestId",
    creates: &[("CreateKeyPair", "/KeyPairName"), ("ImportKeyPair", "/KeyPairName")],
    // `KeyPairNames` is a JSON-array string (apis.md §3.4); see `ApiProfile::delete_params`.
    delete: ("DeleteKeyPairs", "KeyPairNames"),
    listing: Some(Listing {
        items: "/KeyPairs/KeyPair",
        total: "/TotalCount",
        id: "KeyPairName",
        name: "KeyPairName",
        created: "CreationTime",
    }),
    cleanup: None,
    credential_env: ALIYUN_CREDENTIAL_ENV,
};

/// The official SDKs' credential variables (id, secret, security token).
pub(crate) const ALIYUN_CREDENTIAL_ENV: (&str, &str, &str) =
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN");

/// ECS answers in XML when asked (`Format=XML`): its lists and numbers, so the XML reads as the
/// same JSON value the JSON answer gives.
static ECS_WIRE: AliyunRpc =
    AliyunRpc { xml: XmlShape { lists: &[("KeyPairs", "KeyPair"), ("Tags", "Tag")], numbers: &["TotalCount", "PageNumber", "PageSize"] } };

/// Alibaba Cloud RPC APIs: GET or form POST with RPC signature 1.0, or ACS3; a flat envelope with
/// a top-level `Code` on errors; JSON, or XML with `Format=XML`.
#[derive(Debug)]
pub struct AliyunRpc {
    /// How this API's XML answers map onto its JSON ones.
    pub xml: XmlShape,
}

impl Wire for AliyunRpc {
    fn build(&self, profile: &ApiProfile, base: &reqwest::Url, call: &Call<'_>, signer: &Signer<'_>) -> Result<Outgoing, String> {
        let host = authority(base)?;
        let url_base = format!("{}://{}{}", base.scheme(), host, profile.path);
        let mut params = flatten(call.params, 1);
        if let Some(region) = call.region
            && call.params.get("RegionId").is_none()
        {
            params.push(("RegionId".into(), region.into()));
        }
        match call.signing {
            Signing::AcsRpc => Ok(build_rpc(&url_base, call, params, signer)),
            Signing::Acs3 => build_acs3(profile, &url_base, &host, call, &params, signer),
            other => Err(format!("{} cannot sign with {}", profile.name, other.as_str())),
        }
    }

    fn error_code<'a>(&self, body: &'a Value) -> Option<&'a str> {
        error_code(body)
    }

    fn envelope(&self) -> &'static str {
        ""
    }

    fn parse_body(&self, content_type: &str, text: &str) -> Result<Value, &'static str> {
        if content_type.to_ascii_lowercase().contains("xml") {
            return self.xml.parse(text).map_err(|_| "XML");
        }
        serde_json::from_str(text).map_err(|_| "JSON")
    }

    /// ECS takes the names as one JSON-array string (apis.md §3.4).
    fn id_list(&self, ids: &[String]) -> Value {
        Value::String(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
    }

    fn page_params(&self, page: u64, size: u64) -> Value {
        serde_json::json!({"PageNumber": (page + 1).to_string(), "PageSize": size.to_string()})
    }

    fn identity(&self) -> &'static ApiProfile {
        &super::sts::ALIYUN_STS
    }
}

/// RPC signature 1.0 constants (apis.md §3.1).
pub const SIGNATURE_VERSION: &str = "1.0";

/// `k=v&…` with Alibaba's percent-encoding (`%20` for space, `*` as `%2A`), so the bytes sent are
/// the bytes signed.
fn encode(params: &[(String, String)]) -> String {
    params.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
}

/// RPC signature 1.0: GET with every parameter in the query, or POST with them in a form body
/// (both documented; the form body is merged into the signature, apis.md §3.1).
fn build_rpc(url_base: &str, call: &Call<'_>, mut params: Vec<(String, String)>, signer: &Signer<'_>) -> Outgoing {
    let Signer { id: access_key_id, secret, token, now_secs, nonce } = *signer;
    let common = [
        ("Action", call.action.to_string()),
        ("Version", call.version.to_string()),
        ("Format", "JSON".to_string()),
        ("AccessKeyId", access_key_id.to_string()),
        ("SignatureMethod", sign::acs_rpc::SIGNATURE_METHOD.to_string()),
        ("SignatureVersion", SIGNATURE_VERSION.to_string()),
        ("SignatureNonce", nonce.to_string()),
        ("Timestamp", iso8601_utc(now_secs)),
    ];
    // JSON unless the case asks for another format itself (`Format: XML`).
    let asked_format = call.params.get("Format").is_some();
    params.extend(common.into_iter().filter(|(k, _)| !(asked_format && *k == "Format")).map(|(k, v)| (k.to_string(), v)));
    if let Some(token) = token {
        params.push(("SecurityToken".into(), token.into()));
    }
    let method = call.method.to_ascii_uppercase();
    let signature = sign::acs_rpc::sign(&method, &params, secret);
    params.push(("Signature".into(), signature));
    let encoded = encode(&params);
    if method == "GET" {
        Outgoing { method, url: format!("{url_base}?{encoded}"), headers: vec![], body: vec![] }
    } else {
        Outgoing {
            method,
            url: url_base.to_string(),
            headers: vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())],
            body: encoded.into_bytes(),
        }
    }
}

/// ACS3-HMAC-SHA256 as tea-openapi sends an RPC call: parameters in the query, empty body, the
/// `x-acs-*` headers, `host` and `accept` signed (apis.md §3.1, §6). `Accept: application/json`
/// asks for JSON, since no `Format` is sent.
fn build_acs3(
    profile: &ApiProfile,
    url_base: &str,
    host: &str,
    call: &Call<'_>,
    params: &[(String, String)],
    signer: &Signer<'_>,
) -> Result<Outgoing, String> {
    let Signer { id: access_key_id, secret, token, now_secs, nonce } = *signer;
    let query = encode(params);
    let body: Vec<u8> = Vec::new();
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), host.into()),
        ("accept".into(), "application/json".into()),
        ("x-acs-action".into(), call.action.into()),
        ("x-acs-version".into(), call.version.into()),
        ("x-acs-date".into(), iso8601_utc(now_secs)),
        ("x-acs-signature-nonce".into(), nonce.to_string()),
        ("x-acs-content-sha256".into(), sign::sha256_hex(&body)),
    ];
    if let Some(token) = token {
        headers.push(("x-acs-security-token".into(), token.into()));
    }
    let method = call.method.to_ascii_uppercase();
    let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    let parts = sign::HttpParts { method: &method, path: profile.path, query: &query, headers: &headers, body: &body };
    let authorization = sign::acs3::sign(&parts, access_key_id, secret, &names).map_err(|e| format!("cannot sign: {e}"))?;
    headers.push(("Authorization".into(), authorization));
    // reqwest sets Host itself from the URL, to the same authority that was signed.
    headers.retain(|(name, _)| !name.eq_ignore_ascii_case("host"));
    let url = if query.is_empty() { url_base.to_string() } else { format!("{url_base}?{query}") };
    Ok(Outgoing { method, url, headers, body })
}

/// The top-level `Code` of an error body (apis.md §3.2); success bodies have none.
pub fn error_code(body: &Value) -> Option<&str> {
    body.get("Code").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::HttpParts;
    use serde_json::json;

    fn call<'a>(method: &'a str, signing: Signing, params: &'a Value) -> Call<'a> {
        Call { action: "CreateKeyPair", version: "2014-05-26", region: Some("cn-hangzhou"), method, signing, params }
    }

    fn base() -> reqwest::Url {
        "http://127.0.0.1:18080".parse().unwrap()
    }

    /// `CreateKeyPair` with `params`, built for ECS with the example credentials.
    fn build(method: &str, signing: Signing, params: &Value, now_secs: i64, nonce: u64) -> Result<Outgoing, String> {
        let signer = Signer { id: "LTAIEXAMPLE", secret: "secretEXAMPLE", token: None, now_secs, nonce };
        ECS_WIRE.build(&ECS, &base(), &call(method, signing, params), &signer)
    }

    fn decode(text: &str) -> Vec<(String, String)> {
        sign::decode_form(text.as_bytes())
    }

    #[test]
    fn rpc_get_is_signed_over_every_parameter_with_lists_from_one() {
        let params = json!({"KeyPairName": "a b*", "Tag": [{"Key": "k", "Value": "v"}]});
        let out = build("GET", Signing::AcsRpc, &params, 1_735_689_600, 7).unwrap();
        let (_, query) = out.url.split_once('?').unwrap();
        assert!(query.contains("KeyPairName=a%20b%2A") && query.contains("Tag.1.Key=k"), "{query}");
        let pairs = decode(query);
        let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("Timestamp"), Some("2025-01-01T00:00:00Z"));
        assert_eq!((get("RegionId"), get("SignatureNonce"), get("Format")), (Some("cn-hangzhou"), Some("7"), Some("JSON")));
        assert_eq!(sign::acs_rpc::verify("GET", &pairs, "secretEXAMPLE"), Ok(()));
    }

    #[test]
    fn rpc_post_sends_a_form_body_and_a_null_region_leaves_it_out() {
        let params = json!({"KeyPairName": "k1", "RegionId": null});
        let out = build("POST", Signing::AcsRpc, &params, 0, 1).unwrap();
        assert_eq!(out.url, "http://127.0.0.1:18080/");
        let pairs = decode(std::str::from_utf8(&out.body).unwrap());
        assert!(!pairs.iter().any(|(k, _)| k == "RegionId"));
        assert_eq!(sign::acs_rpc::verify("POST", &pairs, "secretEXAMPLE"), Ok(()));
    }

    #[test]
    fn acs3_signs_the_query_and_the_acs_headers() {
        let params = json!({"KeyPairName": "k1"});
        let out = build("POST", Signing::Acs3, &params, 0, 1).unwrap();
        let (_, query) = out.url.split_once('?').unwrap();
        let mut headers = out.headers.clone();
        headers.push(("Host".into(), "127.0.0.1:18080".into()));
        let auth = sign::acs3::parse_authorization(&headers.iter().find(|(k, _)| k == "Authorization").unwrap().1).unwrap();
        let parts = HttpParts { method: "POST", path: "/", query, headers: &headers, body: &out.body };
        assert_eq!(sign::acs3::verify(&parts, &auth, "secretEXAMPLE"), Ok(()));
        assert!(query.contains("RegionId=cn-hangzhou"));
    }

    #[test]
    fn refuses_tencent_signings() {
        let params = json!({});
        assert_eq!(build("POST", Signing::Tc3, &params, 0, 1).unwrap_err(), "aliyun-ecs cannot sign with tc3");
        assert!(build("POST", Signing::HmacSha1, &params, 0, 1).is_err());
    }

    #[test]
    fn a_security_token_is_a_parameter_in_rpc_and_a_signed_header_in_acs3() {
        let params = json!({"KeyPairName": "k1"});
        let signer = Signer { id: "LTAIEXAMPLE", secret: "secretEXAMPLE", token: Some("sts-token"), now_secs: 0, nonce: 1 };
        let rpc = ECS_WIRE.build(&ECS, &base(), &call("GET", Signing::AcsRpc, &params), &signer).unwrap();
        let pairs = decode(rpc.url.split_once('?').unwrap().1);
        assert!(pairs.contains(&("SecurityToken".into(), "sts-token".into())));
        assert_eq!(sign::acs_rpc::verify("GET", &pairs, "secretEXAMPLE"), Ok(()));
        let acs3 = ECS_WIRE.build(&ECS, &base(), &call("post", Signing::Acs3, &params), &signer).unwrap();
        assert_eq!(acs3.method, "POST");
        assert!(acs3.headers.contains(&("x-acs-security-token".into(), "sts-token".into())));
        let authorization = &acs3.headers.iter().find(|(k, _)| k == "Authorization").unwrap().1;
        assert!(authorization.contains("x-acs-security-token"), "{authorization}");
        assert!(!acs3.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")), "reqwest sets Host from the URL");
    }

    #[test]
    fn a_format_the_case_asks_for_replaces_json() {
        let params = json!({"Format": "XML"});
        let out = build("GET", Signing::AcsRpc, &params, 0, 1).unwrap();
        let formats: Vec<String> =
            decode(out.url.split_once('?').unwrap().1).into_iter().filter(|(k, _)| k == "Format").map(|(_, v)| v).collect();
        assert_eq!(formats, ["XML"]);
    }

    #[test]
    fn acs3_without_parameters_has_no_query() {
        let sts = Call {
            action: "GetCallerIdentity",
            version: "2015-04-01",
            region: None,
            method: "POST",
            signing: Signing::Acs3,
            params: &json!({}),
        };
        let signer = Signer { id: "LTAIEXAMPLE", secret: "secretEXAMPLE", token: None, now_secs: 0, nonce: 1 };
        let out = STS_WIRE_FOR_TEST.build(&crate::apis::sts::ALIYUN_STS, &base(), &sts, &signer).unwrap();
        assert_eq!(out.url, "http://127.0.0.1:18080/");
    }

    static STS_WIRE_FOR_TEST: AliyunRpc = AliyunRpc { xml: XmlShape { lists: &[], numbers: &[] } };

    #[test]
    fn answers_are_read_as_json_or_by_content_type_as_xml() {
        assert_eq!(ECS_WIRE.error_code(&json!({"Code": "Forbidden.RAM", "RequestId": "r"})), Some("Forbidden.RAM"));
        assert_eq!(ECS_WIRE.error_code(&json!({"RequestId": "r"})), None);
        assert_eq!(ECS_WIRE.envelope(), "");
        let xml = "<DescribeKeyPairsResponse><TotalCount>0</TotalCount><KeyPairs/></DescribeKeyPairsResponse>";
        assert_eq!(ECS_WIRE.parse_body("text/XML;charset=utf-8", xml), Ok(json!({"TotalCount": 0, "KeyPairs": {"KeyPair": []}})));
        assert_eq!(ECS_WIRE.parse_body("application/xml", "{}"), Err("XML"));
        assert_eq!(ECS_WIRE.parse_body("application/json", "{\"TotalCount\": 0}"), Ok(json!({"TotalCount": 0})));
        assert_eq!(ECS_WIRE.parse_body("application/json", xml), Err("JSON"));
        assert_eq!(ECS_WIRE.id_list(&["a".into(), "b".into()]), json!("[\"a\",\"b\"]"));
        assert_eq!(ECS_WIRE.page_params(0, 50), json!({"PageNumber": "1", "PageSize": "50"}));
        assert_eq!(ECS_WIRE.page_params(2, 10), json!({"PageNumber": "3", "PageSize": "10"}));
    }
}
