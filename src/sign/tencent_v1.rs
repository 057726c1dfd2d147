//! Tencent signature v1 (HmacSHA1 / HmacSHA256), shared by API 3.0 form requests (path `/`) and
//! the legacy CVM v2 endpoint (path `/v2/index.php`): apis.md §1.1 (last item) and §2.
//!
//! ```text
//! StringToSign = METHOD + host + path + "?" + k1=v1&k2=v2…   (every parameter but Signature,
//!                sorted by name, raw values, '_' in names replaced by '.')
//! Signature    = Base64(HMAC-SHA1 or HMAC-SHA256(secret key, StringToSign))
//! ```
//!
//! Parameters are kept as strings throughout: the legacy SDK's `Nonce` is up to 63 bits (apis.md §6).

use super::{SignatureError, base64_encode, constant_time_eq, hmac_sha1, hmac_sha256};

/// The HMAC behind a v1 signature, chosen by the `SignatureMethod` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V1Method {
    HmacSha1,
    HmacSha256,
}

impl V1Method {
    /// `HmacSHA256` selects SHA-256; an absent parameter or any other value means HmacSHA1
    /// (apis.md §1.1 common params, §2; vector `tc-v1-api3-doc-hmacsha1` has no SignatureMethod).
    pub fn from_param(value: Option<&str>) -> V1Method {
        match value {
            Some("HmacSHA256") => V1Method::HmacSha256,
            _ => V1Method::HmacSha1,
        }
    }

    /// The `SignatureMethod` value that names this method.
    pub fn as_param(self) -> &'static str {
        match self {
            V1Method::HmacSha1 => "HmacSHA1",
            V1Method::HmacSha256 => "HmacSHA256",
        }
    }
}

/// `METHOD + host + path + "?" + sorted raw params`, leaving out `Signature`.
///
/// Names have `_` replaced by `.` and are sorted after the replacement, by bytes (the API 3.0
/// SDK's `_format_sign_string`; the legacy SDK sorts before replacing, which only differs for
/// names mixing `_` and `.` that no key-pair action uses). Repeated names are all kept.
pub fn string_to_sign(method: &str, host: &str, path: &str, params: &[(String, String)]) -> String {
    string_to_sign_filtered(method, host, path, params, |_, _| true)
}

fn string_to_sign_filtered(method: &str, host: &str, path: &str, params: &[(String, String)], keep: impl Fn(&str, &str) -> bool) -> String {
    let mut pairs: Vec<(String, &str)> =
        params.iter().filter(|(k, v)| k != "Signature" && keep(k, v)).map(|(k, v)| (k.replace('_', "."), v.as_str())).collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}{host}{path}?{}", method.to_ascii_uppercase(), query.join("&"))
}

/// Base64 HMAC of `string_to_sign` with the given method.
pub fn signature_of(string_to_sign: &str, secret_key: &str, method: V1Method) -> String {
    let (key, data) = (secret_key.as_bytes(), string_to_sign.as_bytes());
    match method {
        V1Method::HmacSha1 => base64_encode(&hmac_sha1(key, data)),
        V1Method::HmacSha256 => base64_encode(&hmac_sha256(key, data)),
    }
}

/// Signs `params` (which should already carry `SignatureMethod` when `v1_method` is SHA-256, since
/// it is itself a signed parameter) and returns the Base64 signature, to be sent URL-encoded as the
/// `Signature` parameter.
pub fn sign(method: &str, host: &str, path: &str, params: &[(String, String)], secret_key: &str, v1_method: V1Method) -> String {
    signature_of(&string_to_sign(method, host, path, params), secret_key, v1_method)
}

