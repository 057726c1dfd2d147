//! The command line: `run` (the suite), `serve` (the emulator), `coverage` (documented surface vs
//! cases), `sweep` (leftovers of earlier runs on a target), `bench` (measurements). Parsing only;
//! each subcommand calls into the library.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Contract tests for the cloud SSH key-pair APIs, and a local emulator to run them against.
///
/// Every documented example, error code and rule of the key-pair APIs of Tencent Cloud CVM API 3.0,
/// Lighthouse, the legacy CVM v2 endpoint and Alibaba Cloud ECS is a YAML case under cases/; `run`
/// replays them against a target, checks each answer's contract (outcome, code, status, JSON Schema
/// written from the docs, asserted fields, key pairs) and compares it with its snapshot (drift).
#[derive(Debug, Parser)]
#[command(name = "keypair-contract", version, propagate_version = true)]
#[command(after_help = "Examples:
  keypair-contract run                                  the suite against the embedded emulator
  keypair-contract run --filter cvm/create --jobs 4     a subset, four cases at a time
  keypair-contract run --target tencent --jobs 1        a live run (targets.yaml; TENCENTCLOUD_SECRET_ID/KEY in the environment)
  keypair-contract run --target tencent --dry-run       what that run would send, redacted
  keypair-contract sweep --target tencent --older-than 6h   delete what earlier runs left behind
  keypair-contract run --drift report --report markdown=summary.md --report junit=junit.xml
                                                        a nightly run: snapshot drift reported, not failed
  keypair-contract serve --listen 127.0.0.1:9000        the emulator alone, for an SDK or CLI
  keypair-contract coverage                             which documented items lack a case
  cargo run --release -- bench                          key generation, round trips, schema costs

Exit codes: 0 all passed (drift under --drift report does not fail); 1 a case failed (or coverage has a
gap, or bench refused a figure); 2 usage, case-file or setup error (no cases/ under --root, no credentials, target unreachable).")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the cases against a target and print one line per case, then `N passed, N failed`.
    Run(RunArgs),
    /// Serve the emulator on a loopback port until interrupted.
    Serve(ServeArgs),
    /// List every documented example, error code and rule beside the cases covering it.
    Coverage(CoverageArgs),
    /// Delete key pairs earlier runs left behind on a target (names with the run prefix).
    Sweep(SweepArgs),
    /// Measure key generation backends, emulator round trips and schema compile vs validate, in
    /// one run (build with --release for meaningful figures). A load answered with any error, or
    /// with none in its window, fails the run (exit 1): its figure would not be of what it names.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// RSA-2048 keys generated per backend.
    #[arg(long, default_value_t = 40, value_parser = at_least_one::<usize>)]
    pub keys: usize,
    /// Requests per round-trip measurement.
    #[arg(long, default_value_t = 2000, value_parser = at_least_one::<usize>)]
    pub requests: usize,
    /// The project folder holding schemas/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Seconds per load measurement beside the ceiling (each after a warm-up of 0.3 s, or of 0.3 ×
    /// the seconds when that is shorter), from 0.1 to 60.
    #[arg(long, default_value_t = 1.0, value_parser = parse_bench_seconds)]
    pub seconds: f64,
    /// Interleaved rounds of the ceiling and route loads; each row shows the median round and the
    /// rounds' range (back-to-back runs of one load on a shared 2-core machine differ by up to 25 %);
    /// from 1 to 25.
    #[arg(long, default_value_t = 3, value_parser = parse_bench_rounds)]
    pub rounds: usize,
    /// Keys imported into one account for the large-account measurements.
    #[arg(long, default_value_t = 100_000)]
    pub stored_keys: usize,
    /// Unfinished 9 MiB bodies held open at once.
    #[arg(long, default_value_t = 200)]
    pub bodies: usize,
    /// Keys pre-generated for the key-pool burst (0 skips it; at most 10000, as `serve --key-pool`).
    #[arg(long, default_value_t = 32, value_parser = parse_key_pool)]
    pub key_pool: usize,
    /// Run only this section (e.g. under a profiler); every section when absent.
    #[arg(long, value_enum)]
    pub only: Option<BenchSection>,
}

/// The sections of `bench`, in the order a full run prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchSection {
    /// RSA-2048 generation, rsa against aws-lc-rs.
    Keygen,
    /// Round trips through the harness's own client.
    RoundTrips,
    /// DescribeKeyPairs and ImportKeyPair beside the bare-handler ceiling, sent its own small
    /// request and each route's request bytes.
    Routes,
    /// 100,000 imports, Describe by id in the large account, and one account's latency under
    /// another's flood.
    LargeAccount,
    /// RSS held by unfinished large bodies.
    Bodies,
    /// CreateKeyPair from the key pool against generated on request.
    KeyPool,
    /// JSON Schema compile against validate.
    Schemas,
}

