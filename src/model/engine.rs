//! The model's running state: everything derived from the stream of
//! snapshots (history, per-socket ages, alerts). One `ingest` per collection.

use std::sync::Arc;
use std::time::Duration;

use super::alerts::{AlertEngine, AlertSet, LoggedAlert, Thresholds};
use super::history::{Frame, History};
use super::netns_parts::{ViewPart, merged_view};
use super::reuse::build_after;
use super::round::Round;
use super::snapshot::Snapshot;
use super::tcp_list::TcpList;
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
    /// With several namespaces per round (`--all-netns`): one model per
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
        let agg = build_after(&snapshot, self.history.latest());
        self.ingest_frame(Frame::with_aggregate(snapshot, agg));
        self.history
            .latest()
            .expect("a frame was just pushed")
            .clone()
    }

    /// Adds the frame of one namespace whose aggregate was already built
    /// (the dashboard builds it on the collection thread, off the UI
    /// thread). The frame in history gets the alerts active at its sample.
    pub fn ingest_frame(&mut self, mut frame: Frame) {
        share_unchanged(&mut frame, self.history.latest());
        self.tracker.update(&frame.snapshot);
        self.history.push(frame);
        let set = self.alerts.evaluate(&self.history, &self.tracker);
        let latest = self.history.latest_mut().expect("a frame was just pushed");
        latest.alerts = Arc::new(set);
    }

    /// Adds one round and returns the frame to show for it, carrying the
    /// alerts active at it. One namespace: its frame, judged. Several
    /// (`--all-netns`): each namespace's frame goes into that namespace's
    /// own model and is judged there alone, exactly as with `--netns`; the
    /// frame returned is their merged view, built from their frames (a
    /// namespace without a sample this round shows its last one), with
    /// every namespace's alerts, each naming its namespace.
    pub fn ingest_round(&mut self, round: Round<Frame>) -> Frame {
        if !round.all
            && let [part] = round.parts.as_slice()
            && part.sample.is_some()
        {
            let frame = round.parts.into_iter().next().and_then(|p| p.sample);
            self.ingest_frame(frame.expect("checked above"));
        } else {
            self.ingest_namespaces(round);
        }
        self.history
            .latest()
            .expect("a frame was just pushed")
            .clone()
    }

    /// The history of namespace `netns`: its own under `--all-netns` (where
    /// its drop rises are attributed), else this model's.
    pub fn history_of(&self, netns: &str) -> &History {
        self.parts
            .iter()
            .find(|p| p.label == netns)
            .map_or(&self.history, |p| &p.model.history)
    }

    /// Emptied socket lists that the histories no longer need, with the
    /// inode of the namespace they came from (0 for one namespace), for the
    /// collectors to fill again (see [`History::take_spare`]).
    pub fn take_spares(&mut self) -> Vec<(u64, TcpList)> {
        if self.parts.is_empty() {
            return self
                .history
                .take_spare()
                .map(|t| (0, t))
                .into_iter()
                .collect();
        }
        self.parts
            .iter_mut()
            .filter_map(|p| p.model.history.take_spare().map(|t| (p.inode, t)))
            .collect()
    }
}

/// Makes a new `frame` hold `before`'s copy of the counters and tunables
/// where they are equal (a quiet namespace's stay the same from sample to
/// sample), so that kept frames share them instead of holding a map each.
/// A frame someone else holds already is left as it is.
pub(crate) fn share_unchanged(frame: &mut Frame, before: Option<&Frame>) {
    let (Some(before), Some(snap)) = (before, Arc::get_mut(&mut frame.snapshot)) else {
        return;
    };
    snap.counters.share_if_equal(&before.snapshot.counters);
    snap.tunables.share_if_equal(&before.snapshot.tunables);
}

/// One namespace of a stream of rounds over several namespaces
/// (`--all-netns`), judged on its own sockets, counters and tunables.
#[derive(Clone, Debug)]
struct PartModel {
    /// Namespace inode (0 when it could not be entered).
    inode: u64,
    /// Its label.
    label: String,
    /// Its own history and alert state (its sockets' ages are in the
    /// owning model's tracker, shared by every namespace).
    model: Model,
}

