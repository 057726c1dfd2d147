//! The Alibaba ECS emulator, through `router()` with no port:
//!
//! * raw requests recorded from both official SDKs (`tests/vectors/sdk-requests/alibaba-ecs-*.json`),
//!   replayed with the clock at their pinned time (2025-01-01T00:00:00Z) and the vectors' account
//!   `LTAIEXAMPLE` / `secretEXAMPLE`: accepted ones pass authentication and succeed, wrong-secret
//!   ones get `SignatureDoesNotMatch` with the server's string to sign after a colon, and a replay
//!   gets `SignatureNonceUsed`;
//! * requests the harness signs itself (`apis::aliyun_rpc`), for the documented errors,
//!   envelopes and formats.
//!
//! Every JSON answer is validated against `schemas/aliyun-ecs/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use keypair_contract::apis::{self, Call, Credentials, Signing, aliyun_rpc};
use keypair_contract::clock::{Clock, ManualClock};
use keypair_contract::emulator::accounts::{AccountSettings, Fault};
use keypair_contract::emulator::{self, Emulator, EmulatorConfig};
use keypair_contract::sign;
use serde_json::{Value, json};
use tower::ServiceExt as _;

const ACCESS_KEY_ID: &str = "LTAIEXAMPLE";
const SECRET: &str = "secretEXAMPLE";
const VECTOR_TIME: i64 = 1_735_689_600;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Fixture {
    emulator: Arc<Emulator>,
    clock: Arc<ManualClock>,
}

fn fixture() -> Fixture {
    let clock = ManualClock::at_secs(VECTOR_TIME);
    let config = EmulatorConfig { clock: clock.clone(), ..EmulatorConfig::default() };
    let emulator = Emulator::new(config);
    emulator.accounts.add(ACCESS_KEY_ID, SECRET, AccountSettings::default());
    Fixture { emulator, clock }
}

/// The answer: status, Content-Type and the body (JSON parsed, else the text as a JSON string).
struct Answer {
    status: StatusCode,
    content_type: String,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body.get("Code").and_then(Value::as_str).unwrap_or("")
    }
}

async fn send(emulator: &Arc<Emulator>, request: Request<Body>) -> Answer {
    let response = emulator::router(emulator.clone()).oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Answer { status, content_type, body }
}

// ---------------------------------------------------------------------------------------------
// Schemas

