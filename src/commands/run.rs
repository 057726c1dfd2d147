//! `run`: the suite against a target, with progress, a summary and the reports CI reads.

use std::path::Path;
use std::sync::Arc;

use super::{load_cases, project_root, resolve_target};
use crate::check::schema::SchemaSet;
use crate::check::snapshot;
use crate::check::snapshot::Update;
use crate::cli::{DriftArg, RunArgs};
use crate::clock::SystemClock;
use crate::report::console::{self, Console};
use crate::report::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, text};
use crate::run::preflight::preflight;
use crate::run::{DriftMode, RunContext, run_suite};

/// `run`: the suite; one line per case (a progress bar on a terminal), failures in full, then
/// `N passed, N failed`; reports as asked.
pub async fn run(args: RunArgs) -> u8 {
    quiet_panics();
    let root = match project_root(&args.root) {
        Ok(root) => root,
        Err(e) => {
            console::error(&format!("error: {e}"));
            return EXIT_USAGE;
        }
    };
    let cases = match load_cases(&root, args.filter.as_deref()) {
        Ok(cases) => cases,
        Err(e) => {
            console::error(&if e.starts_with("error:") { e } else { format!("error: {e}") });
            return EXIT_USAGE;
        }
    };
    let schemas = match SchemaSet::load(&root) {
        Ok(schemas) => Arc::new(schemas),
        Err(e) => {
            console::error(&format!("error: {e}"));
            return EXIT_USAGE;
        }
    };
    let (target, _embedded) = match resolve_target(&root, &args.target, args.control, &args.transport).await {
        Ok(resolved) => resolved,
        Err(e) => {
            console::error(&format!("error: {e}"));
            return EXIT_USAGE;
        }
    };
    let cases = match args.shard {
        Some(shard) => shard.select(cases, |c| c.id.clone()),
        None => cases,
    };
    let mut ctx = match RunContext::new(root.clone(), target, schemas, Arc::new(SystemClock)) {
        Ok(ctx) => ctx,
        Err(e) => {
            console::error(&format!("error: {e}"));
            return EXIT_USAGE;
        }
    };
    ctx.drift = match args.drift {
        DriftArg::Fail => DriftMode::Fail,
        DriftArg::Report => DriftMode::Report,
    };
    ctx.update = Update::from_env(args.accept);
    ctx.pacer = Arc::new(crate::run::pace::Pacer::new(args.shard.map_or(1, |s| s.count), args.ecs_rate));
    ctx.case_timeout = std::time::Duration::from_secs(args.case_timeout);
    tokio::spawn(stop_on_signal(ctx.interrupt.clone()));
    if args.dry_run {
        print!("{}", crate::run::dry_run::plan(&ctx, &cases));
        println!("dry run: nothing was sent");
        return EXIT_OK;
    }
    // A live target: credentials for every API that will run, then whose they are, before any write.
    if ctx.target.needs_credentials() {
        let mut apis: Vec<&'static crate::apis::ApiProfile> = Vec::new();
        for case in cases.iter().filter(|c| ctx.target.skip_reason(c).is_none()) {
            if !apis.iter().any(|a| std::ptr::eq(*a, case.api)) {
                apis.push(case.api);
            }
        }
        let sessions = crate::run::targets::sessions_from_env();
        if let Some(message) = crate::run::targets::missing_credentials(&apis, &sessions) {
            console::error(&format!("error: target {}: {message}", ctx.target.label));
            return EXIT_USAGE;
        }
        match crate::run::guard::check(&ctx, &apis).await {
            Ok(seen) => seen.iter().for_each(|line| println!("account guard: {line} is listed")),
            Err(e) => {
                console::error(&format!("error: {e}"));
                return EXIT_USAGE;
            }
        }
    }
    // A recording answers without a network: there is nothing to reach.
    if ctx.replay.is_none()
        && let Err(e) = preflight(&ctx, &cases).await
    {
        console::error(&format!("error: {e}"));
        return EXIT_USAGE;
    }
    if let Some(dir) = &args.record {
        // A replay's answers are already recorded, with who gave them and when; recording them
        // again would name the replay instead.
        if ctx.replay.is_some() {
            console::error(&format!(
                "error: --record with a {} would only record that recording again; copy the folder to keep another",
                ctx.target.label
            ));
            return EXIT_USAGE;
        }
        ctx.recorder = Some(Arc::new(crate::run::record::Recorder::new(dir, &ctx.run_prefix, &ctx.recorded_from)));
    }
    let full_suite = args.filter.is_none() && args.shard.is_none() && ctx.replay.is_none();
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let console = Console::new(cases.len());
    console.line(&format!(
        "keypair-contract run: project {}, target {}, {} cases, {} at a time, drift {}",
        root.display(),
        ctx.target.label,
        cases.len(),
        args.jobs,
        if ctx.drift == DriftMode::Report { "reported" } else { "fails" }
    ));
    if let Some(region) = &args.transport.region
        && !cases.iter().any(|c| ctx.target.names_region(c.api))
    {
        console.line(&format!(
            "note: --region {region} picks no host: no endpoint of target {} for these cases names {{region}} (each case sends the region it names)",
            ctx.target.label
        ));
    }
    let bursts: Vec<&str> = cases.iter().filter(|c| c.probes_rate_limit()).map(|c| c.id.as_str()).collect();
    if !bursts.is_empty() {
        console.line(&format!("not paced and not retried, since they probe a rate limit on purpose (burst steps): {}", bursts.join(", ")));
    }
    let mut suite = run_suite(&ctx, cases, args.jobs, |result| console.case(result)).await;
    console.finish();
    if full_suite {
        for orphan in snapshot::unreferenced(&root, &ids) {
            let shown = orphan.strip_prefix(&root).unwrap_or(&orphan).display().to_string();
            suite.problems.push(format!("snapshot {shown} has no case behind it (delete it or restore its case)"));
        }
    }
    if let Some(recorder) = &ctx.recorder {
        match recorder.write() {
            Ok(n) => console.line(&format!("recorded {n} cases in {}", args.record.as_deref().unwrap_or(Path::new("")).display())),
            Err(e) => suite.problems.push(format!("recording: {e}")),
        }
    }
    let ok = suite.ok();
    console.line(&text::summary(&suite, args.verbose));
    if let Err(e) = crate::report::write_reports(&suite, &args.reports) {
        console::error(&format!("error: {e}"));
        return EXIT_USAGE;
    }
    if ok { EXIT_OK } else { EXIT_FAILED }
}

