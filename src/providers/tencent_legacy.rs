//! The legacy CVM v2 endpoint (`https://cvm.api.qcloud.com/v2/index.php`), called as seed 002
//! documents it: `Version=2017-03-12` with the API 3.0 parameter names, answered in the API 3.0
//! envelope. Requests are built as qcloudapi-sdk-python sends them (apis.md §6): every parameter in
//! the query (GET, the default) or a form body (POST), signed with signature v1 over
//! `METHOD + host + /v2/index.php + ? + sorted raw params`, `SignatureMethod` always sent.

use super::tencent_api3::{TENCENT_VOLATILE, authority, build_v1};
use super::{ApiProfile, Call, NameRule, Outgoing, RequestStyle, Signing};

/// Legacy CVM v2, seed 002 (CreateKeyPair only). Its keys are CVM keys: cleanup goes through the
/// CVM API 3.0 profile ([`ApiProfile::cleanup_profile`]).
pub static CVM_LEGACY: ApiProfile = ApiProfile {
    name: "tencent-cvm-legacy",
    style: RequestStyle::TencentLegacy,
    default_version: "2017-03-12",
    default_region: "ap-guangzhou",
    default_method: "GET",
    default_signing: Signing::HmacSha1,
    signings: &[Signing::HmacSha1, Signing::HmacSha256],
    service: "cvm",
    live_endpoint: "https://cvm.api.qcloud.com",
    path: "/v2/index.php",
    actions: &["CreateKeyPair"],
    name_rule: NameRule { max_len: 25, default_len: 16 },
    name_field: "KeyName",
    volatile: TENCENT_VOLATILE,
    request_id: "/Response/RequestId",
    creates: &[("CreateKeyPair", "/Response/KeyPair/KeyId")],
    delete: ("DeleteKeyPairs", "KeyIds"),
    credential_env: ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
};

/// Builds and signs `call` for the endpoint `base` (e.g. `http://127.0.0.1:8080`).
#[allow(clippy::too_many_arguments)]
pub fn build(
    profile: &ApiProfile,
    base: &reqwest::Url,
    call: &Call<'_>,
    secret_id: &str,
    secret_key: &str,
    token: Option<&str>,
    now_secs: i64,
    nonce: u64,
) -> Result<Outgoing, String> {
    if !matches!(call.signing, Signing::HmacSha1 | Signing::HmacSha256) {
        return Err(format!("{} cannot sign with {}", profile.name, call.signing.as_str()));
    }
    let host = authority(base)?;
    let url_base = format!("{}://{}{}", base.scheme(), host, profile.path);
    Ok(build_v1(&url_base, &host, profile.path, call, secret_id, secret_key, token, now_secs, nonce, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::tencent_v1;
    use serde_json::json;

    fn call<'a>(method: &'a str, signing: Signing, params: &'a serde_json::Value) -> Call<'a> {
        Call { action: "CreateKeyPair", version: "2017-03-12", region: Some("ap-guangzhou"), method, signing, params }
    }

    #[test]
    fn get_carries_every_parameter_in_a_query_the_verifier_accepts() {
        let params = json!({"KeyName": "vector_key_1", "ProjectId": 0});
        let base: reqwest::Url = "http://127.0.0.1:18080".parse().unwrap();
        let out =
            build(&CVM_LEGACY, &base, &call("GET", Signing::HmacSha1, &params), "AKIDEXAMPLE", "secretEXAMPLE", None, 1_735_689_600, 42)
                .unwrap();
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
        let base: reqwest::Url = "http://127.0.0.1:18080".parse().unwrap();
        let out =
            build(&CVM_LEGACY, &base, &call("POST", Signing::HmacSha256, &params), "AKIDEXAMPLE", "secretEXAMPLE", None, 1_735_689_600, 42)
                .unwrap();
        assert_eq!(out.url, "http://127.0.0.1:18080/v2/index.php");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&out.body).into_owned().collect();
        assert!(pairs.contains(&("SignatureMethod".into(), "HmacSHA256".into())));
        assert_eq!(tencent_v1::verify("POST", "127.0.0.1:18080", "/v2/index.php", &pairs, "secretEXAMPLE"), Ok(()));
        assert!(build(&CVM_LEGACY, &base, &call("POST", Signing::Tc3, &params), "a", "b", None, 0, 0).is_err());
    }

    #[test]
    fn cleanup_goes_through_cvm_api3() {
        assert_eq!(CVM_LEGACY.cleanup_profile().name, "tencent-cvm");
        assert_eq!(super::super::tencent_api3::LIGHTHOUSE.cleanup_profile().name, "tencent-lighthouse");
    }
}
