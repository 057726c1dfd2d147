//! Caller identity: Tencent STS and Alibaba STS `GetCallerIdentity` (apis.md §8), so a run's
//! account guard can be tested against the emulator. Signed and verified like the key-pair APIs;
//! the answer names the emulated account the credentials belong to (its numeric id, like a UIN).
//! Session tokens are accepted as sent: the emulator issues no temporary credentials.
//!
//! Registered first: it claims only requests that are unmistakably STS calls (TC3 scope service
//! `sts` or v1 `Version=2018-08-13`; Alibaba `Version=2015-04-01` with `Action=GetCallerIdentity`),
//! so it never takes another product's call.

mod aliyun;
mod tencent;

use std::sync::Arc;

use axum::response::Response;

use super::Emulator;
use super::registry::{Handling, Provider};
use super::wire::{Outcome, RawRequest, Served};

/// Both clouds' caller-identity calls.
#[derive(Debug, Default)]
pub struct Sts;

impl Provider for Sts {
    fn name(&self) -> &'static str {
        "sts"
    }

    fn claims(&self, raw: &RawRequest) -> bool {
        tencent::claims(raw) || aliyun::claims(raw)
    }

    fn handle<'a>(&'a self, emulator: &'a Arc<Emulator>, raw: &'a RawRequest) -> Handling<'a, Served> {
        Box::pin(async move {
            let (route, response) = if tencent::claims(raw) {
                ("tencent-sts", tencent::handle(emulator, raw))
            } else {
                ("aliyun-sts", aliyun::handle(emulator, raw))
            };
            let outcome = Outcome::error(response.status().as_str(), None);
            Served { route: route.into(), outcome, response }
        })
    }
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
