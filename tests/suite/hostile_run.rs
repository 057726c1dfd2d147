//! A full run against the emulator as a hostile cloud (issue 8): `serve --hostile`'s mix of
//! injected throttling, 503s, answers cut mid-body after the action ran, and latency, on one
//! account without the control API (the shape of a live account). Pacing and retry must absorb
//! all of it: no failure, no RequestLimitExceeded reaching a case, and nothing left behind with
//! the run prefix. The emulator's stores are read directly afterwards, not through the hostile
//! front door, so the check itself cannot be throttled.

use std::net::SocketAddr;

use crate::transport_support::*;
use keypair_contract::emulator::accounts::AccountSettings;
use keypair_contract::emulator::hostile::HostileSettings;
use keypair_contract::emulator::{self, Emulator, EmulatorConfig, aliyun_ecs, tencent_cvm, tencent_lighthouse};
use keypair_contract::run::template::FAMILY_PREFIX;

#[tokio::test(flavor = "multi_thread")]
async fn a_full_run_against_a_hostile_emulator_has_no_failure_and_leaves_nothing() {
    let _whole_suite = crate::common::WHOLE_SUITE.lock().await;
    let mut config = EmulatorConfig::default();
    config.server.hostile = HostileSettings::mix();
    let emulator = Emulator::new(config);
    emulator.accounts.add(SECRET_ID, SECRET_KEY, AccountSettings::default());
    let handle = emulator::start(emulator, SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("the emulator starts");

    let output = run_bin(args(&["run", "--target", &handle.base_url(), "--jobs", "4"]), credentials()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let summary = stdout.lines().rev().find(|l| l.contains(" passed, ")).unwrap_or_default();
    assert!(summary.contains(" 0 failed"), "{summary}");
    assert!(!stdout.contains("RequestLimitExceeded") && !stdout.contains("Throttling"), "{stdout}");

    let emulator = &handle.emulator;
    let account = emulator.accounts.get(SECRET_ID).expect("the test account").id.clone();
    let mut left: Vec<String> = Vec::new();
    left.extend(emulator.provider::<tencent_cvm::Cvm>().unwrap().store.list(&account).into_iter().map(|k| k.key_name));
    left.extend(emulator.provider::<tencent_lighthouse::Lighthouse>().unwrap().store.list(&account).into_iter().map(|k| k.key_name));
    left.extend(emulator.provider::<aliyun_ecs::Ecs>().unwrap().store.list(&account).into_iter().map(|k| k.key_pair_name));
    let with_prefix: Vec<&String> = left.iter().filter(|name| name.starts_with(FAMILY_PREFIX)).collect();
    assert!(with_prefix.is_empty(), "the run left key pairs behind: {with_prefix:?}");
}
