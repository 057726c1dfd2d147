//! The provider registry: the one list of APIs the emulator serves. Routing ([`super::http`]),
//! the control API's state listing and reset ([`super::control`]) and the 404 answer's list of
//! supported products all go through it.
//!
//! Adding an API: its folder under `src/emulator/`, a type implementing [`Provider`], and one line
//! in [`registered`](super::registered). This module imports no provider: the list is in the
//! emulator's root module. A Tencent API 3.0 product also implements
//! [`TencentProduct`] and is reached through the common Tencent
//! front door rather than claiming requests itself.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::Value;

use super::Emulator;
use super::tencent::product::TencentProduct;
pub use super::wire::Handling;
use super::wire::{Outcome, RawRequest, Served, json_response};

/// One API the emulator serves.
pub trait Provider: Send + Sync + fmt::Debug + Any {
    /// The API's name: its case folder, its control-API state key, its fault and deny prefix.
    fn name(&self) -> &'static str;

    /// Whether this provider answers `raw`. Providers are asked in registration order.
    fn claims(&self, _raw: &RawRequest) -> bool {
        false
    }

    /// Serves a request it claimed. A provider that claims none (a product reached through another
    /// front door) keeps the default, which is never called by routing.
    fn handle<'a>(&'a self, _emulator: &'a Arc<Emulator>, raw: &'a RawRequest) -> Handling<'a, Served> {
        let body = serde_json::json!({"error": format!("{} is served through another front door", self.name()), "path": raw.path});
        let response = json_response(StatusCode::NOT_FOUND, &body);
        Box::pin(async move { Served { route: self.name().into(), outcome: Outcome::error("404", None), response } })
    }

    /// The account's state (for `GET /_emulator/accounts/{id}`); `None` for a provider that keeps
    /// none of its own (a second front door to another provider's state).
    fn list(&self, _account_id: &str) -> Option<Value> {
        None
    }

    /// Forgets the account's state.
    fn reset(&self, _account_id: &str) {}

    /// How the 404 answer describes it: product, version, path and how its requests are recognised.
    fn describe(&self) -> Option<Value> {
        None
    }

    /// The provider as a Tencent API 3.0 product, if it is one.
    fn tencent_product(&self) -> Option<&dyn TencentProduct> {
        None
    }
}

/// The registered providers, in routing order.
#[derive(Debug)]
pub struct Registry(Vec<Box<dyn Provider>>);

impl Registry {
    pub fn new(providers: Vec<Box<dyn Provider>>) -> Self {
        Self(providers)
    }

    /// This registry with `provider` in place of the registered provider of the same name (a
    /// provider built with other settings, e.g. to test one ledger setting); appended if none.
    pub fn replacing(mut self, provider: Box<dyn Provider>) -> Self {
        match self.0.iter().position(|p| p.name() == provider.name()) {
            Some(at) => self.0[at] = provider,
            None => self.0.push(provider),
        }
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = &dyn Provider> {
        self.0.iter().map(|p| p.as_ref())
    }

    /// The first provider that claims `raw`.
    pub fn route(&self, raw: &RawRequest) -> Option<&dyn Provider> {
        self.iter().find(|p| p.claims(raw))
    }

    pub fn get(&self, name: &str) -> Option<&dyn Provider> {
        self.iter().find(|p| p.name() == name)
    }

    /// The Tencent API 3.0 products, for the common Tencent front door.
    pub fn tencent_products(&self) -> impl Iterator<Item = &dyn TencentProduct> {
        self.iter().filter_map(|p| p.tencent_product())
    }
}
