//! Output formats. The serde types in [`json`] are the contract.

pub mod atomic;
pub mod csv;
pub mod json;
pub mod netns_set;
pub mod prometheus;
pub mod sockets;
pub mod text;
