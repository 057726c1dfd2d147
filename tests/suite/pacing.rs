//! Pacing and retry against an emulator enforcing the documented rate limits, as a live account
//! does, with one account for every case (no control API): a full run at four jobs has no
//! failure, so no RequestLimitExceeded reached a case; and the run leaves no key pair behind.
//! On the embedded emulator, where each case runs as an account of its own, each case has a
//! budget of its own.

use std::time::{Duration, Instant};

use crate::transport_support::*;
use keypair_contract::apis::{aliyun_rpc::ECS, tencent_api3::CVM, tencent_api3::LIGHTHOUSE};
use keypair_contract::emulator::accounts::AccountSettings;

#[tokio::test(flavor = "multi_thread")]
async fn a_full_run_on_one_rate_limited_account_is_paced_and_leaves_nothing() {
    let emulator = start(false, AccountSettings::default()).await;
    let base = emulator.base_url();
    let output = run_bin(args(&["run", "--target", &base, "--jobs", "4"]), credentials()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stdout.contains("RequestLimitExceeded") && !stdout.contains("Throttling"), "{stdout}");
    assert!(stdout.contains("ok       tencent-cvm/key-pairs/rate-limit"), "the burst case still meets the limit: {stdout}");
    let bypass = stdout.lines().find(|l| l.starts_with("not paced and not retried, since they probe a rate limit on purpose"));
    assert!(bypass.is_some_and(|l| l.contains("tencent-cvm/key-pairs/rate-limit")), "the run names the cases that bypass pacing: {stdout}");
    for api in [&CVM, &LIGHTHOUSE, &ECS] {
        assert_eq!(names(&base, api).await, Vec::<String>::new(), "{} holds leftovers", api.name);
    }
}

/// Two cases that send one ECS CreateKeyPair each, on the embedded emulator: at `--ecs-rate 0.05`
/// one budget shared between them would hold the second request for 22 s; each case's own
/// account has its own budget, so neither waits.
#[tokio::test(flavor = "multi_thread")]
async fn cases_on_their_own_emulator_accounts_do_not_share_a_pacing_budget() {
    let started = Instant::now();
    let filter = "aliyun-ecs/create-key-pair/tag-value-1";
    let output = run_bin(args(&["run", "--filter", filter, "--ecs-rate", "0.05", "--jobs", "2"]), Vec::new()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("2 passed, 0 failed"), "the filter picks the two cases: {stdout}");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "one case waited for the other's budget: {took:?}\n{stdout}");
}
