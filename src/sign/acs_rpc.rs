//! Alibaba Cloud RPC signature 1.0, HMAC-SHA1 (apis.md §3.1; [ALI-SIG1]).
//!
//! ```text
//! CanonicalizedQuery = percentEncode(k1)=percentEncode(v1)&…   (every parameter but Signature,
//!                      query and form body merged, sorted by name)
//! StringToSign       = METHOD & %2F & percentEncode(CanonicalizedQuery)
//! Signature          = Base64(HMAC-SHA1(secret + "&", StringToSign))
//! ```

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{SignatureError, base64_encode, constant_time_eq, hmac_sha1};

/// The only `SignatureMethod` this scheme knows.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";

/// What Alibaba's percent-encoding leaves alone: RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - _ . ~`); everything else is encoded.
const ALIBABA_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Alibaba's percent-encoding: RFC 3986 unreserved characters kept, every other UTF-8 byte as
/// upper-case `%XX` — so space is `%20` (never `+`), `*` is `%2A` and `~` stays literal
/// (apis.md §3.1, §4 item 6).
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, ALIBABA_ENCODE).to_string()
}

/// The canonicalized query string: every parameter but `Signature`, sorted by name (then value,
/// for repeated names), names and values percent-encoded. Empty values are kept (`SignatureType=`
/// is sent empty and signed by aliyun-python-sdk-core, vector `ali-rpc-v1-sdkcore-get-describekeypairs`).
pub fn canonicalized_query(params: &[(String, String)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params.iter().filter(|(k, _)| k != "Signature").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    pairs.sort();
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect();
    encoded.join("&")
}

/// `METHOD&%2F&percentEncode(canonicalized query)`; `params` are the decoded query parameters
/// merged with the decoded form-body parameters ([`HttpParts::form_params`](super::HttpParts::form_params)).
pub fn string_to_sign(method: &str, params: &[(String, String)]) -> String {
    format!("{}&{}&{}", method.to_ascii_uppercase(), percent_encode("/"), percent_encode(&canonicalized_query(params)))
}

fn signature_of(string_to_sign: &str, secret: &str) -> String {
    base64_encode(&hmac_sha1(format!("{secret}&").as_bytes(), string_to_sign.as_bytes()))
}

/// Signs `params` and returns the Base64 signature, to be sent URL-encoded as `Signature`.
pub fn sign(method: &str, params: &[(String, String)], secret: &str) -> String {
    signature_of(&string_to_sign(method, params), secret)
}

/// Checks the `Signature` parameter of a decoded request (`params` include `Signature`). A
/// `SignatureMethod` other than `HMAC-SHA1` is [`SignatureError::UnsupportedMethod`]; the caller
/// checks `AccessKeyId`, `Timestamp` and `SignatureNonce`.
pub fn verify(method: &str, params: &[(String, String)], secret: &str) -> Result<(), SignatureError> {
    let provided = params.iter().find(|(k, _)| k == "Signature").map(|(_, v)| v.as_str()).ok_or(SignatureError::Missing("Signature"))?;
    if let Some((_, m)) = params.iter().find(|(k, _)| k == "SignatureMethod")
        && m != SIGNATURE_METHOD
    {
        return Err(SignatureError::UnsupportedMethod(m.chars().take(40).collect()));
    }
    let sts = string_to_sign(method, params);
    if constant_time_eq(signature_of(&sts, secret).as_bytes(), provided.as_bytes()) {
        Ok(())
    } else {
        Err(SignatureError::mismatch(Some(canonicalized_query(params)), sts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encode_follows_alibaba_rules() {
        let expected =
            [("a b*c~d+e/f:g", "a%20b%2Ac~d%2Be%2Ff%3Ag"), ("AZaz09-_.~", "AZaz09-_.~"), ("(x)", "%28x%29"), ("é", "%C3%A9"), ("", "")];
        for (text, encoded) in expected {
            assert_eq!(percent_encode(text), encoded, "{text}");
        }
    }

    #[test]
    fn canonicalized_query_sorts_and_keeps_empty_values() {
        let p = crate::test_support::owned_pairs(&[("b", "2"), ("SignatureType", ""), ("a", "x y"), ("Signature", "s")]);
        assert_eq!(canonicalized_query(&p), "SignatureType=&a=x%20y&b=2");
        assert_eq!(string_to_sign("get", &p), "GET&%2F&SignatureType%3D%26a%3Dx%2520y%26b%3D2");
    }

    #[test]
    fn verify_rejects_other_methods_and_missing_signature() {
        let p = vec![("SignatureMethod".to_string(), "HMAC-SHA256".to_string())];
        assert_eq!(verify("GET", &p, "s"), Err(SignatureError::Missing("Signature")));
        let mut p2 = p.clone();
        p2.push(("Signature".into(), "x".into()));
        assert!(matches!(verify("GET", &p2, "s"), Err(SignatureError::UnsupportedMethod(_))));
    }
}
