//! The runner: replays cases against a target and returns a result tree. It prints nothing;
//! reporters in [`crate::report`] turn results into output.

pub mod judge;
pub mod preflight;
pub mod result;
pub mod runner;
pub mod step;
pub mod target;
pub mod template;
pub mod verdict;

pub use result::{CaseResult, Failure, Kind, Position, SnapshotState, Status, SuiteResult};
pub use runner::{RunContext, run_case, run_suite};
pub use target::Target;
pub use verdict::DriftMode;
