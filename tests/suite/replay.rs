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

/// A copy of what a run reads and writes (cases, schemas, snapshots, the seeds the cases cite).
fn project_copy(tag: &str) -> std::path::PathBuf {
    let dir = temp_dir(tag);
    for part in ["cases", "schemas", "snapshots", "docs/seeds"] {
        crate::common::copy_dir(&root().join(part), &dir.join(part));
    }
    dir
}

/// `run` in `project` with `extra`, snapshots writable (`CI` off), expecting exit `code`.
async fn run_in(project: &std::path::Path, extra: &[&str], mut env: Vec<(&'static str, String)>, code: i32) -> String {
    env.push(("CI", "false".into()));
    let output = run_bin(args(&[&["run", "--root", project.to_str().unwrap()], extra].concat()), env).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(code), "{stdout}\n{stderr}");
    stdout
}

/// The `info:` of a snapshot file: (recorded_from, recorded_at).
fn provenance(snapshot: &std::path::Path) -> (String, String) {
    let text = std::fs::read_to_string(snapshot).unwrap();
    let header = text.split("\n---\n").next().unwrap().trim_start_matches("---\n");
    let header: serde_json::Value = serde_saphyr::from_str(header).unwrap();
    let field = |name: &str| header["info"][name].as_str().unwrap_or_default().to_string();
    (field("recorded_from"), field("recorded_at"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_accepted_from_a_replay_names_the_recordings_target_and_day() {
    let live = start(false, keypair_contract::emulator::accounts::AccountSettings::default()).await;
    let project = project_copy("replay-provenance");
    let case = "tencent-cvm/create-key-pair/example";
    let snapshot = project.join(format!("snapshots/{case}.snap"));
    let recording = project.join("recording");
    let from_live = recording.join(format!("{case}.yaml"));

    // Recorded from a live-shaped target (a URL, credentials from the environment): the recording
    // names it and the day. Backdated here, so the snapshot's day can only come from it.
    run_in(&project, &["--target", &live.base_url(), "--filter", case, "--record", recording.to_str().unwrap()], credentials(), 0).await;
    let recorded = std::fs::read_to_string(&from_live).unwrap();
    let file: serde_json::Value = serde_saphyr::from_str(&recorded).unwrap();
    assert_eq!(file["recorded_from"].as_str(), Some(live.base_url().as_str()), "{recorded}");
    let day = file["recorded_at"].as_str().unwrap().to_string();
    std::fs::write(&from_live, recorded.replace(&day, "2026-11-30")).unwrap();

    // Replayed and accepted: the snapshot says where and when the answers were given, not "a replay".
    std::fs::remove_file(&snapshot).unwrap();
    let replay = format!("replay:{}", recording.display());
    run_in(&project, &["--target", &replay, "--filter", case, "--accept"], vec![], 0).await;
    assert_eq!(provenance(&snapshot), (live.base_url(), "2026-11-30".to_string()));

    // The emulator's answers, replayed, never overwrite a snapshot recorded live.
    let from_emulator = project.join("emulator-recording");
    run_in(&project, &["--filter", case, "--record", from_emulator.to_str().unwrap()], vec![], 0).await;
    let live_text = std::fs::read_to_string(&snapshot).unwrap().replace("status: 200", "status: 201");
    std::fs::write(&snapshot, &live_text).unwrap();
    let replay = format!("replay:{}", from_emulator.display());
    let stdout = run_in(&project, &["--target", &replay, "--filter", case, "--accept"], vec![], 1).await;
    assert!(stdout.contains(&format!("recorded from {}", live.base_url())), "{stdout}");
    assert_eq!(std::fs::read_to_string(&snapshot).unwrap(), live_text, "the live snapshot is kept");

    // A replay recorded again would name the replay as the answers' source: refused.
    let again = project.join("again");
    let output =
        run_bin(args(&["run", "--root", project.to_str().unwrap(), "--target", &replay, "--record", again.to_str().unwrap()]), vec![])
            .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("would only record that recording again"), "{stderr}");
    assert!(!again.exists(), "nothing recorded");
    let _ = std::fs::remove_dir_all(&project);
}
