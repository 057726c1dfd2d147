//! CVM rule boundaries that no case or vector reaches, through the router: tag keys of exactly 127
//! characters and values of exactly 255 (apis.md §7), at most 100 `KeyIds`, `KeyIds` with `Filters`,
//! reserved tag prefixes on ImportKeyPair by the L-CVM-8 setting, and `ProjectId` as a string.
//! Found by reading the mutants cargo-mutants generates for `tencent_cvm/rules.rs`.

use crate::common;
use std::sync::Arc;

use crate::common::{SECRET_ID, call};
use keypair_contract::apis::{self, ApiProfile};
use keypair_contract::clock::ManualClock;
use keypair_contract::emulator::tencent_cvm::{Cvm, CvmProjectIdSettings, CvmSettings};
use keypair_contract::emulator::{Emulator, EmulatorConfig, registered};
use keypair_contract::keys;
use serde_json::{Value, json};

const CVM: &ApiProfile = &apis::tencent_api3::CVM;

fn emulator_with(cvm: CvmSettings) -> Arc<Emulator> {
    let config = EmulatorConfig { clock: ManualClock::at_secs(common::NOW), ..EmulatorConfig::default() };
    let emulator = Emulator::with_providers(config, registered().replacing(Box::new(Cvm { settings: cvm, ..Cvm::default() })));
    let settings = keypair_contract::emulator::accounts::AccountSettings { rate_limits: false, ..Default::default() };
    emulator.accounts.add(SECRET_ID, common::SECRET_KEY, settings);
    emulator
}

fn tagged(name: &str, key: &str, value: &str) -> Value {
    json!({"KeyName": name, "ProjectId": 0, "TagSpecification": [{"ResourceType": "keypair", "Tags": [{"Key": key, "Value": value}]}]})
}

#[tokio::test]
async fn tag_key_and_value_lengths_at_and_past_their_bounds() {
    let emulator = emulator_with(CvmSettings::default());
    let cases = [
        ("k127", "k".repeat(127), "v".to_string(), ""),
        ("k128", "k".repeat(128), "v".to_string(), "InvalidParameterValue"),
        ("v255", "key".to_string(), "v".repeat(255), ""),
        ("v256", "key".to_string(), "v".repeat(256), "InvalidParameterValue"),
        ("v0", "key".to_string(), String::new(), ""),
        ("k0", String::new(), "v".to_string(), "InvalidParameterValue"),
    ];
    for (nonce, (name, key, value, want)) in cases.into_iter().enumerate() {
        let answer = call(&emulator, CVM, "CreateKeyPair", tagged(name, &key, &value), nonce as u64).await;
        assert_eq!(answer.code(), want, "{name}: {}", answer.text);
    }
}

#[tokio::test]
async fn at_most_100_key_ids() {
    let emulator = emulator_with(CvmSettings::default());
    let ids = |n: usize| (0..n).map(|i| format!("skey-{i:08}")).collect::<Vec<_>>();
    let describe = |n: usize, nonce: u64| call(&emulator, CVM, "DescribeKeyPairs", json!({"KeyIds": ids(n), "Limit": 100}), nonce);
    let answer = describe(100, 1).await;
    assert_eq!(answer.code(), "", "100 KeyIds: {}", answer.text);
    assert_eq!(answer.body["Response"]["TotalCount"], 0);
    assert_eq!(describe(101, 2).await.code(), "InvalidParameterValue.LimitExceeded");
    let delete = call(&emulator, CVM, "DeleteKeyPairs", json!({"KeyIds": ids(101)}), 3).await;
    assert_eq!(delete.code(), "InvalidParameterValue.LimitExceeded", "{}", delete.text);
    let delete = call(&emulator, CVM, "DeleteKeyPairs", json!({"KeyIds": ids(100)}), 4).await;
    assert_eq!(delete.code(), "InvalidKeyPairId.NotFound", "100 is allowed; none exists: {}", delete.text);
}

#[tokio::test]
async fn key_ids_and_filters_cannot_be_given_together() {
    let emulator = emulator_with(CvmSettings::default());
    let both = json!({"KeyIds": ["skey-00000000"], "Filters": [{"Name": "key-name", "Values": ["k"]}]});
    assert_eq!(call(&emulator, CVM, "DescribeKeyPairs", both, 1).await.code(), "InvalidParameter");
    assert_eq!(call(&emulator, CVM, "DescribeKeyPairs", json!({"KeyIds": ["skey-00000000"]}), 2).await.code(), "");
    let filters = json!({"Filters": [{"Name": "key-name", "Values": ["k"]}]});
    assert_eq!(call(&emulator, CVM, "DescribeKeyPairs", filters, 3).await.code(), "");
    let null_filters = json!({"Filters": null});
    assert_eq!(call(&emulator, CVM, "DescribeKeyPairs", null_filters, 4).await.code(), "", "a null Filters is no filter");
}

#[tokio::test]
async fn reserved_tag_prefixes_on_import_follow_the_setting() {
    let public = keys::generate_rsa(2048).unwrap().public.openssh;
    let import = |name: &str| json!({"KeyName": name, "ProjectId": 0, "PublicKey": public, "TagSpecification": [{"ResourceType": "keypair", "Tags": [{"Key": "qcloud:team", "Value": "x"}]}]});
    let strict = emulator_with(CvmSettings::default());
    assert_eq!(call(&strict, CVM, "ImportKeyPair", import("strict"), 1).await.code(), "FailedOperation.TagKeyReserved");

    let mut lenient_config = CvmSettings::default();
    lenient_config.tags.import_rejects_reserved = false;
    let lenient = emulator_with(lenient_config);
    let answer = call(&lenient, CVM, "ImportKeyPair", import("lenient"), 1).await;
    assert_eq!(answer.code(), "", "L-CVM-8 off: {}", answer.text);
    let created = call(&lenient, CVM, "CreateKeyPair", tagged("created", "qcloud:team", "x"), 2).await;
    assert_eq!(created.code(), "FailedOperation.TagKeyReserved", "the setting is about imports only");
}

#[tokio::test]
async fn project_id_as_a_string_follows_the_setting() {
    let emulator = emulator_with(CvmSettings::default());
    let answer = call(&emulator, CVM, "CreateKeyPair", json!({"KeyName": "string_project", "ProjectId": "0"}), 1).await;
    assert_eq!(answer.code(), "", "L-CVM-2 default: {}", answer.text);
    assert_eq!(answer.body["Response"]["KeyPair"]["ProjectId"], 0);

    let strict_config = CvmSettings::from(CvmProjectIdSettings { accepts_string: false, ..Default::default() });
    let strict = emulator_with(strict_config);
    let answer = call(&strict, CVM, "CreateKeyPair", json!({"KeyName": "string_project", "ProjectId": "0"}), 1).await;
    assert_eq!(answer.code(), "InvalidParameter", "{}", answer.text);
    let answer = call(&strict, CVM, "CreateKeyPair", json!({"KeyName": "number_project", "ProjectId": 0}), 2).await;
    assert_eq!(answer.code(), "", "{}", answer.text);
}
