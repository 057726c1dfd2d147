//! Alibaba Cloud ECS, API version 2014-05-26: the key-pair actions CreateKeyPair (seed 004),
//! ImportKeyPair, DescribeKeyPairs and DeleteKeyPairs (shared/reference/apis.md §3).
//!
//! A request is ECS's when it comes to `/` signed by either Alibaba scheme ([`claims`]). It is then
//! served in one fixed order, written here once:
//! `Format` (`InvalidParameter.Format`) → authentication, Version and Action ([`request`]) →
//! rate limit (`Throttling.User`, only with the `aliyun-ecs.requests-per-second` quota) →
//! permission (`Forbidden.RAM`, `deny: aliyun-ecs:<Action>`) → injected fault → the action's
//! rules ([`rules`]) → state ([`model`]). Answers use the envelopes of [`render`].

pub mod errors;
pub mod handlers;
pub mod model;
pub mod render;
pub mod request;
pub mod rules;
pub mod settings;

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Map, Value};

use super::Emulator;
use super::http::{RawRequest, new_request_id};
pub use errors::EcsError;
pub use model::EcsStore;
use request::{EcsCall, Params};
pub use settings::EcsSettings;

/// The case-folder / control-API name of the API.
pub const API: &str = "aliyun-ecs";
pub const VERSION: &str = "2014-05-26";
pub const ACTIONS: &[&str] = &["CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPairs"];

/// Whether a request is shaped like an ECS call: path `/` and either an ACS3 `Authorization`
/// header, or the RPC signature parameters (`AccessKeyId` with `Signature` or `SignatureVersion`)
/// in the query or form body. `x-acs-*` headers alone do not count (apis.md §6).
pub fn claims(raw: &RawRequest) -> bool {
    if raw.path != "/" {
        return false;
    }
    if request::is_acs3(raw) {
        return true;
    }
    let params = Params::of(raw);
    params.has("AccessKeyId") && (params.has("Signature") || params.has("SignatureVersion"))
}

/// Serves one ECS request; returns the route label for the log and the response.
pub async fn handle(emulator: &Arc<Emulator>, raw: &RawRequest) -> (String, Response) {
    let request_id = new_request_id().to_ascii_uppercase();
    let params = Params::of(raw);
    let host_id = host_id(&params, &emulator.config.ecs);
    let (format, format_ok) = request::format(&params, raw);
    let call = match format_ok.and_then(|()| request::authenticate(emulator, raw, params)) {
        Ok(call) => call,
        Err(error) => return (API.to_string(), render::error(&request_id, &host_id, &error, format)),
    };
    let route = format!("{API} {}", call.action);
    let response = match admit_and_handle(emulator, &call).await {
        Ok(fields) => render::success(&call.action, &request_id, fields, format),
        Err(error) => render::error(&request_id, &host_id, &error, format),
    };
    (route, response)
}

async fn admit_and_handle(emulator: &Arc<Emulator>, call: &EcsCall) -> Result<Map<String, Value>, EcsError> {
    let account = &call.account;
    let settings = account.settings();
    if let Some(limit) = settings.quotas.get(settings::QUOTA_REQUESTS_PER_SECOND).copied()
        && settings.rate_limits
    {
        let key = format!("{}:{API}:{}", account.id, call.action);
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        if !emulator.limiter.admit(&key, limit, emulator.config.clock.now_millis()) {
            return Err(EcsError::new("Throttling.User"));
        }
    }
    if settings.deny.contains(&format!("{API}:{}", call.action)) {
        return Err(EcsError::new("Forbidden.RAM"));
    }
    if let Some(fault) = account.take_fault(API, &call.action) {
        return Err(EcsError::new(&fault.code));
    }
    let _turn = account.turn().await;
    handlers::handle(emulator, call).await
}

/// The `HostId` of an answer: the regional endpoint when the request names a known region, else
/// the central one (apis.md §3.1, §3.2); never the Host header, which is `127.0.0.1:PORT` here.
fn host_id(params: &Params, settings: &EcsSettings) -> String {
    match params.get("RegionId") {
        Some(region) if settings.regions.iter().any(|r| r == region) => format!("ecs.{region}.aliyuncs.com"),
        _ => "ecs.aliyuncs.com".to_string(),
    }
}
