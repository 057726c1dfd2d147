//! The ACS3 `Authorization` header parser and canonical query string.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keypair_contract::sign::acs3::parse_authorization(text);
        let _ = keypair_contract::sign::acs3::canonical_query_string(text);
    }
});
