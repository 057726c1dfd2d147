//! Helpers shared by the integration tests that talk to the emulator through its router (no port):
//! an emulator on a pinned clock with one account, and calls built and signed by the harness's own
//! request builders (`apis::build_request`), answered as status + parsed body; and scratch copies
//! of the project's folders.

pub mod recorded;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use keypair_contract::apis::{self, ApiProfile, Call, Credentials, Signing};
use keypair_contract::clock::ManualClock;
use keypair_contract::emulator::accounts::AccountSettings;
use keypair_contract::emulator::{Emulator, EmulatorConfig, router};
use serde_json::Value;
use tower::ServiceExt as _;

/// 2025-01-01T00:00:00Z.
pub const NOW: i64 = 1_735_689_600;
pub const SECRET_ID: &str = "AKIDtestsuite";
pub const SECRET_KEY: &str = "test-suite-secret";
/// The Host every request is signed for and sent with.
pub const HOST: &str = "127.0.0.1:9";

/// An emulator whose clock stands at [`NOW`], with the account [`SECRET_ID`].
pub fn emulator() -> (Arc<Emulator>, Arc<ManualClock>) {
    let clock = ManualClock::at_secs(NOW);
    let emulator = Emulator::new(EmulatorConfig { clock: clock.clone(), ..EmulatorConfig::default() });
    emulator.accounts.add(SECRET_ID, SECRET_KEY, AccountSettings::default());
    (emulator, clock)
}

/// An answer: HTTP status, Content-Type and body (JSON if it parses, else the text as a JSON string).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub text: String,
    pub body: Value,
}

impl Answer {
    /// The error code: Tencent's `Response.Error.Code` or Alibaba's `Code`; "" on success.
    pub fn code(&self) -> &str {
        self.body.pointer("/Response/Error/Code").or_else(|| self.body.get("Code")).and_then(Value::as_str).unwrap_or("")
    }

    /// The error message, Tencent's or Alibaba's; "" on success.
    pub fn message(&self) -> &str {
        self.body.pointer("/Response/Error/Message").or_else(|| self.body.get("Message")).and_then(Value::as_str).unwrap_or("")
    }
}

/// One call, fully described.
pub struct Spec<'a> {
    pub profile: &'a ApiProfile,
    pub action: &'a str,
    pub params: &'a Value,
    pub signing: Signing,
    pub method: &'a str,
    pub region: Option<&'a str>,
    pub now: i64,
    pub nonce: u64,
}

impl<'a> Spec<'a> {
    /// `action` with the profile's defaults (signing, region), POST, at [`NOW`].
    pub fn new(profile: &'a ApiProfile, action: &'a str, params: &'a Value, nonce: u64) -> Self {
        Self {
            profile,
            action,
            params,
            signing: profile.default_signing,
            method: "POST",
            region: Some(profile.default_region),
            now: NOW,
            nonce,
        }
    }
}

/// Builds and signs `spec` with the harness's builder and sends it through the router.
pub async fn send(emulator: &Arc<Emulator>, spec: &Spec<'_>) -> Answer {
    let call =
        Call { region: spec.region, method: spec.method, signing: spec.signing, ..Call::defaults(spec.profile, spec.action, spec.params) };
    let credentials = Credentials { id: SECRET_ID.into(), secret: SECRET_KEY.into() };
    let base: reqwest::Url = format!("http://{HOST}").parse().unwrap();
    let out = apis::build_request(spec.profile, &base, &call, &credentials, spec.now, spec.nonce).unwrap();
    let url: reqwest::Url = out.url.parse().unwrap();
    let target = url.query().map(|q| format!("{}?{q}", url.path())).unwrap_or_else(|| url.path().to_string());
    let mut builder = Request::builder().method(out.method.as_str()).uri(target).header("host", HOST);
    for (name, value) in &out.headers {
        builder = builder.header(name, value);
    }
    answer_of(router(emulator.clone()).oneshot(builder.body(Body::from(out.body)).unwrap()).await.unwrap()).await
}

/// The router's `response` as an [`Answer`].
pub async fn answer_of(response: axum::response::Response) -> Answer {
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(text.clone()));
    Answer { status, content_type, text, body }
}

/// [`send`] with the profile's defaults.
pub async fn call(emulator: &Arc<Emulator>, profile: &ApiProfile, action: &str, params: Value, nonce: u64) -> Answer {
    send(emulator, &Spec::new(profile, action, &params, nonce)).await
}

/// Copies the folder `from` to `to`, recursively (scratch projects built from the real one).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Fails unless `shown` holds every one of `parts`, naming the first one missing.
pub fn assert_shows(shown: &str, parts: &[&str]) {
    for part in parts {
        assert!(shown.contains(part), "`{part}` not in:\n{shown}");
    }
}

/// Held by each test that runs the whole suite through the binary (drift, replay, hostile run),
/// so that no two of them share the machine's cores: their rate-limit cases time bursts in real
/// seconds, which two concurrent suites on a 2-core runner could stretch. (In separate test
/// binaries they never overlapped; in one binary, libtest would run them side by side.)
pub static WHOLE_SUITE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
