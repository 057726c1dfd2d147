//! Tencent Cloud Lighthouse API 3.0 (version 2020-03-24): CreateKeyPair (seed 001), ImportKeyPair,
//! DescribeKeyPairs and DeleteKeyPairs (shared/reference/apis.md §1.5). Served through the common
//! API 3.0 layer ([`crate::emulator::tencent`]) as `Product::Lighthouse`; its key pairs are its own,
//! separate from CVM's.

pub mod errors;
pub mod handlers;
pub mod model;
pub mod rules;
pub mod settings;

pub use model::LighthouseStore;
pub use settings::LighthouseSettings;

pub const VERSION: &str = "2020-03-24";
pub const ACTIONS: &[&str] = &["CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPairs"];

/// Requests per second per account, from each action's page (apis.md §1.5): CreateKeyPair 20
/// (seed 001 §1), ImportKeyPair 10, DescribeKeyPairs 100, DeleteKeyPairs 10.
pub fn rate_limit(action: &str) -> u32 {
    match action {
        "CreateKeyPair" => 20,
        "DescribeKeyPairs" => 100,
        _ => 10,
    }
}
