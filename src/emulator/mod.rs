//! The emulator: every product on one loopback port, stateful per account.
//!
//! A request is routed by its shape — path, signature scheme, version and action headers, the TC3
//! credential scope — never by Host alone, because SDKs pointed at a local endpoint send
//! `Host: 127.0.0.1:PORT` (shared/reference/apis.md §6). Each provider is a module tree of its own:
//! a *model* (state and rules, no HTTP), *handlers* (parse → model → render) and *errors* (the
//! provider's codes and messages verbatim).
//!
//! Adding an API touches these places only:
//! - its folder under `src/emulator/`, with a type implementing [`registry::Provider`] (`claims`,
//!   `handle`, `list`, `reset`, `describe`), its action table ([`actions::ActionSpec`]) and its
//!   error table (`errors.tsv` behind a [`codes`] enum);
//! - one line in [`registered`].
//!
//! A Tencent API 3.0 product instead implements [`tencent::TencentProduct`] (for CVM and
//! Lighthouse: a `FACTS` value and `tencent_product!(Type)`), and the Tencent front doors find it
//! by its TC3 service or version. Routing, the control API's state listing and reset, and the
//! 404 answer's product list all read the one registered list. The shared wire types are
//! [`wire`], which imports no provider; no provider imports [`http`] or the Tencent front door.
//!
//! Embedding: [`start`] serves on an ephemeral port of the current tokio runtime and returns a
//! handle with the address; [`router`] gives the bare axum router for `oneshot` tests.

pub mod accounts;
pub mod actions;
pub mod aliyun_ecs;
pub mod codes;
pub mod control;
pub mod hostile;
pub mod http;
pub mod keypool;
pub mod keystore;
pub mod log;
pub mod nonces;
pub mod ratelimit;
pub mod registry;
pub mod server;
pub mod sts;
pub mod tencent;
pub mod tencent_cvm;
pub mod tencent_legacy;
pub mod tencent_lighthouse;
pub mod wire;

#[cfg(test)]
mod front_door_tests;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::clock::{Clock, SystemClock};
use accounts::{AccountSettings, AccountStore};

/// Emulator-wide settings. Provider behaviours the docs leave open are settings of each provider
/// (`Cvm::settings` and so on; see `docs/discrepancies.md`).
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Serve the control API under [`control::PREFIX`] (tests only; off in `serve` unless asked).
    pub control_api: bool,
    /// Log one redacted line per request to stderr.
    pub log_requests: bool,
    pub clock: Arc<dyn Clock>,
    /// Largest accepted request body, on every front door and the control API; Tencent's TC3 POST
    /// limit is 10 MB (apis.md §1.1). A larger body is refused before it is read.
    pub max_body_bytes: usize,
    /// Timeouts and limits of the HTTP layer (server.rs).
    pub server: server::ServerSettings,
    /// The Tencent front doors' choices the documents leave open (ledger L-TC-*).
    pub tencent: tencent::TencentSettings,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            control_api: false,
            log_requests: false,
            clock: Arc::new(SystemClock),
            max_body_bytes: 10 * 1024 * 1024,
            server: server::ServerSettings::default(),
            tencent: tencent::TencentSettings::default(),
        }
    }
}

/// The shared state behind the router.
#[derive(Debug)]
pub struct Emulator {
    pub config: EmulatorConfig,
    pub accounts: AccountStore,
    /// Every API served, each with its settings and state.
    pub providers: registry::Registry,
    pub log: log::Log,
}

impl Emulator {
    /// An emulator serving every [registered] API with its default settings.
    pub fn new(config: EmulatorConfig) -> Arc<Self> {
        Self::with_providers(config, registered())
    }

    /// An emulator serving `providers` (to change a provider's settings, build it and list it here).
    pub fn with_providers(config: EmulatorConfig, providers: registry::Registry) -> Arc<Self> {
        let log = log::Log::new(config.log_requests);
        Arc::new(Self { config, accounts: AccountStore::default(), providers, log })
    }

    /// The registered provider of type `P` (for tests that look at one provider's state).
    pub fn provider<P: registry::Provider + 'static>(&self) -> Option<&P> {
        self.providers.iter().find_map(|p| (p as &dyn std::any::Any).downcast_ref::<P>())
    }

    /// Adds the documented default account (`accounts::DEFAULT_SECRET_ID`).
    pub fn with_default_account(self: Arc<Self>) -> Arc<Self> {
        self.accounts.add(accounts::DEFAULT_SECRET_ID, accounts::DEFAULT_SECRET_KEY, AccountSettings::default());
        self
    }
}

/// Every API the emulator serves: one line each. Order matters only for routing: a more specific
/// front door (a path of its own) comes before a general one.
pub fn registered() -> registry::Registry {
    registry::Registry::new(vec![
        Box::new(sts::Sts),
        Box::new(tencent_legacy::Legacy::default()),
        Box::new(tencent::Api3::default()),
        Box::new(tencent_cvm::Cvm::default()),
        Box::new(tencent_lighthouse::Lighthouse::default()),
        Box::new(aliyun_ecs::Ecs::default()),
    ])
}

/// The axum router serving every product and, if enabled, the control API. The hostile layer is
/// there only when its settings inject something (they are fixed for the emulator's life): off,
/// it would still cost every request a boxed middleware call.
pub fn router(emulator: Arc<Emulator>) -> Router {
    let router = Router::new().fallback(http::dispatch);
    let router = if emulator.config.server.hostile.is_off() {
        router
    } else {
        router.layer(axum::middleware::from_fn_with_state(emulator.clone(), hostile::middleware))
    };
    router.with_state(emulator)
}

/// A running emulator.
#[derive(Debug)]
pub struct EmulatorHandle {
    pub addr: SocketAddr,
    pub emulator: Arc<Emulator>,
    /// Held for its drop: the server stops when the handle, and with it this sender, is dropped
    /// (the receiver wakes whether a value was sent or the sender is gone).
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
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
    Ok(EmulatorHandle { addr, emulator, _shutdown: tx })
}

/// Starts an emulator with the control API on, for in-process test suites.
pub async fn start_for_tests() -> std::io::Result<EmulatorHandle> {
    let config = EmulatorConfig { control_api: true, ..EmulatorConfig::default() };
    start(Emulator::new(config).with_default_account(), SocketAddr::from(([127, 0, 0, 1], 0))).await
}
