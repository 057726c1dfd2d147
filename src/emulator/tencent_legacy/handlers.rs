//! The legacy endpoint's front door: parameters and signature → an API 3.0 [`Call`] for CVM →
//! the common admission and the CVM handler → the API 3.0 envelope. Translation only; every
//! key-pair rule is CVM's.
//!
//! Checks in a fixed order: method → body size → SecretId, Signature, Timestamp, Nonce present →
//! known SecretId → clock skew → signature → Version → Action → (common admission: rate limit,
//! permission, fault) → CVM rules (Region first).

use std::sync::Arc;

use super::{ACTIONS, API, Legacy, PATH, RateBucket, VERSION, regions};
use crate::emulator::Emulator;
use crate::emulator::actions;
use crate::emulator::tencent::auth::{check_transport, signature_error, v1_credentials, v1_own_params, v1_param};
use crate::emulator::tencent::{self, Call, TencentError};
use crate::emulator::tencent_cvm;
use crate::emulator::wire::{RawRequest, Served};
use crate::sign::tencent_v1;

/// Serves one legacy request.
pub async fn handle(legacy: &Legacy, emulator: &Arc<Emulator>, raw: &RawRequest) -> Served {
    let request_id = emulator.config.tencent.request_id();
    let rate_bucket = match legacy.settings.rate_bucket {
        RateBucket::OwnEndpoint => API,
        RateBucket::SharedWithCvm => tencent_cvm::API,
    };
    let (route, result) = match authenticate(legacy, emulator, raw) {
        Err(error) => (API.to_string(), Err(error)),
        Ok(call) => (format!("{API} {}", call.action.name()), tencent::admit_and_handle(emulator, &call, API, rate_bucket).await),
    };
    tencent::render(&emulator.config.tencent, route, &request_id, result)
}

fn authenticate<'e>(legacy: &Legacy, emulator: &'e Arc<Emulator>, raw: &RawRequest) -> Result<Call<'e>, TencentError> {
    check_transport(raw, &emulator.config.tencent.size_limits)?;
    // GET carries every parameter in the query, POST in a form body (apis.md §6, qcloudapi SDK).
    let all = raw.v1_params();
    let credentials = v1_credentials(emulator, &all, legacy.settings.max_clock_skew_secs)?;
    let retry_with_port_80 = legacy.settings.retry_host_with_port_80;
    verify(raw, &all, credentials.account.secret_key(), retry_with_port_80)
        .map_err(|e| signature_error(emulator, credentials.secret_id, e))?;

    // No Version: the flat legacy answers are out of scope; the parameter the seed requires is
    // missing, so the common MissingParameter, unless the settings imply one (ledger L-LEG-2).
    let version = match (v1_param(&all, "Version"), &legacy.settings.implied_version) {
        (Err(_), Some(implied)) => implied.as_str(),
        (version, _) => version?,
    };
    if version != VERSION {
        return Err(TencentError::no_such_version(version));
    }
    let action = v1_param(&all, "Action")?;
    let action = actions::find(ACTIONS, action).ok_or_else(|| TencentError::invalid_action(action))?;
    let product = emulator
        .providers
        .tencent_products()
        .find(|p| p.api() == tencent_cvm::API)
        .ok_or_else(|| TencentError::no_such_product(tencent_cvm::API))?;
    let region = v1_param(&all, "Region")
        .ok()
        .filter(|r| !r.is_empty())
        .map(|r| regions::to_api3(&legacy.settings.short_region_codes, r).to_string());
    Ok(Call {
        product,
        action,
        version: version.to_string(),
        region,
        params: v1_own_params(&all)?,
        typed: false,
        account: credentials.account,
    })
}

/// Signature v1 over `METHOD + Host + /v2/index.php + ? + params`, with the Host header exactly as
/// received. The qcloudapi SDK signs `host:port` while its Host header drops `:80` (apis.md §6),
/// so a Host without a port is also tried with `:80` when `retry_with_port_80` (L-LEG-5).
fn verify(
    raw: &RawRequest,
    params: &[(String, String)],
    secret_key: &str,
    retry_with_port_80: bool,
) -> Result<(), crate::sign::SignatureError> {
    let host = raw.header("host").unwrap_or("");
    let first = tencent_v1::verify(&raw.method, host, PATH, params, secret_key);
    if retry_with_port_80 && first.is_err() && !has_port(host) && !host.is_empty() {
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
    use crate::test_support::{owned_pairs, raw_request};

    /// Whether a GET signed with `key` over `signed_host`, sent with `Host: host`, verifies with
    /// `secret` (`retry`: L-LEG-5's setting).
    fn holds(key: &str, signed_host: &str, host: &str, secret: &str, retry: bool) -> bool {
        let mut params = owned_pairs(&[("Action", "CreateKeyPair"), ("Nonce", "1"), ("SecretId", "AKIDx"), ("Timestamp", "1")]);
        let signature = tencent_v1::sign("GET", signed_host, PATH, &params, key, tencent_v1::V1Method::HmacSha1);
        params.push(("Signature".into(), signature));
        let raw = raw_request("GET", PATH, "", &[("host", host)], b"");
        verify(&raw, &params, secret, retry).is_ok()
    }

    #[test]
    fn a_legacy_signature_holds_only_for_its_key_and_host() {
        for (signed_host, host, secret, retry, expected) in [
            ("h:8080", "h:8080", "key", true, true),
            ("h:8080", "h:8080", "other key", true, false),
            ("other:8080", "h:8080", "key", true, false),
            // The qcloudapi SDK signs `host:80` and sends `Host: host`: tried only under L-LEG-5.
            ("h:80", "h", "key", true, true),
            ("h:80", "h", "key", false, false),
            // A Host that names a port, or none at all, is taken as it is.
            ("h:8080:80", "h:8080", "key", true, false),
            (":80", "", "key", true, false),
        ] {
            assert_eq!(holds("key", signed_host, host, secret, retry), expected, "signed for {signed_host}, Host {host:?}, retry {retry}");
        }
    }

    #[test]
    fn ports_are_recognised() {
        assert!(has_port("127.0.0.1:18080"));
        assert!(!has_port("cvm.api.qcloud.com"));
        assert!(!has_port("[::1]"));
        assert!(has_port("[::1]:80"));
    }
}
