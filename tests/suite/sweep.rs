//! `sweep` against an emulator without its control API (the shape of a live account): it finds
//! leftovers by prefix and age, pages through all of them, keeps going past a failed delete and
//! reports it, and never touches a key pair without the prefix. And a run killed with SIGKILL
//! midway, followed by `sweep`, leaves nothing with the prefix.

use crate::transport_support::*;
use keypair_contract::apis::{aliyun_rpc::ECS, tencent_api3::CVM};
use keypair_contract::emulator::accounts::{AccountSettings, Fault};
use serde_json::json;

fn no_rate_limits() -> AccountSettings {
    AccountSettings { rate_limits: false, ..AccountSettings::default() }
}

/// Creates the CVM key pairs four at a time: all 58 at once queue behind one account's share of the
/// key pool, and on a loaded machine the last waited past the emulator's 30 s request deadline
/// (answered 408 with no body, a fresh-clone CI run beside a mutation run).
async fn create_cvm(base: &str, names: Vec<String>) {
    for batch in names.chunks(4) {
        let mut tasks = tokio::task::JoinSet::new();
        for name in batch {
            let (base, name) = (base.to_string(), name.clone());
            tasks.spawn(async move {
                let body = call(&base, &CVM, "CreateKeyPair", json!({"KeyName": name, "ProjectId": 0})).await;
                assert!(body.pointer("/Response/Error").is_none(), "{body}");
            });
        }
        while let Some(joined) = tasks.join_next().await {
            joined.expect("a create task panicked");
        }
    }
}

fn sweep_args(base: &str, extra: &[&str]) -> Vec<String> {
    let mut list = args(&["sweep", "--target", base]);
    list.extend(args(extra));
    list
}

#[tokio::test(flavor = "multi_thread")]
async fn sweep_pages_through_everything_keeps_going_past_a_failed_delete_and_spares_other_names() {
    let emulator = start(false, no_rate_limits()).await;
    let base = emulator.base_url();
    let leftovers: Vec<String> = (0..55).map(|i| format!("kctxsweep{i:02}")).collect();
    let others = vec!["keepme01".to_string(), "kctyother1".to_string(), "xkctxsweep".to_string()];
    create_cvm(&base, leftovers.iter().chain(&others).cloned().collect()).await;
    for name in ["kctxecs01", "keepme-ecs"] {
        let body = call(&base, &ECS, "CreateKeyPair", json!({"KeyPairName": name})).await;
        assert!(body.get("Code").is_none(), "{body}");
    }

    let young = run_bin(sweep_args(&base, &["--older-than", "1h"]), credentials()).await;
    assert_eq!(young.status.code(), Some(0), "{:?}", text(&young));
    assert!(text(&young).0.contains("sweep: 0 deleted, 0 failed"), "{:?}", text(&young));

    let dry = run_bin(sweep_args(&base, &["--dry-run"]), credentials()).await;
    let (stdout, _) = text(&dry);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("would delete")).count(), 56, "{stdout}");
    assert_eq!(names(&base, &CVM).await.len(), 58, "a dry run deletes nothing");

    let account = emulator.emulator.accounts.get(SECRET_ID).unwrap();
    account.add_fault(Fault { api: "tencent-cvm".into(), action: "DeleteKeyPairs".into(), code: "InternalServerError".into() });
    let first = run_bin(sweep_args(&base, &[]), credentials()).await;
    let (stdout, stderr) = text(&first);
    assert_eq!(first.status.code(), Some(1), "a failed delete is reported: {stdout}\n{stderr}");
    assert!(stdout.contains("FAILED tencent-cvm") && stdout.contains("InternalServerError"), "{stdout}");
    assert!(stdout.contains("sweep: 46 deleted, 10 failed"), "it kept going: {stdout}");

    // A NotFound answer is success only if the listing agrees that the keys are gone: here they are not.
    account.add_fault(Fault { api: "tencent-cvm".into(), action: "DeleteKeyPairs".into(), code: "InvalidKeyPairId.NotFound".into() });
    let not_found = run_bin(sweep_args(&base, &[]), credentials()).await;
    let (stdout, stderr) = text(&not_found);
    assert_eq!(not_found.status.code(), Some(1), "a NotFound that left the keys is reported: {stdout}\n{stderr}");
    assert!(stdout.contains("InvalidKeyPairId.NotFound") && stdout.contains("sweep: 0 deleted, 10 failed"), "{stdout}");

    let second = run_bin(sweep_args(&base, &[]), credentials()).await;
    assert_eq!(second.status.code(), Some(0), "{:?}", text(&second));
    let mut expected = others.clone();
    expected.sort();
    assert_eq!(names(&base, &CVM).await, expected, "only the prefixed key pairs went");
    assert_eq!(names(&base, &ECS).await, vec!["keepme-ecs".to_string()]);
}

