//! The contract suite under `cargo test`: one libtest-mimic trial per case file, named by its id
//! (`cargo test -- tencent-cvm` filters, `cargo test -- --list` lists), run against an emulator
//! started in-process on an ephemeral loopback port, each case on its own emulator account.
//!
//! A case file that does not load is a failing trial showing file:line:col; a snapshot with no
//! case behind it fails the `snapshots/unreferenced` trial; finding no case at all fails the run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use keypair_contract::case::{self, CaseFormat};
use keypair_contract::check::schema::SchemaSet;
use keypair_contract::check::snapshot;
use keypair_contract::clock::SystemClock;
use keypair_contract::report::text;
use keypair_contract::run::{CaseResult, RunContext, SnapshotState, Status, Target, run_case};
use libtest_mimic::{Arguments, Failed, Trial};

/// A passed result is believed only when it shows the case ran whole: its own result, at least one
/// request per step, its snapshot compared, and nothing done again (the embedded emulator loses no
/// answer, so a "run again" note would mean the runner repeated work it should not have).
fn passed_in_full(case: &case::Case, result: &CaseResult) -> Result<(), String> {
    let steps = case.setup.len() + case.steps.len();
    if result.id != case.id {
        return Err(format!("passed as `{}`, another case's result", result.id));
    }
    if result.requests < steps {
        return Err(format!("passed after {} requests for {steps} steps", result.requests));
    }
    if !matches!(result.snapshot, SnapshotState::Matched | SnapshotState::Written) {
        return Err(format!("passed without its snapshot being compared ({:?})", result.snapshot));
    }
    if !result.notes.is_empty() {
        return Err(format!("passed, but the run says: {}", result.notes.join("; ")));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runtime = Arc::new(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime"));

    let files = match case::discover(&root) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let format = match CaseFormat::load(&root) {
        Ok(format) => Arc::new(format),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let ids: Vec<String> = files.iter().map(|f| case::case_id(&root, f)).collect();

    // Started only when some trial runs (not for --list).
    let shared: Arc<std::sync::OnceLock<Result<(RunContext, keypair_contract::emulator::EmulatorHandle), String>>> = Arc::default();
    let context = {
        let (root, runtime, shared) = (root.clone(), runtime.clone(), shared.clone());
        move || -> Result<RunContext, String> {
            let entry = shared.get_or_init(|| {
                runtime.block_on(async {
                    let handle = keypair_contract::emulator::start_for_tests().await.map_err(|e| format!("emulator: {e}"))?;
                    let schemas = Arc::new(SchemaSet::load(&root)?);
                    let ctx = RunContext::new(root.clone(), Target::emulator(&handle.base_url())?, schemas, Arc::new(SystemClock))?;
                    Ok((ctx, handle))
                })
            });
            entry.as_ref().map(|(ctx, _)| ctx.clone()).map_err(Clone::clone)
        }
    };

    let mut trials: Vec<Trial> = Vec::new();
    for (file, id) in files.iter().zip(&ids) {
        let (root, file, format, runtime, context) = (root.clone(), file.clone(), format.clone(), runtime.clone(), context.clone());
        trials.push(Trial::test(id.clone(), move || {
            let case = case::load_case(&root, &file, &format).map_err(|e| Failed::from(format!("error: {e}")))?;
            let ctx = context().map_err(Failed::from)?;
            let result = runtime.block_on(run_case(&ctx, &case));
            match &result.status {
                Status::Passed => passed_in_full(&case, &result).map_err(Failed::from),
                Status::Skipped(why) => Err(Failed::from(format!("skipped unexpectedly on the emulator: {why}"))),
                Status::Failed | Status::Drift => Err(Failed::from(text::failure_details(&result, true))),
            }
        }));
    }
    let (root_for_orphans, ids_for_orphans) = (root.clone(), ids.clone());
    trials.push(Trial::test("snapshots/unreferenced", move || {
        let orphans = snapshot::unreferenced(&root_for_orphans, &ids_for_orphans);
        if orphans.is_empty() {
            Ok(())
        } else {
            let list: Vec<String> = orphans.iter().map(|p| p.display().to_string()).collect();
            Err(format!("snapshots with no case behind them (delete them or restore their cases):\n  {}", list.join("\n  ")).into())
        }
    }));
    // Every snapshot says where its content was recorded from (emulator or a live target).
    let root_for_provenance = root.clone();
    trials.push(Trial::test("snapshots/provenance", move || {
        let files = snapshot::snapshot_files(&root_for_provenance);
        if files.is_empty() {
            return Err("no snapshot files found".into());
        }
        let mut missing = Vec::new();
        for file in &files {
            match keypair_contract::check::snapfile::read(file) {
                Ok(Some(snap)) if snap.recorded_from().is_some() => {}
                Ok(_) => missing.push(file.display().to_string()),
                Err(e) => missing.push(e),
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("snapshots without info.recorded_from (regenerate with `run --accept`):\n  {}", missing.join("\n  ")).into())
        }
    }));
    // Every documented example, error code and rule of every seed has a case, and every cited rule exists
    // (docs/documented.yaml).
    let (root_for_coverage, format_for_coverage, files_for_coverage) = (root.clone(), format.clone(), files.clone());
    trials.push(Trial::test("coverage/documented", move || {
        let documented = keypair_contract::coverage::load(&root_for_coverage)?;
        let cases: Vec<_> =
            files_for_coverage.iter().filter_map(|f| case::load_case(&root_for_coverage, f, &format_for_coverage).ok()).collect();
        let coverage = keypair_contract::coverage::compare(&documented, &cases);
        let mut problems: Vec<String> =
            coverage.items.iter().filter(|i| i.cases.is_empty()).map(|i| format!("no case: {} {}", i.seed, i.label)).collect();
        problems.extend(coverage.unknown.iter().map(|u| format!("{} cites rule `{}`, which {} does not list", u.case, u.rule, u.seed)));
        if coverage.complete() && problems.is_empty() {
            Ok(())
        } else {
            Err(format!("documented items without a case, or unknown citations:\n  {}", problems.join("\n  ")).into())
        }
    }));
    libtest_mimic::run(&args, trials).exit_code()
}
