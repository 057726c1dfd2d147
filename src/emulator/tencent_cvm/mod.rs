//! Tencent Cloud CVM API 3.0 (version 2017-03-12): CreateKeyPair (seed 000), ImportKeyPair
//! (seed 003), DescribeKeyPairs and DeleteKeyPairs (shared/reference/apis.md §1.4). Served through
//! the common API 3.0 front door ([`crate::emulator::tencent`]) and the legacy one.

pub mod errors;
pub mod handlers;
pub mod model;
pub mod rules;
pub mod settings;

use serde_json::{Value, json};

use crate::emulator::actions::{ActionSpec, KeyPairAction};
use crate::emulator::codes::Documented;
use crate::emulator::tencent::error::TencentError;
use crate::emulator::tencent::product::{ProductFacts, tencent_product};
pub use errors::CvmCode;
pub use model::CvmStore;
pub use settings::{CvmDeleteSettings, CvmListingSettings, CvmProjectIdSettings, CvmSettings, CvmTagSettings};

pub const API: &str = "tencent-cvm";
pub const VERSION: &str = "2017-03-12";

/// "A maximum of 10 requests can be initiated per second for this API" on every key-pair page
/// (seed 000 §1, seed 003 §1, apis.md §1.4).
const PER_SECOND: Option<u32> = Some(10);

/// CreateKeyPair's row, shared with the legacy front door.
pub const CREATE: ActionSpec =
    ActionSpec { action: KeyPairAction::Create, params: &["KeyName", "ProjectId", "TagSpecification"], per_second: PER_SECOND };

/// The actions, their parameters (seed 000 §2, seed 003 §2, apis.md §1.4) and rate limits.
pub static ACTIONS: &[ActionSpec] = &[
    CREATE,
    ActionSpec {
        action: KeyPairAction::Import,
        params: &["KeyName", "ProjectId", "PublicKey", "TagSpecification"],
        per_second: PER_SECOND,
    },
    ActionSpec { action: KeyPairAction::Describe, params: &["KeyIds", "Filters", "Offset", "Limit"], per_second: PER_SECOND },
    ActionSpec { action: KeyPairAction::Delete, params: &["KeyIds"], per_second: PER_SECOND },
];

/// What identifies the product to the Tencent front door.
pub static FACTS: ProductFacts = ProductFacts {
    api: API,
    service: "cvm",
    version: VERSION,
    actions: ACTIONS,
    unauthorized: TencentError::unauthorized_operation,
    fault: TencentError::injected::<CvmCode>,
    reword: seed_wording,
};

/// Seeds 000 and 003 give `MissingParameter` the message "Missing parameter."; which parameter
/// is missing goes to the log.
fn seed_wording(error: TencentError) -> TencentError {
    if error.code == CvmCode::MissingParameter.code() && error.message != CvmCode::MissingParameter.message() {
        return TencentError::documented(CvmCode::MissingParameter, error.message);
    }
    error
}

/// A key pair as the control API lists it.
const STATE: fn(&model::KeyPairRecord) -> Value = |k| json!({"KeyId": k.key_id, "KeyName": k.key_name, "ProjectId": k.own.project_id});

/// The CVM product: its settings and its key pairs.
#[derive(Debug, Default)]
pub struct Cvm {
    pub settings: CvmSettings,
    pub store: CvmStore,
}

tencent_product!(Cvm);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_parameters_take_the_seeds_wording_and_log_the_name() {
        let error = seed_wording(TencentError::missing_parameter("KeyName"));
        assert_eq!((error.code.as_str(), error.message.as_str()), ("MissingParameter", "Missing parameter."));
        assert!(error.detail.is_some_and(|d| d.contains("KeyName")));
        let other = TencentError::from(CvmCode::KeyPairNameEmpty);
        assert_eq!(seed_wording(other.clone()), other);
    }
}
