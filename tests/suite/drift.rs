//! Contract vs drift, end to end through the built binary:
//!
//! * against a second server that differs from our emulator only in JSON field order and error
//!   message texts (a proxy in front of the embedded emulator that rewrites both), `run --drift
//!   report` exits 0, reports the error cases as drift and the others as passed (order never
//!   shows), prints no panic, backtrace or insta assertion output, and its JSON report validates
//!   against schemas/report.schema.json;
//! * a changed expected field fails the contract and points at that field's own line;
//! * a deliberately wrong snapshot fails the default run (so switching the snapshot check off
//!   turns this red) and is drift under `--drift report`.
//!
//! Each run works on a copy of the project in a temporary folder, so nothing here writes into the
//! repository's snapshots.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{assert_shows, copy_dir};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::Value;

const BINARY: &str = env!("CARGO_BIN_EXE_keypair-contract");
const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A copy of what a run reads (cases, schemas, snapshots, the seeds the cases cite).
fn project_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kc-drift-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for part in ["cases", "schemas", "snapshots", "docs/seeds"] {
        copy_dir(&Path::new(REPO).join(part), &dir.join(part));
    }
    dir
}

/// Replaces `from` (which must be there) with `to` in the copy's file `rel`; its path and the text
/// it had.
fn edit(root: &Path, rel: &str, from: &str, to: &str) -> (PathBuf, String) {
    let path = root.join(rel);
    let original = std::fs::read_to_string(&path).unwrap();
    assert!(original.contains(from), "{rel} has {from:?}");
    std::fs::write(&path, original.replace(from, to)).unwrap();
    (path, original)
}

