//! Request signing and verification for the five schemes the key-pair APIs accept.
//!
//! | file | scheme | used by |
//! | --- | --- | --- |
//! | [`tc3`] | TC3-HMAC-SHA256 (Tencent API 3.0, signature v3) | CVM, Lighthouse |
//! | [`tencent_v1`] | Tencent signature v1, HmacSHA1 / HmacSHA256 | API 3.0 form requests (path `/`) and the legacy CVM v2 endpoint (path `/v2/index.php`) |
//! | [`acs_rpc`] | Alibaba RPC signature 1.0 (HMAC-SHA1) | aliyun-python-sdk-core |
//! | [`acs3`] | Alibaba ACS3-HMAC-SHA256 (signature V3) | tea-openapi SDKs |
//!
//! Everything here is a pure function: the clock is a parameter and nothing is read from the
//! environment, so the harness can sign with a pinned time and the emulator can replay the
//! recorded SDK requests of `tests/vectors/sdk-requests/` (pinned at 2025-01-01T00:00:00Z).
//! The verifiers check the signature only: clock skew, nonce replay and "is this secret id known"
//! are the caller's business, because the emulator answers each with its own error code.
//!
//! Secrets and the signatures a client provided never appear in `Display`/`Debug` output: a
//! failed verification carries only what the verifier computed before the HMAC
//! ([`Expected`]), which is what one needs to see why a client and the server disagree.

pub mod acs3;
pub mod acs_rpc;
mod auth_header;
pub mod tc3;
pub mod tencent_v1;

pub use auth_header::ClientSignature;
use auth_header::{normalize_header_names, parse_auth_items};

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The parts of an HTTP request that the signature schemes cover, as received on the wire.
/// `Debug` shows header names and sizes only: the `Authorization` header, the query and the body
/// may all carry a signature.
#[derive(Clone, Copy)]
pub struct HttpParts<'a> {
    /// Request method, e.g. `POST`.
    pub method: &'a str,
    /// Path of the request target, without the query, e.g. `/` or `/v2/index.php`.
    pub path: &'a str,
    /// Raw query string as sent, without the leading `?` (empty when there is none).
    pub query: &'a str,
    /// Headers as received: original case, in order, repeated names kept.
    pub headers: &'a [(String, String)],
    /// Exact body bytes.
    pub body: &'a [u8],
}

impl fmt::Debug for HttpParts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("HttpParts")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl<'a> HttpParts<'a> {
    /// A POST to `/` with no query: what most unit tests of the signers sign.
    #[cfg(test)]
    pub fn post(headers: &'a [(String, String)], body: &'a [u8]) -> Self {
        HttpParts { method: "POST", path: "/", query: "", headers, body }
    }

    /// First value of the header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.header_values(name).next()
    }

    /// Every value of the header `name` (case-insensitive), in the order received.
    pub fn header_values<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.headers.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The request parameters of the form-style schemes (Tencent v1, Alibaba RPC): the decoded
    /// query followed by the decoded body when the body is `application/x-www-form-urlencoded`.
    /// Alibaba merges form-body parameters into its v1 signature (apis.md §3.1); Tencent v1 sends
    /// them either in the query (GET) or in the body (POST), never both.
    pub fn form_params(&self) -> Vec<(String, String)> {
        let mut params = decode_form(self.query.as_bytes());
        let is_form =
            self.header("content-type").is_some_and(|ct| ct.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if is_form {
            params.extend(decode_form(self.body));
        }
        params
    }
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space), keeping order and repeats.
pub fn decode_form(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// What a verifier computed for a request whose signature did not match. Contains no secret and
/// no signature, so the emulator may log it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The canonical request (TC3, ACS3) or canonicalized query string (Alibaba RPC); `None` for
    /// Tencent v1, which signs its string directly.
    pub canonical_request: Option<String>,
    /// The string the verifier would have signed.
    pub string_to_sign: String,
}

/// Why a request's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// A required header or parameter is absent (its name).
    Missing(&'static str),
    /// A header or parameter is present but unusable, e.g. a bad `Authorization` header.
    Malformed(String),
    /// The signature method or algorithm is not one this scheme knows.
    UnsupportedMethod(String),
    /// The signature does not match what the verifier computed.
    Mismatch(Box<Expected>),
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Missing(name) => write!(f, "missing {name}"),
            SignatureError::Malformed(what) => write!(f, "malformed {what}"),
            SignatureError::UnsupportedMethod(m) => write!(f, "unsupported signature method {m:?}"),
            SignatureError::Mismatch(expected) => write!(f, "signature mismatch; server string to sign is {:?}", expected.string_to_sign),
        }
    }
}

impl std::error::Error for SignatureError {}

impl SignatureError {
    pub(crate) fn mismatch(canonical_request: Option<String>, string_to_sign: String) -> Self {
        SignatureError::Mismatch(Box::new(Expected { canonical_request, string_to_sign }))
    }
}

