//! `keypair-contract`: parse the command line, call into the library, return the exit code.

use std::process::ExitCode;

use clap::Parser;
use keypair_contract::cli::{Cli, Command};
use keypair_contract::{commands, report};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(report::EXIT_USAGE);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => commands::run(args).await,
            Command::Serve(args) => commands::serve(args).await,
            Command::Coverage(args) => commands::coverage(args),
            Command::Sweep(args) => commands::sweep(args).await,
            Command::Bench(args) => commands::bench(args).await,
        }
    });
    ExitCode::from(code)
}
