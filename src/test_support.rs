//! Small helpers for the unit tests.

/// `(name, value)` pairs as the owned pairs request parsers produce.
pub fn owned_pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A request as the front door hands it over: headers in the order given, the body read whole.
pub fn raw_request(method: &str, path: &str, query: &str, headers: &[(&str, &str)], body: &[u8]) -> crate::emulator::wire::RawRequest {
    crate::emulator::wire::RawRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: owned_pairs(headers),
        body: body.to_vec(),
        body_problem: None,
    }
}

/// Fails unless `text` holds every one of `parts`, naming the first one missing.
pub fn assert_contains_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "`{part}` not in:\n{text}");
    }
}

use std::sync::Arc;

use serde_json::Value;
use tower::ServiceExt;

use crate::apis::{ApiProfile, Call, Credentials, Outgoing, build_request};
use crate::emulator::Emulator;
use crate::emulator::accounts::Account;

/// The harness's credentials for `account`.
pub fn credentials(account: &Account) -> Credentials {
    Credentials { id: account.secret_id.clone(), secret: account.secret_key().to_string() }
}

/// `out` answered by `emulator`'s router, without a port: the HTTP status and the JSON body.
pub async fn exchange(emulator: &Arc<Emulator>, out: &Outgoing) -> (u16, Value) {
    let response = crate::emulator::router(emulator.clone()).oneshot(out.to_http::<axum::body::Body>()).await.unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body))))
}

/// `call` to `api`, built and signed by the harness at `now` with `nonce`, answered by [`exchange`].
pub async fn signed_exchange(
    emulator: &Arc<Emulator>,
    credentials: &Credentials,
    api: &ApiProfile,
    call: &Call<'_>,
    now: i64,
    nonce: u64,
) -> (u16, Value) {
    let out = build_request(api, &"http://127.0.0.1:18080".parse().unwrap(), call, credentials, now, nonce).unwrap();
    exchange(emulator, &out).await
}

/// `action` with `params` through a Tencent API 3.0 profile's defaults, signed at `now` for
/// `account`: the error code (`ok` for none) and the whole answer.
pub async fn tencent_answer(
    emulator: &Arc<Emulator>,
    account: &Account,
    api: &ApiProfile,
    action: &str,
    params: Value,
    now: i64,
) -> (String, Value) {
    let (_, body) = signed_exchange(emulator, &credentials(account), api, &Call::defaults(api, action, &params), now, 1).await;
    (body.pointer("/Response/Error/Code").and_then(Value::as_str).unwrap_or("ok").to_string(), body)
}
