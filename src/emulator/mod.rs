//! The emulator: every product on one loopback port, stateful per account.
//!
//! A request is routed by its shape — path, signature scheme, version and action headers, the TC3
//! credential scope — never by Host alone, because SDKs pointed at a local endpoint send
//! `Host: 127.0.0.1:PORT` (shared/reference/apis.md §6). Each provider is a module tree of its own:
//! a *model* (state and rules, no HTTP), *handlers* (parse → model → render) and *errors* (the
//! provider's codes and messages verbatim).
//!
//! Embedding: [`start`] serves on an ephemeral port of the current tokio runtime and returns a
//! handle with the address; [`router`] gives the bare axum router for `oneshot` tests.

pub mod accounts;
pub mod aliyun_ecs;
pub mod control;
pub mod hostile;
pub mod http;
pub mod keypool;
pub mod keystore;
pub mod log;
pub mod nonces;
pub mod ratelimit;
pub mod server;
pub mod tencent;
pub mod tencent_cvm;
pub mod tencent_legacy;
pub mod tencent_lighthouse;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::clock::{Clock, SystemClock};
use accounts::{AccountSettings, AccountStore};

/// Emulator-wide settings. Provider behaviours the docs leave open are settings of the provider
/// models (see `docs/discrepancies.md`).
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Serve the control API under [`control::PREFIX`] (tests only; off in `serve` unless asked).
    pub control_api: bool,
    /// Log one redacted line per request to stderr.
    pub log_requests: bool,
    pub clock: Arc<dyn Clock>,
    /// Largest accepted request body; Tencent's TC3 POST limit is 10 MB (apis.md §1.1).
    pub max_body_bytes: usize,
    /// Alibaba ECS behaviours the docs leave open (aliyun_ecs::settings).
    pub ecs: aliyun_ecs::EcsSettings,
    pub cvm: tencent_cvm::CvmSettings,
    pub lighthouse: tencent_lighthouse::LighthouseSettings,
    pub legacy: tencent_legacy::LegacySettings,
    /// Timeouts and limits of the HTTP layer (server.rs).
    pub server: server::ServerSettings,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            control_api: false,
            log_requests: false,
            clock: Arc::new(SystemClock),
            max_body_bytes: 10 * 1024 * 1024,
            ecs: aliyun_ecs::EcsSettings::default(),
            cvm: tencent_cvm::CvmSettings::default(),
            lighthouse: tencent_lighthouse::LighthouseSettings::default(),
            legacy: tencent_legacy::LegacySettings::default(),
            server: server::ServerSettings::default(),
        }
    }
}

/// The shared state behind the router.
#[derive(Debug)]
pub struct Emulator {
    pub config: EmulatorConfig,
    pub accounts: AccountStore,
    pub limiter: ratelimit::RateLimiter,
    pub ecs: aliyun_ecs::EcsStore,
    pub cvm: tencent_cvm::CvmStore,
    pub lighthouse: tencent_lighthouse::LighthouseStore,
    pub log: log::Log,
}

impl Emulator {
    pub fn new(config: EmulatorConfig) -> Arc<Self> {
        let log = log::Log::new(config.log_requests);
        Arc::new(Self {
            config,
            accounts: AccountStore::default(),
            limiter: ratelimit::RateLimiter::default(),
            ecs: aliyun_ecs::EcsStore::default(),
            cvm: tencent_cvm::CvmStore::default(),
            lighthouse: tencent_lighthouse::LighthouseStore::default(),
            log,
        })
    }

    /// Adds the documented default account (`accounts::DEFAULT_SECRET_ID`).
    pub fn with_default_account(self: Arc<Self>) -> Arc<Self> {
        self.accounts.add(accounts::DEFAULT_SECRET_ID, accounts::DEFAULT_SECRET_KEY, AccountSettings::default());
        self
    }
}

/// The axum router serving every product and, if enabled, the control API.
pub fn router(emulator: Arc<Emulator>) -> Router {
    Router::new()
        .fallback(http::dispatch)
        .layer(axum::middleware::from_fn_with_state(emulator.clone(), hostile::middleware))
        .with_state(emulator)
}

/// A running emulator.
#[derive(Debug)]
pub struct EmulatorHandle {
    pub addr: SocketAddr,
    pub emulator: Arc<Emulator>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts an emulator on `listen` (use `127.0.0.1:0` for an ephemeral port) on the current tokio
/// runtime; it stops when the handle is dropped.
pub async fn start(emulator: Arc<Emulator>, listen: SocketAddr) -> std::io::Result<EmulatorHandle> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = router(emulator.clone());
    tokio::spawn(server::serve(listener, app, emulator.config.server.clone(), async move { drop(rx.await) }));
    Ok(EmulatorHandle { addr, emulator, shutdown: Some(tx) })
}

/// Starts an emulator with the control API on, for in-process test suites.
pub async fn start_for_tests() -> std::io::Result<EmulatorHandle> {
    let config = EmulatorConfig { control_api: true, ..EmulatorConfig::default() };
    start(Emulator::new(config).with_default_account(), SocketAddr::from(([127, 0, 0, 1], 0))).await
}
