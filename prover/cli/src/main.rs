//! `prover-cli`: see the `sq_prover_cli` library for the commands.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use sq_prover_cli::cli::{Cli, DbUrlSource};
use sq_prover_cli::commands;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let source = DbUrlSource::of(&matches);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli, source)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
