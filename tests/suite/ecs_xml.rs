//! ECS answers in XML (`Format=XML`, and the documented default when `Format` is absent), parsed
//! as XML by a real parser (roxmltree), not searched as text: the document is well formed, the
//! root is `<ActionResponse>` or `<Error>`, text that needs escaping survives the round trip, and
//! the XML carries the same fields and values as the JSON answer for the same state.

use crate::common;
use std::sync::Arc;

use crate::common::{SECRET_ID, SECRET_KEY, emulator};
use axum::body::Body;
use axum::http::Request;
use keypair_contract::emulator::{Emulator, router};
use keypair_contract::{keys, sign};
use serde_json::{Map, Value};
use tower::ServiceExt as _;

/// A tag value that must be escaped in XML.
const AWKWARD: &str = "a<b & \"c\" 'd'>";

/// An RPC-signed GET of `action` with `params`, `Format` as given (absent if `None`).
async fn rpc(emulator: &Arc<Emulator>, action: &str, params: &[(&str, &str)], format: Option<&str>, nonce: u64) -> (u16, String, String) {
    let mut pairs: Vec<(String, String)> = [
        ("Action", action),
        ("Version", "2014-05-26"),
        ("RegionId", "cn-hangzhou"),
        ("AccessKeyId", SECRET_ID),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2025-01-01T00:00:00Z"),
    ]
    .iter()
    .chain(params.iter())
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    pairs.push(("SignatureNonce".into(), format!("xml-{nonce}")));
    if let Some(format) = format {
        pairs.push(("Format".into(), format.into()));
    }
    pairs.push(("Signature".into(), sign::acs_rpc::sign("GET", &pairs, SECRET_KEY)));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    let request = Request::builder().method("GET").uri(format!("/?{query}")).header("host", common::HOST).body(Body::empty()).unwrap();
    let response = router(emulator.clone()).oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, content_type, String::from_utf8(bytes.to_vec()).unwrap())
}

/// An element as JSON: children become fields (a repeated name becomes a list), a leaf its text.
fn to_json(node: roxmltree::Node) -> Value {
    let children: Vec<roxmltree::Node> = node.children().filter(|c| c.is_element()).collect();
    if children.is_empty() {
        return Value::String(node.text().unwrap_or("").to_string());
    }
    let mut map = Map::new();
    for child in children {
        let name = child.tag_name().name().to_string();
        let value = to_json(child);
        match map.get_mut(&name) {
            None => {
                map.insert(name, value);
            }
            Some(Value::Array(items)) => items.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
        }
    }
    Value::Object(map)
}

/// JSON with every scalar as the text XML would carry, and `RequestId` dropped.
fn as_text(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().filter(|(k, _)| *k != "RequestId").map(|(k, v)| (k.clone(), as_text(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(as_text).collect()),
        Value::String(s) => Value::String(s.clone()),
        Value::Null => Value::String(String::new()),
        other => Value::String(other.to_string()),
    }
}

fn parse(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {text}"))
}

#[tokio::test]
async fn create_answers_a_well_formed_document_with_a_usable_private_key() {
    let (emulator, _clock) = emulator();
    let (status, content_type, text) = rpc(&emulator, "CreateKeyPair", &[("KeyPairName", "xml-created")], Some("XML"), 1).await;
    assert_eq!(status, 200, "{text}");
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    let document = parse(&text);
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "CreateKeyPairResponse");
    let fields = to_json(root);
    for name in ["RequestId", "KeyPairId", "KeyPairName", "KeyPairFingerPrint", "PrivateKeyBody"] {
        assert!(fields.get(name).is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty())), "<{name}> in {text}");
    }
    assert_eq!(fields["KeyPairName"], "xml-created");
    // The PEM's line breaks survive: the parsed text is a key whose fingerprint is the one answered.
    let pem = fields["PrivateKeyBody"].as_str().unwrap();
    let blob = keys::public_blob_of_pem(pem).unwrap_or_else(|e| panic!("PrivateKeyBody from XML: {e:?}"));
    assert_eq!(fields["KeyPairFingerPrint"], keys::md5_fingerprint(&blob).as_str());
}

