//! Live-target behaviour, proven against an emulator without its control API (the shape of a
//! live account): credentials only from the environment, the account guard, `--dry-run`, and
//! session tokens that never show.

use crate::transport_support::*;
use keypair_contract::apis::{aliyun_rpc::ECS, tencent_api3::CVM};
use keypair_contract::emulator::EmulatorHandle;
use keypair_contract::emulator::accounts::AccountSettings;

/// An emulator without its control API standing in for a live account, and a targets file that
/// names it `fake-live` with the accounts the guard allows.
struct FakeLive {
    emulator: EmulatorHandle,
    dir: std::path::PathBuf,
    targets: std::path::PathBuf,
}

impl FakeLive {
    async fn start(tag: &str, settings: AccountSettings, allowed_accounts: &[&str]) -> Self {
        let emulator = start(false, settings).await;
        let dir = temp_dir(tag);
        let targets = targets_file(&dir, &emulator.base_url(), allowed_accounts);
        FakeLive { emulator, dir, targets }
    }

    /// `run --target fake-live` with `extra`, only `env` in the environment, expecting exit `code`:
    /// its stdout and stderr.
    async fn run(&self, extra: &[&str], env: Vec<(&'static str, String)>, code: i32) -> (String, String) {
        let mut list = args(&["run", "--targets", self.targets.to_str().unwrap(), "--target", "fake-live", "--jobs", "1"]);
        list.extend(args(extra));
        let output = run_bin(list, env).await;
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(code), "{stdout}\n{stderr}");
        (stdout, stderr)
    }

