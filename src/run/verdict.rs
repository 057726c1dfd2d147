//! A case's verdict beyond its steps: the snapshot comparison (shape errors are contract
//! failures, a difference or a missing snapshot is drift) and the status that follows from the
//! failures and the run's drift mode.

use super::judge::{position, step_name};
use super::result::{CaseResult, Failure, Kind, Position, SnapshotState, Status};
use super::runner::RunContext;
use super::template::Vars;
use crate::case::Case;
use crate::check::pointer::Pattern;
use crate::check::redact::Known;
use crate::check::snapshot::{self, Comparison, EMULATOR, SnapshotExchange, Update};

/// What a snapshot difference does to a case whose contract held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriftMode {
    /// The case fails (the default: `cargo test`, `run`).
    #[default]
    Fail,
    /// The case is reported as `drift` with its diff and does not fail the run; the new answer is
    /// left pending (never under CI). A new snapshot that cannot be left pending still fails.
    Report,
}

/// Contract failures fail; snapshot differences fail, or are drift under `--drift report` (a new
/// snapshot with nowhere to be left pending still fails).
pub(super) fn status_of(ctx: &RunContext, result: &CaseResult) -> Status {
    if result.contract_failures().next().is_some() {
        return Status::Failed;
    }
    if result.drift_failures().next().is_none() {
        return Status::Passed;
    }
    let new_unkept = result.drift_failures().any(|f| f.kind == Kind::SnapshotNew) && ctx.update == Update::Never;
    match ctx.drift {
        DriftMode::Report if !new_unkept => Status::Drift,
        _ => Status::Failed,
    }
}

/// Compares the exchanges with the case's snapshot; shape errors are contract failures, a
/// difference or a missing snapshot is drift.
pub(super) fn compare_snapshot(
    ctx: &RunContext,
    case: &Case,
    vars: &Vars,
    exchanges: &[SnapshotExchange],
) -> (Vec<Failure>, SnapshotState) {
    let known = Known { names: vars.name_templates(), fixtures: vars.fixtures.values().cloned().collect() };
    // A replay writes what the recording's target said on the recording's day, not "a replay".
    let replayed = ctx.replay.as_ref().and_then(|replay| replay.provenance(&case.id));
    let (recorded_from, recorded_at) = match &replayed {
        Some((from, at)) => (from.as_str(), Some(at.as_str())),
        None => (ctx.recorded_from.as_str(), None),
    };
    // Declared parity gaps are ignored where the emulator gave the answers: a live answer is the cloud's.
    let gaps: Vec<Pattern> = if recorded_from == EMULATOR { case.parity_gaps.iter().map(|(p, _)| p.clone()).collect() } else { Vec::new() };
    let cmp = Comparison {
        root: &ctx.root,
        id: &case.id,
        description: &case.description,
        profile: case.api,
        known: &known,
        unordered: &case.unordered,
        gaps: &gaps,
        recorded_from,
        recorded_at,
        update: ctx.update,
    };
    let verdict = snapshot::check(&cmp, exchanges);
    let mut failures = Vec::new();
    for shape in &verdict.shape_errors {
        let step = case.setup.iter().chain(&case.steps).find(|s| shape.step == step_name(s));
        let mut failure =
            Failure::new(shape.step.clone(), Kind::Shape, format!("shape check failed at {}: {}", shape.pointer, shape.message));
        if let Some(step) = step {
            failure = failure.at(position(case, step, ""));
        }
        failures.push(failure);
    }
    let at = Position { file: verdict.path.clone(), line: 0, col: 0 };
    let accept = format!(
        "accept it with `keypair-contract run --accept --filter {id}`, `INSTA_UPDATE=always cargo test -- {id}` or `cargo insta review`",
        id = case.id
    );
    let from = verdict.recorded_from.as_deref().map(|f| format!(" (recorded from {f})")).unwrap_or_default();
    if let Some(error) = &verdict.error {
        // An unreadable or unwritable snapshot file is no drift: the run cannot judge the case.
        failures.push(Failure::new("snapshot", Kind::Setup, error.clone()).at(at.clone()));
    }
    match &verdict.state {
        SnapshotState::New { pending } => {
            let kept = pending.as_deref().map(|p| format!("\nthis run's answer is pending at {p}")).unwrap_or_default();
            failures
                .push(Failure::new("snapshot", Kind::SnapshotNew, format!("new snapshot: no {} yet{kept}\n{accept}", verdict.path)).at(at));
        }
        SnapshotState::Differs { pending } => {
            let kept = pending.as_deref().map(|p| format!("\nthis run's answer is pending at {p}")).unwrap_or_default();
            failures.push(
                Failure::new("snapshot", Kind::Snapshot, format!("the answer differs from {}{from}{kept}\n{accept}", verdict.path))
                    .at(at)
                    .diff(verdict.diff.clone()),
            );
        }
        _ => {}
    }
    (failures, verdict.state)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::check::schema::SchemaSet;
    use crate::run::target::Target;

    /// Every way a case's failures and the run's drift mode and snapshot writing meet.
    #[test]
    fn the_status_follows_the_failures_the_drift_mode_and_whether_a_new_answer_is_kept() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let schemas = Arc::new(SchemaSet::load(&root).unwrap());
        let target = Target::emulator("http://127.0.0.1:9000").unwrap();
        let mut ctx = RunContext::new(root, target, schemas, Arc::new(crate::clock::SystemClock)).unwrap();
        let result = |kinds: &[Kind]| CaseResult {
            failures: kinds.iter().map(|kind| Failure::new("snapshot", *kind, "m")).collect(),
            ..CaseResult::default()
        };
        use {
            DriftMode::*,
            Kind::{Field, Snapshot, SnapshotNew},
            Update::*,
        };
        let table: &[(&[Kind], DriftMode, Update, Status)] = &[
            (&[], Fail, Never, Status::Passed),
            (&[], Report, Pending, Status::Passed),
            (&[Field], Report, Pending, Status::Failed),
            (&[Snapshot, Field], Report, Pending, Status::Failed),
            (&[Snapshot], Fail, Pending, Status::Failed),
            (&[Snapshot], Report, Never, Status::Drift),
            (&[SnapshotNew], Report, Pending, Status::Drift),
            (&[SnapshotNew], Report, Never, Status::Failed),
            (&[Snapshot, SnapshotNew], Report, Never, Status::Failed),
            (&[SnapshotNew], Fail, Pending, Status::Failed),
        ];
        for (kinds, drift, update, status) in table {
            (ctx.drift, ctx.update) = (*drift, *update);
            assert_eq!(status_of(&ctx, &result(kinds)), *status, "{kinds:?} {drift:?} {update:?}");
        }
    }
}
