//! `run --record DIR` against the embedded emulator, then `run --target replay:DIR`: every
//! recorded case passes with nothing sent, and a request with no recording fails clearly.

use crate::transport_support::*;

fn summary_line(stdout: &str) -> String {
    stdout.lines().rev().find(|l| l.contains(" passed, ")).unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recorded_run_replays_with_no_network() {
    let _whole_suite = crate::common::WHOLE_SUITE.lock().await;
    let dir = temp_dir("replay");
    let record = dir.join("recording");
    let recorded = run_bin(args(&["run", "--record", record.to_str().unwrap()]), vec![]).await;
    let (stdout, stderr) = text(&recorded);
    assert_eq!(recorded.status.code(), Some(0), "{stdout}\n{stderr}");
    let cases = stdout.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(cases > 100, "{stdout}");
    assert_recording_keeps_the_exchange_redacted(&record.join("tencent-cvm/create-key-pair/example.yaml"));

    // Replaying sends nothing: the run has no emulator and no credentials, and a proxy that
    // does not exist would make any request fail.
    let env = vec![("HTTP_PROXY", "http://127.0.0.1:9".to_string()), ("HTTPS_PROXY", "http://127.0.0.1:9".to_string())];
    let target = format!("replay:{}", record.display());
    let replayed = run_bin(args(&["run", "--target", &target]), env).await;
    let (stdout, stderr) = text(&replayed);
    assert_eq!(replayed.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok ")).count(), cases, "{stdout}");
    assert!(summary_line(&stdout).contains(&format!("{cases} passed, 0 failed")), "{stdout}");

    // A request the recording does not hold: the case's recorded answer is gone.
    let file = record.join("tencent-cvm/create-key-pair/example.yaml");
    let text_before = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text_before.replacen("action: CreateKeyPair", "action: SomethingElse", 1)).unwrap();
    let missing = run_bin(args(&["run", "--target", &target, "--filter", "tencent-cvm/create-key-pair/example"]), vec![]).await;
    let (stdout, _) = text(&missing);
    assert_eq!(missing.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("replay: no recorded answer for tencent-cvm CreateKeyPair"), "{stdout}");
}

/// A recorded create: the body once, its private key as a marker; beside it the exchange as sent,
/// its credential and signature redacted, and the response's head with a pointer to the body.
fn assert_recording_keeps_the_exchange_redacted(file: &std::path::Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let recording: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let create = &recording["exchanges"][0];
    assert_eq!(create["action"].as_str(), Some("CreateKeyPair"), "{text}");
    assert!(create["body"].as_str().unwrap().contains("\"PrivateKey\": \"[private-key:pkcs1]\""), "{text}");
    let request = &create["exchange"]["request"];
    assert_eq!(request["method"].as_str(), Some("POST"), "{text}");
    assert!(request["url"].as_str().unwrap().starts_with("http://127.0.0.1:"), "{text}");
    let authorization = request["headers"].as_array().unwrap().iter().find(|h| h[0].as_str() == Some("Authorization")).unwrap();
    let authorization = authorization[1].as_str().unwrap();
    assert!(authorization.contains("Credential=[redacted]") && authorization.contains("Signature=[redacted]"), "{text}");
    assert!(request["body"].as_str().unwrap().contains("\"KeyName\""), "{text}");
    let response = &create["exchange"]["response"];
    assert_eq!((response["status"].as_u64(), response["body"].as_str()), (Some(200), Some("(the body above)")), "{text}");
    assert!(!text.contains("BEGIN RSA PRIVATE KEY"), "{text}");
}
