//! Secrets never reach snapshots, logs, reports or panics: anything shown to a person passes
//! through [`scrub`] first.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// Field names whose values are private keys in some API's responses (from the profiles).
static PRIVATE_KEY_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| crate::apis::private_key_fields().iter().map(|f| f.name).collect());

/// A whole PEM private key block.
static PEM_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----").expect("valid regex"));

/// The start of a PEM private key that escaped newlines left on one line.
static PEM_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[^\s\x22]*").expect("valid regex"));

/// A URL with a query.
static URL_QUERY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(https?://[^\s?)\]]*)\?[^\s)\]]*").expect("valid regex"));

/// A copy of `value` with every private key replaced by `[private-key]`.
pub fn scrub(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if PRIVATE_KEY_FIELDS.contains(&k.as_str()) && !v.is_null() {
                        Value::String("[private-key]".into())
                    } else {
                        scrub(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(scrub).collect()),
        Value::String(s) if looks_like_private_key(s) => Value::String("[private-key]".into()),
        other => other.clone(),
    }
}

/// Text that holds a PEM private key, wherever it appears.
pub fn looks_like_private_key(text: &str) -> bool {
    text.contains("PRIVATE KEY-----")
}

/// `text` with any PEM private key block cut out (for free text such as panic messages).
pub fn scrub_text(text: &str) -> String {
    if !looks_like_private_key(text) {
        return text.to_string();
    }
    let text = PEM_BLOCK.replace_all(text, "[private-key]").into_owned();
    // Escaped newlines (JSON text) leave the block on one line; a cut block still must not show.
    PEM_START.replace_all(&text, "[private-key]").into_owned()
}

/// `text` with the query of every URL in it cut (`http://host/path?[query redacted]`): signature
/// v1 and RPC requests carry the SecretId/AccessKeyId and the signature in their query, and
/// transport errors quote the URL.
pub fn scrub_urls(text: &str) -> String {
    URL_QUERY.replace_all(text, "${1}?[query redacted]").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrubs_private_keys_by_field_and_by_content() {
        let v = json!({"Response": {"KeyPair": {"PrivateKey": "x", "PublicKey": "ssh-rsa A"}, "Other": "-----BEGIN RSA PRIVATE KEY-----\nAA\n-----END RSA PRIVATE KEY-----\n"}});
        let s = scrub(&v);
        assert_eq!(s["Response"]["KeyPair"]["PrivateKey"], "[private-key]");
        assert_eq!(s["Response"]["KeyPair"]["PublicKey"], "ssh-rsa A");
        assert_eq!(s["Response"]["Other"], "[private-key]");
    }

    #[test]
    fn cuts_queries_out_of_urls() {
        let e = "request failed: error sending request for url (http://127.0.0.1:9/?Action=X&SecretId=AKID1&Signature=abc%3D): refused";
        assert_eq!(scrub_urls(e), "request failed: error sending request for url (http://127.0.0.1:9/?[query redacted]): refused");
    }

    #[test]
    fn scrubs_free_text() {
        let t = "got {\"PrivateKey\": \"-----BEGIN RSA PRIVATE KEY-----\\nMIIC\\n-----END RSA PRIVATE KEY-----\\n\"}";
        assert!(!scrub_text(t).contains("MIIC"));
        assert!(!scrub_text("a -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- b").contains("MIIE"));
    }
}
