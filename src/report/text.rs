//! The text reporter: one line per case as it ends, the failures in full, then a last line
//! `N passed, N failed` (`, N skipped` when any were).

use std::fmt::Write;

use crate::run::{CaseResult, Status, SuiteResult};

/// The line printed when a case ends.
pub fn case_line(result: &CaseResult) -> String {
    let secs = result.duration.as_secs_f64();
    match &result.status {
        Status::Passed => format!("ok       {} ({secs:.2} s)", result.id),
        Status::Failed => format!("FAILED   {} ({secs:.2} s)", result.id),
        Status::Skipped(why) => format!("skipped  {} ({why})", result.id),
    }
}

/// A failed case in full: its file, each failure with its step, reason and diff.
pub fn failure_details(result: &CaseResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---- {} ({}) ----", result.id, result.path);
    for failure in &result.failures {
        let _ = writeln!(out, "{}: {}", failure.step, failure.message);
        if let Some(diff) = &failure.diff {
            let _ = writeln!(out, "{diff}");
        }
    }
    out
}

/// The closing summary; the last line is `N passed, N failed` for CI to read.
pub fn summary(suite: &SuiteResult) -> String {
    let mut out = String::new();
    let failed: Vec<&CaseResult> = suite.cases.iter().filter(|c| c.status == Status::Failed).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nfailures:\n");
        for case in &failed {
            out.push_str(&failure_details(case));
            out.push('\n');
        }
    }
    let requests: usize = suite.cases.iter().map(|c| c.requests).sum();
    let _ = writeln!(out, "{} cases, {requests} requests in {:.2} s", suite.cases.len(), suite.duration.as_secs_f64());
    let skipped = suite.skipped();
    let _ = write!(out, "{} passed, {} failed", suite.passed(), suite.failed());
    if skipped > 0 {
        let _ = write!(out, ", {skipped} skipped");
    }
    out
}
