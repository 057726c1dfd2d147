//! One HTTP exchange as it may be shown, logged or recorded: the request without credentials,
//! signatures or session tokens, the response without private keys. Built once per request in
//! [`super::step::send`]; `--verbose`, `--dry-run` and `--record` all use this redacted form.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::apis::Outgoing;
use crate::check::secrets::scrub_text;

/// What replaces a removed value.
pub const REDACTED: &str = "[redacted]";

/// Headers that carry credentials, signatures or tokens (compared lowercase).
const SECRET_HEADERS: &[&str] =
    &["authorization", "x-tc-token", "x-acs-security-token", "x-acs-accesskey-id", "cookie", "proxy-authorization"];

/// Query and form parameters that carry credentials, signatures or tokens.
const SECRET_PARAMS: &[&str] = &["Signature", "SecretId", "AccessKeyId", "SecurityToken", "Token"];

/// A redacted exchange. `response` is `None` when nothing came back (a transport error, a dry run).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: RequestView,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseView>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestView {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseView {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RequestView {
    /// The request as it would be sent, with every secret removed.
    pub fn of(outgoing: &Outgoing) -> Self {
        let headers = outgoing
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str());
                (name.clone(), if secret { redact_authorization(value) } else { value.clone() })
            })
            .collect();
        let url = match outgoing.url.split_once('?') {
            Some((base, query)) => format!("{base}?{}", redact_form(query)),
            None => outgoing.url.clone(),
        };
        let text = String::from_utf8_lossy(&outgoing.body);
        let is_form = outgoing
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v.starts_with("application/x-www-form-urlencoded"));
        let body = if is_form { redact_form(&text) } else { scrub_text(&text) };
        Self { method: outgoing.method.clone(), url, headers, body }
    }
}

impl ResponseView {
    /// A response with private keys redacted.
    pub fn of(status: u16, headers: &reqwest::header::HeaderMap, body: &str) -> Self {
        let headers = headers
            .iter()
            .map(|(name, value)| {
                let secret = SECRET_HEADERS.contains(&name.as_str());
                (
                    name.as_str().to_string(),
                    if secret { REDACTED.to_string() } else { String::from_utf8_lossy(value.as_bytes()).into_owned() },
                )
            })
            .collect();
        Self { status, headers, body: redact_body(body) }
    }
}

/// A JSON body with private keys replaced (`crate::check::secrets`), or a text body scrubbed.
pub fn redact_body(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(value) => serde_json::to_string(&crate::check::secrets::scrub(&value)).unwrap_or_default(),
        Err(_) => scrub_text(body),
    }
}

/// `TC3-HMAC-SHA256 Credential=AKID…/…, SignedHeaders=…, Signature=…` keeps only its scheme and
/// signed headers: the key id names the account and the signature is a secret.
fn redact_authorization(value: &str) -> String {
    let scheme = value.split_whitespace().next().unwrap_or("");
    let signed = value.split([',', ' ']).find(|part| part.trim().starts_with("SignedHeaders=")).map(str::trim);
    match (scheme.is_empty() || scheme.contains('='), signed) {
        (false, Some(signed)) => format!("{scheme} Credential={REDACTED}, {signed}, Signature={REDACTED}"),
        _ => REDACTED.to_string(),
    }
}

/// `a=1&Signature=…` with secret parameters' values replaced, order and encoding kept.
pub fn redact_form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_param(name) => format!("{name}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn is_secret_param(encoded_name: &str) -> bool {
    let name = percent_encoding::percent_decode_str(encoded_name).decode_utf8_lossy();
    SECRET_PARAMS.contains(&name.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_signatures_and_tokens_never_show() {
        let outgoing = Outgoing {
            method: "POST".into(),
            url: "http://h/?Action=X&SecretId=AKIDsecretid&Token=tok-planted&Signature=sig%3D".into(),
            headers: vec![
                (
                    "Authorization".into(),
                    "TC3-HMAC-SHA256 Credential=AKIDsecretid/2025-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature=abcdef"
                        .into(),
                ),
                ("X-TC-Token".into(), "tok-planted".into()),
                ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
            ],
            body: b"KeyName=a&AccessKeyId=LTAIplanted&SecurityToken=tok-planted".to_vec(),
        };
        let view = RequestView::of(&outgoing);
        let shown = format!("{view:?}");
        for secret in ["AKIDsecretid", "tok-planted", "sig%3D", "abcdef", "LTAIplanted"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(view.url.contains("Action=X") && view.body.contains("KeyName=a"), "{shown}");
        assert!(view.headers[0].1.contains("SignedHeaders=content-type;host"), "{shown}");
    }

    /// An `Authorization` value without a scheme word before its `Credential=` shows nothing of
    /// itself: its first word would be the key id.
    #[test]
    fn an_authorization_without_a_scheme_is_redacted_whole() {
        for value in ["Credential=AKIDplanted/2025-01-01/cvm/tc3_request, SignedHeaders=host, Signature=abc", ""] {
            assert_eq!(redact_authorization(value), REDACTED, "{value}");
        }
    }

    /// Only a form body is read as `name=value&…`: a JSON body keeps its text (a value holding
    /// `&Token=` is data, not a parameter), though a private key in it is still cut out.
    #[test]
    fn a_json_body_is_not_read_as_a_form() {
        let json = br#"{"Note":"a&Token=b"}"#;
        let outgoing = |content_type: &str| Outgoing {
            method: "POST".into(),
            url: "http://h/".into(),
            headers: vec![("Content-Type".into(), content_type.into()), ("X-Note".into(), "application/x-www-form-urlencoded".into())],
            body: json.to_vec(),
        };
        assert_eq!(RequestView::of(&outgoing("application/json")).body, r#"{"Note":"a&Token=b"}"#);
        assert_eq!(RequestView::of(&outgoing("application/x-www-form-urlencoded")).body, r#"{"Note":"a&Token=[redacted]"#);
    }

    #[test]
    fn a_response_keeps_its_status_and_headers_but_no_private_key_or_cookie() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("cookie", "session=planted".parse().unwrap());
        let pem = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEA\\n-----END RSA PRIVATE KEY-----";
        let view = ResponseView::of(200, &headers, &format!(r#"{{"Response":{{"PrivateKey":"{pem}","KeyId":"skey-1"}}}}"#));
        assert_eq!(view.status, 200);
        assert_eq!(view.headers, [("content-type".to_string(), "application/json".to_string()), ("cookie".into(), REDACTED.into())]);
        assert!(view.body.contains(r#""KeyId":"skey-1""#) && !view.body.contains("MIIEpAIBAAKCAQEA"), "{}", view.body);
        assert_eq!(redact_body("plain text"), "plain text");
    }
}
