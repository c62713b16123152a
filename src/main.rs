use std::io;
use std::process::ExitCode;

use sockscope::cli::{AlertFlags, Cli, Command};
use sockscope::commands::snapshot::AlertsReported;
use sockscope::config::Config;

fn main() -> ExitCode {
    sockscope::memory::return_large_buffers_to_the_kernel();
    let cli = Cli::try_parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit());
    let no_flags = AlertFlags::default();
    let config = Config::resolve(cli.config.as_deref(), cli.alerts().unwrap_or(&no_flags));
    let result = config
        .map_err(anyhow::Error::from)
        .inspect(|config| {
            sockscope::collector::runtime_state::set_roots(config.runtimes.clone());
        })
        .and_then(|config| match &cli.command {
            Some(Command::Snapshot(args)) => sockscope::commands::snapshot::run(
                args,
                &args.target,
                &config,
                args.alerts.fire_after,
            ),
            Some(Command::Top(args)) => sockscope::commands::top::run(args, config),
            Some(Command::Serve(args)) => {
                sockscope::commands::serve::run(args, &args.target, &config)
            }
            Some(Command::Record(args)) => sockscope::commands::record::run(args, &args.target),
            Some(Command::Replay(args)) => sockscope::commands::replay::run(args, config),
            Some(Command::Config(args)) => sockscope::commands::config::run(args, &config),
            None => sockscope::commands::top::run(&cli.top, config),
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.is::<AlertsReported>() => {
            eprintln!("sockscope: {e}");
            let status = e.downcast_ref::<AlertsReported>().map_or(1, |g| g.status());
            ExitCode::from(status)
        }
        Err(e) => {
            // Messages quote paths, names and decoded text: one line, no
            // control characters reach the terminal.
            eprintln!(
                "sockscope: error: {}",
                sockscope::sanitize::clean(&error_line(&e))
            );
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes joined by `: `, each cause said once: a cause
/// that the message before it already quotes (`cannot open X: {source}`) is
/// not repeated.
fn error_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.is_empty() {
            line = text;
        } else if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

/// `sockscope snapshot | head` closes the pipe early; that is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
