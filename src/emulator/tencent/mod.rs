//! Tencent Cloud API 3.0, common to every Tencent product on the emulator: recognising a request,
//! authenticating it (TC3-HMAC-SHA256 or signature v1), finding its product, version and action,
//! rate limits, permissions and injected faults, then the product's handler, and the envelope.
//!
//! The checks run in one fixed order, written once in [`handle`]:
//! method → body size → signature scheme and credentials → clock skew → signature →
//! product (TC3 scope service, or Version for v1) → version → action → rate limit →
//! permission → injected fault → the product's own validation.

pub mod error;
pub mod params;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::Emulator;
use super::accounts::Account;
use super::http::{RawRequest, json_response, new_request_id};
use crate::sign::{self, HttpParts, SignatureError};
pub use error::TencentError;

/// Tencent's allowed clock skew: "more than 5 minutes" is `AuthFailure.SignatureExpire` (apis.md §1.1).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Parameters of the v1 forms that are common parameters, not the action's own.
pub(crate) const V1_COMMON: &[&str] = &[
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "Signature",
    "SignatureMethod",
    "Token",
    "Language",
    "RequestClient",
];

/// The Tencent products the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Cvm,
    Lighthouse,
}

impl Product {
    const ALL: &'static [Product] = &[Product::Cvm, Product::Lighthouse];

    /// The case-folder / control-API name of the product's API.
    pub fn api(self) -> &'static str {
        match self {
            Product::Cvm => "tencent-cvm",
            Product::Lighthouse => "tencent-lighthouse",
        }
    }

    /// The TC3 credential-scope service.
    pub fn service(self) -> &'static str {
        match self {
            Product::Cvm => "cvm",
            Product::Lighthouse => "lighthouse",
        }
    }

    pub fn version(self) -> &'static str {
        match self {
            Product::Cvm => super::tencent_cvm::VERSION,
            Product::Lighthouse => super::tencent_lighthouse::VERSION,
        }
    }

    fn actions(self) -> &'static [&'static str] {
        match self {
            Product::Cvm => super::tencent_cvm::ACTIONS,
            Product::Lighthouse => super::tencent_lighthouse::ACTIONS,
        }
    }

    /// Requests per second per account for `action` (documented on each action's page).
    fn rate_limit(self, action: &str) -> u32 {
        match self {
            Product::Cvm => super::tencent_cvm::rate_limit(action),
            Product::Lighthouse => super::tencent_lighthouse::rate_limit(action),
        }
    }

    /// The code of a call the account's permissions deny.
    fn unauthorized(self) -> TencentError {
        match self {
            Product::Cvm => TencentError::new("AuthFailure.UnauthorizedOperation", "The request is not authorized by CAM."),
            // Lighthouse lists its own code on every key-pair action (seed 001 §6, apis.md §1.5).
            Product::Lighthouse => super::tencent_lighthouse::errors::by_code("UnauthorizedOperation.NoPermission"),
        }
    }

    async fn handle(self, emulator: &Arc<Emulator>, call: &Call) -> Result<Map<String, Value>, TencentError> {
        match self {
            Product::Cvm => super::tencent_cvm::handlers::handle(emulator, call).await,
            Product::Lighthouse => super::tencent_lighthouse::handlers::handle(emulator, call).await,
        }
    }

    /// The error an injected fault answers with, message included.
    fn fault(self, code: &str) -> TencentError {
        match self {
            Product::Cvm => super::tencent_cvm::errors::by_code(code),
            Product::Lighthouse => super::tencent_lighthouse::errors::by_code(code),
        }
    }
}

/// An authenticated call, ready for a product's handler.
#[derive(Debug)]
pub struct Call {
    pub product: Product,
    pub action: String,
    pub version: String,
    pub region: Option<String>,
    /// The action's parameters, nested (see [`params`]).
    pub params: Value,
    /// True when the parameters came as a JSON body, so their JSON types are the client's own;
    /// GET and form requests can only send strings.
    pub typed: bool,
    pub account: Arc<Account>,
}

/// Whether a request is shaped like a Tencent API 3.0 call.
pub fn claims(raw: &RawRequest) -> bool {
    if raw.path != "/" {
        return false;
    }
    let tc3 = raw.header("authorization").is_some_and(|a| a.starts_with("TC3-"));
    let tc_headers = raw.headers.iter().any(|(n, _)| n.to_ascii_lowercase().starts_with("x-tc-"));
    let v1 = all_params(raw).iter().any(|(k, _)| k == "SecretId");
    tc3 || tc_headers || v1
}

