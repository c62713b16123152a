//! Table-driven tests of every rule on synthetic histories, and of the
//! hysteresis and log. One sample per second from `T0` unless a case says
//! otherwise.

mod close_wait;
mod counters;
mod drops;
mod engine;
mod namespaces;
mod ports;
mod queues;

use jiff::{SignedDuration, Timestamp};

use super::{Rule, Severity, Thresholds};
use crate::model::fixtures::{listen, snapshot, sock};
use crate::model::snapshot::{Snapshot, TcpSocket, TcpState};
use crate::model::{Frame, Model, ModelLimits};

const T0: &str = "2026-11-24T00:00:00Z";

/// A snapshot `secs` after `T0` holding `tcp`, with `counters` and the
/// tunables of a small test host (somaxconn 4096, tcp_max_syn_backlog 512,
/// tcp_max_tw_buckets 1000, a 100-port ip_local_port_range).
fn sample(secs: i64, tcp: Vec<TcpSocket>, counters: &[(&str, u64)]) -> Snapshot {
    let mut s = snapshot(T0, tcp);
    s.taken_at = T0.parse::<Timestamp>().unwrap() + SignedDuration::from_secs(secs);
    for (name, value) in counters {
        s.counters.insert((*name).to_owned(), *value);
    }
    for (name, value) in [
        ("net.core.somaxconn", "4096"),
        ("net.ipv4.tcp_max_syn_backlog", "512"),
        ("net.ipv4.tcp_max_tw_buckets", "1000"),
        ("net.ipv4.ip_local_port_range", "40000 40099"),
    ] {
        s.tunables.insert(name.to_owned(), value.to_owned());
    }
    s
}

/// `n` sockets in `state` on listener port `local` from distinct client
/// ports, cookies starting at `first_cookie`.
fn conns(state: TcpState, local: &str, n: u64, first_cookie: u64) -> Vec<TcpSocket> {
    (0..n)
        .map(|i| {
            let c = first_cookie + i;
            sock(state, local, &format!("10.0.0.9:{}", 20000 + c % 40000), c)
        })
        .collect()
}

/// Feeds `samples` through a model with `t` and returns every frame.
fn run(t: &Thresholds, samples: Vec<Snapshot>) -> (Model, Vec<Frame>) {
    let mut model = Model::with_thresholds(&ModelLimits::default(), t.clone());
    let frames = samples.into_iter().map(|s| model.ingest(s)).collect();
    (model, frames)
}

/// One case: samples in, the alerts of `rule` active at the last sample out.
struct Case {
    name: &'static str,
    samples: Vec<Snapshot>,
    /// (target name, severity) of each active alert of the rule, sorted as the engine sorts.
    want: Vec<(&'static str, Severity)>,
    /// Exact message of the first alert, when the case checks it.
    message: Option<&'static str>,
}

/// (target name, severity) of the alerts of `rule` active at `frame`.
fn active(frame: &Frame, rule: Rule) -> Vec<(&str, Severity)> {
    frame
        .alerts
        .active
        .iter()
        .filter(|a| a.rule == rule)
        .map(|a| (a.target.name.as_str(), a.severity))
        .collect()
}

fn check(rule: Rule, t: &Thresholds, cases: Vec<Case>) {
    for case in cases {
        let (_, frames) = run(t, case.samples);
        let last = frames.last().expect("cases have samples");
        let got = active(last, rule);
        assert_eq!(got, case.want, "{}", case.name);
        if let Some(want) = case.message {
            let first = last.alerts.active.iter().find(|a| a.rule == rule).unwrap();
            assert_eq!(first.message, want, "{}", case.name);
        }
    }
}

/// A listener on 127.0.0.1:8080 with `queue` of `backlog`, plus `extra` sockets.
fn l8080(queue: u32, backlog: u32, extra: Vec<TcpSocket>) -> Vec<TcpSocket> {
    let mut tcp = vec![listen("127.0.0.1:8080", queue, backlog, 1)];
    tcp.extend(extra);
    tcp
}
