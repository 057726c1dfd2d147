//! What each subcommand does, one module each, returning its exit code (see [`crate::report`]
//! for the codes); here, what several of them share: the project folder, its cases, and the
//! target `--target` names.

mod bench;
mod coverage;
mod run;
mod serve;
mod sweep;
#[cfg(test)]
#[path = "commands_tests.rs"]
mod tests;

use std::path::{Path, PathBuf};

pub use bench::bench;
pub use coverage::coverage;
pub use run::run;
pub use serve::serve;
pub use sweep::sweep;

use crate::case::{self, Case, CaseFormat};
use crate::emulator;
use crate::run::Target;

/// Loads the cases under `root` (all, or those whose id contains `filter`); bad files are errors.
pub fn load_cases(root: &Path, filter: Option<&str>) -> Result<Vec<Case>, String> {
    let format = CaseFormat::load(root).map_err(|e| e.to_string())?;
    let (cases, errors) = case::load_all(root, &format).map_err(|e| e.to_string())?;
    if !errors.is_empty() {
        let shown: Vec<String> = errors.iter().map(|e| format!("error: {e}")).collect();
        return Err(format!("{}\n{} case file(s) could not be loaded", shown.join("\n\n"), errors.len()));
    }
    let cases: Vec<Case> = cases.into_iter().filter(|c| filter.is_none_or(|f| c.id.contains(f))).collect();
    if cases.is_empty() {
        return Err(format!("no case matches the filter `{}`", filter.unwrap_or("")));
    }
    Ok(cases)
}

/// The project root: the folder given (`--root`, default the current one), which must hold
/// cases/; never a silent fallback elsewhere. Absolute, so snapshot paths are unambiguous.
pub fn project_root(given: &Path) -> Result<PathBuf, String> {
    if !given.join("cases").is_dir() {
        let shown = std::fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf());
        return Err(format!("{} holds no cases/ folder: run from the project folder or pass --root PATH", shown.display()));
    }
    Ok(std::fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf()))
}

/// The target `--target` names: `emulator` (started here; the handle keeps it alive), a name
/// from targets.yaml, `replay:DIR`, or a URL. Live credentials come from the environment.
pub async fn resolve_target(
    root: &Path,
    given: &str,
    control: bool,
    transport: &crate::cli::TransportArgs,
) -> Result<(Target, Option<emulator::EmulatorHandle>), String> {
    if let Some(dir) = given.strip_prefix("replay:") {
        return Ok((Target::replay(Path::new(dir)), None));
    }
    let path = crate::run::targets::TargetsFile::path(root, transport.targets.as_deref());
    let file = crate::run::targets::TargetsFile::load(&path)?;
    let sessions = crate::run::targets::sessions_from_env();
    let spec = file.targets.get(given);
    let embedded = given == "emulator" || spec.is_some_and(|s| s.kind == crate::run::targets::SpecKind::Emulator);
    if embedded {
        let handle = emulator::start_for_tests().await.map_err(|e| format!("cannot start the embedded emulator: {e}"))?;
        return Ok((Target::emulator(&handle.base_url())?, Some(handle)));
    }
    if let Some(spec) = spec {
        return Ok((Target::named(given, spec, transport.region.clone(), sessions)?, None));
    }
    if given.contains("://") {
        return Ok((Target::url(given, control, sessions)?, None));
    }
    let names: Vec<&str> = file.targets.keys().map(String::as_str).collect();
    Err(format!("no target `{given}` in {} (targets: {}; or a URL, or replay:DIR)", path.display(), names.join(", ")))
}
