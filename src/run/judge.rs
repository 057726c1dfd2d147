//! Judging a step's answers: outcome and status, then the schema, the case's `fields` and the
//! key-pair checks of the chosen answer. Pure: it sends nothing. Each failure is data: its kind,
//! the YAML node it concerns (a `fields` entry's own line), expected and actual.

use serde_json::Value;

use super::result::{Failure, Kind, Position};
use super::step::Answer;
use super::template::Vars;
use crate::case::tree::escape;
use crate::case::{Case, Outcome, Step};
use crate::check::keys::check_pairs;
use crate::check::schema::SchemaSet;
use crate::check::secrets::{scrub, scrub_text};

/// The verdict on a step's answers.
#[derive(Debug, Default)]
pub struct Verdict {
    /// The answer the expectation matched (the first, for a burst).
    pub chosen: usize,
    pub failures: Vec<Failure>,
}

/// How a step names itself in failures: `steps[1] CreateKeyPair`.
pub fn step_name(step: &Step) -> String {
    format!("{} {}", step.label, step.action)
}

/// The position of `suffix` under `step` in the case file (the nearest node that exists).
pub fn position(case: &Case, step: &Step, suffix: &str) -> Position {
    let pos = if step.pointer.is_empty() { step.pos } else { case.position(&format!("{}{suffix}", step.pointer)) };
    Position { file: case.path.display().to_string(), line: pos.line, col: pos.col }
}

/// The exchange of one answer as a person reads it: the rendered parameters and the answer,
/// private keys redacted (credentials and signatures are never part of it).
pub fn exchange_text(step: &Step, params: &Value, answer: &Answer) -> String {
    let params = serde_json::to_string_pretty(&scrub(params)).unwrap_or_default();
    let body = serde_json::to_string_pretty(&scrub(&answer.body)).unwrap_or_default();
    scrub_text(&format!(
        "> {} {} (version {}, region {}, {})\n> {}\n< HTTP {}\n< {}",
        step.method,
        step.action,
        step.version,
        step.region.as_deref().unwrap_or("none"),
        step.signing.as_str(),
        params.replace('\n', "\n> "),
        answer.status,
        body.replace('\n', "\n< ")
    ))
}

/// Judges the answers: outcome and status, then schema, fields and key pairs of the chosen answer.
pub fn judge(case: &Case, step: &Step, params: &Value, answers: &[Answer], schemas: &SchemaSet, vars: &mut Vars) -> Verdict {
    let mut verdict = Verdict::default();
    let name = step_name(step);
    let profile = case.api;
    let fail = |kind: Kind, suffix: &str, message: String| Failure::new(name.clone(), kind, message).at(position(case, step, suffix));
    let outcome_of = |a: &Answer| match profile.error_code(a.status, &a.body) {
        Some(code) => Outcome::Error(code.to_string()),
        None => Outcome::Success,
    };
    let outcome_key = match step.expect.outcome {
        Outcome::Success => "/expect/success",
        Outcome::Error(_) => "/expect/error",
    };
    let matching = answers.iter().position(|a| outcome_of(a) == step.expect.outcome);
    let Some(chosen) = matching else {
        let answer = &answers[0];
        let (expected, actual) = (step.expect.outcome.describe(), outcome_of(answer).describe());
        verdict.failures.push(
            fail(Kind::Outcome, outcome_key, format!("expected {expected}, got {actual}"))
                .expected_actual(expected, actual)
                .diff(Some(diff(&expected_view(step), &scrub(&answer.body)))),
        );
        finish(&mut verdict, step, params, answer);
        return verdict;
    };
    verdict.chosen = chosen;
    // In a burst, an answer that is neither a success nor the expected error fails the step, though
    // another matched. (A lone answer is the chosen one, which matched.)
    for (i, other) in answers.iter().enumerate() {
        let outcome = outcome_of(other);
        if outcome != Outcome::Success && outcome != step.expect.outcome {
            verdict.failures.push(fail(Kind::Outcome, "/burst", format!("burst answer {i}: unexpected {}", outcome.describe())));
        }
    }
    let answer = &answers[chosen];
    if let Some(status) = step.expect.status
        && status != answer.status
    {
        verdict.failures.push(
            fail(Kind::Status, "/expect/status", format!("expected HTTP {status}, got {}", answer.status))
                .expected_actual(status.to_string(), answer.status.to_string()),
        );
    }
    if let Err(errors) = schemas.validate(&step.expect.schema, &answer.body) {
        verdict.failures.push(fail(
            Kind::Schema,
            "/expect/schema",
            format!("response does not match schemas/{}:\n  {}", step.expect.schema, errors.join("\n  ")),
        ));
    }
    for (pointer, expected) in &step.expect.fields {
        let suffix = format!("/expect/fields/{}", escape(pointer));
        match vars.render(expected) {
            Err(e) => verdict.failures.push(fail(Kind::Field, &suffix, format!("expect.fields {pointer}: {e}"))),
            Ok(expected) => {
                let actual = answer.body.pointer(pointer).cloned().unwrap_or(Value::Null);
                if actual != expected {
                    let (shown_expected, shown_actual) = (scrub(&expected).to_string(), scrub(&actual).to_string());
                    verdict.failures.push(
                        fail(Kind::Field, &suffix, format!("{pointer}: expected {shown_expected}, got {shown_actual}"))
                            .expected_actual(shown_expected, shown_actual),
                    );
                }
            }
        }
    }
    let mut pairs = Vec::new();
    check_pairs(&answer.body, "", &mut pairs);
    verdict.failures.extend(pairs.into_iter().map(|m| fail(Kind::Keys, "", m)));
    finish(&mut verdict, step, params, answer);
    verdict
}

