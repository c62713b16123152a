//! Command-line interface (clap derive). No logic here.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

/// Live view of the TCP and UNIX-socket states that take Linux servers down.
#[derive(Debug, Parser)]
#[command(name = "sockscope", version, about)]
pub struct Cli {
    /// What to do; without one, the live dashboard opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Dashboard flags, for `sockscope` without a subcommand.
    #[command(flatten)]
    pub top: TopArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one collection of the current network namespace and exit.
    Snapshot(SnapshotArgs),
    /// Open the live dashboard (the default).
    Top(TopArgs),
}

/// Output formats of `snapshot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A grouped human table, listeners first.
    Text,
    /// The `sockscope.snapshot.v1` JSON document.
    Json,
}

/// Arguments of `sockscope snapshot`.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// Arguments of the dashboard (`sockscope` or `sockscope top`). Flags
/// override the config file, which overrides the defaults.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TopArgs {
    /// Time between collections (`250ms`, `1s`, `2s`; default 1s).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub interval: Option<Duration>,
    /// How far back history is kept for time travel (`10m`, `1h`; default 10m).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub history: Option<Duration>,
    /// Where `e` writes snapshot files (default: the current directory).
    #[arg(long)]
    pub export_dir: Option<PathBuf>,
    /// Config file (default: $XDG_CONFIG_HOME/sockscope/config.toml when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Log file for diagnostics (default: $XDG_STATE_HOME/sockscope/sockscope.log).
    #[arg(long)]
    pub log_file: Option<PathBuf>,
}
