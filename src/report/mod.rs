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
            Failure::new("tencent-cvm/a/failed", "steps[1] DescribeKeyPairs", Kind::Field, "/Response/TotalCount: expected 2, got 1 <&>")
                .at(Position { file: "cases/tencent-cvm/a/failed.yaml".into(), line: 17, col: 9 })
                .expected_actual("2", "1"),
        );
        let mut drift = case("tencent-cvm/a/drift", Status::Drift);
        drift.snapshot = SnapshotState::Differs { pending: Some("snapshots/tencent-cvm/a/drift.snap.new".into()) };
        drift.failures.push(
            Failure::new("tencent-cvm/a/drift", "snapshot", Kind::Snapshot, "the answer differs")
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
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report.schema.json")).unwrap())
                .unwrap();
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}
