//! The legacy endpoint's front door: parameters and signature → an API 3.0 [`Call`] for CVM →
//! the common admission and the CVM handler → the API 3.0 envelope. Translation only; every
//! key-pair rule is CVM's.
//!
//! Checks in a fixed order: method → body size → SecretId, Signature, Timestamp, Nonce present →
//! known SecretId → clock skew → signature → Version → Action → (common admission: rate limit,
//! permission, fault) → CVM rules (Region first).

use std::sync::Arc;

use axum::response::Response;

use super::{ACTIONS, API, PATH, VERSION, regions};
use crate::emulator::Emulator;
use crate::emulator::http::{RawRequest, new_request_id};
use crate::emulator::tencent::{self, Call, Product, TencentError, V1_COMMON, params};
use crate::sign::tencent_v1;

/// Serves one legacy request; returns the route label for the log and the response.
pub async fn handle(emulator: &Arc<Emulator>, raw: &RawRequest) -> (String, Response) {
    let request_id = new_request_id();
    let (route, result) = match authenticate(emulator, raw) {
        Err(error) => (API.to_string(), Err(error)),
        Ok(call) => (format!("{API} {}", call.action), tencent::admit_and_handle(emulator, &call, API).await),
    };
    (route, tencent::render(&request_id, result))
}

fn authenticate(emulator: &Arc<Emulator>, raw: &RawRequest) -> Result<Call, TencentError> {
    if raw.method != "GET" && raw.method != "POST" {
        return Err(TencentError::unsupported_protocol(&raw.method));
    }
    if raw.body_too_large {
        return Err(TencentError::request_size_limit_exceeded());
    }
    // GET carries every parameter in the query, POST in a form body (apis.md §6, qcloudapi SDK).
    let all = if raw.method == "GET" { raw.query_params() } else { raw.form_params() };
    let get = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let secret_id = get("SecretId").ok_or_else(|| TencentError::missing_parameter("SecretId"))?;
    get("Signature").ok_or_else(|| TencentError::missing_parameter("Signature"))?;
    let timestamp: i64 = get("Timestamp")
        .ok_or_else(|| TencentError::missing_parameter("Timestamp"))?
        .trim()
        .parse()
        .map_err(|_| TencentError::invalid_parameter("Timestamp must be Unix seconds"))?;
    // Nonce stays a string: the legacy SDK's is up to 63 bits (apis.md §6).
    get("Nonce").ok_or_else(|| TencentError::missing_parameter("Nonce"))?;
    let account = emulator.accounts.get(secret_id).ok_or_else(TencentError::secret_id_not_found)?;
    let now = emulator.config.clock.now_secs();
    if (now - timestamp).abs() > emulator.config.legacy.max_clock_skew_secs {
        return Err(TencentError::signature_expire(timestamp, now));
    }
    verify(raw, &all, account.secret_key()).map_err(|e| tencent::signature_error(emulator, secret_id, e))?;

    // No Version: the flat legacy answers are out of scope; the parameter the seed requires is
    // missing, so the common MissingParameter (ledger L-LEG-2).
    let version = get("Version").ok_or_else(|| TencentError::missing_parameter("Version"))?;
    if version != VERSION {
        return Err(TencentError::no_such_version(version));
    }
    let action = get("Action").ok_or_else(|| TencentError::missing_parameter("Action"))?;
    if !ACTIONS.contains(&action) {
        return Err(TencentError::invalid_action(action));
    }
    let region = get("Region").filter(|r| !r.is_empty()).map(|r| regions::to_api3(r).to_string());
    let own: Vec<(String, String)> = all.iter().filter(|(k, _)| !V1_COMMON.contains(&k.as_str())).cloned().collect();
    Ok(Call {
        product: Product::Cvm,
        action: action.to_string(),
        version: version.to_string(),
        region,
        params: params::unflatten(&own)?,
        typed: false,
        account,
    })
}

/// Signature v1 over `METHOD + Host + /v2/index.php + ? + params`, with the Host header exactly as
/// received. The qcloudapi SDK signs `host:port` while its Host header drops `:80` (apis.md §6),
/// so a Host without a port is also tried with `:80`.
fn verify(raw: &RawRequest, params: &[(String, String)], secret_key: &str) -> Result<(), crate::sign::SignatureError> {
    let host = raw.header("host").unwrap_or("");
    let first = tencent_v1::verify(&raw.method, host, PATH, params, secret_key);
    if first.is_err() && !has_port(host) && !host.is_empty() {
        let with_port = format!("{host}:80");
        if tencent_v1::verify(&raw.method, &with_port, PATH, params, secret_key).is_ok() {
            return Ok(());
        }
    }
    first
}

fn has_port(host: &str) -> bool {
    host.rsplit_once(':').is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_recognised() {
        assert!(has_port("127.0.0.1:18080"));
        assert!(!has_port("cvm.api.qcloud.com"));
        assert!(!has_port("[::1]"));
        assert!(has_port("[::1]:80"));
    }
}
