//! Several namespaces in one round (`--all-netns`): each is judged alone,
//! on its own sockets, counters and tunables, and its alerts say which
//! namespace they are about.

use super::*;
use crate::model::{Frame, Part, Round, Target, TargetKind};

/// Namespace `label` at `secs`: a listener on 0.0.0.0:80 with `queue` of
/// backlog 4, `time_wait` TIME_WAIT sockets under `tw_buckets`, and its own
/// `ListenOverflows`.
fn part(
    label: &str,
    inode: u64,
    secs: i64,
    queue: u32,
    time_wait: u64,
    tw_buckets: u64,
    overflows: u64,
) -> Part {
    let mut tcp = vec![listen("0.0.0.0:80", queue, 4, inode * 1000)];
    tcp.extend(conns(
        TcpState::Established,
        "10.0.0.1:80",
        3,
        inode * 1000 + 1,
    ));
    tcp.extend(conns(
        TcpState::TimeWait,
        "10.0.0.1:80",
        time_wait,
        inode * 1000 + 100,
    ));
    let mut part = fresh(
        label,
        inode,
        sample(secs, tcp, &[("ListenOverflows", overflows)]),
    );
    let s = part.sample.as_mut().expect("just collected");
    s.tunables.insert(
        "net.ipv4.tcp_max_tw_buckets".to_owned(),
        tw_buckets.to_string(),
    );
    part
}

/// Namespace `label`'s part with sample `s`, labelled so.
fn fresh(label: &str, inode: u64, mut s: Snapshot) -> Part {
    s.netns = label.to_owned();
    Part {
        label: label.to_owned(),
        id: None,
        inode,
        sample: Some(s),
        error: None,
    }
}

/// The round of `parts` at `at`, each namespace aggregated.
fn merge(at: Timestamp, hostname: &str, parts: Vec<Part>) -> Round<Frame> {
    Round {
        taken_at: at,
        hostname: hostname.to_owned(),
        all: true,
        parts,
        unreachable: Vec::new(),
    }
    .aggregate()
}

fn round(secs: i64, overflows_a: u64, overflows_b: u64) -> Round<Frame> {
    let at = T0.parse::<Timestamp>().unwrap() + SignedDuration::from_secs(secs);
    merge(
        at,
        "test",
        vec![
            // a: full queue 5/4, 4 TIME_WAIT of its own limit 5 (80%).
            part("a", 1, secs, 5, 4, 5, overflows_a),
            // b: healthy, 4 TIME_WAIT of 1000.
            part("b", 2, secs, 0, 4, 1000, overflows_b),
        ],
    )
}

fn one_shot() -> Thresholds {
    Thresholds {
        fire_after: 1,
        ..Thresholds::default()
    }
}

#[test]
fn only_the_namespace_in_trouble_alerts_and_says_so() {
    let mut model = Model::with_thresholds(&ModelLimits::default(), one_shot());
    let frame = model.ingest_round(round(0, 0, 0));
    let got: Vec<(Rule, &Target, &str)> = frame
        .alerts
        .active
        .iter()
        .map(|a| (a.rule, &a.target, a.message.as_str()))
        .collect();
    let queue = Target::listener("0.0.0.0:80".parse().unwrap()).in_netns(Some("a"));
    let tw = Target::new(TargetKind::Namespace, "a").in_netns(Some("a"));
    assert_eq!(
        got.iter().map(|(r, t, _)| (*r, *t)).collect::<Vec<_>>(),
        [
            (Rule::AcceptQueueOverflow, &queue),
            (Rule::TimeWaitPressure, &tw)
        ],
        "{got:#?}"
    );
    assert!(got[0].2.starts_with("a: "), "{}", got[0].2);
    assert_eq!(
        got[1].2, "a: 4 TIME_WAIT sockets, 80% of tcp_max_tw_buckets 5",
        "its own TIME_WAIT against its own limit, not 8 of the merged sample's"
    );
    let b = Target::listener("0.0.0.0:80".parse().unwrap()).in_netns(Some("b"));
    assert_eq!(frame.alerts.about(&b).count(), 0);
}

