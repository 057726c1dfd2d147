//! The emulator's wire types, shared by the front door ([`super::http`]) and every provider: the
//! request as received, request ids, JSON and XML responses, and what was served (for the log).
//! A leaf module: it imports no provider, so providers never import from the module that
//! dispatches to them.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::sign::Expected;

/// A request as received: what signature verifiers need, byte for byte.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Headers in received order, original case; non-UTF-8 values are kept lossily.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Why the body could not be read, if it could not (it is then empty).
    pub body_problem: Option<BodyProblem>,
}

/// Why a request's body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProblem {
    /// Larger than the emulator accepts (by its Content-Length, or once the limit was reached).
    TooLarge,
    /// Not a well-formed HTTP body (a malformed chunk size, a connection closed mid-body).
    Malformed,
}

impl RawRequest {
    /// The request as the signature verifiers read it, borrowed.
    pub fn http_parts(&self) -> crate::sign::HttpParts<'_> {
        crate::sign::HttpParts { method: &self.method, path: &self.path, query: &self.query, headers: &self.headers, body: &self.body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Query parameters, decoded.
    pub fn query_params(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes()).into_owned().collect()
    }

    /// Whether the Content-Type starts with `media_type` in any case (`application/json;
    /// charset=utf-8` is JSON). Compared in place: the request path asks this of every request.
    pub fn content_type_is(&self, media_type: &str) -> bool {
        self.header("content-type")
            .is_some_and(|ct| ct.as_bytes().get(..media_type.len()).is_some_and(|start| start.eq_ignore_ascii_case(media_type.as_bytes())))
    }

    /// Form-body parameters, decoded, when the body is `application/x-www-form-urlencoded`.
    pub fn form_params(&self) -> Vec<(String, String)> {
        if self.content_type_is("application/x-www-form-urlencoded") {
            form_urlencoded::parse(&self.body).into_owned().collect()
        } else {
            Vec::new()
        }
    }

    /// Query parameters followed by form-body parameters, in the order received.
    pub fn all_params(&self) -> Vec<(String, String)> {
        let mut params = self.query_params();
        params.extend(self.form_params());
        params
    }

    /// The parameters of a signature-v1 style request: the query for GET, the form body otherwise
    /// (Tencent's v1 and legacy forms never mix them).
    pub fn v1_params(&self) -> Vec<(String, String)> {
        if self.method == "GET" { self.query_params() } else { self.form_params() }
    }
}

/// A boxed future borrowing the emulator and the request: the providers' and products' handlers
/// (a trait cannot declare `async fn` and stay object-safe).
pub type Handling<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// What a provider served: the response, and for the log the route it took and its outcome
/// (`ok`, or the error code), kept beside the response rather than in a header.
#[derive(Debug)]
pub struct Served {
    pub route: String,
    pub outcome: Outcome,
    pub response: Response,
}

/// The outcome of a request, for the log only. `detail` says which value failed a rule: it is
/// what the emulator knows beyond the documented message, which it never appends to the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// `ok`, or the error code; borrowed for `ok`, which every successful request records.
    pub code: Cow<'static, str>,
    pub detail: Option<String>,
}

impl Outcome {
    pub fn ok() -> Self {
        Self { code: Cow::Borrowed("ok"), detail: None }
    }

    pub fn error(code: &str, detail: Option<&str>) -> Self {
        Self { code: Cow::Owned(code.into()), detail: detail.map(str::to_string) }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            // A detail quotes request values: escaped, so it cannot forge a line or a terminal code.
            Some(detail) => write!(f, "{} ({})", self.code, detail.escape_debug()),
            None => f.write_str(&self.code),
        }
    }
}

/// A JSON response with `Content-Type: application/json` exactly: the Tencent Python SDK reads
/// an error body only with that exact type (apis.md §1.2).
pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    text_response(status, "application/json", serde_json::to_string(body).unwrap_or_else(|_| "{}".into()))
}

/// A response with the given content type and text body (the XML envelopes use it).
pub fn text_response(status: StatusCode, content_type: &'static str, text: String) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], Body::from(text)).into_response()
}

/// What the emulator expected to be signed, for the log, without the lines a client should never
/// have signed: a client that lists `authorization` among its signed headers would otherwise have
/// its credential and signature printed.
pub fn without_credentials(expected: &Expected) -> Expected {
    let canonical_request = expected.canonical_request.as_ref().map(|text| {
        text.lines()
            .map(|line| if line.to_ascii_lowercase().starts_with("authorization:") { "authorization:<redacted>" } else { line })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Expected { canonical_request, string_to_sign: expected.string_to_sign.clone() }
}

/// A fresh request id: a random version-4 UUID, lowercase as in seed 000's example. Its bits come
/// from the thread's cryptographic generator, not a `getrandom` system call per request, and its
/// text is encoded straight into the string (no formatter).
pub fn new_request_id() -> String {
    let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
    id.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_read_as_form_parameters_only_under_the_form_content_type() {
        let request = |content_type: &str| {
            let headers: &[(&str, &str)] = if content_type.is_empty() { &[] } else { &[("Content-Type", content_type)] };
            crate::test_support::raw_request("POST", "/", "", headers, b"Action=CreateKeyPair")
        };
        let form = request("Application/X-WWW-Form-Urlencoded; charset=utf-8");
        assert!(form.content_type_is("application/x-www-form-urlencoded"));
        assert_eq!(form.form_params(), [("Action".to_string(), "CreateKeyPair".to_string())]);
        for other in [request("application/json"), request("application/x-www"), request("")] {
            assert!(!other.content_type_is("application/x-www-form-urlencoded"), "{:?}", other.headers);
            assert!(other.form_params().is_empty() && other.v1_params().is_empty(), "{:?}", other.headers);
        }
    }

    #[test]
    fn request_ids_are_v4_uuids() {
        let id = new_request_id();
        let re = regex::Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$").unwrap();
        assert!(re.is_match(&id), "{id}");
        assert_ne!(id, new_request_id());
    }

    #[test]
    fn a_signed_authorization_header_never_reaches_the_log() {
        let expected = Expected {
            canonical_request: Some(
                "POST\n/\n\nauthorization:TC3-HMAC-SHA256 Credential=AKID/2025-01-01/cvm/tc3_request, Signature=abc\nhost:x\n".into(),
            ),
            string_to_sign: "TC3-HMAC-SHA256\n1".into(),
        };
        let shown = without_credentials(&expected).canonical_request.unwrap();
        assert!(!shown.contains("AKID") && !shown.contains("Signature=abc"), "{shown}");
        assert!(shown.contains("authorization:<redacted>\nhost:x"), "{shown}");
    }

    #[test]
    fn outcomes_show_their_detail_for_the_log_only() {
        assert_eq!(
            Outcome::error("InvalidKeyPairNameTooLong", Some("got 26 characters")).to_string(),
            "InvalidKeyPairNameTooLong (got 26 characters)"
        );
        assert_eq!(Outcome::ok().to_string(), "ok");
        let forged = Outcome::error("InvalidFilter", Some("`x`\r\nGET / forged -> ok\u{1b}[2J")).to_string();
        assert!(!forged.chars().any(char::is_control), "{forged:?}");
    }
}