fn validate(schema: &str, instance: &Value) {
    let path = root().join("schemas/aliyun-ecs").join(format!("{schema}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema_value: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft202012::new(&schema_value).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let errors: Vec<String> = validator.iter_errors(instance).map(|e| format!("{}: {}", e.instance_path(), e.masked())).collect();
    assert!(errors.is_empty(), "schemas/aliyun-ecs/{schema}.json rejects the answer: {errors:#?}");
}

/// Checks an answer's envelope and validates it against its schema.
fn check(answer: &Answer, action: &str) {
    assert!(answer.content_type.starts_with("application/json"), "Content-Type {}", answer.content_type);
    if answer.status.is_success() {
        validate(action, &answer.body);
    } else {
        validate("error", &answer.body);
    }
}

// ---------------------------------------------------------------------------------------------
// Recorded SDK requests

struct Vector {
    name: String,
    json: Value,
}

impl Vector {
    fn action(&self) -> &str {
        self.json["action"].as_str().unwrap()
    }

    fn accepted(&self) -> bool {
        self.json["expected_verdict"] == "accept"
    }

    fn sdk(&self) -> &str {
        if self.name.contains("-rpcsdk-") { "rpcsdk" } else { "v3sdk" }
    }

    fn request(&self) -> Request<Body> {
        let r = &self.json["request"];
        let mut builder = Request::builder().method(r["method"].as_str().unwrap()).uri(r["target"].as_str().unwrap());
        for pair in r["headers"].as_array().unwrap() {
            builder = builder.header(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        }
        let body = base64::engine::general_purpose::STANDARD.decode(r["body_base64"].as_str().unwrap_or("")).unwrap();
        builder.body(Body::from(body)).unwrap()
    }
}

/// The accepted DescribeKeyPairs vectors, one per SDK; finding another number is an error, so a
/// loop over them cannot pass by running zero times.
fn accepted_describes() -> Vec<Vector> {
    let found: Vec<Vector> = vectors().into_iter().filter(|v| v.accepted() && v.action() == "DescribeKeyPairs").collect();
    assert_eq!(found.len(), 2, "one accepted DescribeKeyPairs vector per SDK");
    found
}

fn vectors() -> Vec<Vector> {
    let dir = root().join("tests/vectors/sdk-requests");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("alibaba-ecs-") && n.ends_with(".json")))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no alibaba-ecs-*.json vectors under {}", dir.display());
    paths
        .into_iter()
        .map(|p| Vector {
            name: p.file_name().unwrap().to_string_lossy().into(),
            json: serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
        })
        .collect()
}

#[tokio::test]
async fn every_accepted_vector_succeeds_on_its_own() {
    let accepted: Vec<Vector> = vectors().into_iter().filter(Vector::accepted).collect();
    assert_eq!(accepted.len(), 8, "both SDKs' four actions");
    for vector in accepted {
        let f = fixture();
        let answer = send(&f.emulator, vector.request()).await;
        assert_eq!(answer.status, StatusCode::OK, "{}: {}", vector.name, answer.body);
        check(&answer, vector.action());
    }
}

#[tokio::test]
async fn each_sdk_runs_create_describe_delete_import() {
    let all = vectors();
    for sdk in ["rpcsdk", "v3sdk"] {
        let f = fixture();
        let find = |action: &str| {
            all.iter().find(|v| v.sdk() == sdk && v.action() == action && v.accepted()).unwrap_or_else(|| panic!("{sdk} {action}"))
        };
        let created = send(&f.emulator, find("CreateKeyPair").request()).await;
        assert_eq!(created.status, StatusCode::OK, "{sdk}: {}", created.body);
        check(&created, "CreateKeyPair");
        assert_eq!(created.body["KeyPairName"], "vector-key-1");

        let described = send(&f.emulator, find("DescribeKeyPairs").request()).await;
        check(&described, "DescribeKeyPairs");
        assert_eq!(described.body["TotalCount"], 1, "{sdk}: {}", described.body);
        let item = &described.body["KeyPairs"]["KeyPair"][0];
        assert_eq!(item["KeyPairFingerPrint"], created.body["KeyPairFingerPrint"]);
        let public_half = keypair_contract::keys::public_half_of_pem(created.body["PrivateKeyBody"].as_str().unwrap()).unwrap();
        assert_eq!(item["PublicKey"].as_str().unwrap(), public_half, "{sdk}: the private key belongs to the listed public key");

        let deleted = send(&f.emulator, find("DeleteKeyPairs").request()).await;
        assert_eq!(deleted.status, StatusCode::OK, "{sdk}: {}", deleted.body);
        check(&deleted, "DeleteKeyPairs");

        let imported = send(&f.emulator, find("ImportKeyPair").request()).await;
        assert_eq!(imported.status, StatusCode::OK, "{sdk}: the name is free again: {}", imported.body);
        check(&imported, "ImportKeyPair");
        let sent = find("ImportKeyPair").json["request"]["query"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == "PublicKeyBody")
            .map(|p| p[1].as_str().unwrap().to_string())
            .unwrap();
        let blob = keypair_contract::keys::parse_openssh_public(&sent).unwrap().blob;
        assert_eq!(imported.body["KeyPairFingerPrint"], keypair_contract::keys::md5_fingerprint(&blob));
        let ecs = f.emulator.provider::<keypair_contract::emulator::aliyun_ecs::Ecs>().unwrap();
        let state = ecs.store.list(&f.emulator.accounts.get(ACCESS_KEY_ID).unwrap().id);
        assert_eq!(state.len(), 1);
        assert_eq!(state[0].region_id, "cn-hangzhou");
    }
}

#[tokio::test]
async fn wrong_secret_vectors_get_signature_does_not_match_with_the_string_to_sign() {
    let rejected: Vec<Vector> = vectors().into_iter().filter(|v| !v.accepted()).collect();
    assert_eq!(rejected.len(), 2, "one wrong-secret vector per SDK");
    for vector in rejected {
        let f = fixture();
        let answer = send(&f.emulator, vector.request()).await;
        assert_eq!((answer.status, answer.code()), (StatusCode::BAD_REQUEST, "SignatureDoesNotMatch"), "{}", vector.name);
        check(&answer, vector.action());
        let message = answer.body["Message"].as_str().unwrap();
        // aliyun-python-sdk-core takes what follows the colon as the server's string to sign.
        let (_, server_sts) = message.split_once(':').unwrap_or_else(|| panic!("{}: no colon in {message:?}", vector.name));
        assert_eq!(server_sts, vector.json["derived"]["string_to_sign"].as_str().unwrap(), "{}", vector.name);
    }
}

#[tokio::test]
async fn a_replayed_request_is_refused() {
    for vector in accepted_describes() {
        let f = fixture();
        assert_eq!(send(&f.emulator, vector.request()).await.status, StatusCode::OK);
        f.clock.advance_millis(60_000);
        let again = send(&f.emulator, vector.request()).await;
        assert_eq!((again.status, again.code()), (StatusCode::BAD_REQUEST, "SignatureNonceUsed"), "{}", vector.name);
        check(&again, "DescribeKeyPairs");
    }
}

#[tokio::test]
async fn stale_requests_and_unknown_keys_are_refused() {
    for vector in accepted_describes() {
        let f = fixture();
        f.clock.advance_millis(15 * 60 * 1000 + 1000);
        let stale = send(&f.emulator, vector.request()).await;
        assert_eq!((stale.status, stale.code()), (StatusCode::BAD_REQUEST, "InvalidTimeStamp.Expired"), "{}", vector.name);

        let stranger = Emulator::new(EmulatorConfig { clock: ManualClock::at_secs(VECTOR_TIME), ..EmulatorConfig::default() });
        let unknown = send(&stranger, vector.request()).await;
        assert_eq!((unknown.status, unknown.code()), (StatusCode::NOT_FOUND, "InvalidAccessKeyId.NotFound"), "{}", vector.name);
        check(&unknown, "DescribeKeyPairs");
    }
}

// ---------------------------------------------------------------------------------------------
// Requests the harness signs

struct Client {
    fixture: Fixture,
    nonce: std::cell::Cell<u64>,
}

impl Client {
    fn new() -> Self {
        Self { fixture: fixture(), nonce: std::cell::Cell::new(1) }
    }

    fn emulator(&self) -> &Arc<Emulator> {
        &self.fixture.emulator
    }

    fn settings(&self, settings: Value) {
        let settings: AccountSettings = serde_json::from_value(settings).unwrap();
        self.emulator().accounts.get(ACCESS_KEY_ID).unwrap().update_settings(settings);
    }

    async fn call(&self, action: &str, params: Value, signing: Signing) -> Answer {
        self.call_with(action, "2014-05-26", params, signing).await
    }

    async fn call_with(&self, action: &str, version: &str, params: Value, signing: Signing) -> Answer {
        let nonce = self.nonce.get();
        self.nonce.set(nonce + 1);
        let call = Call { action, version, region: Some("cn-hangzhou"), method: "POST", signing, params: &params };
        let credentials = Credentials { id: ACCESS_KEY_ID.into(), secret: SECRET.into() };
        let base: reqwest::Url = "http://127.0.0.1:18080".parse().unwrap();
        let now = self.fixture.clock.now_secs();
        let out = apis::build_request(&aliyun_rpc::ECS, &base, &call, &credentials, now, nonce).unwrap();
        send(self.emulator(), out.to_http()).await
    }
}

async fn expect(client: &Client, action: &str, params: Value, status: u16, code: &str) -> Answer {
    let answer = client.call(action, params.clone(), Signing::AcsRpc).await;
    assert_eq!((answer.status.as_u16(), answer.code()), (status, code), "{action} {params}: {}", answer.body);
    check(&answer, action);
    answer
}

#[tokio::test]
async fn both_signatures_of_the_harness_are_accepted() {
    let client = Client::new();
    for (signing, name) in [(Signing::AcsRpc, "rpc-key"), (Signing::Acs3, "acs3-key")] {
        let answer = client.call("CreateKeyPair", json!({"KeyPairName": name}), signing).await;
        assert_eq!(answer.status, StatusCode::OK, "{signing:?}: {}", answer.body);
        check(&answer, "CreateKeyPair");
    }
    let listed = client.call("DescribeKeyPairs", json!({"KeyPairName": "*-key"}), Signing::Acs3).await;
    assert_eq!(listed.body["TotalCount"], 2);
}

#[tokio::test]
async fn documented_errors_with_their_statuses() {
    let client = Client::new();
    expect(&client, "CreateKeyPair", json!({"KeyPairName": "ok-1"}), 200, "").await;
    expect(&client, "CreateKeyPair", json!({"KeyPairName": "ok-1"}), 400, "KeyPair.AlreadyExist").await;
    expect(&client, "CreateKeyPair", json!({"KeyPairName": "1bad"}), 400, "InvalidKeyPairName.Malformed").await;
    expect(&client, "CreateKeyPair", json!({"KeyPairName": "k2", "RegionId": "cn-atlantis"}), 404, "InvalidRegionId.NotFound").await;
    expect(&client, "CreateKeyPair", json!({"KeyPairName": "k2", "RegionId": null}), 400, "MissingParameter").await;
    expect(&client, "CreateKeyPair", json!({"KeyPairName": "k2", "ResourceGroupId": "rg-x"}), 404, "InvalidResourceGroup.NotFound").await;
    let tags = |key: &str, value: &str| json!({"KeyPairName": "k2", "Tag": [{"Key": key, "Value": value}]});
    expect(&client, "CreateKeyPair", tags("acs:k", "v"), 400, "InvalidTagKey.Malformed").await;
    expect(&client, "CreateKeyPair", tags("k", "https://x"), 400, "InvalidTagValue.Malformed").await;
    let dup = json!({"KeyPairName": "k2", "Tag": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]});
    expect(&client, "CreateKeyPair", dup, 400, "Duplicate.TagKey").await;
    let many: Vec<Value> = (0..21).map(|i| json!({"Key": format!("k{i}"), "Value": "v"})).collect();
    expect(&client, "CreateKeyPair", json!({"KeyPairName": "k2", "Tag": many}), 403, "QuotaExceed.Tags").await;
    expect(&client, "ImportKeyPair", json!({"KeyPairName": "k2"}), 400, "MissingParameter").await;
    expect(&client, "ImportKeyPair", json!({"KeyPairName": "k2", "PublicKeyBody": "ABC1234567"}), 400, "InvalidPublicKeyBody.Malformed")
        .await;
    expect(&client, "DeleteKeyPairs", json!({}), 400, "MissingParameter").await;
    expect(&client, "DeleteKeyPairs", json!({"KeyPairNames": "ok-1"}), 400, "InvalidKeyPairNames.ValueNotSupported").await;
    expect(&client, "DescribeKeyPairs", json!({"PageSize": 51}), 400, "InvalidParameter").await;
    expect(&client, "RunInstances", json!({}), 404, "InvalidApi.NotFound").await;
    let version = client.call_with("DescribeKeyPairs", "2016-03-14", json!({}), Signing::AcsRpc).await;
    assert_eq!((version.status.as_u16(), version.code()), (400, "InvalidVersion"));
}

