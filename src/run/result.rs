//! The result tree the runner returns: cases, their status and their failures as data, so each
//! reporter (text, JSON, JUnit, Markdown) renders the same facts its own way.

use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Passed,
    Failed,
    /// The contract held, but the redacted answer differs from the snapshot (or there is no
    /// snapshot yet) and the run was asked to report drift rather than fail on it.
    Drift,
    /// Not run, and why (e.g. emulator-only on a live target). Never silent: reported and counted.
    Skipped(String),
}

impl Status {
    /// The word reports use: `passed`, `failed`, `drift`, `skipped`.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Drift => "drift",
            Status::Skipped(_) => "skipped",
        }
    }
}

/// What a failure is about. Everything but [`Kind::Snapshot`] and [`Kind::SnapshotNew`] is part of
/// the contract: it fails on every target. The snapshot kinds are drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request could not be sent or its answer not read (cause kept: refused, timeout, TLS).
    Transport,
    /// Success where an error was expected, another error code, or the reverse.
    Outcome,
    Status,
    Schema,
    /// A value the case's `fields` asserts.
    Field,
    /// A returned private key is not the other half of the returned public key or fingerprint.
    Keys,
    /// A volatile value without the shape it must have (checked before it is redacted).
    Shape,
    /// A capture found nothing at its pointer.
    Capture,
    /// The answer differs from the recorded snapshot.
    Snapshot,
    /// No snapshot recorded yet.
    SnapshotNew,
    /// A setup step, a template or the target for a case.
    Setup,
    Teardown,
    /// Leasing or releasing the account the case runs as.
    Account,
    /// The case's task panicked.
    Panic,
    /// The case's steps were stopped by the case timeout or by Ctrl-C/SIGTERM (then torn down).
    Stopped,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Transport => "transport",
            Kind::Outcome => "outcome",
            Kind::Status => "status",
            Kind::Schema => "schema",
            Kind::Field => "field",
            Kind::Keys => "keys",
            Kind::Shape => "shape",
            Kind::Capture => "capture",
            Kind::Snapshot => "snapshot",
            Kind::SnapshotNew => "snapshot-new",
            Kind::Setup => "setup",
            Kind::Teardown => "teardown",
            Kind::Account => "account",
            Kind::Panic => "panic",
            Kind::Stopped => "stopped",
        }
    }

    /// A contract failure fails the case on every target; the rest is drift.
    pub fn is_contract(self) -> bool {
        !matches!(self, Kind::Snapshot | Kind::SnapshotNew)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a case file (1-based line and column), or in a snapshot file (line 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Position {
    pub file: String,
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 { write!(f, "{}", self.file) } else { write!(f, "{}:{}:{}", self.file, self.line, self.col) }
    }
}

/// One thing that went wrong, kept in its case's [`CaseResult`] (which names the case). Every text
/// in it is scrubbed of secrets.
#[derive(Debug, Clone)]
pub struct Failure {
    /// `steps[1] CreateKeyPair`, `setup[0] ImportKeyPair`, `teardown`, `snapshot`, `account`.
    pub step: String,
    pub kind: Kind,
    /// The YAML node the failure concerns (for a `fields` mismatch, that field's line).
    pub position: Option<Position>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub message: String,
    /// A unified diff, expected vs actual, where one helps.
    pub diff: Option<String>,
    /// The redacted HTTP exchange of the failing step (shown under `--verbose`).
    pub exchange: Option<String>,
}

impl Failure {
    pub fn new(step: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self { step: step.into(), kind, position: None, expected: None, actual: None, message: message.into(), diff: None, exchange: None }
    }

    pub fn at(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    pub fn expected_actual(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    pub fn diff(mut self, diff: Option<String>) -> Self {
        self.diff = diff;
        self
    }
}

/// A declared difference between the emulator and the recorded cloud answer (`parity_gaps:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParityGap {
    pub path: String,
    pub reason: String,
}

/// What became of a case's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SnapshotState {
    /// Not compared (a contract failure came first, or a skipped case).
    #[default]
    NotCompared,
    Matched,
    /// Recorded now (`--accept`, `INSTA_UPDATE=always`).
    Written,
    /// No snapshot yet; the answer was left pending at the path, if one was written.
    New {
        pending: Option<String>,
    },
    /// Differs; the answer was left pending at the path, if one was written.
    Differs {
        pending: Option<String>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct CaseResult {
    pub id: String,
    /// The API profile name (`tencent-cvm`), for per-API parity debt.
    pub api: String,
    pub path: String,
    pub status: Status,
    pub failures: Vec<Failure>,
    pub snapshot: SnapshotState,
    /// The case's declared parity gaps, ignored on this run if it ran on an emulator.
    pub parity_gaps: Vec<ParityGap>,
    pub requests: usize,
    pub duration: Duration,
    /// What the run did beyond the case's steps (e.g. ran it again after a lost answer), shown
    /// with its result.
    pub notes: Vec<String>,
}

impl CaseResult {
    /// A passed case with nothing recorded yet, carrying its declared parity gaps.
    pub fn empty(case: &crate::case::Case) -> Self {
        Self {
            id: case.id.clone(),
            api: case.api.name.to_string(),
            path: case.path.display().to_string(),
            parity_gaps: case.parity_gaps.iter().map(|(p, reason)| ParityGap { path: p.text.clone(), reason: reason.clone() }).collect(),
            ..Self::default()
        }
    }

    pub fn contract_failures(&self) -> impl Iterator<Item = &Failure> {
        self.failures.iter().filter(|f| f.kind.is_contract())
    }

    pub fn drift_failures(&self) -> impl Iterator<Item = &Failure> {
        self.failures.iter().filter(|f| !f.kind.is_contract())
    }
}

#[derive(Debug, Clone, Default)]
pub struct SuiteResult {
    /// What the run was against (the target's label) and where the project is.
    pub target: String,
    pub root: String,
    pub cases: Vec<CaseResult>,
    /// How many cases the run was given: a result short of it is a failed run.
    pub expected: usize,
    /// Problems of the run as a whole, not of one case (e.g. a snapshot with no case behind it);
    /// any fails the run.
    pub problems: Vec<String>,
    pub duration: Duration,
}

impl SuiteResult {
    pub fn count(&self, pick: fn(&Status) -> bool) -> usize {
        self.cases.iter().filter(|c| pick(&c.status)).count()
    }

    pub fn passed(&self) -> usize {
        self.count(|s| *s == Status::Passed)
    }

    pub fn failed(&self) -> usize {
        self.count(|s| *s == Status::Failed)
    }

    pub fn drifted(&self) -> usize {
        self.count(|s| *s == Status::Drift)
    }

    pub fn skipped(&self) -> usize {
        self.count(|s| matches!(s, Status::Skipped(_)))
    }

    /// True when nothing failed, every case has its result and the run has no problem.
    pub fn ok(&self) -> bool {
        self.failed() == 0 && self.cases.len() >= self.expected && self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::load::checked_in;
    use crate::check::pointer::Pattern;

    #[test]
    fn kinds_and_positions_print_as_reports_show_them() {
        assert_eq!(Kind::SnapshotNew.to_string(), "snapshot-new");
        assert_eq!(Kind::Field.to_string(), "field");
        let in_case = Position { file: "cases/a.yaml".into(), line: 12, col: 5 };
        assert_eq!(in_case.to_string(), "cases/a.yaml:12:5");
        let in_snapshot = Position { file: "snapshots/a.snap".into(), line: 0, col: 0 };
        assert_eq!(in_snapshot.to_string(), "snapshots/a.snap", "line 0 is a whole file");
    }

    #[test]
    fn an_empty_result_names_its_case_and_carries_its_declared_parity_gaps() {
        let mut case = checked_in("cases/tencent-cvm/create-key-pair/example.yaml");
        case.parity_gaps = vec![(Pattern::parse("/Response/RequestId").unwrap(), "ours is a UUID".into())];
        let result = CaseResult::empty(&case);
        assert_eq!(result.id, "tencent-cvm/create-key-pair/example");
        assert_eq!(result.api, "tencent-cvm");
        assert_eq!(result.path, "cases/tencent-cvm/create-key-pair/example.yaml");
        assert_eq!(result.parity_gaps, [ParityGap { path: "/Response/RequestId".into(), reason: "ours is a UUID".into() }]);
        assert_eq!((result.status, result.failures.len()), (Status::Passed, 0));
    }

    #[test]
    fn a_failures_builders_add_their_part_and_keep_the_rest() {
        let position = Position { file: "cases/a.yaml".into(), line: 7, col: 3 };
        let failure = Failure::new("steps[0] CreateKeyPair", Kind::Field, "KeyName differs")
            .at(position.clone())
            .expected_actual("\"a\"", "\"b\"")
            .diff(Some("-a\n+b".into()));
        assert_eq!((failure.step.as_str(), failure.kind), ("steps[0] CreateKeyPair", Kind::Field));
        assert_eq!(failure.message, "KeyName differs");
        assert_eq!(failure.position, Some(position));
        assert_eq!((failure.expected.as_deref(), failure.actual.as_deref()), (Some("\"a\""), Some("\"b\"")));
        assert_eq!(failure.diff.as_deref(), Some("-a\n+b"));
        assert_eq!(failure.exchange, None);
    }

    fn with_statuses(statuses: &[Status]) -> SuiteResult {
        let cases = statuses.iter().map(|status| CaseResult { status: status.clone(), ..CaseResult::default() }).collect();
        SuiteResult { cases, expected: statuses.len(), ..SuiteResult::default() }
    }

    #[test]
    fn a_suite_counts_each_status_and_is_ok_only_whole_without_failures_or_problems() {
        let skipped = Status::Skipped("emulator only".into());
        let suite =
            with_statuses(&[Status::Passed, Status::Passed, Status::Failed, Status::Drift, Status::Drift, Status::Drift, skipped.clone()]);
        assert_eq!((suite.passed(), suite.failed(), suite.drifted(), suite.skipped()), (2, 1, 3, 1));
        assert!(!suite.ok(), "a failed case fails the run");

        let clean = with_statuses(&[Status::Passed, Status::Drift, skipped]);
        assert!(clean.ok(), "drift and skips alone do not fail it");
        assert!(!SuiteResult { expected: 4, ..clean.clone() }.ok(), "a case without its result fails it");
        assert!(!SuiteResult { problems: vec!["an unreferenced snapshot".into()], ..clean.clone() }.ok());
        let empty = with_statuses(&[]);
        assert_eq!((empty.passed(), empty.failed(), empty.drifted(), empty.skipped()), (0, 0, 0, 0));
        assert!(empty.ok());
    }
}
