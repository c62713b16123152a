//! `sockscope snapshot --watch`: samples for a while through the model and
//! collects every alert that fired, for scripts and cron.

use std::time::{Duration, Instant};

use crate::collector::Source;
use crate::config::Config;
use crate::export::json::{AlertDoc, WatchDoc};
use crate::model::{Frame, Model, ModelLimits, Tracker};

/// What a snapshot run reports: the last frame and the alerts to show with it.
pub struct Report {
    /// The last sample.
    pub frame: Frame,
    /// Active alerts (single snapshot), or every alert that fired (watch).
    pub alerts: Vec<AlertDoc>,
    /// How the watch sampled; `None` for a single snapshot.
    pub watch: Option<WatchDoc>,
    /// The model's socket ages at the last frame.
    pub tracker: Tracker,
}

impl Report {
    /// The report of one sample: the alerts active at it, with the
    /// model's socket ages.
    pub fn single(frame: Frame, tracker: Tracker) -> Report {
        let alerts = frame.alerts.active.iter().map(AlertDoc::from).collect();
        Report {
            frame,
            alerts,
            watch: None,
            tracker,
        }
    }
}

/// Samples `source` every `interval` for `duration` (the first sample at
/// once, the last no later than `duration` after it), through a model with
/// the configured thresholds. The alerts are those resolved during the
/// watch (with `ended`), then those still active at the end.
pub fn watch(
    source: &mut dyn Source,
    config: &Config,
    duration: Duration,
    interval: Duration,
) -> anyhow::Result<Report> {
    let limits = ModelLimits {
        history: config.dashboard.history.max(config.alerts.window),
        ..ModelLimits::default()
    };
    let mut model = Model::with_thresholds(&limits, config.alerts.clone());
    let started = Instant::now();
    let mut samples = 0u32;
    let mut first = None;
    let frame = loop {
        let frame = model.ingest(source.collect()?);
        samples += 1;
        first.get_or_insert(frame.snapshot.taken_at);
        let next = started + interval * samples;
        if next > started + duration {
            break frame;
        }
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    };
    let mut alerts: Vec<AlertDoc> = model.alerts.log().map(AlertDoc::from).collect();
    alerts.extend(frame.alerts.active.iter().map(AlertDoc::from));
    let watch = WatchDoc {
        from: first.unwrap_or(frame.snapshot.taken_at),
        to: frame.snapshot.taken_at,
        samples: u64::from(samples),
        interval_ms: interval.as_millis() as u64,
    };
    Ok(Report {
        frame,
        alerts,
        watch: Some(watch),
        tracker: model.tracker,
    })
}