impl Model {
    /// Feeds each namespace of `round` to its own model (created when it
    /// first appears, dropped when it is no longer in the round), builds
    /// their merged view, tracks its sockets' ages (for every namespace, in
    /// this model's tracker), judges each namespace with its own history and
    /// pushes the view with all their alerts. A namespace without a sample
    /// this round is not judged again: it keeps its last verdict and frame.
    /// Resolved alerts join this model's log.
    fn ingest_namespaces(&mut self, round: Round<Frame>) {
        let mut before = std::mem::take(&mut self.parts);
        let thresholds = self.alerts.thresholds().clone();
        let limits = ModelLimits {
            history: self.history.span(),
            // The rules read older frames' aggregates only.
            socket_budget: 0,
        };
        let mut metas = Vec::with_capacity(round.parts.len());
        for part in round.parts {
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
            let fresh = part.sample.is_some();
            if let Some(mut frame) = part.sample {
                share_unchanged(&mut frame, p.model.history.latest());
                p.model.history.push(frame);
            }
            metas.push((part.label, part.id, part.error, fresh));
            self.parts.push(p);
        }
        let view: Vec<ViewPart> = metas
            .iter()
            .zip(&self.parts)
            .map(|((label, id, error, _), p)| ViewPart {
                label,
                id: id.as_deref(),
                inode: p.inode,
                error: error.as_deref(),
                frame: p.model.history.latest(),
            })
            .collect();
        let spare = self
            .history
            .take_spare()
            .map(TcpList::into_vec)
            .unwrap_or_default();
        let mut frame = merged_view(round.taken_at, &round.hostname, &view, spare);
        share_unchanged(&mut frame, self.history.latest());
        // One tracker for every namespace: socket cookies are unique across
        // namespaces, and the view holds each namespace's shown sockets.
        self.tracker.update(&frame.snapshot);
        let mut set = AlertSet::default();
        for (p, (label, _, _, fresh)) in self.parts.iter_mut().zip(&metas) {
            if *fresh {
                let judged = p.model.alerts.evaluate(&p.model.history, &self.tracker);
                let latest = p.model.history.latest_mut().expect("just pushed");
                latest.alerts = Arc::new(judged);
            }
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
        }
        set.active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.rule.cmp(&b.rule))
                .then(a.target.cmp(&b.target))
        });
        self.history.push(frame);
        let latest = self.history.latest_mut().expect("a frame was just pushed");
        latest.alerts = Arc::new(set);
    }

    /// The newest frame of each namespace of a stream of rounds over
    /// several namespaces, with its own aggregate and alerts, in the newest
    /// round's order; empty for one namespace.
    pub fn namespace_frames(&self) -> impl Iterator<Item = (&str, Option<&Frame>)> {
        self.parts
            .iter()
            .map(|p| (p.label.as_str(), p.model.history.latest()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::snapshot;
    use crate::model::round::Part;

    /// A round over `web` and `db` at `at`, their `InSegs` at `segs`.
    fn round(at: &str, segs: [u64; 2]) -> Round<Frame> {
        let parts = [("web", 11), ("db", 22)]
            .into_iter()
            .zip(segs)
            .map(|((label, inode), segs)| {
                let mut snap = snapshot(at, vec![]);
                snap.netns = label.to_owned();
                snap.counters.insert("InSegs".to_owned(), segs);
                snap.tunables
                    .insert("net.core.somaxconn".to_owned(), "4096".to_owned());
                Part {
                    label: label.to_owned(),
                    id: None,
                    inode,
                    sample: Some(Frame::new(snap)),
                    error: None,
                }
            })
            .collect();
        Round {
            taken_at: at.parse().unwrap(),
            hostname: "h".to_owned(),
            all: true,
            parts,
            unreachable: Vec::new(),
        }
    }

    #[test]
    fn kept_frames_share_the_counters_and_tunables_that_did_not_change() {
        let mut model = Model::new(&ModelLimits::default());
        let first = model.ingest_round(round("2026-12-01T00:00:00Z", [5, 7]));
        let second = model.ingest_round(round("2026-12-01T00:00:01Z", [5, 8]));
        let frames =
            |label: &str| -> Vec<Frame> { model.history_of(label).iter().cloned().collect() };
        let (web, db) = (frames("web"), frames("db"));
        assert_eq!((web.len(), db.len()), (2, 2));
        let same = |a: &Frame, b: &Frame| {
            (
                a.snapshot.counters.same_copy(&b.snapshot.counters),
                a.snapshot.tunables.same_copy(&b.snapshot.tunables),
            )
        };
        assert_eq!(
            same(&web[0], &web[1]),
            (true, true),
            "web's InSegs stayed 5"
        );
        assert_eq!(same(&db[0], &db[1]), (false, true), "db's moved 7 -> 8");
        assert_eq!(
            (
                db[0].snapshot.counters["InSegs"],
                db[1].snapshot.counters["InSegs"]
            ),
            (7, 8)
        );
        let parts = &second.snapshot.netns_parts;
        assert!(parts[0].counters.same_copy(&web[1].snapshot.counters));
        assert!(parts[1].tunables.same_copy(&db[1].snapshot.tunables));
        assert_eq!(
            (
                first.snapshot.counters["InSegs"],
                second.snapshot.counters["InSegs"]
            ),
            (12, 13),
            "the merged view sums them"
        );
        assert!(first.snapshot.tunables.same_copy(&second.snapshot.tunables));
        let json = serde_json::to_value(&*second.snapshot).unwrap();
        assert_eq!(json["netns_parts"][1]["counters"]["InSegs"], 8, "{json}");
        assert_eq!(json["tunables"]["net.core.somaxconn"], "4096");
    }

    #[test]
    fn a_single_namespaces_frames_share_them_too() {
        let mut model = Model::new(&ModelLimits::default());
        let sample = |at: &str| {
            let mut s = snapshot(at, vec![]);
            s.counters.insert("ListenDrops".to_owned(), 3);
            s
        };
        let a = model.ingest(sample("2026-12-01T00:00:00Z"));
        let b = model.ingest(sample("2026-12-01T00:00:01Z"));
        assert!(a.snapshot.counters.same_copy(&b.snapshot.counters));
    }
}
