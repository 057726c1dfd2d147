//! Emulator behaviours that live in state and configuration, through the router:
//!
//! * all 13 legacy short region codes (legacy common-parameters page, apis.md §2): each becomes
//!   its API 3.0 region — shown by allowing CVM exactly that one region, so any other translation
//!   answers `UnsupportedRegion`; with the default 18 regions, `ca` and `gzopen` are refused (L-LEG-3);
//! * the quota a delete frees: at the key-pair quota a create is refused, after a delete it succeeds
//!   (CVM, Lighthouse, ECS; and CVM's tag-resource quota).

use crate::common;
use std::sync::Arc;

use crate::common::{SECRET_ID, SECRET_KEY, call};
use keypair_contract::apis::{self, ApiProfile};
use keypair_contract::clock::ManualClock;
use keypair_contract::emulator::accounts::AccountSettings;
use keypair_contract::emulator::tencent_cvm::{Cvm, CvmSettings};
use keypair_contract::emulator::{Emulator, EmulatorConfig, registered};
use serde_json::{Value, json};

/// The legacy page's short codes, its places, and the API 3.0 region of each place (Tencent's
/// region list; `ca` "北美" is Toronto and `gzopen` "广州OPEN" Guangzhou Open, L-LEG-3).
const SHORT_CODES: [(&str, &str); 13] = [
    ("bj", "ap-beijing"),            // 北京
    ("gz", "ap-guangzhou"),          // 广州
    ("sh", "ap-shanghai"),           // 上海
    ("hk", "ap-hongkong"),           // 香港
    ("ca", "na-toronto"),            // 北美
    ("sg", "ap-singapore"),          // 新加坡
    ("usw", "na-siliconvalley"),     // 美西
    ("cd", "ap-chengdu"),            // 成都
    ("de", "eu-frankfurt"),          // 德国
    ("kr", "ap-seoul"),              // 韩国
    ("shjr", "ap-shanghai-fsi"),     // 上海金融
    ("szjr", "ap-shenzhen-fsi"),     // 深圳金融
    ("gzopen", "ap-guangzhou-open"), // 广州OPEN
];

fn emulator_with(cvm: CvmSettings, settings: AccountSettings) -> Arc<Emulator> {
    let config = EmulatorConfig { clock: ManualClock::at_secs(common::NOW), ..EmulatorConfig::default() };
    let emulator = Emulator::with_providers(config, registered().replacing(Box::new(Cvm { settings: cvm, ..Cvm::default() })));
    emulator.accounts.add(SECRET_ID, SECRET_KEY, AccountSettings { rate_limits: false, ..settings });
    emulator
}

async fn legacy_create(emulator: &Arc<Emulator>, region: &str, name: &str, nonce: u64) -> String {
    let params = json!({"KeyName": name, "ProjectId": 0});
    let spec =
        common::Spec { region: Some(region), ..common::Spec::new(&apis::tencent_legacy::CVM_LEGACY, "CreateKeyPair", &params, nonce) };
    let answer = common::send(emulator, &spec).await;
    answer.code().to_string()
}

#[tokio::test]
async fn each_legacy_short_code_becomes_its_api3_region() {
    for (nonce, (short, region)) in SHORT_CODES.iter().enumerate() {
        let only_that_region = CvmSettings { regions: vec![region.to_string()], ..CvmSettings::default() };
        let emulator = emulator_with(only_that_region, AccountSettings::default());
        assert_eq!(legacy_create(&emulator, short, &format!("region_{short}"), nonce as u64).await, "", "{short} → {region}");

        let every_other_region = CvmSettings {
            regions: SHORT_CODES.iter().map(|(_, r)| r.to_string()).filter(|r| r != region).collect(),
            ..CvmSettings::default()
        };
        let emulator = emulator_with(every_other_region, AccountSettings::default());
        assert_eq!(
            legacy_create(&emulator, short, "region_other", nonce as u64).await,
            "UnsupportedRegion",
            "{short} is not another region"
        );
    }
}

#[tokio::test]
async fn with_the_default_regions_ca_and_gzopen_are_unsupported() {
    let emulator = emulator_with(CvmSettings::default(), AccountSettings::default());
    for (nonce, (short, _)) in SHORT_CODES.iter().enumerate() {
        let want = if ["ca", "gzopen"].contains(short) { "UnsupportedRegion" } else { "" };
        assert_eq!(legacy_create(&emulator, short, &format!("default_{short}"), nonce as u64 + 100).await, want, "{short}");
    }
    assert_eq!(legacy_create(&emulator, "mars", "default_mars", 200).await, "UnsupportedRegion", "an unknown code is refused");
}

