//! What the harness knows about each API family: its defaults, how a request is built and signed,
//! where its error code sits, which response fields are volatile, and how to clean up after a case.
//!
//! One module per request style; one [`ApiProfile`] per API (a folder under `cases/`). Adding an
//! API is one more profile in [`PROFILES`] and, for a new style, one more module.

pub mod aliyun_rpc;
pub mod legacy_error;
pub mod sts;
pub mod tencent_api3;
pub mod tencent_legacy;

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

/// A signed request ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
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
    let (id, secret) = (&credentials.id, &credentials.secret);
    match profile.style {
        RequestStyle::TencentApi3 => tencent_api3::build(profile, base, call, id, secret, token, now_secs, nonce),
        RequestStyle::TencentLegacy => tencent_legacy::build(profile, base, call, id, secret, token, now_secs, nonce),
        RequestStyle::AliyunRpc => aliyun_rpc::build(profile, base, call, id, secret, token, now_secs, nonce),
    }
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
    pub fn as_str(self) -> &'static str {
        match self {
            Signing::Tc3 => "tc3",
            Signing::HmacSha1 => "hmac-sha1",
            Signing::HmacSha256 => "hmac-sha256",
            Signing::AcsRpc => "acs-rpc",
            Signing::Acs3 => "acs3",
        }
    }
}

/// The wire shape a family of APIs uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStyle {
    /// Tencent Cloud API 3.0: JSON POST with TC3, or GET/form POST with signature v1.
    TencentApi3,
    /// The legacy CVM v2 endpoint (`/v2/index.php`): GET or form POST with signature v1; with
    /// `Version=2017-03-12` it answers in the API 3.0 envelope (seed 002).
    TencentLegacy,
    /// Alibaba Cloud RPC APIs (ECS 2014-05-26): GET or form POST with RPC signature 1.0, or ACS3;
    /// flat JSON envelope with a top-level `Code` on errors.
    AliyunRpc,
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
    pub style: RequestStyle,
    pub default_version: &'static str,
    pub default_region: &'static str,
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
    /// JSON pointer of the request id in any response.
    pub request_id: &'static str,
    /// Actions that create a resource, with the pointer of the new resource's id in the response.
    pub creates: &'static [(&'static str, &'static str)],
    /// The action that deletes resources, and its list parameter.
    pub delete: (&'static str, &'static str),
    /// Environment variables of the official SDKs holding live credentials.
    pub credential_env: (&'static str, &'static str),
}

impl ApiProfile {
    /// The provider error code in a response, if it is an error.
    pub fn error_code<'a>(&self, _status: u16, body: &'a Value) -> Option<&'a str> {
        match self.style {
            RequestStyle::TencentApi3 => body.pointer("/Response/Error/Code").and_then(Value::as_str),
            RequestStyle::TencentLegacy => legacy_error::error_code(body),
            RequestStyle::AliyunRpc => aliyun_rpc::error_code(body),
        }
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
        match self.style {
            RequestStyle::TencentLegacy => &tencent_api3::CVM,
            _ => self,
        }
    }

    /// Parameters of a request deleting `ids`.
    pub fn delete_params(&self, ids: &[String]) -> Value {
        if self.style == RequestStyle::AliyunRpc {
            // ECS takes the names as one JSON-array string (apis.md §3.4).
            let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
            return serde_json::json!({ self.delete.1: list });
        }
        serde_json::json!({ self.delete.1: ids })
    }
}

/// Every API the harness can test.
pub static PROFILES: &[&ApiProfile] = &[&tencent_api3::CVM, &tencent_api3::LIGHTHOUSE, &tencent_legacy::CVM_LEGACY, &aliyun_rpc::ECS];

/// The profile named `name`.
pub fn profile(name: &str) -> Option<&'static ApiProfile> {
    PROFILES.iter().copied().find(|p| p.name == name)
}

/// The names of all profiles, for error messages.
pub fn profile_names() -> Vec<&'static str> {
    PROFILES.iter().map(|p| p.name).collect()
}
