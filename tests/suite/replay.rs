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
