//! Reporters: turn the runner's result tree into output. The runner itself prints nothing.
//! `text` and `console` for the terminal; `json`, `junit` and `markdown` for `run --report`.

pub mod console;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod text;

use crate::cli::{ReportFormat, ReportSpec};
use crate::run::SuiteResult;

/// Exit codes CI can use.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Writes each requested report; the first error names the file.
pub fn write_reports(suite: &SuiteResult, specs: &[ReportSpec]) -> Result<(), String> {
    for spec in specs {
        let text = match spec.format {
            ReportFormat::Json => serde_json::to_string_pretty(&json::render(suite)).unwrap_or_default() + "\n",
            ReportFormat::Junit => junit::render(suite),
            ReportFormat::Markdown => markdown::render(suite),
        };
        if let Some(dir) = spec.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&spec.path, text).map_err(|e| format!("cannot write the report {}: {e}", spec.path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod fixtures {
    use std::time::Duration;

    use crate::run::result::{CaseResult, Failure, Kind, ParityGap, Position, SnapshotState, Status, SuiteResult};
    use crate::test_support::assert_contains_all;

    fn case(id: &str, status: Status) -> CaseResult {
        CaseResult {
            id: id.into(),
            api: "tencent-cvm".into(),
            path: format!("cases/{id}.yaml"),
            status,
            snapshot: SnapshotState::Matched,
            requests: 1,
            duration: Duration::from_millis(120),
            ..CaseResult::default()
        }
    }

    /// A run with one case of each status, a parity gap and characters XML must escape.
    pub fn suite() -> SuiteResult {
        let mut failed = case("tencent-cvm/a/failed", Status::Failed);
        failed.failures.push(
            Failure::new("steps[1] DescribeKeyPairs", Kind::Field, "/Response/TotalCount: expected 2, got 1 <&>")
                .at(Position { file: "cases/tencent-cvm/a/failed.yaml".into(), line: 17, col: 9 })
                .expected_actual("2", "1"),
        );
        let mut drift = case("tencent-cvm/a/drift", Status::Drift);
        drift.snapshot = SnapshotState::Differs { pending: Some("snapshots/tencent-cvm/a/drift.snap.new".into()) };
        drift.failures.push(
            Failure::new("snapshot", Kind::Snapshot, "the answer differs")
                .diff(Some("--- a\n+++ b\n-  Message: x\n+  Message: y\n".into())),
        );
        let mut passed = case("tencent-cvm/a/passed", Status::Passed);
        passed.parity_gaps.push(ParityGap { path: "/Response/Error/Message".into(), reason: "wording".into() });
        passed.notes.push("run again: steps[3] DeleteKeyPairs (an earlier try's answer was lost)".into());
        let skipped = case("tencent-cvm/a/skipped", Status::Skipped("not for live accounts: quota".into()));
        SuiteResult {
            target: "emulator at http://127.0.0.1:1".into(),
            root: "/p".into(),
            cases: vec![failed, drift, passed, skipped],
            expected: 4,
            problems: Vec::new(),
            duration: Duration::from_secs(1),
        }
    }

    #[test]
    fn text_prints_a_line_a_case_then_failures_before_drift_debt_and_a_last_line_for_ci() {
        let mut suite = suite();
        let lines: Vec<String> = suite.cases.iter().map(super::text::case_line).collect();
        assert_eq!(
            lines,
            [
                "FAILED   tencent-cvm/a/failed (0.12 s)",
                "drift    tencent-cvm/a/drift (0.12 s)",
                "ok       tencent-cvm/a/passed (0.12 s)\n         note: run again: steps[3] DeleteKeyPairs (an earlier try's answer was lost)",
                "skipped  tencent-cvm/a/skipped (not for live accounts: quota)",
            ]
        );
        let summary = super::text::summary(&suite, false);
        assert_contains_all(
            &summary,
            &[
                "\nfailures:\n\n---- tencent-cvm/a/failed (cases/tencent-cvm/a/failed.yaml) ----\nfield: steps[1] DescribeKeyPairs\n  --> cases/tencent-cvm/a/failed.yaml:17:9\n  /Response/TotalCount: expected 2, got 1 <&>\n  expected: 2\n  actual:   1\n",
                "---- tencent-cvm/a/drift (cases/tencent-cvm/a/drift.yaml) ----\nsnapshot\n  the answer differs\n  --- a\n",
                "\nparity debt (declared differences of the emulator, ignored on emulator targets only):\n  tencent-cvm: 1\n    tencent-cvm/a/passed /Response/Error/Message: wording\n",
                "4 cases, 4 requests in 1.00 s\n",
            ],
        );
        assert!(summary.find("failures:").unwrap() < summary.find("drift (the contract holds").unwrap(), "{summary}");
        assert!(!summary.contains("have no result"), "every expected case has one: {summary}");
        assert!(summary.ends_with("\n1 passed, 1 failed, 1 drift, 1 skipped"), "{summary}");
        suite.problems.push("the account was not released".into());
        suite.expected = 6;
        let summary = super::text::summary(&suite, false);
        assert_contains_all(&summary, &["FAILED   the account was not released\n", "error: 2 of 6 cases have no result\n"]);
        assert!(summary.ends_with(", 1 skipped, 1 run problem(s)"), "{summary}");
        suite.cases.retain(|c| c.status == crate::run::result::Status::Passed);
        suite.problems.clear();
        suite.expected = 1;
        let quiet = super::text::summary(&suite, false);
        assert!(quiet.ends_with("\n1 passed, 0 failed") && !quiet.contains("failures:") && !quiet.contains("drift"), "{quiet}");
    }

    #[test]
    fn a_failure_shows_its_exchange_only_when_verbose() {
        let mut failure = suite().cases[0].failures[0].clone();
        failure.exchange = Some("POST /\nHTTP 200".into());
        let quiet = super::text::failure_text(&failure, false);
        assert!(!quiet.contains("exchange"), "{quiet}");
        let verbose = super::text::failure_text(&failure, true);
        assert!(verbose.ends_with("  exchange:\n    POST /\n    HTTP 200\n"), "{verbose}");
    }

    #[test]
    fn reports_are_written_where_asked_creating_their_folder_and_a_failure_names_the_file() {
        use crate::cli::{ReportFormat, ReportSpec};
        let dir = std::env::temp_dir().join(format!("keypair-contract-reports-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&dir);
        let specs: Vec<ReportSpec> =
            [(ReportFormat::Json, "a/r.json"), (ReportFormat::Junit, "b/c/r.xml"), (ReportFormat::Markdown, "r.md")]
                .into_iter()
                .map(|(format, path)| ReportSpec { format, path: dir.join(path) })
                .collect();
        std::fs::create_dir_all(&dir).unwrap();
        super::write_reports(&suite(), &specs).unwrap();
        let read = |path: &str| std::fs::read_to_string(dir.join(path)).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&read("a/r.json")).unwrap()["totals"]["cases"], 4);
        assert!(read("b/c/r.xml").starts_with("<?xml"));
        assert!(read("r.md").starts_with("# keypair-contract: emulator at http://127.0.0.1:1"));
        let blocked = [ReportSpec { format: ReportFormat::Json, path: dir.join("r.md/x.json") }];
        let error = super::write_reports(&suite(), &blocked).unwrap_err();
        assert!(error.contains("r.md"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn markdown_counts_missing_results_lists_new_snapshots_and_debt_only_where_declared() {
        let mut suite = suite();
        suite.cases[0].failures[0].message.push_str("\nsecond line");
        let mut written = suite.cases[2].clone();
        written.id = "aliyun-ecs/a/written".into();
        written.api = "aliyun-ecs".into();
        written.parity_gaps.clear();
        written.snapshot = crate::run::result::SnapshotState::Written;
        let mut pending = written.clone();
        pending.id = "aliyun-ecs/a/pending".into();
        pending.snapshot = crate::run::result::SnapshotState::New { pending: Some("snapshots/p.snap.new".into()) };
        let mut unwritten = written.clone();
        unwritten.id = "aliyun-ecs/a/unwritten".into();
        unwritten.snapshot = crate::run::result::SnapshotState::New { pending: None };
        suite.cases.extend([written, pending, unwritten]);
        suite.expected = 7;
        let md = super::markdown::render(&suite);
        assert!(!md.contains("have no result"), "{md}");
        assert_contains_all(
            &md,
            &[
                "- **field** `steps[1] DescribeKeyPairs` at `cases/tencent-cvm/a/failed.yaml:17:9`: /Response/TotalCount: expected 2, got 1 <&>\n",
                "## New snapshots (3)",
                "### `aliyun-ecs/a/written`\n\n`cases/tencent-cvm/a/passed.yaml`\n\n- written\n",
                "- pending at `snapshots/p.snap.new`\n",
                "- not written (CI)\n",
            ],
        );
        assert!(!md.contains("second line") && !md.contains("### aliyun-ecs:"), "{md}");
        suite.expected = 9;
        assert!(super::markdown::render(&suite).contains("**2 of 9 cases have no result.**"));
    }

    #[test]
    fn junit_drops_what_xml_cannot_hold_and_puts_run_problems_in_the_first_suite_only() {
        let mut suite = suite();
        let mut other = suite.cases[2].clone();
        other.id = "aliyun-ecs/a/bell\u{7}".into();
        other.api = "aliyun-ecs".into();
        suite.cases.push(other);
        suite.problems.push("the account was not released".into());
        let xml = super::junit::render(&suite);
        assert!(xml.contains("name=\"aliyun-ecs/a/bell\"") && !xml.contains('\u{7}'), "{xml}");
        assert_eq!(xml.matches("<system-err>the account was not released</system-err>").count(), 1, "{xml}");
        let first = xml.find("<testsuite name=\"aliyun-ecs\"").unwrap();
        assert!(xml.find("the account was not released").unwrap() > first && xml.find("<testsuite name=\"tencent-cvm\"").unwrap() > first);
        assert!(xml.find("the account was not released").unwrap() < xml.find("<testsuite name=\"tencent-cvm\"").unwrap(), "{xml}");
    }

    #[test]
    fn junit_has_one_testcase_per_case_and_at_most_one_outcome_each() {
        let xml = super::junit::render(&suite());
        let count = |tag: &str| xml.matches(tag).count();
        assert_eq!([count("<testcase "), count("<failure "), count("<skipped message=\"not for live accounts: quota\"/>")], [4, 1, 1]);
        // Drift goes to system-out.
        assert_contains_all(
            &xml,
            &["tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\"", "got 1 &lt;&amp;&gt;", "drift: tencent-cvm/a/drift"],
        );
    }

    #[test]
    fn markdown_puts_contract_failures_before_drift_and_lists_debt() {
        let md = super::markdown::render(&suite());
        assert_contains_all(
            &md,
            &["```diff\n--- a", "| `tencent-cvm/a/skipped` | not for live accounts: quota |", "### tencent-cvm: 1 gap(s)"],
        );
        let failures = md.find("## Contract failures (1)").expect("a failures section");
        let drift = md.find("## Drift").expect("a drift section");
        assert!(failures < drift, "{md}");
    }

    #[test]
    fn json_counts_and_debt() {
        let json = super::json::render(&suite());
        for total in ["failed", "drift", "skipped"] {
            assert_eq!(json["totals"][total], 1, "{total}");
        }
        assert_eq!(json["cases"][0]["failures"][0]["position"]["line"], 17);
        assert_eq!(json["cases"][1]["pending_snapshot"], "snapshots/tencent-cvm/a/drift.snap.new");
        assert_eq!(json["cases"][2]["notes"][0], "run again: steps[3] DeleteKeyPairs (an earlier try's answer was lost)");
        assert_eq!(json["parity_debt"]["tencent-cvm"]["count"], 1);
        // Seconds to the millisecond.
        assert_eq!((json["cases"][0]["duration"].as_f64(), json["totals"]["duration"].as_f64()), (Some(0.12), Some(1.0)));
        assert_eq!(json["totals"]["requests"], 4);
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report.schema.json")).unwrap())
                .unwrap();
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}
