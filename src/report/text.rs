//! The text reporter: one line per case as it ends, the failures in full (contract failures
//! first, then drift), then a last line `N passed, N failed` (`, N drift`, `, N skipped` when any).

use std::fmt::Write;

use crate::run::{CaseResult, Failure, Status, SuiteResult};

/// The line printed when a case ends.
pub fn case_line(result: &CaseResult) -> String {
    let secs = result.duration.as_secs_f64();
    let mut line = match &result.status {
        Status::Passed => format!("ok       {} ({secs:.2} s)", result.id),
        Status::Failed => format!("FAILED   {} ({secs:.2} s)", result.id),
        Status::Drift => format!("drift    {} ({secs:.2} s)", result.id),
        Status::Skipped(why) => format!("skipped  {} ({why})", result.id),
    };
    for note in &result.notes {
        let _ = write!(line, "\n         note: {note}");
    }
    line
}

/// One failure: its kind and step, where in the case file, what went wrong, expected and actual,
/// the diff, and with `verbose` the exchange.
pub fn failure_text(failure: &Failure, verbose: bool) -> String {
    let mut out = String::new();
    if failure.kind.as_str().starts_with(failure.step.as_str()) {
        let _ = writeln!(out, "{}", failure.kind);
    } else {
        let _ = writeln!(out, "{}: {}", failure.kind, failure.step);
    }
    if let Some(at) = &failure.position {
        let _ = writeln!(out, "  --> {at}");
    }
    for line in failure.message.lines() {
        let _ = writeln!(out, "  {line}");
    }
    if let (Some(expected), Some(actual)) = (&failure.expected, &failure.actual) {
        let _ = writeln!(out, "  expected: {expected}\n  actual:   {actual}");
    }
    if let Some(diff) = &failure.diff {
        for line in diff.trim_end().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if verbose && let Some(exchange) = &failure.exchange {
        let _ = writeln!(out, "  exchange:");
        for line in exchange.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// A failed or drifting case in full: its file, then each failure (contract ones first).
pub fn failure_details(result: &CaseResult, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---- {} ({}) ----", result.id, result.path);
    for failure in result.contract_failures().chain(result.drift_failures()) {
        out.push_str(&failure_text(failure, verbose));
    }
    out
}

/// The closing summary; the last line is `N passed, N failed` for CI to read.
pub fn summary(suite: &SuiteResult, verbose: bool) -> String {
    let mut out = String::new();
    for (title, status) in
        [("failures", Status::Failed), ("drift (the contract holds; the answer differs from its snapshot)", Status::Drift)]
    {
        let cases: Vec<&CaseResult> = suite.cases.iter().filter(|c| c.status == status).collect();
        if !cases.is_empty() {
            let _ = writeln!(out, "\n{title}:\n");
            for case in &cases {
                out.push_str(&failure_details(case, verbose));
                out.push('\n');
            }
        }
    }
    for problem in &suite.problems {
        let _ = writeln!(out, "FAILED   {problem}");
    }
    if suite.cases.len() < suite.expected {
        let _ = writeln!(out, "error: {} of {} cases have no result", suite.expected - suite.cases.len(), suite.expected);
    }
    let debt = crate::report::json::parity_debt(suite);
    if let Some(debt) = debt.as_object().filter(|d| !d.is_empty()) {
        let _ = writeln!(out, "\nparity debt (declared differences of the emulator, ignored on emulator targets only):");
        for (api, entry) in debt {
            let _ = writeln!(out, "  {api}: {}", entry["count"]);
            for gap in entry["gaps"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "    {} {}: {}",
                    gap["case"].as_str().unwrap_or(""),
                    gap["path"].as_str().unwrap_or(""),
                    gap["reason"].as_str().unwrap_or("")
                );
            }
        }
    }
    let requests: usize = suite.cases.iter().map(|c| c.requests).sum();
    let _ = writeln!(out, "{} cases, {requests} requests in {:.2} s", suite.cases.len(), suite.duration.as_secs_f64());
    let _ = write!(out, "{} passed, {} failed", suite.passed(), suite.failed());
    if suite.drifted() > 0 {
        let _ = write!(out, ", {} drift", suite.drifted());
    }
    if suite.skipped() > 0 {
        let _ = write!(out, ", {} skipped", suite.skipped());
    }
    if !suite.problems.is_empty() {
        let _ = write!(out, ", {} run problem(s)", suite.problems.len());
    }
    out
}
