//! The result tree the runner returns.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    /// Not run, and why (e.g. emulator-only on a live target). Never silent: reported and counted.
    Skipped(String),
}

/// One thing that went wrong. Messages and diffs are scrubbed of secrets.
#[derive(Debug, Clone)]
pub struct Failure {
    /// `steps[1] CreateKeyPair (line 14)`, `teardown`, `snapshot`.
    pub step: String,
    pub message: String,
    /// A unified diff, expected vs actual, where one helps.
    pub diff: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CaseResult {
    pub id: String,
    pub path: String,
    pub status: Status,
    pub failures: Vec<Failure>,
    pub requests: usize,
    pub duration: Duration,
}

#[derive(Debug, Clone, Default)]
pub struct SuiteResult {
    pub cases: Vec<CaseResult>,
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

    pub fn skipped(&self) -> usize {
        self.count(|s| matches!(s, Status::Skipped(_)))
    }
}
