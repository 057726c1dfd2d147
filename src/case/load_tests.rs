//! The loader's rules, one a test, on case files written to a scratch project (the real case
//! format, seeds and fixtures linked in): what a case takes from its API's profile, and each
//! refusal with the line it points at and what it says was expected. tests/suite/case_errors.rs
//! checks how the errors are drawn.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::*;
use crate::apis::Signing;

static FORMAT: LazyLock<CaseFormat> = LazyLock::new(|| CaseFormat::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("the case format"));

/// A project root with the repository's schemas, seeds and fixtures linked in; removed on drop.
struct Project {
    root: PathBuf,
}

impl Project {
    fn new() -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = std::env::temp_dir().join(format!("kc-load-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        std::fs::create_dir_all(root.join("cases")).expect("scratch project");
        std::fs::create_dir_all(root.join("docs")).expect("scratch project");
        for (from, to) in [("schemas", "schemas"), ("docs/seeds", "docs/seeds"), ("cases/fixtures", "cases/fixtures")] {
            std::os::unix::fs::symlink(manifest.join(from), root.join(to)).expect("link");
        }
        Self { root }
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("case folder");
        std::fs::write(&path, text).expect("case file");
        path
    }

    fn load(&self, relative: &str, text: &str) -> Result<Case, CaseError> {
        let path = self.write(relative, text);
        load_case(&self.root, &path, &FORMAT)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

const HEAD: &str = "description: d\nsource: {seed: 000_9fe69fe13d0afb3b.txt, example: Example1}\napi: tencent-cvm\nlive: true\n";

/// A CVM case of `HEAD` and `rest`, loaded.
fn cvm(rest: &str) -> Result<Case, CaseError> {
    Project::new().load("cases/tencent-cvm/t.yaml", &format!("{HEAD}{rest}"))
}

/// The error `rest` gets: its message (with what was expected and the help) and its line.
fn refusal(rest: &str) -> (String, u32) {
    let error = cvm(rest).map(|case| case.id).expect_err("the case should be refused");
    let detail = error.detail();
    let shown =
        format!("{} | expected {} | {}", detail.message, detail.expected.as_deref().unwrap_or("-"), detail.help.as_deref().unwrap_or("-"));
    (shown, detail.pos.line)
}

fn assert_refused(rest: &str, line: u32, needles: &[&str]) {
    let (shown, at) = refusal(rest);
    assert_eq!(at, line, "{shown}");
    for needle in needles {
        assert!(shown.contains(needle), "`{needle}` not in: {shown}");
    }
}

#[test]
fn a_step_takes_its_apis_defaults_and_an_expectation_its_schema() {
    let case = cvm("steps:\n  - action: CreateKeyPair\n  - action: DescribeKeyPairs\n    expect: {error: InvalidKeyPair.NotFound}\n")
        .expect("loads");
    assert_eq!((case.id.as_str(), case.path.as_path()), ("tencent-cvm/t", Path::new("cases/tencent-cvm/t.yaml")));
    assert_eq!(case.live_skip, None, "`live: true` runs live");
    let [create, describe] = &case.steps[..] else { panic!("two steps: {:?}", case.steps) };
    assert_eq!((create.label.as_str(), create.pointer.as_str(), create.pos.line), ("steps[0]", "/steps/0", 6));
    assert_eq!((create.version.as_str(), create.region.as_deref(), create.method.as_str()), ("2017-03-12", Some("ap-guangzhou"), "POST"));
    assert_eq!((create.signing, &create.params), (Signing::Tc3, &serde_json::json!({})));
    assert_eq!((&create.expect.outcome, create.expect.schema.as_str()), (&Outcome::Success, "tencent-cvm/CreateKeyPair.json"));
    assert_eq!(describe.label, "steps[1]");
    assert_eq!(describe.expect.outcome, Outcome::Error("InvalidKeyPair.NotFound".into()));
    assert_eq!(describe.expect.schema, "tencent-cvm/error.json", "an error's schema is the API's error envelope");
}

#[test]
fn explicit_settings_replace_the_defaults_and_region_null_sends_none() {
    let case = cvm(concat!(
        "setup:\n  - action: DescribeKeyPairs\n",
        "steps:\n  - action: DescribeKeyPairs\n    version: \"2017-03-13\"\n    region: null\n    method: GET\n    signing: hmac-sha256\n",
        "    params: {Limit: 1}\n    burst: 3\n    expect: {success: true, status: 200, fields: {/Response/TotalCount: 0}}\n",
        "  - action: DescribeKeyPairs\n    region: ap-shanghai\n",
    ))
    .expect("loads");
    assert_eq!(case.steps[1].region.as_deref(), Some("ap-shanghai"));
    assert_eq!(case.setup[0].label, "setup[0]");
    let step = &case.steps[0];
    assert_eq!((step.version.as_str(), step.region.as_deref(), step.method.as_str()), ("2017-03-13", None, "GET"));
    assert_eq!((step.signing, step.burst, step.expect.status), (Signing::HmacSha256, Some(3), Some(200)));
    assert_eq!(step.expect.fields, vec![("/Response/TotalCount".to_string(), serde_json::json!(0))]);
}

#[test]
fn a_skipped_live_run_keeps_its_reason_and_may_set_up_the_emulator() {
    let case = Project::new()
        .load(
            "cases/tencent-cvm/t.yaml",
            "description: d\nsource: {seed: 000_9fe69fe13d0afb3b.txt, example: Example1}\napi: tencent-cvm\nlive: {skip: only the emulator can fail on purpose}\nemulator: {faults: [{action: CreateKeyPair, code: InternalError}]}\nsteps:\n  - action: CreateKeyPair\n",
        )
        .expect("loads");
    assert_eq!(case.live_skip.as_deref(), Some("only the emulator can fail on purpose"));
}

#[test]
fn a_case_lives_under_its_apis_folder() {
    let error = Project::new().load("cases/aliyun-ecs/t.yaml", &format!("{HEAD}steps:\n  - action: CreateKeyPair\n")).unwrap_err();
    assert!(error.detail().message.contains("must live under cases/tencent-cvm/"), "{error}");
    assert_eq!(error.detail().pos.line, 3, "{error}");
}

#[test]
fn an_unknown_api_names_the_known_ones_and_the_nearest() {
    let error = Project::new()
        .load(
            "cases/tencent-cvn/t.yaml",
            "description: d\nsource: {seed: 000_9fe69fe13d0afb3b.txt, example: Example1}\napi: tencent-cvn\nlive: true\nsteps:\n  - action: CreateKeyPair\n",
        )
        .unwrap_err();
    let detail = error.detail();
    assert_eq!((detail.message.as_str(), detail.pos.line), ("unknown api `tencent-cvn`", 3));
    assert!(detail.expected.as_deref().is_some_and(|e| e.contains("`tencent-cvm`") && e.contains("`aliyun-ecs`")), "{error}");
    assert_eq!(detail.help.as_deref(), Some("did you mean `tencent-cvm`?"));
}

#[test]
fn a_missing_seed_is_named() {
    let error = Project::new()
        .load("cases/tencent-cvm/t.yaml", "description: d\nsource: {seed: 999_0000000000000000.txt, example: E}\napi: tencent-cvm\nlive: true\nsteps:\n  - action: CreateKeyPair\n")
        .unwrap_err();
    assert_eq!((error.detail().message.as_str(), error.detail().pos.line), ("no seed document docs/seeds/999_0000000000000000.txt", 2));
}

#[test]
fn a_fault_names_an_action_of_the_api() {
    let error = Project::new()
        .load(
            "cases/tencent-cvm/t.yaml",
            "description: d\nsource: {seed: 000_9fe69fe13d0afb3b.txt, example: Example1}\napi: tencent-cvm\nlive: {skip: x}\nemulator:\n  faults:\n    - {action: CreateKeyPairs, code: InternalError}\nsteps:\n  - action: CreateKeyPair\n",
        )
        .unwrap_err();
    assert_eq!(error.detail().pos.line, 7, "{error}");
    assert!(error.detail().message.starts_with("unknown action `CreateKeyPairs` for tencent-cvm"), "{error}");
    assert_eq!(error.detail().help.as_deref(), Some("did you mean `CreateKeyPair`?"));
}

#[test]
fn a_step_signs_only_as_its_api_does() {
    assert_refused(
        "steps:\n  - action: CreateKeyPair\n  - action: CreateKeyPair\n    signing: acs3\n",
        8,
        &["tencent-cvm does not sign with `acs3`", "expected one of `tc3`, `hmac-sha1`, `hmac-sha256`"],
    );
}

#[test]
fn a_capture_is_known_to_later_steps_only_and_never_a_private_key() {
    let case = cvm(concat!(
        "steps:\n  - action: CreateKeyPair\n    capture: {key: /Response/KeyPair/KeyId}\n",
        "  - action: DescribeKeyPairs\n    params: {KeyIds: [\"${capture.key}\"]}\n",
    ))
    .expect("a capture of an earlier step is known");
    assert_eq!(case.steps[0].capture.get("key").map(String::as_str), Some("/Response/KeyPair/KeyId"));
    let (shown, line) = refusal(concat!(
        "steps:\n  - action: DescribeKeyPairs\n    params: {KeyIds: [\"${capture.later}\"]}\n    capture: {early: /Response/RequestId}\n",
        "  - action: CreateKeyPair\n    capture: {later: /Response/KeyPair/KeyId}\n",
    ));
    assert_eq!(line, 7, "{shown}");
    assert!(
        shown.contains("unknown capture `later`") && !shown.contains("`early`"),
        "a step's own capture comes after its request: {shown}"
    );
    assert_refused(
        "steps:\n  - action: CreateKeyPair\n    capture: {first: /Response/RequestId}\n  - action: DescribeKeyPairs\n    params: {KeyIds: [\"${capture.nope}\"]}\n",
        9,
        &["a capture defined by an earlier step: `first`"],
    );
    assert_refused(
        "steps:\n  - action: CreateKeyPair\n    capture: {pem: /Response/KeyPair/PrivateKey}\n",
        7,
        &["a private key must never be captured"],
    );
}

#[test]
fn templates_are_well_formed_and_of_a_known_kind_wherever_they_stand() {
    cvm("steps:\n  - action: ImportKeyPair\n    params: {KeyName: \"${name.k:12}\", PublicKey: \"${fixture.rsa_a}\", ProjectId: 0}\n")
        .expect("name and fixture templates");
    assert_refused(
        "steps:\n  - action: CreateKeyPair\n    params: {KeyName: \"${name.k\"}\n",
        7,
        &["malformed template in `${name.k`", "expected ${name.ID}, ${name.ID:LENGTH}"],
    );
    assert_refused(
        "steps:\n  - action: ImportKeyPair\n    params: {PublicKey: \"${fixture.nope}\"}\n",
        7,
        &["no fixture cases/fixtures/nope.pub"],
    );
    assert_refused(
        "steps:\n  - action: CreateKeyPair\n    params:\n      TagSpecification:\n        - Tags:\n            - {Key: k, Value: \"${nme.x}\"}\n",
        10,
        &["unknown template kind `nme`", "did you mean `name`?"],
    );
}

#[test]
fn an_expected_field_is_a_pointer_and_its_templates_are_checked() {
    assert_refused(
        "steps:\n  - action: DescribeKeyPairs\n    expect:\n      success: true\n      fields: {Response/TotalCount: 0}\n",
        9,
        &["`Response/TotalCount` is not a JSON pointer", "expected a pointer such as /Response/KeyPair/KeyName"],
    );
    assert_refused(
        "steps:\n  - action: DescribeKeyPairs\n    expect:\n      success: true\n      fields:\n        /Response/KeyPairSet/0/KeyId: \"${capture.nope}\"\n",
        10,
        &["unknown capture `nope`"],
    );
}

#[test]
fn unordered_and_parity_gap_paths_are_patterns() {
    let case = cvm(
        "steps:\n  - action: DescribeKeyPairs\nunordered: [/Response/KeyPairSet]\nparity_gaps:\n  - {path: /Response/KeyPairSet/*/CreatedTime, reason: the emulator's clock}\n",
    )
    .expect("loads");
    assert_eq!(case.unordered.len(), 1);
    assert_eq!(case.parity_gaps.len(), 1);
    assert_eq!(case.parity_gaps[0].1, "the emulator's clock");
    assert_eq!(case.unordered[0].text, "/Response/KeyPairSet");
    // The case format requires the leading `/` that a pattern needs.
    assert_refused("steps:\n  - action: DescribeKeyPairs\nunordered: [Response]\n", 7, &["invalid case at `/unordered/0`"]);
    assert_refused(
        "steps:\n  - action: DescribeKeyPairs\nparity_gaps:\n  - {path: Response, reason: r}\n",
        8,
        &["invalid case at `/parity_gaps/0/path`"],
    );
}

#[test]
fn an_unknown_key_is_offered_the_keys_of_its_own_level() {
    assert_refused(
        "stepz: []\nsteps:\n  - action: CreateKeyPair\n",
        5,
        &["unknown field `stepz`", "`parity_gaps`", "did you mean `steps`?"],
    );
    assert_refused(
        "steps:\n  - action: CreateKeyPair\n    expect: {success: true, succes: true}\n",
        7,
        &["unknown field `succes`", "`fields`", "did you mean `success`?"],
    );
    let (shown, _) = refusal("steps:\n  - action: CreateKeyPair\n    expect: {success: true, succes: true}\n");
    assert!(!shown.contains("`action`"), "an expectation's keys, not a step's: {shown}");
    let error = Project::new()
        .load(
            "cases/tencent-cvm/t.yaml",
            "description: d\nsource: {seed: 000_9fe69fe13d0afb3b.txt, example: Example1, exmaple: x}\napi: tencent-cvm\nlive: true\nsteps:\n  - action: CreateKeyPair\n",
        )
        .unwrap_err();
    let expected = error.detail().expected.clone().unwrap_or_default();
    assert!(expected.contains("`seed`") && !expected.contains("`steps`"), "the source's keys: {error}");
}

#[test]
fn other_format_violations_name_the_value() {
    assert_refused("steps:\n  - action: CreateKeyPair\n    burst: many\n", 7, &["invalid case at `/steps/0/burst`"]);
}

#[test]
fn discovery_is_sorted_and_skips_fixtures_and_other_files() {
    let project = Project::new();
    std::fs::remove_file(project.root.join("cases/fixtures")).expect("unlink the fixtures");
    for file in [
        "cases/tencent-cvm/b.yaml",
        "cases/tencent-cvm/a/z.yml",
        "cases/aliyun-ecs/c.yaml",
        "cases/tencent-cvm/notes.md",
        "cases/fixtures/f.yaml",
    ] {
        project.write(file, "x");
    }
    let found: Vec<String> = discover(&project.root).expect("cases").iter().map(|p| case_id(&project.root, p)).collect();
    assert_eq!(found, ["aliyun-ecs/c", "tencent-cvm/a/z", "tencent-cvm/b"]);
}

#[test]
fn a_project_without_cases_is_an_error_not_an_empty_run() {
    let project = Project::new();
    let none = discover(&project.root).unwrap_err();
    assert!(none.detail().message.contains("no case files"), "{none}");
    std::fs::remove_dir_all(project.root.join("cases")).expect("unlink");
    let missing = discover(&project.root).unwrap_err();
    assert!(missing.detail().message.contains("no cases folder"), "{missing}");
}

#[test]
fn every_bad_file_is_reported_beside_the_good_ones() {
    let project = Project::new();
    project.write("cases/tencent-cvm/good.yaml", &format!("{HEAD}steps:\n  - action: CreateKeyPair\n"));
    project.write("cases/tencent-cvm/bad1.yaml", &format!("{HEAD}steps:\n  - action: Nope\n"));
    project.write("cases/tencent-cvm/bad2.yaml", "not: [yaml");
    let (cases, errors) = load_all(&project.root, &FORMAT).expect("discovered");
    assert_eq!(cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["tencent-cvm/good"]);
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn a_burst_anywhere_makes_a_rate_limit_probe_and_positions_are_of_keys() {
    let plain = cvm("steps:\n  - action: DescribeKeyPairs\n    expect:\n      success: true\n      fields: {/Response/TotalCount: 0}\n")
        .expect("loads");
    assert!(!plain.probes_rate_limit());
    assert_eq!(plain.position("/steps/0/expect/fields/~1Response~1TotalCount"), super::tree::Pos { line: 9, col: 16 });
    let probe = cvm("setup:\n  - action: DescribeKeyPairs\n    burst: 20\nsteps:\n  - action: DescribeKeyPairs\n").expect("loads");
    assert!(probe.probes_rate_limit(), "a burst in the setup probes the limit too");
}

#[test]
fn every_property_name_of_the_format_is_known_even_under_a_combinator() {
    let schema = serde_json::json!({
        "properties": {"a": {}},
        "oneOf": [{"properties": {"b": {}}}],
        "$defs": {"step": {"properties": {"c": {"properties": {"d": {}}}}}}
    });
    let mut names = BTreeSet::new();
    collect_property_names(&schema, &mut names);
    assert_eq!(names.into_iter().collect::<Vec<_>>(), ["a", "b", "c", "d"]);
}

#[test]
fn a_file_that_is_not_utf8_is_refused_at_its_first_bad_byte() {
    let project = Project::new();
    let path = project.write("cases/tencent-cvm/t.yaml", "");
    // A Latin-1 "é" (0xE9) on line 5 after 20 characters, one of them a two-byte UTF-8 "ü": the
    // column counts characters, not bytes; lines are counted as YAML counts them.
    for end in ["\n", "\r\n", "\r"] {
        let head = HEAD.replace('\n', end);
        std::fs::write(&path, [head.as_bytes(), "steps: [{action: Düx".as_bytes(), &[0xE9]].concat()).unwrap();
        let error = load_case(&project.root, &path, &FORMAT).map(|case| case.id).expect_err("refused");
        let detail = error.detail();
        assert_eq!((detail.pos.line, detail.pos.col), (5, 21), "lines ended by {end:?}: {error}");
        assert_eq!(detail.source_line, "steps: [{action: Düx\u{fffd}");
        assert_eq!(detail.message, "not UTF-8: byte 0xE9");
        assert_eq!((detail.expected.as_deref(), detail.help.as_deref()), (Some("UTF-8 text"), Some("save the file as UTF-8")));
        assert!(error.to_string().contains("cases/tencent-cvm/t.yaml:5:21"), "{error}");
    }
}

#[test]
fn the_frame_shows_the_line_yaml_counted_whatever_ends_the_lines() {
    for end in ["\n", "\r\n", "\r"] {
        let text = format!("{HEAD}steps: 5\n").replace('\n', end);
        let error = Project::new().load("cases/tencent-cvm/t.yaml", &text).map(|case| case.id).expect_err("steps must be a list");
        let detail = error.detail();
        assert_eq!((detail.pos.line, detail.source_line.as_str()), (5, "steps: 5"), "lines ended by {end:?}: {error}");
    }
}