/// Checks the `Signature` parameter of a decoded request. `params` is every parameter received
/// (query for GET, form body for POST), `Signature` and `SignatureMethod` included; `host` is the
/// `Host` header as received and `path` the request path (`/` or `/v2/index.php`).
///
/// If the full parameter set does not match, a POST is tried once more without the values that
/// start with `@`, which qcloudapi-sdk-python leaves out of its POST signatures (apis.md §6;
/// SDK: QcloudApi/common/sign.py `Sign.make`). The legacy SDK signs `host:port` while the `Host`
/// header drops `:80`; a caller serving on port 80 would pass `host:80` itself.
pub fn verify(method: &str, host: &str, path: &str, params: &[(String, String)], secret_key: &str) -> Result<(), SignatureError> {
    let provided = params.iter().find(|(k, _)| k == "Signature").map(|(_, v)| v.as_str()).ok_or(SignatureError::Missing("Signature"))?;
    let signature_method = params.iter().find(|(k, _)| k == "SignatureMethod").map(|(_, v)| v.as_str());
    let v1_method = V1Method::from_param(signature_method);

    let sts = string_to_sign(method, host, path, params);
    if constant_time_eq(signature_of(&sts, secret_key, v1_method).as_bytes(), provided.as_bytes()) {
        return Ok(());
    }
    if method.eq_ignore_ascii_case("POST") {
        // Differs only when some value starts with `@`.
        let without_at = string_to_sign_filtered(method, host, path, params, |_, v| !v.starts_with('@'));
        if without_at != sts && constant_time_eq(signature_of(&without_at, secret_key, v1_method).as_bytes(), provided.as_bytes()) {
            return Ok(());
        }
    }
    Err(SignatureError::mismatch(None, sts))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::owned_pairs as params;

    #[test]
    fn method_defaults_to_sha1() {
        assert_eq!(V1Method::from_param(None), V1Method::HmacSha1);
        assert_eq!(V1Method::from_param(Some("HmacSHA1")), V1Method::HmacSha1);
        assert_eq!(V1Method::from_param(Some("hmacsha256")), V1Method::HmacSha1);
        assert_eq!(V1Method::from_param(Some("HmacSHA256")), V1Method::HmacSha256);
        assert_eq!(V1Method::HmacSha256.as_param(), "HmacSHA256");
    }

    #[test]
    fn string_to_sign_sorts_raw_values_and_renames_underscores() {
        let p = params(&[("b_c", "x y"), ("a", "1&2"), ("Signature", "zzz"), ("Nonce", "9223372036854775807")]);
        assert_eq!(string_to_sign("get", "h:1", "/v2/index.php", &p), "GETh:1/v2/index.php?Nonce=9223372036854775807&a=1&2&b.c=x y");
    }

    #[test]
    fn verify_needs_a_signature_and_accepts_its_own() {
        let mut p = params(&[("Action", "X"), ("SignatureMethod", "HmacSHA256")]);
        assert_eq!(verify("GET", "h", "/", &p, "k"), Err(SignatureError::Missing("Signature")));
        let sig = sign("GET", "h", "/", &p, "k", V1Method::HmacSha256);
        p.push(("Signature".into(), sig));
        assert_eq!(verify("GET", "h", "/", &p, "k"), Ok(()));
        assert!(matches!(verify("GET", "h", "/", &p, "other"), Err(SignatureError::Mismatch(_))));
        assert!(matches!(verify("POST", "h", "/", &p, "k"), Err(SignatureError::Mismatch(_))));
    }

    #[test]
    fn legacy_post_may_leave_at_values_unsigned() {
        let signed = params(&[("Action", "X")]);
        let sig = sign("POST", "h", "/v2/index.php", &signed, "k", V1Method::HmacSha1);
        let mut sent = params(&[("Action", "X"), ("file", "@/tmp/a")]);
        sent.push(("Signature".into(), sig));
        assert_eq!(verify("POST", "h", "/v2/index.php", &sent, "k"), Ok(()));
        // …but it must still be the right signature of the rest.
        let mut forged = params(&[("Action", "X"), ("file", "@/tmp/a"), ("Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")]);
        assert!(verify("POST", "h", "/v2/index.php", &forged, "k").is_err());
        forged.retain(|(k, _)| k != "file");
        assert!(verify("POST", "h", "/v2/index.php", &forged, "k").is_err());
        // Only a POST: a GET signed the same way (without its `@` value) is refused.
        let get_sig = sign("GET", "h", "/v2/index.php", &signed, "k", V1Method::HmacSha1);
        let mut get = params(&[("Action", "X"), ("file", "@/tmp/a")]);
        get.push(("Signature".into(), get_sig));
        assert!(verify("GET", "h", "/v2/index.php", &get, "k").is_err());
    }
}
