//! Hysteresis and the alert log: turns each sample's findings into alerts
//! that fire after `fire_after` samples and resolve after `resolve_after`.

use std::collections::{HashMap, VecDeque};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    Alert, AlertSet, Finding, Rule, Target, Thresholds, close_wait, counters, drops, ports, queues,
};
use crate::model::history::{Frame, History};
use crate::model::tracker::Tracker;

/// What every rule reads: the history (its newest frame is the sample being
/// evaluated), the socket ages and the thresholds.
pub(super) struct Ctx<'a> {
    /// Kept frames; `latest` is the newest.
    pub history: &'a History,
    /// First-seen times of the newest frame's sockets.
    pub tracker: &'a Tracker,
    /// The thresholds.
    pub t: &'a Thresholds,
    /// The sample being evaluated.
    pub latest: &'a Frame,
    /// Drop attribution of the sample being evaluated.
    pub overflow: Option<&'a super::Overflow>,
}

impl Ctx<'_> {
    /// The newest sample's timestamp.
    pub fn now(&self) -> Timestamp {
        self.latest.snapshot.taken_at
    }

    /// Frames taken within `window` before the newest, oldest first (the
    /// newest included).
    pub fn window(&self) -> impl DoubleEndedIterator<Item = &Frame> {
        let now = self.now();
        let span =
            jiff::SignedDuration::try_from(self.t.window).unwrap_or(jiff::SignedDuration::MAX);
        let skip = self
            .history
            .iter()
            .take_while(|f| now.duration_since(f.snapshot.taken_at) > span)
            .count();
        self.history.iter().skip(skip)
    }

    /// Increase of kernel counter `name` over the window: the sum of the
    /// rises between consecutive samples whose later sample is in the window
    /// (a counter that goes down, as after a namespace reset, adds nothing).
    /// `None` when the newest sample lacks the counter.
    pub fn increase(&self, name: &str) -> Option<u64> {
        self.latest.snapshot.counters.get(name)?;
        let now = self.now();
        let span =
            jiff::SignedDuration::try_from(self.t.window).unwrap_or(jiff::SignedDuration::MAX);
        let frames: Vec<&Frame> = self.history.iter().collect();
        let mut total = 0;
        for pair in frames.windows(2) {
            if now.duration_since(pair[1].snapshot.taken_at) > span {
                continue;
            }
            let a = pair[0].snapshot.counters.get(name);
            let b = pair[1].snapshot.counters.get(name);
            if let (Some(a), Some(b)) = (a, b) {
                total += b.saturating_sub(*a);
            }
        }
        Some(total)
    }

    /// The overflow attributions of the window, the newest sample's included.
    pub fn overflows(&self) -> impl Iterator<Item = &super::Overflow> {
        // The newest frame's own set is still empty while it is evaluated.
        let older = self.window().filter_map(|f| f.alerts.overflow.as_ref());
        older.chain(self.overflow)
    }
}

/// A resolved alert in the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedAlert {
    /// The alert as it was last active.
    pub alert: Alert,
    /// Timestamp of the first sample at which its condition no longer held.
    pub ended: Timestamp,
}

#[derive(Clone, Debug)]
struct Track {
    first_held: Timestamp,
    held: u32,
    clear: u32,
    cleared_at: Option<Timestamp>,
    active: Option<Alert>,
}

/// The rules' running state: per (rule, target) hysteresis counters, the
/// active alerts and the log of resolved ones.
#[derive(Clone, Debug, Default)]
pub struct AlertEngine {
    thresholds: Thresholds,
    tracks: HashMap<(Rule, Target), Track>,
    log: VecDeque<LoggedAlert>,
}

impl AlertEngine {
    /// An engine with `thresholds` (assumed validated).
    pub fn new(thresholds: Thresholds) -> AlertEngine {
        AlertEngine {
            thresholds,
            tracks: HashMap::new(),
            log: VecDeque::new(),
        }
    }

    /// The thresholds in use.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Resolved alerts, oldest first.
    pub fn log(&self) -> impl DoubleEndedIterator<Item = &LoggedAlert> + ExactSizeIterator {
        self.log.iter()
    }

