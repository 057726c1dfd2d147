//! The legacy CVM v2 endpoint (`https://cvm.api.qcloud.com/v2/index.php`), as far as seed 002
//! reaches: CreateKeyPair called with `Version=2017-03-12`, which takes the API 3.0 parameter names
//! (KeyName, ProjectId) and answers in the API 3.0 envelope, errors included (seed 002 §2, §4, §5).
//!
//! It is a second front door to the CVM product, not a product of its own: a request is
//! authenticated here (signature v1 over path `/v2/index.php`, legacy region codes), then goes
//! through the common API 3.0 admission ([`tencent::admit_and_handle`]: rate limit, permission,
//! fault) and the CVM handler, so the key pairs it creates are CVM key pairs that API 3.0
//! DescribeKeyPairs lists. The older flat `{code, message}` answers (apis.md §2) are out of scope.
//!
//! [`tencent::admit_and_handle`]: crate::emulator::tencent::admit_and_handle

pub mod handlers;
pub mod regions;

use std::sync::Arc;

use serde_json::{Value, json};

use super::Emulator;
use super::registry::Provider;
use super::wire::Handling;
use super::wire::{RawRequest, Served};

/// The only path the legacy endpoint serves.
pub const PATH: &str = "/v2/index.php";
/// Its name as a front door: the harness profile, the fault and deny prefix, the rate-limit key.
pub const API: &str = "tencent-cvm-legacy";
/// The one version in scope: the CVM API 3.0 version (seed 002 §2 "本接口第一版本可传：2017-03-12").
pub const VERSION: &str = super::tencent_cvm::VERSION;
/// The actions in scope, with CVM's parameters and rate limit; any other is `InvalidAction`.
pub static ACTIONS: &[super::actions::ActionSpec] = &[super::tencent_cvm::CREATE];

/// Legacy-endpoint behaviours the documents leave open (ledger L-LEG-*).
#[derive(Debug, Clone)]
pub struct LegacySettings {
    /// Allowed distance between `Timestamp` and the server clock. The legacy signature page says
    /// 2 hours (code 4500), its newer error-code page and API 3.0 say 5 minutes (apis.md §1.1, §2).
    /// Default 300: a `Version=2017-03-12` call is answered by the API 3.0 stack (seed 002 §5). L-LEG-1.
    pub max_clock_skew_secs: i64,
    /// L-LEG-2: the Version a request without one is served as. None (the default) answers
    /// `MissingParameter`, as seed 002 marks Version required; the older flat API served such calls.
    pub implied_version: Option<String>,
    /// L-LEG-3: the short region codes and the API 3.0 region each becomes; `ca` and `gzopen` are
    /// inferred (regions.rs).
    pub short_region_codes: Vec<(String, String)>,
    /// L-LEG-4: whose rate-limit bucket the endpoint's calls count in; no limit is documented for it.
    pub rate_bucket: RateBucket,
    /// L-LEG-5: the qcloudapi SDK signs `host:port` but drops `:80` from its Host header; true
    /// checks a Host without a port once more with `:80` appended.
    pub retry_host_with_port_80: bool,
}

/// Whose rate-limit bucket a legacy call counts in (L-LEG-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateBucket {
    /// Its own, keyed `tencent-cvm-legacy` (the default).
    OwnEndpoint,
    /// CVM API 3.0's, as one product behind two doors.
    SharedWithCvm,
}

impl Default for LegacySettings {
    fn default() -> Self {
        Self {
            max_clock_skew_secs: 300,
            implied_version: None,
            short_region_codes: regions::SHORT_CODES.iter().map(|(short, name)| (short.to_string(), name.to_string())).collect(),
            rate_bucket: RateBucket::OwnEndpoint,
            retry_host_with_port_80: true,
        }
    }
}

/// The legacy front door; its key pairs are CVM's.
#[derive(Debug, Default)]
pub struct Legacy {
    pub settings: LegacySettings,
}

impl Provider for Legacy {
    fn name(&self) -> &'static str {
        API
    }

    /// By path alone.
    fn claims(&self, raw: &RawRequest) -> bool {
        raw.path == PATH
    }

    fn handle<'a>(&'a self, emulator: &'a Arc<Emulator>, raw: &'a RawRequest) -> Handling<'a, Served> {
        Box::pin(handlers::handle(self, emulator, raw))
    }

    fn describe(&self) -> Option<Value> {
        Some(
            json!({"product": API, "version": VERSION, "path": PATH, "recognised_by": "the path /v2/index.php (signature v1 over that path; CreateKeyPair only)"}),
        )
    }
}
