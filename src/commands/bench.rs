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
        result = bench_keygen(args.keys).await;
    }
    if result.is_ok() && BenchSection::RoundTrips.selected(only) {
        result = bench_round_trips(args.requests).await;
    }
    if result.is_ok() {
        let settings = crate::bench::ceiling::CeilingSettings {
            seconds: args.seconds,
            rounds: args.rounds,
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
    let mut measured = Vec::new();
    for (action, n, concurrency) in runs {
        let (sample, wall) = crate::bench::round_trips(action, n, concurrency).await?;
        measured.push((sample, n, wall));
    }
    round_trip_lines(&measured).iter().for_each(|line| println!("{line}"));
    Ok(())
}

/// One line per run of `n` calls: its requests/s over the run's wall time, that as a ratio of the
/// first run's, and its median and p90 latency.
fn round_trip_lines(runs: &[(crate::bench::Sample, usize, std::time::Duration)]) -> Vec<String> {
    let rate = |n: usize, wall: std::time::Duration| n as f64 / wall.as_secs_f64();
    let base = runs.first().map_or(1.0, |(_, n, wall)| rate(*n, *wall));
    runs.iter()
        .map(|(sample, n, wall)| {
            format!(
                "  {:<40} {:>9.0} req/s ({:>6.3}x)  median {:>7.3} ms  p90 {:>7.3} ms",
                sample.label,
                rate(*n, *wall),
                rate(*n, *wall) / base,
                sample.median_ms(),
                sample.p90_ms()
            )
        })
        .collect()
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
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::bench::Sample;

    #[test]
    fn round_trip_lines_show_each_rate_and_its_ratio_to_the_first() {
        let sample = |label: &str| Sample { label: label.into(), times: vec![Duration::from_millis(1), Duration::from_millis(3)] };
        let lines =
            round_trip_lines(&[(sample("first"), 100, Duration::from_secs(1)), (sample("second"), 100, Duration::from_millis(500))]);
        assert!(
            lines[0].contains("first") && lines[0].contains("      100 req/s ( 1.000x)  median   3.000 ms  p90   3.000 ms"),
            "{lines:?}"
        );
        assert!(lines[1].contains("second") && lines[1].contains("      200 req/s ( 2.000x)"), "{lines:?}");
    }
}
