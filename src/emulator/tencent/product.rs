//! What a Tencent API 3.0 product is to the common front door: its facts, its trait, and the call
//! it is handed. A leaf of the Tencent modules: it imports neither the front door nor the registry.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::TencentError;
use super::rules::DescribeQuery;
use super::settings::NameFilter;
use super::store::{AccountKeys, KeyPairRecord, Product};
use crate::emulator::Emulator;
use crate::emulator::accounts::Account;
use crate::emulator::actions::ActionSpec;
use crate::emulator::wire::Handling;

/// The facts that identify a Tencent API 3.0 product.
#[derive(Debug)]
pub struct ProductFacts {
    /// The case-folder / control-API name of the product's API.
    pub api: &'static str,
    /// The TC3 credential-scope service.
    pub service: &'static str,
    pub version: &'static str,
    /// The product's action table.
    pub actions: &'static [ActionSpec],
    /// The error of a call the account's permissions deny.
    pub unauthorized: fn() -> TencentError,
    /// The error an injected fault answers with, message included.
    pub fault: fn(&str) -> TencentError,
    /// Gives an error of the product's own validation the wording the product's documents give
    /// its code, where the common wording differs (the common wording becomes the log's detail).
    pub reword: fn(TencentError) -> TencentError,
}

impl ProductFacts {
    /// How the 404 answer lists the product.
    pub fn describe(&self) -> Value {
        let recognised_by = format!(
            "TC3 Authorization with service {}, or signature v1 parameters (SecretId, Signature) with Version {}",
            self.service, self.version
        );
        serde_json::json!({"product": self.api, "version": self.version, "path": "/", "recognised_by": recognised_by})
    }
}

/// One Tencent API 3.0 product: its facts, the choices its settings make, and its handler.
pub trait TencentProduct: Send + Sync {
    fn facts(&self) -> &'static ProductFacts;

    fn api(&self) -> &'static str {
        self.facts().api
    }

    fn service(&self) -> &'static str {
        self.facts().service
    }

    fn version(&self) -> &'static str {
        self.facts().version
    }

    fn actions(&self) -> &'static [ActionSpec] {
        self.facts().actions
    }

    /// The product's Region rule, checked before anything else of the call's own.
    fn check_region(&self, region: Option<&str>) -> Result<(), TencentError>;
    /// Whether a parameter the action does not define is `UnknownParameter` (apis.md §1.3).
    fn rejects_unknown_parameters(&self) -> bool;
    /// The product's own validation and state change for an admitted call.
    fn handle<'a>(&'a self, emulator: &'a Arc<Emulator>, call: &'a Call<'a>) -> Handling<'a, Result<Map<String, Value>, TencentError>>;
    /// The account's key pairs, for the control API.
    fn key_pairs_of(&self, account_id: &str) -> Vec<Value>;
    /// Forgets the account's key pairs.
    fn forget(&self, account_id: &str);
}

/// Implements [`TencentProduct`] for a product type laid out as CVM and Lighthouse are: fields
/// `settings` (with `reject_unknown_parameters`) and `store` (`list`, `reset`), and beside it in
/// its module `FACTS`, `STATE` (a key pair as the control API lists it), `rules::check_region`
/// and one handler per action in `handlers` (`create`, `import`, `describe`, `delete`), to which
/// the action is dispatched here. One line per product instead of the same impl written twice.
macro_rules! tencent_product {
    ($product:ty) => {
        impl $crate::emulator::tencent::TencentProduct for $product {
            fn facts(&self) -> &'static $crate::emulator::tencent::ProductFacts {
                &FACTS
            }

            fn check_region(&self, region: Option<&str>) -> Result<(), TencentError> {
                rules::check_region(region, &self.settings)
            }

            fn rejects_unknown_parameters(&self) -> bool {
                self.settings.reject_unknown_parameters
            }

            fn handle<'a>(
                &'a self,
                emulator: &'a std::sync::Arc<$crate::emulator::Emulator>,
                call: &'a $crate::emulator::tencent::Call<'a>,
            ) -> $crate::emulator::wire::Handling<'a, Result<serde_json::Map<String, serde_json::Value>, TencentError>> {
                use $crate::emulator::actions::KeyPairAction;
                Box::pin(async move {
                    match call.action.action {
                        KeyPairAction::Create => handlers::create(self, emulator, call).await,
                        KeyPairAction::Import => handlers::import(self, emulator, call),
                        KeyPairAction::Describe => handlers::describe(self, call),
                        KeyPairAction::Delete => handlers::delete(self, call),
                    }
                })
            }

            fn key_pairs_of(&self, account_id: &str) -> Vec<serde_json::Value> {
                self.store.list(account_id).iter().map(STATE).collect()
            }

            fn forget(&self, account_id: &str) {
                self.store.reset(account_id);
            }
        }
    };
}
pub(crate) use tencent_product;

/// An authenticated call, ready for a product's handler.
pub struct Call<'a> {
    pub product: &'a dyn TencentProduct,
    pub action: &'static ActionSpec,
    pub version: String,
    pub region: Option<String>,
    /// The action's parameters, nested (see [`super::params`]).
    pub params: Value,
    /// True when the parameters came as a JSON body, so their JSON types are the client's own;
    /// GET and form requests can only send strings.
    pub typed: bool,
    pub account: Arc<Account>,
}

impl std::fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").field("product", &self.product.api()).field("action", &self.action.name()).finish_non_exhaustive()
    }
}

/// DescribeKeyPairs in both products, once the product's rules have made `query`: `TotalCount`
/// and the page as `KeyPairSet`, each key pair rendered by `render` while the account's keys are
/// held (they are read in place, not copied).
pub fn describe<P: Product>(
    store: &AccountKeys<P>,
    call: &Call,
    query: &DescribeQuery,
    key_name: NameFilter,
    mut render: impl FnMut(&KeyPairRecord<P>) -> Map<String, Value>,
) -> Map<String, Value> {
    let (total, page) = store.describe_as(&call.account.id, query, key_name, |record| Value::Object(render(record)));
    Map::from_iter([("TotalCount".to_string(), Value::from(total)), ("KeyPairSet".to_string(), Value::Array(page))])
}

/// ImportKeyPair's answer in both products: the new `KeyId` only.
pub fn key_id(key_id: &str) -> Map<String, Value> {
    Map::from_iter([("KeyId".to_string(), Value::from(key_id))])
}
