//! The emulator's error messages against the error tables of the seeds (`docs/seeds/`), the
//! documents themselves, not a copy of our table: every code a seed lists is answered, through HTTP,
//! with the seed's message (and, for ECS, its HTTP status). A code is provoked by injecting it as a
//! fault (an account's next matching call answers it), and where a request alone provokes it, by
//! that request too.

use std::path::Path;

use crate::common::{SECRET_ID, Spec, call, emulator, send};
use keypair_contract::apis::{self, ApiProfile, Signing};
use keypair_contract::emulator::accounts::Fault;
use serde_json::json;

fn seed(prefix: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/seeds");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no seed {prefix}_*.txt in {}", dir.display()));
    std::fs::read_to_string(entry.path()).unwrap()
}

/// The rows under a Tencent seed's `Error Code Description` heading: `Code Message…` per line, up
/// to the first blank line.
fn tencent_table(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let start = lines.iter().rposition(|l| *l == "Error Code Description").expect("an `Error Code Description` table") + 1;
    lines[start..]
        .iter()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let (code, message) = l.split_once(' ').unwrap_or_else(|| panic!("not `Code Message`: {l:?}"));
            (code.to_string(), message.trim().to_string())
        })
        .collect()
}

/// The codes of seed 002's Markdown table (`|Code|描述|`).
fn legacy_codes(text: &str) -> Vec<String> {
    let start = text.find("| 错误码 | 描述 |").expect("seed 002's error table");
    text[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split('|').next().unwrap().trim().to_string())
        .collect()
}

/// Seed 004's `| status | code | message | description |` rows.
fn ecs_table(text: &str) -> Vec<(u16, String, String)> {
    text.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split('|').map(str::trim).collect();
            let status: u16 = cells.first()?.parse().ok()?;
            Some((status, cells.get(1)?.to_string(), cells.get(2)?.to_string()))
        })
        .collect()
}

fn inject(emulator: &std::sync::Arc<keypair_contract::emulator::Emulator>, api: &str, action: &str, code: &str) {
    let fault = Fault { api: api.into(), action: action.into(), code: code.into() };
    emulator.accounts.get(SECRET_ID).unwrap().add_fault(fault);
}

/// Each row of a Tencent seed's table, injected as a fault on `action`, is answered verbatim.
async fn check_tencent_table(seed_prefix: &str, expected_rows: usize, profile: &ApiProfile, action: &str, params: serde_json::Value) {
    let table = tencent_table(&seed(seed_prefix));
    assert_eq!(table.len(), expected_rows, "seed {seed_prefix}'s error table: {table:?}");
    let (emulator, clock) = emulator();
    for (nonce, (code, message)) in table.iter().enumerate() {
        clock.advance_millis(1_000); // CVM allows 10 calls a second per action
        inject(&emulator, profile.name, action, code);
        let answer = call(&emulator, profile, action, params.clone(), nonce as u64).await;
        assert_eq!((answer.code(), answer.message()), (code.as_str(), message.as_str()), "seed {seed_prefix}: {}", answer.text);
    }
}

#[tokio::test]
async fn cvm_create_key_pair_errors_are_seed_000s() {
    check_tencent_table("000", 11, &apis::tencent_api3::CVM, "CreateKeyPair", json!({"KeyName": "k", "ProjectId": 0})).await;
}

#[tokio::test]
async fn cvm_import_key_pair_errors_are_seed_003s() {
    let public = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDP0Yw2T4itUKOJQIK69c1Asy1UO88cxEbujR5Jbr0e/Ey1v4ZKAUzDnsBnFlf4hKPA1YvMB8RBYj4GcLtM7PrKnBNNram8rgl73X/klOO8oqKv+J/XUA7KHH1Y6wcn1RTRTMdDHbGhW1q/UpfeylNTbf+wEIWhEfaL5FKQm4hqCw==";
    check_tencent_table("003", 12, &apis::tencent_api3::CVM, "ImportKeyPair", json!({"KeyName": "k", "ProjectId": 0, "PublicKey": public}))
        .await;
}

#[tokio::test]
async fn lighthouse_create_key_pair_errors_are_seed_001s() {
    check_tencent_table("001", 7, &apis::tencent_api3::LIGHTHOUSE, "CreateKeyPair", json!({"KeyName": "k"})).await;
}

/// The legacy endpoint answers in the API 3.0 envelope, with CVM's (English) messages for the codes
/// seed 002 lists: each is in seed 000's table and comes back with seed 000's message.
#[tokio::test]
async fn legacy_create_key_pair_codes_are_seed_002s_with_cvm_messages() {
    let codes = legacy_codes(&seed("002"));
    assert_eq!(codes.len(), 9, "seed 002's error table: {codes:?}");
    let english = tencent_table(&seed("000"));
    let (emulator, clock) = emulator();
    for (nonce, code) in codes.iter().enumerate() {
        clock.advance_millis(1_000);
        let message = &english.iter().find(|(c, _)| c == code).unwrap_or_else(|| panic!("{code} is not in seed 000's table")).1;
        inject(&emulator, "tencent-cvm-legacy", "CreateKeyPair", code);
        let params = json!({"KeyName": "k", "ProjectId": 0});
        let answer = call(&emulator, &apis::tencent_legacy::CVM_LEGACY, "CreateKeyPair", params, nonce as u64 + 1).await;
        assert_eq!((answer.code(), answer.message()), (code.as_str(), message.as_str()), "{}", answer.text);
    }
}