/// Attaches the exchange to each failure (shown under `--verbose`).
fn finish(verdict: &mut Verdict, step: &Step, params: &Value, answer: &Answer) {
    if verdict.failures.is_empty() {
        return;
    }
    let exchange = exchange_text(step, params, answer);
    for failure in &mut verdict.failures {
        failure.exchange = Some(exchange.clone());
    }
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::case::load::checked_in;

    #[test]
    fn an_unexpected_error_inside_a_burst_fails_the_step() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let case = checked_in("cases/tencent-lighthouse/create-key-pair/rate-limit.yaml");
        let schemas = SchemaSet::load(&root).unwrap();
        let mut vars = Vars::new(case.api.name_rule, root.join("fixtures"));
        let answer = |code: &str| Answer {
            status: 200,
            body: json!({"Response": {"Error": {"Code": code, "Message": "m"}, "RequestId": "6ce5a2d4-0b8c-4d71-9c0e-1a2b3c4d5e6f"}}),
            after_unknown_outcome: false,
        };
        let expected = answer("InvalidParameterValue.InvalidKeyPairNameEmpty");
        let burst_failures = |answers: &[Answer], vars: &mut Vars| -> Vec<String> {
            let verdict = judge(&case, &case.steps[0], &json!({}), answers, &schemas, vars);
            verdict.failures.into_iter().filter(|f| f.message.starts_with("burst answer")).map(|f| f.message).collect()
        };
        assert_eq!(
            burst_failures(&[expected.clone(), answer("InternalError")], &mut vars),
            ["burst answer 1: unexpected error InternalError"]
        );
        assert!(burst_failures(&[expected.clone(), expected], &mut vars).is_empty());
    }

    /// A wrong outcome shows what the step expected (outcome and status) against the whole answer.
    #[test]
    fn a_wrong_outcome_is_shown_as_a_diff_of_the_expectation_and_the_answer() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let case = checked_in("cases/aliyun-ecs/import-key-pair/name-with-dot.yaml");
        let mut vars = Vars::new(case.api.name_rule, root.join("fixtures"));
        let success = Answer {
            status: 200,
            body: json!({"RequestId": "6CE5A2D4-0B8C-4D71-9C0E-1A2B3C4D5E6F", "KeyPairName": "a.b"}),
            after_unknown_outcome: false,
        };
        let schemas = SchemaSet::load(&root).unwrap();
        let verdict = judge(&case, &case.steps[0], &json!({}), &[success], &schemas, &mut vars);
        let failure = verdict.failures.iter().find(|f| f.kind == Kind::Outcome).expect("an outcome failure");
        let diff = failure.diff.as_deref().expect("a diff");
        for line in [
            "--- expected",
            "+++ actual",
            "-  \"expected\": \"error InvalidKeyPairName.Malformed\"",
            "-  \"status\": 400",
            "+  \"KeyPairName\": \"a.b\"",
        ] {
            assert!(diff.lines().any(|l| l.trim_end_matches(',') == line), "{line:?} in\n{diff}");
        }
    }
}