/// On a live account every request counts against the rate limit and every answer is the cloud's
/// word: the listing asks for no page past the last, and a delete that answers an error other than
/// NotFound is reported failed, even if the keys did go.
#[tokio::test(flavor = "multi_thread")]
async fn sweep_asks_for_no_page_past_the_last_and_reports_a_delete_that_answered_an_error() {
    let emulator = start(false, no_rate_limits()).await;
    create_cvm(&emulator.base_url(), (0..55).map(|i| format!("kctxpage{i:02}")).collect()).await;
    let proxy = Proxy::start(emulator.addr, "DeleteKeyPairs", Spoil::tencent_error("InternalError")).await;
    let output = run_bin(sweep_args(&proxy.url, &[]), tencent_credentials()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("InternalError") && stdout.contains("sweep: 45 deleted, 10 failed"), "{stdout}");
    assert!(names(&emulator.base_url(), &CVM).await.is_empty(), "the delete that answered an error had acted");
    // CVM's 55 keys fill two pages of 50; Lighthouse's account is empty: one page.
    assert_eq!(proxy.count("DescribeKeyPairs"), 3, "{:?}", proxy.actions());
}

/// Age is measured from each key's creation time, to the second; a region whose listing is refused
/// is a failure of the sweep, reported, and the other APIs are still swept.
#[tokio::test(flavor = "multi_thread")]
async fn sweep_deletes_only_what_is_old_enough_and_reports_a_listing_it_was_refused() {
    let emulator = start(false, no_rate_limits()).await;
    let base = emulator.base_url();
    create_cvm(&base, vec!["kctxold01".into(), "kctxold02".into()]).await;
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    create_cvm(&base, vec!["kctxyoung".into()]).await;
    let account = emulator.emulator.accounts.get(SECRET_ID).unwrap();
    let refused = "AuthFailure.UnauthorizedOperation";
    account.add_fault(Fault { api: "tencent-lighthouse".into(), action: "DescribeKeyPairs".into(), code: refused.into() });
    let output = run_bin(sweep_args(&base, &["--older-than", "2s"]), tencent_credentials()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "a refused listing fails the sweep: {stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "FAILED tencent-lighthouse ap-guangzhou: cannot list: tencent-lighthouse DescribeKeyPairs in ap-guangzhou: {refused}"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("sweep: 2 deleted, 1 failed"), "{stdout}");
    assert_eq!(names(&base, &CVM).await, ["kctxyoung"], "the key younger than 2 s stays");
}

#[tokio::test(flavor = "multi_thread")]
async fn sweep_refuses_a_short_prefix() {
    let emulator = start(false, no_rate_limits()).await;
    let output = run_bin(sweep_args(&emulator.base_url(), &["--prefix", "kct"]), credentials()).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains("shorter than 4 characters"), "{:?}", text(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_midway_then_swept_leaves_nothing_with_the_prefix() {
    let emulator = start(false, AccountSettings::default()).await;
    let base = emulator.base_url();
    create_cvm(&base, vec!["keepme01".into()]).await;
    let mut env = credentials();
    env.retain(|(k, _)| k.starts_with("TENCENT"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_keypair-contract"))
        .args(["run", "--target", &base, "--filter", "tencent-cvm/", "--jobs", "4"])
        .current_dir(root())
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .envs(env.clone())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it while it holds key pairs of its own.
    let mut held = false;
    for _ in 0..400 {
        if names(&base, &CVM).await.iter().any(|n| n.starts_with("kctx")) {
            held = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert!(held, "the run made no key pair to leave behind");
    let swept = run_bin(sweep_args(&base, &[]), env).await;
    assert_eq!(swept.status.code(), Some(0), "{:?}", text(&swept));
    assert_eq!(names(&base, &CVM).await, vec!["keepme01".to_string()]);
}
