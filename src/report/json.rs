//! The JSON reporter: the target, every case with its status, duration, failures and parity gaps,
//! the parity debt per API and the totals. Its shape is schemas/report.schema.json.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::run::{CaseResult, Failure, SnapshotState, Status, SuiteResult};

/// The report as a JSON value.
pub fn render(suite: &SuiteResult) -> Value {
    let cases: Vec<Value> = suite.cases.iter().map(case).collect();
    let requests: usize = suite.cases.iter().map(|c| c.requests).sum();
    json!({
        "tool": "keypair-contract",
        "version": env!("CARGO_PKG_VERSION"),
        "target": suite.target,
        "root": suite.root,
        "cases": cases,
        "problems": suite.problems,
        "parity_debt": parity_debt(suite),
        "totals": {
            "cases": suite.cases.len(),
            "expected": suite.expected,
            "passed": suite.passed(),
            "failed": suite.failed(),
            "drift": suite.drifted(),
            "skipped": suite.skipped(),
            "requests": requests,
            "duration": seconds(suite.duration),
        },
    })
}

fn case(result: &CaseResult) -> Value {
    let mut value = json!({
        "id": result.id,
        "api": result.api,
        "path": result.path,
        "status": result.status.word(),
        "duration": seconds(result.duration),
        "snapshot": snapshot_word(&result.snapshot),
        "failures": result.failures.iter().map(failure).collect::<Vec<_>>(),
        "parity_gaps": result.parity_gaps.iter().map(|g| json!({"path": g.path, "reason": g.reason})).collect::<Vec<_>>(),
    });
    if let Status::Skipped(why) = &result.status {
        value["skip_reason"] = json!(why);
    }
    if !result.notes.is_empty() {
        value["notes"] = json!(result.notes);
    }
    if let SnapshotState::New { pending: Some(p) } | SnapshotState::Differs { pending: Some(p) } = &result.snapshot {
        value["pending_snapshot"] = json!(p);
    }
    value
}

/// What became of a snapshot, as one word.
pub fn snapshot_word(state: &SnapshotState) -> &'static str {
    match state {
        SnapshotState::NotCompared => "not-compared",
        SnapshotState::Matched => "matched",
        SnapshotState::Written => "written",
        SnapshotState::New { .. } => "new",
        SnapshotState::Differs { .. } => "differs",
    }
}

fn failure(f: &Failure) -> Value {
    let mut value = json!({
        "kind": f.kind.as_str(),
        "contract": f.kind.is_contract(),
        "step": f.step,
        "position": f.position.as_ref().map(|p| json!({"file": p.file, "line": p.line, "col": p.col})),
        "message": f.message,
    });
    for (key, field) in [("expected", &f.expected), ("actual", &f.actual), ("diff", &f.diff), ("exchange", &f.exchange)] {
        if let Some(text) = field {
            value[key] = json!(text);
        }
    }
    value
}

/// Declared parity gaps per API: how many and which.
pub fn parity_debt(suite: &SuiteResult) -> Value {
    let mut by_api: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for case in &suite.cases {
        for gap in &case.parity_gaps {
            by_api.entry(&case.api).or_default().push(json!({"case": case.id, "path": gap.path, "reason": gap.reason}));
        }
    }
    Value::Object(by_api.into_iter().map(|(api, gaps)| (api.to_string(), json!({"count": gaps.len(), "gaps": gaps}))).collect())
}

fn seconds(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}
