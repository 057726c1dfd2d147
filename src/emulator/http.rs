//! The emulator's front door: reads a request whole (bounded), then routes it by shape to the
//! control API or a provider. Nothing here panics on bad input: an unroutable request gets a 404
//! JSON body naming the supported products, everything else a provider's own error envelope.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::wire::{BodyProblem, Outcome, RawRequest, Served, json_response};
use super::{Emulator, control};

fn headers_in_order(map: &HeaderMap) -> Vec<(String, String)> {
    // HeaderMap groups repeated names; order within the map is insertion order per name. A value
    // that is visible ASCII (nearly all) is copied as it is; only another is decoded lossily.
    let mut headers = Vec::with_capacity(map.len());
    for (name, value) in map {
        let value = match value.to_str() {
            Ok(text) => text.to_string(),
            Err(_) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
        };
        headers.push((name.as_str().to_string(), value));
    }
    headers
}

/// The request's head as a [`RawRequest`] (its body still empty), and the body left to read. A
/// body whose Content-Length exceeds `limit` is marked too large and will not be read.
pub(super) fn head_of(request: Request, limit: usize) -> (RawRequest, Body) {
    let (parts, body) = request.into_parts();
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    let raw = RawRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: headers_in_order(&parts.headers),
        body: Vec::new(),
        body_problem: declared.is_some_and(|n| n > limit as u64).then_some(BodyProblem::TooLarge),
    };
    (raw, body)
}

/// Reads the body into `raw`, bounded by `limit`: reading stops as soon as it passes the limit,
/// so no more than `limit` bytes are ever buffered. A body that is not well-formed HTTP (a
/// malformed chunk size) is told apart from one that is too large.
pub(super) async fn read_body(raw: &mut RawRequest, body: Body, limit: usize) {
    if raw.body_problem.is_some() {
        return;
    }
    match to_bytes(body, limit).await {
        // Taken over without a copy when the body arrived in one piece.
        Ok(bytes) => raw.body = Vec::from(bytes),
        Err(error) => raw.body_problem = Some(body_problem(error)),
    }
}

/// Whether a body read failed on the length limit or on the body itself.
fn body_problem(error: axum::Error) -> BodyProblem {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = source {
        if current.is::<http_body_util::LengthLimitError>() {
            return BodyProblem::TooLarge;
        }
        source = current.source();
    }
    BodyProblem::Malformed
}

/// The single entry point of the router. The head is copied out before the returned future is
/// made, so the future (which axum boxes, one per request) holds the copy and not the request
/// itself: under 1 KiB, its allocation stays a small one, which glibc serves without first
/// sweeping every freed small block of the heap (it does that before each larger allocation).
pub fn dispatch(State(emulator): State<Arc<Emulator>>, request: Request) -> impl Future<Output = Response> + Send {
    let started = Instant::now();
    let (mut raw, body) = head_of(request, emulator.config.max_body_bytes);
    async move {
        read_body(&mut raw, body, emulator.config.max_body_bytes).await;
        let served = route(&emulator, &raw).await;
        emulator.log.request(&raw.method, &raw.path, &served.route, &served.outcome, started.elapsed().as_millis());
        served.response
    }
}

async fn route(emulator: &Arc<Emulator>, raw: &RawRequest) -> Served {
    if raw.path.starts_with(control::PREFIX) {
        if !emulator.config.control_api {
            return no_product(emulator, raw, "control (disabled)", "the control API is not enabled (serve --control)");
        }
        return control::handle(emulator, raw).await;
    }
    match emulator.providers.route(raw) {
        Some(provider) => provider.handle(emulator, raw).await,
        // A body that was not read may have held what tells the products apart.
        None if raw.body_problem == Some(BodyProblem::TooLarge) => {
            let body = serde_json::json!({"error": "the request body exceeds the size limit", "method": raw.method, "path": raw.path});
            Served {
                route: "unrouted".into(),
                outcome: Outcome::error("413", None),
                response: json_response(StatusCode::PAYLOAD_TOO_LARGE, &body),
            }
        }
        None => no_product(emulator, raw, "unrouted", "no product matches this request"),
    }
}

/// 404 with a JSON body that names what the emulator serves and how requests are told apart.
pub fn no_product(emulator: &Emulator, raw: &RawRequest, route: &str, reason: &str) -> Served {
    let supported: Vec<serde_json::Value> = emulator.providers.iter().filter_map(|p| p.describe()).collect();
    let body = serde_json::json!({"error": reason, "method": raw.method, "path": raw.path, "supported": supported});
    let response = json_response(StatusCode::NOT_FOUND, &body);
    Served { route: route.into(), outcome: Outcome::error("404", None), response }
}
