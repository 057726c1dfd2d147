//! Reporters: turn the runner's result tree into output. The runner itself prints nothing.

pub mod text;

/// Exit codes CI can use.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
