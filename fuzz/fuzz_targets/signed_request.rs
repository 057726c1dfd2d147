//! Fuzzed parameters in a request the harness signs, through the emulator's router. The signature
//! holds, so the input reaches what the other targets cannot: each product's parameter rules,
//! state rules and answers. Each input gets a fresh emulator at a fixed time holding one imported
//! key (`fuzzseed`), so an input replays the same way.
//!
//! Input: one byte choosing the API (bits 0–1), the action (bits 2–3) and the signing scheme (bits
//! 4–5), then a JSON object of the action's parameters (nested; flattened for the query-string
//! schemes as the SDKs do). CreateKeyPair is left out: each would generate an RSA key, so a run
//! would mostly measure key generation, and its parameter rules are ImportKeyPair's.
//!
//! Properties: no panic; no 5xx (only `serve --hostile` answers one); the answer parses in the
//! product's envelope; and its error, if any, is never an authentication error, since the harness
//! signed the request.
#![no_main]

use std::sync::{Arc, LazyLock};

use axum::body::{Body, to_bytes};
use keypair_contract::apis::{ApiProfile, Call, Credentials, aliyun_rpc::ECS, build_request, tencent_api3};
use keypair_contract::clock::ManualClock;
use keypair_contract::emulator::{self, Emulator, EmulatorConfig, accounts};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use tower::ServiceExt;

static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap());

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

const PROFILES: [&ApiProfile; 3] = [&tencent_api3::CVM, &tencent_api3::LIGHTHOUSE, &ECS];

/// Parameters the signer writes itself (common parameters of signature v1 and Alibaba RPC); a
/// fuzzed one would only make the signature disagree with itself.
const SIGNERS_OWN: &[&str] = &[
    "Action",
    "Version",
    "Region",
    "RegionId",
    "Timestamp",
    "Nonce",
    "SecretId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "AccessKeyId",
    "Format",
    "Token",
    "SecurityToken",
    "Language",
    "RequestClient",
];

/// A throwaway RSA public key (cases/fixtures/rsa_a.pub) for the setup import.
const SEED_KEY: &str = include_str!("../../cases/fixtures/rsa_a.pub");

fn import_params(profile: usize) -> Value {
    match profile {
        2 => json!({"KeyPairName": "fuzzseed", "PublicKeyBody": SEED_KEY.trim()}),
        1 => json!({"KeyName": "fuzzseed", "PublicKey": SEED_KEY.trim()}),
        _ => json!({"KeyName": "fuzzseed", "ProjectId": 0, "PublicKey": SEED_KEY.trim()}),
    }
}

/// Signs and sends one call with its own `nonce` (Alibaba refuses one seen before); returns the
/// status and the body.
async fn send(emulator: &Arc<Emulator>, profile: &ApiProfile, call: &Call<'_>, nonce: u64) -> Option<(u16, Vec<u8>)> {
    let credentials = Credentials { id: accounts::DEFAULT_SECRET_ID.into(), secret: accounts::DEFAULT_SECRET_KEY.into() };
    let base: reqwest::Url = "http://127.0.0.1/".parse().unwrap();
    // A parameter the signer cannot write (e.g. a name that is not valid in a header) is the
    // harness refusing, not the emulator: skipped.
    let outgoing = build_request(profile, &base, call, &credentials, NOW, nonce).ok()?;
    let response = emulator::router(emulator.clone()).oneshot(outgoing.to_http::<Body>()).await.expect("the router is infallible");
    let status = response.status().as_u16();
    Some((status, to_bytes(response.into_body(), usize::MAX).await.expect("bodies are in memory").to_vec()))
}

/// The error code of an answer in the product's envelope (`None` for a success), or why the answer
/// is not in it.
fn error_code(profile: usize, status: u16, body: &[u8]) -> Result<Option<String>, String> {
    let text = String::from_utf8_lossy(body);
    if profile == 2 && text.trim_start().starts_with('<') {
        let code = text.split_once("<Code>").and_then(|(_, rest)| rest.split_once("</Code>")).map(|(code, _)| code.to_string());
        return if status >= 400 { code.map(Some).ok_or_else(|| format!("an XML error without Code: {text}")) } else { Ok(None) };
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON ({e}): {text}"))?;
    let code = |v: &Value| v.as_str().map(str::to_string).ok_or_else(|| format!("a code that is not a string: {text}"));
    match profile {
        2 => match value.get("Code") {
            Some(c) if status >= 400 => code(c).map(Some),
            None if status < 400 => Ok(None),
            _ => Err(format!("status {status} with this body: {text}")),
        },
        _ => {
            let response = value.get("Response").ok_or_else(|| format!("no Response: {text}"))?;
            response.get("RequestId").and_then(Value::as_str).ok_or_else(|| format!("no RequestId: {text}"))?;
            response.get("Error").map(|e| e.get("Code").map_or_else(|| Err(format!("an Error without Code: {text}")), code)).transpose()
        }
    }
}

/// Codes that say the request was not signed as the emulator expected.
fn is_authentication_error(code: &str) -> bool {
    code.starts_with("AuthFailure")
        || ["SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId", "InvalidTimeStamp", "SignatureNonceUsed"]
            .iter()
            .any(|c| code.starts_with(c))
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let Ok(Value::Object(mut params)) = serde_json::from_slice::<Value>(rest) else { return };
    params.retain(|name, _| !SIGNERS_OWN.iter().any(|own| own.eq_ignore_ascii_case(name)));
    let index = usize::from(choice & 3) % PROFILES.len();
    let profile = PROFILES[index];
    let actions: Vec<&str> = profile.actions.iter().copied().filter(|a| *a != "CreateKeyPair").collect();
    let action = actions[usize::from(choice >> 2 & 3) % actions.len()];
    let signing = profile.signings[usize::from(choice >> 4 & 3) % profile.signings.len()];
    let params = Value::Object(params);

    let config = EmulatorConfig { clock: ManualClock::at_secs(NOW), ..EmulatorConfig::default() };
    let emulator = Emulator::new(config).with_default_account();
    RUNTIME.block_on(async {
        let seed = import_params(index);
        let setup = Call { region: Some(profile.default_region), ..Call::defaults(profile, "ImportKeyPair", &seed) };
        let (status, body) = send(&emulator, profile, &setup, 1).await.expect("the setup import signs");
        assert_eq!(error_code(index, status, &body), Ok(None), "the setup import failed");

        let call = Call { region: Some(profile.default_region), signing, ..Call::defaults(profile, action, &params) };
        let Some((status, body)) = send(&emulator, profile, &call, 2).await else { return };
        assert!(status < 500, "{action} answered {status}: {}", String::from_utf8_lossy(&body));
        match error_code(index, status, &body) {
            Err(problem) => panic!("{action}: not in the envelope: {problem}"),
            Ok(Some(code)) => assert!(
                !is_authentication_error(&code),
                "{action} signed by the harness answered {code}: {}",
                String::from_utf8_lossy(&body)
            ),
            Ok(None) => {}
        }
    });
});
