//! The `sealcheck` command. Parsing is in `args`, dispatch in `run`; this
//! file only maps the outcome to an exit code.

mod args;
mod output;
mod run;
mod ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let status = run::run(cli);
    ExitCode::from(status.code())
}
