//! Small helpers for the unit tests: public keys, request builders, an in-process exchange with
//! the emulator's router, and the command line.

use std::sync::Arc;

use serde_json::Value;
use tower::ServiceExt;

use crate::apis::{ApiProfile, Call, Credentials, Outgoing, build_request};
use crate::emulator::Emulator;
use crate::emulator::accounts::Account;

/// OpenSSH public keys made with `ssh-keygen` (the RSA one is seed 000's example key), for tests.
pub mod public_keys {
    pub const RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDP0Yw2T4itUKOJQIK69c1Asy1UO88cxEbujR5Jbr0e/Ey1v4ZKAUzDnsBnFlf4hKPA1YvMB8RBYj4GcLtM7PrKnBNNram8rgl73X/klOO8oqKv+J/XUA7KHH1Y6wcn1RTRTMdDHbGhW1q/UpfeylNTbf+wEIWhEfaL5FKQm4hqCw== skey_112168";
    pub const ECDSA: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPDy39ZCHGtwLjuTRu08ab3VJjpMavdWvU3tnMHKnO124wvYfO7W8gWWee4nNN1hF5LLu5Ps08djfH98LqNWwlo= c ecdsa";
    pub const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKJf0U51hhGQWzsrVuZE7IB2/hU2Kl0srebnNBHyoyh7 c ed25519";
    pub const DSA: &str = "ssh-dss AAAAB3NzaC1kc3MAAACBAK9JZ/dXr6aifCi7WlAuF+P4KBsJuTSbY5FG0t/MDT0ulZrbU5tFpM6f2xe696QUhsiXdbBiAUEc4wVlFEoe+8OHAXHeygMfpgIdVxfeJkjGKU6qMIn25UPzpz+RebFwdf6m9fjZFAMfxh0xb3ml7djto/SbZHI6TVOTHDc/9y13AAAAFQCPPS+iqoK/fT83H6PGFJf+leie/QAAAIEAh1KgbfgnjgQDwC3AAnW+tnHCCIIOIzcbAbepghM+0mhtmNCp82qNJwexde9VvM0zwxr19rFwZYfKPcm+FbAJiIeILkjuk0L5eInToYeOn22z18NGkPcOXTng82e5XUOWuZTRRjLEuWYClZ+wfIE75RwPP6Hk0Uii9OaYq+Pt0n0AAACAKsE7nlTxpgafyS5jKcQxYxvZ9+6HA1J31xkkmzOEArKqR50XWacVYU+VsFR19o69QcUhVPckeZhFkNga6uh8uRtxADJBvIK7Kjs+Xiu+YNLwjpT/z0O2l8B8rayiDxO2oyidOqM1N0ptjXP/rZA90Q67OemAB+ucoCCNtQQfnb0= c dsa";
}

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

/// The subcommand `args` (without the program's name) parse into.
pub fn cli_command(args: &[&str]) -> crate::cli::Command {
    use clap::Parser;
    let argv = ["keypair-contract"].into_iter().chain(args.iter().copied());
    crate::cli::Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}")).command
}

/// The arguments of the subcommand `$variant` (`Serve`, `Sweep`, …) that `$args` (without the
/// program's name) parse into.
macro_rules! subcommand_args {
    ($variant:ident, $args:expr) => {
        match $crate::test_support::cli_command($args) {
            $crate::cli::Command::$variant(args) => args,
            other => panic!("not {}: {other:?}", stringify!($variant)),
        }
    };
}
pub(crate) use subcommand_args;

/// A command's exit code, or `None` if it has not returned within 10 s (one that does not stop at
/// its usage error could run a whole sweep or benchmark, or serve until Ctrl-C).
pub async fn bounded(command: impl Future<Output = u8>) -> Option<u8> {
    tokio::time::timeout(std::time::Duration::from_secs(10), command).await.ok()
}
