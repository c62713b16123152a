//! The model's running state: everything derived from the stream of
//! snapshots (history, per-socket ages, alerts). One `ingest` per collection.

use std::sync::Arc;
use std::time::Duration;

use super::alerts::{AlertEngine, AlertSet, LoggedAlert, Thresholds};
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
    /// With several namespaces per snapshot (`--all-netns`): one model per
    /// namespace, whose alerts are the merged frame's.
    parts: Vec<PartModel>,
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
            parts: Vec::new(),
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
    /// The frame in history gets the alerts active at its sample; a frame
    /// of several namespaces gets each namespace's, judged alone.
    pub fn ingest_frame(&mut self, frame: Frame) {
        self.tracker.update(&frame.snapshot);
        let merged = !frame.snapshot.netns_parts.is_empty();
        self.history.push(frame);
        let set = if merged {
            self.judge_each_namespace()
        } else {
            self.alerts.evaluate(&self.history, &self.tracker)
        };
        let latest = self.history.latest_mut().expect("a frame was just pushed");
        latest.alerts = Arc::new(set);
    }
}

/// One namespace of a stream of merged snapshots (`--all-netns`), judged on
/// its own sockets, counters and tunables.
#[derive(Clone, Debug)]
struct PartModel {
    /// Namespace inode (0 when it could not be entered).
    inode: u64,
    /// Its label.
    label: String,
    /// Its own history, socket ages and alert state.
    model: Model,
}

impl Model {
    /// Evaluates each namespace of the newest (merged) frame with its own
    /// model, exactly as if it were watched alone (`--netns`), and returns
    /// their alerts, each target and message naming its namespace. A
    /// namespace without a fresh sample is not judged again on its old one:
    /// it keeps its last verdict. Resolved alerts join this model's log.
    fn judge_each_namespace(&mut self) -> AlertSet {
        let latest = self.history.latest().expect("a frame was just pushed");
        let snapshot = &latest.snapshot;
        let mut before = std::mem::take(&mut self.parts);
        let mut set = AlertSet::default();
        let thresholds = self.alerts.thresholds().clone();
        let limits = ModelLimits {
            history: self.history.span(),
            // The rules read older frames' aggregates only.
            socket_budget: 0,
        };
        for (part, alone) in snapshot.netns_parts.iter().zip(snapshot.split_parts()) {
            let known = before
                .iter()
                .position(|p| p.inode == part.inode && p.label == part.label);
            let mut p = match known {
                Some(i) => before.swap_remove(i),
                None => PartModel {
                    inode: part.inode,
                    label: part.label.clone(),
                    model: Model::with_thresholds(&limits, thresholds.clone()),
                },
            };
            if part.error.is_none() {
                p.model.ingest_frame(Frame::new(alone));
            }
            let label = part.label.as_str();
            if let Some(f) = p.model.history.latest() {
                set.active
                    .extend(f.alerts.active.iter().map(|a| a.in_netns(label)));
                set.notes
                    .extend(f.alerts.notes.iter().map(|n| format!("{label}: {n}")));
            }
            let resolved = p.model.alerts.take_log();
            self.alerts
                .extend_log(resolved.into_iter().map(|l| LoggedAlert {
                    alert: l.alert.in_netns(label),
                    ended: l.ended,
                }));
            self.parts.push(p);
        }
        set.active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.rule.cmp(&b.rule))
                .then(a.target.cmp(&b.target))
        });
        set
    }

    /// The newest frame of each namespace of a merged stream, with its own
    /// aggregate and alerts, in the newest merged snapshot's part order;
    /// empty for one namespace.
    pub fn namespace_frames(&self) -> impl Iterator<Item = (&str, Option<&Frame>)> {
        self.parts
            .iter()
            .map(|p| (p.label.as_str(), p.model.history.latest()))
    }
}