impl BenchSection {
    /// Whether a run limited to `only` includes this section.
    pub fn selected(self, only: Option<BenchSection>) -> bool {
        only.is_none_or(|o| o == self)
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A target named in targets.yaml (`emulator`, the embedded one, is the default; live targets
    /// read credentials from TENCENTCLOUD_SECRET_ID/_SECRET_KEY[/_SESSION_TOKEN] and
    /// ALIBABA_CLOUD_ACCESS_KEY_ID/_ACCESS_KEY_SECRET[/_SECURITY_TOKEN]); a URL used for every API
    /// (an emulator you started; add `--control` if it runs with its control API); or
    /// `replay:DIR`, answers from a recording made with `--record DIR`.
    #[arg(long, default_value = "emulator")]
    pub target: String,
    /// The target at --target is an emulator with its control API enabled (serve --control), so
    /// emulator-only cases can run against it.
    #[arg(long)]
    pub control: bool,
    /// Run only cases whose id contains this text (e.g. `tencent-cvm/import`).
    #[arg(long)]
    pub filter: Option<String>,
    /// Cases run at the same time (at least 1); each gets its own emulator account.
    #[arg(long, default_value_t = 4, value_parser = at_least_one::<usize>)]
    pub jobs: usize,
    /// The project folder holding cases/, schemas/ and snapshots/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// What a snapshot difference does when the contract holds: `fail` the case (the default), or
    /// `report` it as drift with its diff, exit 0 for it and leave the new answer pending
    /// (`.snap.new`, never written when CI is set). A nightly live run uses `report`.
    #[arg(long, value_enum, default_value_t = DriftArg::Fail)]
    pub drift: DriftArg,
    /// Write this run's answers as the snapshots (`.snap`) where they are new or differ, as
    /// `INSTA_UPDATE=always` does; never when CI is set, and an emulator run never overwrites a
    /// snapshot recorded live. Review the diff before committing.
    #[arg(long)]
    pub accept: bool,
    /// Show the HTTP exchange of each failing step (credentials, signatures and private keys
    /// redacted).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Also write a report: `junit=PATH`, `markdown=PATH` or `json=PATH` (repeatable).
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub reports: Vec<ReportSpec>,
    #[command(flatten)]
    pub transport: TransportArgs,
    /// Print each request the run would send (credentials, signatures and tokens redacted) and
    /// send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write every exchange of the run, redacted, to DIR (one YAML file per case), for
    /// `--target replay:DIR`.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Run shard K of N: the cases sorted by id, every Nth from the Kth (as `cargo nextest
    /// --partition count:K/N`), with 1/N of each pacing budget.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::run::shard::Shard>,
    /// Seconds a case's steps may take (at least 1); then they stop and the case tears down.
    #[arg(long, default_value_t = crate::run::runner::CASE_TIMEOUT.as_secs(), value_parser = at_least_one::<u64>)]
    pub case_timeout: u64,
    /// Requests per second per ECS action (ECS documents no limit; this is a cautious default).
    #[arg(long, default_value_t = crate::run::pace::DEFAULT_ECS_RATE, value_parser = parse_rate)]
    pub ecs_rate: f64,
}

/// `--drift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftArg {
    Fail,
    Report,
}

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Junit,
    Markdown,
    Json,
}

/// `--report FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    pub format: ReportFormat,
    pub path: PathBuf,
}

/// `text` as a `T` inside `range`, else "`text` is not {what}": every numeric flag refuses a value
/// it cannot use rather than quietly clamping it.
fn in_range<T: std::str::FromStr + PartialOrd>(text: &str, range: impl std::ops::RangeBounds<T>, what: &str) -> Result<T, String> {
    text.parse::<T>().ok().filter(|value| range.contains(value)).ok_or_else(|| format!("`{text}` is not {what}"))
}

/// A rate above 0: without this check, 0, a negative number or NaN would pace every ECS request
/// 100 s apart without a word (NaN and infinity are outside the range).
fn parse_rate(text: &str) -> Result<f64, String> {
    use std::ops::Bound::Excluded;
    in_range(text, (Excluded(0.0), Excluded(f64::INFINITY)), "a number of requests per second above 0 (e.g. 5 or 0.5)")
}

/// A whole number of at least 1 (`--jobs`, `--case-timeout`, `bench --keys`, `--requests`): 0
/// would be a run that never starts, a case that always times out or a figure of nothing.
fn at_least_one<T: std::str::FromStr + From<u8> + PartialOrd>(text: &str) -> Result<T, String> {
    in_range(text, T::from(1).., "a whole number of at least 1 (e.g. 4)")
}

