//! Key-pair consistency: a returned private key must be the other half of what was returned with
//! it — the public key (Tencent `PrivateKey` beside `PublicKey`) or the fingerprint (Alibaba
//! `PrivateKeyBody` beside `KeyPairFingerPrint`, ECS returns no public key on create). Checked on
//! every response, so the emulator and the live cloud are held to it alike.

use serde_json::{Map, Value};

use crate::apis::{Beside, private_key_fields};
use crate::keys::{md5_fingerprint, public_blob_of_pem, public_half_of_pem};

/// Checks every object holding a private key beside its public key or fingerprint; returns what
/// does not pair (messages never contain the key).
pub fn check_pairs(value: &Value, pointer: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            check_object(map, pointer, out);
            for (k, v) in map {
                check_pairs(v, &format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| check_pairs(v, &format!("{pointer}/{i}"), out)),
        _ => {}
    }
}

fn check_object(map: &Map<String, Value>, pointer: &str, out: &mut Vec<String>) {
    let text = |name: &str| map.get(name).and_then(Value::as_str);
    for field in private_key_fields() {
        let (name, Some(private)) = (field.name, text(field.name)) else { continue };
        match field.beside {
            Beside::OpenSshPublicKey(other) => {
                let Some(public) = text(other) else { continue };
                match public_half_of_pem(private) {
                    Err(e) => out.push(format!("{pointer}/{name}: {e}")),
                    Ok(derived) if !same_key(&derived, public) => {
                        out.push(format!("{pointer}/{name}: its public half is not {pointer}/{other}"))
                    }
                    Ok(_) => {}
                }
            }
            Beside::Md5Fingerprint(other) => {
                let Some(fingerprint) = text(other) else { continue };
                match public_blob_of_pem(private) {
                    Err(e) => out.push(format!("{pointer}/{name}: {e}")),
                    // Compared without colons: the docs leave the hex form open (apis.md §3.5).
                    Ok(blob) if md5_fingerprint(&blob).replace(':', "") != fingerprint.replace(':', "").to_ascii_lowercase() => {
                        out.push(format!("{pointer}/{name}: the MD5 fingerprint of its public half is not {pointer}/{other}"))
                    }
                    Ok(_) => {}
                }
            }
            Beside::Nothing => {}
        }
    }
}

/// Compares two OpenSSH lines by type and key data, ignoring comments.
fn same_key(a: &str, b: &str) -> bool {
    let fields = |s: &str| s.split_whitespace().take(2).map(str::to_string).collect::<Vec<_>>();
    fields(a) == fields(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn public_keys_must_match() {
        let a = crate::keys::generate_rsa(1024).unwrap();
        let b = crate::keys::generate_rsa(1024).unwrap();
        let mut out = Vec::new();
        check_pairs(
            &json!({"KeyPair": {"PrivateKey": a.private_pkcs1_pem, "PublicKey": format!("{} skey_1", a.public.openssh)}}),
            "",
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        check_pairs(&json!({"KeyPair": {"PrivateKey": a.private_pkcs1_pem, "PublicKey": b.public.openssh}}), "", &mut out);
        assert_eq!(out, vec!["/KeyPair/PrivateKey: its public half is not /KeyPair/PublicKey"]);
        assert!(!out[0].contains("PRIVATE KEY-----"));
    }

    #[test]
    fn fingerprints_must_match() {
        let a = crate::keys::generate_rsa(1024).unwrap();
        let b = crate::keys::generate_rsa(1024).unwrap();
        let mut out = Vec::new();
        let right = md5_fingerprint(&a.public.blob);
        check_pairs(&json!({"PrivateKeyBody": a.private_pkcs8_pem, "KeyPairFingerPrint": right}), "", &mut out);
        check_pairs(&json!({"PrivateKeyBody": a.private_pkcs1_pem, "KeyPairFingerPrint": right.replace(':', "")}), "", &mut out);
        assert!(out.is_empty(), "{out:?}");
        check_pairs(&json!({"PrivateKeyBody": a.private_pkcs1_pem, "KeyPairFingerPrint": md5_fingerprint(&b.public.blob)}), "", &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
    }

    #[test]
    fn pairs_inside_lists_are_checked_and_named_by_index() {
        let a = crate::keys::generate_rsa(1024).unwrap();
        let b = crate::keys::generate_rsa(1024).unwrap();
        let mut out = Vec::new();
        let listing = json!({"KeyPairSet": [
            {"PrivateKey": a.private_pkcs1_pem, "PublicKey": a.public.openssh},
            {"PrivateKey": a.private_pkcs1_pem, "PublicKey": b.public.openssh},
        ]});
        check_pairs(&listing, "", &mut out);
        assert_eq!(out, vec!["/KeyPairSet/1/PrivateKey: its public half is not /KeyPairSet/1/PublicKey"]);
    }
}
