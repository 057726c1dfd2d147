//! `bench`: runs the measurements of [`crate::bench`] and prints them as figures and ratios.

use std::path::Path;

use super::project_root;
use crate::cli::{BenchArgs, BenchSection};
use crate::report::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};

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
