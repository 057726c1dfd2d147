//! The case-file loader: any text as `cases/tencent-cvm/fuzzed/case.yaml`; the case format is
//! read from the project root (the parent of fuzz/). Properties, as `tests/suite/fuzz_cases.rs`
//! checks them on stable: no panic, and a refusal points at a line of the file, shown as
//! `case.yaml:line:col`.
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
        let detail = error.detail();
        // Lines as YAML counts them: CR LF, LF and a lone CR each end one.
        let lines = String::from_utf8_lossy(data).replace("\r\n", "\n").matches(['\n', '\r']).count() as u32 + 1;
        assert!(detail.pos.line >= 1 && detail.pos.line <= lines + 1, "refused at line {} of {lines}: {error}", detail.pos.line);
        let shown = error.to_string();
        let at = format!("case.yaml:{}:{}", detail.pos.line, detail.pos.col);
        assert!(shown.contains(&at), "the message does not point at {at}: {shown}");
    }
});
