//! Alibaba Cloud signature V3, ACS3-HMAC-SHA256 (apis.md §3.1; [ALI-SIG3]).
//!
//! ```text
//! CanonicalRequest = METHOD \n path \n canonical-query \n (name:v1,v2\n)* \n signed;headers \n hex(sha256(body))
//! StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//! Authorization    = ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<a;b>,Signature=<hex(HMAC-SHA256(secret, StringToSign))>
//! ```

use super::acs_rpc::percent_encode;
use super::{
    ClientSignature, HttpParts, SignatureError, constant_time_eq, decode_form, hmac_sha256, normalize_header_names, parse_auth_items,
    sha256_hex,
};

/// The algorithm name that opens the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The fields of an ACS3 `Authorization` header. `Debug` leaves the signature out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Authorization {
    pub access_key_id: String,
    /// Lower-cased header names from `SignedHeaders`, in the order given.
    pub signed_headers: Vec<String>,
    pub signature: ClientSignature,
}

/// Parses `ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<a;b>,Signature=<hex>` (the SDK writes
/// no spaces after the commas; spaces are tolerated). Error texts never echo the header.
pub fn parse_authorization(value: &str) -> Result<Acs3Authorization, SignatureError> {
    let items = parse_auth_items(value, ALGORITHM)?;
    Ok(Acs3Authorization {
        access_key_id: items.credential.to_string(),
        signed_headers: items.signed_headers,
        signature: ClientSignature(items.signature.to_string()),
    })
}

/// The canonical query string of a raw query as sent: decoded as form data (`+` is a space, as
/// tea-openapi sends it, apis.md §6), then names and values Alibaba-percent-encoded (`%20` for
/// space), sorted by encoded name then value, joined as `k=v&…`; a name without value gives `k=`.
pub fn canonical_query_string(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        decode_form(raw_query.as_bytes()).iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    pairs.sort();
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    joined.join("&")
}

/// Builds the canonical request over the headers named in `signed_headers` (taken from the
/// request's `Authorization`, since tea-openapi signs every header it sets, vector
/// `ali-acs3-sdk-ecs-describekeypairs`). Values are trimmed, not lower-cased; several values of one
/// header are sorted and joined with `,` (apis.md §4 item 7). The hashed payload is the SHA-256 of
/// the body actually received, so a body that does not match its signed `x-acs-content-sha256`
/// fails verification.
pub fn canonical_request<S: AsRef<str>>(parts: &HttpParts, signed_headers: &[S]) -> Result<String, SignatureError> {
    let names = normalize_header_names(signed_headers);
    let mut headers = String::new();
    for name in &names {
        let mut values: Vec<&str> = parts.header_values(name).map(str::trim).collect();
        if values.is_empty() {
            return Err(SignatureError::Malformed(format!("request: signed header {name} is absent")));
        }
        values.sort_unstable();
        headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        parts.method,
        parts.path,
        canonical_query_string(parts.query),
        headers,
        names.join(";"),
        sha256_hex(parts.body)
    ))
}

/// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Hex HMAC-SHA256 of the string to sign; the key is the raw secret (no `&`, unlike RPC v1).
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    super::hex_lower(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()))
}

