//! Reporters: turn the runner's result tree into output. The runner itself prints nothing.
//! `text` and `console` for the terminal; `json`, `junit` and `markdown` for `run --report`.

pub mod console;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod text;

use crate::cli::{ReportFormat, ReportSpec};
use crate::run::SuiteResult;

/// Exit codes CI can use.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Writes each requested report; the first error names the file.
pub fn write_reports(suite: &SuiteResult, specs: &[ReportSpec]) -> Result<(), String> {
    for spec in specs {
        let text = match spec.format {
            ReportFormat::Json => serde_json::to_string_pretty(&json::render(suite)).unwrap_or_default() + "\n",
            ReportFormat::Junit => junit::render(suite),
            ReportFormat::Markdown => markdown::render(suite),
        };
        if let Some(dir) = spec.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&spec.path, text).map_err(|e| format!("cannot write the report {}: {e}", spec.path.display()))?;
    }
    Ok(())
}
