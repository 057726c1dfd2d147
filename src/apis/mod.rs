//! What the harness knows about each API (this is the harness's view of an API; the emulator's
//! providers live under `emulator/`): its defaults, how a request is built and signed, how its
//! answers are read, which response fields are volatile, and how to clean up after a case.
//!
//! One [`ApiProfile`] per API (a folder under `cases/`), all data; what differs between request
//! styles sits behind the [`Wire`] trait, one implementation per style module. Adding an API is
//! one more profile in [`PROFILES`] and, for a new style, one more module implementing [`Wire`]:
//! no `match` on the API anywhere.

pub mod aliyun_rpc;
pub mod legacy_error;
pub mod sts;
pub mod tencent_api3;
pub mod tencent_legacy;
pub mod xml;

use serde_json::Value;

/// One API call, before signing.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    pub action: &'a str,
    pub version: &'a str,
    pub region: Option<&'a str>,
    pub method: &'a str,
    pub signing: Signing,
    pub params: &'a Value,
}

impl<'a> Call<'a> {
    /// `action` with `params` and `profile`'s defaults: version, region, method and signing.
    pub fn defaults(profile: &'a ApiProfile, action: &'a str, params: &'a Value) -> Self {
        Call {
            action,
            version: profile.default_version,
            region: profile.regional.then_some(profile.default_region),
            method: profile.default_method,
            signing: profile.default_signing,
            params,
        }
    }
}

/// What signs a request: the credentials, the session token of temporary credentials, the time and
/// the nonce (passed in so a request is reproducible). No `Debug`: it holds the secret.
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    pub id: &'a str,
    pub secret: &'a str,
    pub token: Option<&'a str>,
    pub now_secs: i64,
    pub nonce: u64,
}

/// A signed request ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Outgoing {
    /// The request as a client puts it on the wire: the URL's path and query as the target, and a
    /// `Host` of the authority it was signed for unless the signer set one (reqwest adds it itself;
    /// a server driven without a client needs it). For driving the emulator in-process and the
    /// benchmark's load generator.
    pub fn to_http<B: From<Vec<u8>>>(&self) -> axum::http::Request<B> {
        let url: reqwest::Url = self.url.parse().expect("the harness builds valid URLs");
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let mut request = axum::http::Request::builder().method(self.method.as_str()).uri(target);
        if !self.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            request = request.header("host", url.authority());
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request.body(B::from(self.body.clone())).expect("signed requests are valid HTTP")
    }
}

/// Credentials for one target account. `Debug` hides the secret.
#[derive(Clone)]
pub struct Credentials {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("id", &self.id).field("secret", &"[redacted]").finish()
    }
}

/// Builds and signs `call` for `profile` at the endpoint `base`; `now_secs` and `nonce` are
/// passed in so a request is reproducible.
pub fn build_request(
    profile: &ApiProfile,
    base: &reqwest::Url,
    call: &Call<'_>,
    credentials: &Credentials,
    now_secs: i64,
    nonce: u64,
) -> Result<Outgoing, String> {
    build_request_with_token(profile, base, call, credentials, None, now_secs, nonce)
}

/// [`build_request`] with a session token of temporary credentials (STS), sent as the SDKs send
/// it: Tencent `X-TC-Token` (TC3) or the `Token` parameter (signature v1); Alibaba the
/// `SecurityToken` parameter (RPC 1.0) or the signed `x-acs-security-token` header (ACS3).
pub fn build_request_with_token(
    profile: &ApiProfile,
    base: &reqwest::Url,
    call: &Call<'_>,
    credentials: &Credentials,
    token: Option<&str>,
    now_secs: i64,
    nonce: u64,
) -> Result<Outgoing, String> {
    if !profile.signings.contains(&call.signing) {
        return Err(format!("{} does not sign with {}", profile.name, call.signing.as_str()));
    }
    let signer = Signer { id: &credentials.id, secret: &credentials.secret, token, now_secs, nonce };
    profile.wire.build(profile, base, call, &signer)
}

