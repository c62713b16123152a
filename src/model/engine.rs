//! The model's running state: everything derived from the stream of
//! snapshots (history, per-socket ages). One `ingest` per collection.

use std::time::Duration;

use super::history::{Frame, History};
use super::snapshot::Snapshot;
use super::tracker::Tracker;

/// Limits of the kept past.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelLimits {
    /// How far back history reaches (time travel, sparklines, rules).
    pub history: Duration,
    /// Per-socket lists are kept for the newest frames up to this many
    /// sockets in all (default 250,000: two frames of 100k sockets, about
    /// 20 MiB; older frames keep their aggregates only).
    pub socket_budget: usize,
}

impl Default for ModelLimits {
    fn default() -> Self {
        ModelLimits {
            history: Duration::from_secs(600),
            socket_budget: 250_000,
        }
    }
}

/// History plus per-socket tracking, fed one snapshot at a time.
#[derive(Clone, Debug)]
pub struct Model {
    /// Kept frames, oldest first.
    pub history: History,
    /// First-seen times by socket cookie, for the newest frame.
    pub tracker: Tracker,
}

impl Model {
    /// An empty model.
    pub fn new(limits: &ModelLimits) -> Model {
        Model {
            history: History::new(limits.history, limits.socket_budget),
            tracker: Tracker::default(),
        }
    }

    /// Adds one snapshot and returns its frame.
    pub fn ingest(&mut self, snapshot: Snapshot) -> Frame {
        let frame = Frame::new(snapshot);
        self.ingest_frame(frame.clone());
        frame
    }

    /// Adds a frame whose aggregate was already built (the dashboard builds
    /// it on the collection thread, off the UI thread).
    pub fn ingest_frame(&mut self, frame: Frame) {
        self.tracker.update(&frame.snapshot);
        self.history.push(frame);
    }
}
