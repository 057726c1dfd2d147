//! Authenticating a Tencent API 3.0 request, TC3-HMAC-SHA256 or signature v1, ending in a
//! [`Call`] for a registered product. The signature-v1 credentials are read once here, for this
//! front door and the legacy one.
//!
//! As on the cloud, TC3 signatures do not cover `X-TC-Action` or `X-TC-Region` unless the client
//! lists them in SignedHeaders (the SDKs sign `content-type` and `host` only), and TC3 has no
//! nonce: a captured request can be replayed within the clock-skew window. Each of these is a
//! setting (`TencentSettings::require_signed_tc_headers`, `remember_tc3_signatures`; L-TC-6, L-TC-7).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::settings::{CommonCode, SizeLimits};
use super::{Call, TencentError, TencentProduct, params};
use crate::clock;
use crate::emulator::Emulator;
use crate::emulator::accounts::Account;
use crate::emulator::actions;
use crate::emulator::nonces::{Nonce, NonceStore};
use crate::emulator::wire::{self, BodyProblem, RawRequest};
use crate::sign::{self, SignatureError};

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

pub(super) fn authenticate<'e>(emulator: &'e Arc<Emulator>, raw: &RawRequest, seen: &NonceStore) -> Result<Call<'e>, TencentError> {
    check_transport(raw, &emulator.config.tencent.size_limits)?;
    match raw.header("authorization") {
        Some(value) if value.starts_with("TC3-") => authenticate_tc3(emulator, raw, value, seen),
        Some(_) => Err(TencentError::invalid_authorization("unknown algorithm")),
        None => authenticate_v1(emulator, raw),
    }
}

/// Method and size, before anything is parsed: only GET and POST; the documented size limit of
/// the request's form (`limits`, L-TC-9; TC3 POST is bounded by `EmulatorConfig::max_body_bytes`);
/// a body that could not be read at all (a malformed chunk) is a malformed request, not a size error.
pub(crate) fn check_transport(raw: &RawRequest, limits: &SizeLimits) -> Result<(), TencentError> {
    if raw.method != "GET" && raw.method != "POST" {
        return Err(TencentError::unsupported_protocol(&raw.method));
    }
    match raw.body_problem {
        Some(BodyProblem::TooLarge) => return Err(TencentError::request_size_limit_exceeded()),
        Some(BodyProblem::Malformed) => return Err(TencentError::invalid_request()),
        None => {}
    }
    let size = raw.query.len() + raw.body.len();
    let tc3 = raw.header("authorization").is_some_and(|a| a.starts_with("TC3-"));
    let over = match raw.method.as_str() {
        "GET" => size > limits.get_bytes,
        _ => !tc3 && size > limits.v1_post_bytes,
    };
    if over { Err(TencentError::request_size_limit_exceeded().with_detail(format!("{size} bytes"))) } else { Ok(()) }
}

fn authenticate_tc3<'e>(emulator: &'e Arc<Emulator>, raw: &RawRequest, header: &str, seen: &NonceStore) -> Result<Call<'e>, TencentError> {
    let settings = &emulator.config.tencent;
    let auth = sign::tc3::parse_authorization(header).map_err(|e| TencentError::invalid_authorization(&e.to_string()))?;
    let timestamp = required_header(raw, "X-TC-Timestamp")?;
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| TencentError::invalid_parameter("X-TC-Timestamp must be Unix seconds"))?;
    let account = emulator.accounts.get(&auth.secret_id).ok_or_else(TencentError::secret_id_not_found)?;
    check_skew(emulator, timestamp, MAX_CLOCK_SKEW_SECS)?;
    // The scope's date must be the UTC date of X-TC-Timestamp: the cloud derives the signing key
    // from the scope the client wrote, so any other date cannot verify there either.
    let date = sign::utc_date(timestamp);
    if settings.check_scope_date && date != auth.date {
        let detail = format!("credential scope date {} is not {date}, the UTC date of X-TC-Timestamp", auth.date);
        return Err(TencentError { detail: Some(detail), ..TencentError::signature_failure() });
    }
    let parts = raw.http_parts();
    sign::tc3::verify_with_key(&parts, &auth, timestamp, |date, service| account.tc3_signing_key(date, service))
        .map_err(|e| signature_error(emulator, &auth.secret_id, e))?;
    if settings.require_signed_tc_headers {
        check_tc_headers_signed(raw, &auth.signed_headers)?;
    }
    if settings.remember_tc3_signatures {
        check_not_replayed(emulator, seen, &account.id, &auth.signature)?;
    }

    let product = emulator
        .providers
        .tencent_products()
        .find(|p| p.service() == auth.service)
        .ok_or_else(|| TencentError::no_such_product(&auth.service))?;
    let action = required_header(raw, "X-TC-Action")?;
    let version = required_header(raw, "X-TC-Version")?.to_string();
    let region = raw.header("X-TC-Region").filter(|r| !r.is_empty()).map(str::to_string);
    let action = check_version_and_action(product, &version, action)?;
    let params = if raw.method == "GET" {
        params::unflatten(&raw.query_params())?
    } else {
        if !raw.content_type_is("application/json") {
            return Err(TencentError::invalid_parameter(
                "a TC3-signed POST must send Content-Type: application/json; form bodies need signature v1",
            ));
        }
        parse_json_body(&raw.body, settings.malformed_body_code)?
    };
    let typed = raw.method != "GET";
    Ok(Call { product, action, version, region, params, typed, account })
}

/// The signature-v1 common parameters, checked present, with the account they name, after the
/// clock-skew check (`max_skew_secs`). The caller verifies the signature.
pub(crate) struct V1Credentials<'p> {
    pub secret_id: &'p str,
    pub account: Arc<Account>,
}