fn all_params(raw: &RawRequest) -> Vec<(String, String)> {
    let mut params = raw.query_params();
    params.extend(raw.form_params());
    params
}

/// Serves one Tencent API 3.0 request; returns the route label for the log and the response.
pub async fn handle(emulator: &Arc<Emulator>, raw: &RawRequest) -> (String, Response) {
    let request_id = new_request_id();
    let (route, result) = match authenticate(emulator, raw) {
        Err(error) => ("tencent".to_string(), Err(error)),
        Ok(call) => {
            let route = format!("{} {}", call.product.api(), call.action);
            (route, admit_and_handle(emulator, &call, call.product.api()).await)
        }
    };
    (route, render(&request_id, result))
}

/// Rate limit → permission → injected fault → the product's handler, for `call` arriving through
/// the front door named `api`: the product's own API name, or another endpoint serving the same
/// product (the legacy CVM v2 endpoint is `tencent-cvm-legacy`). Rate limits and faults are per
/// front door; a deny of either the front door's or the product's action applies.
pub async fn admit_and_handle(emulator: &Arc<Emulator>, call: &Call, api: &str) -> Result<Map<String, Value>, TencentError> {
    let settings = call.account.settings();
    let limit = call.product.rate_limit(&call.action);
    let key = format!("{}:{}:{}", call.account.id, api, call.action);
    if settings.rate_limits && !emulator.limiter.admit(&key, limit, emulator.config.clock.now_millis()) {
        return Err(TencentError::request_limit_exceeded());
    }
    let denied = |api: &str| settings.deny.contains(&format!("{}:{}", api, call.action));
    if denied(api) || denied(call.product.api()) {
        return Err(call.product.unauthorized());
    }
    if let Some(fault) = call.account.take_fault(api, &call.action) {
        return Err(call.product.fault(&fault.code));
    }
    let _turn = call.account.turn().await;
    call.product.handle(emulator, call).await
}

/// Renders the API 3.0 envelope; HTTP 200 for errors too, as the SDKs expect (apis.md §1.2).
pub fn render(request_id: &str, result: Result<Map<String, Value>, TencentError>) -> Response {
    let (outcome, body) = match result {
        Ok(mut fields) => {
            fields.insert("RequestId".into(), Value::String(request_id.into()));
            ("ok".to_string(), serde_json::json!({ "Response": fields }))
        }
        Err(error) => (
            error.code.clone(),
            serde_json::json!({"Response": {"Error": {"Code": error.code, "Message": error.message}, "RequestId": request_id}}),
        ),
    };
    let mut response = json_response(StatusCode::OK, &body);
    if let Ok(value) = outcome.parse() {
        response.headers_mut().insert("x-emulator-outcome", value);
    }
    response
}

fn authenticate(emulator: &Arc<Emulator>, raw: &RawRequest) -> Result<Call, TencentError> {
    if raw.method != "GET" && raw.method != "POST" {
        return Err(TencentError::unsupported_protocol(&raw.method));
    }
    if raw.body_too_large {
        return Err(TencentError::request_size_limit_exceeded());
    }
    match raw.header("authorization") {
        Some(value) if value.starts_with("TC3-") => authenticate_tc3(emulator, raw, value),
        Some(_) => Err(TencentError::invalid_authorization("unknown algorithm")),
        None => authenticate_v1(emulator, raw),
    }
}

fn authenticate_tc3(emulator: &Arc<Emulator>, raw: &RawRequest, header: &str) -> Result<Call, TencentError> {
    let auth = sign::tc3::parse_authorization(header).map_err(|e| TencentError::invalid_authorization(&e.to_string()))?;
    let timestamp = required_header(raw, "X-TC-Timestamp")?;
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| TencentError::invalid_parameter("X-TC-Timestamp must be Unix seconds"))?;
    let account = emulator.accounts.get(&auth.secret_id).ok_or_else(TencentError::secret_id_not_found)?;
    check_skew(emulator, timestamp)?;
    let parts = HttpParts { method: &raw.method, path: &raw.path, query: &raw.query, headers: &raw.headers, body: &raw.body };
    sign::tc3::verify(&parts, &auth, account.secret_key(), timestamp).map_err(|e| signature_error(emulator, &auth.secret_id, e))?;

    let product =
        Product::ALL.iter().copied().find(|p| p.service() == auth.service).ok_or_else(|| TencentError::no_such_product(&auth.service))?;
    let action = required_header(raw, "X-TC-Action")?.to_string();
    let version = required_header(raw, "X-TC-Version")?.to_string();
    let region = raw.header("X-TC-Region").filter(|r| !r.is_empty()).map(str::to_string);
    check_version_and_action(product, &version, &action)?;
    let params = if raw.method == "GET" {
        params::unflatten(&raw.query_params())?
    } else {
        let content_type = raw.header("content-type").unwrap_or("").to_ascii_lowercase();
        if !content_type.starts_with("application/json") {
            return Err(TencentError::invalid_parameter(
                "a TC3-signed POST must send Content-Type: application/json; form bodies need signature v1",
            ));
        }
        parse_json_body(&raw.body)?
    };
    let typed = raw.method != "GET";
    Ok(Call { product, action, version, region, params, typed, account })
}

