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
  keypair-contract run --drift report --report markdown=summary.md --report junit=junit.xml
                                                        a nightly run: snapshot drift reported, not failed
  keypair-contract serve --listen 127.0.0.1:9000        the emulator alone, for an SDK or CLI
  keypair-contract coverage                             which documented items lack a case
  cargo run --release -- bench                          key generation, round trips, schema costs

Exit codes: 0 all passed (drift under --drift report does not fail); 1 a case failed (or coverage has a
gap); 2 usage, case-file or setup error (no cases/ under --root, no credentials, target unreachable).")]
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