#[tokio::test]
async fn account_settings_quota_groups_deny_faults_and_throttling() {
    let client = Client::new();
    client.settings(json!({"quotas": {"aliyun-ecs.key-pairs": 1}, "resource_groups": ["rg-team"]}));
    let created = expect(&client, "CreateKeyPair", json!({"KeyPairName": "k1", "ResourceGroupId": "rg-team"}), 200, "").await;
    assert!(created.body["KeyPairId"].as_str().unwrap().starts_with("ssh-"));
    expect(&client, "CreateKeyPair", json!({"KeyPairName": "k2"}), 403, "QuotaExceed.KeyPair").await;
    let listed = expect(&client, "DescribeKeyPairs", json!({"ResourceGroupId": "rg-team"}), 200, "").await;
    assert_eq!(listed.body["KeyPairs"]["KeyPair"][0]["ResourceGroupId"], "rg-team");

    client.settings(json!({"deny": ["aliyun-ecs:DeleteKeyPairs"]}));
    expect(&client, "DeleteKeyPairs", json!({"KeyPairNames": "[\"k1\"]"}), 403, "Forbidden.RAM").await;

    client.settings(json!({}));
    let fault = Fault { api: "aliyun-ecs".into(), action: "DescribeKeyPairs".into(), code: "InternalError".into() };
    client.emulator().accounts.get(ACCESS_KEY_ID).unwrap().add_fault(fault);
    expect(&client, "DescribeKeyPairs", json!({}), 500, "InternalError").await;
    expect(&client, "DescribeKeyPairs", json!({}), 200, "").await;

    client.settings(json!({"quotas": {"aliyun-ecs.requests-per-second": 2}}));
    expect(&client, "DescribeKeyPairs", json!({}), 200, "").await;
    expect(&client, "DescribeKeyPairs", json!({}), 200, "").await;
    expect(&client, "DescribeKeyPairs", json!({}), 400, "Throttling.User").await;
    client.fixture.clock.advance_millis(1001);
    expect(&client, "DescribeKeyPairs", json!({}), 200, "").await;
}

