//! Broken case files stop with file:line:col, the line, a caret and what was expected.

use std::path::{Path, PathBuf};

use crate::common::{assert_shows, copy_dir};
use keypair_contract::case::{CaseFormat, load_case};

/// A scratch project root with the real case format and seeds, and one case file.
fn project_with(case: &str) -> (PathBuf, PathBuf) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = std::env::temp_dir().join(format!("kc-case-errors-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(root.join("cases/tencent-cvm")).unwrap();
    std::fs::create_dir_all(root.join("schemas")).unwrap();
    std::fs::create_dir_all(root.join("docs")).unwrap();
    copy_dir(&manifest.join("schemas"), &root.join("schemas"));
    copy_dir(&manifest.join("docs/seeds"), &root.join("docs/seeds"));
    copy_dir(&manifest.join("cases/fixtures"), &root.join("cases/fixtures"));
    let path = root.join("cases/tencent-cvm/broken.yaml");
    std::fs::write(&path, case).unwrap();
    (root, path)
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

fn error_for(case: &str) -> String {
    let (root, path) = project_with(case);
    let format = CaseFormat::load(&root).unwrap();
    let shown = load_case(&root, &path, &format).map(|_| "loaded".to_string()).unwrap_or_else(|e| e.to_string());
    let _ = std::fs::remove_dir_all(&root);
    shown
}

const HEAD: &str = "description: d\nsource: {seed: 000_9fe69fe13d0afb3b.txt, example: Example1}\napi: tencent-cvm\nlive: true\n";

#[test]
fn unknown_field_points_at_the_key_and_suggests_the_right_one() {
    let shown = error_for(&format!("{HEAD}steps:\n  - action: CreateKeyPair\n    expct: {{error: X}}\n"));
    assert!(shown.starts_with("unknown field `expct`\n"), "{shown}");
    assert_shows(
        &shown,
        &["--> cases/tencent-cvm/broken.yaml:7:5", "7 |     expct: {error: X}", "^ expected one of `action`", "did you mean `expect`?"],
    );
}

#[test]
fn yaml_syntax_errors_have_a_position() {
    let shown = error_for(&format!("{HEAD}steps:\n  - action: CreateKeyPair\n    params: {{KeyName: ${{name.key}}}}\n"));
    assert!(shown.starts_with("invalid YAML"), "{shown}");
    assert!(shown.contains("broken.yaml:7:"), "{shown}");
}

#[test]
fn unknown_action_is_named_with_a_suggestion() {
    let shown = error_for(&format!("{HEAD}steps:\n  - action: CreateKeyPairs\n"));
    assert_shows(&shown, &["unknown action `CreateKeyPairs`", "broken.yaml:6:13", "did you mean `CreateKeyPair`?"]);
}

#[test]
fn unknown_capture_and_missing_schema_are_errors() {
    let shown = error_for(&format!("{HEAD}steps:\n  - action: DescribeKeyPairs\n    params: {{KeyIds: [\"${{capture.nope}}\"]}}\n"));
    assert_shows(&shown, &["unknown capture `nope`", "broken.yaml:7:"]);
    let shown =
        error_for(&format!("{HEAD}steps:\n  - action: CreateKeyPair\n    expect: {{success: true, schema: tencent-cvm/Nope.json}}\n"));
    assert_shows(&shown, &["no schema file schemas/tencent-cvm/Nope.json", "broken.yaml:7:"]);
}

#[test]
fn schema_violations_point_at_the_value() {
    let shown = error_for(&format!("{HEAD}steps:\n  - action: CreateKeyPair\n    method: PUT\n"));
    assert_shows(&shown, &["invalid case at `/steps/0/method`", "broken.yaml:7:13"]);
    let shown = error_for(
        "description: d\nsource: {seed: 000_9fe69fe13d0afb3b.txt, example: Example1}\napi: tencent-cvm\nlive: true\nemulator: {faults: [{action: CreateKeyPair, code: InternalServerError}]}\nsteps:\n  - action: CreateKeyPair\n",
    );
    assert!(shown.contains("cannot run live"), "{shown}");
}
