//! sockscope: a live view of the TCP and UNIX-socket states that take Linux
//! servers down, read from the kernel through netlink `sock_diag`.
//!
//! Data flows one way: [`collector`] → [`model::Snapshot`] → [`model`]
//! aggregates → [`export`] and the dashboard ([`ui`]).

pub mod cli;
pub mod cli_docs;
pub mod collector;
pub mod commands;
pub mod config;
pub mod export;
pub mod memory;
pub mod model;
pub mod record;
pub mod sanitize;
pub mod serve;
pub mod ui;