    /// Takes the resolved alerts out of the log, oldest first.
    pub fn take_log(&mut self) -> Vec<LoggedAlert> {
        self.log.drain(..).collect()
    }

    /// Appends resolved alerts (another engine's, see [`AlertEngine::take_log`])
    /// to the log, dropping the oldest beyond `log_size`.
    pub fn extend_log(&mut self, resolved: impl IntoIterator<Item = LoggedAlert>) {
        self.log.extend(resolved);
        while self.log.len() > self.thresholds.log_size {
            self.log.pop_front();
        }
    }

    /// Evaluates the newest frame of `history` (already pushed) and returns
    /// what its frame should carry.
    pub fn evaluate(&mut self, history: &History, tracker: &Tracker) -> AlertSet {
        let Some(latest) = history.latest() else {
            return AlertSet::default();
        };
        let mut notes = Vec::new();
        let overflow = drops::attribute(history, &self.thresholds, &mut notes);
        let ctx = Ctx {
            history,
            tracker,
            t: &self.thresholds,
            latest,
            overflow: overflow.as_ref(),
        };
        let mut findings = Vec::new();
        for rule in Rule::ALL {
            if !ctx.t.enabled(rule) {
                continue;
            }
            let found = match rule {
                Rule::AcceptQueueOverflow => queues::accept_queue_overflow(&ctx),
                Rule::SynBacklog => queues::syn_backlog(&ctx, &mut notes),
                Rule::SynFlood => counters::syn_flood(&ctx, &mut notes),
                Rule::CloseWaitLeak => close_wait::close_wait_leak(&ctx),
                Rule::TimeWaitPressure => counters::time_wait_pressure(&ctx, &mut notes),
                Rule::EphemeralPortExhaustion => ports::ephemeral_port_exhaustion(&ctx, &mut notes),
                Rule::BacklogClamped => queues::backlog_clamped(&ctx, &mut notes),
            };
            findings.extend(found);
        }
        let now = ctx.now();
        let active = self.step(now, findings);
        AlertSet {
            active,
            notes,
            overflow,
        }
    }

    /// Applies hysteresis to one sample's findings; returns the active alerts.
    fn step(&mut self, now: Timestamp, findings: Vec<Finding>) -> Vec<Alert> {
        let (fire_after, resolve_after) =
            (self.thresholds.fire_after, self.thresholds.resolve_after);
        let mut seen = std::collections::HashSet::new();
        for f in findings {
            let key = (f.rule, f.target.clone());
            if !seen.insert(key.clone()) {
                continue;
            }
            let track = self.tracks.entry(key).or_insert(Track {
                first_held: now,
                held: 0,
                clear: 0,
                cleared_at: None,
                active: None,
            });
            if track.held == 0 && track.active.is_none() {
                track.first_held = now;
            }
            track.held += 1;
            track.clear = 0;
            track.cleared_at = None;
            match &mut track.active {
                Some(a) => {
                    a.severity = f.severity;
                    a.peak = a.peak.max(f.severity);
                    a.message = f.message;
                }
                None if track.held >= fire_after => {
                    track.active = Some(Alert {
                        rule: f.rule,
                        severity: f.severity,
                        peak: f.severity,
                        target: f.target,
                        message: f.message,
                        since: track.first_held,
                    });
                }
                None => {}
            }
        }
        let mut resolved = Vec::new();
        self.tracks.retain(|key, track| {
            if seen.contains(key) {
                return true;
            }
            track.held = 0;
            let Some(alert) = &track.active else {
                return false;
            };
            track.clear += 1;
            let ended = *track.cleared_at.get_or_insert(now);
            if track.clear < resolve_after {
                return true;
            }
            resolved.push(LoggedAlert {
                alert: alert.clone(),
                ended,
            });
            false
        });
        resolved.sort_by(|a, b| {
            (a.alert.since, a.alert.rule, &a.alert.target).cmp(&(
                b.alert.since,
                b.alert.rule,
                &b.alert.target,
            ))
        });
        self.extend_log(resolved);
        let mut active: Vec<Alert> = self
            .tracks
            .values()
            .filter_map(|t| t.active.clone())
            .collect();
        active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.rule.cmp(&b.rule))
                .then(a.target.cmp(&b.target))
        });
        active
    }
}
