//! SSH key material: generating RSA key pairs (the emulator), parsing OpenSSH public keys and PEM
//! private keys (the emulator's import rules and the harness's shape checks), and fingerprints.
//!
//! Generation is CPU-bound (≈ 80 ms median, tail to ≈ 1 s per RSA-2048 key, see
//! shared/reference/perf-baseline.md §1.1), so async callers must use [`generate_rsa_off_runtime`],
//! which runs on tokio's blocking pool, never on an async worker thread.

use std::fmt;

use md5::{Digest, Md5};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;

/// A public key as the APIs carry it and the stores keep it: one type for a generated key's public
/// half, an imported key and a stored one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicKey {
    /// The OpenSSH line: `ssh-rsa AAAA…`, with a comment if it was given one.
    pub openssh: String,
    /// The SSH wire encoding of the key (what fingerprints and the duplicate-key rule are computed over).
    pub blob: Vec<u8>,
}

impl PublicKey {
    pub fn new(openssh: impl Into<String>, blob: Vec<u8>) -> Self {
        Self { openssh: openssh.into(), blob }
    }
}

/// A freshly generated key pair. `Debug` never shows the private key.
pub struct GeneratedKey {
    /// The public half; its OpenSSH line has no comment.
    pub public: PublicKey,
    /// PKCS#1 PEM, `-----BEGIN RSA PRIVATE KEY-----`, 64-character lines, `\n`, trailing newline.
    pub private_pkcs1_pem: String,
    /// The same key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub private_pkcs8_pem: String,
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKey").field("public", &self.public.openssh).field("private", &"[redacted]").finish()
    }
}

/// What went wrong with key material; never contains the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// Generates an RSA key pair of `bits` bits. Blocking and CPU-heavy: see the module docs.
pub fn generate_rsa(bits: usize) -> Result<GeneratedKey, KeyError> {
    let private = rsa::PrivateKey::new(&mut rand::rng(), bits).map_err(|e| KeyError(format!("rsa key generation failed: {e}")))?;
    let rsa_public = private.to_public_key();
    let public = openssh_rsa(&rsa_public.e_bytes(), &rsa_public.n_bytes())?;
    let private_pkcs1_pem = private.to_pkcs1_pem(LineEnding::LF).map_err(|e| KeyError(format!("pkcs#1 encoding failed: {e}")))?.to_string();
    let private_pkcs8_pem = rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&private, LineEnding::LF)
        .map_err(|e| KeyError(format!("pkcs#8 encoding failed: {e}")))?
        .to_string();
    Ok(GeneratedKey { public, private_pkcs1_pem, private_pkcs8_pem })
}

/// [`generate_rsa`] off the async runtime, on the emulator's bounded generator pool
/// ([`crate::emulator::keypool`]), counted against no account; the emulator's handlers use
/// `keypool::generate` with the caller's account so one account cannot take every generator.
pub async fn generate_rsa_off_runtime(bits: usize) -> Result<GeneratedKey, KeyError> {
    crate::emulator::keypool::generate("", bits).await
}

fn openssh_rsa(e: &[u8], n: &[u8]) -> Result<PublicKey, KeyError> {
    let key = ssh_key::public::RsaPublicKey::new(ssh_key::Mpint::from_positive_bytes(e), ssh_key::Mpint::from_positive_bytes(n))
        .map_err(|e| KeyError(format!("ssh encoding failed: {e}")))?;
    let public = ssh_key::PublicKey::new(ssh_key::public::KeyData::Rsa(key), "");
    let line = public.to_openssh().map_err(|e| KeyError(format!("ssh encoding failed: {e}")))?;
    let blob = public.to_bytes().map_err(|e| KeyError(format!("ssh encoding failed: {e}")))?;
    Ok(PublicKey::new(line.trim_end(), blob))
}

/// A parsed OpenSSH public key line (`<algorithm> <base64> [comment]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSshPublicKey {
    /// The algorithm name, e.g. `ssh-rsa`, `ssh-ed25519`, `ecdsa-sha2-nistp256`.
    pub algorithm: String,
    /// The SSH wire encoding of the key.
    pub blob: Vec<u8>,
    pub comment: String,
    /// RSA modulus size in bits, for RSA keys.
    pub rsa_bits: Option<usize>,
}

/// Parses an OpenSSH public key line with a maintained parser (ssh-key), whatever its type.
pub fn parse_openssh_public(line: &str) -> Result<OpenSshPublicKey, KeyError> {
    let key = ssh_key::PublicKey::from_openssh(line.trim()).map_err(|e| KeyError(format!("not an OpenSSH public key: {e}")))?;
    let blob = key.to_bytes().map_err(|e| KeyError(format!("not an OpenSSH public key: {e}")))?;
    let rsa_bits = match key.key_data() {
        ssh_key::public::KeyData::Rsa(rsa) => Some(mpint_bits(rsa.n().as_positive_bytes().unwrap_or_default())),
        _ => None,
    };
    Ok(OpenSshPublicKey { algorithm: key.algorithm().as_str().to_string(), blob, comment: key.comment().to_string(), rsa_bits })
}