#[test]
fn overflows_of_one_namespace_are_not_blamed_on_another() {
    let t = Thresholds {
        fire_after: 1,
        disable: vec!["time_wait_pressure".to_owned()],
        ..Thresholds::default()
    };
    let mut model = Model::with_thresholds(&ModelLimits::default(), t);
    model.ingest_round(round(0, 10, 10));
    // b's ListenOverflows rises while only a's queue is full: the drops are
    // b's own and unattributed (no listener of b is full), never a's.
    let frame = model.ingest_round(round(1, 10, 17));
    let got: Vec<_> = frame
        .alerts
        .active
        .iter()
        .map(|a| (a.rule, &a.target, a.message.as_str()))
        .collect();
    let a = Target::listener("0.0.0.0:80".parse().unwrap()).in_netns(Some("a"));
    let b = Target::new(TargetKind::Namespace, "b").in_netns(Some("b"));
    assert_eq!(
        got.iter().map(|(r, t, _)| (*r, *t)).collect::<Vec<_>>(),
        [
            (Rule::AcceptQueueOverflow, &a),
            (Rule::AcceptQueueOverflow, &b)
        ],
        "{got:#?}"
    );
    assert!(!got[0].2.contains("ListenOverflows"), "{}", got[0].2);
    assert!(
        got[1].2.starts_with("b: ListenOverflows rose by 7 "),
        "{}",
        got[1].2
    );
}

#[test]
fn the_same_target_in_two_namespaces_is_two_alerts() {
    let mut model = Model::with_thresholds(&ModelLimits::default(), one_shot());
    let at = T0.parse::<Timestamp>().unwrap();
    let merged = merge(
        at,
        "test",
        vec![
            part("a", 1, 0, 5, 0, 1000, 0),
            part("b", 2, 0, 4, 0, 1000, 0),
        ],
    );
    let frame = model.ingest_round(merged);
    let mut names: Vec<_> = frame
        .alerts
        .active
        .iter()
        .filter(|a| a.rule == Rule::AcceptQueueOverflow)
        .map(|a| (a.target.name.as_str(), a.target.netns.as_deref()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [("0.0.0.0:80", Some("a")), ("0.0.0.0:80", Some("b"))]
    );
}

#[test]
fn resolved_alerts_of_a_namespace_reach_the_log_with_it() {
    let t = Thresholds {
        fire_after: 1,
        resolve_after: 1,
        disable: vec!["time_wait_pressure".to_owned()],
        ..Thresholds::default()
    };
    let mut model = Model::with_thresholds(&ModelLimits::default(), t);
    model.ingest_round(round(0, 0, 0));
    let at = T0.parse::<Timestamp>().unwrap() + SignedDuration::from_secs(1);
    let healthy = merge(
        at,
        "test",
        vec![
            part("a", 1, 1, 0, 0, 1000, 0),
            part("b", 2, 1, 0, 0, 1000, 0),
        ],
    );
    let frame = model.ingest_round(healthy);
    assert!(frame.alerts.active.is_empty(), "{:?}", frame.alerts.active);
    let log: Vec<_> = model.alerts.log().collect();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].alert.target.netns.as_deref(), Some("a"));
    assert_eq!(log[0].ended, at);
}

/// Socket ages come from sightings across rounds (one tracker for every
/// namespace, cookies being unique): A's CLOSE_WAIT sockets, kept past
/// `min_age`, are A's leak; B, on the same address, has none.
#[test]
fn a_close_wait_leak_is_aged_across_rounds_in_its_own_namespace() {
    let mut model = Model::with_thresholds(&ModelLimits::default(), Thresholds::default());
    let mut frame = None;
    for secs in [0, 30, 61, 62, 63] {
        let at = T0.parse::<Timestamp>().unwrap() + SignedDuration::from_secs(secs);
        let ns = |label: &str, inode: u64, tcp| fresh(label, inode, sample(secs, tcp, &[]));
        let mut a = vec![listen("0.0.0.0:80", 0, 128, 1)];
        a.extend(conns(TcpState::CloseWait, "10.0.0.1:80", 12, 100));
        let mut b = vec![listen("0.0.0.0:80", 0, 128, 2)];
        b.extend(conns(TcpState::Established, "10.0.0.1:80", 3, 200));
        frame = Some(model.ingest_round(merge(at, "test", vec![ns("a", 1, a), ns("b", 2, b)])));
    }
    let frame = frame.unwrap();
    let leaks: Vec<_> = frame
        .alerts
        .active
        .iter()
        .filter(|a| a.rule == Rule::CloseWaitLeak)
        .map(|a| (a.target.netns.as_deref(), a.message.as_str()))
        .collect();
    assert_eq!(
        leaks,
        [(
            Some("a"),
            "a: listener 0.0.0.0:80 leaks CLOSE_WAIT: 12 sockets (12 older than 60s), oldest 63s, steady; 12 read EOF but never closed"
        )]
    );
}
