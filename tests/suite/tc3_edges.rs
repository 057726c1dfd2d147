//! TC3-HMAC-SHA256 edges the vectors do not reach, through the signer's public functions: each
//! empty part of the credential scope on its own, when a payload counts as unsigned, and the rule
//! that `SignedHeaders` must include both `content-type` and `host` even when the signature over the
//! headers actually named is right. Found by mutation testing (docs/mutation-testing.md).

use keypair_contract::sign::{HttpParts, SignatureError, tc3};

const TIMESTAMP: i64 = 1_735_689_600;
const SECRET: &str = "secretEXAMPLE";

fn headers() -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), "application/json".into()),
        ("Host".into(), "cvm.tencentcloudapi.com".into()),
        ("X-TC-Action".into(), "DescribeKeyPairs".into()),
    ]
}

#[test]
fn each_empty_credential_part_alone_is_malformed() {
    let header = |credential: &str| format!("TC3-HMAC-SHA256 Credential={credential}, SignedHeaders=content-type;host, Signature=00");
    assert!(tc3::parse_authorization(&header("AKIDEXAMPLE/2025-01-01/cvm/tc3_request")).is_ok());
    for credential in ["/2025-01-01/cvm/tc3_request", "AKIDEXAMPLE//cvm/tc3_request", "AKIDEXAMPLE/2025-01-01//tc3_request"] {
        let result = tc3::parse_authorization(&header(credential));
        assert!(matches!(result, Err(SignatureError::Malformed(_))), "{credential}: {result:?}");
    }
}

#[test]
fn debug_names_the_fields_but_not_the_signature() {
    let auth = tc3::parse_authorization(
        "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2025-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature=33ac853e",
    )
    .unwrap();
    let shown = format!("{auth:?}");
    for part in ["AKIDEXAMPLE", "2025-01-01", "cvm", "content-type", "host"] {
        assert!(shown.contains(part), "{shown} lacks {part}");
    }
    assert!(!shown.contains("33ac853e"), "{shown}");
}

#[test]
fn only_the_unsigned_payload_marker_leaves_the_body_out() {
    let body = br#"{"Limit":1}"#;
    let hash_of = |marker: Option<&str>| {
        let mut headers = headers();
        if let Some(marker) = marker {
            headers.push(("X-TC-Content-SHA256".into(), marker.into()));
        }
        tc3::hashed_payload(&HttpParts { method: "POST", path: "/", query: "", headers: &headers, body })
    };
    let body_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body));
    let marker_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"UNSIGNED-PAYLOAD"));
    assert_eq!(hash_of(None), body_hash);
    assert_eq!(hash_of(Some(&body_hash)), body_hash, "a real content hash in X-TC-Content-SHA256 still signs the body");
    assert_eq!(hash_of(Some("unsigned-payload")), body_hash, "the marker is case-sensitive");
    assert_eq!(hash_of(Some("UNSIGNED-PAYLOAD")), marker_hash);
    assert_eq!(hash_of(Some(" UNSIGNED-PAYLOAD ")), marker_hash, "surrounding spaces are trimmed");
}

/// Signs `headers()` over `signed`, then verifies: the signature is right for what it names.
fn verify_signed_over(signed: &[&str]) -> Result<(), SignatureError> {
    let headers = headers();
    let parts = HttpParts { method: "POST", path: "/", query: "", headers: &headers, body: b"{}" };
    let authorization = tc3::sign(&parts, "AKIDEXAMPLE", SECRET, "cvm", TIMESTAMP, signed).unwrap();
    let auth = tc3::parse_authorization(&authorization).unwrap();
    tc3::verify(&parts, &auth, SECRET, TIMESTAMP)
}

#[test]
fn signed_headers_must_include_content_type_and_host() {
    assert_eq!(verify_signed_over(&["content-type", "host"]), Ok(()));
    assert_eq!(verify_signed_over(&["content-type", "host", "x-tc-action"]), Ok(()));
    for signed in [&["content-type", "x-tc-action"][..], &["host", "x-tc-action"], &["host"], &["content-type"], &["x-tc-action"]] {
        let result = verify_signed_over(signed);
        assert!(matches!(result, Err(SignatureError::Malformed(_))), "SignedHeaders={signed:?}: {result:?}");
    }
}

#[test]
fn a_wrong_secret_is_a_mismatch_with_the_servers_string_to_sign() {
    let headers = headers();
    let parts = HttpParts { method: "POST", path: "/", query: "", headers: &headers, body: b"{}" };
    let authorization = tc3::sign(&parts, "AKIDEXAMPLE", "another secret", "cvm", TIMESTAMP, &["content-type", "host"]).unwrap();
    let auth = tc3::parse_authorization(&authorization).unwrap();
    let Err(SignatureError::Mismatch(expected)) = tc3::verify(&parts, &auth, SECRET, TIMESTAMP) else { panic!("not a mismatch") };
    let canonical = tc3::canonical_request(&parts, &["content-type", "host"]).unwrap();
    assert_eq!(expected.string_to_sign, tc3::string_to_sign(&canonical, TIMESTAMP, "cvm"));
    assert!(
        expected.string_to_sign.starts_with("TC3-HMAC-SHA256\n1735689600\n2025-01-01/cvm/tc3_request\n"),
        "{}",
        expected.string_to_sign
    );
}
