//! What each subcommand does, returning its exit code (see [`crate::report`] for the codes).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::case::{self, Case, CaseFormat};
use crate::check::schema::SchemaSet;
use crate::check::snapshot;
use crate::check::snapshot::Update;
use crate::cli::{BenchArgs, BenchSection, CoverageArgs, DriftArg, RunArgs, ServeArgs};
use crate::clock::SystemClock;
use crate::emulator::{self, Emulator, EmulatorConfig, accounts};
use crate::report::console::{self, Console};
use crate::report::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, text};
use crate::run::preflight::preflight;
use crate::run::{DriftMode, RunContext, Target, run_suite};

/// `serve`: the emulator until Ctrl-C.
pub async fn serve(args: ServeArgs) -> u8 {
    let mut config = EmulatorConfig { control_api: args.control, log_requests: !args.quiet, ..EmulatorConfig::default() };
    match hostile_settings(&args) {
        Ok(hostile) => config.server.hostile = hostile,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    }
    if args.key_pool > 0 {
        emulator::keypool::configure(emulator::keypool::KeyPoolSettings { pregenerate: args.key_pool, ..Default::default() });
    }
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
    let hostile = &handle.emulator.config.server.hostile;
    if !hostile.is_off() {
        println!(
            "hostile: {:.0} % throttled, {:.0} % HTTP 503, {:.0} % dropped, up to {} ms added",
            hostile.throttle_rate * 100.0,
            hostile.error_rate * 100.0,
            hostile.drop_rate * 100.0,
            hostile.latency.as_millis()
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    drop(handle);
    EXIT_OK
}

/// `serve --hostile` and the single rate flags, each checked to be a rate.
fn hostile_settings(args: &ServeArgs) -> Result<emulator::hostile::HostileSettings, String> {
    let mut settings = if args.hostile { emulator::hostile::HostileSettings::mix() } else { Default::default() };
    for (flag, value, slot) in [
        ("--throttle-rate", args.throttle_rate, &mut settings.throttle_rate),
        ("--error-rate", args.error_rate, &mut settings.error_rate),
        ("--drop-rate", args.drop_rate, &mut settings.drop_rate),
    ] {
        if let Some(rate) = value {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{flag} takes a rate between 0.0 and 1.0, got {rate}"));
            }
            *slot = rate;
        }
    }
    if let Some(ms) = args.latency_ms {
        settings.latency = std::time::Duration::from_millis(ms);
    }
    Ok(settings)
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

/// The project root: the folder given (`--root`, default the current one), which must hold
/// cases/; never a silent fallback elsewhere. Absolute, so snapshot paths are unambiguous.
pub fn project_root(given: &Path) -> Result<PathBuf, String> {
    if !given.join("cases").is_dir() {
        let shown = std::fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf());
        return Err(format!("{} holds no cases/ folder: run from the project folder or pass --root PATH", shown.display()));
    }
    Ok(std::fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf()))
}

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
    ctx.case_timeout = std::time::Duration::from_secs(args.case_timeout.max(1));
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
        ctx.recorder = Some(Arc::new(crate::run::record::Recorder::new(dir, &ctx.run_prefix)));
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
        if std::thread::current().name() == Some("tokio-runtime-worker") {
            return;
        }
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        console::error(&format!("error: internal error: {}", crate::check::secrets::scrub_text(&message)));
    }));
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

