//! Tencent STS `GetCallerIdentity`, Version 2018-08-13, API 3.0 envelope (HTTP 200 for errors).

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::clock;
use crate::emulator::Emulator;
use crate::emulator::tencent::auth::MAX_CLOCK_SKEW_SECS;
use crate::emulator::wire::{RawRequest, json_response, new_request_id};
use crate::sign;

const VERSION: &str = "2018-08-13";

pub fn claims(raw: &RawRequest) -> bool {
    if raw.path != "/" {
        return false;
    }
    if let Some(auth) = raw.header("authorization").filter(|a| a.starts_with("TC3-")) {
        // A scope of service `sts` ends `/sts/tc3_request`: only such a header is parsed whole.
        return auth.contains("/sts/tc3_request") && sign::tc3::parse_authorization(auth).is_ok_and(|a| a.service == "sts");
    }
    let params = raw.v1_params();
    params.iter().any(|(k, _)| k == "SecretId") && params.iter().any(|(k, v)| k == "Version" && v == VERSION)
}

pub fn handle(emulator: &Arc<Emulator>, raw: &RawRequest) -> Response {
    let id = new_request_id();
    let body = match identify(emulator, raw) {
        Ok(account) => json!({"Response": {
            "Arn": format!("qcs::cam::uin/{account}:uin/{account}"),
            "AccountId": account,
            "UserId": account,
            "PrincipalId": account,
            "Type": "RootAccount",
            "RequestId": id,
        }}),
        Err((code, message)) => json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": id}}),
    };
    json_response(StatusCode::OK, &body)
}

type Refusal = (&'static str, String);

fn identify(emulator: &Arc<Emulator>, raw: &RawRequest) -> Result<String, Refusal> {
    let now = emulator.config.clock.now_secs();
    let (secret_id, timestamp, action, version) = match raw.header("authorization") {
        Some(header) => {
            let auth = sign::tc3::parse_authorization(header).map_err(|e| ("AuthFailure.InvalidAuthorization", e.to_string()))?;
            let timestamp = header_i64(raw, "X-TC-Timestamp")?;
            let account = emulator.accounts.get(&auth.secret_id).ok_or_else(not_found)?;
            let parts = raw.http_parts();
            sign::tc3::verify(&parts, &auth, account.secret_key(), timestamp).map_err(|_| failure())?;
            (auth.secret_id, timestamp, raw.header("X-TC-Action").map(str::to_string), raw.header("X-TC-Version").map(str::to_string))
        }
        None => {
            let all = raw.v1_params();
            let get = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            let secret_id = get("SecretId").unwrap_or_default();
            let timestamp = get("Timestamp").and_then(|t| t.parse().ok()).ok_or_else(|| missing("Timestamp"))?;
            let account = emulator.accounts.get(&secret_id).ok_or_else(not_found)?;
            let host = raw.header("host").unwrap_or("");
            sign::tencent_v1::verify(&raw.method, host, &raw.path, &all, account.secret_key()).map_err(|_| failure())?;
            (secret_id, timestamp, get("Action"), get("Version"))
        }
    };
    // Not `(now - timestamp).abs()`: a timestamp near i64::MIN or MAX overflowed it (a panic in a
    // debug build, a wrapped difference that passed in release).
    if !clock::within_skew(now, timestamp, MAX_CLOCK_SKEW_SECS) {
        return Err(("AuthFailure.SignatureExpire", "Signature expired.".into()));
    }
    if version.as_deref() != Some(VERSION) {
        return Err(("InvalidParameter", format!("sts has no version `{}`", version.unwrap_or_default())));
    }
    if action.as_deref() != Some("GetCallerIdentity") {
        return Err(("InvalidAction", format!("sts has no action `{}` here", action.unwrap_or_default())));
    }
    let account = emulator.accounts.get(&secret_id).ok_or_else(not_found)?;
    Ok(account.id.clone())
}

fn header_i64(raw: &RawRequest, name: &str) -> Result<i64, Refusal> {
    raw.header(name).and_then(|v| v.trim().parse().ok()).ok_or_else(|| missing(name))
}

fn missing(name: &str) -> Refusal {
    ("MissingParameter", format!("The request is missing a required parameter `{name}`."))
}

fn not_found() -> Refusal {
    ("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.".into())
}

fn failure() -> Refusal {
    ("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.".into())
}
