//! The discrepancy ledger (docs/discrepancies.md) against the emulator's settings and the cases.
//!
//! Each behaviour the seeds leave open is one setting and one ledger row (project guide). This test
//! reads the Rust source itself, not a list kept beside it: every `pub` field of every `*Settings`
//! struct in `src/emulator/**/settings.rs` and `src/emulator/tencent_legacy/mod.rs` must be named
//! by a row as `Struct::field`. And every row must
//!
//! * name a setting that exists: a `Struct::field`, or for a choice the harness makes (not the
//!   emulator) its `run --option`, an option of src/cli.rs; `no setting:` is no longer accepted;
//! * name at least one case (`<api>/<folder>/<name>`) in its last column, each a file under cases/,
//!   and say what is missing (`missing: ...`, `emulator only`) when none of them runs live;
//! * carry a unique id, as the settings' doc comments cite it (`Ledger L-CVM-4`, `L-LH-3`).
//!
//! A last test removes each row in turn and checks that the ledger is then found wanting, so the
//! check above cannot pass vacuously.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())).map(|e| e.expect("dir entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `struct name -> pub fields` for every `pub struct *Settings { ... }` in `source`. A field that
/// holds another `*Settings` struct is a group of settings, not one: its own fields are listed.
fn settings_structs(source: &str) -> BTreeMap<String, Vec<String>> {
    let start = Regex::new(r"^pub struct (\w+Settings) \{").expect("regex");
    let field = Regex::new(r"^\s+pub (\w+):").expect("regex");
    let mut out = BTreeMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in source.lines() {
        if let Some((name, fields)) = current.as_mut() {
            if line.starts_with('}') {
                out.insert(std::mem::take(name), std::mem::take(fields));
                current = None;
            } else if let Some(m) = field.captures(line).filter(|_| !line.trim_end().ends_with("Settings,")) {
                fields.push(m[1].to_string());
            }
        } else if let Some(m) = start.captures(line) {
            current = Some((m[1].to_string(), Vec::new()));
        }
    }
    out
}

/// The settings every row set must cover: `Struct::field` for the files the ledger is about.
fn required_settings() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&root().join("src/emulator"), &mut files);
    let legacy = root().join("src/emulator/tencent_legacy/mod.rs");
    let mut out = BTreeSet::new();
    for file in files.iter().filter(|f| f.file_name().is_some_and(|n| n == "settings.rs") || **f == legacy) {
        for (name, fields) in settings_structs(&read(file)) {
            out.extend(fields.into_iter().map(|f| format!("{name}::{f}")));
        }
    }
    out
}

/// Every `Struct::field` of any `*Settings` struct under src/emulator (AccountSettings included),
/// which a row may name.
fn known_settings() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&root().join("src/emulator"), &mut files);
    files
        .iter()
        .flat_map(|f| settings_structs(&read(f)))
        .flat_map(|(name, fields)| fields.into_iter().map(move |f| format!("{name}::{f}")))
        .collect()
}

/// The long options of src/cli.rs (`pub ecs_rate:` is `ecs-rate`), which a row about a choice the
/// harness makes may name as `run --ecs-rate`.
fn cli_options() -> BTreeSet<String> {
    let field = Regex::new(r"(?m)^\s+pub (\w+):").expect("regex");
    field.captures_iter(&read(&root().join("src/cli.rs"))).map(|m| m[1].replace('_', "-")).collect()
}

/// One `| L-... |` row of the ledger.
#[derive(Debug, Clone)]
struct Row {
    line: usize,
    id: String,
    text: String,
    last_cell: String,
}

fn rows(ledger: &str) -> Vec<Row> {
    ledger
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("| L-"))
        .map(|(i, l)| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").map(str::trim).collect();
            Row { line: i + 1, id: cells[0].to_string(), text: l.to_string(), last_cell: cells.last().copied().unwrap_or("").to_string() }
        })
        .collect()
}

/// Everything wrong with `ledger`, as messages naming the row.
fn problems(ledger: &str, required: &BTreeSet<String>, known: &BTreeSet<String>) -> Vec<String> {
    let setting = Regex::new(r"\b([A-Z]\w*Settings)::(\w+)").expect("regex");
    let case = Regex::new(r"\b((?:tencent-cvm-legacy|tencent-cvm|tencent-lighthouse|aliyun-ecs)/[a-z0-9-]+/[a-z0-9-]+)").expect("regex");
    let source_file = Regex::new(r"\bsrc/[\w/]+\.rs\b").expect("regex");
    let id_shape = Regex::new(r"^L-[A-Z]+-[0-9]+$").expect("regex");
    let run_option = Regex::new(r"`run --([a-z][a-z0-9-]*)").expect("regex");
    let run_options = cli_options();
    let mut out = Vec::new();
    let mut named = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let rows = rows(ledger);
    if rows.is_empty() {
        out.push("docs/discrepancies.md: no `| L-... |` rows".to_string());
    }
    for row in &rows {
        let at = format!("docs/discrepancies.md:{} {}", row.line, row.id);
        if !id_shape.is_match(&row.id) {
            out.push(format!("{at}: the id is not of the form L-XXX-N"));
        }
        if !ids.insert(row.id.clone()) {
            out.push(format!("{at}: the id is used twice"));
        }
        let settings: Vec<String> = setting.captures_iter(&row.text).map(|m| format!("{}::{}", &m[1], &m[2])).collect();
        for s in &settings {
            if !known.contains(s) {
                out.push(format!("{at}: names {s}, which no *Settings struct under src/emulator has"));
            }
        }
        named.extend(settings.iter().cloned());
        let options: Vec<&str> = run_option.captures_iter(&row.text).map(|m| m.get(1).map_or("", |o| o.as_str())).collect();
        for option in &options {
            if !run_options.contains(*option) {
                out.push(format!("{at}: names `run --{option}`, which src/cli.rs does not define"));
            }
        }
        if row.text.contains("no setting") {
            out.push(format!("{at}: says `no setting`: every behaviour the documents leave open must be one setting"));
        } else if settings.is_empty() && options.is_empty() {
            out.push(format!("{at}: names no setting (`Struct::field`, or the harness's `run --option`)"));
        }
        for file in source_file.find_iter(&row.text).map(|m| m.as_str()) {
            if !root().join(file).is_file() {
                out.push(format!("{at}: names {file}, which does not exist"));
            }
        }
        let cases: Vec<&str> = case.find_iter(&row.last_cell).map(|m| m.as_str()).collect();
        if cases.is_empty() {
            out.push(format!("{at}: names no case (`<api>/<folder>/<name>`) in its last column"));
        }
        let mut live_cases = 0;
        for id in &cases {
            let path = root().join("cases").join(format!("{id}.yaml"));
            if !path.is_file() {
                out.push(format!("{at}: names the case {id}, but there is no cases/{id}.yaml"));
            } else if read(&path).lines().any(|l| l.trim() == "live: true") {
                live_cases += 1;
            }
        }
        // A row no live case can settle must say what is missing.
        let says_missing = row.last_cell.contains("missing") || row.last_cell.contains("emulator only");
        if !cases.is_empty() && live_cases == 0 && !says_missing {
            out.push(format!("{at}: every case it names skips live runs, and the row does not say what is missing (`missing: ...`)"));
        }
    }
    for s in required.difference(&named) {
        out.push(format!("docs/discrepancies.md: no row names the setting {s}"));
    }
    out
}

