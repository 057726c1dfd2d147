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

/// Where a Chinese character may stand in a KeyPairName (L-ECS-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChineseInName {
    /// Anywhere, first included (apis.md §3.4; the default).
    Anywhere,
    /// After the first character, which is a letter (seed 004: "starts with a letter").
    NotFirst,
}

/// A group of CreateKeyPair's / ImportKeyPair's parameter rules; `EcsSettings::check_order` runs
/// them in its order, so the first failing group wins (L-ECS-14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcsCheck {
    RegionId,
    KeyPairName,
    /// ImportKeyPair only.
    PublicKeyBody,
    ResourceGroupId,
    /// Count, then tag by tag in N order (key, then value), then repeated keys.
    Tags,
}

/// Which list the HTTP statuses of the signature codes follow (L-ECS-15, apis.md §3.3 CONFLICT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStatuses {
    /// The gateway list: `SignatureDoesNotMatch` 400, `InvalidAccessKeyId.NotFound` 404.
    Gateway,
    /// Some product pages: `SignatureDoesNotMatch` 403, `InvalidAccessKeyId.NotFound` 400.
    ProductPages,
}

impl AuthStatuses {
    pub fn signature_does_not_match(self) -> u16 {
        match self {
            Self::Gateway => 400,
            Self::ProductPages => 403,
        }
    }

    pub fn access_key_not_found(self) -> u16 {
        match self {
            Self::Gateway => 404,
            Self::ProductPages => 400,
        }
    }
}

/// The answer format of a request without `Format` (L-ECS-18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatWithoutParameter {
    /// JSON when `Accept` asks for JSON (as tea-openapi sends it), else XML.
    FollowAccept,
    /// XML, the documented default, whatever `Accept` says.
    Xml,
}

/// The `HostId` of an error answer (L-ECS-21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostIdForm {
    /// `ecs.<RegionId>.aliyuncs.com` for a known region, else `ecs.aliyuncs.com`.
    RegionalElseCentral,
    /// `ecs.aliyuncs.com` always.
    Central,
}

/// How long a signature nonce is remembered (L-ECS-26).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceKeep {
    /// Twice the allowed skew and one second: a request stamped one skew ahead is still valid at
    /// exactly twice the skew.
    TwiceSkewAndOneSecond,
    /// A fixed number of seconds.
    Seconds(i64),
}

#[derive(Debug, Clone)]
pub struct EcsSettings {
    /// L-ECS-1: Key pairs per account and region: "up to 500 key pairs in each region" (seed 004).
    pub key_pair_quota: u64,
    /// L-ECS-2: Regions the key-pair actions accept; anything else is `InvalidRegionId.NotFound` (seed 004).
    pub regions: Vec<String>,
    /// L-ECS-3: "in each region": true keeps names and the quota per account and region; false per account.
    pub regional_key_pairs: bool,
    /// L-ECS-4: the PEM framing of `PrivateKeyBody`: seed 004 says PKCS#8, its example is PKCS#1.
    pub private_key_format: PrivateKeyFormat,
    /// L-ECS-5: Size of generated RSA keys: seed 004's example body `MIIEpAIBAAKCAQEA` is a 2048-bit key.
    pub key_bits: usize,
    /// L-ECS-6: how `KeyPairFingerPrint` is written: RFC 4716 colons (seed 004) or bare hex (kops).
    pub fingerprint_format: FingerprintFormat,
    /// L-ECS-7: The account's default resource group, which always exists and holds key pairs created
    /// without `ResourceGroupId` (Alibaba resource-group model; the id itself is ours).
    pub default_resource_group: String,
    /// L-ECS-8: seed 004 says a name starts with a letter, apis.md §3.4 lets a Chinese character start it.
    pub chinese_in_name: ChineseInName,
    /// L-ECS-9: ImportKeyPair names may also contain `.` (apis.md §3.4; seed 004's CreateKeyPair rule does not).
    pub import_name_allows_dot: bool,
    /// L-ECS-10: OpenSSH key types ImportKeyPair accepts: rsa, dsa and ecdsa are documented (apis.md §3.4);
    /// ed25519 is not listed, so it is refused; certificate types are not supported by the parser.
    pub import_key_types: Vec<String>,
    /// L-ECS-11: tag-key prefixes refused (case-insensitively); seed 004's list is cut, apis.md §7
    /// takes these from the ECS tag docs.
    pub reserved_tag_key_prefixes: Vec<String>,
    /// L-ECS-12: more tags than this (or a `Tag.N` with N over it) is `QuotaExceed.Tags`.
    pub max_tags: usize,
    /// L-ECS-13: Deleting a name that does not exist is not documented (apis.md §3.4): true ignores it,
    /// false fails the call with `InvalidKeyPairNames.ValueNotSupported`.
    pub delete_ignores_unknown_names: bool,
    /// L-ECS-14: the order of the create and import parameter rules; the precedence is not documented.
    pub check_order: Vec<EcsCheck>,
    /// L-ECS-19: the SDK model's ImportKeyPair answer has no KeyPairId; true adds it.
    pub import_returns_key_pair_id: bool,
    /// L-ECS-20: "Resources in the default resource group are displayed in the response regardless of how
    /// this parameter is set" (DescribeKeyPairs, ResourceGroupId): true keeps them in a filtered listing.
    pub describe_group_filter_keeps_default: bool,
    /// L-ECS-22: true fills a listing's `ResourceGroupId` with the default group and `Tags` with
    /// `{"Tag": []}` for a key created without them; false leaves those out.
    pub describe_fills_empty_fields: bool,
    /// L-ECS-15 to 18, 21, 23, 25 and 26: what the gateway decides before and around every action.
    pub gateway: EcsGatewaySettings,
}

