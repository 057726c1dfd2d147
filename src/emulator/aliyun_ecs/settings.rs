//! Every ECS behaviour the documents leave open or contradict, as one setting each. Each default
//! names its source; the lead's discrepancy ledger (docs/discrepancies.md) lists them with the live
//! case that settles each.

/// Public ECS region IDs (Alibaba Cloud "Regions and zones" and DescribeRegions pages). The docs
/// defer to DescribeRegions for the current list, so this is data, not a rule: override it in
/// [`EcsSettings::regions`].
pub const PUBLIC_REGIONS: &[&str] = &[
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-nanjing",
    "cn-fuzhou",
    "cn-wuhan-lr",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-chengdu",
    "cn-hongkong",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "us-east-1",
    "us-west-1",
    "na-south-1",
    "eu-west-1",
    "eu-central-1",
    "me-east-1",
    "me-central-1",
];

/// Quota names the control API can set per account (`AccountSettings::quotas`).
pub const QUOTA_KEY_PAIRS: &str = "aliyun-ecs.key-pairs";
/// Requests per second per account and action; absent means no limit, because no ECS key-pair
/// rate limit is documented (apis.md §3.6). When set (and `AccountSettings::rate_limits` is on),
/// excess calls get `Throttling.User`.
pub const QUOTA_REQUESTS_PER_SECOND: &str = "aliyun-ecs.requests-per-second";

/// The PEM framing of `PrivateKeyBody` (apis.md §3.5 CONFLICT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateKeyFormat {
    /// `-----BEGIN RSA PRIVATE KEY-----`: what seed 004's example body `MIIEpAIBAAKCAQEA…` is (the
    /// default: an observed value beats prose).
    Pkcs1,
    /// `-----BEGIN PRIVATE KEY-----`: what seed 004's text says ("PEM-encoded PKCS#8").
    Pkcs8,
}

/// How `KeyPairFingerPrint` is written (apis.md §3.5 CONFLICT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FingerprintFormat {
    /// 16 colon-separated lowercase hex bytes, the RFC 4716 form seed 004's text names (default;
    /// the shape `schemas/aliyun-ecs/*.json` require).
    Colons,
    /// 32 lowercase hex characters, as kops compares them and as ENS's example shows.
    Bare,
}

#[derive(Debug, Clone)]
pub struct EcsSettings {
    /// Key pairs per account and region: "up to 500 key pairs in each region" (seed 004).
    pub key_pair_quota: u64,
    /// Regions the key-pair actions accept; anything else is `InvalidRegionId.NotFound` (seed 004).
    pub regions: Vec<String>,
    /// Size of generated RSA keys: seed 004's example body `MIIEpAIBAAKCAQEA` is a 2048-bit key.
    pub key_bits: usize,
    pub private_key_format: PrivateKeyFormat,
    pub fingerprint_format: FingerprintFormat,
    /// The account's default resource group, which always exists and holds key pairs created
    /// without `ResourceGroupId` (Alibaba resource-group model; the id itself is ours).
    pub default_resource_group: String,
    /// OpenSSH key types ImportKeyPair accepts: rsa, dsa and ecdsa are documented (apis.md §3.4);
    /// ed25519 is not listed, so it is refused; certificate types are not supported by the parser.
    pub import_key_types: Vec<String>,
    /// ImportKeyPair names may also contain `.` (apis.md §3.4; seed 004's CreateKeyPair rule does not).
    pub import_name_allows_dot: bool,
    /// Deleting a name that does not exist is not documented (apis.md §3.4): true ignores it,
    /// false fails the call with `InvalidKeyPairNames.ValueNotSupported`.
    pub delete_ignores_unknown_names: bool,
    /// "Resources in the default resource group are displayed in the response regardless of how
    /// this parameter is set" (DescribeKeyPairs, ResourceGroupId): true keeps them in a filtered listing.
    pub describe_group_filter_keeps_default: bool,
    /// Allowed clock skew for `Timestamp` / `x-acs-date`: 15 minutes (apis.md §3.3 InvalidTimeStamp.Expired).
    pub max_clock_skew_secs: i64,
}

impl Default for EcsSettings {
    fn default() -> Self {
        Self {
            key_pair_quota: 500,
            regions: PUBLIC_REGIONS.iter().map(|r| r.to_string()).collect(),
            key_bits: 2048,
            private_key_format: PrivateKeyFormat::Pkcs1,
            fingerprint_format: FingerprintFormat::Colons,
            default_resource_group: "rg-default".into(),
            import_key_types: ["ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]
                .iter()
                .map(|t| t.to_string())
                .collect(),
            import_name_allows_dot: true,
            delete_ignores_unknown_names: true,
            describe_group_filter_keeps_default: true,
            max_clock_skew_secs: 15 * 60,
        }
    }
}
