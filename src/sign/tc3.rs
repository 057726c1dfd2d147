//! TC3-HMAC-SHA256, Tencent Cloud API 3.0 "signature v3" (apis.md §1.1; [TC-SIGv3]).
//!
//! ```text
//! CanonicalRequest = METHOD \n path \n query-as-sent \n (name:value\n)* \n signed;headers \n hex(sha256(payload))
//! StringToSign     = "TC3-HMAC-SHA256" \n timestamp \n <UTC date>/<service>/tc3_request \n hex(sha256(CanonicalRequest))
//! key              = HMAC("tc3_request", HMAC(service, HMAC(date, "TC3" + secret)))
//! Authorization    = TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<hex>
//! ```

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::{
    ClientSignature, HttpParts, SignatureError, constant_time_eq, hex_lower, hmac_sha256, normalize_header_names, parse_auth_items,
    push_hex, utc_date,
};

/// The algorithm name that opens the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Value of `X-TC-Content-SHA256` with which the SDK's `unsignedPayload` profile leaves the body
/// out of the signature (apis.md §1.1).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The fields of a TC3 `Authorization` header. `Debug` leaves the signature out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Authorization {
    pub secret_id: String,
    /// Credential-scope date as the client wrote it (`YYYY-MM-DD`).
    pub date: String,
    /// Credential-scope service, the product name (`cvm`, `lighthouse`).
    pub service: String,
    /// Lower-cased header names from `SignedHeaders`, in the order given.
    pub signed_headers: Vec<String>,
    pub signature: ClientSignature,
}

/// Parses `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>,
/// Signature=<hex>`. Spaces after the commas are optional. Error texts never echo the header,
/// which holds the signature.
pub fn parse_authorization(value: &str) -> Result<Tc3Authorization, SignatureError> {
    let items = parse_auth_items(value, ALGORITHM)?;
    let scope: Vec<&str> = items.credential.split('/').collect();
    let [secret_id, date, service, "tc3_request"] = scope[..] else {
        return Err(SignatureError::Malformed("authorization header: credential is not <id>/<date>/<service>/tc3_request".into()));
    };
    if secret_id.is_empty() || date.is_empty() || service.is_empty() {
        return Err(SignatureError::Malformed("authorization header: empty credential part".into()));
    }
    Ok(Tc3Authorization {
        secret_id: secret_id.to_string(),
        date: date.to_string(),
        service: service.to_string(),
        signed_headers: items.signed_headers,
        signature: ClientSignature(items.signature.to_string()),
    })
}

/// Hex SHA-256 of the payload: of the raw body bytes as sent (the doc example hashes literal
/// `\u672a` escapes, apis.md §4 item 2), or of the literal `UNSIGNED-PAYLOAD` when the request
/// carries `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` (SDK `unsignedPayload` profile).
pub fn hashed_payload(parts: &HttpParts) -> String {
    hex_lower(&payload_digest(parts))
}

/// The SHA-256 that [`hashed_payload`] writes in hex.
fn payload_digest(parts: &HttpParts) -> [u8; 32] {
    match parts.header("x-tc-content-sha256") {
        Some(v) if v.trim() == UNSIGNED_PAYLOAD => Sha256::digest(UNSIGNED_PAYLOAD.as_bytes()).into(),
        _ => Sha256::digest(parts.body).into(),
    }
}

/// Builds the canonical request over the headers named in `signed_headers`.
///
/// * Header values are trimmed and lower-cased, as the doc says and as vector
///   `tc3-doc-cn-current-x-tc-action` requires (`x-tc-action:describeinstances`); `host` is the one
///   exception, kept exactly as received, because the SDKs and tccli sign their endpoint string
///   verbatim (apis.md §6, tccli signs `Host: http://host:port`).
/// * The query is signed exactly as sent (`+` for space from the Python SDK, vector
///   `tc3-sdk-cvm-get-describekeypairs`); SDK POSTs have an empty query.
/// * A named header that the request lacks is an error, not an empty line.
pub fn canonical_request<S: AsRef<str>>(parts: &HttpParts, signed_headers: &[S]) -> Result<String, SignatureError> {
    let names = normalize_header_names(signed_headers);
    // One buffer, sized for the usual request: this runs on every TC3 request the emulator serves.
    let mut canonical = String::with_capacity(parts.method.len() + parts.path.len() + parts.query.len() + 64 * names.len() + 160);
    for part in [parts.method, parts.path, parts.query] {
        canonical.push_str(part);
        canonical.push('\n');
    }
    for name in &names {
        let value = parts.header(name).ok_or_else(|| SignatureError::Malformed(format!("request: signed header {name} is absent")))?.trim();
        canonical.push_str(name);
        canonical.push(':');
        match name.as_ref() {
            "host" => canonical.push_str(value),
            _ if value.is_ascii() => canonical.extend(value.chars().map(|c| c.to_ascii_lowercase())),
            _ => canonical.push_str(&value.to_lowercase()),
        }
        canonical.push('\n');
    }
    canonical.push('\n');
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            canonical.push(';');
        }
        canonical.push_str(name);
    }
    canonical.push('\n');
    push_hex(&mut canonical, &payload_digest(parts));
    Ok(canonical)
}

