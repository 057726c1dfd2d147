//! Tencent Cloud Lighthouse API 3.0 (version 2020-03-24): CreateKeyPair (seed 001), ImportKeyPair,
//! DescribeKeyPairs and DeleteKeyPairs (shared/reference/apis.md §1.5). Served through the common
//! API 3.0 front door ([`crate::emulator::tencent`]); its key pairs are its own, separate from CVM's.

pub mod errors;
pub mod handlers;
pub mod model;
pub mod rules;
pub mod settings;

use serde_json::{Value, json};

use crate::emulator::actions::{ActionSpec, KeyPairAction};
use crate::emulator::tencent::error::TencentError;
use crate::emulator::tencent::product::{ProductFacts, tencent_product};
pub use errors::LighthouseCode;
pub use model::LighthouseStore;
pub use settings::LighthouseSettings;

pub const API: &str = "tencent-lighthouse";
pub const VERSION: &str = "2020-03-24";

/// The actions, their parameters (seed 001 §2; apis.md §1.5) and the requests per second per
/// account on each action's page: CreateKeyPair 20 (seed 001 §1), ImportKeyPair 10,
/// DescribeKeyPairs 100, DeleteKeyPairs 10.
pub static ACTIONS: &[ActionSpec] = &[
    ActionSpec { action: KeyPairAction::Create, params: &["KeyName", "Tags"], per_second: Some(20) },
    ActionSpec { action: KeyPairAction::Import, params: &["KeyName", "PublicKey", "Tags"], per_second: Some(10) },
    ActionSpec { action: KeyPairAction::Describe, params: &["KeyIds", "Offset", "Limit", "Filters"], per_second: Some(100) },
    ActionSpec { action: KeyPairAction::Delete, params: &["KeyIds"], per_second: Some(10) },
];

/// What identifies the product to the Tencent front door.
pub static FACTS: ProductFacts = ProductFacts {
    api: API,
    service: "lighthouse",
    version: VERSION,
    actions: ACTIONS,
    unauthorized: no_permission,
    fault: TencentError::injected::<LighthouseCode>,
    // Seed 001 gives no wording of its own for the common codes.
    reword: std::convert::identity,
};

/// A key pair as the control API lists it.
const STATE: fn(&model::KeyPairRecord) -> Value = |k| json!({"KeyId": k.key_id, "KeyName": k.key_name});

/// Lighthouse lists its own code on every key-pair action (seed 001 §6, apis.md §1.5).
fn no_permission() -> TencentError {
    LighthouseCode::NoPermission.into()
}

/// The Lighthouse product: its settings and its key pairs.
#[derive(Debug, Default)]
pub struct Lighthouse {
    pub settings: LighthouseSettings,
    pub store: LighthouseStore,
}

tencent_product!(Lighthouse);
