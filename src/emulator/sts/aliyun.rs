//! Alibaba STS `GetCallerIdentity`, Version 2015-04-01, RPC signature 1.0 or ACS3; flat JSON
//! envelope, errors with their HTTP status (apis.md §3.2, §8).

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::emulator::Emulator;
use crate::emulator::wire::{RawRequest, json_response, new_request_id};
use crate::sign;

const VERSION: &str = "2015-04-01";

pub fn claims(raw: &RawRequest) -> bool {
    if raw.path != "/" {
        return false;
    }
    let params = raw.all_params();
    let has = |name: &str, value: &str| params.iter().any(|(k, v)| k == name && v == value);
    let acs3 = raw.header("authorization").is_some_and(|a| a.trim_start().starts_with(sign::acs3::ALGORITHM));
    if acs3 {
        return raw.header("x-acs-version") == Some(VERSION) || has("Version", VERSION);
    }
    has("Version", VERSION) && params.iter().any(|(k, _)| k == "AccessKeyId")
}

pub fn handle(emulator: &Arc<Emulator>, raw: &RawRequest) -> Response {
    let id = new_request_id().to_ascii_uppercase();
    match identify(emulator, raw) {
        Ok(account) => json_response(
            StatusCode::OK,
            &json!({
                "IdentityType": "Account",
                "AccountId": account,
                "UserId": account,
                "PrincipalId": account,
                "Arn": format!("acs:ram::{account}:root"),
                "RequestId": id,
            }),
        ),
        Err((status, code, message)) => json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            &json!({"RequestId": id, "HostId": "sts.aliyuncs.com", "Code": code, "Message": message}),
        ),
    }
}

type Refusal = (u16, &'static str, String);

fn identify(emulator: &Arc<Emulator>, raw: &RawRequest) -> Result<String, Refusal> {
    let params = raw.all_params();
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (key_id, action) = match raw.header("authorization") {
        Some(header) if header.trim_start().starts_with(sign::acs3::ALGORITHM) => {
            let auth = sign::acs3::parse_authorization(header).map_err(|e| (400, "IncompleteSignature", e.to_string()))?;
            let account = emulator.accounts.get(&auth.access_key_id).ok_or_else(not_found)?;
            let parts = raw.http_parts();
            sign::acs3::verify(&parts, &auth, account.secret_key()).map_err(|_| mismatch())?;
            (auth.access_key_id, raw.header("x-acs-action").map(str::to_string).or_else(|| get("Action")))
        }
        _ => {
            let key_id = get("AccessKeyId").unwrap_or_default();
            let account = emulator.accounts.get(&key_id).ok_or_else(not_found)?;
            sign::acs_rpc::verify(&raw.method, &params, account.secret_key()).map_err(|_| mismatch())?;
            (key_id, get("Action"))
        }
    };
    if action.as_deref() != Some("GetCallerIdentity") {
        return Err((404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.".into()));
    }
    let account = emulator.accounts.get(&key_id).ok_or_else(not_found)?;
    Ok(account.id.clone())
}

fn not_found() -> Refusal {
    (404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.".into())
}

fn mismatch() -> Refusal {
    (400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.".into())
}
