//! `serve`: the emulator on one port until Ctrl-C. Its flags are read into a [`ServePlan`] before
//! anything starts, so a bad flag stops it with exit 2 and nothing bound.

use crate::cli::ServeArgs;
use crate::emulator::hostile::HostileSettings;
use crate::emulator::keypool::{self, KeyPoolSettings};
use crate::emulator::{self, Emulator, EmulatorConfig, accounts};
use crate::report::{EXIT_OK, EXIT_USAGE};

/// What `serve`'s flags ask for. No `Debug`: it holds the accounts' secrets.
struct ServePlan {
    config: EmulatorConfig,
    /// Keys to pre-generate in the background (`--key-pool N`, N > 0).
    key_pool: Option<KeyPoolSettings>,
    /// `--account SECRET_ID:SECRET_KEY`, in the order given.
    accounts: Vec<(String, String)>,
}

/// Reads the flags; the first bad one is the error.
fn plan(args: &ServeArgs) -> Result<ServePlan, String> {
    let mut config = EmulatorConfig { control_api: args.control, log_requests: !args.quiet, ..EmulatorConfig::default() };
    config.server.hostile = hostile_settings(args)?;
    let key_pool = (args.key_pool > 0).then(|| KeyPoolSettings { pregenerate: args.key_pool, ..Default::default() });
    let accounts = args
        .accounts
        .iter()
        .map(|spec| match spec.split_once(':') {
            Some((id, key)) if !id.is_empty() && !key.is_empty() => Ok((id.to_string(), key.to_string())),
            _ => Err(format!("--account takes SECRET_ID:SECRET_KEY, got `{spec}`")),
        })
        .collect::<Result<_, _>>()?;
    Ok(ServePlan { config, key_pool, accounts })
}

/// What `serve` prints once it listens at `addr`: the documented default account in full (its
/// secret is public, apis.md), the others' ids only, the control API, the hostile mix if any, and
/// a warning when the port is reachable from beyond this machine.
fn banner(config: &EmulatorConfig, accounts: &[(String, String)], addr: std::net::SocketAddr) -> Vec<String> {
    let mut lines = vec![
        format!("keypair-contract emulator listening on http://{addr}"),
        format!("default account: SecretId {} SecretKey {}", accounts::DEFAULT_SECRET_ID, accounts::DEFAULT_SECRET_KEY),
    ];
    if !addr.ip().is_loopback() {
        lines.push(format!(
            "warning: {} is not a loopback address: anyone who can reach this port can use the default account, whose secret is printed above{}",
            addr.ip(),
            if config.control_api { ", and the control API" } else { "" }
        ));
    }
    lines.extend(accounts.iter().map(|(id, _)| format!("account: SecretId {id}")));
    lines.push(format!("control API: {}", if config.control_api { "on at /_emulator/" } else { "off (serve --control)" }));
    let hostile = &config.server.hostile;
    if !hostile.is_off() {
        lines.push(format!(
            "hostile: {:.0} % throttled, {:.0} % HTTP 503, {:.0} % dropped, up to {} ms added",
            hostile.throttle_rate * 100.0,
            hostile.error_rate * 100.0,
            hostile.drop_rate * 100.0,
            hostile.latency.as_millis()
        ));
    }
    lines
}

/// `serve`: the emulator until Ctrl-C.
pub async fn serve(args: ServeArgs) -> u8 {
    let plan = match plan(&args) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if let Some(pool) = plan.key_pool {
        keypool::configure(pool);
    }
    let emulator = Emulator::new(plan.config).with_default_account();
    for (id, key) in &plan.accounts {
        emulator.accounts.add(id, key, accounts::AccountSettings::default());
    }
    let handle = match emulator::start(emulator, args.listen).await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return EXIT_USAGE;
        }
    };
    banner(&handle.emulator.config, &plan.accounts, handle.addr).iter().for_each(|line| println!("{line}"));
    let _ = tokio::signal::ctrl_c().await;
    drop(handle);
    EXIT_OK
}

/// `serve --hostile` and the single rate flags, each checked to be a rate.
fn hostile_settings(args: &ServeArgs) -> Result<HostileSettings, String> {
    let mut settings = if args.hostile { HostileSettings::mix() } else { Default::default() };
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

#[cfg(test)]
#[path = "serve_tests.rs"]
mod tests;
