//! `serve`'s flags read into a plan, what it prints, and its refusals (exit 2, nothing bound).

use std::time::Duration;

use super::*;
use crate::test_support::{bounded, subcommand_args};

fn serve_args(args: &[&str]) -> ServeArgs {
    subcommand_args!(Serve, &[&["serve"], args].concat())
}

#[test]
fn the_plan_follows_the_flags() {
    let plain = plan(&serve_args(&[])).unwrap();
    assert!(!plain.config.control_api && plain.config.log_requests && plain.key_pool.is_none() && plain.accounts.is_empty());
    assert!(plain.config.server.hostile.is_off());
    let asked = plan(&serve_args(&["--control", "--quiet", "--key-pool", "32", "--account", "a:x", "--account", "b:y:z"])).unwrap();
    assert!(asked.config.control_api && !asked.config.log_requests);
    assert_eq!(asked.key_pool.map(|p| p.pregenerate), Some(32));
    let accounts = [("a".to_string(), "x".to_string()), ("b".to_string(), "y:z".to_string())];
    assert_eq!(asked.accounts, accounts, "the key is everything after the first colon");
    assert!(plan(&serve_args(&["--key-pool", "1"])).unwrap().key_pool.is_some());
    for account in ["no-colon", ":key", "id:"] {
        let error = plan(&serve_args(&["--account", account])).err().unwrap();
        assert_eq!(error, format!("--account takes SECRET_ID:SECRET_KEY, got `{account}`"));
    }
    assert!(plan(&serve_args(&["--drop-rate", "2"])).err().unwrap().starts_with("--drop-rate takes a rate"));
}

#[test]
fn the_banner_names_each_account_by_id_only_and_the_hostile_mix_when_on() {
    let quiet = plan(&serve_args(&["--account", "tester:do-not-print"])).unwrap();
    let lines = banner(&quiet.config, &quiet.accounts, "127.0.0.1:9000".parse().unwrap());
    assert_eq!(lines[0], "keypair-contract emulator listening on http://127.0.0.1:9000");
    assert!(lines.contains(&"account: SecretId tester".to_string()), "{lines:?}");
    assert!(!lines.concat().contains("do-not-print"), "an account's secret is never printed: {lines:?}");
    assert_eq!(lines.last().unwrap(), "control API: off (serve --control)");
    let hostile = plan(&serve_args(&["--control", "--throttle-rate", "0.1", "--error-rate", "0.05", "--latency-ms", "20"])).unwrap();
    let lines = banner(&hostile.config, &hostile.accounts, "127.0.0.1:9000".parse().unwrap());
    assert_eq!(
        lines[lines.len() - 2..],
        ["control API: on at /_emulator/", "hostile: 10 % throttled, 5 % HTTP 503, 0 % dropped, up to 20 ms added"]
    );
    assert!(!lines.concat().contains("warning"), "loopback needs no warning: {lines:?}");
    for (addr, control) in [("0.0.0.0:9000", ", and the control API"), ("[::]:9000", ", and the control API")] {
        let lines = banner(&hostile.config, &hostile.accounts, addr.parse().unwrap());
        let warning = lines.iter().find(|l| l.starts_with("warning: ")).unwrap_or_else(|| panic!("{addr}: {lines:?}"));
        assert!(warning.contains("is not a loopback address") && warning.ends_with(control), "{warning}");
    }
    let lines = banner(&quiet.config, &quiet.accounts, "[::1]:9000".parse().unwrap());
    assert!(!lines.concat().contains("warning"), "IPv6 loopback needs no warning: {lines:?}");
    let lines = banner(&quiet.config, &quiet.accounts, "192.168.1.5:9000".parse().unwrap());
    assert!(lines.iter().any(|l| l.starts_with("warning: 192.168.1.5 is not a loopback") && l.ends_with("printed above")), "{lines:?}");
}

#[test]
fn hostile_flags_take_rates_from_zero_to_one_over_the_mix_or_nothing() {
    assert!(hostile_settings(&serve_args(&[])).unwrap().is_off());
    assert_eq!(hostile_settings(&serve_args(&["--hostile"])).unwrap(), HostileSettings::mix());
    let set = hostile_settings(&serve_args(&["--hostile", "--drop-rate", "0", "--error-rate", "1", "--latency-ms", "30"])).unwrap();
    let mix = HostileSettings::mix();
    assert_eq!((set.throttle_rate, set.error_rate, set.drop_rate, set.latency), (mix.throttle_rate, 1.0, 0.0, Duration::from_millis(30)));
    assert_eq!(hostile_settings(&serve_args(&["--throttle-rate", "0.25"])).unwrap().throttle_rate, 0.25);
    for (flag, rate) in [("--throttle-rate", "1.5"), ("--error-rate", "-0.1"), ("--drop-rate", "1.01")] {
        let error = hostile_settings(&serve_args(&[&format!("{flag}={rate}")])).unwrap_err();
        assert_eq!(error, format!("{flag} takes a rate between 0.0 and 1.0, got {rate}"));
    }
}

#[tokio::test]
async fn serve_refuses_a_bad_rate_a_bad_account_or_a_taken_port_before_serving() {
    let refused = |args: &[&str]| {
        let args = serve_args(args);
        async move { bounded(serve(args)).await == Some(EXIT_USAGE) }
    };
    assert!(refused(&["--listen", "127.0.0.1:0", "--error-rate", "2"]).await);
    for account in ["no-colon", ":key", "id:"] {
        assert!(refused(&["--listen", "127.0.0.1:0", "--account", account]).await, "{account}");
    }
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = taken.local_addr().unwrap().to_string();
    assert!(refused(&["--listen", &listen, "--account", "id:key"]).await);
}
