//! The model's running state: everything derived from the stream of
//! snapshots (history, per-socket ages, alerts). One `ingest` per collection.

use std::sync::Arc;
use std::time::Duration;

use super::alerts::{AlertEngine, Thresholds};
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

/// History, per-socket tracking and alerts, fed one snapshot at a time.
#[derive(Clone, Debug)]
pub struct Model {
    /// Kept frames, oldest first.
    pub history: History,
    /// First-seen times by socket cookie, for the newest frame.
    pub tracker: Tracker,
    /// Alert hysteresis state and the log of resolved alerts.
    pub alerts: AlertEngine,
}

impl Model {
    /// An empty model with the default alert thresholds.
    pub fn new(limits: &ModelLimits) -> Model {
        Model::with_thresholds(limits, Thresholds::default())
    }

    /// An empty model with `thresholds` (validated by the config).
    pub fn with_thresholds(limits: &ModelLimits, thresholds: Thresholds) -> Model {
        Model {
            history: History::new(limits.history, limits.socket_budget),
            tracker: Tracker::default(),
            alerts: AlertEngine::new(thresholds),
        }
    }

    /// Adds one snapshot, evaluates the alert rules at it, and returns its
    /// frame (carrying the alerts active at this sample).
    pub fn ingest(&mut self, snapshot: Snapshot) -> Frame {
        self.ingest_frame(Frame::new(snapshot));
        self.history
            .latest()
            .expect("a frame was just pushed")
            .clone()
    }

    /// Adds a frame whose aggregate was already built (the dashboard builds
    /// it on the collection thread, off the UI thread).
    /// The frame in history gets the alerts active at its sample.
    pub fn ingest_frame(&mut self, frame: Frame) {
        self.tracker.update(&frame.snapshot);
        self.history.push(frame);
        let set = self.alerts.evaluate(&self.history, &self.tracker);
        let latest = self.history.latest_mut().expect("a frame was just pushed");
        latest.alerts = Arc::new(set);
    }
}
