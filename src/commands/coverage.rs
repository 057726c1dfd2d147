//! `coverage`: the documented surface beside the cases.

use std::io::Write as _;

use super::{load_cases, project_root};
use crate::cli::CoverageArgs;
use crate::report::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};

/// `coverage`: every documented example, error code and rule beside its cases; 1 on a gap.
pub fn coverage(args: CoverageArgs) -> u8 {
    let root = match project_root(&args.root) {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let cases = match load_cases(&root, None) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("{}", if e.starts_with("error:") { e } else { format!("error: {e}") });
            return EXIT_USAGE;
        }
    };
    let documented = match crate::coverage::load(&root) {
        Ok(mut documented) => {
            if let Some(api) = &args.api {
                documented.seeds.retain(|s| &s.api == api);
            }
            documented
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let coverage = crate::coverage::compare(&documented, &cases);
    let text = if args.json {
        serde_json::to_string_pretty(&crate::coverage::to_json(&coverage)).unwrap_or_default()
    } else {
        crate::coverage::render(&coverage, &documented)
    };
    // A closed pipe (`coverage | head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    if coverage.complete() { EXIT_OK } else { EXIT_FAILED }
}