    /// Whether the account holds no key pair, through both clouds' APIs.
    async fn holds_no_key_pair(&self) -> bool {
        names(&self.emulator.base_url(), &CVM).await.is_empty() && names(&self.emulator.base_url(), &ECS).await.is_empty()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_target_without_credentials_stops_before_any_request_with_one_message() {
    let live = FakeLive::start("no-credentials", AccountSettings::default(), &[ACCOUNT_ID]).await;
    let (stdout, stderr) = live.run(&["--filter", "create-key-pair/example"], vec![], 2).await;
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{stderr}");
    for variable in ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"]
    {
        assert!(stderr.contains(variable), "{variable} not named: {stderr}");
    }
    assert!(!stdout.contains("FAILED"), "no case ran: {stdout}");
    assert!(!stdout.contains("emulator at"), "never falls back to the embedded emulator: {stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_account_guard_lets_a_listed_account_run() {
    let live = FakeLive::start("guard-allows", AccountSettings::default(), &[ACCOUNT_ID]).await;
    let (stdout, _) = live.run(&["--filter", "create-key-pair/example"], credentials(), 0).await;
    assert!(stdout.contains(&format!("tencent-sts: account {ACCOUNT_ID} is listed")), "{stdout}");
    assert!(stdout.contains(&format!("aliyun-sts: account {ACCOUNT_ID} is listed")), "{stdout}");
    assert!(stdout.contains("ok       aliyun-ecs/create-key-pair/example"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_account_guard_refuses_an_unlisted_account_before_any_write() {
    // Deletes are denied: had a create run, its key pair would still be there afterwards.
    let settings = AccountSettings {
        deny: ["tencent-cvm:DeleteKeyPairs".to_string(), "aliyun-ecs:DeleteKeyPairs".to_string()].into(),
        ..AccountSettings::default()
    };
    let live = FakeLive::start("guard-refuses", settings, &["999999999999"]).await;
    for filter in ["tencent-cvm/create-key-pair/example", "aliyun-ecs/create-key-pair/example"] {
        let (stdout, stderr) = live.run(&["--filter", filter], credentials(), 2).await;
        assert!(stderr.contains(&format!("belong to account {ACCOUNT_ID}")) && stderr.contains("999999999999"), "{stderr}");
        assert!(!stdout.contains("ok ") && !stdout.contains("FAILED"), "no case ran: {stdout}");
    }
    assert!(live.holds_no_key_pair().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_sends_nothing_and_shows_no_secret_or_token() {
    let live = FakeLive::start("dry-run", AccountSettings::default(), &[ACCOUNT_ID]).await;
    let (stdout, stderr) = live.run(&["--filter", "key-pair/example", "--dry-run"], credentials_with_planted_tokens(), 0).await;
    assert!(stdout.contains(&format!("CreateKeyPair POST {}/", live.emulator.base_url())), "{stdout}");
    assert!(
        stdout.contains("X-TC-Token: [redacted]") && stdout.contains("SecurityToken=[redacted]"),
        "tokens are sent, redacted: {stdout}"
    );
    for secret in [SECRET_ID, SECRET_KEY, "planted-session-token"] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} shown:\n{stdout}\n{stderr}");
    }
    assert!(live.holds_no_key_pair().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_with_session_tokens_passes_and_no_secret_reaches_output_recording_report_or_snapshot() {
    let live = FakeLive::start("tokens", AccountSettings::default(), &[ACCOUNT_ID]).await;
    let record = live.dir.join("recording");
    let reports = live.dir.join("reports");
    let report = |format: &str, file: &str| format!("{format}={}", reports.join(file).display());
    let (json, junit, markdown) = (report("json", "run.json"), report("junit", "run.xml"), report("markdown", "run.md"));
    let flags = ["--filter", "example", "--verbose", "--record", record.to_str().unwrap()];
    let reporting = ["--report", json.as_str(), "--report", junit.as_str(), "--report", markdown.as_str()];
    let (stdout, stderr) = live.run(&[&flags[..], &reporting[..]].concat(), credentials_with_planted_tokens(), 0).await;
    // Everything the run wrote: its recording, its reports, and any snapshot (accepted or pending).
    let mut recorded = String::new();
    for folder in [record.clone(), reports.clone(), root().join("snapshots")] {
        for entry in walkdir::WalkDir::new(&folder).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
            recorded.push_str(&std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    assert!(recorded.contains("\"status\""), "the JSON report was written");
    assert!(recorded.contains("[private-key:"), "private keys are marked, not kept");
    for secret in [SECRET_ID, SECRET_KEY, "planted-session-token", "PRIVATE KEY-----"] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret) && !recorded.contains(secret), "{secret} leaked");
    }
    assert!(live.holds_no_key_pair().await, "teardown left nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_target_names_list_the_known_ones() {
    let output = run_bin(args(&["run", "--target", "nowhere"]), vec![]).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("no target `nowhere`") && stderr.contains("tencent-intl"), "{stderr}");
}

/// The test credentials and a session token for each cloud, planted so that a test can look for
/// them (`planted-session-token`) where no secret may appear.
fn credentials_with_planted_tokens() -> Vec<(&'static str, String)> {
    let mut env = credentials();
    env.push(("TENCENTCLOUD_SESSION_TOKEN", "planted-session-token-tc".into()));
    env.push(("ALIBABA_CLOUD_SECURITY_TOKEN", "planted-session-token-ali".into()));
    env
}

/// Every region a live case creates a key pair in is one `sweep` searches on every live target of
/// targets.yaml that serves the case's API, so what a run killed midway leaves behind can be found.
/// (A case's own teardown deletes in the region it created in; sweep has only the target's list.)
#[test]
fn sweep_searches_every_region_a_live_case_creates_in() {
    use keypair_contract::case::{CaseFormat, Outcome, load_all};
    use keypair_contract::run::Target;
    use keypair_contract::run::targets::{SpecKind, TargetsFile};
    let root = root();
    let (cases, errors) = load_all(&root, &CaseFormat::load(&root).unwrap()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let file = TargetsFile::load(&root.join("targets.yaml")).unwrap();
    let live: Vec<Target> = file
        .targets
        .iter()
        .filter(|(_, spec)| spec.kind == SpecKind::Live)
        .map(|(name, spec)| Target::named(name, spec, None, Default::default()).unwrap())
        .collect();
    assert!(live.len() >= 4, "the live targets of targets.yaml: {}", live.len());
    let mut unsearched = std::collections::BTreeSet::new();
    for case in cases.iter().filter(|c| c.live_skip.is_none()) {
        let creates = case
            .setup
            .iter()
            .chain(&case.steps)
            .filter(|s| s.expect.outcome == Outcome::Success && case.api.creates.iter().any(|(action, _)| *action == s.action));
        for step in creates {
            // The legacy endpoint's keys are CVM keys, found and deleted through CVM in its default region.
            let cleanup = case.api.cleanup_profile();
            let region = match std::ptr::eq(cleanup, case.api) {
                true => step.region.clone().unwrap_or_else(|| case.api.default_region.to_string()),
                false => cleanup.default_region.to_string(),
            };
            for target in live.iter().filter(|t| t.serves(case.api) && !t.regions(cleanup).contains(&region)) {
                unsearched.insert(format!("{}: {} {region} ({})", target.label, cleanup.name, case.id));
            }
        }
    }
    assert!(unsearched.is_empty(), "regions sweep would not search:\n{}", unsearched.into_iter().collect::<Vec<_>>().join("\n"));
}
