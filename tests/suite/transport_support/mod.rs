//! Shared by the transport tests: an emulator without its control API (the shape of a live
//! account), signed calls to it, and the binary run against it with credentials only from the
//! environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;

use keypair_contract::apis::{ApiProfile, Call, Credentials, build_request};
use keypair_contract::emulator::accounts::AccountSettings;
use keypair_contract::emulator::{self, Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::Value;

mod proxy;
pub use proxy::{Proxy, Spoil, read_message};

pub const SECRET_ID: &str = "AKIDTRANSPORTTEST000000000000000";
pub const SECRET_KEY: &str = "transport-test-secret-key";

/// An emulator on a loopback port; `control` turns its control API on (for injected faults).
/// Its first account has the credentials above and the id `100000000001`.
pub async fn start(control: bool, settings: AccountSettings) -> EmulatorHandle {
    let emulator = Emulator::new(EmulatorConfig { control_api: control, ..EmulatorConfig::default() });
    emulator.accounts.add(SECRET_ID, SECRET_KEY, settings);
    emulator::start(emulator, SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("the emulator starts")
}

pub const ACCOUNT_ID: &str = "100000000001";

/// A signed call with the test account; the answer's body.
pub async fn call(base: &str, api: &ApiProfile, action: &str, params: Value) -> Value {
    let base: reqwest::Url = base.parse().unwrap();
    let call = Call { method: "POST", ..Call::defaults(api, action, &params) };
    let credentials = Credentials { id: SECRET_ID.into(), secret: SECRET_KEY.into() };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let out = build_request(api, &base, &call, &credentials, now, rand_nonce()).unwrap();
    let client = reqwest::Client::new();
    let mut request = client.request(out.method.parse().unwrap(), &out.url).body(out.body);
    for (k, v) in &out.headers {
        request = request.header(k, v);
    }
    request.send().await.unwrap().json().await.unwrap()
}

fn rand_nonce() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64 + 1
}

/// Names of every key pair of `api` the test account holds in the default region.
pub async fn names(base: &str, api: &ApiProfile) -> Vec<String> {
    let listing = api.listing.expect("an API that lists key pairs");
    let mut found = Vec::new();
    for page in 0..20u64 {
        let body = listing_page(base, api, page).await;
        let items = body.pointer(listing.items).and_then(Value::as_array).cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        found.extend(items.iter().filter_map(|k| k[listing.name].as_str().map(str::to_string)));
    }
    found.sort();
    found
}

/// One page of the listing. A throttled answer is asked again, with the harness's own backoff: a
/// test often lists right after a run or a sweep has spent the account's DescribeKeyPairs a second
/// (or polls faster than it), and an error read as an empty page made "nothing left" pass for "not
/// asked". Any other error fails.
async fn listing_page(base: &str, api: &ApiProfile, page: u64) -> Value {
    use keypair_contract::run::retry::{MAX_ATTEMPTS, is_throttling, wait_before};
    for try_number in 1..=MAX_ATTEMPTS {
        if let Some(wait) = wait_before(try_number) {
            tokio::time::sleep(wait).await;
        }
        let body = call(base, api, "DescribeKeyPairs", api.wire.page_params(page, 50)).await;
        match api.error_code(200, &body) {
            None => return body,
            Some(code) if is_throttling(code) => {}
            Some(code) => panic!("DescribeKeyPairs answered {code}: {body}"),
        }
    }
    panic!("DescribeKeyPairs stayed throttled for {MAX_ATTEMPTS} tries")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder of this test process.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kc-transport-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A targets file with one live target `fake-live` whose every API is at `base`.
pub fn targets_file(dir: &Path, base: &str, accounts: &[&str]) -> PathBuf {
    live_targets_file(dir, &format!("url: {base}"), accounts)
}

/// A targets file with one live target `fake-live` whose APIs are where `place` says (its `url:`
/// line, or an `endpoints:` map indented under the target).
pub fn live_targets_file(dir: &Path, place: &str, accounts: &[&str]) -> PathBuf {
    let path = dir.join("targets.yaml");
    let accounts: Vec<String> = accounts.iter().map(|a| format!("\"{a}\"")).collect();
    std::fs::write(
        &path,
        format!(
            "targets:\n  fake-live:\n    kind: live\n    {place}\n    regions: [ap-guangzhou]\n    accounts: [{}]\n",
            accounts.join(", ")
        ),
    )
    .unwrap();
    path
}

/// Runs the binary with `args` and only the given cloud variables in its environment.
pub async fn run_bin(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_keypair-contract"));
        command.args(&args).current_dir(root());
        for (id, secret, token) in keypair_contract::apis::PROFILES.iter().map(|p| p.credential_env) {
            command.env_remove(id).env_remove(secret).env_remove(token);
        }
        command.envs(env);
        command.output().expect("the binary runs")
    })
    .await
    .unwrap()
}

/// The test account's credentials under the SDKs' variable names, for both providers.
pub fn credentials() -> Vec<(&'static str, String)> {
    vec![
        ("TENCENTCLOUD_SECRET_ID", SECRET_ID.into()),
        ("TENCENTCLOUD_SECRET_KEY", SECRET_KEY.into()),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", SECRET_ID.into()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET_KEY.into()),
    ]
}

/// The test account's Tencent credentials only (Alibaba's APIs are then skipped).
pub fn tencent_credentials() -> Vec<(&'static str, String)> {
    let mut env = credentials();
    env.retain(|(k, _)| k.starts_with("TENCENT"));
    env
}

pub fn text(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}
