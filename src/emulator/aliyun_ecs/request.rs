//! Reading an ECS request: its parameters, the answer format it asks for, and authentication by
//! either scheme (RPC signature 1.0 or ACS3-HMAC-SHA256), ending in an authenticated [`EcsCall`].
//!
//! Authentication checks run in this fixed order, each with its gateway code (apis.md §3.3):
//! method → signature parameters present (`MissingParameter`, `IncompleteSignature`) → signature
//! method and version (`InvalidSignatureMethod`, `IncompleteSignature`) → time format
//! (`InvalidTimeStamp.Format`) → access key (`InvalidAccessKeyId.NotFound`) → clock skew
//! (`InvalidTimeStamp.Expired`) → signature (`SignatureDoesNotMatch`) → nonce replay
//! (`SignatureNonceUsed`) → Version (`MissingParameter`, `InvalidVersion`) → Action
//! (`MissingParameter`, `InvalidApi.NotFound`). A nonce is remembered only once the signature holds,
//! so a forged request cannot use up a client's nonce.

use std::sync::Arc;

use super::errors::{EcsCode, EcsError};
use super::settings::FormatWithoutParameter;
use super::{ACTIONS, Ecs, VERSION};
use crate::clock;
use crate::emulator::Emulator;
use crate::emulator::accounts::Account;
use crate::emulator::actions::{self, ActionSpec};
use crate::emulator::nonces::Nonce;
use crate::emulator::wire::{self, BodyProblem, RawRequest};
use crate::sign::{self, SignatureError};

