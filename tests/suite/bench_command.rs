//! `keypair-contract bench`, small, through the built binary: every section prints its figures and
//! the run exits 0; `--only` prints one section. The figures themselves are checked in the
//! library's tests (src/bench/); here, that the command runs what it says.

use std::process::Output;

const BINARY: &str = env!("CARGO_BIN_EXE_keypair-contract");
const REPO: &str = env!("CARGO_MANIFEST_DIR");

async fn bench(args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(BINARY);
    command.arg("bench").arg("--root").arg(REPO).args(args);
    command.output().await.expect("the binary runs")
}

#[tokio::test]
async fn bench_runs_every_section_small() {
    // It loads both cores for seconds, as a whole suite run does: not beside one.
    let _alone = crate::common::WHOLE_SUITE.lock().await;
    let args = "--keys 1 --requests 200 --seconds 0.2 --rounds 1 --stored-keys 20 --bodies 1 --key-pool 2";
    let output = bench(&args.split(' ').collect::<Vec<_>>()).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    // Round trips compare with the first: it is 1.000x of itself.
    let first = stdout.lines().find(|line| line.contains("DescribeKeyPairs ×200, 1 at a time")).unwrap_or_default();
    assert!(first.contains("req/s ( 1.000x)"), "{first}");
    crate::common::assert_shows(
        &stdout,
        &[
            "RSA-2048 key generation, 1 keys per backend",
            "ratio rsa / aws-lc-rs: median",
            "DescribeKeyPairs ×200, 1 at a time",
            "DescribeKeyPairs ×200, 16 at a time",
            // A twentieth of --requests, at least 8.
            "CreateKeyPair ×10, 1 at a time",
            "CreateKeyPair ×10, 4 at a time",
            "20 imports into one account at 64 connections",
            "1 unfinished 9 MiB bodies",
            "ceiling and routes, 0.2 s each after 60 ms warm-up, 1 interleaved rounds",
            "ImportKeyPair x64",
            "RSS at start",
            "key pool: 2 CreateKeyPair, 4 at a time",
            "2 from the pool",
            "schemas: compiling all",
        ],
    );
}

#[tokio::test]
async fn bench_only_prints_its_one_section() {
    let output = bench(&["--only", "schemas"]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let figures: Vec<&str> = stdout.lines().filter(|line| !line.starts_with("note: a debug build")).collect();
    assert_eq!(figures.len(), 1, "{stdout}");
    assert!(figures[0].starts_with("schemas: compiling all "), "{stdout}");
}

/// `--key-pool 0` skips the key-pool burst: with `--only key-pool`, nothing is measured.
#[tokio::test]
async fn bench_key_pool_zero_measures_nothing() {
    let output = bench(&["--only", "key-pool", "--key-pool", "0"]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.lines().all(|line| line.starts_with("note: a debug build")), "{stdout}");
}
