//! The control API, for tests only (off in `serve` unless `--control`): accounts with their own
//! credentials, quotas, projects and permissions; injected faults; state listing and reset. It is
//! how cases provoke the documented codes no request alone can (InternalServerError, quotas).
//!
//! | request | effect |
//! |---|---|
//! | `POST /_emulator/accounts` body: [`AccountSettings`] (all fields optional) | creates an account; answers `{account_id, secret_id, secret_key}` |
//! | `PUT /_emulator/accounts/{secret_id}/settings` body: [`AccountSettings`] | replaces its settings |
//! | `POST /_emulator/accounts/{secret_id}/faults` body: [`Fault`] | the next matching call answers that code |
//! | `GET /_emulator/accounts/{secret_id}` | settings, pending faults and every product's state |
//! | `POST /_emulator/accounts/{secret_id}/reset` | forgets its resources and faults |
//! | `DELETE /_emulator/accounts/{secret_id}` | removes the account and its resources |

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;

use super::Emulator;
use super::accounts::{AccountSettings, Fault};
use super::wire::{BodyProblem, Outcome, RawRequest, Served, json_response};

pub const PREFIX: &str = "/_emulator/";

pub async fn handle(emulator: &Arc<Emulator>, raw: &RawRequest) -> Served {
    let (outcome, response) = match route(emulator, raw) {
        Ok(body) => (Outcome::ok(), json_response(StatusCode::OK, &body)),
        Err((status, message)) => (Outcome::error(status.as_str(), None), json_response(status, &json!({"error": message}))),
    };
    Served { route: "control".into(), outcome, response }
}

type ControlResult = Result<serde_json::Value, (StatusCode, String)>;

fn route(emulator: &Arc<Emulator>, raw: &RawRequest) -> ControlResult {
    let rest = raw.path.trim_start_matches(PREFIX);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match (raw.method.as_str(), segments.as_slice()) {
        ("POST", ["accounts"]) => {
            let settings: AccountSettings = parse_body(raw)?;
            let account = emulator.accounts.create(settings);
            emulator.log.note(&format!("control: created account {} ({})", account.id, account.secret_id));
            Ok(json!({"account_id": account.id, "secret_id": account.secret_id, "secret_key": account.secret_key()}))
        }
        ("PUT", ["accounts", id, "settings"]) => {
            let account = find(emulator, id)?;
            account.update_settings(parse_body(raw)?);
            Ok(json!({"ok": true}))
        }
        ("POST", ["accounts", id, "faults"]) => {
            let account = find(emulator, id)?;
            let fault: Fault = parse_body(raw)?;
            account.add_fault(fault);
            Ok(json!({"ok": true}))
        }
        ("GET", ["accounts", id]) => {
            let account = find(emulator, id)?;
            let state: serde_json::Map<String, serde_json::Value> =
                emulator.providers.iter().filter_map(|p| p.list(&account.id).map(|s| (p.name().to_string(), s))).collect();
            Ok(json!({"account_id": account.id, "settings": account.settings(), "faults": account.faults(), "state": state}))
        }
        ("POST", ["accounts", id, "reset"]) => {
            let account = find(emulator, id)?;
            emulator.providers.iter().for_each(|p| p.reset(&account.id));
            account.clear_faults();
            Ok(json!({"ok": true}))
        }
        ("DELETE", ["accounts", id]) => {
            let account = find(emulator, id)?;
            emulator.providers.iter().for_each(|p| p.reset(&account.id));
            emulator.accounts.remove(id);
            Ok(json!({"ok": true}))
        }
        _ => Err((StatusCode::NOT_FOUND, format!("no control endpoint {} {}; see the emulator::control docs", raw.method, raw.path))),
    }
}

fn find(emulator: &Arc<Emulator>, secret_id: &str) -> Result<Arc<super::accounts::Account>, (StatusCode, String)> {
    emulator.accounts.get(secret_id).ok_or_else(|| (StatusCode::NOT_FOUND, format!("no account with secret id {secret_id}")))
}

fn parse_body<T: serde::de::DeserializeOwned + Default>(raw: &RawRequest) -> Result<T, (StatusCode, String)> {
    match raw.body_problem {
        Some(BodyProblem::TooLarge) => {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "the control request body exceeds the size limit".into()));
        }
        Some(BodyProblem::Malformed) => return Err((StatusCode::BAD_REQUEST, "the control request body could not be read".into())),
        None => {}
    }
    if raw.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(&raw.body).map_err(|e| (StatusCode::BAD_REQUEST, format!("bad control request body: {e}")))
}