pub(crate) fn v1_credentials<'p>(
    emulator: &Emulator,
    params: &'p [(String, String)],
    max_skew_secs: i64,
) -> Result<V1Credentials<'p>, TencentError> {
    let secret_id = v1_param(params, "SecretId")?;
    v1_param(params, "Signature")?;
    let timestamp: i64 =
        v1_param(params, "Timestamp")?.trim().parse().map_err(|_| TencentError::invalid_parameter("Timestamp must be Unix seconds"))?;
    // Nonce stays a string: the legacy SDK's is up to 63 bits (apis.md §6).
    v1_param(params, "Nonce")?;
    let account = emulator.accounts.get(secret_id).ok_or_else(TencentError::secret_id_not_found)?;
    check_skew(emulator, timestamp, max_skew_secs)?;
    Ok(V1Credentials { secret_id, account })
}

/// A v1 parameter, or `MissingParameter`.
pub(crate) fn v1_param<'p>(params: &'p [(String, String)], name: &str) -> Result<&'p str, TencentError> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).ok_or_else(|| TencentError::missing_parameter(name))
}

/// The action's own parameters of a v1 request, nested.
pub(crate) fn v1_own_params(params: &[(String, String)]) -> Result<Value, TencentError> {
    let own: Vec<(String, String)> = params.iter().filter(|(k, _)| !V1_COMMON.contains(&k.as_str())).cloned().collect();
    params::unflatten(&own)
}

fn authenticate_v1<'e>(emulator: &'e Arc<Emulator>, raw: &RawRequest) -> Result<Call<'e>, TencentError> {
    let all = raw.v1_params();
    let credentials = v1_credentials(emulator, &all, MAX_CLOCK_SKEW_SECS)?;
    let host = raw.header("host").unwrap_or("");
    sign::tencent_v1::verify(&raw.method, host, &raw.path, &all, credentials.account.secret_key())
        .map_err(|e| signature_error(emulator, credentials.secret_id, e))?;

    let version = v1_param(&all, "Version")?.to_string();
    let action = v1_param(&all, "Action")?;
    let product =
        emulator.providers.tencent_products().find(|p| p.version() == version).ok_or_else(|| TencentError::no_such_version(&version))?;
    let action = check_version_and_action(product, &version, action)?;
    let region = v1_param(&all, "Region").ok().filter(|r| !r.is_empty()).map(str::to_string);
    Ok(Call { product, action, version, region, params: v1_own_params(&all)?, typed: false, account: credentials.account })
}

fn required_header<'a>(raw: &'a RawRequest, name: &str) -> Result<&'a str, TencentError> {
    raw.header(name).ok_or_else(|| TencentError::missing_parameter(name))
}

/// More than `max_skew_secs` between the request's time and the server's is
/// `AuthFailure.SignatureExpire`; computed without overflow for any timestamp.
pub(crate) fn check_skew(emulator: &Emulator, timestamp: i64, max_skew_secs: i64) -> Result<(), TencentError> {
    let now = emulator.config.clock.now_secs();
    if clock::within_skew(now, timestamp, max_skew_secs) { Ok(()) } else { Err(TencentError::signature_expire(timestamp, now)) }
}

pub(crate) fn signature_error(emulator: &Emulator, secret_id: &str, error: SignatureError) -> TencentError {
    match error {
        SignatureError::Mismatch(expected) => {
            emulator.log.signature_mismatch(secret_id, &wire::without_credentials(&expected));
            TencentError::signature_failure()
        }
        SignatureError::Missing(name) => TencentError::missing_parameter(name),
        SignatureError::Malformed(what) => TencentError::invalid_authorization(&what),
        SignatureError::UnsupportedMethod(_) => TencentError::signature_failure(),
    }
}

/// The product's row for `action`, once the version is the product's.
pub(crate) fn check_version_and_action(
    product: &dyn TencentProduct,
    version: &str,
    action: &str,
) -> Result<&'static actions::ActionSpec, TencentError> {
    if version != product.version() {
        return Err(TencentError::no_such_version(version));
    }
    actions::find(product.actions(), action).ok_or_else(|| TencentError::invalid_action(action))
}

/// The JSON body; one that does not parse or is not an object answers `code` (L-TC-2).
fn parse_json_body(body: &[u8], code: CommonCode) -> Result<Value, TencentError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(code.error("Body", "the request body must be a JSON object")),
        Err(e) => Err(code.error("Body", &format!("the request body is not valid JSON: {e}"))),
    }
}

/// The `X-TC-*` headers that choose what a request does; each one present must be signed (L-TC-6).
const ROUTING_HEADERS: &[&str] = &["x-tc-action", "x-tc-region", "x-tc-version"];

fn check_tc_headers_signed(raw: &RawRequest, signed_headers: &[String]) -> Result<(), TencentError> {
    let unsigned = ROUTING_HEADERS.iter().find(|h| raw.header(h).is_some() && !signed_headers.iter().any(|s| s.eq_ignore_ascii_case(h)));
    match unsigned {
        Some(header) => {
            Err(TencentError { detail: Some(format!("{header} is not in SignedHeaders")), ..TencentError::signature_failure() })
        }
        None => Ok(()),
    }
}

/// A TC3 signature already served within the skew window is refused (L-TC-7).
fn check_not_replayed(emulator: &Emulator, seen: &NonceStore, account_id: &str, signature: &str) -> Result<(), TencentError> {
    let keep = MAX_CLOCK_SKEW_SECS.saturating_mul(2).saturating_add(1);
    match seen.remember(account_id, signature, emulator.config.clock.now_secs(), keep) {
        Nonce::Fresh => Ok(()),
        Nonce::Replayed | Nonce::Full => {
            Err(TencentError { detail: Some("a TC3 signature served before".into()), ..TencentError::signature_failure() })
        }
    }
}
