//! Pacing and retry against an emulator enforcing the documented rate limits, as a live account
//! does, with one account for every case (no control API): a full run at four jobs has no
//! failure, so no RequestLimitExceeded reached a case; and the run leaves no key pair behind.

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
