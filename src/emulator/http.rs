//! The emulator's front door: reads a request whole (bounded), then routes it by shape to the
//! control API or a provider. Nothing here panics on bad input: an unroutable request gets a 404
//! JSON body naming the supported products, everything else a provider's own error envelope.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Emulator, control, tencent};

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
    /// True when the body was larger than the emulator accepts (and was cut).
    pub body_too_large: bool,
}

impl RawRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Query parameters, decoded.
    pub fn query_params(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes()).into_owned().collect()
    }

    /// Form-body parameters, decoded, when the body is `application/x-www-form-urlencoded`.
    pub fn form_params(&self) -> Vec<(String, String)> {
        let is_form =
            self.header("content-type").is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if is_form { form_urlencoded::parse(&self.body).into_owned().collect() } else { Vec::new() }
    }
}

fn headers_in_order(map: &HeaderMap) -> Vec<(String, String)> {
    // HeaderMap groups repeated names; order within the map is insertion order per name.
    map.iter().map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())).collect()
}

/// Reads the request, bounded by the configured body limit.
async fn read(request: Request, limit: usize) -> RawRequest {
    let (parts, body) = request.into_parts();
    let (body, body_too_large) = match to_bytes(body, limit).await {
        Ok(bytes) => (bytes.to_vec(), false),
        Err(_) => (Vec::new(), true),
    };
    RawRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: headers_in_order(&parts.headers),
        body,
        body_too_large,
    }
}

/// The single entry point of the router.
pub async fn dispatch(State(emulator): State<Arc<Emulator>>, request: Request) -> Response {
    let started = Instant::now();
    let raw = read(request, emulator.config.max_body_bytes).await;
    let (route, response) = route(&emulator, &raw).await;
    let outcome = response.headers().get("x-emulator-outcome").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let outcome = if outcome.is_empty() { response.status().as_u16().to_string() } else { outcome };
    emulator.log.request(&raw.method, &raw.path, &route, &outcome, started.elapsed().as_millis());
    let mut response = response;
    response.headers_mut().remove("x-emulator-outcome");
    response
}

async fn route(emulator: &Arc<Emulator>, raw: &RawRequest) -> (String, Response) {
    if raw.path.starts_with(control::PREFIX) {
        if !emulator.config.control_api {
            return ("control (disabled)".into(), no_product(raw, "the control API is not enabled (serve --control)"));
        }
        return ("control".into(), control::handle(emulator, raw).await);
    }
    if let Some(answer) = super::sts::route(emulator, raw).await {
        return answer;
    }
    if super::tencent_legacy::claims(raw) {
        return super::tencent_legacy::handle(emulator, raw).await;
    }
    if tencent::claims(raw) {
        return tencent::handle(emulator, raw).await;
    }
    if super::aliyun_ecs::claims(raw) {
        return super::aliyun_ecs::handle(emulator, raw).await;
    }
    ("unrouted".into(), no_product(raw, "no product matches this request"))
}

/// 404 with a JSON body that names what the emulator serves and how requests are told apart.
pub fn no_product(raw: &RawRequest, reason: &str) -> Response {
    let body = serde_json::json!({
        "error": reason,
        "method": raw.method,
        "path": raw.path,
        "supported": [
            {"product": "tencent-cvm", "version": "2017-03-12", "path": "/", "recognised_by": "TC3 Authorization with service cvm, or X-TC-* headers, or signature v1 parameters (SecretId, Signature) with Version 2017-03-12"},
            {"product": "tencent-lighthouse", "version": "2020-03-24", "path": "/", "recognised_by": "TC3 Authorization with service lighthouse, or signature v1 parameters (SecretId, Signature) with Version 2020-03-24"},
            {"product": "aliyun-ecs", "version": "2014-05-26", "path": "/", "recognised_by": "an ACS3-HMAC-SHA256 Authorization header, or RPC signature parameters (AccessKeyId with Signature or SignatureVersion) in the query or form body"},
            {"product": "tencent-cvm-legacy", "version": "2017-03-12", "path": "/v2/index.php", "recognised_by": "the path /v2/index.php (signature v1 over that path; CreateKeyPair only)"},
        ],
    });
    json_response(StatusCode::NOT_FOUND, &body)
}

/// A JSON response with `Content-Type: application/json` exactly: the Tencent Python SDK reads
/// an error body only with that exact type (apis.md §1.2).
pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    (status, [(header::CONTENT_TYPE, "application/json")], Body::from(text)).into_response()
}

/// A fresh request id: a random version-4 UUID, lowercase as in seed 000's example.
pub fn new_request_id() -> String {
    let bits: u128 = rand::random();
    let bits = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_v4_uuids() {
        let id = new_request_id();
        let re = regex::Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$").unwrap();
        assert!(re.is_match(&id), "{id}");
        assert_ne!(id, new_request_id());
    }
}
