//! Tencent Cloud API 3.0, common to every Tencent product on the emulator: recognising a request,
//! authenticating it ([`auth`]: TC3-HMAC-SHA256 or signature v1), finding its product, version and
//! action, rate limits, permissions and injected faults, then the product's handler, and the envelope.
//!
//! The checks run in one fixed order, written once in [`Api3::handle`] and [`admit_and_handle`]:
//! method → body size → signature scheme and credentials → clock skew → signature →
//! product (TC3 scope service, or Version for v1) → version → action → rate limit →
//! permission → injected fault → the product's own validation.
//!
//! A product ([`TencentProduct`]) is a registered provider; this front door finds it in the
//! registry by its TC3 service or its version, so a new Tencent product adds no line here.

pub mod auth;
pub mod error;
pub mod params;
pub mod product;
pub mod rules;
pub mod settings;
pub mod store;
#[cfg(test)]
#[path = "api3_tests.rs"]
mod tests;

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::Emulator;
use super::nonces::NonceStore;
use super::registry::Provider;
use super::wire::{Handling, Outcome, RawRequest, Served, json_response, text_response};
pub use error::TencentError;
pub use product::{Call, ProductFacts, TencentProduct, describe, key_id};
pub use settings::TencentSettings;

/// Every Tencent product is a provider: named by its API, reached through the Tencent front
/// doors (it claims no request itself), listed and reset through its own methods.
impl<T: TencentProduct + std::fmt::Debug + 'static> Provider for T {
    fn name(&self) -> &'static str {
        self.api()
    }

    fn list(&self, account_id: &str) -> Option<Value> {
        Some(serde_json::json!({"key_pairs": self.key_pairs_of(account_id)}))
    }

    fn reset(&self, account_id: &str) {
        self.forget(account_id);
    }

    fn describe(&self) -> Option<Value> {
        Some(self.facts().describe())
    }

    fn tencent_product(&self) -> Option<&dyn TencentProduct> {
        Some(self)
    }
}

/// The API 3.0 front door at `/` for every registered [`TencentProduct`]; it remembers TC3
/// signatures only when `TencentSettings::remember_tc3_signatures` asks it to (L-TC-7).
#[derive(Debug, Default)]
pub struct Api3 {
    pub seen_signatures: NonceStore,
}

impl Provider for Api3 {
    fn name(&self) -> &'static str {
        "tencent-api3"
    }

    /// A TC3 `Authorization`, any `X-TC-*` header, or a v1 `SecretId` parameter, on path `/`.
    fn claims(&self, raw: &RawRequest) -> bool {
        if raw.path != "/" {
            return false;
        }
        // Cheapest first: the parameters are decoded only when no header tells.
        let tc3 = || raw.header("authorization").is_some_and(|a| a.starts_with("TC3-"));
        let tc_headers = || raw.headers.iter().any(|(n, _)| n.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("x-tc-")));
        let v1 = || raw.all_params().iter().any(|(k, _)| k == "SecretId");
        tc3() || tc_headers() || v1()
    }

    fn handle<'a>(&'a self, emulator: &'a Arc<Emulator>, raw: &'a RawRequest) -> Handling<'a, Served> {
        Box::pin(async move {
            let settings = &emulator.config.tencent;
            let request_id = settings.request_id();
            let (route, result) = match auth::authenticate(emulator, raw, &self.seen_signatures) {
                Err(error) => ("tencent".to_string(), Err(error)),
                Ok(call) => {
                    let route = format!("{} {}", call.product.api(), call.action.name());
                    (route, admit_and_handle(emulator, &call, call.product.api(), call.product.api()).await)
                }
            };
            render(settings, route, &request_id, result)
        })
    }
}

/// Rate limit → permission → injected fault → Region → unknown parameters → the product's handler, for `call` arriving through
/// the front door named `api`: the product's own API name, or another endpoint serving the same
/// product (the legacy CVM v2 endpoint is `tencent-cvm-legacy`). Faults are per front door, rate
/// limits per `rate_bucket` (the front door's name unless its settings share the product's, L-LEG-4);
/// a deny of either the front door's or the product's action applies.
pub async fn admit_and_handle(
    emulator: &Arc<Emulator>,
    call: &Call<'_>,
    api: &str,
    rate_bucket: &str,
) -> Result<Map<String, Value>, TencentError> {
    let action = call.action.name();
    let (rate_limits, denied) =
        call.account.with_settings(|s| (s.rate_limits, s.denies(api, action) || s.denies(call.product.api(), action)));
    let window = emulator.config.tencent.rate_window_millis;
    if let Some(limit) = call.action.per_second.filter(|_| rate_limits)
        && !call.account.admit_within(rate_bucket, action, limit, window, emulator.config.clock.now_millis())
    {
        return Err(TencentError::request_limit_exceeded(limit));
    }
    if denied {
        return Err((call.product.facts().unauthorized)());
    }
    if let Some(fault) = call.account.take_fault(api, action) {
        return Err((call.product.facts().fault)(&fault.code));
    }
    let own = async {
        call.product.check_region(call.region.as_deref())?;
        rules::check_known_parameters(call.action, &call.params, call.product.rejects_unknown_parameters())?;
        call.product.handle(emulator, call).await
    };
    call.account.in_turn(own).await.map_err(call.product.facts().reword)
}

/// Renders the API 3.0 envelope; errors with `settings.error_status` (HTTP 200, as the SDKs
/// expect, apis.md §1.2, L-TC-1).
pub fn render(settings: &TencentSettings, route: String, request_id: &str, result: Result<Map<String, Value>, TencentError>) -> Served {
    match result {
        Ok(mut fields) => {
            if let Some(warning) = &settings.deprecated_warning {
                fields.insert("DeprecatedWarning".into(), Value::String(warning.clone()));
            }
            fields.insert("RequestId".into(), Value::String(request_id.into()));
            Served { route, outcome: Outcome::ok(), response: response_envelope(&fields) }
        }
        Err(error) => {
            let message = match (&error.detail, settings.append_detail) {
                (Some(detail), true) => format!("{} ({detail})", error.message),
                _ => error.message.clone(),
            };
            let status = StatusCode::from_u16(settings.error_status).unwrap_or(StatusCode::OK);
            let body = serde_json::json!({"Response": {"Error": {"Code": error.code, "Message": message}, "RequestId": request_id}});
            Served { route, outcome: Outcome::error(&error.code, error.detail.as_deref()), response: json_response(status, &body) }
        }
    }
}

/// `{"Response": fields}` with HTTP 200, written straight from the fields: the text
/// [`json_response`] would write for them wrapped in one more object, without building that
/// object for every answer.
fn response_envelope(fields: &Map<String, Value>) -> axum::response::Response {
    let mut text = Vec::with_capacity(256);
    text.extend_from_slice(b"{\"Response\":");
    let text = match serde_json::to_writer(&mut text, fields) {
        Ok(()) => {
            text.push(b'}');
            String::from_utf8(text).unwrap_or_else(|_| "{}".into())
        }
        Err(_) => "{}".into(),
    };
    text_response(StatusCode::OK, "application/json", text)
}
