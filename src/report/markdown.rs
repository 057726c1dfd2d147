//! The Markdown reporter, for a pull request or a CI job summary: totals; contract failures first
//! with their diffs; then drift; new snapshots; skipped cases with their reasons; parity debt per
//! API.

use std::fmt::Write;

use crate::run::{CaseResult, SnapshotState, Status, SuiteResult};

/// The report as Markdown text.
pub fn render(suite: &SuiteResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# keypair-contract: {}\n", suite.target);
    let _ = writeln!(out, "| cases | passed | failed | drift | skipped | seconds |\n|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {:.1} |\n",
        suite.cases.len(),
        suite.passed(),
        suite.failed(),
        suite.drifted(),
        suite.skipped(),
        suite.duration.as_secs_f64()
    );
    for problem in &suite.problems {
        let _ = writeln!(out, "**Failed:** {problem}\n");
    }
    if suite.cases.len() < suite.expected {
        let _ = writeln!(out, "**{} of {} cases have no result.**\n", suite.expected - suite.cases.len(), suite.expected);
    }

    let failed: Vec<&CaseResult> = suite.cases.iter().filter(|c| c.status == Status::Failed).collect();
    section(&mut out, "Contract failures", &failed, |case, out| {
        for f in case.contract_failures().chain(case.drift_failures()) {
            let at = f.position.as_ref().map(|p| format!(" at `{p}`")).unwrap_or_default();
            let _ = writeln!(out, "- **{}** `{}`{at}: {}", f.kind, f.step, first_line(&f.message));
            if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
                let _ = writeln!(out, "  expected `{e}`, actual `{a}`");
            }
            fenced(out, f.diff.as_deref());
        }
    });
    let drift: Vec<&CaseResult> = suite.cases.iter().filter(|c| c.status == Status::Drift).collect();
    section(&mut out, "Drift (contract holds, answer differs from its snapshot)", &drift, |case, out| {
        for f in case.drift_failures() {
            let _ = writeln!(out, "- {}", first_line(&f.message));
            fenced(out, f.diff.as_deref());
        }
    });
    let new: Vec<&CaseResult> =
        suite.cases.iter().filter(|c| matches!(c.snapshot, SnapshotState::New { .. } | SnapshotState::Written)).collect();
    section(&mut out, "New snapshots", &new, |case, out| {
        let state = match &case.snapshot {
            SnapshotState::Written => "written".to_string(),
            SnapshotState::New { pending: Some(p) } => format!("pending at `{p}`"),
            _ => "not written (CI)".to_string(),
        };
        let _ = writeln!(out, "- {state}");
    });
    let skipped: Vec<&CaseResult> = suite.cases.iter().filter(|c| matches!(c.status, Status::Skipped(_))).collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "## Skipped ({})\n\n| case | reason |\n|---|---|", skipped.len());
        for case in skipped {
            if let Status::Skipped(why) = &case.status {
                let _ = writeln!(out, "| `{}` | {} |", case.id, why.replace('|', "\\|"));
            }
        }
        out.push('\n');
    }
    let mut apis: Vec<&str> = suite.cases.iter().filter(|c| !c.parity_gaps.is_empty()).map(|c| c.api.as_str()).collect();
    apis.dedup();
    if !apis.is_empty() {
        let _ = writeln!(out, "## Parity debt\n");
        for api in apis {
            let gaps: Vec<(&str, &str, &str)> = suite
                .cases
                .iter()
                .filter(|c| c.api == api)
                .flat_map(|c| c.parity_gaps.iter().map(move |g| (c.id.as_str(), g.path.as_str(), g.reason.as_str())))
                .collect();
            let _ = writeln!(out, "### {api}: {} gap(s)\n\n| case | path | reason |\n|---|---|---|", gaps.len());
            for (case, path, reason) in gaps {
                let _ = writeln!(out, "| `{case}` | `{path}` | {} |", reason.replace('|', "\\|"));
            }
            out.push('\n');
        }
    }
    out
}

fn section(out: &mut String, title: &str, cases: &[&CaseResult], body: impl Fn(&CaseResult, &mut String)) {
    if cases.is_empty() {
        return;
    }
    let _ = writeln!(out, "## {title} ({})\n", cases.len());
    for case in cases {
        let _ = writeln!(out, "### `{}`\n\n`{}`\n", case.id, case.path);
        body(case, out);
        out.push('\n');
    }
}

fn fenced(out: &mut String, diff: Option<&str>) {
    if let Some(diff) = diff {
        let _ = writeln!(out, "\n```diff\n{}\n```", diff.trim_end());
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}
