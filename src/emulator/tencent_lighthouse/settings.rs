//! Every Lighthouse behaviour the documents leave open, as one setting each. Defaults and their
//! references are listed in the ledger (docs/discrepancies.md, items L-LH-*).

/// Quota name the control API can lower per account.
pub const QUOTA_KEY_PAIRS: &str = "tencent-lighthouse.key-pairs";

pub use crate::emulator::tencent::settings::{AbsentName, DeleteMode, NameFilter, RequestCheck, TagLength};

#[derive(Debug, Clone)]
pub struct LighthouseSettings {
    /// Seed 001 §4 returns `"CreatedTime": null` from CreateKeyPair while the data type says the field
    /// is an ISO8601 time that "may be null" (apis.md §1.5). false (the default) answers the real
    /// creation time; true answers null as the example does. DescribeKeyPairs always carries the
    /// time. L-LH-1.
    pub created_time_null_on_create: bool,
    /// The code an absent KeyName gets. L-LH-2.
    pub absent_name: AbsentName,
    /// Region is "required" in seed 001 §2 and the current CN pages, "not required" on older intl
    /// pages (apis.md §1.5: "accept both"). false (the default) accepts a request without Region. L-LH-3.
    pub region_required: bool,
    /// Key pairs per account; undocumented (apis.md §1.7), only its error
    /// `LimitExceeded.KeyPairLimitExceeded` is (seed 001 §6). L-LH-4.
    pub key_pair_quota: u64,
    /// Size of generated keys: the CreateKeyPair page's private key starts `MIIEowIBAAKCAQEA`,
    /// a 2048-bit key (apis.md §1.5). L-LH-5.
    pub key_bits: usize,
    /// ImportKeyPair's error list has no `InvalidKeyPairNameIncludeIllegalChar` (apis.md §1.5), yet
    /// its KeyName is the same kind of name. true (the default) applies the character rule to
    /// imports too. L-LH-6.
    pub import_checks_name_chars: bool,
    /// L-LH-7: the order of CreateKeyPair's / ImportKeyPair's request rules (after Region and
    /// unknown parameters, before the state rules); the precedence is not documented.
    pub check_order: Vec<RequestCheck>,
    /// Tags per key pair: "Tags.N (<=10)" (apis.md §1.5, §7).
    pub max_tags: usize,
    /// L-LH-9: `key-name` is a "fuzzy match" (apis.md §1.5): a substring, case-sensitively.
    pub key_name_filter: NameFilter,
    /// L-LH-10: whether the other ids of a DeleteKeyPairs with an unknown one are deleted.
    pub delete_mode: DeleteMode,
    /// L-LH-11: CreateKeyPair's example returns 6 KeyPair fields, the data type 8; true answers all 8.
    pub create_returns_data_type: bool,
    /// API 3.0 answers a parameter the action does not define with the common `UnknownParameter`
    /// (apis.md §1.3), as CVM does (L-CVM-15); notably CVM's `ProjectId`, which Lighthouse key pairs
    /// do not have (apis.md §1.5). true (the default) refuses them. L-LH-12.
    pub reject_unknown_parameters: bool,
    /// Tag key and value lengths: seed 001 gives none, so the tag service's (apis.md §7). L-LH-13.
    pub tag_length: TagLength,
}

impl Default for LighthouseSettings {
    fn default() -> Self {
        Self {
            created_time_null_on_create: false,
            absent_name: AbsentName::MissingParameter,
            region_required: false,
            key_pair_quota: 500,
            key_bits: 2048,
            import_checks_name_chars: true,
            check_order: vec![RequestCheck::KeyName, RequestCheck::PublicKey, RequestCheck::Tags],
            max_tags: 10,
            key_name_filter: NameFilter::Fuzzy,
            delete_mode: DeleteMode::AllOrNone,
            create_returns_data_type: false,
            reject_unknown_parameters: true,
            tag_length: TagLength::TAG_SERVICE,
        }
    }
}