fn mpint_bits(bytes: &[u8]) -> usize {
    match bytes.iter().position(|b| *b != 0) {
        Some(i) => (bytes.len() - i) * 8 - bytes[i].leading_zeros() as usize,
        None => 0,
    }
}

/// Parses a PEM RSA private key, PKCS#1 (`BEGIN RSA PRIVATE KEY`, what Tencent returns) or
/// PKCS#8 (`BEGIN PRIVATE KEY`, what Alibaba's text promises), and returns the OpenSSH line of
/// its public half, so a checker can confirm that a returned private key belongs to the returned
/// public key.
pub fn public_half_of_pem(pem: &str) -> Result<String, KeyError> {
    Ok(public_of_pem(pem)?.openssh)
}

/// The SSH wire blob of a PEM RSA private key's public half (for fingerprints).
pub fn public_blob_of_pem(pem: &str) -> Result<Vec<u8>, KeyError> {
    Ok(public_of_pem(pem)?.blob)
}

fn public_of_pem(pem: &str) -> Result<PublicKey, KeyError> {
    let private = if pem.contains("BEGIN RSA PRIVATE KEY") {
        rsa::PrivateKey::from_pkcs1_pem(pem).map_err(|e| KeyError(format!("not a PKCS#1 PEM RSA private key: {e}")))?
    } else {
        rsa::pkcs8::DecodePrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError(format!("not a PEM RSA private key: {e}")))?
    };
    let public = private.to_public_key();
    openssh_rsa(&public.e_bytes(), &public.n_bytes())
}

/// The MD5 fingerprint of an SSH public-key blob, colon-separated lowercase hex (16 bytes); what
/// `ssh-keygen -l -E md5` prints after its `MD5:` prefix.
pub fn md5_fingerprint(blob: &[u8]) -> String {
    let digest = Md5::digest(blob);
    digest.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::public_keys::RSA as FIXTURE;

    #[test]
    fn generated_private_key_matches_its_public_key() {
        let key = generate_rsa(1024).unwrap();
        assert!(key.public.openssh.starts_with("ssh-rsa AAAA"));
        assert!(key.private_pkcs1_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        assert!(key.private_pkcs1_pem.ends_with("-----END RSA PRIVATE KEY-----\n"));
        assert!(key.private_pkcs8_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(public_half_of_pem(&key.private_pkcs1_pem).unwrap(), key.public.openssh);
        assert_eq!(public_half_of_pem(&key.private_pkcs8_pem).unwrap(), key.public.openssh);
        assert_eq!(md5_fingerprint(&public_blob_of_pem(&key.private_pkcs8_pem).unwrap()), md5_fingerprint(&key.public.blob));
        let debug = format!("{key:?}");
        assert!(debug.contains(&key.public.openssh) && debug.contains("[redacted]") && !debug.contains("PRIVATE"), "{debug}");
    }

    #[test]
    fn parses_the_documented_example_public_key() {
        let parsed = parse_openssh_public(FIXTURE).unwrap();
        assert_eq!(parsed.algorithm, "ssh-rsa");
        assert_eq!(parsed.rsa_bits, Some(1024));
        assert_eq!(parsed.comment, "skey_112168");
        // `ssh-keygen -l -E md5` on the line: `1024 MD5:2a:9e:…:e6:51 skey_112168 (RSA)`.
        assert_eq!(md5_fingerprint(&parsed.blob), "2a:9e:ed:97:1f:57:2c:11:5b:3f:79:22:80:21:e6:51");
    }

    #[test]
    fn a_modulus_counts_its_bits_from_the_first_set_one() {
        assert_eq!(mpint_bits(&[0x01, 0xff]), 9);
        assert_eq!(mpint_bits(&[0x00, 0x00, 0x80, 0x00]), 16);
        assert_eq!(mpint_bits(&[0x7f]), 7);
        assert_eq!(mpint_bits(&[0x00, 0x00]), 0);
        assert_eq!(mpint_bits(&[]), 0);
    }

    #[test]
    fn a_key_error_says_what_went_wrong() {
        let error = parse_openssh_public("ssh-rsa").unwrap_err();
        assert!(error.to_string().starts_with("not an OpenSSH public key: "), "{error}");
        assert_eq!(error.to_string(), error.0);
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_openssh_public("ssh-rsa XXXXXXXXXXXX== skey_45071").is_err());
        assert!(public_half_of_pem("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n").is_err());
    }
}
