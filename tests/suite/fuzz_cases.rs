//! Property-based fuzzing of the case-file loader: real case files from cases/, mutated (a
//! character replaced, inserted or deleted, a line cut or duplicated), and free-form YAML-ish
//! text. Properties: nothing panics; a file is either loaded or refused with a position
//! (`file:line:col`, line ≥ 1) that lies inside the file. A small fixed budget keeps `cargo test`
//! fast; `FUZZ_CASES=N` searches longer.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use keypair_contract::case::{CaseFormat, load_case};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

static FORMAT: LazyLock<CaseFormat> = LazyLock::new(|| CaseFormat::load(root()).expect("the case format loads"));

/// Real case files, as seeds.
static SEEDS: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let mut seeds: Vec<(String, String)> = walkdir::WalkDir::new(root().join("cases"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml") && !e.path().components().any(|c| c.as_os_str() == "fixtures"))
        .filter_map(|e| {
            let api = e.path().strip_prefix(root().join("cases")).ok()?.components().next()?.as_os_str().to_str()?.to_string();
            Some((api, std::fs::read_to_string(e.path()).ok()?))
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no case files found under cases/");
    seeds
});

/// A scratch project root per test thread; the case format is read from the real one.
fn scratch(api: &str, text: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("kc-fuzz-cases-{}-{:?}", std::process::id(), std::thread::current().id()));
    let path = dir.join("cases").join(api).join("fuzzed").join("case.yaml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn check(api: &str, text: &str) -> Result<(), String> {
    let (dir, path) = scratch(api, text);
    match load_case(&dir, &path, &FORMAT) {
        Ok(_) => Ok(()),
        Err(error) => {
            let detail = error.detail();
            let lines = text.split('\n').count() as u32;
            if detail.pos.line == 0 || detail.pos.line > lines + 1 {
                return Err(format!("refused without a position inside the file (line {} of {lines}): {error}", detail.pos.line));
            }
            let shown = error.to_string();
            let at = format!(":{}:{}", detail.pos.line, detail.pos.col);
            if !shown.contains(&at) || !shown.contains("case.yaml") {
                return Err(format!("the message does not point at file:line:col: {shown}"));
            }
            Ok(())
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(prop::sample::Index, char),
    Insert(prop::sample::Index, char),
    Delete(prop::sample::Index),
    CutLine(prop::sample::Index),
    DuplicateLine(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let interesting = prop_oneof![
        proptest::sample::select(vec![
            ':', '-', ' ', '\t', '\n', '"', '\'', '{', '}', '[', ']', '#', '&', '*', '!', '|', '>', '$', '%', '\u{0}'
        ]),
        any::<char>(),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), interesting.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<prop::sample::Index>(), interesting).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        any::<prop::sample::Index>().prop_map(Edit::CutLine),
        any::<prop::sample::Index>().prop_map(Edit::DuplicateLine),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut lines: Vec<&str> = text.split('\n').collect();
    match edit {
        Edit::Replace(i, c) if !chars.is_empty() => {
            let i = i.index(chars.len());
            chars[i] = *c;
        }
        Edit::Insert(i, c) => {
            let i = i.index(chars.len() + 1);
            chars.insert(i, *c);
        }
        Edit::Delete(i) if !chars.is_empty() => {
            chars.remove(i.index(chars.len()));
        }
        Edit::CutLine(i) => {
            let i = i.index(lines.len());
            lines.remove(i);
            return lines.join("\n");
        }
        Edit::DuplicateLine(i) => {
            let i = i.index(lines.len());
            let line = lines[i];
            lines.insert(i, line);
            return lines.join("\n");
        }
        _ => {}
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_case_files_load_or_point_at_the_fault(seed in any::<prop::sample::Index>(), edits in proptest::collection::vec(edit(), 1..4)) {
        let (api, text) = &SEEDS[seed.index(SEEDS.len())];
        let mutated = edits.iter().fold(text.clone(), |t, e| apply(&t, e));
        let checked = check(api, &mutated);
        prop_assert!(checked.is_ok(), "{}\n--- input ---\n{}", checked.unwrap_err(), mutated);
    }

    #[test]
    fn free_text_loads_or_points_at_the_fault(
        lines in proptest::collection::vec(
            prop_oneof![
                "[a-z_]{1,10}: [ -~]{0,20}",
                "  - [a-z]{1,8}: [ -~]{0,12}",
                "[ -~]{0,30}",
                Just("steps:".to_string()),
                Just("api: tencent-cvm".to_string()),
                Just("description: x".to_string()),
            ],
            0..12,
        ),
    ) {
        let text = lines.join("\n");
        let checked = check("tencent-cvm", &text);
        prop_assert!(checked.is_ok(), "{}\n--- input ---\n{}", checked.unwrap_err(), text);
    }
}

#[test]
fn the_seeds_themselves_load() {
    for (api, text) in SEEDS.iter().take(5) {
        // A seed can be refused only because its folder name changed (cases/<api>/fuzzed/): then
        // it must still point at a position.
        check(api, text).unwrap();
    }
}
