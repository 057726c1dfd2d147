//! Key-pair consistency: a private key returned beside a public key must be its other half.
//! Checked on every response, so the emulator and the live cloud are held to it alike.

use serde_json::Value;

use crate::keys::public_half_of_pkcs1_pem;

/// Every object holding both `PrivateKey` and `PublicKey` strings must pair them; returns what
/// does not (messages never contain the key).
pub fn check_pairs(value: &Value, pointer: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(private)), Some(Value::String(public))) = (map.get("PrivateKey"), map.get("PublicKey")) {
                match public_half_of_pkcs1_pem(private) {
                    Err(e) => out.push(format!("{pointer}/PrivateKey: {e}")),
                    Ok(derived) if !same_key(&derived, public) => {
                        out.push(format!("{pointer}/PrivateKey: its public half is not {pointer}/PublicKey"))
                    }
                    Ok(_) => {}
                }
            }
            for (k, v) in map {
                check_pairs(v, &format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| check_pairs(v, &format!("{pointer}/{i}"), out)),
        _ => {}
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
    fn pairs_must_match() {
        let a = crate::keys::generate_rsa(1024).unwrap();
        let b = crate::keys::generate_rsa(1024).unwrap();
        let mut out = Vec::new();
        check_pairs(&json!({"KeyPair": {"PrivateKey": a.private_pkcs1_pem, "PublicKey": format!("{} skey_1", a.public_openssh)}}), "", &mut out);
        assert!(out.is_empty(), "{out:?}");
        check_pairs(&json!({"KeyPair": {"PrivateKey": a.private_pkcs1_pem, "PublicKey": b.public_openssh}}), "", &mut out);
        assert_eq!(out, vec!["/KeyPair/PrivateKey: its public half is not /KeyPair/PublicKey"]);
        assert!(!out[0].contains("PRIVATE KEY-----"));
    }
}