/// How a request is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signing {
    /// Tencent TC3-HMAC-SHA256 (API 3.0).
    Tc3,
    /// Tencent signature v1 with HmacSHA1 (API 3.0 and the legacy endpoint).
    HmacSha1,
    /// Tencent signature v1 with HmacSHA256.
    HmacSha256,
    /// Alibaba RPC signature 1.0 (HMAC-SHA1 over the sorted query).
    AcsRpc,
    /// Alibaba ACS3-HMAC-SHA256.
    Acs3,
}

impl Signing {
    /// Every scheme with its name in case files; the one list (schemas/case.schema.json's enum is
    /// checked against it by a test).
    pub const ALL: [(Signing, &'static str); 5] = [
        (Signing::Tc3, "tc3"),
        (Signing::HmacSha1, "hmac-sha1"),
        (Signing::HmacSha256, "hmac-sha256"),
        (Signing::AcsRpc, "acs-rpc"),
        (Signing::Acs3, "acs3"),
    ];

    /// The scheme's name in case files (`signing:`).
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(s, _)| *s == self).map(|(_, name)| *name).unwrap_or("?")
    }
}

/// How a family of APIs puts a call on the wire and reads its answers: one implementation per
/// request style (Tencent API 3.0, the legacy CVM v2 endpoint, Alibaba RPC), shared by the profiles
/// of that family.
pub trait Wire: Sync + std::fmt::Debug {
    /// Builds and signs `call` for `profile` at `base` (e.g. `http://127.0.0.1:8080`).
    fn build(&self, profile: &ApiProfile, base: &reqwest::Url, call: &Call<'_>, signer: &Signer<'_>) -> Result<Outgoing, String>;

    /// The provider error code in a parsed body, if it is an error.
    fn error_code<'a>(&self, body: &'a Value) -> Option<&'a str>;

    /// The JSON pointer of the object holding an answer's fields: `/Response` for Tencent API 3.0,
    /// `""` for a flat envelope.
    fn envelope(&self) -> &'static str;

    /// A response body of `content_type` as JSON, or the name of the format it failed to parse
    /// as. Default: JSON whatever the content type says.
    fn parse_body(&self, _content_type: &str, text: &str) -> Result<Value, &'static str> {
        serde_json::from_str(text).map_err(|_| "JSON")
    }

    /// The value of a list parameter naming `ids`. Default: a JSON array.
    fn id_list(&self, ids: &[String]) -> Value {
        serde_json::json!(ids)
    }

    /// The parameters asking for page `page` (from 0) of `size` items of a listing.
    fn page_params(&self, page: u64, size: u64) -> Value;

    /// The caller-identity (STS) profile that says whose credentials a call of this family uses.
    fn identity(&self) -> &'static ApiProfile;
}

/// Where a listing (`DescribeKeyPairs`) puts its items and their fields, for cleanup and sweep.
#[derive(Debug, Clone, Copy)]
pub struct Listing {
    /// JSON pointer of the item list.
    pub items: &'static str,
    /// JSON pointer of the total count (a number or a numeric string).
    pub total: &'static str,
    /// The item field a delete takes (Tencent `KeyId`, ECS `KeyPairName`).
    pub id: &'static str,
    pub name: &'static str,
    /// The item field holding the creation time.
    pub created: &'static str,
}

/// A field whose value changes from run to run; redacted in snapshots after its shape is checked.
#[derive(Debug, Clone, Copy)]
pub struct Volatile {
    /// insta selector, e.g. `.**.KeyId`.
    pub selector: &'static str,
    /// Token prefix, e.g. `key-id` gives `[key-id:1]`.
    pub token: &'static str,
    pub shape: Shape,
}

/// The shape a volatile value must have before it is redacted.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Matches a regular expression.
    Pattern(&'static str),
    /// An OpenSSH RSA public key line.
    OpenSshRsa,
    /// A PEM RSA private key (its public half is compared with the sibling public key separately).
    PemRsaPrivate,
    /// A time matching the pattern. Times are not references, so their tokens are not numbered
    /// (two key pairs made in one second or in two give the same snapshot).
    Time(&'static str),
}

/// A response field holding a private key: scrubbed wherever it appears, and checked against the
/// field that says which key it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivateKeyField {
    pub name: &'static str,
    pub beside: Beside,
}

