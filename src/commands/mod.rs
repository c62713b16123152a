//! The subcommands, wiring collector, model and export together.

pub mod snapshot;
pub mod top;
