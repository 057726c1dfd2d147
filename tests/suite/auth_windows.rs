//! The time windows of authentication, for every signing scheme, through the router:
//!
//! * clock skew: a request stamped up to the bound away from the emulator's clock, in the past or
//!   in the future, is served; one second more is refused (Tencent: 300 s,
//!   `AuthFailure.SignatureExpire`; Alibaba: 900 s, `InvalidTimeStamp.Expired`);
//! * ECS nonce memory: a nonce is refused for as long as a request carrying it could still pass the
//!   skew check — a request stamped one skew ahead stays valid until one skew after its stamp, so
//!   the nonce must be remembered for twice the skew (a shorter memory lets that replay through).

use crate::common::{NOW, SECRET_ID, Spec, emulator, send};
use keypair_contract::apis::{self, ApiProfile, Signing};
use serde_json::{Value, json};

const TENCENT_SKEW: i64 = 300;
const ECS_SKEW: i64 = 900;

/// (label, profile, signing, method, action, params, bound, expired code)
fn schemes() -> Vec<(&'static str, &'static ApiProfile, Signing, &'static str, &'static str, i64, &'static str)> {
    let (cvm, lighthouse, legacy, ecs) =
        (&apis::tencent_api3::CVM, &apis::tencent_api3::LIGHTHOUSE, &apis::tencent_legacy::CVM_LEGACY, &apis::aliyun_rpc::ECS);
    vec![
        ("CVM TC3 POST", cvm, Signing::Tc3, "POST", "DescribeKeyPairs", TENCENT_SKEW, "AuthFailure.SignatureExpire"),
        ("CVM TC3 GET", cvm, Signing::Tc3, "GET", "DescribeKeyPairs", TENCENT_SKEW, "AuthFailure.SignatureExpire"),
        ("CVM v1 HmacSHA1", cvm, Signing::HmacSha1, "GET", "DescribeKeyPairs", TENCENT_SKEW, "AuthFailure.SignatureExpire"),
        ("CVM v1 HmacSHA256", cvm, Signing::HmacSha256, "POST", "DescribeKeyPairs", TENCENT_SKEW, "AuthFailure.SignatureExpire"),
        ("Lighthouse TC3", lighthouse, Signing::Tc3, "POST", "DescribeKeyPairs", TENCENT_SKEW, "AuthFailure.SignatureExpire"),
        (
            "Lighthouse v1 HmacSHA256",
            lighthouse,
            Signing::HmacSha256,
            "POST",
            "DescribeKeyPairs",
            TENCENT_SKEW,
            "AuthFailure.SignatureExpire",
        ),
        ("legacy HmacSHA1", legacy, Signing::HmacSha1, "GET", "CreateKeyPair", TENCENT_SKEW, "AuthFailure.SignatureExpire"),
        ("legacy HmacSHA256", legacy, Signing::HmacSha256, "POST", "CreateKeyPair", TENCENT_SKEW, "AuthFailure.SignatureExpire"),
        ("ECS RPC", ecs, Signing::AcsRpc, "POST", "DescribeKeyPairs", ECS_SKEW, "InvalidTimeStamp.Expired"),
        ("ECS ACS3", ecs, Signing::Acs3, "POST", "DescribeKeyPairs", ECS_SKEW, "InvalidTimeStamp.Expired"),
    ]
}

fn params_for(profile: &ApiProfile, action: &str, n: u64) -> Value {
    match (profile.name, action) {
        ("tencent-cvm-legacy", "CreateKeyPair") => json!({"KeyName": format!("skew_{n}"), "ProjectId": 0}),
        _ => json!({}),
    }
}

#[tokio::test]
async fn every_scheme_accepts_the_skew_bound_both_ways_and_refuses_one_second_more() {
    let mut nonce = 0;
    for (label, profile, signing, method, action, bound, expired) in schemes() {
        let (emulator, _clock) = emulator();
        let account = emulator.accounts.get(SECRET_ID).unwrap();
        let mut settings = account.settings();
        settings.rate_limits = false;
        account.update_settings(settings);
        for (offset, accepted) in [(-bound - 1, false), (-bound, true), (0, true), (bound, true), (bound + 1, false)] {
            nonce += 1;
            let params = params_for(profile, action, nonce);
            let spec = Spec { signing, method, now: NOW + offset, ..Spec::new(profile, action, &params, nonce) };
            let answer = send(&emulator, &spec).await;
            let want = if accepted { "" } else { expired };
            assert_eq!(answer.code(), want, "{label}: stamped {offset:+} s from the emulator's clock: {}", answer.text);
        }
    }
}

#[tokio::test]
async fn ecs_remembers_a_nonce_as_long_as_a_request_carrying_it_can_pass_the_skew_check() {
    let ecs = &apis::aliyun_rpc::ECS;
    for signing in [Signing::AcsRpc, Signing::Acs3] {
        let (emulator, clock) = emulator();
        let params = json!({});
        // Stamped one skew ahead: valid from now until one skew after its stamp (2 skews from now).
        let ahead = Spec { signing, now: NOW + ECS_SKEW, ..Spec::new(ecs, "DescribeKeyPairs", &params, 77) };
        assert_eq!(send(&emulator, &ahead).await.code(), "", "{signing:?}: the first use");

        // At exactly 2 × skew the stamp is still valid (the skew check refuses only beyond the
        // bound), so the memory must still hold the nonce then.
        clock.advance_millis(2 * ECS_SKEW * 1000);
        let fresh_nonce = Spec { nonce: 78, ..ahead };
        assert_eq!(send(&emulator, &fresh_nonce).await.code(), "", "{signing:?}: the stamp is still within the skew");
        let replay = Spec { nonce: 77, ..fresh_nonce };
        let answer = send(&emulator, &replay).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, "SignatureNonceUsed"),
            "{signing:?}: the replay near the window's end: {}",
            answer.text
        );

        clock.advance_millis(1000);
        assert_eq!(send(&emulator, &replay).await.code(), "InvalidTimeStamp.Expired", "{signing:?}: now the stamp has expired");
        // …so the nonce may be forgotten: memory does not grow for ever.
        let reused = Spec { now: NOW + 2 * ECS_SKEW + 1, ..replay };
        assert_eq!(send(&emulator, &reused).await.code(), "", "{signing:?}: a nonce is forgotten after twice the skew");
    }
}

/// Tencent keeps no nonce memory (apis.md: the Nonce only feeds the signature), so this only pins
/// that the same signed request twice within the window is served twice, and differs from ECS.
#[tokio::test]
async fn tencent_serves_the_same_request_twice() {
    let (emulator, _clock) = emulator();
    let params = json!({});
    let spec = Spec::new(&apis::tencent_api3::CVM, "DescribeKeyPairs", &params, 5);
    assert_eq!(send(&emulator, &spec).await.code(), "");
    assert_eq!(send(&emulator, &spec).await.code(), "");
}