/// `sweep`: deletes leftovers of earlier runs on a target; 1 when a delete failed.
pub async fn sweep(args: crate::cli::SweepArgs) -> u8 {
    let root = match project_root(&args.root) {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let older_than = match crate::run::sweep::parse_duration(&args.older_than) {
        Ok(secs) => secs,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    // Checked before anything is resolved or started (sweep checks it again, for library callers).
    if let Err(e) = crate::run::sweep::check_prefix(&args.prefix) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let (target, _embedded) = match resolve_target(&root, &args.target, false, &args.transport).await {
        Ok(resolved) => resolved,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut apis: Vec<&'static crate::apis::ApiProfile> =
        crate::apis::PROFILES.iter().copied().filter(|p| p.cleanup_profile().name == p.name && target.serves(p)).collect();
    // A named target is swept whole; a bare URL for the providers whose credentials are set.
    if target.spec.is_none() {
        let with_credentials: Vec<_> = apis.iter().copied().filter(|api| target.session(api).is_some()).collect();
        if !with_credentials.is_empty() {
            apis = with_credentials;
        }
    }
    let sessions = crate::run::targets::sessions_from_env();
    if let Some(message) = crate::run::targets::missing_credentials(&apis, &sessions) {
        eprintln!("error: {message}");
        return EXIT_USAGE;
    }
    let schemas = match SchemaSet::load(&root) {
        Ok(schemas) => Arc::new(schemas),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let ctx = match RunContext::new(root, target, schemas, Arc::new(SystemClock)) {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if let Err(e) = crate::run::guard::check(&ctx, &apis).await {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let lease_of = |api: &crate::apis::ApiProfile| {
        ctx.target.session(api).map(|s| crate::run::target::Lease {
            credentials: s.credentials.clone(),
            token: s.token.clone(),
            emulator_account: None,
            held: Default::default(),
        })
    };
    match crate::run::sweep::sweep(&ctx, &apis, lease_of, &args.prefix, older_than, args.dry_run).await {
        Ok(report) => {
            report.lines.iter().for_each(|line| println!("{line}"));
            println!("sweep: {} deleted, {} failed{}", report.deleted, report.failed, if args.dry_run { " (dry run)" } else { "" });
            if report.failed > 0 { EXIT_FAILED } else { EXIT_OK }
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}

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

/// `bench`: the measurements of [`crate::bench`], printed as figures and ratios; `--only` runs one
/// section (to profile it).
pub async fn bench(args: BenchArgs) -> u8 {
    if cfg!(debug_assertions) {
        println!("note: a debug build; run `cargo run --release -- bench` for meaningful figures");
    }
    let root = match project_root(&args.root) {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let only = args.only;
    let mut result = Ok(());
    if result.is_ok() && BenchSection::Keygen.selected(only) {
        result = bench_keygen(args.keys.max(1)).await;
    }
    if result.is_ok() && BenchSection::RoundTrips.selected(only) {
        result = bench_round_trips(args.requests.max(1)).await;
    }
    if result.is_ok() {
        let settings = crate::bench::ceiling::CeilingSettings {
            seconds: args.seconds.clamp(0.1, 60.0),
            rounds: args.rounds.clamp(1, 25),
            stored_keys: args.stored_keys,
            bodies: args.bodies,
            only,
            ..Default::default()
        };
        result = crate::bench::ceiling::run(&settings).await.map(|lines| lines.iter().for_each(|line| println!("{line}")));
    }
    if result.is_ok() && args.key_pool > 0 && BenchSection::KeyPool.selected(only) {
        result = crate::bench::key_pool_burst(args.key_pool).await.map(|line| println!("{line}"));
    }
    if result.is_ok() && BenchSection::Schemas.selected(only) {
        result = bench_schemas(&root);
    }
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILED
        }
    }
}

/// RSA-2048 generation with both backends, interleaved, off the runtime's workers.
async fn bench_keygen(keys: usize) -> Result<(), String> {
    println!("RSA-2048 key generation, {keys} keys per backend, interleaved (ms):");
    let (rsa, awslc) = tokio::task::spawn_blocking(move || crate::bench::keygen(keys)).await.map_err(|e| e.to_string())??;
    for s in [&rsa, &awslc] {
        println!("  {:<18} median {:>7.1}  mean {:>7.1}  p90 {:>7.1}", s.label, s.median_ms(), s.mean_ms(), s.p90_ms());
    }
    println!("  ratio rsa / aws-lc-rs: median {:.2}, mean {:.2}", rsa.median_ms() / awslc.median_ms(), rsa.mean_ms() / awslc.mean_ms());
    Ok(())
}

/// Describe and Create through the harness's own client, sequential and concurrent.
async fn bench_round_trips(requests: usize) -> Result<(), String> {
    println!("emulator round trips on loopback through the harness client (TC3-signed POST):");
    let creates = (requests / 20).max(8);
    let runs = [
        ("DescribeKeyPairs", requests, 1),
        ("DescribeKeyPairs", requests, 16),
        ("CreateKeyPair", creates, 1),
        ("CreateKeyPair", creates, 4),
    ];
    let mut first_rate = None;
    for (action, n, concurrency) in runs {
        let (sample, wall) = crate::bench::round_trips(action, n, concurrency).await?;
        let rate = n as f64 / wall.as_secs_f64();
        let base = *first_rate.get_or_insert(rate);
        println!(
            "  {:<40} {:>9.0} req/s ({:>6.3}x)  median {:>7.3} ms  p90 {:>7.3} ms",
            sample.label,
            rate,
            rate / base,
            sample.median_ms(),
            sample.p90_ms()
        );
    }
    Ok(())
}

/// Compiling every schema against validating one answer.
fn bench_schemas(root: &Path) -> Result<(), String> {
    let (compile, validate) = crate::bench::schemas(root, 2000)?;
    println!(
        "schemas: compiling all {:.2} ms, one validation {:.1} µs ({:.0}x cheaper than compiling all)",
        compile.as_secs_f64() * 1000.0,
        validate.as_secs_f64() * 1e6,
        compile.as_secs_f64() / validate.as_secs_f64().max(1e-12)
    );
    Ok(())
}

#[cfg(test)]
#[path = "commands_tests.rs"]
mod tests;
