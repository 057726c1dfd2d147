//! A live target whose endpoint names `{region}` (Alibaba's `ecs.{region}.aliyuncs.com`): each
//! request goes to its own region's host when the target lists that region, anything else to the
//! run's region's host, for the cases' steps, their teardown and `sweep` alike. Proven through an
//! HTTP proxy (the run's `HTTP_PROXY`) that notes each request's `Host` and forwards it to an
//! emulator without its control API, so no name has to resolve.

use crate::transport_support::*;
use keypair_contract::apis::aliyun_rpc::ECS;
use keypair_contract::emulator::accounts::AccountSettings;

/// A targets file naming `regional`: ECS at `http://ecs.{region}.test`, STS at one host, both
/// regions of the regional case listed.
fn regional_targets(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("targets.yaml");
    let text = format!(
        "targets:\n  regional:\n    kind: live\n    endpoints:\n      aliyun-ecs: http://ecs.{{region}}.test\n      aliyun-sts: http://sts.test\n    regions: [cn-hangzhou, cn-shanghai]\n    accounts: [\"{ACCOUNT_ID}\"]\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the binary with the test account's credentials, every request through `proxy`.
async fn through(proxy: &Proxy, list: &[&str]) -> (String, String) {
    let mut env = credentials();
    env.extend([
        ("HTTP_PROXY", proxy.url.clone()),
        ("http_proxy", proxy.url.clone()),
        ("NO_PROXY", String::new()),
        ("no_proxy", String::new()),
    ]);
    let output = run_bin(args(list), env).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    (stdout, stderr)
}

/// The ECS requests of `action` the proxy saw, by host.
fn hosts_of(proxy: &Proxy, action: &str) -> Vec<String> {
    proxy.requests().into_iter().filter(|(host, a)| a == action && host.starts_with("ecs.")).map(|(host, _)| host).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_go_to_their_own_regions_host_and_unlisted_regions_to_the_runs() {
    let emulator = start(false, AccountSettings::default()).await;
    let proxy = Proxy::start(emulator.addr, "", Spoil::Nothing).await;
    let dir = temp_dir("regional-hosts");
    let targets = regional_targets(&dir);
    let run = ["run", "--targets", targets.to_str().unwrap(), "--target", "regional", "--jobs", "1", "--filter"];

    // Created in cn-hangzhou, then listed and created again in cn-shanghai; torn down in both.
    let (stdout, _) = through(&proxy, &[&run[..], &["aliyun-ecs/key-pairs/regional"]].concat()).await;
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
    assert_eq!(hosts_of(&proxy, "CreateKeyPair"), ["ecs.cn-hangzhou.test", "ecs.cn-shanghai.test"]);
    assert_eq!(hosts_of(&proxy, "DescribeKeyPairs"), ["ecs.cn-shanghai.test"]);
    let mut deleted = hosts_of(&proxy, "DeleteKeyPairs");
    deleted.sort();
    assert_eq!(deleted, ["ecs.cn-hangzhou.test", "ecs.cn-shanghai.test"], "each region's key pair is deleted at its own host");
    assert!(names(&emulator.base_url(), &ECS).await.is_empty(), "the case tore down what it made");

    // A region the target does not list (the case's deliberately unknown one) goes to the run's
    // region's host, the one `--region` names, rather than to a host nobody listed.
    let before = hosts_of(&proxy, "CreateKeyPair").len();
    let (stdout, _) =
        through(&proxy, &[&run[..], &["aliyun-ecs/create-key-pair/region-not-found", "--region", "cn-shanghai"]].concat()).await;
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
    assert_eq!(hosts_of(&proxy, "CreateKeyPair")[before..], ["ecs.cn-shanghai.test"]);

    // `sweep` searches every listed region at that region's host.
    let listed_before = hosts_of(&proxy, "DescribeKeyPairs").len();
    through(&proxy, &["sweep", "--targets", targets.to_str().unwrap(), "--target", "regional", "--dry-run"]).await;
    let mut listed = hosts_of(&proxy, "DescribeKeyPairs")[listed_before..].to_vec();
    listed.dedup();
    assert_eq!(listed, ["ecs.cn-hangzhou.test", "ecs.cn-shanghai.test"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_shows_each_requests_regional_host_and_a_region_that_picks_no_host_is_said() {
    let dir = temp_dir("regional-dry-run");
    let targets = regional_targets(&dir);
    let plan = run_bin(
        args(&[
            "run",
            "--targets",
            targets.to_str().unwrap(),
            "--target",
            "regional",
            "--dry-run",
            "--filter",
            "aliyun-ecs/key-pairs/regional",
        ]),
        credentials(),
    )
    .await;
    let (stdout, stderr) = text(&plan);
    assert_eq!(plan.status.code(), Some(0), "{stdout}\n{stderr}");
    let hosts: Vec<&str> = stdout.lines().filter_map(|l| l.trim().split_once(" POST ")).map(|(_, url)| url).collect();
    assert_eq!(hosts, ["http://ecs.cn-hangzhou.test/", "http://ecs.cn-shanghai.test/", "http://ecs.cn-shanghai.test/"], "{stdout}");

    // The embedded emulator names no `{region}`: --region changes nothing there, and the run says so.
    let output = run_bin(args(&["run", "--region", "ap-shanghai", "--filter", "tencent-cvm/create-key-pair/example"]), vec![]).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("note: --region ap-shanghai picks no host"), "{stdout}");
}
