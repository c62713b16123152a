//! Output formats. The serde types in [`json`] are the contract.

pub mod json;
pub mod text;
