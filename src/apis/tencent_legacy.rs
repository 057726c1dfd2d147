//! The legacy CVM v2 endpoint (`https://cvm.api.qcloud.com/v2/index.php`), called as seed 002
//! documents it: `Version=2017-03-12` with the API 3.0 parameter names, answered in the API 3.0
//! envelope. Requests are built as qcloudapi-sdk-python sends them (apis.md §6): every parameter in
//! the query (GET, the default) or a form body (POST), signed with signature v1 over
//! `METHOD + host + /v2/index.php + ? + sorted raw params`, `SignatureMethod` always sent.

use serde_json::Value;

use super::tencent_api3::{CVM, TencentApi3, authority, build_v1};
use super::{ApiProfile, Beside, Call, Outgoing, PrivateKeyField, Signer, Signing, Wire};

/// Legacy CVM v2, seed 002 (CreateKeyPair only). Its keys are CVM keys: cleanup goes through the
/// CVM API 3.0 profile ([`ApiProfile::cleanup_profile`]).
pub static CVM_LEGACY: ApiProfile = ApiProfile {
    name: "tencent-cvm-legacy",
    wire: &TencentLegacy,
    default_method: "GET",
    default_signing: Signing::HmacSha1,
    signings: &[Signing::HmacSha1, Signing::HmacSha256],
    live_endpoint: "https://cvm.api.qcloud.com",
    path: "/v2/index.php",
    actions: &["CreateKeyPair"],
    // The API 3.0 envelope's `PrivateKey`, and the flat answer's `data.secretkey` (apis.md §2).
    private_keys: &[
        PrivateKeyField { name: "PrivateKey", beside: Beside::OpenSshPublicKey("PublicKey") },
        PrivateKeyField { name: "secretkey", beside: Beside::Nothing },
    ],
    creates: &[("CreateKeyPair", "/Response/KeyPair/KeyId")],
    cleanup: Some(&CVM),
    // The rest as CVM API 3.0: version, region, service, fields and the delete it cleans up with.
    ..CVM
};

/// The legacy CVM v2 endpoint: GET or form POST with signature v1; with `Version=2017-03-12` it
/// answers in the API 3.0 envelope (seed 002), its older answers are flat (see [`super::legacy_error`]).
#[derive(Debug)]
pub struct TencentLegacy;

impl Wire for TencentLegacy {
    fn build(&self, profile: &ApiProfile, base: &reqwest::Url, call: &Call<'_>, signer: &Signer<'_>) -> Result<Outgoing, String> {
        if !matches!(call.signing, Signing::HmacSha1 | Signing::HmacSha256) {
            return Err(format!("{} cannot sign with {}", profile.name, call.signing.as_str()));
        }
        let host = authority(base)?;
        let url_base = format!("{}://{}{}", base.scheme(), host, profile.path);
        Ok(build_v1(&url_base, &host, profile.path, call, signer, true))
    }

    fn error_code<'a>(&self, body: &'a Value) -> Option<&'a str> {
        super::legacy_error::error_code(body)
    }

    fn envelope(&self) -> &'static str {
        TencentApi3.envelope()
    }

    fn page_params(&self, page: u64, size: u64) -> Value {
        TencentApi3.page_params(page, size)
    }

    fn identity(&self) -> &'static ApiProfile {
        TencentApi3.identity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::tencent_v1;
    use serde_json::json;

    fn call<'a>(method: &'a str, signing: Signing, params: &'a serde_json::Value) -> Call<'a> {
        Call { action: "CreateKeyPair", version: "2017-03-12", region: Some("ap-guangzhou"), method, signing, params }
    }

    /// `CreateKeyPair` with `params`, built for the legacy endpoint with the example credentials.
    fn build(method: &str, signing: Signing, params: &serde_json::Value) -> Result<Outgoing, String> {
        let base: reqwest::Url = "http://127.0.0.1:18080".parse().unwrap();
        let signer = Signer { id: "AKIDEXAMPLE", secret: "secretEXAMPLE", token: None, now_secs: 1_735_689_600, nonce: 42 };
        TencentLegacy.build(&CVM_LEGACY, &base, &call(method, signing, params), &signer)
    }

    #[test]
    fn get_carries_every_parameter_in_a_query_the_verifier_accepts() {
        let params = json!({"KeyName": "vector_key_1", "ProjectId": 0});
        let out = build("GET", Signing::HmacSha1, &params).unwrap();
        assert_eq!(out.method, "GET");
        assert!(out.url.starts_with("http://127.0.0.1:18080/v2/index.php?"), "{}", out.url);
        let url: reqwest::Url = out.url.parse().unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("SignatureMethod".into(), "HmacSHA1".into())));
        assert!(pairs.contains(&("Version".into(), "2017-03-12".into())));
        assert_eq!(tencent_v1::verify("GET", "127.0.0.1:18080", "/v2/index.php", &pairs, "secretEXAMPLE"), Ok(()));
    }

    #[test]
    fn post_sends_a_signed_form() {
        let params = json!({"KeyName": "k", "ProjectId": 0});
        let out = build("POST", Signing::HmacSha256, &params).unwrap();
        assert_eq!(out.url, "http://127.0.0.1:18080/v2/index.php");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&out.body).into_owned().collect();
        assert!(pairs.contains(&("SignatureMethod".into(), "HmacSHA256".into())));
        assert_eq!(tencent_v1::verify("POST", "127.0.0.1:18080", "/v2/index.php", &pairs, "secretEXAMPLE"), Ok(()));
        assert!(build("POST", Signing::Tc3, &params).is_err());
    }

    #[test]
    fn answers_are_read_in_the_api3_envelope_or_as_a_flat_failure() {
        assert_eq!(TencentLegacy.envelope(), "/Response");
        assert_eq!(TencentLegacy.page_params(1, 20), json!({"Offset": 20, "Limit": 20}));
        assert_eq!(TencentLegacy.error_code(&json!({"code": 4100, "message": "x", "codeDesc": "AuthFailure"})), Some("AuthFailure"));
        assert_eq!(TencentLegacy.error_code(&json!({"Response": {"RequestId": "r"}})), None);
    }

    #[test]
    fn cleanup_goes_through_cvm_api3() {
        assert_eq!(CVM_LEGACY.cleanup_profile().name, "tencent-cvm");
        assert_eq!(super::super::tencent_api3::LIGHTHOUSE.cleanup_profile().name, "tencent-lighthouse");
    }
}
