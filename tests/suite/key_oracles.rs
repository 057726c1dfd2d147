//! Keys and fingerprints against oracles the project did not write:
//!
//! * the openssl-made throwaway key pair in `tests/fixtures/keys/` (PKCS#1 and PKCS#8 PEM from
//!   `openssl`, the public line from `ssh-keygen -y`, the MD5 fingerprint from `ssh-keygen -E md5 -lf`);
//! * `ssh-keygen` itself, run on keys our code generated and on the keys the emulator hands out
//!   (CVM, Lighthouse and ECS CreateKeyPair), and on the fingerprints ECS answers.
//!
//! `ssh-keygen` is on every machine this project supports (`.ci/run` requires it). Where it is
//! missing, the tests that need it say so on stderr and pass — except under `CI`, where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{call, emulator};
use keypair_contract::apis::{self, ApiProfile};
use keypair_contract::keys;
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `ssh-rsa AAAA…` without the comment.
fn key_part(line: &str) -> String {
    line.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// ssh-keygen

/// Whether ssh-keygen can be run; if not, says so loudly (and fails under CI).
fn have_ssh_keygen(test: &str) -> bool {
    match Command::new("ssh-keygen").arg("-?").output() {
        Ok(_) => true,
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "{test}: ssh-keygen is required under CI and cannot be run: {e}");
            eprintln!("SKIPPED {test}: ssh-keygen cannot be run ({e}); install openssh-client to check keys against it");
            false
        }
    }
}

struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir =
            std::env::temp_dir().join(format!("keypair-contract-key-oracles-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// Writes `text` to a file only its owner can read (ssh-keygen refuses others).
    fn file(&self, name: &str, text: &str) -> PathBuf {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let path = self.0.join(name);
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).unwrap();
        file.write_all(text.as_bytes()).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ssh_keygen(args: &[&str], file: &Path) -> String {
    let output = Command::new("ssh-keygen").args(args).arg("-f").arg(file).output().unwrap();
    assert!(output.status.success(), "ssh-keygen {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// ssh-keygen's public line for a PEM private key.
fn ssh_public_of_pem(pem: &str) -> String {
    let scratch = Scratch::new();
    key_part(&ssh_keygen(&["-y"], &scratch.file("key.pem", pem)))
}

/// ssh-keygen's (bits, MD5 fingerprint without `MD5:`) for a public line.
fn ssh_md5_of_public(line: &str) -> (u32, String) {
    let scratch = Scratch::new();
    let out = ssh_keygen(&["-l", "-E", "md5"], &scratch.file("key.pub", &format!("{line}\n")));
    let mut words = out.split_whitespace();
    let bits = words.next().unwrap().parse().unwrap();
    let fingerprint = words.next().unwrap().strip_prefix("MD5:").unwrap_or_else(|| panic!("not an MD5 fingerprint: {out}")).to_string();
    (bits, fingerprint)
}

// ---------------------------------------------------------------------------------------------
// The openssl-made fixture

#[test]
fn the_openssl_fixture_key_reads_as_ssh_keygen_wrote_it() {
    let public_line = fixture("throwaway-rsa2048.pub");
    let fingerprint = fixture("throwaway-rsa2048.md5");
    for pem in ["throwaway-rsa2048.pkcs1.pem", "throwaway-rsa2048.pkcs8.pem"] {
        assert_eq!(keys::public_half_of_pem(&fixture(pem)).unwrap(), key_part(&public_line), "{pem}");
        let blob = keys::public_blob_of_pem(&fixture(pem)).unwrap();
        assert_eq!(keys::md5_fingerprint(&blob), fingerprint.trim(), "{pem}");
    }
    let parsed = keys::parse_openssh_public(&public_line).unwrap();
    assert_eq!(
        (parsed.algorithm.as_str(), parsed.rsa_bits, parsed.comment.as_str()),
        ("ssh-rsa", Some(2048), "throwaway@keypair-contract")
    );
    assert_eq!(keys::md5_fingerprint(&parsed.blob), fingerprint.trim());
}

#[test]
fn the_fixture_itself_agrees_with_ssh_keygen() {
    if !have_ssh_keygen("the_fixture_itself_agrees_with_ssh_keygen") {
        return;
    }
    let public_line = fixture("throwaway-rsa2048.pub");
    assert_eq!(ssh_public_of_pem(&fixture("throwaway-rsa2048.pkcs1.pem")), key_part(&public_line));
    assert_eq!(ssh_public_of_pem(&fixture("throwaway-rsa2048.pkcs8.pem")), key_part(&public_line));
    assert_eq!(ssh_md5_of_public(public_line.trim()), (2048, fixture("throwaway-rsa2048.md5").trim().to_string()));
}

// ---------------------------------------------------------------------------------------------
// Our generated keys

#[test]
fn generated_keys_agree_with_ssh_keygen() {
    if !have_ssh_keygen("generated_keys_agree_with_ssh_keygen") {
        return;
    }
    let key = keys::generate_rsa(2048).unwrap();
    assert_eq!(ssh_public_of_pem(&key.private_pkcs1_pem), key.public.openssh, "PKCS#1");
    assert_eq!(ssh_public_of_pem(&key.private_pkcs8_pem), key.public.openssh, "PKCS#8");
    assert_eq!(ssh_md5_of_public(&key.public.openssh), (2048, keys::md5_fingerprint(&key.public.blob)));
    // ssh-keygen's own key, through our parser.
    let scratch = Scratch::new();
    let path = scratch.0.join("made-by-ssh-keygen");
    let status =
        Command::new("ssh-keygen").args(["-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "oracle", "-f"]).arg(&path).status().unwrap();
    assert!(status.success());
    let line = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    let parsed = keys::parse_openssh_public(&line).unwrap();
    assert_eq!(parsed.rsa_bits, Some(2048));
    assert_eq!(keys::md5_fingerprint(&parsed.blob), ssh_md5_of_public(line.trim()).1);
}

// ---------------------------------------------------------------------------------------------
// The emulator's keys

#[tokio::test]
async fn tencent_create_hands_out_a_private_key_whose_public_half_ssh_keygen_agrees_with() {
    if !have_ssh_keygen("tencent_create_hands_out_a_private_key_whose_public_half_ssh_keygen_agrees_with") {
        return;
    }
    let (emulator, _clock) = emulator();
    let cases: [(&ApiProfile, Value); 2] = [
        (&apis::tencent_api3::CVM, json!({"KeyName": "oracle_cvm", "ProjectId": 0})),
        (&apis::tencent_api3::LIGHTHOUSE, json!({"KeyName": "oracle_lighthouse"})),
    ];
    for (profile, params) in cases {
        let body = call(&emulator, profile, "CreateKeyPair", params, 1).await.body;
        let pair = &body["Response"]["KeyPair"];
        let private = pair["PrivateKey"].as_str().unwrap_or_else(|| panic!("{}: {body}", profile.name));
        let public = pair["PublicKey"].as_str().unwrap();
        assert_eq!(ssh_public_of_pem(private), key_part(public), "{}", profile.name);
        assert_eq!(ssh_md5_of_public(public).0, 2048, "{}", profile.name);
    }
}

#[tokio::test]
async fn ecs_fingerprints_are_ssh_keygens() {
    if !have_ssh_keygen("ecs_fingerprints_are_ssh_keygens") {
        return;
    }
    let (emulator, _clock) = emulator();
    let ecs = &apis::aliyun_rpc::ECS;
    let created = call(&emulator, ecs, "CreateKeyPair", json!({"KeyPairName": "oracle-created"}), 1).await.body;
    let private = created["PrivateKeyBody"].as_str().unwrap_or_else(|| panic!("{created}"));
    let public = ssh_public_of_pem(private);
    assert_eq!(created["KeyPairFingerPrint"].as_str().unwrap(), ssh_md5_of_public(&public).1, "{created}");

    // The openssl-made fixture: ECS answers the fingerprint ssh-keygen printed for it.
    let imported = call(
        &emulator,
        ecs,
        "ImportKeyPair",
        json!({"KeyPairName": "oracle-imported", "PublicKeyBody": fixture("throwaway-rsa2048.pub").trim()}),
        2,
    )
    .await
    .body;
    assert_eq!(imported["KeyPairFingerPrint"].as_str().unwrap(), fixture("throwaway-rsa2048.md5").trim(), "{imported}");

    let listed =
        call(&emulator, ecs, "DescribeKeyPairs", json!({"KeyPairName": "oracle-imported", "IncludePublicKey": "true"}), 3).await.body;
    let item = &listed["KeyPairs"]["KeyPair"][0];
    assert_eq!(item["KeyPairFingerPrint"].as_str().unwrap(), fixture("throwaway-rsa2048.md5").trim(), "{listed}");
    assert_eq!(key_part(item["PublicKey"].as_str().unwrap()), key_part(&fixture("throwaway-rsa2048.pub")), "{listed}");
}

#[tokio::test]
async fn cvm_keeps_the_imported_fixture_key_as_given() {
    let (emulator, _clock) = emulator();
    let cvm = &apis::tencent_api3::CVM;
    let public_line = fixture("throwaway-rsa2048.pub");
    let imported =
        call(&emulator, cvm, "ImportKeyPair", json!({"KeyName": "oracle_import", "ProjectId": 0, "PublicKey": public_line.trim()}), 1)
            .await
            .body;
    let key_id = imported["Response"]["KeyId"].as_str().unwrap_or_else(|| panic!("{imported}")).to_string();
    let listed = call(&emulator, cvm, "DescribeKeyPairs", json!({"KeyIds": [key_id]}), 2).await.body;
    let listed_public = listed["Response"]["KeyPairSet"][0]["PublicKey"].as_str().unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(key_part(listed_public), key_part(&public_line));
}
