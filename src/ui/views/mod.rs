//! One module per part of the screen. Every view draws from the [`App`]
//! alone, with the same signature:
//! `pub fn render(frame: &mut ratatui::Frame, area: Rect, app: &App)`.
//!
//! [`App`]: crate::ui::app::App

pub mod alert_log;
pub mod alerts;
pub mod connections;
pub mod counters;
pub mod drill;
pub mod header;
pub mod help;
pub mod listeners;
pub mod overview_lower;
pub mod process;
pub mod remotes;
pub mod status;
pub mod table;
pub mod tabs;
pub mod tunables;
pub mod unix;
pub mod unix_peers;
pub mod widgets;
