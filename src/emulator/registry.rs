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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{Emulator, EmulatorConfig};
    use crate::test_support::raw_request;

    /// A provider that keeps every default but its name, and claims requests on `path` when given.
    #[derive(Debug)]
    struct Bare {
        name: &'static str,
        path: Option<&'static str>,
    }

    impl Provider for Bare {
        fn name(&self) -> &'static str {
            self.name
        }
        fn claims(&self, raw: &RawRequest) -> bool {
            self.path.is_some_and(|p| raw.path == p)
        }
    }

    fn bare(name: &'static str, path: Option<&'static str>) -> Box<dyn Provider> {
        Box::new(Bare { name, path })
    }

    fn names(registry: &Registry) -> Vec<&'static str> {
        registry.iter().map(|p| p.name()).collect()
    }

    #[test]
    fn replacing_swaps_the_provider_of_that_name_in_its_place_and_appends_a_new_name() {
        let registry = Registry::new(vec![bare("a", None), bare("b", None), bare("c", None)]);
        let registry = registry.replacing(bare("b", Some("/b")));
        assert_eq!(names(&registry), ["a", "b", "c"]);
        let get = |registry: &Registry, name| registry.get(name).map(|p| p.claims(&raw_request("GET", "/b", "", &[], b"")));
        assert_eq!(get(&registry, "b"), Some(true), "the replacement is the one registered");
        assert_eq!(get(&registry, "a"), Some(false), "the others are untouched");
        let registry = registry.replacing(bare("d", None));
        assert_eq!(names(&registry), ["a", "b", "c", "d"]);
        assert!(registry.get("e").is_none());
    }

    #[test]
    fn routing_asks_in_registration_order_and_the_first_claim_wins() {
        let registry = Registry::new(vec![bare("none", None), bare("first", Some("/x")), bare("second", Some("/x"))]);
        assert_eq!(registry.route(&raw_request("POST", "/x", "", &[], b"")).map(|p| p.name()), Some("first"));
        assert!(registry.route(&raw_request("POST", "/y", "", &[], b"")).is_none());
    }

    #[tokio::test]
    async fn a_provider_keeps_no_state_and_claims_nothing_unless_it_says_so() {
        let provider = Bare { name: "quiet", path: None };
        assert!(!Provider::claims(&FrontDoorless, &raw_request("GET", "/", "", &[], b"")));
        assert_eq!(provider.list("100000000001"), None);
        assert_eq!(provider.describe(), None);
        assert!(provider.tencent_product().is_none());
        provider.reset("100000000001");
        // Reached by mistake, the default handler answers 404 and names the provider.
        let emulator = Emulator::new(EmulatorConfig::default());
        let served = provider.handle(&emulator, &raw_request("GET", "/p", "", &[], b"")).await;
        assert_eq!((served.route.as_str(), served.outcome.code.as_ref()), ("quiet", "404"));
        assert_eq!(served.response.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(served.response.into_body(), usize::MAX).await.unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["path"], "/p");
        assert!(body["error"].as_str().unwrap().starts_with("quiet "), "{body}");
    }

    /// Only a name: the trait's own `claims`.
    #[derive(Debug)]
    struct FrontDoorless;

    impl Provider for FrontDoorless {
        fn name(&self) -> &'static str {
            "frontdoorless"
        }
    }

    #[test]
    fn the_tencent_products_are_the_providers_that_say_they_are_one() {
        let registry = crate::emulator::registered();
        let products: Vec<&str> = registry.tencent_products().map(|p| p.api()).collect();
        assert_eq!(products, ["tencent-cvm", "tencent-lighthouse"]);
        assert!(registry.get("tencent-cvm").is_some_and(|p| p.list("1").is_some()));
    }
}
