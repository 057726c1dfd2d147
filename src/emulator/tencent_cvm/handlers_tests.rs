//! CVM's KeyPair data type as DescribeKeyPairs answers it, without a port: every field, or with
//! the empty ones (empty strings and lists) left out (L-CVM-20).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::super::{Cvm, CvmListingSettings, CvmSettings};
use crate::apis::tencent_api3::CVM;
use crate::clock::ManualClock;
use crate::emulator::accounts::{Account, AccountSettings};
use crate::emulator::registry::Registry;
use crate::emulator::tencent::Api3;
use crate::emulator::{Emulator, EmulatorConfig};
use crate::test_support::public_keys::RSA;
use crate::test_support::tencent_answer;

/// 2025-01-01T00:00:00Z.
const NOW: i64 = 1_735_689_600;

/// An emulator serving CVM with `settings` through the API 3.0 front door, and an account on it.
fn emulator(settings: CvmSettings) -> (Arc<Emulator>, Arc<Account>) {
    let cvm = Cvm { settings, ..Cvm::default() };
    let config = EmulatorConfig { clock: ManualClock::at_secs(NOW), ..EmulatorConfig::default() };
    let emulator: Arc<Emulator> = Emulator::with_providers(config, Registry::new(vec![Box::new(Api3::default()), Box::new(cvm)]));
    let someone = emulator.accounts.create(AccountSettings::default());
    (emulator, someone)
}

/// The field names of the one key pair listed after importing one with `import`'s parameters.
async fn listed_fields(settings: CvmSettings, import: Value) -> BTreeSet<String> {
    let (emulator, someone) = emulator(settings);
    let (code, body) = tencent_answer(&emulator, &someone, &CVM, "ImportKeyPair", import, NOW).await;
    assert_eq!(code, "ok", "{body}");
    let (_, listed) = tencent_answer(&emulator, &someone, &CVM, "DescribeKeyPairs", json!({}), NOW).await;
    let pair = listed["Response"]["KeyPairSet"][0].as_object().unwrap_or_else(|| panic!("{listed}"));
    pair.keys().cloned().collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn a_listing_keeps_every_field_or_leaves_out_the_empty_ones() {
    let bare = || json!({"KeyName": "k1", "ProjectId": 0, "PublicKey": RSA});
    let every = ["KeyId", "KeyName", "ProjectId", "Description", "PublicKey", "AssociatedInstanceIds", "CreatedTime", "Tags"];
    assert_eq!(listed_fields(CvmSettings::default(), bare()).await, names(&every));
    let leaving_out = || CvmSettings::from(CvmListingSettings { fills_empty_fields: false, ..Default::default() });
    // ProjectId 0 is a value, not an empty field.
    assert_eq!(listed_fields(leaving_out(), bare()).await, names(&["KeyId", "KeyName", "ProjectId", "PublicKey", "CreatedTime"]));
    let tagged = json!({
        "KeyName": "k1", "ProjectId": 0, "PublicKey": RSA,
        "TagSpecification": [{"ResourceType": "keypair", "Tags": [{"Key": "team", "Value": "a"}]}],
    });
    let kept = names(&["KeyId", "KeyName", "ProjectId", "PublicKey", "CreatedTime", "Tags"]);
    assert_eq!(listed_fields(leaving_out(), tagged).await, kept);
}

#[tokio::test]
async fn a_deleted_key_pair_leaves_the_listing_and_an_unknown_id_is_refused() {
    let (emulator, someone) = emulator(CvmSettings::default());
    let (code, imported) =
        tencent_answer(&emulator, &someone, &CVM, "ImportKeyPair", json!({"KeyName": "k1", "ProjectId": 0, "PublicKey": RSA}), NOW).await;
    assert_eq!(code, "ok", "{imported}");
    let key_id = imported["Response"]["KeyId"].clone();
    let (code, body) = tencent_answer(&emulator, &someone, &CVM, "DeleteKeyPairs", json!({"KeyIds": [key_id]}), NOW).await;
    assert_eq!(code, "ok", "{body}");
    let (_, listed) = tencent_answer(&emulator, &someone, &CVM, "DescribeKeyPairs", json!({}), NOW).await;
    assert_eq!(listed["Response"]["TotalCount"], 0, "{listed}");
    let (code, _) = tencent_answer(&emulator, &someone, &CVM, "DeleteKeyPairs", json!({"KeyIds": [key_id]}), NOW).await;
    assert_eq!(code, "InvalidKeyPairId.NotFound");
}