// ---------------------------------------------------------------------------------------------
// Quotas

struct Product {
    profile: &'static ApiProfile,
    quota: &'static str,
    exceeded: &'static str,
}

impl Product {
    fn create_params(&self, name: &str) -> Value {
        match self.profile.name {
            "tencent-cvm" => json!({"KeyName": name, "ProjectId": 0}),
            "tencent-lighthouse" => json!({"KeyName": name}),
            _ => json!({"KeyPairName": name}),
        }
    }

    /// The created key's handle for a delete: Tencent's KeyId, Alibaba's name.
    fn handle(&self, name: &str, created: &Value) -> String {
        match self.profile.name {
            "aliyun-ecs" => name.to_string(),
            _ => created.pointer("/Response/KeyPair/KeyId").and_then(Value::as_str).unwrap_or_else(|| panic!("{created}")).to_string(),
        }
    }

    fn delete_params(&self, handle: &str) -> Value {
        match self.profile.name {
            "aliyun-ecs" => json!({"KeyPairNames": json!([handle]).to_string()}),
            _ => json!({"KeyIds": [handle]}),
        }
    }
}

#[tokio::test]
async fn a_delete_frees_the_key_pair_quota() {
    let products = [
        Product { profile: &apis::tencent_api3::CVM, quota: "tencent-cvm.key-pairs", exceeded: "InvalidKeyPair.LimitExceeded" },
        Product {
            profile: &apis::tencent_api3::LIGHTHOUSE,
            quota: "tencent-lighthouse.key-pairs",
            exceeded: "LimitExceeded.KeyPairLimitExceeded",
        },
        Product { profile: &apis::aliyun_rpc::ECS, quota: "aliyun-ecs.key-pairs", exceeded: "QuotaExceed.KeyPair" },
    ];
    for product in products {
        let mut settings = AccountSettings::default();
        settings.quotas.insert(product.quota.into(), 2);
        let emulator = emulator_with(CvmSettings::default(), settings);
        let name = product.profile.name;
        let create = |n: &str, nonce: u64| call(&emulator, product.profile, "CreateKeyPair", product.create_params(n), nonce);

        let first = create("quota_a", 1).await;
        assert_eq!(first.code(), "", "{name}: {}", first.text);
        assert_eq!(create("quota_b", 2).await.code(), "", "{name}");
        assert_eq!(create("quota_c", 3).await.code(), product.exceeded, "{name}: at the quota");

        let handle = product.handle("quota_a", &first.body);
        let deleted = call(&emulator, product.profile, "DeleteKeyPairs", product.delete_params(&handle), 4).await;
        assert_eq!(deleted.code(), "", "{name}: {}", deleted.text);
        let again = create("quota_c", 5).await;
        assert_eq!(again.code(), "", "{name}: the delete freed one: {}", again.text);
        assert_eq!(create("quota_d", 6).await.code(), product.exceeded, "{name}: and only one");
    }
}

#[tokio::test]
async fn a_delete_frees_the_cvm_tag_resource_quota() {
    let mut settings = AccountSettings::default();
    settings.quotas.insert("tencent-cvm.tag-resources".into(), 1);
    let emulator = emulator_with(CvmSettings::default(), settings);
    let cvm = &apis::tencent_api3::CVM;
    let tagged = |name: &str| json!({"KeyName": name, "ProjectId": 0, "TagSpecification": [{"ResourceType": "keypair", "Tags": [{"Key": "env", "Value": "ci"}]}]});
    let first = call(&emulator, cvm, "CreateKeyPair", tagged("tag_a"), 1).await;
    assert_eq!(first.code(), "", "{}", first.text);
    assert_eq!(call(&emulator, cvm, "CreateKeyPair", tagged("tag_b"), 2).await.code(), "LimitExceeded.TagResourceQuota");
    let key_id = first.body["Response"]["KeyPair"]["KeyId"].as_str().unwrap().to_string();
    assert_eq!(call(&emulator, cvm, "DeleteKeyPairs", json!({"KeyIds": [key_id]}), 3).await.code(), "");
    assert_eq!(call(&emulator, cvm, "CreateKeyPair", tagged("tag_b"), 4).await.code(), "", "the tag is free again");
}
