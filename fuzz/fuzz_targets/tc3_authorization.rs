//! The TC3 `Authorization` header parser.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keypair_contract::sign::tc3::parse_authorization(text);
    }
});
