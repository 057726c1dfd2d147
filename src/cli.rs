//! The command line: `run` (the suite), `serve` (the emulator), `coverage` (documented surface vs
//! cases). Parsing only; each subcommand calls into the library.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Contract tests for the cloud SSH key-pair APIs, and a local emulator to run them against.
///
/// Every documented example and error code of Tencent Cloud CVM API 3.0, Lighthouse, the legacy
/// CVM v2 endpoint and Alibaba Cloud ECS CreateKeyPair/ImportKeyPair is a YAML case under cases/; `run` replays them against a target, validates each
/// response against a JSON Schema written from the docs and compares it with its insta snapshot.
#[derive(Debug, Parser)]
#[command(name = "keypair-contract", version, propagate_version = true)]
#[command(after_help = "Examples:
  keypair-contract run                                  the suite against the embedded emulator
  keypair-contract run --filter cvm/create --jobs 4     a subset, four cases at a time
  keypair-contract run --target live --jobs 1           a live run (TENCENTCLOUD_SECRET_ID/KEY, ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET)
  keypair-contract serve --listen 127.0.0.1:9000        the emulator alone, for an SDK or CLI
  keypair-contract coverage                             which documented items lack a case
  cargo run --release -- bench                          key generation, round trips, schema costs

Exit codes: 0 all passed; 1 a case failed (or coverage has a gap); 2 usage or case-file error.")]
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
    /// List every documented example and error code beside the cases covering it.
    Coverage(CoverageArgs),
    /// Measure key generation backends, emulator round trips and schema compile vs validate, in
    /// one run (build with --release for meaningful figures).
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// RSA-2048 keys generated per backend.
    #[arg(long, default_value_t = 40)]
    pub keys: usize,
    /// Requests per round-trip measurement.
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    /// The project folder holding schemas/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Seconds per load measurement beside the ceiling (each after a 0.3 s warm-up).
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
    /// Keys imported into one account for the large-account measurements.
    #[arg(long, default_value_t = 100_000)]
    pub stored_keys: usize,
    /// Unfinished 9 MiB bodies held open at once.
    #[arg(long, default_value_t = 200)]
    pub bodies: usize,
    /// Keys pre-generated for the key-pool burst (0 skips it).
    #[arg(long, default_value_t = 32)]
    pub key_pool: usize,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// `emulator` (an embedded one, the default); `live` (each API's documented endpoint, with
    /// the credentials below); or a URL used for every API — an emulator you started (add
    /// `--control` if it runs with its control API) or one live endpoint.
    #[arg(long, default_value = "emulator")]
    pub target: String,
    /// The target at --target is an emulator with its control API enabled (serve --control), so
    /// emulator-only cases can run against it.
    #[arg(long)]
    pub control: bool,
    /// Run only cases whose id contains this text (e.g. `tencent-cvm/import`).
    #[arg(long)]
    pub filter: Option<String>,
    /// Cases run at the same time; each gets its own emulator account.
    #[arg(long, default_value_t = 4)]
    pub jobs: usize,
    /// The project folder holding cases/, schemas/ and snapshots/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Live credentials (the official SDKs' variables).
    #[arg(long, env = "TENCENTCLOUD_SECRET_ID", hide_env_values = true)]
    pub secret_id: Option<String>,
    #[arg(long, env = "TENCENTCLOUD_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Live Alibaba Cloud credentials (the official SDKs' variables).
    #[arg(long, env = "ALIBABA_CLOUD_ACCESS_KEY_ID", hide_env_values = true)]
    pub access_key_id: Option<String>,
    #[arg(long, env = "ALIBABA_CLOUD_ACCESS_KEY_SECRET", hide_env_values = true)]
    pub access_key_secret: Option<String>,
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
    /// at ImportKeyPair speed (0, the default: off; each pooled key holds about 4 KB).
    #[arg(long, value_name = "KEYS", default_value_t = 0)]
    pub key_pool: usize,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Only the seeds documenting this API (e.g. `tencent-cvm`).
    #[arg(long)]
    pub api: Option<String>,
    /// The project folder holding cases/ and docs/documented.yaml.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}