/// Decoded request parameters in the order received (query first, then a form body); lookups
/// take the first occurrence.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// Query parameters merged with form-body parameters, as the RPC signature covers them
    /// (apis.md §3.1).
    pub fn of(raw: &RawRequest) -> Self {
        Self(raw.all_params())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The format of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// `Format=JSON|XML` (case-insensitive); without it, by `without` (L-ECS-18): JSON when `Accept`
/// asks for JSON, else XML, the documented default (apis.md §3.1). Any other value is
/// `InvalidParameter.Format`, answered in the format `Accept` asks for.
pub fn format(params: &Params, raw: &RawRequest, without: FormatWithoutParameter) -> (Format, Result<(), EcsError>) {
    let by_accept = if raw.header("accept").is_some_and(|a| a.to_ascii_lowercase().contains("json")) { Format::Json } else { Format::Xml };
    match params.get("Format") {
        None if without == FormatWithoutParameter::Xml => (Format::Xml, Ok(())),
        None => (by_accept, Ok(())),
        Some(f) if f.eq_ignore_ascii_case("JSON") => (Format::Json, Ok(())),
        Some(f) if f.eq_ignore_ascii_case("XML") => (Format::Xml, Ok(())),
        Some(_) => (by_accept, Err(EcsError::new(EcsCode::InvalidFormat))),
    }
}

/// An authenticated call, ready for the handlers.
#[derive(Debug)]
pub struct EcsCall {
    pub action: &'static ActionSpec,
    pub params: Params,
    pub account: Arc<Account>,
}

/// Whether the request carries an ACS3 `Authorization` header. ACS3 is told by this header alone:
/// aliyun-python-sdk-core sends `x-acs-action` with RPC signatures (apis.md §6).
pub fn is_acs3(raw: &RawRequest) -> bool {
    raw.header("authorization").is_some_and(|a| a.trim_start().starts_with(sign::acs3::ALGORITHM))
}

/// Authenticates by whichever scheme the request uses; see the module docs for the order.
pub fn authenticate(ecs: &Ecs, emulator: &Arc<Emulator>, raw: &RawRequest, params: Params) -> Result<EcsCall, EcsError> {
    if raw.method != "GET" && raw.method != "POST" {
        return Err(EcsError::new(EcsCode::UnsupportedHttpMethod));
    }
    // No Alibaba document states a body limit; the emulator's is refused with the gateway's
    // InvalidParameter naming the body, before anything is parsed or authenticated.
    let body_error = |detail: &str| EcsError {
        status: ecs.settings.gateway.body_error_status,
        ..EcsError::invalid_parameter("Body").with_detail(detail)
    };
    match raw.body_problem {
        Some(BodyProblem::TooLarge) => return Err(body_error("the body exceeds the size limit")),
        Some(BodyProblem::Malformed) => return Err(body_error("the body could not be read")),
        None => {}
    }
    let (account, version, action) =
        if is_acs3(raw) { authenticate_acs3(ecs, emulator, raw, &params)? } else { authenticate_rpc(ecs, emulator, raw, &params)? };
    let version = version.ok_or_else(|| EcsError::missing_parameter("Version"))?;
    if version != VERSION {
        return Err(EcsError::new(EcsCode::InvalidVersion));
    }
    let action = action.ok_or_else(|| EcsError::missing_parameter("Action"))?;
    let action = actions::find(ACTIONS, &action).ok_or_else(|| EcsError::new(EcsCode::ApiNotFound))?;
    Ok(EcsCall { action, params, account })
}

type Authenticated = (Arc<Account>, Option<String>, Option<String>);

fn authenticate_rpc(ecs: &Ecs, emulator: &Arc<Emulator>, raw: &RawRequest, params: &Params) -> Result<Authenticated, EcsError> {
    let required = |name: &'static str| params.get(name).ok_or_else(|| EcsError::missing_parameter(name));
    let access_key_id = required("AccessKeyId")?;
    required("Signature")?;
    let method = required("SignatureMethod")?;
    let version = required("SignatureVersion")?;
    let nonce = required("SignatureNonce")?;
    let timestamp = required("Timestamp")?;
    if method != sign::acs_rpc::SIGNATURE_METHOD {
        return Err(EcsError::new(EcsCode::InvalidSignatureMethod));
    }
    if version != "1.0" {
        return Err(EcsError::new(EcsCode::IncompleteSignature));
    }
    let timestamp = parse_time(timestamp)?;
    let account = find_account(ecs, emulator, access_key_id)?;
    check_skew(ecs, emulator, timestamp)?;
    sign::acs_rpc::verify(&raw.method, params.pairs(), account.secret_key())
        .map_err(|e| signature_error(ecs, emulator, access_key_id, e))?;
    check_nonce(ecs, emulator, &account, nonce)?;
    // RPC signs its parameters, not headers: Version and Action come from the parameters.
    Ok((account, params.get("Version").map(str::to_string), params.get("Action").map(str::to_string)))
}

fn authenticate_acs3(ecs: &Ecs, emulator: &Arc<Emulator>, raw: &RawRequest, params: &Params) -> Result<Authenticated, EcsError> {
    let header = raw.header("authorization").unwrap_or("");
    let auth = sign::acs3::parse_authorization(header).map_err(|_| EcsError::new(EcsCode::IncompleteSignature))?;
    let nonce = raw.header("x-acs-signature-nonce").ok_or_else(|| EcsError::missing_parameter("x-acs-signature-nonce"))?;
    let date = raw.header("x-acs-date").ok_or_else(|| EcsError::missing_parameter("x-acs-date"))?;
    let timestamp = parse_time(date)?;
    let account = find_account(ecs, emulator, &auth.access_key_id)?;
    check_skew(ecs, emulator, timestamp)?;
    let parts = raw.http_parts();
    sign::acs3::verify(&parts, &auth, account.secret_key()).map_err(|e| signature_error(ecs, emulator, &auth.access_key_id, e))?;
    check_nonce(ecs, emulator, &account, nonce)?;
    // ACS3 signs the x-acs-* headers: Version and Action come from them, else from parameters.
    let pick = |header: &str, param: &str| raw.header(header).or_else(|| params.get(param)).map(str::to_string);
    Ok((account, pick("x-acs-version", "Version"), pick("x-acs-action", "Action")))
}

/// `yyyy-MM-ddTHH:mm:ssZ` (UTC) as Unix seconds (apis.md §3.1).
pub fn parse_time(text: &str) -> Result<i64, EcsError> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::PrimitiveDateTime::parse(text.trim(), &format)
        .map(|t| t.assume_utc().unix_timestamp())
        .map_err(|_| EcsError::new(EcsCode::InvalidTimeStampFormat))
}

/// Computed without overflow for any timestamp.
fn check_skew(ecs: &Ecs, emulator: &Emulator, timestamp: i64) -> Result<(), EcsError> {
    let now = emulator.config.clock.now_secs();
    if !clock::within_skew(now, timestamp, ecs.settings.gateway.max_clock_skew_secs) {
        return Err(EcsError::new(EcsCode::InvalidTimeStampExpired));
    }
    Ok(())
}

