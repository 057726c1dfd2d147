//! Caller identity: Tencent STS and Alibaba STS `GetCallerIdentity` (apis.md §8), so a run's
//! account guard can be tested against the emulator. Signed and verified like the key-pair APIs;
//! the answer names the emulated account the credentials belong to (its numeric id, like a UIN).
//! Session tokens are accepted as sent: the emulator issues no temporary credentials.
//!
//! One entry point, [`route`]: the router asks it first, and it answers only requests that are
//! unmistakably STS calls (TC3 scope service `sts` or v1 `Version=2018-08-13`; Alibaba
//! `Version=2015-04-01` with `Action=GetCallerIdentity`), so it never takes another product's call.

mod aliyun;
mod tencent;

use std::sync::Arc;

use axum::response::Response;

use super::Emulator;
use super::http::RawRequest;

/// Answers `raw` when it is an STS call: the route label for the log and the response.
pub async fn route(emulator: &Arc<Emulator>, raw: &RawRequest) -> Option<(String, Response)> {
    if tencent::claims(raw) {
        return Some(("tencent-sts".into(), tencent::handle(emulator, raw)));
    }
    if aliyun::claims(raw) {
        return Some(("aliyun-sts".into(), aliyun::handle(emulator, raw)));
    }
    None
}

/// A fresh upper- or lower-case version-4 UUID for request ids.
fn request_id() -> String {
    let bits: u128 = rand::random();
    let bits = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A JSON response with `Content-Type: application/json` exactly (the Tencent SDK needs it).
fn json(status: u16, body: &serde_json::Value) -> Response {
    use axum::response::IntoResponse;
    let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], serde_json::to_string(body).unwrap_or_default()).into_response()
}