#[tokio::test]
async fn tags_public_keys_and_delete_round_trip() {
    let client = Client::new();
    let ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPDy39ZCHGtwLjuTRu08ab3VJjpMavdWvU3tnMHKnO124wvYfO7W8gWWee4nNN1hF5LLu5Ps08djfH98LqNWwlo= c ecdsa";
    let params = json!({"KeyPairName": "imported.key", "PublicKeyBody": ecdsa, "Tag": [{"Key": "env", "Value": "ci"}]});
    let imported = expect(&client, "ImportKeyPair", params, 200, "").await;
    // ssh-keygen -l -E md5 of this key.
    assert_eq!(imported.body["KeyPairFingerPrint"], "9d:c8:50:4a:6b:3a:58:c7:86:c7:c1:34:f8:04:00:29");
    let listed = expect(&client, "DescribeKeyPairs", json!({"Tag": [{"Key": "env"}], "IncludePublicKey": true}), 200, "").await;
    let item = &listed.body["KeyPairs"]["KeyPair"][0];
    assert_eq!(item["PublicKey"], ecdsa);
    assert_eq!(item["Tags"]["Tag"][0], json!({"TagKey": "env", "TagValue": "ci"}));
    let by_fp = json!({"KeyPairFingerPrint": "9dc8504a6b3a58c786c7c134f8040029"});
    assert_eq!(expect(&client, "DescribeKeyPairs", by_fp, 200, "").await.body["TotalCount"], 1);
    let delete = aliyun_rpc::ECS.delete_params(&["imported.key".to_string(), "never-made".to_string()]);
    expect(&client, "DeleteKeyPairs", delete, 200, "").await;
    assert_eq!(expect(&client, "DescribeKeyPairs", json!({}), 200, "").await.body["TotalCount"], 0);
}

