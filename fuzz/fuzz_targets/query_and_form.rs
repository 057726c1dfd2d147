//! Query and form decoding, and the v1 / RPC canonical strings built from what it decodes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let params = keypair_contract::sign::decode_form(data);
    let _ = keypair_contract::sign::acs_rpc::string_to_sign("POST", &params);
    let _ = keypair_contract::sign::tencent_v1::string_to_sign("POST", "cvm.tencentcloudapi.com", "/", &params);
});