#[tokio::test]
async fn describe_in_xml_says_what_json_says() {
    let (emulator, _clock) = emulator();
    let tags = [("Tag.1.Key", "team"), ("Tag.1.Value", AWKWARD), ("Tag.2.Key", "env"), ("Tag.2.Value", "ci")];
    for (nonce, name) in ["xml-one", "xml-two"].into_iter().enumerate() {
        let mut params = vec![("KeyPairName", name)];
        params.extend(tags);
        let (status, _, text) = rpc(&emulator, "CreateKeyPair", &params, Some("JSON"), nonce as u64 + 1).await;
        assert_eq!(status, 200, "{text}");
    }
    let describe = [("IncludePublicKey", "true")];
    let (_, _, json_text) = rpc(&emulator, "DescribeKeyPairs", &describe, Some("JSON"), 10).await;
    let (status, content_type, xml_text) = rpc(&emulator, "DescribeKeyPairs", &describe, Some("XML"), 11).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    let document = parse(&xml_text);
    assert_eq!(document.root_element().tag_name().name(), "DescribeKeyPairsResponse");
    let from_xml = to_json(document.root_element());
    let from_json: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(as_text(&from_xml), as_text(&from_json), "XML: {xml_text}\nJSON: {json_text}");
    assert_eq!(from_xml["TotalCount"], "2");
    let first_tags = from_xml.pointer("/KeyPairs/KeyPair/0/Tags/Tag").and_then(Value::as_array).unwrap_or_else(|| panic!("{xml_text}"));
    assert!(first_tags.iter().any(|t| t["TagValue"] == AWKWARD), "the escaped value reads back as sent: {first_tags:?}");

    // No Format: XML is the documented default.
    let (_, content_type, default_text) = rpc(&emulator, "DescribeKeyPairs", &describe, None, 12).await;
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    assert_eq!(as_text(&to_json(parse(&default_text).root_element())), as_text(&from_json));
}

#[tokio::test]
async fn errors_in_xml_are_an_error_document_with_the_code_and_status() {
    let (emulator, _clock) = emulator();
    let (status, _, text) = rpc(&emulator, "CreateKeyPair", &[("KeyPairName", "-bad")], Some("XML"), 1).await;
    assert_eq!(status, 400, "{text}");
    let document = parse(&text);
    assert_eq!(document.root_element().tag_name().name(), "Error");
    let fields = to_json(document.root_element());
    assert_eq!(fields["Code"], "InvalidKeyPairName.Malformed", "{text}");
    for name in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(fields.get(name).and_then(Value::as_str).is_some_and(|s| !s.is_empty()), "<{name}> in {text}");
    }
    let (status, _, text) = rpc(&emulator, "DescribeKeyPairs", &[], Some("YAML"), 2).await;
    assert_eq!(status, 400);
    assert_eq!(to_json(parse(&text).root_element())["Code"], "InvalidParameter.Format", "{text}");
}

/// `body` without the fields that differ between two requests (`RequestId`, and `Recommend`,
/// which quotes it).
fn without_request_ids(mut body: Value) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.remove("RequestId");
        map.remove("Recommend");
    }
    body
}

#[tokio::test]
async fn the_harness_reads_the_xml_answer_as_the_json_answer() {
    let wire = keypair_contract::apis::aliyun_rpc::ECS.wire;
    let (emulator, _clock) = emulator();
    // One key pair with one tag, one with none: lists of one item and of none stay lists.
    let created = [vec![("KeyPairName", "xml-tagged"), ("Tag.1.Key", "team"), ("Tag.1.Value", AWKWARD)], vec![("KeyPairName", "xml-bare")]];
    for (nonce, params) in created.iter().enumerate() {
        let (status, _, text) = rpc(&emulator, "CreateKeyPair", params, Some("JSON"), nonce as u64 + 1).await;
        assert_eq!(status, 200, "{text}");
    }
    let asks: [(&str, &[(&str, &str)]); 4] = [
        ("DescribeKeyPairs", &[("IncludePublicKey", "true")]),
        ("DescribeKeyPairs", &[("KeyPairName", "xml-bare")]),
        ("DescribeKeyPairs", &[("KeyPairName", "nothing-by-this-name")]),
        ("CreateKeyPair", &[("KeyPairName", "-bad")]),
    ];
    for (i, (action, params)) in asks.into_iter().enumerate() {
        let (json_status, json_type, json_text) = rpc(&emulator, action, params, Some("JSON"), 100 + 2 * i as u64).await;
        let (xml_status, xml_type, xml_text) = rpc(&emulator, action, params, Some("XML"), 101 + 2 * i as u64).await;
        assert_eq!(json_status, xml_status, "{action} {params:?}");
        let from_json = wire.parse_body(&json_type, &json_text).unwrap_or_else(|f| panic!("not {f}: {json_text}"));
        let from_xml = wire.parse_body(&xml_type, &xml_text).unwrap_or_else(|f| panic!("not {f}: {xml_text}"));
        assert!(from_xml.get("RequestId").is_some_and(Value::is_string), "{xml_text}");
        assert_eq!(
            without_request_ids(from_xml),
            without_request_ids(from_json),
            "{action} {params:?}\nXML: {xml_text}\nJSON: {json_text}"
        );
    }
}
