//! Alibaba Cloud ECS, API version 2014-05-26: the key-pair actions CreateKeyPair (seed 004),
//! ImportKeyPair, DescribeKeyPairs and DeleteKeyPairs (shared/reference/apis.md §3).
//!
//! A request is ECS's when it comes to `/` signed by either Alibaba scheme (`Ecs::claims`). It is then
//! served in one fixed order, written here once:
//! `Format` (`InvalidParameter.Format`) → authentication, Version and Action ([`request`]) →
//! rate limit (`Throttling.User`, only with the `aliyun-ecs.requests-per-second` quota or
//! `EcsGatewaySettings::requests_per_second`) →
//! permission (`Forbidden.RAM`, `deny: aliyun-ecs:<Action>`) → injected fault → the action's
//! rules ([`rules`]) → state ([`model`]). Answers use the envelopes of [`render`].

pub mod errors;
pub mod handlers;
pub mod model;
pub mod render;
pub mod request;
pub mod rules;
pub mod settings;
#[cfg(test)]
#[path = "ecs_tests.rs"]
mod tests;

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::Emulator;
use super::actions::{ActionSpec, KeyPairAction};
use super::registry::Provider;
use super::wire::Handling;
use super::wire::{RawRequest, Served, new_request_id};
pub use errors::{EcsCode, EcsError};
pub use model::EcsStore;
use request::{EcsCall, Params};
use settings::HostIdForm;
pub use settings::{EcsGatewaySettings, EcsSettings};

/// The case-folder / control-API name of the API.
pub const API: &str = "aliyun-ecs";
pub const VERSION: &str = "2014-05-26";
/// The actions. ECS answers a parameter it does not define by ignoring it, and documents no rate
/// limit (`aliyun-ecs.requests-per-second` sets one per account), so only the names are used.
pub static ACTIONS: &[ActionSpec] = &[
    ActionSpec { action: KeyPairAction::Create, params: &["RegionId", "KeyPairName", "ResourceGroupId", "Tag"], per_second: None },
    ActionSpec {
        action: KeyPairAction::Import,
        params: &["RegionId", "KeyPairName", "PublicKeyBody", "ResourceGroupId", "Tag"],
        per_second: None,
    },
    ActionSpec {
        action: KeyPairAction::Describe,
        params: &["RegionId", "KeyPairName", "KeyPairFingerPrint", "PageNumber", "PageSize", "IncludePublicKey", "ResourceGroupId", "Tag"],
        per_second: None,
    },
    ActionSpec { action: KeyPairAction::Delete, params: &["RegionId", "KeyPairNames"], per_second: None },
];

/// The ECS product: its settings and its key pairs.
#[derive(Debug, Default)]
pub struct Ecs {
    pub settings: EcsSettings,
    pub store: EcsStore,
}

impl Provider for Ecs {
    fn name(&self) -> &'static str {
        API
    }

    /// Path `/` and either an ACS3 `Authorization` header, or the RPC signature parameters
    /// (`AccessKeyId` with `Signature` or `SignatureVersion`) in the query or form body. `x-acs-*`
    /// headers alone do not count (apis.md §6).
    fn claims(&self, raw: &RawRequest) -> bool {
        if raw.path != "/" {
            return false;
        }
        if request::is_acs3(raw) {
            return true;
        }
        let params = Params::of(raw);
        params.has("AccessKeyId") && (params.has("Signature") || params.has("SignatureVersion"))
    }

    fn handle<'a>(&'a self, emulator: &'a Arc<Emulator>, raw: &'a RawRequest) -> Handling<'a, Served> {
        Box::pin(handle(self, emulator, raw))
    }

    fn list(&self, account_id: &str) -> Option<Value> {
        let keys: Vec<_> = self.store.list(account_id).iter().map(|k| {
            json!({"RegionId": k.region_id, "KeyPairName": k.key_pair_name, "KeyPairId": k.key_pair_id, "ResourceGroupId": k.resource_group_id})
        }).collect();
        Some(json!({"key_pairs": keys}))
    }

    fn reset(&self, account_id: &str) {
        self.store.reset(account_id);
    }

    fn describe(&self) -> Option<Value> {
        Some(
            json!({"product": API, "version": VERSION, "path": "/", "recognised_by": "an ACS3-HMAC-SHA256 Authorization header, or RPC signature parameters (AccessKeyId with Signature or SignatureVersion) in the query or form body"}),
        )
    }
}

/// Serves one ECS request.
async fn handle(ecs: &Ecs, emulator: &Arc<Emulator>, raw: &RawRequest) -> Served {
    let request_id = new_request_id().to_ascii_uppercase();
    let params = Params::of(raw);
    let host_id = host_id(&params, &ecs.settings);
    let (format, format_ok) = request::format(&params, raw, ecs.settings.gateway.format_without_parameter);
    let call = match format_ok.and_then(|()| request::authenticate(ecs, emulator, raw, params)) {
        Ok(call) => call,
        Err(error) => return render::error(API.to_string(), &request_id, &host_id, &worded(&ecs.settings, error), format),
    };
    let route = format!("{API} {}", call.action.name());
    match admit_and_handle(ecs, emulator, &call).await {
        Ok(fields) => render::success(route, call.action.name(), &request_id, fields, format),
        Err(error) => render::error(route, &request_id, &host_id, &worded(&ecs.settings, error), format),
    }
}

/// The documented wording alone, or with which value failed appended (L-ECS-25).
fn worded(settings: &EcsSettings, error: EcsError) -> EcsError {
    match &error.detail {
        Some(detail) if settings.gateway.append_detail => EcsError { message: format!("{} ({detail})", error.message), ..error },
        _ => error,
    }
}

async fn admit_and_handle(ecs: &Ecs, emulator: &Arc<Emulator>, call: &EcsCall) -> Result<Map<String, Value>, EcsError> {
    let account = &call.account;
    let action = call.action.name();
    let (limit, denied) = account.with_settings(|s| {
        let limit = s
            .quotas
            .get(settings::QUOTA_REQUESTS_PER_SECOND)
            .copied()
            .or(ecs.settings.gateway.requests_per_second)
            .filter(|_| s.rate_limits);
        (limit, s.denies(API, action))
    });
    if let Some(limit) = limit
        && !account.admit(API, action, u32::try_from(limit).unwrap_or(u32::MAX), emulator.config.clock.now_millis())
    {
        return Err(EcsError::new(EcsCode::ThrottlingUser));
    }
    if denied {
        return Err(EcsError::new(EcsCode::ForbiddenRam));
    }
    if let Some(fault) = account.take_fault(API, action) {
        return Err(EcsError::injected(&fault.code));
    }
    account.in_turn(handlers::handle(ecs, emulator, call)).await
}
/// The `HostId` of an answer: by default the regional endpoint when the request names a known
/// region, else the central one (apis.md §3.1, §3.2, L-ECS-21); never the Host header, which is
/// `127.0.0.1:PORT` here.
pub(crate) fn host_id(params: &Params, settings: &EcsSettings) -> String {
    match (settings.gateway.host_id_form, params.get("RegionId")) {
        (HostIdForm::RegionalElseCentral, Some(region)) if settings.regions.iter().any(|r| r == region) => {
            format!("ecs.{region}.aliyuncs.com")
        }
        _ => "ecs.aliyuncs.com".to_string(),
    }
}
