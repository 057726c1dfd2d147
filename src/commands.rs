//! What each subcommand does, returning its exit code (see [`crate::report`] for the codes).

use std::sync::Arc;

use crate::cli::{CoverageArgs, RunArgs, ServeArgs};
use crate::emulator::{self, Emulator, EmulatorConfig, accounts};
use crate::report::{EXIT_USAGE, EXIT_OK};

/// `serve`: the emulator until Ctrl-C.
pub async fn serve(args: ServeArgs) -> u8 {
    let config = EmulatorConfig { control_api: args.control, log_requests: !args.quiet, ..EmulatorConfig::default() };
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
    println!("products: tencent-cvm (2017-03-12) at / ; control API {}", if args.control { "on at /_emulator/" } else { "off" });
    let _ = tokio::signal::ctrl_c().await;
    drop(handle);
    EXIT_OK
}

/// `run`: the suite.
pub async fn run(_args: RunArgs) -> u8 {
    EXIT_USAGE
}

/// `coverage`.
pub fn coverage(_args: CoverageArgs) -> u8 {
    EXIT_USAGE
}

#[allow(dead_code)]
fn _unused(_: Arc<()>) {}
