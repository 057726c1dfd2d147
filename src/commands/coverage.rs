//! `coverage`: the documented surface beside the cases.

use std::io::Write as _;

use super::{load_cases, project_root};
use crate::cli::CoverageArgs;
use crate::report::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};

/// `coverage`: every documented example, error code and rule beside its cases; 1 on a gap.
pub fn coverage(args: CoverageArgs) -> u8 {
    match report(&args) {
        Ok((text, complete)) => {
            // A closed pipe (`coverage | head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            if complete { EXIT_OK } else { EXIT_FAILED }
        }
        Err(e) => {
            eprintln!("{}", if e.starts_with("error:") { e } else { format!("error: {e}") });
            EXIT_USAGE
        }
    }
}

/// The report (text, or JSON with `--json`) of the documented surface, of one API with `--api`,
/// and whether every part of it has its case.
fn report(args: &CoverageArgs) -> Result<(String, bool), String> {
    let root = project_root(&args.root)?;
    let cases = load_cases(&root, None)?;
    let mut documented = crate::coverage::load(&root)?;
    if let Some(api) = &args.api {
        documented.seeds.retain(|s| &s.api == api);
    }
    let coverage = crate::coverage::compare(&documented, &cases);
    let text = if args.json {
        serde_json::to_string_pretty(&crate::coverage::to_json(&coverage)).unwrap_or_default()
    } else {
        crate::coverage::render(&coverage, &documented)
    };
    Ok((text, coverage.complete()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::subcommand_args;

    fn report_of(args: &[&str]) -> (String, bool) {
        let root = env!("CARGO_MANIFEST_DIR");
        report(&subcommand_args!(Coverage, &[&["coverage", "--root", root], args].concat())).unwrap()
    }

    #[test]
    fn api_keeps_the_report_to_one_apis_documents() {
        let (all, complete) = report_of(&["--json"]);
        // The items name their cases, whose ids begin with the API.
        assert!(complete && all.contains("\"aliyun-ecs/") && all.contains("\"tencent-cvm/"), "{all}");
        let (ecs, complete) = report_of(&["--json", "--api", "aliyun-ecs"]);
        assert!(complete && ecs.contains("\"aliyun-ecs/") && !ecs.contains("\"tencent-cvm/"), "{ecs}");
        assert!(ecs.len() < all.len());
    }
}
