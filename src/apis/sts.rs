//! The caller-identity calls a live run makes before its first write, to learn whose credentials
//! it holds (apis.md §8): Tencent STS `GetCallerIdentity` (2018-08-13, API 3.0, TC3 with service
//! `sts`) and Alibaba STS `GetCallerIdentity` (2015-04-01, RPC). Neither is a case API: these
//! profiles are not in [`super::PROFILES`].

use serde_json::Value;

use super::aliyun_rpc::{ALIYUN_CREDENTIAL_ENV, AliyunRpc};
use super::tencent_api3::{TENCENT_CREDENTIAL_ENV, TencentApi3};
use super::xml::XmlShape;
use super::{ApiProfile, NameRule, Signing};

/// Tencent STS; the region is required (apis.md §8).
pub static TENCENT_STS: ApiProfile = ApiProfile {
    name: "tencent-sts",
    wire: &TencentApi3,
    default_version: "2018-08-13",
    default_region: "ap-guangzhou",
    regional: true,
    default_method: "POST",
    default_signing: Signing::Tc3,
    signings: &[Signing::Tc3],
    service: "sts",
    live_endpoint: "https://sts.tencentcloudapi.com",
    path: "/",
    actions: &["GetCallerIdentity"],
    name_rule: NameRule { max_len: 25, default_len: 16 },
    name_field: "",
    volatile: &[],
    private_keys: &[],
    request_id: "/Response/RequestId",
    creates: &[],
    delete: ("", ""),
    listing: None,
    cleanup: None,
    credential_env: TENCENT_CREDENTIAL_ENV,
};

/// Alibaba STS answers hold text fields only.
static STS_WIRE: AliyunRpc = AliyunRpc { xml: XmlShape { lists: &[], numbers: &[] } };

/// Alibaba STS; no parameters, no region (apis.md §8).
pub static ALIYUN_STS: ApiProfile = ApiProfile {
    name: "aliyun-sts",
    wire: &STS_WIRE,
    default_version: "2015-04-01",
    default_region: "cn-hangzhou",
    regional: false,
    default_method: "POST",
    default_signing: Signing::AcsRpc,
    signings: &[Signing::AcsRpc, Signing::Acs3],
    service: "sts",
    live_endpoint: "https://sts.aliyuncs.com",
    path: "/",
    actions: &["GetCallerIdentity"],
    name_rule: NameRule { max_len: 128, default_len: 24 },
    name_field: "",
    volatile: &[],
    private_keys: &[],
    request_id: "/RequestId",
    creates: &[],
    delete: ("", ""),
    listing: None,
    cleanup: None,
    credential_env: ALIYUN_CREDENTIAL_ENV,
};

/// The STS profile that says who holds credentials for `api`.
pub fn for_api(api: &ApiProfile) -> &'static ApiProfile {
    api.wire.identity()
}

/// The account id in a GetCallerIdentity answer (`AccountId` in both envelopes).
pub fn account_id(profile: &ApiProfile, body: &Value) -> Option<String> {
    profile.field(body, "AccountId").and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_u64().map(|n| n.to_string())))
}
