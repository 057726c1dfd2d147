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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::EmulatorConfig;

    fn raw(method: &str, query: &str, body: &[u8], headers: &[(&str, &str)]) -> RawRequest {
        crate::test_support::raw_request(method, "/", query, headers, body)
    }

    const LIMITS: SizeLimits = SizeLimits { get_bytes: 100, v1_post_bytes: 200 };

    fn code(result: Result<(), TencentError>) -> Option<String> {
        result.err().map(|e| e.code)
    }

    #[test]
    fn the_size_limits_take_a_request_of_exactly_their_size() {
        let size_error = Some("RequestSizeLimitExceeded".to_string());
        // GET: the query alone (L-TC-9), whatever the signature scheme.
        assert_eq!(code(check_transport(&raw("GET", &"a".repeat(100), b"", &[]), &LIMITS)), None);
        assert_eq!(code(check_transport(&raw("GET", &"a".repeat(101), b"", &[]), &LIMITS)), size_error);
        // A v1 POST: query and form body together.
        assert_eq!(code(check_transport(&raw("POST", &"a".repeat(50), &[b'b'; 150], &[]), &LIMITS)), None);
        assert_eq!(code(check_transport(&raw("POST", &"a".repeat(50), &[b'b'; 151], &[]), &LIMITS)), size_error);
        // A TC3 POST is bounded by the body limit of the HTTP layer instead.
        let tc3 = [("Authorization", "TC3-HMAC-SHA256 Credential=x")];
        assert_eq!(code(check_transport(&raw("POST", "", &[b'{'; 1000], &tc3), &LIMITS)), None);
        let refused = check_transport(&raw("GET", &"a".repeat(101), b"", &tc3), &LIMITS).unwrap_err();
        assert_eq!(refused.detail.as_deref(), Some("101 bytes"));
    }

    #[test]
    fn method_and_unread_bodies_are_refused_before_the_size() {
        assert_eq!(code(check_transport(&raw("PUT", "", b"", &[]), &LIMITS)).as_deref(), Some("UnsupportedProtocol"));
        for (problem, expected) in [(BodyProblem::TooLarge, "RequestSizeLimitExceeded"), (BodyProblem::Malformed, "InvalidRequest")] {
            let request = RawRequest { body_problem: Some(problem), ..raw("POST", "", b"", &[]) };
            assert_eq!(code(check_transport(&request, &LIMITS)).as_deref(), Some(expected));
        }
    }

    fn emulator() -> Arc<Emulator> {
        Emulator::new(EmulatorConfig::default())
    }

    #[test]
    fn an_authorization_of_another_algorithm_is_named_as_such() {
        let emulator = emulator();
        let request = raw("POST", "", b"{}", &[("Authorization", "Bearer abc")]);
        let error = authenticate(&emulator, &request, &NonceStore::default()).expect_err("refused");
        assert_eq!(error.code, "AuthFailure.InvalidAuthorization");
        assert!(error.message.contains("unknown algorithm"), "{}", error.message);
    }

    #[test]
    fn a_scope_date_other_than_the_timestamps_is_refused_and_says_which() {
        let emulator = emulator();
        let account = emulator.accounts.create(Default::default());
        let now = emulator.config.clock.now_secs();
        let header = format!(
            "TC3-HMAC-SHA256 Credential={}/2000-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature={}",
            account.secret_id,
            "0".repeat(64)
        );
        let request = raw("POST", "", b"{}", &[("Authorization", &header), ("X-TC-Timestamp", &now.to_string())]);
        let error = authenticate(&emulator, &request, &NonceStore::default()).expect_err("refused");
        assert_eq!(error.code, "AuthFailure.SignatureFailure");
        let detail = error.detail.unwrap_or_default();
        assert!(detail.contains("2000-01-01") && detail.contains(&sign::utc_date(now)), "{detail}");
    }

    #[test]
    fn every_routing_header_sent_must_be_signed() {
        let signed = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let request = raw("POST", "", b"", &[("X-TC-Action", "DescribeKeyPairs"), ("X-TC-Version", "2017-03-12")]);
        assert!(check_tc_headers_signed(&request, &signed(&["content-type", "host", "X-TC-Action", "x-tc-version"])).is_ok());
        let error = check_tc_headers_signed(&request, &signed(&["content-type", "host", "x-tc-action"])).unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.detail.as_deref()),
            ("AuthFailure.SignatureFailure", Some("x-tc-version is not in SignedHeaders"))
        );
        // A routing header not sent need not be signed (X-TC-Region is optional).
        assert!(check_tc_headers_signed(&raw("POST", "", b"", &[]), &[]).is_ok());
    }

    #[test]
    fn a_tc3_signature_served_once_is_refused_the_second_time() {
        let (emulator, seen) = (emulator(), NonceStore::default());
        assert!(check_not_replayed(&emulator, &seen, "1", "sig").is_ok());
        assert!(check_not_replayed(&emulator, &seen, "2", "sig").is_ok(), "per account");
        let error = check_not_replayed(&emulator, &seen, "1", "sig").unwrap_err();
        assert_eq!((error.code.as_str(), error.detail.as_deref()), ("AuthFailure.SignatureFailure", Some("a TC3 signature served before")));
    }

    #[test]
    fn v1_own_parameters_are_the_non_common_ones_nested() {
        let params =
            crate::test_support::owned_pairs(&[("Action", "DescribeKeyPairs"), ("SecretId", "x"), ("KeyIds.0", "skey-1"), ("Limit", "5")]);
        assert_eq!(v1_own_params(&params).unwrap(), serde_json::json!({"KeyIds": ["skey-1"], "Limit": "5"}));
    }
}
