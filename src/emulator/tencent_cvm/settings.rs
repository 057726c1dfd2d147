//! Every CVM behaviour the documents leave open or contradict, as one setting each. Each default
//! is recorded with its seed reference in docs/discrepancies.md (the ledger), where a live case
//! that settles it is named.

/// The 18 regions seed 000 §2 says CreateKeyPair supports.
pub const SEED_000_REGIONS: &[&str] = &[
    "ap-bangkok",
    "ap-beijing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-guangzhou",
    "ap-hongkong",
    "ap-jakarta",
    "ap-nanjing",
    "ap-seoul",
    "ap-shanghai",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
    "ap-singapore",
    "ap-tokyo",
    "eu-frankfurt",
    "na-ashburn",
    "na-siliconvalley",
    "sa-saopaulo",
];

/// Quota names the control API can lower per account.
pub const QUOTA_KEY_PAIRS: &str = "tencent-cvm.key-pairs";
pub const QUOTA_TAG_RESOURCES: &str = "tencent-cvm.tag-resources";

pub use crate::emulator::tencent::settings::{AbsentName, CommonCode, DeleteMode, IdCheck, NameFilter, RequestCheck, TagLength};

/// CVM's tag rules, one ledger row each. The key-pair pages list the tag codes but few of their
/// triggers, so most of these come from the tag service (apis.md §7).
#[derive(Debug, Clone)]
pub struct CvmTagSettings {
    /// L-CVM-5: resources one tag (key and value) may be bound to (`LimitExceeded.TagResourceQuota`);
    /// undocumented.
    pub resource_quota: u64,
    /// L-CVM-7: tag-key prefixes reserved for the system (`FailedOperation.TagKeyReserved`),
    /// compared case-insensitively.
    pub reserved_prefixes: Vec<String>,
    /// L-CVM-8: seed 003 does not list `FailedOperation.TagKeyReserved` for ImportKeyPair; true applies
    /// the same reserved-prefix rule to imports.
    pub import_rejects_reserved: bool,
    /// L-CVM-14, L-LEG-6: `InvalidParameterValue` has no documented trigger; a TagSpecification
    /// naming another ResourceType than this one gets it.
    pub resource_type: String,
    /// L-CVM-16: tag key and value lengths; the key-pair pages give none.
    pub length: TagLength,
}

impl Default for CvmTagSettings {
    fn default() -> Self {
        Self {
            resource_quota: 1000,
            reserved_prefixes: vec!["qcloud".into(), "tencent".into(), "project".into()],
            import_rejects_reserved: true,
            resource_type: "keypair".into(),
            length: TagLength::TAG_SERVICE,
        }
    }
}

/// ProjectId's rules: the seeds type it Integer, send it as a string and call it both required and
/// optional.
#[derive(Debug, Clone)]
pub struct CvmProjectIdSettings {
    /// Seed 003 types ProjectId as Integer but its example sends `"0"`: accept decimal strings.
    /// Ledger L-CVM-2.
    pub accepts_string: bool,
    /// L-CVM-22: the code of a ProjectId that is not an integer.
    pub type_code: CommonCode,
    /// L-CVM-24: the parameter tables mark ProjectId required, the prose says only a name is needed;
    /// false takes an absent ProjectId as 0, the default project.
    pub required: bool,
}

impl Default for CvmProjectIdSettings {
    fn default() -> Self {
        Self { accepts_string: true, type_code: CommonCode::InvalidParameter, required: true }
    }
}

/// DeleteKeyPairs' rules, which no seed documents (apis.md §1.4).
#[derive(Debug, Clone)]
pub struct CvmDeleteSettings {
    /// L-CVM-17: whether the other ids of a DeleteKeyPairs with an unknown one are deleted.
    pub mode: DeleteMode,
    /// L-CVM-19: DeleteKeyPairs' checks of `KeyIds`, in order; existence (all or none) comes last.
    pub check_order: Vec<IdCheck>,
}

impl Default for CvmDeleteSettings {
    fn default() -> Self {
        Self { mode: DeleteMode::AllOrNone, check_order: vec![IdCheck::Missing, IdCheck::Count, IdCheck::Shape] }
    }
}

