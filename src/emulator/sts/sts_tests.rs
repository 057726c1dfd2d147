//! GetCallerIdentity on both clouds without a port: requests signed by the harness's builders (which
//! tests/suite/request_builders_vs_sdk.rs holds to the official SDKs' bytes), answered by the
//! emulator's STS, and what it claims and refuses.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Sts, aliyun, tencent};
use crate::apis::sts::{ALIYUN_STS, TENCENT_STS};
use crate::apis::{Call, Credentials, Outgoing, Signer, Signing, build_request, tencent_api3};
use crate::clock::ManualClock;
use crate::emulator::accounts::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
use crate::emulator::registry::Provider;
use crate::emulator::wire::RawRequest;
use crate::emulator::{Emulator, EmulatorConfig};
use crate::test_support::raw_request;

/// 2025-01-01T00:00:00Z.
const NOW: i64 = 1_735_689_600;
const HOST: &str = "127.0.0.1:18080";

fn emulator() -> Arc<Emulator> {
    Emulator::new(EmulatorConfig { clock: ManualClock::at_secs(NOW), ..EmulatorConfig::default() }).with_default_account()
}

fn account_id(emulator: &Emulator) -> String {
    emulator.accounts.get(DEFAULT_SECRET_ID).unwrap().id.clone()
}

/// What the front door would hand over for `out`, with the Host the client sends.
fn raw_of(out: &Outgoing) -> RawRequest {
    let url: reqwest::Url = out.url.parse().unwrap();
    let mut headers: Vec<(&str, &str)> = out.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    headers.push(("host", HOST));
    raw_request(&out.method, url.path(), url.query().unwrap_or(""), &headers, &out.body)
}

/// `GetCallerIdentity` (or `action`) through `api`'s own builder, signed with `secret` at `now`.
fn signed(api: &'static crate::apis::ApiProfile, signing: Signing, action: &str, secret: &str, now: i64) -> RawRequest {
    let params = json!({});
    let call = Call { signing, ..Call::defaults(api, action, &params) };
    let credentials = Credentials { id: DEFAULT_SECRET_ID.into(), secret: secret.into() };
    raw_of(&build_request(api, &format!("http://{HOST}").parse().unwrap(), &call, &credentials, now, 7).unwrap())
}

/// Tencent STS over signature v1 (what tccli's older path sends), `Timestamp` as given.
fn v1(version: &str, timestamp: i64, secret: &str) -> RawRequest {
    let params = json!({});
    let call = Call {
        action: "GetCallerIdentity",
        version,
        region: Some("ap-guangzhou"),
        method: "GET",
        signing: Signing::HmacSha1,
        params: &params,
    };
    let signer = Signer { id: DEFAULT_SECRET_ID, secret, token: None, now_secs: timestamp, nonce: 7 };
    raw_of(&tencent_api3::build_v1(&format!("http://{HOST}/"), HOST, "/", &call, &signer, false))
}

fn body(response: axum::response::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = block_on(axum::body::to_bytes(response.into_body(), 1 << 16)).unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
}

fn tencent_code(body: &Value) -> &str {
    body.pointer("/Response/Error/Code").and_then(Value::as_str).unwrap_or("ok")
}

#[test]
fn tencent_names_the_account_over_tc3_and_v1() {
    let emulator = emulator();
    let account = account_id(&emulator);
    for raw in [signed(&TENCENT_STS, Signing::Tc3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW), v1("2018-08-13", NOW, DEFAULT_SECRET_KEY)]
    {
        assert!(tencent::claims(&raw) && !aliyun::claims(&raw));
        let (status, body) = body(tencent::handle(&emulator, &raw));
        assert_eq!(status, 200);
        let answer = &body["Response"];
        assert_eq!(answer["AccountId"], account.as_str(), "{body}");
        assert_eq!(answer["Arn"], format!("qcs::cam::uin/{account}:uin/{account}"));
        assert_eq!((answer["Type"].as_str(), answer["UserId"].as_str()), (Some("RootAccount"), Some(account.as_str())));
    }
}

#[test]
fn tencent_refuses_a_timestamp_beyond_five_minutes_and_extreme_ones_without_overflow() {
    let emulator = emulator();
    for (timestamp, code) in [
        (NOW - 300, "ok"),
        (NOW + 300, "ok"),
        (NOW - 301, "AuthFailure.SignatureExpire"),
        (NOW + 301, "AuthFailure.SignatureExpire"),
        (i64::MIN, "AuthFailure.SignatureExpire"),
        (i64::MAX, "AuthFailure.SignatureExpire"),
    ] {
        let (_, body) = body(tencent::handle(&emulator, &v1("2018-08-13", timestamp, DEFAULT_SECRET_KEY)));
        assert_eq!(tencent_code(&body), code, "{timestamp}: {body}");
    }
}

