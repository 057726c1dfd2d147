//! OpenSSH public-key lines (ImportKeyPair's `PublicKey` / `PublicKeyBody`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keypair_contract::keys::parse_openssh_public(text);
    }
});