/// What a private key is returned beside, to check that it is the other half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beside {
    /// The public key as an OpenSSH line (Tencent `PublicKey`).
    OpenSshPublicKey(&'static str),
    /// The MD5 fingerprint of the public half (ECS `KeyPairFingerPrint`; no public key on create).
    Md5Fingerprint(&'static str),
    /// Nothing to check it against.
    Nothing,
}

/// The naming rule for generated unique names (`${name.ID}` in case files).
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    pub max_len: usize,
    /// Default length of a generated name.
    pub default_len: usize,
}

/// Everything the harness needs to know about one API.
#[derive(Debug)]
pub struct ApiProfile {
    /// The case folder and `api:` value, e.g. `tencent-cvm`.
    pub name: &'static str,
    /// How requests are built and answers read.
    pub wire: &'static dyn Wire,
    pub default_version: &'static str,
    pub default_region: &'static str,
    /// Whether its calls name a region; `false` for Alibaba STS, which takes none (apis.md §8).
    pub regional: bool,
    pub default_method: &'static str,
    pub default_signing: Signing,
    pub signings: &'static [Signing],
    /// The TC3 credential-scope service.
    pub service: &'static str,
    /// The live endpoint.
    pub live_endpoint: &'static str,
    pub path: &'static str,
    pub actions: &'static [&'static str],
    pub name_rule: NameRule,
    /// The response field holding a key pair's name; generated names there show as their
    /// `${name.ID}` template in snapshots.
    pub name_field: &'static str,
    pub volatile: &'static [Volatile],
    /// Fields of its answers that hold private keys.
    pub private_keys: &'static [PrivateKeyField],
    /// JSON pointer of the request id in any response.
    pub request_id: &'static str,
    /// Actions that create a resource, with the pointer of the new resource's id in the response.
    pub creates: &'static [(&'static str, &'static str)],
    /// The action that deletes resources, and its list parameter.
    pub delete: (&'static str, &'static str),
    /// Where a listing puts its items; `None` for an API that lists no key pairs (STS).
    pub listing: Option<Listing>,
    /// The profile whose `delete` cleans up after this one; `None`: this one.
    pub cleanup: Option<&'static ApiProfile>,
    /// Environment variables of the official SDKs holding live credentials: id, secret and the
    /// session token of temporary credentials.
    pub credential_env: (&'static str, &'static str, &'static str),
}

impl ApiProfile {
    /// The provider error code in a response, if it is an error.
    pub fn error_code<'a>(&self, _status: u16, body: &'a Value) -> Option<&'a str> {
        self.wire.error_code(body)
    }

    /// The ids of resources a successful response created.
    pub fn created_ids(&self, action: &str, body: &Value) -> Vec<String> {
        self.creates
            .iter()
            .filter(|(a, _)| *a == action)
            .filter_map(|(_, pointer)| body.pointer(pointer).and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    }

    /// The ids a delete request names.
    pub fn deleted_ids(&self, action: &str, params: &Value) -> Vec<String> {
        if action != self.delete.0 {
            return Vec::new();
        }
        match params.get(self.delete.1) {
            Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            // ECS `KeyPairNames`: a JSON array inside a string (apis.md §3.4).
            Some(Value::String(list)) => serde_json::from_str(list).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// The profile whose `delete` action cleans up after this one. The legacy endpoint serves
    /// CreateKeyPair only; the keys it creates are CVM keys, deleted through CVM API 3.0.
    pub fn cleanup_profile(&'static self) -> &'static ApiProfile {
        self.cleanup.unwrap_or(self)
    }

    /// Parameters of a request deleting `ids`.
    pub fn delete_params(&self, ids: &[String]) -> Value {
        serde_json::json!({ self.delete.1: self.wire.id_list(ids) })
    }

    /// The field `name` of an answer's envelope (`/Response/<name>` or `/<name>`).
    pub fn field<'a>(&self, body: &'a Value, name: &str) -> Option<&'a Value> {
        body.pointer(self.wire.envelope())?.get(name)
    }
}

/// Every API the harness can test.
pub static PROFILES: &[&ApiProfile] = &[&tencent_api3::CVM, &tencent_api3::LIGHTHOUSE, &tencent_legacy::CVM_LEGACY, &aliyun_rpc::ECS];

/// The profile named `name`.
pub fn profile(name: &str) -> Option<&'static ApiProfile> {
    PROFILES.iter().copied().find(|p| p.name == name)
}