#[test]
fn tencent_refuses_what_is_not_a_well_signed_get_caller_identity() {
    let emulator = emulator();
    let code = |raw: &RawRequest| body(tencent::handle(&emulator, raw)).1["Response"]["Error"]["Code"].as_str().unwrap_or("ok").to_string();
    assert_eq!(code(&signed(&TENCENT_STS, Signing::Tc3, "GetCallerIdentity", "wrong", NOW)), "AuthFailure.SignatureFailure");
    assert_eq!(code(&v1("2018-08-13", NOW, "wrong")), "AuthFailure.SignatureFailure");
    assert_eq!(code(&signed(&TENCENT_STS, Signing::Tc3, "AssumeRole", DEFAULT_SECRET_KEY, NOW)), "InvalidAction");
    let mut other_version = signed(&TENCENT_STS, Signing::Tc3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    other_version.headers.iter_mut().filter(|(k, _)| k == "X-TC-Version").for_each(|(_, v)| *v = "2019-01-01".into());
    // X-TC-Version is not signed (ledger L-TC-6), so only the version check refuses it.
    assert_eq!(code(&other_version), "InvalidParameter");
    let mut unknown = signed(&TENCENT_STS, Signing::Tc3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    unknown.headers.iter_mut().filter(|(k, _)| k == "Authorization").for_each(|(_, v)| *v = v.replace(DEFAULT_SECRET_ID, "AKIDnobody"));
    assert_eq!(code(&unknown), "AuthFailure.SecretIdNotFound");
    let mut untimed = signed(&TENCENT_STS, Signing::Tc3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    untimed.headers.retain(|(k, _)| k != "X-TC-Timestamp");
    assert_eq!(code(&untimed), "MissingParameter");
    let mut malformed = signed(&TENCENT_STS, Signing::Tc3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    malformed.headers.iter_mut().filter(|(k, _)| k == "Authorization").for_each(|(_, v)| *v = "TC3-HMAC-SHA256 Credential=x".into());
    assert_eq!(code(&malformed), "AuthFailure.InvalidAuthorization");
    let v1_untimed =
        raw_request("GET", "/", &format!("SecretId={DEFAULT_SECRET_ID}&Version=2018-08-13&Action=GetCallerIdentity"), &[], b"");
    assert_eq!(code(&v1_untimed), "MissingParameter");
}

#[test]
fn tencent_claims_only_sts_calls_on_the_root_path() {
    assert!(!tencent::claims(&v1("2017-03-12", NOW, DEFAULT_SECRET_KEY)), "a CVM v1 call");
    let mut elsewhere = v1("2018-08-13", NOW, DEFAULT_SECRET_KEY);
    elsewhere.path = "/v2/index.php".into();
    assert!(!tencent::claims(&elsewhere));
    let mut cvm = signed(&TENCENT_STS, Signing::Tc3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    cvm.headers.iter_mut().filter(|(k, _)| k == "Authorization").for_each(|(_, v)| *v = v.replace("/sts/tc3_request", "/cvm/tc3_request"));
    assert!(!tencent::claims(&cvm));
    // A malformed header that names the scope is left to the API 3.0 front door, which refuses it.
    cvm.headers
        .iter_mut()
        .filter(|(k, _)| k == "Authorization")
        .for_each(|(_, v)| *v = "TC3-HMAC-SHA256 Credential=AKID/2025-01-01/sts/tc3_request".into());
    assert!(!tencent::claims(&cvm));
    let no_secret = raw_request("GET", "/", "Version=2018-08-13&Action=GetCallerIdentity", &[], b"");
    assert!(!tencent::claims(&no_secret));
}

#[test]
fn alibaba_names_the_account_over_rpc_and_acs3() {
    let emulator = emulator();
    let account = account_id(&emulator);
    for signing in [Signing::AcsRpc, Signing::Acs3] {
        let raw = signed(&ALIYUN_STS, signing, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
        assert!(aliyun::claims(&raw) && !tencent::claims(&raw), "{signing:?}");
        let (status, body) = body(aliyun::handle(&emulator, &raw));
        assert_eq!(status, 200, "{signing:?}: {body}");
        assert_eq!(body["AccountId"], account.as_str());
        assert_eq!(body["Arn"], format!("acs:ram::{account}:root"));
        assert_eq!(body["IdentityType"], "Account");
        let request_id = body["RequestId"].as_str().unwrap();
        assert_eq!(request_id, request_id.to_ascii_uppercase(), "Alibaba request ids are upper case");
    }
    // An Authorization header of another scheme (a proxy's, say) does not make an RPC call ACS3.
    let mut rpc = signed(&ALIYUN_STS, Signing::AcsRpc, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    rpc.headers.push(("authorization".into(), "Bearer abc".into()));
    assert_eq!(body(aliyun::handle(&emulator, &rpc)).1["AccountId"], account.as_str());
}

#[test]
fn alibaba_refuses_with_its_documented_status_and_code() {
    let emulator = emulator();
    let answer = |raw: &RawRequest| {
        let (status, body) = body(aliyun::handle(&emulator, raw));
        (status, body["Code"].as_str().unwrap_or("ok").to_string())
    };
    assert_eq!(answer(&signed(&ALIYUN_STS, Signing::AcsRpc, "GetCallerIdentity", "wrong", NOW)), (400, "SignatureDoesNotMatch".into()));
    assert_eq!(answer(&signed(&ALIYUN_STS, Signing::Acs3, "GetCallerIdentity", "wrong", NOW)), (400, "SignatureDoesNotMatch".into()));
    assert_eq!(
        answer(&signed(&ALIYUN_STS, Signing::AcsRpc, "AssumeRole", DEFAULT_SECRET_KEY, NOW)),
        (404, "InvalidAction.NotFound".into())
    );
    let mut unknown = signed(&ALIYUN_STS, Signing::AcsRpc, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    unknown.body = String::from_utf8(unknown.body).unwrap().replace(DEFAULT_SECRET_ID, "LTAInobody").into_bytes();
    assert_eq!(answer(&unknown), (404, "InvalidAccessKeyId.NotFound".into()));
    let mut malformed = signed(&ALIYUN_STS, Signing::Acs3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    malformed.headers.iter_mut().filter(|(k, _)| k == "Authorization").for_each(|(_, v)| *v = "ACS3-HMAC-SHA256 Credential=x".into());
    assert_eq!(answer(&malformed), (400, "IncompleteSignature".into()));
}

#[test]
fn alibaba_claims_its_version_only_on_the_root_path() {
    let rpc = signed(&ALIYUN_STS, Signing::AcsRpc, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    let mut elsewhere = rpc.clone();
    elsewhere.path = "/sts".into();
    assert!(!aliyun::claims(&elsewhere));
    let mut ecs = rpc.clone();
    ecs.body = String::from_utf8(ecs.body).unwrap().replace("2015-04-01", "2014-05-26").into_bytes();
    assert!(!aliyun::claims(&ecs), "an ECS call");
    let mut anonymous = rpc;
    anonymous.body = String::from_utf8(anonymous.body).unwrap().replace("AccessKeyId=", "Other=").into_bytes();
    assert!(!aliyun::claims(&anonymous), "no AccessKeyId");
    let mut acs3 = signed(&ALIYUN_STS, Signing::Acs3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW);
    acs3.headers.iter_mut().filter(|(k, _)| k == "x-acs-version").for_each(|(_, v)| *v = "2014-05-26".into());
    assert!(!aliyun::claims(&acs3), "an ECS ACS3 call");
    acs3.query.push_str("&Version=2015-04-01");
    assert!(aliyun::claims(&acs3), "the version as a parameter");
}

#[test]
fn the_provider_routes_each_cloud_and_logs_the_status_as_the_outcome() {
    let emulator = emulator();
    let served = |raw: RawRequest| block_on(Sts.handle(&emulator, &raw));
    let tencent = served(signed(&TENCENT_STS, Signing::Tc3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW));
    assert_eq!((tencent.route.as_str(), tencent.response.status().as_u16()), ("tencent-sts", 200));
    let aliyun = served(signed(&ALIYUN_STS, Signing::AcsRpc, "GetCallerIdentity", "wrong", NOW));
    assert_eq!((aliyun.route.as_str(), aliyun.response.status().as_u16()), ("aliyun-sts", 400));
    assert_eq!(aliyun.outcome, crate::emulator::wire::Outcome::error("400", None));
    assert!(Sts.claims(&signed(&ALIYUN_STS, Signing::Acs3, "GetCallerIdentity", DEFAULT_SECRET_KEY, NOW)));
    assert!(!Sts.claims(&v1("2017-03-12", NOW, DEFAULT_SECRET_KEY)));
    assert_eq!(Sts.name(), "sts");
}
