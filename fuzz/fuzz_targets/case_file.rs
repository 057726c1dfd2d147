//! The case-file loader: any text as `cases/tencent-cvm/fuzzed/case.yaml`; the case format is
//! read from the project root (the parent of fuzz/).
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use keypair_contract::case::{CaseFormat, load_case};
use libfuzzer_sys::fuzz_target;

static FORMAT: LazyLock<CaseFormat> = LazyLock::new(|| CaseFormat::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap());
static SCRATCH: LazyLock<PathBuf> = LazyLock::new(|| std::env::temp_dir().join(format!("kc-fuzz-case-{}", std::process::id())));

fuzz_target!(|data: &[u8]| {
    let path = SCRATCH.join("cases/tencent-cvm/fuzzed/case.yaml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, data).unwrap();
    if let Err(error) = load_case(&SCRATCH, &path, &FORMAT) {
        let _ = error.to_string();
    }
});