async fn run(root: &Path, args: &[&str], ci: bool) -> Output {
    let mut command = tokio::process::Command::new(BINARY);
    command.arg("run").arg("--root").arg(root).args(args).env_remove("INSTA_UPDATE").env_remove("INSTA_FORCE_PASS");
    if ci {
        command.env("CI", "true");
    } else {
        command.env_remove("CI").env_remove("TF_BUILD");
    }
    command.output().await.expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Runs the binary, checks its exit code and that its output reads as a report (no panic or
/// backtrace), and returns that output.
async fn run_exits(root: &Path, args: &[&str], ci: bool, code: i32) -> String {
    let output = run(root, args, ci).await;
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(code), "{shown}");
    assert_readable(&shown);
    shown
}

fn assert_readable(shown: &str) {
    for noise in ["panicked", "backtrace", "Stopped on the first failure", "Snapshot Summary", "assertion failed"] {
        assert!(!shown.contains(noise), "the output holds `{noise}`:\n{shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// A second server: the emulator behind a proxy that reorders JSON keys and rewords messages.

/// Every object's keys in reverse order, and every error message reworded.
fn rewrite(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let entries: Vec<(String, Value)> = map.into_iter().collect();
            Value::Object(
                entries
                    .into_iter()
                    .rev()
                    .map(|(k, v)| {
                        let v = if k == "Message" && v.is_string() {
                            Value::String("The second server words this its own way.".into())
                        } else {
                            rewrite(v)
                        };
                        (k, v)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(rewrite).collect()),
        other => other,
    }
}

/// Every `KeyId` of the documented malformed shape `skey-1122`: a volatile value of the wrong shape.
fn break_key_ids(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match k.as_str() {
                    "KeyId" if v.is_string() => (k, Value::String("skey-1122".into())),
                    _ => (k, break_key_ids(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(break_key_ids).collect()),
        other => other,
    }
}

/// Where the proxy forwards, and how it rewrites each answer's body.
type Upstream = (String, fn(Value) -> Value);

async fn forward(State((upstream, rewrite)): State<Upstream>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 16 << 20).await.unwrap_or_default();
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).unwrap();
    let mut outgoing = client.request(method, format!("{upstream}{path}")).body(body.to_vec());
    for (name, value) in &parts.headers {
        if !matches!(name.as_str(), "content-length" | "transfer-encoding" | "connection") {
            // Host included: the client signed the proxy's host.
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = match outgoing.send().await {
        Ok(answer) => answer,
        Err(e) => return Response::builder().status(502).body(Body::from(e.to_string())).unwrap(),
    };
    let status = answer.status().as_u16();
    let content_type = answer.headers().get("content-type").cloned();
    let bytes = answer.bytes().await.unwrap_or_default();
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(json) if !path.starts_with("/_emulator") => serde_json::to_vec(&rewrite(json)).unwrap(),
        _ => bytes.to_vec(),
    };
    let mut response = Response::builder().status(status);
    if let Some(content_type) = content_type {
        response = response.header("content-type", content_type.as_bytes());
    }
    response.body(Body::from(body)).unwrap()
}

/// Starts the emulator and a proxy that passes its JSON answers through `rewrite`; returns the
/// proxy's URL and the emulator (kept alive).
async fn second_server(rewrite: fn(Value) -> Value) -> (String, keypair_contract::emulator::EmulatorHandle) {
    let emulator = keypair_contract::emulator::start_for_tests().await.expect("emulator starts");
    let app = Router::new().fallback(forward).with_state((emulator.base_url(), rewrite));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, emulator)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_order_and_messages_are_drift_not_failures() {
    let _whole_suite = crate::common::WHOLE_SUITE.lock().await;
    let root = project_copy("second-server");
    let (proxy, _emulator) = second_server(rewrite).await;
    // A declared parity gap is ignored on an emulator target (this one runs with --control).
    let gap_case = root.join("cases/tencent-cvm/create-key-pair/name-too-long.yaml");
    let mut yaml = std::fs::read_to_string(&gap_case).unwrap();
    yaml.push_str("parity_gaps:\n  - {path: /Response/Error/Message, reason: the second server words its messages its own way}\n");
    std::fs::write(&gap_case, yaml).unwrap();
    let report = root.join("report.json");
    let junit = root.join("junit.xml");
    let markdown = root.join("summary.md");
    let args = [
        "--target",
        &proxy,
        "--control",
        "--drift",
        "report",
        "--report",
        &format!("json={}", report.display()),
        "--report",
        &format!("junit={}", junit.display()),
        "--report",
        &format!("markdown={}", markdown.display()),
    ];
    let output = run(&root, &args, false).await;
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert_readable(&shown);
    assert!(shown.contains(&format!("project {}", root.canonicalize().unwrap().display())), "the header names the project:\n{shown}");
    assert!(shown.contains(&proxy), "the header names the target:\n{shown}");

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(REPO).join("schemas/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("the report schema compiles");
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "the JSON report does not match schemas/report.schema.json:\n{}", errors.join("\n"));

    let status_of = |id: &str| report["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).map(|c| c["status"].clone());
    // A success answer whose fields come in another order is no difference at all.
    assert_eq!(status_of("tencent-cvm/create-key-pair/example"), Some("passed".into()));
    assert_eq!(status_of("aliyun-ecs/create-key-pair/example"), Some("passed".into()));
    assert_eq!(status_of("tencent-cvm/create-key-pair/name-too-long"), Some("passed".into()), "its message is a declared gap");
    assert_eq!(report["parity_debt"]["tencent-cvm"]["count"], 1, "{}", report["parity_debt"]);
    assert!(shown.contains("parity debt"), "{shown}");
    // An error answer with another message is drift, with its diff naming the message.
    let drifted: Vec<&Value> = report["cases"].as_array().unwrap().iter().filter(|c| c["status"] == "drift").collect();
    assert!(drifted.len() >= 20, "expected the error cases to drift, got {}", drifted.len());
    for case in &drifted {
        let failures = case["failures"].as_array().unwrap();
        assert!(failures.iter().all(|f| f["kind"] == "snapshot"), "{case}");
        let diff = failures[0]["diff"].as_str().unwrap();
        assert!(diff.contains("+") && diff.contains("The second server words this its own way."), "{diff}");
        assert!(case["pending_snapshot"].as_str().is_some_and(|p| root.join(p).is_file()), "drift leaves the answer pending: {case}");
    }
    assert_eq!(report["totals"]["failed"], 0, "{shown}");
    assert_eq!(report["totals"]["drift"].as_u64().unwrap() as usize, drifted.len());

    let junit = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), report["cases"].as_array().unwrap().len());
    let markdown = std::fs::read_to_string(&markdown).unwrap();
    assert!(markdown.contains("## Drift"), "{markdown}");
    let _ = std::fs::remove_dir_all(&root);
}

/// A volatile value is checked before it is redacted: one of the wrong shape fails the contract
/// at the step that got it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volatile_value_of_the_wrong_shape_fails_the_contract_at_its_step() {
    let root = project_copy("shape");
    // A schema that lets it through, so that the shape check is the net that must catch it.
    edit(&root, "schemas/tencent-cvm/CreateKeyPair.json", r#""pattern": "^skey-[0-9a-z]{8}$""#, r#""pattern": "^skey-""#);
    let (proxy, _emulator) = second_server(break_key_ids).await;
    let args = ["--target", &proxy, "--control", "--filter", "tencent-cvm/create-key-pair/example"];
    let shown = run_exits(&root, &args, true, 1).await;
    let step_line = std::fs::read_to_string(root.join("cases/tencent-cvm/create-key-pair/example.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.trim() == "- action: CreateKeyPair")
        .unwrap()
        + 1;
    let at_step = format!("--> cases/tencent-cvm/create-key-pair/example.yaml:{step_line}:");
    assert_shows(&shown, &["shape: steps[0] CreateKeyPair", "shape check failed at /Response/KeyPair/KeyId", &at_step]);
    let _ = std::fs::remove_dir_all(&root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_expected_field_fails_the_contract_on_its_own_line() {
    let root = project_copy("field");
    let (_, yaml) = edit(&root, "cases/tencent-cvm/import-key-pair/example.yaml", "/Response/TotalCount: 1", "/Response/TotalCount: 2");
    let line = yaml.lines().position(|l| l.trim() == "/Response/TotalCount: 1").expect("the case asserts TotalCount") + 1;
    let args = ["--filter", "tencent-cvm/import-key-pair/example", "--drift", "report", "--verbose"];
    let shown = run_exits(&root, &args, true, 1).await;
    // The failure is at the field's own line; --verbose shows the exchange.
    let at_line = format!("--> cases/tencent-cvm/import-key-pair/example.yaml:{line}:");
    assert_shows(&shown, &["field: steps[1] DescribeKeyPairs", &at_line, "expected: 2\n", "actual:   1\n", "exchange:", "< HTTP 200"]);
    let _ = std::fs::remove_dir_all(&root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_snapshot_fails_the_run_and_is_drift_when_reported() {
    let root = project_copy("wrong-snapshot");
    let (snap, _) = edit(&root, "snapshots/tencent-cvm/create-key-pair/example.snap", "status: 200", "status: 201");
    let filter = ["--filter", "tencent-cvm/create-key-pair/example"];

    // A wrong snapshot fails the default run, with one unified diff.
    let shown = run_exits(&root, &filter, true, 1).await;
    assert_shows(&shown, &["differs from snapshots/tencent-cvm/create-key-pair/example.snap", "-  status: 201", "+  status: 200"]);
    assert!(!root.join("snapshots/tencent-cvm/create-key-pair/example.snap.new").exists(), "nothing is written under CI");

    let shown = run_exits(&root, &[&filter[..], &["--drift", "report"]].concat(), true, 0).await;
    assert!(shown.contains("drift    tencent-cvm/create-key-pair/example"), "{shown}");

    // A missing snapshot is new, not "does not match", and fails the default run.
    std::fs::remove_file(&snap).unwrap();
    let shown = run_exits(&root, &filter, true, 1).await;
    assert_shows(&shown, &["snapshot-new", "new snapshot: no snapshots/tencent-cvm/create-key-pair/example.snap yet"]);

    // --accept writes it (outside CI), with its provenance; the next run matches without rewriting.
    run_exits(&root, &[&filter[..], &["--accept"]].concat(), false, 0).await;
    let written = std::fs::read_to_string(&snap).unwrap();
    assert!(written.contains("recorded_from: emulator") && written.contains("recorded_at: "), "{written}");
    run_exits(&root, &filter, true, 0).await;
    let _ = std::fs::remove_dir_all(&root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_problems_are_one_early_error() {
    let empty = std::env::temp_dir().join(format!("kc-drift-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let output = run(&empty, &[], true).await;
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(shown.contains("holds no cases/ folder"), "{shown}");
    let _ = std::fs::remove_dir_all(&empty);

    // An unreachable target is one early error, not a failed case per case.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let output = run(Path::new(REPO), &["--target", &url, "--control", "--filter", "tencent-cvm/create-key-pair/"], true).await;
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(shown.contains("cannot reach") && shown.contains("refused"), "{shown}");
    assert!(!shown.contains("FAILED"), "{shown}");

    // The first case of an API is the one that probes it: a run of a single case is refused too.
    let output = run(Path::new(REPO), &["--target", &url, "--control", "--filter", "tencent-cvm/create-key-pair/example"], true).await;
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(shown.contains("cannot reach"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_quietly() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(BINARY)
        .args(["run", "--root", REPO, "--filter", "create-key-pair/"])
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    tokio::io::BufReader::new(stdout).read_line(&mut first).await.unwrap();
    assert!(first.starts_with("keypair-contract run:"), "{first}");
    // The reader is gone (as `run | head -1` leaves it).
    let output = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(101), "{stderr}");
    assert!(output.status.code().is_some(), "ended by a signal: {:?}", output.status);
    assert_readable(&stderr);
}