/// The string to sign; the credential date is the UTC date of `timestamp`.
pub fn string_to_sign(canonical_request: &str, timestamp: i64, service: &str) -> String {
    string_to_sign_on(canonical_request, timestamp, &utc_date(timestamp), service)
}

/// [`string_to_sign`] with the UTC date of `timestamp` already computed.
fn string_to_sign_on(canonical_request: &str, timestamp: i64, date: &str, service: &str) -> String {
    let mut sts = String::with_capacity(ALGORITHM.len() + 20 + date.len() + service.len() + 64 + 16);
    sts.push_str(ALGORITHM);
    sts.push('\n');
    // Writing an integer into a String cannot fail.
    let _ = write!(sts, "{timestamp}");
    for part in ["\n", date, "/", service, "/tc3_request\n"] {
        sts.push_str(part);
    }
    push_hex(&mut sts, &Sha256::digest(canonical_request.as_bytes()));
    sts
}

/// Hex HMAC of `string_to_sign` under the key derived from the secret, date and service.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    signature_with_key(&signing_key(secret_key, date, service), string_to_sign)
}

/// The signing key of a secret for one credential date and service: three of the four HMACs of
/// a signature, the same for every request of that day and service, so a verifier may keep it.
pub fn signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, service.as_bytes());
    hmac_sha256(&secret_service, b"tc3_request")
}