#[tokio::test]
async fn ecs_create_key_pair_errors_are_seed_004s() {
    let table = ecs_table(&seed("004"));
    assert_eq!(table.len(), 9, "seed 004's error table: {table:?}");
    let (emulator, clock) = emulator();
    for (nonce, (status, code, message)) in table.iter().enumerate() {
        clock.advance_millis(1_000);
        inject(&emulator, "aliyun-ecs", "CreateKeyPair", code);
        let answer = call(&emulator, &apis::aliyun_rpc::ECS, "CreateKeyPair", json!({"KeyPairName": "k"}), nonce as u64 + 1).await;
        assert_eq!((answer.status, answer.code(), answer.message()), (*status, code.as_str(), message.as_str()), "{}", answer.text);
    }
}

/// The same messages where a request alone provokes the code (the emulator may add which value failed).
#[tokio::test]
async fn rule_errors_start_with_the_seeds_messages() {
    let cvm_table = tencent_table(&seed("000"));
    let lighthouse_table = tencent_table(&seed("001"));
    let message = |table: &[(String, String)], code: &str| table.iter().find(|(c, _)| c == code).unwrap().1.clone();
    let (emulator, _clock) = emulator();
    let cases: Vec<(&ApiProfile, serde_json::Value, &str, String)> = vec![
        (
            &apis::tencent_api3::CVM,
            json!({"KeyName": "", "ProjectId": 0}),
            "InvalidKeyPairNameEmpty",
            message(&cvm_table, "InvalidKeyPairNameEmpty"),
        ),
        (
            &apis::tencent_api3::CVM,
            json!({"KeyName": "a".repeat(26), "ProjectId": 0}),
            "InvalidKeyPairNameTooLong",
            message(&cvm_table, "InvalidKeyPairNameTooLong"),
        ),
        (
            &apis::tencent_api3::CVM,
            json!({"KeyName": "bad-name", "ProjectId": 0}),
            "InvalidKeyPairNameIncludeIllegalChar",
            message(&cvm_table, "InvalidKeyPairNameIncludeIllegalChar"),
        ),
        (
            &apis::tencent_api3::CVM,
            json!({"KeyName": "k", "ProjectId": 4242}),
            "InvalidProjectId.NotFound",
            message(&cvm_table, "InvalidProjectId.NotFound"),
        ),
        (
            &apis::tencent_api3::LIGHTHOUSE,
            json!({"KeyName": "a".repeat(26)}),
            "InvalidParameterValue.InvalidKeyPairNameTooLong",
            message(&lighthouse_table, "InvalidParameterValue.InvalidKeyPairNameTooLong"),
        ),
        (
            &apis::tencent_api3::LIGHTHOUSE,
            json!({"KeyName": "bad-name"}),
            "InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar",
            message(&lighthouse_table, "InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar"),
        ),
    ];
    for (nonce, (profile, params, code, seed_message)) in cases.into_iter().enumerate() {
        let answer = call(&emulator, profile, "CreateKeyPair", params.clone(), nonce as u64 + 1).await;
        assert_eq!(answer.code(), code, "{} {params}: {}", profile.name, answer.text);
        assert!(
            answer.message().starts_with(&seed_message),
            "{} {params}: {:?} does not start with {seed_message:?}",
            profile.name,
            answer.message()
        );
    }
    let ecs_table = ecs_table(&seed("004"));
    let ecs_message = |code: &str| ecs_table.iter().find(|(_, c, _)| c == code).unwrap().2.clone();
    let ecs = &apis::aliyun_rpc::ECS;
    let bad_name = json!({"KeyPairName": "-starts-with-a-dash"});
    let answer = call(&emulator, ecs, "CreateKeyPair", bad_name, 100).await;
    assert_eq!((answer.status, answer.code()), (400, "InvalidKeyPairName.Malformed"), "{}", answer.text);
    assert!(answer.message().starts_with(&ecs_message("InvalidKeyPairName.Malformed")), "{}", answer.text);
    let params = json!({"KeyPairName": "k"});
    let mut spec = Spec::new(ecs, "CreateKeyPair", &params, 101);
    spec.region = Some("xx-nowhere-1");
    spec.signing = Signing::AcsRpc;
    let answer = send(&emulator, &spec).await;
    assert_eq!((answer.status, answer.code()), (404, "InvalidRegionId.NotFound"), "{}", answer.text);
    assert!(answer.message().starts_with(&ecs_message("InvalidRegionId.NotFound")), "{}", answer.text);
}
