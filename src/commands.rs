//! What each subcommand does, returning its exit code (see [`crate::report`] for the codes).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::case::{self, Case, CaseFormat};
use crate::check::schema::SchemaSet;
use crate::check::snapshot;
use crate::cli::{BenchArgs, CoverageArgs, RunArgs, ServeArgs};
use crate::clock::SystemClock;
use crate::emulator::{self, Emulator, EmulatorConfig, accounts};
use crate::providers::Credentials;
use crate::report::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, text};
use crate::run::{RunContext, Target, run_suite};

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
    if let (Some(id), Some(secret)) = (args.access_key_id.clone(), args.access_key_secret.clone()) {
        credentials.insert("ALIBABA_CLOUD_ACCESS_KEY_ID".to_string(), Credentials { id, secret });
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

/// `bench`: the measurements of [`crate::bench`], printed as figures and ratios.
pub async fn bench(args: BenchArgs) -> u8 {
    if cfg!(debug_assertions) {
        println!("note: a debug build; run `cargo run --release -- bench` for meaningful figures");
    }
    let keys = args.keys.max(1);
    println!("RSA-2048 key generation, {keys} keys per backend, interleaved (ms):");
    let (rsa, awslc) = match tokio::task::spawn_blocking(move || crate::bench::keygen(keys)).await {
        Ok(Ok(samples)) => samples,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    for s in [&rsa, &awslc] {
        println!("  {:<18} median {:>7.1}  mean {:>7.1}  p90 {:>7.1}", s.label, s.median_ms(), s.mean_ms(), s.p90_ms());
    }
    println!("  ratio rsa / aws-lc-rs: median {:.2}, mean {:.2}", rsa.median_ms() / awslc.median_ms(), rsa.mean_ms() / awslc.mean_ms());

    println!("emulator round trips on loopback through the harness client (TC3-signed POST):");
    let requests = args.requests.max(1);
    let creates = (requests / 20).max(8);
    let runs = [
        ("DescribeKeyPairs", requests, 1),
        ("DescribeKeyPairs", requests, 16),
        ("CreateKeyPair", creates, 1),
        ("CreateKeyPair", creates, 4),
    ];
    let mut first_rate = None;
    for (action, n, concurrency) in runs {
        match crate::bench::round_trips(action, n, concurrency).await {
            Ok((sample, wall)) => {
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
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_FAILED;
            }
        }
    }
    let settings = crate::bench::ceiling::CeilingSettings {
        seconds: args.seconds.clamp(0.1, 60.0),
        stored_keys: args.stored_keys,
        bodies: args.bodies,
        ..Default::default()
    };
    match crate::bench::ceiling::run(&settings).await {
        Ok(lines) => lines.iter().for_each(|line| println!("{line}")),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    }
    if args.key_pool > 0 {
        match crate::bench::key_pool_burst(args.key_pool).await {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_FAILED;
            }
        }
    }
    match crate::bench::schemas(&project_root(&args.root), 2000) {
        Ok((compile, validate)) => println!(
            "schemas: compiling all {:.2} ms, one validation {:.1} µs ({:.0}x cheaper than compiling all)",
            compile.as_secs_f64() * 1000.0,
            validate.as_secs_f64() * 1e6,
            compile.as_secs_f64() / validate.as_secs_f64().max(1e-12)
        ),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    }
    EXIT_OK
}