/// Compares two signatures without an early exit, so the time taken does not reveal how many
/// leading characters of a guessed signature were right.
/// (`subtle`'s comparison; lengths are public — every signature of a scheme has the same length.)
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA1 of `data` under `key`.
pub fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex SHA-256 of `data` (payload hashes of TC3 and ACS3).
pub fn sha256_hex(data: &[u8]) -> String {
    hex_lower(&Sha256::digest(data))
}

/// Lower-case hex of `bytes`, written through a table into one buffer: `hex::encode` collects
/// char by char, which cost the emulator more than the SHA-256 it encodes (three per TC3 request).
pub fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Appends the lower-case hex of `bytes` to `out` (a canonical request or a string to sign is
/// written in one buffer, without a string per hash).
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
}

/// Standard Base64 with padding (Tencent v1 and Alibaba RPC signatures).
pub fn base64_encode(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The UTC calendar date `YYYY-MM-DD` of a Unix time. TC3's credential scope uses the UTC date,
/// not the local one (apis.md §4 item 1: `1551113065` is `2019-02-25`, UTC+8 would say the 26th).
pub fn utc_date(epoch_secs: i64) -> String {
    // Days-to-civil conversion (proleptic Gregorian), total over every i64.
    let days = epoch_secs.div_euclid(86_400) as i128 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i128::from(month <= 2);
    match u32::try_from(year) {
        // Every year a request can carry: written digit by digit, without the formatting machinery
        // (it runs on every TC3 request, twice).
        Ok(year @ 0..=9999) => {
            let mut date = String::with_capacity(10);
            push_digits(&mut date, year, 4);
            date.push('-');
            push_digits(&mut date, month as u32, 2);
            date.push('-');
            push_digits(&mut date, day as u32, 2);
            date
        }
        _ => format!("{year:04}-{month:02}-{day:02}"),
    }
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
pub(crate) fn push_digits(out: &mut String, value: u32, width: u32) {
    for at in (0..width).rev() {
        out.push(char::from(b'0' + (value / 10u32.pow(at) % 10) as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_date_matches_known_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_551_113_065), "2019-02-25");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14");
        assert_eq!(utc_date(1_735_689_600), "2025-01-01");
        assert_eq!(utc_date(1_735_689_599), "2024-12-31");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(-1), "1969-12-31");
        assert_eq!(utc_date(-62_135_596_800), "0001-01-01");
        assert_eq!(utc_date(253_402_300_800), "10000-01-01");
        assert_eq!(utc_date(-62_198_755_200), "-001-01-01");
    }

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex_lower(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex_lower(&[]), "");
    }

    #[test]
    fn utc_date_agrees_with_the_time_crate() {
        for secs in (-5_000_000_000i64..5_000_000_000).step_by(7_777_777) {
            let d = time::OffsetDateTime::from_unix_timestamp(secs).unwrap().date();
            let want = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
            assert_eq!(utc_date(secs), want, "{secs}");
        }
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn hmac_helpers_match_rfc_4231_and_2202() {
        // RFC 4231 test case 2 and RFC 2202 test case 2.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(hex::encode(hmac_sha1(b"Jefe", b"what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn headers_are_found_case_insensitively_and_in_order() {
        let headers =
            vec![("Host".to_string(), "a".to_string()), ("X-Dup".to_string(), "1".to_string()), ("x-dup".to_string(), "2".to_string())];
        let parts = HttpParts { method: "GET", path: "/", query: "", headers: &headers, body: b"" };
        assert_eq!(parts.header("host"), Some("a"));
        assert_eq!(parts.header_values("X-DUP").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(parts.header("absent"), None);
    }

    #[test]
    fn form_params_merge_query_and_form_body() {
        let headers = vec![("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string())];
        let parts = HttpParts { method: "POST", path: "/", query: "a=1&b=x+y", headers: &headers, body: b"c=%2A&d=" };
        let got = parts.form_params();
        let want = [("a", "1"), ("b", "x y"), ("c", "*"), ("d", "")];
        assert_eq!(got.len(), want.len());
        for ((k, v), (wk, wv)) in got.iter().zip(want) {
            assert_eq!((k.as_str(), v.as_str()), (wk, wv));
        }
        let debug = format!("{parts:?}");
        assert!(!debug.contains("x+y") && !debug.contains("%2A"), "Debug hides the query and the body: {debug}");
        crate::test_support::assert_contains_all(&debug, &["\"POST\"", "query_len: 9", "[\"Content-Type\"]", "body_len: 8"]);
        let no_form = HttpParts { headers: &[], ..parts };
        assert_eq!(no_form.form_params().len(), 2);
    }

    #[test]
    fn errors_display_in_lower_case_without_signatures() {
        let e = SignatureError::mismatch(None, "GETx/?a=1".into());
        assert_eq!(e.to_string(), "signature mismatch; server string to sign is \"GETx/?a=1\"");
        assert_eq!(SignatureError::Missing("Signature").to_string(), "missing Signature");
    }
}