/// A case task that panics becomes a failure carrying the panic's message (the runner catches
/// it), so the default hook's message and backtrace are not printed for it; anywhere else a panic
/// is one line, without backtrace advice.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if let Some(line) = panic_line(std::thread::current().name(), info.payload()) {
            console::error(&line);
        }
    }));
}

/// The line a panic on the thread named `thread` prints: none on the runtime's workers (the runner
/// reports the case's panic itself), else its message, with anything secret-shaped scrubbed.
fn panic_line(thread: Option<&str>, payload: &(dyn std::any::Any + Send)) -> Option<String> {
    if thread == Some("tokio-runtime-worker") {
        return None;
    }
    let message =
        payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
    Some(format!("error: internal error: {}", crate::check::secrets::scrub_text(&message)))
}

/// Ctrl-C or SIGTERM: running cases stop and tear down what they made; no new case starts. The
/// handlers are installed before this returns, so a signal right after it is not lost.
fn stop_on_signal(interrupt: Arc<tokio::sync::watch::Sender<bool>>) -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (mut terminate, mut ctrl_c) = {
        use tokio::signal::unix::{SignalKind, signal};
        (signal(SignalKind::terminate()).ok(), signal(SignalKind::interrupt()).ok())
    };
    async move {
        #[cfg(unix)]
        tokio::select! {
            Some(_) = async { terminate.as_mut()?.recv().await } => {}
            Some(_) = async { ctrl_c.as_mut()?.recv().await } => {}
            else => std::future::pending::<()>().await,
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("interrupted: stopping running cases and tearing down what they made");
        let _ = interrupt.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::panic_line;

    #[test]
    fn a_panic_is_one_scrubbed_line_except_in_a_case_task() {
        let text: &(dyn std::any::Any + Send) = &"index out of bounds";
        assert_eq!(panic_line(Some("main"), text).as_deref(), Some("error: internal error: index out of bounds"));
        assert_eq!(panic_line(None, &String::from("owned")).as_deref(), Some("error: internal error: owned"));
        assert_eq!(panic_line(None, &42_u8).as_deref(), Some("error: internal error: "));
        assert_eq!(panic_line(Some("tokio-runtime-worker"), text), None);
        let secret = panic_line(None, &String::from("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----")).unwrap();
        assert!(!secret.contains("MIIEow"), "{secret}");
    }
}
