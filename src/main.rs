use std::io;
use std::process::ExitCode;

use clap::Parser;
use sockscope::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Snapshot(args)) => sockscope::commands::snapshot::run(args, &cli.target),
        Some(Command::Top(args)) => sockscope::commands::top::run(args),
        Some(Command::Serve(args)) => sockscope::commands::serve::run(args),
        Some(Command::Record(args)) => sockscope::commands::record::run(args),
        Some(Command::Replay(args)) => sockscope::commands::replay::run(args),
        None => sockscope::commands::top::run(&cli.top),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sockscope: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `sockscope snapshot | head` closes the pipe early; that is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