/// `bench --seconds`: long enough to measure (0.1 s), short enough to finish (60 s).
fn parse_bench_seconds(text: &str) -> Result<f64, String> {
    in_range(text, 0.1..=60.0, "a number of seconds from 0.1 to 60 (e.g. 1 or 0.5)")
}

/// `bench --rounds`: at least one round to show, at most 25 (each round runs every load once).
fn parse_bench_rounds(text: &str) -> Result<usize, String> {
    in_range(text, 1..=25, "a whole number of rounds from 1 to 25 (e.g. 3)")
}

/// `serve --key-pool` and `bench --key-pool`: a pool past 10,000 keys (about 40 MB) is not a burst
/// buffer but a refill thread busy for hours and memory that only grows.
fn parse_key_pool(text: &str) -> Result<usize, String> {
    in_range(text, ..=10_000, "a number of keys from 0 to 10000 (e.g. 64)")
}

fn parse_report(text: &str) -> Result<ReportSpec, String> {
    let (format, path) = text.split_once('=').ok_or_else(|| format!("`{text}` is not FORMAT=PATH (e.g. junit=report.xml)"))?;
    let format = match format {
        "junit" => ReportFormat::Junit,
        "markdown" | "md" => ReportFormat::Markdown,
        "json" => ReportFormat::Json,
        other => return Err(format!("unknown report format `{other}` (expected junit, markdown or json)")),
    };
    if path.is_empty() {
        return Err(format!("`{text}` names no file"));
    }
    Ok(ReportSpec { format, path: PathBuf::from(path) })
}

/// Where targets come from, shared by `run` and `sweep`.
#[derive(Debug, Args)]
pub struct TransportArgs {
    /// The file of named targets (default: targets.yaml in --root).
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// The run's region. Where a live target's endpoint names `{region}`, its host serves the
    /// requests that name no region or one the target does not list (a listed region goes to its
    /// own host; default: the target's first). For `sweep`, the one region searched (default: all
    /// of the target's). Cases send the regions they name, whatever this says.
    #[arg(long)]
    pub region: Option<String>,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// A target named in targets.yaml, or a URL (credentials from the environment).
    #[arg(long)]
    pub target: String,
    /// Only key pairs at least this old (e.g. 30m, 6h, 2d).
    #[arg(long, default_value = "0s")]
    pub older_than: String,
    /// List what would be deleted, delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only names starting with this (at least 4 characters; default: every run's prefix).
    #[arg(long, default_value = crate::run::template::FAMILY_PREFIX)]
    pub prefix: String,
    /// The project folder holding targets.yaml.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    #[command(flatten)]
    pub transport: TransportArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub listen: SocketAddr,
    /// Another account, as SECRET_ID:SECRET_KEY (repeatable), e.g. the credentials your SDK
    /// already uses. The default account is always there.
    #[arg(long = "account", value_name = "SECRET_ID:SECRET_KEY")]
    pub accounts: Vec<String>,
    /// Enable the control API under /_emulator/ (accounts, quotas, injected faults). For tests.
    #[arg(long)]
    pub control: bool,
    /// Do not log requests to stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Behave like a cloud under stress: the documented mix of injected throttling (10 %), server
    /// errors (3 %), dropped answers (2 %) and up to 50 ms latency (emulator::hostile). The
    /// rate flags below override single parts of it.
    #[arg(long)]
    pub hostile: bool,
    /// Share of requests answered with the product's throttling error (0.0–1.0).
    #[arg(long, value_name = "RATE")]
    pub throttle_rate: Option<f64>,
    /// Share of requests answered with HTTP 503 (0.0–1.0).
    #[arg(long, value_name = "RATE")]
    pub error_rate: Option<f64>,
    /// Share of answers cut off mid-response, after the action ran (0.0–1.0).
    #[arg(long, value_name = "RATE")]
    pub drop_rate: Option<f64>,
    /// Up to this many milliseconds of added latency per request.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// Keep this many RSA-2048 keys generated in the background, so bursts of CreateKeyPair answer
    /// at ImportKeyPair speed (0, the default: off; at most 10000; each pooled key holds about 4 KB).
    #[arg(long, value_name = "KEYS", default_value_t = 0, value_parser = parse_key_pool)]
    pub key_pool: usize,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Only the seeds documenting this API (e.g. `tencent-cvm`).
    #[arg(long)]
    pub api: Option<String>,
    /// Print the comparison as JSON (items with their covering cases, unknown rule citations).
    #[arg(long)]
    pub json: bool,
    /// The project folder holding cases/ and docs/documented.yaml.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