/// The fields holding private keys in any API's answers, each name once.
pub fn private_key_fields() -> Vec<PrivateKeyField> {
    let mut fields: Vec<PrivateKeyField> = Vec::new();
    for field in PROFILES.iter().flat_map(|p| p.private_keys) {
        if !fields.iter().any(|f| f.name == field.name) {
            fields.push(*field);
        }
    }
    fields
}

/// The names of all profiles, for error messages.
pub fn profile_names() -> Vec<&'static str> {
    PROFILES.iter().map(|p| p.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_schema_lists_the_signing_schemes_the_code_knows() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/case.schema.json")).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        let listed: Vec<&str> = schema
            .pointer("/$defs/step/properties/signing/enum")
            .and_then(Value::as_array)
            .expect("the step's signing enum in schemas/case.schema.json")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let known: Vec<&str> = Signing::ALL.iter().map(|(_, name)| *name).collect();
        assert_eq!(listed, known);
        for (signing, name) in Signing::ALL {
            assert_eq!(serde_json::to_value(signing).unwrap(), name, "serde and as_str name {signing:?} alike");
        }
    }

    #[test]
    fn every_profile_signs_by_default_with_a_scheme_it_offers_and_names_its_private_keys() {
        for profile in PROFILES.iter().copied().chain([&sts::TENCENT_STS, &sts::ALIYUN_STS]) {
            assert!(profile.signings.contains(&profile.default_signing), "{}", profile.name);
        }
        let names: Vec<&str> = private_key_fields().iter().map(|f| f.name).collect();
        assert_eq!(names, ["PrivateKey", "secretkey", "PrivateKeyBody"]);
    }

    #[test]
    fn each_profile_calls_the_version_its_seeds_document_and_serves_their_actions() {
        let documented = crate::coverage::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        for seed in &documented.seeds {
            let profile = profile(&seed.api).unwrap_or_else(|| panic!("{}: no profile {}", seed.seed, seed.api));
            if let Some(version) = &seed.version {
                assert_eq!(profile.default_version, version, "{}", seed.seed);
            }
            assert!(profile.actions.contains(&seed.action.as_str()), "{}: {} lacks {}", seed.seed, profile.name, seed.action);
        }
    }

    #[test]
    fn api3_profiles_sign_for_the_service_their_endpoint_names() {
        // A Tencent API 3.0 endpoint is `<service>.tencentcloudapi.com`, and the TC3 credential scope
        // names that service (apis.md §1.1); an Alibaba one `<product>.aliyuncs.com`.
        for profile in [&tencent_api3::CVM, &tencent_api3::LIGHTHOUSE, &sts::TENCENT_STS] {
            assert_eq!(profile.live_endpoint, format!("https://{}.tencentcloudapi.com", profile.service), "{}", profile.name);
        }
        for profile in [&aliyun_rpc::ECS, &sts::ALIYUN_STS] {
            assert_eq!(profile.live_endpoint, format!("https://{}.aliyuncs.com", profile.service), "{}", profile.name);
        }
    }

    #[test]
    fn the_legacy_endpoint_is_the_one_seed_002_names_and_serves_create_only() {
        let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/seeds/002_e02216b6b2f56b80.txt")).unwrap();
        let legacy = &tencent_legacy::CVM_LEGACY;
        let host = legacy.live_endpoint.strip_prefix("https://").unwrap();
        assert!(seed.contains(host), "seed 002 names {host}");
        // apis.md §2: the v2 endpoint's key-pair action is CreateKeyPair; its keys are deleted via API 3.0.
        assert_eq!(legacy.actions, ["CreateKeyPair"]);
        let answer = serde_json::json!({"Response": {"KeyPair": {"KeyId": "skey-1"}, "KeyId": "skey-2"}});
        assert_eq!(legacy.created_ids("CreateKeyPair", &answer), ["skey-1"]);
        assert!(legacy.created_ids("ImportKeyPair", &answer).is_empty());
    }

    #[test]
    fn lighthouse_and_cvm_key_ids_have_their_own_shapes() {
        let key_id_pattern = |profile: &ApiProfile| {
            profile.volatile.iter().find(|v| v.token == "key-id").map(|v| match v.shape {
                Shape::Pattern(pattern) => regex::Regex::new(pattern).unwrap(),
                other => panic!("{}: KeyId shape {other:?}", profile.name),
            })
        };
        let (cvm, lighthouse) = (key_id_pattern(&tencent_api3::CVM).unwrap(), key_id_pattern(&tencent_api3::LIGHTHOUSE).unwrap());
        assert!(cvm.is_match("skey-mv9yzyjj") && !cvm.is_match("lhkp-mv9yzyjj"));
        assert!(lighthouse.is_match("lhkp-mv9yzyjj") && !lighthouse.is_match("skey-mv9yzyjj"));
    }

    #[test]
    fn profiles_are_found_by_their_case_folder_name() {
        assert_eq!(profile_names(), ["tencent-cvm", "tencent-lighthouse", "tencent-cvm-legacy", "aliyun-ecs"]);
        for name in profile_names() {
            assert_eq!(profile(name).map(|p| p.name), Some(name));
        }
        assert!(profile("tencent-sts").is_none(), "STS is not a case API");
        assert!(profile("").is_none());
    }

    #[test]
    fn a_call_takes_its_profiles_defaults_and_a_region_only_where_the_api_has_one() {
        let params = serde_json::json!({"KeyName": "k"});
        let call = Call::defaults(&tencent_legacy::CVM_LEGACY, "CreateKeyPair", &params);
        assert_eq!(
            (call.action, call.version, call.region, call.method, call.signing),
            ("CreateKeyPair", "2017-03-12", Some("ap-guangzhou"), "GET", Signing::HmacSha1)
        );
        assert_eq!(call.params, &params);
        let sts = Call::defaults(&sts::ALIYUN_STS, "GetCallerIdentity", &params);
        assert_eq!((sts.version, sts.region, sts.signing), ("2015-04-01", None, Signing::AcsRpc));
    }

    #[test]
    fn a_request_is_refused_a_scheme_its_profile_does_not_offer() {
        let credentials = Credentials { id: "AKIDexample".into(), secret: "not-a-real-secret".into() };
        let base: reqwest::Url = "http://127.0.0.1:1".parse().unwrap();
        let params = serde_json::json!({});
        let mut call = Call::defaults(&tencent_legacy::CVM_LEGACY, "CreateKeyPair", &params);
        call.signing = Signing::Tc3;
        let error = build_request(&tencent_legacy::CVM_LEGACY, &base, &call, &credentials, 1_700_000_000, 1).unwrap_err();
        assert_eq!(error, "tencent-cvm-legacy does not sign with tc3");
        call.signing = Signing::HmacSha256;
        let sent = build_request(&tencent_legacy::CVM_LEGACY, &base, &call, &credentials, 1_700_000_000, 1).unwrap();
        assert!(sent.url.contains("SignatureMethod=HmacSHA256"), "{}", sent.url);
        // The legacy wire sends SignatureMethod for HmacSHA1 too, as qcloudapi-sdk-python does (apis.md §6).
        call.signing = Signing::HmacSha1;
        let sent = build_request(&tencent_legacy::CVM_LEGACY, &base, &call, &credentials, 1_700_000_000, 1).unwrap();
        assert!(sent.url.starts_with("http://127.0.0.1:1/v2/index.php?") && sent.url.contains("SignatureMethod=HmacSHA1"), "{}", sent.url);
        let debug = format!("{credentials:?}");
        assert!(debug.contains("AKIDexample") && !debug.contains("not-a-real-secret"), "{debug}");
    }

    #[test]
    fn created_ids_are_read_where_the_action_puts_them() {
        let cvm = &tencent_api3::CVM;
        let create = serde_json::json!({"Response": {"KeyPair": {"KeyId": "skey-1"}, "KeyId": "skey-2"}});
        assert_eq!(cvm.created_ids("CreateKeyPair", &create), ["skey-1"]);
        assert_eq!(cvm.created_ids("ImportKeyPair", &create), ["skey-2"]);
        assert!(cvm.created_ids("DescribeKeyPairs", &create).is_empty());
        assert!(cvm.created_ids("CreateKeyPair", &serde_json::json!({"Response": {"KeyPair": {"KeyId": 7}}})).is_empty());
        let ecs = &aliyun_rpc::ECS;
        assert_eq!(ecs.created_ids("ImportKeyPair", &serde_json::json!({"KeyPairName": "k1"})), ["k1"]);
    }

    #[test]
    fn deleted_ids_are_read_from_a_list_or_an_ecs_json_array_string() {
        let cvm = &tencent_api3::CVM;
        let params = serde_json::json!({"KeyIds": ["skey-1", 2, "skey-3"]});
        assert_eq!(cvm.deleted_ids("DeleteKeyPairs", &params), ["skey-1", "skey-3"]);
        assert!(cvm.deleted_ids("DescribeKeyPairs", &params).is_empty(), "only the delete action deletes");
        assert!(cvm.deleted_ids("DeleteKeyPairs", &serde_json::json!({"KeyIds": 5})).is_empty());
        let ecs = &aliyun_rpc::ECS;
        assert_eq!(ecs.deleted_ids("DeleteKeyPairs", &serde_json::json!({"KeyPairNames": "[\"a\",\"b\"]"})), ["a", "b"]);
        assert!(ecs.deleted_ids("DeleteKeyPairs", &serde_json::json!({"KeyPairNames": "a"})).is_empty());
    }

    #[test]
    fn delete_params_name_the_ids_as_each_api_takes_them() {
        let ids = ["a".to_string(), "b".to_string()];
        assert_eq!(tencent_api3::CVM.delete_params(&ids), serde_json::json!({"KeyIds": ["a", "b"]}));
        assert_eq!(aliyun_rpc::ECS.delete_params(&ids), serde_json::json!({"KeyPairNames": "[\"a\",\"b\"]"}));
    }

    #[test]
    fn a_field_is_read_inside_the_apis_envelope() {
        let tencent = serde_json::json!({"Response": {"TotalCount": 3}, "TotalCount": 9});
        assert_eq!(tencent_api3::CVM.field(&tencent, "TotalCount"), Some(&serde_json::json!(3)));
        assert_eq!(aliyun_rpc::ECS.field(&tencent, "TotalCount"), Some(&serde_json::json!(9)));
        assert_eq!(tencent_api3::CVM.field(&serde_json::json!({"TotalCount": 9}), "TotalCount"), None);
        assert_eq!(tencent_api3::CVM.error_code(200, &serde_json::json!({"Response": {"Error": {"Code": "X"}}})), Some("X"));
    }

    #[test]
    fn the_caller_identity_profile_follows_the_family_and_reads_either_account_id() {
        assert_eq!(sts::for_api(&tencent_api3::LIGHTHOUSE).name, "tencent-sts");
        assert_eq!(sts::for_api(&tencent_legacy::CVM_LEGACY).name, "tencent-sts");
        assert_eq!(sts::for_api(&aliyun_rpc::ECS).name, "aliyun-sts");
        let tencent = serde_json::json!({"Response": {"AccountId": "100001", "RequestId": "r"}});
        assert_eq!(sts::account_id(&sts::TENCENT_STS, &tencent).as_deref(), Some("100001"));
        let aliyun = serde_json::json!({"AccountId": 1234567890123456_u64});
        assert_eq!(sts::account_id(&sts::ALIYUN_STS, &aliyun).as_deref(), Some("1234567890123456"));
        assert_eq!(sts::account_id(&sts::ALIYUN_STS, &serde_json::json!({"AccountId": true})), None);
    }
}
