//! Helpers shared by the two `Authorization`-header schemes, TC3 ([`super::tc3`]) and ACS3
//! ([`super::acs3`]): both write `<ALGORITHM> Credential=…,SignedHeaders=a;b,Signature=…`
//! and both list the signed headers lower-cased, sorted and `;`-joined.

use std::borrow::Cow;
use std::fmt;

use super::SignatureError;

/// A signature as the client sent it (hex). `Debug` shows `<redacted>`: within its time window a
/// signature replays its request, so it never reaches a log line or a panic message, whichever
/// `Authorization` struct holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSignature(pub String);

impl fmt::Debug for ClientSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::ops::Deref for ClientSignature {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for ClientSignature {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The three items of a header-scheme `Authorization` value (TC3, ACS3), unparsed beyond the
/// splitting; `signed_headers` is lower-cased.
pub(super) struct AuthItems<'a> {
    pub credential: &'a str,
    pub signed_headers: Vec<String>,
    pub signature: &'a str,
}

/// Splits `<ALGORITHM> Credential=…, SignedHeaders=a;b, Signature=…` (spaces after the commas
/// optional). Error texts never echo the value, which holds the signature.
pub(super) fn parse_auth_items<'a>(value: &'a str, algorithm: &str) -> Result<AuthItems<'a>, SignatureError> {
    let malformed = |what: &str| SignatureError::Malformed(format!("authorization header: {what}"));
    let value = value.trim();
    let (found, rest) = value.split_once(' ').unwrap_or((value, ""));
    if found != algorithm {
        return Err(SignatureError::UnsupportedMethod(found.chars().take(40).collect()));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for item in rest.split(',') {
        let (key, val) = item.trim().split_once('=').ok_or_else(|| malformed("expected key=value items"))?;
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return Err(malformed("unknown item")),
        };
        *slot = Some(val.trim());
    }
    let credential = credential.ok_or(SignatureError::Missing("Credential"))?;
    let signed_headers = signed_headers.ok_or(SignatureError::Missing("SignedHeaders"))?;
    let signature = signature.ok_or(SignatureError::Missing("Signature"))?;
    let signed_headers: Vec<String> = signed_headers.split(';').map(|h| h.trim().to_ascii_lowercase()).collect();
    if credential.is_empty() || signature.is_empty() || signed_headers.iter().any(String::is_empty) {
        return Err(malformed("empty item"));
    }
    Ok(AuthItems { credential, signed_headers, signature })
}

/// Signed header names as they appear in a canonical request: lower-cased, sorted, unique. A name
/// already in that form (every name a verifier parsed from `SignedHeaders`) is borrowed, not copied.
pub(super) fn normalize_header_names<S: AsRef<str>>(names: &[S]) -> Vec<Cow<'_, str>> {
    let mut names: Vec<Cow<'_, str>> = names
        .iter()
        .map(|n| {
            let n = n.as_ref().trim();
            if n.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(n.to_ascii_lowercase()) } else { Cow::Borrowed(n) }
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_signature_shows_as_redacted_and_compares_by_value() {
        let signature = ClientSignature("33ac853e".into());
        assert_eq!(format!("{signature:?}"), "<redacted>");
        assert_eq!(signature, "33ac853e");
        assert_ne!(signature, "33ac853f");
        assert_eq!(&*signature, "33ac853e");
    }

    #[test]
    fn each_empty_item_alone_is_malformed() {
        let items = |credential: &str, headers: &str, signature: &str| {
            parse_auth_items(&format!("ALG Credential={credential}, SignedHeaders={headers}, Signature={signature}"), "ALG").map(|_| ())
        };
        assert_eq!(items("id", "host;x-acs-date", "00"), Ok(()));
        for (credential, headers, signature) in [("", "host", "00"), ("id", "host", ""), ("id", "host;", "00"), ("id", ";host", "00")] {
            let result = items(credential, headers, signature);
            assert!(matches!(result, Err(SignatureError::Malformed(_))), "{credential:?} {headers:?} {signature:?}: {result:?}");
        }
    }
}
