//! Retries: a throttling answer is retried and the case never sees it; a create whose answer is
//! lost (the connection drops after the cloud acted) is not re-sent blindly: the key pair is
//! looked up by name and removed first, so the retry makes neither a duplicate nor an orphan.

use std::sync::{Arc, Mutex};

use crate::transport_support::*;
use keypair_contract::apis::tencent_api3::CVM;
use keypair_contract::emulator::accounts::{AccountSettings, Fault};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// Runs the cases matching `filter` one at a time against `target`; the run must end with exit
/// `code`. Its stdout.
async fn run_ending(code: i32, target: &str, filter: &str) -> String {
    let output = run_bin(args(&["run", "--target", target, "--filter", filter, "--jobs", "1"]), tencent_credentials()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(code), "{stdout}\n{stderr}");
    stdout
}

async fn passing_run(target: &str, filter: &str) -> String {
    run_ending(0, target, filter).await
}

async fn failing_run(target: &str, filter: &str) -> String {
    run_ending(1, target, filter).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_create_is_looked_up_and_undone_before_it_is_sent_again() {
    let emulator = start(false, AccountSettings::default()).await;
    // A live account holds keys the run did not make; the undo must leave them alone.
    call(&emulator.base_url(), &CVM, "CreateKeyPair", serde_json::json!({"KeyName": "someone_elses", "ProjectId": 0})).await;
    let proxy = Proxy::start(emulator.addr, "CreateKeyPair", Spoil::Drop).await;
    passing_run(&proxy.url, "tencent-cvm/create-key-pair/example").await;
    assert_eq!(&proxy.actions()[..4], ["CreateKeyPair", "DescribeKeyPairs", "DeleteKeyPairs", "CreateKeyPair"], "{:?}", proxy.actions());
    assert_eq!(names(&emulator.base_url(), &CVM).await, ["someone_elses"], "no orphan, nothing else deleted");
}

/// The legacy endpoint's keys are CVM keys: its lost create is looked up and undone through CVM's
/// API, at CVM's endpoint (on a live target a different host from the legacy one).
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_legacy_create_is_undone_through_cvms_endpoint() {
    let emulator = start(false, AccountSettings::default()).await;
    call(&emulator.base_url(), &CVM, "CreateKeyPair", serde_json::json!({"KeyName": "someone_elses", "ProjectId": 0})).await;
    let legacy = Proxy::start(emulator.addr, "CreateKeyPair", Spoil::Drop).await;
    let cvm = Proxy::start(emulator.addr, "", Spoil::Nothing).await;
    let dir = temp_dir("lost-legacy-create");
    let endpoints = format!(
        "endpoints:\n      tencent-cvm-legacy: {}\n      tencent-cvm: {}\n      tencent-sts: {}",
        legacy.url,
        cvm.url,
        emulator.base_url()
    );
    let targets = live_targets_file(&dir, &endpoints, &[ACCOUNT_ID]);
    let list = ["run", "--targets", targets.to_str().unwrap(), "--target", "fake-live", "--jobs", "1"];
    let output =
        run_bin(args(&[&list[..], &["--filter", "tencent-cvm-legacy/create-key-pair/example"]].concat()), tencent_credentials()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(&legacy.actions()[..2], ["CreateKeyPair", "CreateKeyPair"], "the legacy host saw only the creates: {:?}", legacy.actions());
    assert_eq!(&cvm.actions()[..2], ["DescribeKeyPairs", "DeleteKeyPairs"], "CVM's host was asked: {:?}", cvm.actions());
    assert_eq!(names(&emulator.base_url(), &CVM).await, ["someone_elses"], "no orphan, nothing else deleted");
}

/// Each lost try of a create may have made the key pair, the last one too: giving up after the
/// last try still looks it up and undoes it, so a live account is left no orphan.
#[tokio::test(flavor = "multi_thread")]
async fn a_create_lost_on_every_try_is_given_up_and_leaves_no_key_pair() {
    let emulator = start(false, AccountSettings::default()).await;
    let proxy = Proxy::spoiling(emulator.addr, "CreateKeyPair", Spoil::Drop, usize::MAX).await;
    let stdout = failing_run(&proxy.url, "tencent-cvm/create-key-pair/example").await;
    let tries = keypair_contract::run::retry::MAX_ATTEMPTS as usize;
    assert!(stdout.contains(&format!("gave up after {tries} tries")), "{stdout}");
    assert_every_try_looked_up_and_nothing_left(&proxy, &emulator).await;
}

/// Each of the create's tries was sent, each looked up (the last too), and no key pair is left.
async fn assert_every_try_looked_up_and_nothing_left(proxy: &Proxy, emulator: &keypair_contract::emulator::EmulatorHandle) {
    let tries = keypair_contract::run::retry::MAX_ATTEMPTS as usize;
    assert_eq!(proxy.count("CreateKeyPair"), tries);
    assert_eq!(proxy.count("DescribeKeyPairs"), tries, "every try looked up, the last too: {:?}", proxy.actions());
    assert!(names(&emulator.base_url(), &CVM).await.is_empty(), "no key pair left behind");
}

/// The same for a create answered 5xx on every try: the cloud may have made the key pair before it
/// failed. The last answer reaches the case (and fails it), and the key pair is looked up first.
#[tokio::test(flavor = "multi_thread")]
async fn a_create_answered_5xx_on_every_try_reaches_the_case_and_leaves_no_key_pair() {
    let emulator = start(false, AccountSettings::default()).await;
    let spoil = Spoil::tencent_error_with_status("500 Internal Server Error", "InternalError");
    let proxy = Proxy::spoiling(emulator.addr, "CreateKeyPair", spoil, usize::MAX).await;
    let stdout = failing_run(&proxy.url, "tencent-cvm/create-key-pair/example").await;
    assert!(stdout.contains("InternalError"), "the case judged the last answer: {stdout}");
    assert_every_try_looked_up_and_nothing_left(&proxy, &emulator).await;
}

/// A delete cannot be undone: when its answer is lost, the retry finds nothing to delete and
/// answers NotFound, which says nothing of the step. The case is torn down and run again, and
/// says so, instead of failing on an answer the cloud gave to a request it never saw twice.
#[tokio::test(flavor = "multi_thread")]
async fn a_step_answered_after_a_lost_delete_runs_its_case_again_and_says_so() {
    let emulator = start(false, AccountSettings::default()).await;
    let proxy = Proxy::start(emulator.addr, "DeleteKeyPairs", Spoil::Drop).await;
    let stdout = passing_run(&proxy.url, "tencent-cvm/key-pairs/lifecycle").await;
    assert!(stdout.contains("note: run again: steps[3] DeleteKeyPairs"), "{stdout}");
    assert_eq!(proxy.count("CreateKeyPair"), 2, "the case ran twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_throttled_request_is_retried_and_never_reaches_the_case() {
    let emulator = start(false, AccountSettings::default()).await;
    let account = emulator.emulator.accounts.get(SECRET_ID).unwrap();
    for _ in 0..2 {
        account.add_fault(Fault { api: "tencent-cvm".into(), action: "CreateKeyPair".into(), code: "RequestLimitExceeded".into() });
    }
    passing_run(&emulator.base_url(), "tencent-cvm/create-key-pair/example").await;
    assert!(account.faults().is_empty(), "both throttling answers were met and retried");
}

/// A request throttled on every try is not given up on: after the last try, the throttling answer
/// is what the case sees (and judges), as the SDKs return it.
#[tokio::test(flavor = "multi_thread")]
async fn a_request_throttled_on_every_try_reaches_the_case_with_its_last_answer() {
    let emulator = start(false, AccountSettings::default()).await;
    let account = emulator.emulator.accounts.get(SECRET_ID).unwrap();
    for _ in 0..keypair_contract::run::retry::MAX_ATTEMPTS {
        account.add_fault(Fault { api: "tencent-cvm".into(), action: "CreateKeyPair".into(), code: "RequestLimitExceeded".into() });
    }
    let stdout = failing_run(&emulator.base_url(), "tencent-cvm/create-key-pair/example").await;
    assert!(stdout.contains("RequestLimitExceeded") && !stdout.contains("gave up"), "{stdout}");
    assert!(account.faults().is_empty(), "every try was made");
}

/// A 5xx whose body is not the API's format (a gateway's HTML page) is a transient failure like any
/// 5xx, retried; a create's retry first looks for what the lost try made.
#[tokio::test(flavor = "multi_thread")]
async fn a_5xx_that_is_not_json_is_retried() {
    let emulator = start(false, AccountSettings::default()).await;
    let gateway = Spoil::html("502 Bad Gateway", "<html>Bad Gateway</html>");
    let proxy = Proxy::start(emulator.addr, "CreateKeyPair", gateway).await;
    passing_run(&proxy.url, "tencent-cvm/create-key-pair/example").await;
    assert_eq!(proxy.count("CreateKeyPair"), 2, "{:?}", proxy.actions());
}

/// A throttling answer says the cloud did not act, so the retry's answer is judged as it is: here the
/// delete did act behind the throttling answer (a proxy's doing), the retry answers NotFound, and the
/// case fails on it instead of being run again as after a lost answer.
#[tokio::test(flavor = "multi_thread")]
async fn a_delete_answered_throttled_is_retried_and_its_next_answer_judged_as_it_is() {
    let emulator = start(false, AccountSettings::default()).await;
    let proxy = Proxy::start(emulator.addr, "DeleteKeyPairs", Spoil::tencent_error("RequestLimitExceeded")).await;
    let stdout = failing_run(&proxy.url, "tencent-cvm/key-pairs/lifecycle").await;
    assert!(stdout.contains("InvalidKeyPairId.NotFound") && !stdout.contains("run again"), "{stdout}");
    assert_eq!(proxy.count("CreateKeyPair"), 1, "the case ran once");
}

/// A 2xx answer that is not the API's format (a captive portal's page) is not guessed at: the step
/// fails saying so, with the start of what came back.
#[tokio::test(flavor = "multi_thread")]
async fn an_answer_that_is_not_json_fails_its_step_saying_so() {
    let emulator = start(false, AccountSettings::default()).await;
    let proxy = Proxy::start(emulator.addr, "CreateKeyPair", Spoil::html("200 OK", "<html>Welcome to nginx</html>")).await;
    let stdout = failing_run(&proxy.url, "tencent-cvm/create-key-pair/example").await;
    assert!(stdout.contains("(HTTP 200) is not JSON: <html>Welcome to nginx</html>"), "{stdout}");
}

/// A burst probes a rate limit, so a throttling answer in it is its result; a 5xx or a lost answer
/// says nothing of the limit and is tried again, up to the retry limit, after which it is what the
/// case sees (a burst never retries forever, and never gives up on the first try). The first request
/// to run out of tries ends the burst, so the others have tried at least once by then.
async fn a_burst_meeting(spoil: Spoil, shown: &str) {
    let emulator = start(true, AccountSettings::default()).await;
    let proxy = Proxy::spoiling(emulator.addr, "CreateKeyPair", spoil, usize::MAX).await;
    let filter = "tencent-cvm/create-key-pair/rate-limit";
    let list = ["run", "--target", &proxy.url, "--control", "--filter", filter, "--jobs", "1", "--case-timeout", "60"];
    let output = run_bin(args(&list), tencent_credentials()).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains(shown) && !stdout.contains("timed out"), "{stdout}");
    let (tries, sent) = (keypair_contract::run::retry::MAX_ATTEMPTS as usize, proxy.count("CreateKeyPair"));
    assert!((tries + 9..=10 * tries).contains(&sent), "10 requests, one of them tried {tries} times: {sent} sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_retries_a_5xx_up_to_the_limit_then_reports_it() {
    a_burst_meeting(Spoil::tencent_error_with_status("500 Internal Server Error", "InternalError"), "InternalError").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_retries_a_lost_answer_up_to_the_limit_then_reports_it() {
    a_burst_meeting(Spoil::Drop, "request failed: transport error").await;
}

/// The runner forgets what a step deleted: a key pair the case deleted itself is not deleted again
/// at teardown (on a live account every extra request counts against the rate limit).
#[tokio::test(flavor = "multi_thread")]
async fn a_key_pair_the_case_deleted_is_not_deleted_again_at_teardown() {
    let emulator = start(false, AccountSettings::default()).await;
    let proxy = Proxy::start(emulator.addr, "", Spoil::Nothing).await;
    passing_run(&proxy.url, "tencent-cvm/key-pairs/lifecycle").await;
    assert_eq!(proxy.count("DeleteKeyPairs"), 2, "the case's own two (the second answers NotFound): {:?}", proxy.actions());
}

/// A port that answers the run's reachability probe (a bare GET) and never answers an API call.
async fn black_hole() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let held = Arc::new(Mutex::new(Vec::new()));
        while let Ok((mut stream, _)) = listener.accept().await {
            let held = held.clone();
            tokio::spawn(async move {
                while let Some(request) = read_message(&mut stream).await {
                    if !request.starts_with(b"GET ") {
                        held.lock().unwrap().push(stream);
                        return;
                    }
                    let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await;
                }
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn a_case_past_its_timeout_is_stopped_and_reported() {
    let target = black_hole().await;
    let started = std::time::Instant::now();
    let output = run_bin(
        args(&["run", "--target", &target, "--filter", "tencent-cvm/create-key-pair/example", "--case-timeout", "1"]),
        credentials(),
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("the case timed out after 1 s; tearing down"), "{stdout}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_running_cases_and_starts_no_new_one() {
    let target = black_hole().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_keypair-contract"))
        .args(["run", "--target", &target, "--filter", "tencent-cvm/create-key-pair/", "--jobs", "2"])
        .current_dir(root())
        .envs(tencent_credentials())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once it has started its cases (the signal handlers are in place by then).
    let mut stdout_pipe = std::io::BufReader::new(child.stdout.take().unwrap());
    let first_line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout_pipe, &mut line).unwrap();
        (line, stdout_pipe)
    });
    let (first_line, mut stdout_pipe) = first_line.await.unwrap();
    assert!(first_line.starts_with("keypair-contract run:"), "{first_line}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let status = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout_pipe, &mut rest).unwrap();
    let (_, stderr) = text(&output);
    let stdout = rest;
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("interrupted: stopping running cases"), "{stderr}");
    assert!(stdout.contains("interrupted (Ctrl-C or SIGTERM); tearing down"), "{stdout}");
    assert!(stdout.contains("not started: the run was interrupted"), "{stdout}");
}
