//! The live dashboard (ratatui + crossterm).
//!
//! * [`collect`]: the collection thread, which creates its source from a
//!   [`collect::SourceFactory`] and sends whole frames over a channel;
//! * [`app`]: the pure state machine ([`app::App`], [`app::Action`]);
//! * [`keys`]: the key table, terminal events to actions; [`columns`]: the
//!   tables' columns as data; [`render`] and [`views`]: drawing;
//! * [`run`]: the tokio event loop; [`terminal`]: restoring the terminal;
//! * [`destroy`]: `Ctrl-K`/`K` and their questions; [`netns`]: the namespace picker.

pub mod alert_nav;
pub mod app;
pub mod collect;
pub mod columns;
pub mod destroy;
pub mod export;
pub mod filter;
pub mod format;
pub mod keys;
pub mod layout;
pub mod nav;
pub mod netns;
pub mod popup;
pub mod render;
pub mod rows;
pub mod run;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod views;
