//! The runner: replays cases against a target and returns a result tree. It prints nothing;
//! reporters in [`crate::report`] turn results into output.

pub mod dry_run;
pub mod exchange;
pub mod guard;
pub mod inventory;
pub mod judge;
pub mod pace;
pub mod preflight;
pub mod record;
pub mod replay;
pub mod result;
pub mod retry;
pub mod runner;
pub mod shard;
pub mod step;
pub mod sweep;
pub mod target;
pub mod targets;
pub mod template;
pub mod verdict;

pub use result::{CaseResult, Failure, Kind, Position, SnapshotState, Status, SuiteResult};
pub use runner::{RunContext, run_case, run_suite};
pub use target::Target;
pub use verdict::DriftMode;
