//! Judging a step's answers: outcome and status, then the schema, the case's `fields` and the
//! key-pair checks of the chosen answer. Pure: it sends nothing.

use serde_json::Value;

use super::step::Answer;
use super::template::Vars;
use crate::case::{Outcome, Step};
use crate::check::keys::check_pairs;
use crate::check::schema::SchemaSet;
use crate::check::secrets::scrub;
use crate::providers::ApiProfile;

/// The verdict on a step's answers.
#[derive(Debug, Default)]
pub struct Verdict {
    /// The answer the expectation matched (the first, for a burst).
    pub chosen: usize,
    pub failures: Vec<String>,
    pub diff: Option<String>,
}

/// Judges the answers: outcome and status, then schema, fields and key pairs of the chosen answer.
pub fn judge(step: &Step, profile: &ApiProfile, answers: &[Answer], schemas: &SchemaSet, vars: &mut Vars) -> Verdict {
    let mut verdict = Verdict::default();
    let outcome_of = |a: &Answer| match profile.error_code(a.status, &a.body) {
        Some(code) => Outcome::Error(code.to_string()),
        None => Outcome::Success,
    };
    let matching = answers.iter().position(|a| outcome_of(a) == step.expect.outcome);
    let Some(chosen) = matching else {
        let answer = &answers[0];
        verdict.failures.push(format!("expected {}, got {}", step.expect.outcome.describe(), outcome_of(answer).describe()));
        verdict.diff = Some(diff(&expected_view(step), &scrub(&answer.body)));
        return verdict;
    };
    verdict.chosen = chosen;
    if answers.len() > 1 {
        for (i, other) in answers.iter().enumerate() {
            let outcome = outcome_of(other);
            if outcome != Outcome::Success && outcome != step.expect.outcome {
                verdict.failures.push(format!("burst answer {i}: unexpected {}", outcome.describe()));
            }
        }
    }
    let answer = &answers[chosen];
    if let Some(status) = step.expect.status
        && status != answer.status
    {
        verdict.failures.push(format!("expected HTTP {status}, got {}", answer.status));
    }
    if let Err(errors) = schemas.validate(&step.expect.schema, &answer.body) {
        verdict.failures.push(format!("response does not match schemas/{}:\n  {}", step.expect.schema, errors.join("\n  ")));
    }
    for (pointer, expected) in &step.expect.fields {
        match vars.render(expected) {
            Err(e) => verdict.failures.push(format!("expect.fields {pointer}: {e}")),
            Ok(expected) => {
                let actual = answer.body.pointer(pointer).cloned().unwrap_or(Value::Null);
                if actual != expected {
                    verdict.failures.push(format!("{pointer}: expected {}, got {}", scrub(&expected), scrub(&actual)));
                    verdict.diff.get_or_insert_with(|| diff(&expected, &scrub(&actual)));
                }
            }
        }
    }
    check_pairs(&answer.body, "", &mut verdict.failures);
    verdict
}

fn expected_view(step: &Step) -> Value {
    let mut view = serde_json::json!({ "expected": step.expect.outcome.describe() });
    if let Some(status) = step.expect.status {
        view["status"] = status.into();
    }
    view
}

/// A unified diff of two values' pretty JSON.
pub fn diff(expected: &Value, actual: &Value) -> String {
    let expected = serde_json::to_string_pretty(expected).unwrap_or_default();
    let actual = serde_json::to_string_pretty(actual).unwrap_or_default();
    similar::TextDiff::from_lines(&expected, &actual).unified_diff().context_radius(3).header("expected", "actual").to_string()
}