/// What DescribeKeyPairs answers, which no seed documents (apis.md §1.4).
#[derive(Debug, Clone)]
pub struct CvmListingSettings {
    /// L-CVM-18: the `key-name` filter is not said to be exact or fuzzy (Lighthouse's is fuzzy).
    pub key_name_filter: NameFilter,
    /// L-CVM-20: true fills a listing's `Description` "", `AssociatedInstanceIds` [] and `Tags` []
    /// for a key without them; false leaves empty ones out.
    pub fills_empty_fields: bool,
    /// L-CVM-21: the listing's time field: the SDK model's `CreatedTime`; an older example has `CreateTime`.
    pub created_time_field: String,
}

impl Default for CvmListingSettings {
    fn default() -> Self {
        Self { key_name_filter: NameFilter::Exact, fills_empty_fields: true, created_time_field: "CreatedTime".into() }
    }
}

#[derive(Debug, Clone)]
pub struct CvmSettings {
    /// The code an absent KeyName gets. Ledger L-CVM-1.
    pub absent_name: AbsentName,
    /// Regions the key-pair actions accept; seed 000 lists 18 for CreateKeyPair, seed 003 defers to
    /// "the regions supported by the product". Applied to all four actions. Ledger L-CVM-3.
    pub regions: Vec<String>,
    /// Key pairs per account; undocumented (apis.md §1.7). Ledger L-CVM-4.
    pub key_pair_quota: u64,
    /// The TagSpecification rules: L-CVM-5, 7, 8, 14 and 16.
    pub tags: CvmTagSettings,
    /// Size of generated keys; seed 000's example key is 1024-bit, nothing states the size. Ledger L-CVM-6.
    pub key_bits: usize,
    /// No document says key pairs are regional: false keeps one set per account. Ledger L-CVM-9.
    pub regional_key_pairs: bool,
    /// L-CVM-10: the order of CreateKeyPair's / ImportKeyPair's request rules (after Region, before
    /// the state rules); the precedence of several failing rules is not documented.
    pub check_order: Vec<RequestCheck>,
    /// L-CVM-11: CreateKeyPair's example returns 5 KeyPair fields, the data type has 9; true answers
    /// the data type's (as DescribeKeyPairs does, plus PrivateKey).
    pub create_returns_data_type: bool,
    /// L-CVM-13: "OpenSSH RSA format": the key types ImportKeyPair accepts; any other is
    /// `InvalidPublicKey.Malformed`.
    pub public_key_types: Vec<String>,
    /// API 3.0 answers a parameter the action does not define with `UnknownParameter` (apis.md
    /// §1.3); the key-pair pages list only their own codes. Ledger L-CVM-15.
    pub reject_unknown_parameters: bool,
    /// L-CVM-23: the code of an absent Region.
    pub absent_region_code: CommonCode,
    /// L-CVM-2, 22 and 24.
    pub project_id: CvmProjectIdSettings,
    /// L-CVM-17 and 19.
    pub delete: CvmDeleteSettings,
    /// L-CVM-18, 20 and 21.
    pub listing: CvmListingSettings,
}

impl Default for CvmSettings {
    fn default() -> Self {
        Self {
            key_pair_quota: 500,
            tags: CvmTagSettings::default(),
            project_id: CvmProjectIdSettings::default(),
            delete: CvmDeleteSettings::default(),
            listing: CvmListingSettings::default(),
            key_bits: 2048,
            regions: SEED_000_REGIONS.iter().map(|r| r.to_string()).collect(),
            absent_name: AbsentName::MissingParameter,
            regional_key_pairs: false,
            reject_unknown_parameters: true,
            check_order: vec![RequestCheck::KeyName, RequestCheck::ProjectId, RequestCheck::PublicKey, RequestCheck::Tags],
            create_returns_data_type: false,
            public_key_types: vec!["ssh-rsa".into()],
            absent_region_code: CommonCode::MissingParameter,
        }
    }
}

/// The default CVM settings with one group's choices, for a test or a run that changes one group.
macro_rules! settings_with {
    ($($group:ident: $type:ty),*) => {$(
        impl From<$type> for CvmSettings {
            fn from($group: $type) -> Self {
                Self { $group, ..Self::default() }
            }
        }
    )*};
}
settings_with!(project_id: CvmProjectIdSettings, delete: CvmDeleteSettings, listing: CvmListingSettings);
