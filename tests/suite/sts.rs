//! The emulator's STS GetCallerIdentity, signed like the other APIs (TC3 for Tencent; RPC 1.0 and
//! ACS3 for Alibaba): it names the account the credentials belong to, and refuses a bad signature.

use crate::transport_support::*;
use keypair_contract::apis::sts::{ALIYUN_STS, TENCENT_STS, account_id};
use keypair_contract::apis::{ApiProfile, Call, Credentials, Signing, build_request};
use keypair_contract::emulator::accounts::AccountSettings;
use serde_json::{Value, json};

async fn who(base: &str, api: &ApiProfile, signing: Signing, secret: &str) -> (u16, Value) {
    let url: reqwest::Url = base.parse().unwrap();
    let params = json!({});
    let call = Call { method: "POST", signing, ..Call::defaults(api, "GetCallerIdentity", &params) };
    let credentials = Credentials { id: SECRET_ID.into(), secret: secret.into() };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let out = build_request(api, &url, &call, &credentials, now, now as u64).unwrap();
    let mut request = reqwest::Client::new().request(out.method.parse().unwrap(), &out.url).body(out.body);
    for (k, v) in &out.headers {
        request = request.header(k, v);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn get_caller_identity_names_the_account_for_every_signing() {
    let emulator = start(false, AccountSettings::default()).await;
    let base = emulator.base_url();
    for (api, signing) in [(&TENCENT_STS, Signing::Tc3), (&ALIYUN_STS, Signing::AcsRpc), (&ALIYUN_STS, Signing::Acs3)] {
        let (status, body) = who(&base, api, signing, SECRET_KEY).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(account_id(api, &body).as_deref(), Some(ACCOUNT_ID), "{} {signing:?}: {body}", api.name);
    }
}

#[tokio::test]
async fn a_bad_signature_is_refused_in_each_providers_envelope() {
    let emulator = start(false, AccountSettings::default()).await;
    let base = emulator.base_url();
    let (status, body) = who(&base, &TENCENT_STS, Signing::Tc3, "wrong").await;
    assert_eq!((status, body.pointer("/Response/Error/Code").and_then(Value::as_str)), (200, Some("AuthFailure.SignatureFailure")));
    let (status, body) = who(&base, &ALIYUN_STS, Signing::AcsRpc, "wrong").await;
    assert_eq!((status, body["Code"].as_str()), (400, Some("SignatureDoesNotMatch")));
    assert!(account_id(&ALIYUN_STS, &body).is_none());
}