#[tokio::test]
async fn xml_when_asked_and_by_default() {
    let f = fixture();
    let rpc = |format: Option<&str>, nonce: &str| {
        let mut params: Vec<(String, String)> = [
            ("Action", "DescribeKeyPairs"),
            ("Version", "2014-05-26"),
            ("RegionId", "cn-hangzhou"),
            ("AccessKeyId", ACCESS_KEY_ID),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", nonce),
            ("Timestamp", "2025-01-01T00:00:00Z"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if let Some(format) = format {
            params.push(("Format".into(), format.into()));
        }
        let signature = sign::acs_rpc::sign("GET", &params, SECRET);
        params.push(("Signature".into(), signature));
        let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        Request::builder().method("GET").uri(format!("/?{query}")).header("host", "127.0.0.1").body(Body::empty()).unwrap()
    };
    let xml = send(&f.emulator, rpc(Some("XML"), "n1")).await;
    assert_eq!(xml.status, StatusCode::OK);
    assert!(xml.content_type.starts_with("text/xml"), "{}", xml.content_type);
    let text = xml.body.as_str().unwrap();
    assert!(text.contains("<DescribeKeyPairsResponse><RequestId>") && text.contains("<TotalCount>0</TotalCount>"), "{text}");
    let default = send(&f.emulator, rpc(None, "n2")).await;
    assert!(default.content_type.starts_with("text/xml"), "XML is the documented default");
    let bad = send(&f.emulator, rpc(Some("YAML"), "n3")).await;
    assert!(bad.body.as_str().unwrap().contains("<Code>InvalidParameter.Format</Code>"));
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
