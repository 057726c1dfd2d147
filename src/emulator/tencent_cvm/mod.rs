//! Tencent Cloud CVM API 3.0 (version 2017-03-12): CreateKeyPair (seed 000), ImportKeyPair
//! (seed 003), DescribeKeyPairs and DeleteKeyPairs (shared/reference/apis.md §1.4).

pub mod errors;
pub mod handlers;
pub mod model;
pub mod rules;
pub mod settings;

pub use model::CvmStore;
pub use settings::CvmSettings;

pub const VERSION: &str = "2017-03-12";
pub const ACTIONS: &[&str] = &["CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPairs"];

/// Requests per second per account: "A maximum of 10 requests can be initiated per second for this
/// API" on every key-pair page (seed 000 §1, seed 003 §1, apis.md §1.4).
pub fn rate_limit(_action: &str) -> u32 {
    10
}