/// The account of `access_key_id`, or `InvalidAccessKeyId.NotFound` with the status the settings
/// choose (L-ECS-15).
fn find_account(ecs: &Ecs, emulator: &Emulator, access_key_id: &str) -> Result<Arc<Account>, EcsError> {
    let not_found =
        || EcsError { status: ecs.settings.gateway.auth_statuses.access_key_not_found(), ..EcsError::new(EcsCode::AccessKeyIdNotFound) };
    emulator.accounts.get(access_key_id).ok_or_else(not_found)
}

/// A nonce must outlive every request that could carry it past the skew check: a request stamped
/// up to one skew ahead of now stays valid for one more skew, up to and including the bound, so by
/// default it is kept for twice the skew and one second (tests/suite/auth_windows.rs, L-ECS-26). Not
/// remembered at all when the settings say so (L-ECS-16).
fn check_nonce(ecs: &Ecs, emulator: &Emulator, account: &Account, nonce: &str) -> Result<(), EcsError> {
    if !ecs.settings.gateway.remember_nonces {
        return Ok(());
    }
    match ecs.store.nonces.remember(&account.id, nonce, emulator.config.clock.now_secs(), ecs.settings.gateway.nonce_keep_secs()) {
        Nonce::Fresh => Ok(()),
        Nonce::Replayed => Err(EcsError::new(EcsCode::SignatureNonceUsed)),
        // The replay memory is at its cap (emulator::nonces): refused as throttled, never let through.
        Nonce::Full => Err(EcsError::new(EcsCode::ThrottlingUser)),
    }
}

fn signature_error(ecs: &Ecs, emulator: &Emulator, access_key_id: &str, error: SignatureError) -> EcsError {
    match error {
        SignatureError::Mismatch(expected) => {
            emulator.log.signature_mismatch(access_key_id, &wire::without_credentials(&expected));
            let status = ecs.settings.gateway.auth_statuses.signature_does_not_match();
            EcsError { status, ..EcsError::signature_does_not_match(&expected.string_to_sign) }
        }
        SignatureError::Missing(name) => EcsError::missing_parameter(name),
        SignatureError::UnsupportedMethod(_) => EcsError::new(EcsCode::InvalidSignatureMethod),
        SignatureError::Malformed(_) => EcsError::new(EcsCode::IncompleteSignature),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(query: &str, headers: &[(&str, &str)]) -> RawRequest {
        crate::test_support::raw_request("POST", "/", query, headers, b"")
    }

    #[test]
    fn format_follows_the_parameter_then_accept() {
        let r = raw("Format=XML", &[("Accept", "application/json")]);
        assert_eq!(format(&Params::of(&r), &r, FormatWithoutParameter::FollowAccept).0, Format::Xml);
        let r = raw("Format=json", &[]);
        assert_eq!(format(&Params::of(&r), &r, FormatWithoutParameter::FollowAccept).0, Format::Json);
        let r = raw("", &[("accept", "application/json")]);
        assert_eq!(format(&Params::of(&r), &r, FormatWithoutParameter::FollowAccept).0, Format::Json);
        assert_eq!(format(&Params::of(&r), &r, FormatWithoutParameter::Xml).0, Format::Xml, "L-ECS-18's other setting ignores Accept");
        let r = raw("", &[("Accept", "*/*")]);
        assert_eq!(format(&Params::of(&r), &r, FormatWithoutParameter::FollowAccept).0, Format::Xml, "XML is the documented default");
        let r = raw("Format=YAML", &[("accept", "application/json")]);
        let (f, check) = format(&Params::of(&r), &r, FormatWithoutParameter::FollowAccept);
        assert_eq!((f, check.unwrap_err().code.as_str()), (Format::Json, "InvalidParameter.Format"));
    }

    #[test]
    fn times_are_utc_seconds() {
        assert_eq!(parse_time("2025-01-01T00:00:00Z").unwrap(), 1_735_689_600);
        assert_eq!(parse_time("2025-01-01 00:00:00").unwrap_err().code, "InvalidTimeStamp.Format");
        assert_eq!(parse_time("1735689600").unwrap_err().code, "InvalidTimeStamp.Format");
    }

    #[test]
    fn acs3_is_told_by_the_authorization_header_only() {
        assert!(is_acs3(&raw("", &[("Authorization", "ACS3-HMAC-SHA256 Credential=x")])));
        assert!(!is_acs3(&raw("", &[("x-acs-action", "CreateKeyPair")])));
    }
}
