//! The subcommands, wiring collector, model and export together.

pub mod config;
pub mod record;
pub mod replay;
pub mod serve;
pub mod snapshot;
pub mod target;
pub mod top;
pub mod watch;