fn authenticate_v1(emulator: &Arc<Emulator>, raw: &RawRequest) -> Result<Call, TencentError> {
    let all = if raw.method == "GET" { raw.query_params() } else { raw.form_params() };
    let get = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let secret_id = get("SecretId").ok_or_else(|| TencentError::missing_parameter("SecretId"))?;
    get("Signature").ok_or_else(|| TencentError::missing_parameter("Signature"))?;
    let timestamp: i64 = get("Timestamp")
        .ok_or_else(|| TencentError::missing_parameter("Timestamp"))?
        .trim()
        .parse()
        .map_err(|_| TencentError::invalid_parameter("Timestamp must be Unix seconds"))?;
    get("Nonce").ok_or_else(|| TencentError::missing_parameter("Nonce"))?;
    let account = emulator.accounts.get(secret_id).ok_or_else(TencentError::secret_id_not_found)?;
    check_skew(emulator, timestamp)?;
    let host = raw.header("host").unwrap_or("");
    sign::tencent_v1::verify(&raw.method, host, &raw.path, &all, account.secret_key())
        .map_err(|e| signature_error(emulator, secret_id, e))?;

    let version = get("Version").ok_or_else(|| TencentError::missing_parameter("Version"))?.to_string();
    let action = get("Action").ok_or_else(|| TencentError::missing_parameter("Action"))?.to_string();
    let product = Product::ALL.iter().copied().find(|p| p.version() == version).ok_or_else(|| TencentError::no_such_version(&version))?;
    check_version_and_action(product, &version, &action)?;
    let region = get("Region").filter(|r| !r.is_empty()).map(str::to_string);
    let own: Vec<(String, String)> = all.iter().filter(|(k, _)| !V1_COMMON.contains(&k.as_str())).cloned().collect();
    Ok(Call { product, action, version, region, params: params::unflatten(&own)?, typed: false, account })
}

fn required_header<'a>(raw: &'a RawRequest, name: &str) -> Result<&'a str, TencentError> {
    raw.header(name).ok_or_else(|| TencentError::missing_parameter(name))
}

fn check_skew(emulator: &Arc<Emulator>, timestamp: i64) -> Result<(), TencentError> {
    let now = emulator.config.clock.now_secs();
    if (now - timestamp).abs() > MAX_CLOCK_SKEW_SECS {
        return Err(TencentError::signature_expire(timestamp, now));
    }
    Ok(())
}

pub(crate) fn signature_error(emulator: &Arc<Emulator>, secret_id: &str, error: SignatureError) -> TencentError {
    match error {
        SignatureError::Mismatch(expected) => {
            emulator.log.signature_mismatch(secret_id, &expected);
            TencentError::signature_failure()
        }
        SignatureError::Missing(name) => TencentError::missing_parameter(name),
        SignatureError::Malformed(what) => TencentError::invalid_authorization(&what),
        SignatureError::UnsupportedMethod(_) => TencentError::signature_failure(),
    }
}

fn check_version_and_action(product: Product, version: &str, action: &str) -> Result<(), TencentError> {
    if version != product.version() {
        return Err(TencentError::no_such_version(version));
    }
    if !product.actions().contains(&action) {
        return Err(TencentError::invalid_action(action));
    }
    Ok(())
}

fn parse_json_body(body: &[u8]) -> Result<Value, TencentError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(TencentError::invalid_parameter("the request body must be a JSON object")),
        Err(e) => Err(TencentError::invalid_parameter(format!("the request body is not valid JSON: {e}"))),
    }
}
