//! What each subcommand does, returning its exit code (see [`crate::report`] for the codes).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::case::{self, Case, CaseFormat};
use crate::check::schema::SchemaSet;
use crate::check::snapshot;
use crate::cli::{CoverageArgs, RunArgs, ServeArgs};
use crate::clock::SystemClock;
use crate::emulator::{self, Emulator, EmulatorConfig, accounts};
use crate::providers::Credentials;
use crate::report::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, text};
use crate::run::{RunContext, Target, run_suite};

/// `serve`: the emulator until Ctrl-C.
pub async fn serve(args: ServeArgs) -> u8 {
    let config = EmulatorConfig { control_api: args.control, log_requests: !args.quiet, ..EmulatorConfig::default() };
    let emulator = Emulator::new(config).with_default_account();
    for spec in &args.accounts {
        match spec.split_once(':') {
            Some((id, key)) if !id.is_empty() && !key.is_empty() => {
                emulator.accounts.add(id, key, accounts::AccountSettings::default());
            }
            _ => {
                eprintln!("error: --account takes SECRET_ID:SECRET_KEY, got `{spec}`");
                return EXIT_USAGE;
            }
        }
    }
    let handle = match emulator::start(emulator, args.listen).await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return EXIT_USAGE;
        }
    };
    println!("keypair-contract emulator listening on {}", handle.base_url());
    println!("default account: SecretId {} SecretKey {}", accounts::DEFAULT_SECRET_ID, accounts::DEFAULT_SECRET_KEY);
    for spec in &args.accounts {
        if let Some((id, _)) = spec.split_once(':') {
            println!("account: SecretId {id}");
        }
    }
    println!("control API: {}", if args.control { "on at /_emulator/" } else { "off (serve --control)" });
    let _ = tokio::signal::ctrl_c().await;
    drop(handle);
    EXIT_OK
}

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

/// The project root: `--root` if it has cases/, else the folder this binary was built from.
/// Absolute, because insta resolves a relative snapshot path against the source file.
fn project_root(given: &Path) -> PathBuf {
    let root = if given.join("cases").is_dir() { given.to_path_buf() } else { PathBuf::from(env!("CARGO_MANIFEST_DIR")) };
    std::fs::canonicalize(&root).unwrap_or(root)
}

/// `run`: the suite; one line per case, failures in full, then `N passed, N failed`.
pub async fn run(args: RunArgs) -> u8 {
    let root = project_root(&args.root);
    let cases = match load_cases(&root, args.filter.as_deref()) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("{}", if e.starts_with("error:") { e } else { format!("error: {e}") });
            return EXIT_USAGE;
        }
    };
    let schemas = match SchemaSet::load(&root) {
        Ok(schemas) => Arc::new(schemas),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut credentials = HashMap::new();
    if let (Some(id), Some(secret)) = (args.secret_id.clone(), args.secret_key.clone()) {
        credentials.insert("TENCENTCLOUD_SECRET_ID".to_string(), Credentials { id, secret });
    }
    // The embedded emulator lives as long as this function.
    let mut _embedded = None;
    let target = match args.target.as_str() {
        "emulator" => match emulator::start_for_tests().await {
            Ok(handle) => {
                let target = Target::emulator(&handle.base_url());
                _embedded = Some(handle);
                target
            }
            Err(e) => Err(format!("cannot start the embedded emulator: {e}")),
        },
        "live" => Ok(Target::live(credentials)),
        url => Target::url(url, args.control, credentials),
    };
    let target = match target {
        Ok(target) => target,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let ctx = match RunContext::new(root.clone(), target, schemas, Arc::new(SystemClock)) {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let full_suite = args.filter.is_none();
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    println!("running {} cases against {} ({} at a time)", cases.len(), ctx.target.label, args.jobs);
    let suite = run_suite(&ctx, cases, args.jobs, |result| println!("{}", text::case_line(result))).await;
    let mut ok = suite.failed() == 0;
    if full_suite {
        for orphan in snapshot::unreferenced(&root, &ids) {
            println!("FAILED   snapshot {} has no case behind it (delete it or restore its case)", orphan.display());
            ok = false;
        }
    }
    println!("{}", text::summary(&suite));
    if ok { EXIT_OK } else { EXIT_FAILED }
}

/// `coverage`: every documented example and error code beside its cases; 1 on a gap.
pub fn coverage(args: CoverageArgs) -> u8 {
    let root = project_root(&args.root);
    let cases = match load_cases(&root, None) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("error: {e}");
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
    let items = crate::coverage::items(&documented, &cases);
    let (table, complete) = crate::coverage::render(&items, &documented);
    println!("{table}");
    if complete { EXIT_OK } else { EXIT_FAILED }
}