/// The ACS gateway's choices for ECS, one field per ledger row: authentication statuses, the time
/// and nonce windows, throttling, the answer format and the error envelope. Every action shares
/// them; Tencent's front doors keep theirs apart the same way, in `TencentSettings`.
#[derive(Debug, Clone)]
pub struct EcsGatewaySettings {
    /// L-ECS-15: the statuses of `SignatureDoesNotMatch` and `InvalidAccessKeyId.NotFound`.
    pub auth_statuses: AuthStatuses,
    /// L-ECS-16: Allowed clock skew for `Timestamp` / `x-acs-date`: 15 minutes (apis.md §3.3 InvalidTimeStamp.Expired).
    pub max_clock_skew_secs: i64,
    /// L-ECS-16: true refuses a `SignatureNonce` seen before (`SignatureNonceUsed`).
    pub remember_nonces: bool,
    /// L-ECS-17: requests per second per account and action when the account sets no
    /// `aliyun-ecs.requests-per-second` quota; None (no limit is documented) never throttles.
    pub requests_per_second: Option<u64>,
    /// L-ECS-18: the answer format without a `Format` parameter.
    pub format_without_parameter: FormatWithoutParameter,
    /// L-ECS-21: the HostId of an error answer.
    pub host_id_form: HostIdForm,
    /// L-ECS-23: the HTTP status of a body over the limit or unreadable (`InvalidParameter` naming `Body`).
    pub body_error_status: u16,
    /// L-ECS-25: false answers each code's documented wording alone (which value failed goes to the
    /// log); true appends it in parentheses.
    pub append_detail: bool,
    /// L-ECS-26: how long a nonce is remembered.
    pub nonce_keep: NonceKeep,
}

impl EcsSettings {
    /// The region part of a key pair's scope: its own region, or one scope for all (L-ECS-3).
    pub fn scope_region<'a>(&self, region: &'a str) -> &'a str {
        if self.regional_key_pairs { region } else { "" }
    }
}

impl Default for EcsSettings {
    fn default() -> Self {
        Self {
            gateway: EcsGatewaySettings::default(),
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
            regional_key_pairs: true,
            chinese_in_name: ChineseInName::Anywhere,
            reserved_tag_key_prefixes: vec!["aliyun".into(), "acs:".into()],
            max_tags: 20,
            check_order: vec![
                EcsCheck::RegionId,
                EcsCheck::KeyPairName,
                EcsCheck::PublicKeyBody,
                EcsCheck::ResourceGroupId,
                EcsCheck::Tags,
            ],
            import_returns_key_pair_id: false,
            describe_fills_empty_fields: true,
        }
    }
}

impl EcsGatewaySettings {
    /// Seconds a nonce is remembered (L-ECS-26).
    pub fn nonce_keep_secs(&self) -> i64 {
        match self.nonce_keep {
            NonceKeep::TwiceSkewAndOneSecond => self.max_clock_skew_secs.saturating_mul(2).saturating_add(1),
            NonceKeep::Seconds(secs) => secs,
        }
    }
}

/// The default ECS settings with `gateway`'s choices.
impl From<EcsGatewaySettings> for EcsSettings {
    fn from(gateway: EcsGatewaySettings) -> Self {
        Self { gateway, ..Self::default() }
    }
}

impl Default for EcsGatewaySettings {
    fn default() -> Self {
        Self {
            max_clock_skew_secs: 15 * 60,
            auth_statuses: AuthStatuses::Gateway,
            remember_nonces: true,
            requests_per_second: None,
            format_without_parameter: FormatWithoutParameter::FollowAccept,
            host_id_form: HostIdForm::RegionalElseCentral,
            body_error_status: 400,
            append_detail: false,
            nonce_keep: NonceKeep::TwiceSkewAndOneSecond,
        }
    }
}
