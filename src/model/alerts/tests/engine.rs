use super::*;
use crate::model::alerts::{Target, TargetKind};

fn full(secs: i64, q: u32) -> Snapshot {
    sample(secs, l8080(q, 128, vec![]), &[])
}

#[test]
fn fires_after_n_resolves_after_m_and_logs_start_and_end() {
    let t = Thresholds {
        fire_after: 2,
        resolve_after: 3,
        ..Thresholds::default()
    };
    let qs = [0, 129, 129, 129, 0, 0, 129, 0, 0, 0, 0];
    let samples = qs
        .iter()
        .enumerate()
        .map(|(i, &q)| full(i as i64, q))
        .collect();
    let (model, frames) = run(&t, samples);
    let active: Vec<usize> = frames.iter().map(|f| f.alerts.active.len()).collect();
    assert_eq!(
        active,
        [0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0],
        "frames carry their own alerts"
    );
    let since = frames[2].alerts.active[0].since;
    assert_eq!(
        since, frames[1].snapshot.taken_at,
        "since = first sample of the run"
    );
    let log: Vec<_> = model.alerts.log().collect();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].alert.since, frames[1].snapshot.taken_at);
    assert_eq!(
        log[0].ended, frames[7].snapshot.taken_at,
        "end = first clear sample"
    );
    assert_eq!(
        log[0].alert.target,
        Target::new(TargetKind::Listener, "127.0.0.1:8080")
    );
}

#[test]
fn severity_follows_the_condition_and_peak_remembers() {
    let t = Thresholds {
        fire_after: 1,
        accept_queue: crate::model::alerts::AcceptQueue {
            near_full_for: std::time::Duration::ZERO,
            ..Default::default()
        },
        ..Thresholds::default()
    };
    let (_, frames) = run(&t, vec![full(0, 129), full(1, 110)]);
    let a = &frames[1].alerts.active[0];
    assert_eq!(
        (a.severity, a.peak),
        (Severity::Warning, Severity::Critical)
    );
}

#[test]
fn disabled_rules_are_not_evaluated() {
    let t = Thresholds {
        fire_after: 1,
        disable: vec!["accept_queue_overflow".into()],
        ..Thresholds::default()
    };
    let (_, frames) = run(&t, vec![full(0, 129)]);
    assert!(frames[0].alerts.active.is_empty());
}

#[test]
fn log_keeps_at_most_log_size() {
    let t = Thresholds {
        fire_after: 1,
        resolve_after: 1,
        log_size: 2,
        ..Thresholds::default()
    };
    let samples = (0..8)
        .map(|i| full(i, if i % 2 == 0 { 129 } else { 0 }))
        .collect();
    let (model, _) = run(&t, samples);
    let starts: Vec<String> = model
        .alerts
        .log()
        .map(|l| l.alert.since.to_string())
        .collect();
    assert_eq!(starts, ["2026-11-24T00:00:04Z", "2026-11-24T00:00:06Z"]);
}

#[test]
fn thresholds_validate_names_the_key() {
    let bad = Thresholds {
        disable: vec!["no_such_rule".into()],
        ..Thresholds::default()
    };
    let err = bad.validate().unwrap_err();
    assert_eq!(err.key, "alerts.disable");
    assert!(err.allowed.contains("close_wait_leak"), "{err:?}");
    let bad = Thresholds {
        time_wait: crate::model::alerts::TimeWait {
            warn_ratio: 1.5,
            critical_ratio: 1.5,
        },
        ..Thresholds::default()
    };
    assert_eq!(
        bad.validate().unwrap_err().key,
        "alerts.time_wait.warn_ratio"
    );
    Thresholds::default().validate().unwrap();
}
