//! Command-line interface (clap derive). No logic here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Live view of the TCP and UNIX-socket states that take Linux servers down.
#[derive(Debug, Parser)]
#[command(name = "sockscope", version, about)]
pub struct Cli {
    /// What to do; without one, the live dashboard opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one collection of the current network namespace and exit.
    Snapshot(SnapshotArgs),
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