/// Signs `parts` (which must not contain `Authorization` and must already carry `host` and the
/// `x-acs-*` headers, `x-acs-content-sha256` included) and returns the `Authorization` value.
pub fn sign(parts: &HttpParts, access_key_id: &str, secret: &str, signed_headers: &[&str]) -> Result<String, SignatureError> {
    let canonical = canonical_request(parts, signed_headers)?;
    let sig = signature(secret, &string_to_sign(&canonical));
    Ok(format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={sig}", normalize_header_names(signed_headers).join(";")))
}

/// Checks the signature of `parts` against `secret`.
///
/// Beyond the HMAC, [ALI-SIG3] requires `host`, `content-type` (if sent) and every `x-acs-*`
/// header to be signed: otherwise [`SignatureError::Malformed`], since the emulator dispatches on
/// `x-acs-action`. The caller checks that `auth.access_key_id` is known, `x-acs-date` skew and
/// `x-acs-signature-nonce` replay.
pub fn verify(parts: &HttpParts, auth: &Acs3Authorization, secret: &str) -> Result<(), SignatureError> {
    let is_signed = |name: &str| auth.signed_headers.iter().any(|h| h == name);
    if !is_signed("host") {
        return Err(SignatureError::Malformed("authorization header: SignedHeaders lacks host".into()));
    }
    for (name, _) in parts.headers {
        let lower = name.to_ascii_lowercase();
        if (lower.starts_with("x-acs-") || lower == "content-type") && !is_signed(&lower) {
            return Err(SignatureError::Malformed(format!("authorization header: SignedHeaders lacks {lower}")));
        }
    }
    let canonical = canonical_request(parts, &auth.signed_headers)?;
    let sts = string_to_sign(&canonical);
    if constant_time_eq(signature(secret, &sts).as_bytes(), auth.signature.to_ascii_lowercase().as_bytes()) {
        Ok(())
    } else {
        Err(SignatureError::mismatch(Some(canonical), sts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A correct HMAC is not enough: `host`, `content-type` and every `x-acs-*` header sent must be
    /// among the signed ones, or the request could be redirected to another action unsigned.
    #[test]
    fn host_and_every_x_acs_header_sent_must_be_signed() {
        let headers = crate::test_support::owned_pairs(&[
            ("host", "ecs.aliyuncs.com"),
            ("x-acs-action", "DescribeKeyPairs"),
            ("x-acs-date", "2026-11-29T12:00:00Z"),
        ]);
        let parts = HttpParts::post(&headers, b"");
        let signed_with = |names: &[&str]| parse_authorization(&sign(&parts, "LTAI", "secret", names).unwrap()).unwrap();
        assert_eq!(verify(&parts, &signed_with(&["host", "x-acs-action", "x-acs-date"]), "secret"), Ok(()));
        assert_eq!(
            verify(&parts, &signed_with(&["host", "x-acs-date"]), "secret"),
            Err(SignatureError::Malformed("authorization header: SignedHeaders lacks x-acs-action".into()))
        );
        assert_eq!(
            verify(&parts, &signed_with(&["x-acs-action", "x-acs-date"]), "secret"),
            Err(SignatureError::Malformed("authorization header: SignedHeaders lacks host".into()))
        );
    }

    #[test]
    fn parses_the_sdk_header_and_hides_the_signature() {
        let auth = parse_authorization("ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host;x-acs-date,Signature=abc123").unwrap();
        assert_eq!(auth.access_key_id, "LTAI");
        assert_eq!(auth.signed_headers, ["host", "x-acs-date"]);
        assert_eq!(auth.signature, "abc123");
        assert!(!format!("{auth:?}").contains("abc123"));
        assert!(matches!(parse_authorization("TC3-HMAC-SHA256 Credential=x"), Err(SignatureError::UnsupportedMethod(_))));
        assert_eq!(parse_authorization("ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host"), Err(SignatureError::Missing("Signature")));
    }

    #[test]
    fn canonical_query_decodes_plus_and_reencodes() {
        assert_eq!(canonical_query_string("b=a+b&a=%2A~&c&Tag.1.Key=x%20y"), "Tag.1.Key=x%20y&a=%2A~&b=a%20b&c=");
        assert_eq!(canonical_query_string(""), "");
    }

    #[test]
    fn repeated_headers_are_sorted_and_joined() {
        let headers = crate::test_support::owned_pairs(&[("host", "h"), ("x-acs-b", " 2 "), ("X-Acs-B", "1")]);
        let parts = HttpParts::post(&headers, b"");
        let cr = canonical_request(&parts, &["x-acs-b", "host"]).unwrap();
        assert!(cr.contains("\nhost:h\nx-acs-b:1,2\n\nhost;x-acs-b\n"), "{cr}");
    }

    #[test]
    fn verify_requires_x_acs_headers_to_be_signed() {
        let headers = vec![("host".to_string(), "h".to_string()), ("x-acs-action".to_string(), "A".to_string())];
        let parts = HttpParts::post(&headers, b"");
        let auth = parse_authorization("ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host,Signature=00").unwrap();
        assert!(matches!(verify(&parts, &auth, "s"), Err(SignatureError::Malformed(_))));
        let sig = sign(&parts, "LTAI", "s", &["host", "x-acs-action"]).unwrap();
        assert_eq!(verify(&parts, &parse_authorization(&sig).unwrap(), "s"), Ok(()));
    }

    #[test]
    fn the_payload_line_hashes_the_body_received() {
        // A client that signed x-acs-content-sha256 for one body cannot send another.
        let headers = vec![("host".to_string(), "h".to_string()), ("x-acs-content-sha256".to_string(), sha256_hex(b"a=1"))];
        let parts = HttpParts::post(&headers, b"a=1");
        let auth = parse_authorization(&sign(&parts, "LTAI", "s", &["host", "x-acs-content-sha256"]).unwrap()).unwrap();
        assert_eq!(verify(&parts, &auth, "s"), Ok(()));
        let other_body = HttpParts { body: b"a=2", ..parts };
        assert!(matches!(verify(&other_body, &auth, "s"), Err(SignatureError::Mismatch(_))));
    }
}