/// Hex HMAC of `string_to_sign` under a [`signing_key`].
pub fn signature_with_key(signing_key: &[u8], string_to_sign: &str) -> String {
    hex_lower(&hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// Signs `parts` (which must not contain `Authorization`) and returns the `Authorization` value in
/// the SDK's format. `signed_headers` must name headers present in `parts`; TC3 requires
/// `content-type` and `host` among them.
pub fn sign(
    parts: &HttpParts,
    secret_id: &str,
    secret_key: &str,
    service: &str,
    timestamp: i64,
    signed_headers: &[&str],
) -> Result<String, SignatureError> {
    let canonical = canonical_request(parts, signed_headers)?;
    let sts = string_to_sign(&canonical, timestamp, service);
    let date = utc_date(timestamp);
    let sig = signature(secret_key, &date, service, &sts);
    Ok(format!(
        "{ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, SignedHeaders={}, Signature={sig}",
        normalize_header_names(signed_headers).join(";")
    ))
}

/// Checks the signature of `parts` against `secret_key`.
///
/// `timestamp` is the request's `X-TC-Timestamp`, parsed by the caller, who also checks clock
/// skew, that `auth.secret_id` is known and that `auth.service` names the product. The credential
/// date is checked here, implicitly: the string to sign uses the UTC date of `timestamp`, so a
/// client that wrote any other date in its credential scope gets a [`SignatureError::Mismatch`]
/// whose [`Expected`](super::Expected) shows the scope the server wanted.
pub fn verify(parts: &HttpParts, auth: &Tc3Authorization, secret_key: &str, timestamp: i64) -> Result<(), SignatureError> {
    verify_with_key(parts, auth, timestamp, |date, service| signing_key(secret_key, date, service))
}

/// [`verify`], with the signing key for a (UTC date, service) from `key_for` — a cache of
/// [`signing_key`] for the secret.
pub fn verify_with_key(
    parts: &HttpParts,
    auth: &Tc3Authorization,
    timestamp: i64,
    key_for: impl FnOnce(&str, &str) -> [u8; 32],
) -> Result<(), SignatureError> {
    for required in ["content-type", "host"] {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err(SignatureError::Malformed(format!("authorization header: SignedHeaders lacks {required}")));
        }
    }
    let canonical = canonical_request(parts, &auth.signed_headers)?;
    let date = utc_date(timestamp);
    let sts = string_to_sign_on(&canonical, timestamp, &date, &auth.service);
    let want = hmac_sha256(&key_for(&date, &auth.service), sts.as_bytes());
    if signature_matches(&want, &auth.signature) { Ok(()) } else { Err(SignatureError::mismatch(Some(canonical), sts)) }
}

/// Whether `given` (hex, either case) is the hex of `want`, compared in constant time and
/// without a string per request: a signature of the wrong length never matches.
fn signature_matches(want: &[u8; 32], given: &str) -> bool {
    let mut expected = [0u8; 64];
    hex::encode_to_slice(want, &mut expected).expect("64 digits for 32 bytes");
    let Ok(given) = <[u8; 64]>::try_from(given.as_bytes()) else {
        return false;
    };
    constant_time_eq(&expected, &given.map(|b| b.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::sha256_hex;

    const HEADER: &str = "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2025-01-01/cvm/tc3_request, \
                          SignedHeaders=content-type;host, Signature=33ac853e30e36b7fc186bfe5b32160f40f3954c4f54b2e384d7a7694f7e8b507";

    #[test]
    fn a_kept_signing_key_signs_as_the_derived_one() {
        let key = signing_key("secret", "2025-01-01", "cvm");
        assert_eq!(signature_with_key(&key, "sts"), signature("secret", "2025-01-01", "cvm", "sts"));
        assert_ne!(key, signing_key("secret", "2025-01-02", "cvm"));
    }

    #[test]
    fn parses_the_sdk_header() {
        let auth = parse_authorization(HEADER).unwrap();
        assert_eq!(auth.secret_id, "AKIDEXAMPLE");
        assert_eq!(auth.date, "2025-01-01");
        assert_eq!(auth.service, "cvm");
        assert_eq!(auth.signed_headers, ["content-type", "host"]);
        assert!(auth.signature.starts_with("33ac85"));
        let no_spaces = HEADER.replace(", ", ",");
        assert_eq!(parse_authorization(&no_spaces).unwrap(), auth);
    }

    #[test]
    fn debug_and_errors_hide_the_signature() {
        let auth = parse_authorization(HEADER).unwrap();
        assert!(!format!("{auth:?}").contains("33ac85"));
        let bad = HEADER.replace("tc3_request", "tc4_request");
        let err = parse_authorization(&bad).unwrap_err();
        assert!(matches!(err, SignatureError::Malformed(_)));
        assert!(!format!("{err} {err:?}").contains("33ac85"));
    }

    #[test]
    fn rejects_other_algorithms_and_missing_items() {
        assert!(matches!(
            parse_authorization("HMAC-SHA1 Credential=a/b/c/tc3_request"),
            Err(SignatureError::UnsupportedMethod(m)) if m == "HMAC-SHA1"
        ));
        assert_eq!(
            parse_authorization("TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host"),
            Err(SignatureError::Missing("Signature"))
        );
        assert!(matches!(parse_authorization("TC3-HMAC-SHA256 garbage"), Err(SignatureError::Malformed(_))));
    }

    #[test]
    fn unsigned_payload_hashes_the_marker_not_the_body() {
        let headers = vec![("X-TC-Content-SHA256".to_string(), "UNSIGNED-PAYLOAD".to_string())];
        let parts = HttpParts::post(&headers, b"{}");
        assert_eq!(hashed_payload(&parts), sha256_hex(b"UNSIGNED-PAYLOAD"));
        assert_eq!(hashed_payload(&HttpParts { headers: &[], ..parts }), sha256_hex(b"{}"));
    }

    #[test]
    fn header_values_are_lower_cased_except_host() {
        let headers = crate::test_support::owned_pairs(&[
            ("Content-Type", " Application/JSON "),
            ("Host", "http://MyHost:1"),
            ("X-TC-Action", "DescribeInstances"),
        ]);
        let parts = HttpParts { method: "GET", path: "/", query: "A=B+c", headers: &headers, body: b"" };
        let cr = canonical_request(&parts, &["X-TC-Action", "host", "content-type"]).unwrap();
        assert_eq!(
            cr,
            format!(
                "GET\n/\nA=B+c\ncontent-type:application/json\nhost:http://MyHost:1\nx-tc-action:describeinstances\n\n\
                 content-type;host;x-tc-action\n{}",
                sha256_hex(b"")
            )
        );
        assert!(matches!(canonical_request(&parts, &["x-absent"]), Err(SignatureError::Malformed(_))));
    }

    #[test]
    fn a_value_beyond_ascii_is_lower_cased_as_the_sdks_lower_case_it() {
        // Python's str.lower(), which tencentcloud-sdk-python's canonical headers use, gives
        // "grösse äé ω" for this value; an ASCII-only lower-casing would leave the capitals.
        let headers = crate::test_support::owned_pairs(&[("X-TC-Note", "GröSSE ÄÉ Ω")]);
        let parts = HttpParts { method: "GET", path: "/", query: "", headers: &headers, body: b"" };
        let cr = canonical_request(&parts, &["x-tc-note"]).unwrap();
        assert!(cr.contains("\nx-tc-note:grösse äé ω\n"), "{cr}");
    }

    #[test]
    fn signatures_compare_in_either_case_and_only_at_full_length() {
        let want = [0xabu8; 32];
        let hex = "ab".repeat(32);
        assert!(signature_matches(&want, &hex));
        assert!(signature_matches(&want, &hex.to_uppercase()));
        assert!(!signature_matches(&want, &hex[..62]));
        assert!(!signature_matches(&want, &format!("{hex}ab")));
        assert!(!signature_matches(&want, &"ac".repeat(32)));
    }

    #[test]
    fn verify_requires_content_type_and_host_to_be_signed() {
        let mut auth = parse_authorization(HEADER).unwrap();
        auth.signed_headers = vec!["host".into()];
        let headers = vec![("Host".to_string(), "h".to_string())];
        let parts = HttpParts::post(&headers, b"");
        assert!(matches!(verify(&parts, &auth, "k", 0), Err(SignatureError::Malformed(_))));
    }
}