#[test]
fn every_setting_has_a_row_and_every_row_a_setting_and_a_case() {
    let required = required_settings();
    assert!(required.len() >= 20, "found only {} settings; has the settings source moved? {required:?}", required.len());
    let ledger = read(&root().join("docs/discrepancies.md"));
    let problems = problems(&ledger, &required, &known_settings());
    assert!(problems.is_empty(), "{} ledger problems:\n  {}", problems.len(), problems.join("\n  "));
}

#[test]
fn the_ledger_ids_the_settings_cite_exist() {
    let ledger = read(&root().join("docs/discrepancies.md"));
    let ids: BTreeSet<String> = rows(&ledger).into_iter().map(|r| r.id).collect();
    let cited = Regex::new(r"\bL-[A-Z]+-[0-9]+\b").expect("regex");
    let mut files = Vec::new();
    rust_files(&root().join("src/emulator"), &mut files);
    let mut missing = Vec::new();
    for file in files {
        for (i, line) in read(&file).lines().enumerate() {
            for m in cited.find_iter(line) {
                if !ids.contains(m.as_str()) {
                    missing.push(format!("{}:{}: cites {}, which docs/discrepancies.md has no row for", file.display(), i + 1, m.as_str()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn removing_any_row_that_alone_names_a_setting_is_noticed() {
    let required = required_settings();
    let known = known_settings();
    let ledger = read(&root().join("docs/discrepancies.md"));
    let setting = Regex::new(r"\b([A-Z]\w*Settings)::(\w+)").expect("regex");
    let all = rows(&ledger);
    let mut checked = 0;
    for row in &all {
        let others: BTreeSet<String> = all
            .iter()
            .filter(|r| r.line != row.line)
            .flat_map(|r| setting.captures_iter(&r.text).map(|m| format!("{}::{}", &m[1], &m[2])).collect::<Vec<_>>())
            .collect();
        let sole: Vec<String> = setting
            .captures_iter(&row.text)
            .map(|m| format!("{}::{}", &m[1], &m[2]))
            .filter(|s| required.contains(s) && !others.contains(s))
            .collect();
        if sole.is_empty() {
            continue;
        }
        let without: String = ledger.lines().filter(|l| *l != row.text).map(|l| format!("{l}\n")).collect();
        let found = problems(&without, &required, &known);
        for s in &sole {
            assert!(
                found.iter().any(|p| p.ends_with(&format!("no row names the setting {s}"))),
                "removing {} should leave {s} without a row, but the check found: {found:?}",
                row.id
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} rows alone name a setting");
}

#[test]
fn the_parser_finds_fields_of_a_settings_struct() {
    let source = "/// doc\npub struct DemoSettings {\n    /// why\n    pub a_field: bool,\n    pub(crate) hidden: u8,\n    pub group: DemoTagSettings,\n    pub other: Vec<String>,\n}\n";
    let parsed = settings_structs(source);
    assert_eq!(parsed.get("DemoSettings").cloned(), Some(vec!["a_field".to_string(), "other".to_string()]), "a group is not a setting");
}

#[test]
fn a_row_without_a_setting_is_refused() {
    let required = required_settings();
    let known = known_settings();
    let ledger = read(&root().join("docs/discrepancies.md"));
    let first = rows(&ledger).into_iter().next().expect("a row");
    let replace = |with: &str| {
        let setting = Regex::new(r"`?\b[A-Z]\w*Settings::\w+`?").expect("regex");
        let row = setting.replace_all(&first.text, with).into_owned();
        let edited = ledger.replace(&first.text, &row);
        problems(&edited, &required, &known)
    };
    let said = replace("no setting: src/emulator/mod.rs");
    assert!(said.iter().any(|p| p.contains(&first.id) && p.contains("says `no setting`")), "{said:?}");
    let bogus = replace("`run --no-such-option`");
    assert!(bogus.iter().any(|p| p.contains(&first.id) && p.contains("does not define")), "{bogus:?}");
    let option = replace("`run --ecs-rate`");
    assert!(!option.iter().any(|p| p.contains(&format!("{}:", first.id))), "{option:?}");
}
