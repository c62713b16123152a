//! The metric families of one scrape, built from collected snapshots.
//!
//! Cardinality is bounded: one series set per listener for the top
//! `max_listeners` listeners by activity (accept queue plus connections),
//! the rest summed under `local="other"`; UNIX listeners likewise under
//! `path="other"`; never a series per connection.

use std::time::Duration;

use super::Family;
use crate::model::alerts::Alert;
use crate::model::{Aggregate, Listener, Snapshot, StateCounts, TcpState, UnixListener};

/// Kernel counters exported as Prometheus counters: (family name,
/// `/proc/net/netstat` `TcpExt` or `/proc/net/snmp` `Tcp` field, help).
pub const KERNEL_COUNTERS: [(&str, &str, &str); 12] = [
    (
        "sockscope_listen_overflows",
        "ListenOverflows",
        "SYNs and final handshake ACKs that found a listener's accept queue full and were dropped (TcpExt ListenOverflows), since boot.",
    ),
    (
        "sockscope_listen_drops",
        "ListenDrops",
        "SYNs and completed handshakes dropped by listeners for any reason (TcpExt ListenDrops), since boot.",
    ),
    (
        "sockscope_reqq_full_drops",
        "TCPReqQFullDrop",
        "SYNs dropped because the SYN queue was full and syncookies were off (TcpExt TCPReqQFullDrop), since boot.",
    ),
    (
        "sockscope_reqq_full_cookies",
        "TCPReqQFullDoCookies",
        "SYNs answered with a syncookie because the SYN queue was full (TcpExt TCPReqQFullDoCookies), since boot.",
    ),
    (
        "sockscope_syncookies_sent",
        "SyncookiesSent",
        "Syncookies sent (TcpExt SyncookiesSent), since boot.",
    ),
    (
        "sockscope_syncookies_received",
        "SyncookiesRecv",
        "Valid syncookies received (TcpExt SyncookiesRecv), since boot.",
    ),
    (
        "sockscope_syncookies_failed",
        "SyncookiesFailed",
        "Invalid syncookies received (TcpExt SyncookiesFailed), since boot.",
    ),
    (
        "sockscope_time_wait_overflows",
        "TCPTimeWaitOverflow",
        "Sockets closed without TIME_WAIT because tcp_max_tw_buckets was reached (TcpExt TCPTimeWaitOverflow), since boot.",
    ),
    (
        "sockscope_time_wait_expired",
        "TW",
        "TIME_WAIT sockets that finished their time (TcpExt TW), since boot.",
    ),
    (
        "sockscope_aborts_on_data",
        "TCPAbortOnData",
        "Connections reset because data arrived after close (TcpExt TCPAbortOnData), since boot.",
    ),
    (
        "sockscope_aborts_on_close",
        "TCPAbortOnClose",
        "Connections reset because the application closed with unread data (TcpExt TCPAbortOnClose), since boot.",
    ),
    (
        "sockscope_established_resets",
        "EstabResets",
        "Resets of ESTABLISHED or CLOSE_WAIT connections (Tcp EstabResets), since boot.",
    ),
];

/// Numeric tunables exported as gauges: (family name, sysctl, help).
const TUNABLES: [(&str, &str, &str); 3] = [
    (
        "sockscope_somaxconn",
        "net.core.somaxconn",
        "Upper limit of a listen() backlog (sysctl net.core.somaxconn), connections.",
    ),
    (
        "sockscope_tcp_max_syn_backlog",
        "net.ipv4.tcp_max_syn_backlog",
        "Limit of half-open handshakes per listener (sysctl net.ipv4.tcp_max_syn_backlog), connections.",
    ),
    (
        "sockscope_tcp_max_tw_buckets",
        "net.ipv4.tcp_max_tw_buckets",
        "Limit of TIME_WAIT sockets (sysctl net.ipv4.tcp_max_tw_buckets), sockets.",
    ),
];

/// How many listeners get series of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// TCP listeners (and, separately, UNIX listeners) with their own series;
    /// the rest are summed under `local="other"` (`path="other"`).
    pub max_listeners: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_listeners: 500 }
    }
}

/// One network namespace of a scrape.
#[derive(Clone, Copy, Debug)]
pub struct ScrapeInput<'a> {
    /// Namespace label (`netns`).
    pub netns: &'a str,
    /// The collected sample, or `None` when collection failed (`sockscope_up 0`).
    pub sample: Option<(&'a Snapshot, &'a Aggregate)>,
}

/// Alerts active at a sample, with the `netns` label they are reported under
/// (the model's namespace label; `all` for a merged `--all-netns` sample).
#[derive(Clone, Copy, Debug)]
pub struct AlertInput<'a> {
    /// Namespace label.
    pub netns: &'a str,
    /// The active alerts.
    pub alerts: &'a [Alert],
}

/// The exporter's own counters (absent from one-shot snapshot output).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExporterStats {
    /// Collections run since the exporter started.
    pub collections: u64,
    /// Collections that failed.
    pub errors: u64,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn lbl(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

/// A listener's figures, or the sum of those past the limit.
struct Row<'a> {
    netns: &'a str,
    local: String,
    process: String,
    accept_queue: u64,
    backlog: u64,
    members: u64,
    states: StateCounts,
    /// Sum of the members' `sk_drops`; `None` when any lacks drop data.
    drops: Option<u64>,
    /// The fullest member's fill (the largest of the rows summed).
    fill: f64,
    full_members: u64,
}

impl<'a> Row<'a> {
    fn of(netns: &'a str, snapshot: &Snapshot, l: &Listener) -> Row<'a> {
        Row {
            netns,
            local: l.local.to_string(),
            process: process_label(snapshot, &l.processes),
            accept_queue: l.accept_queue,
            backlog: l.backlog,
            members: l.members.len() as u64,
            states: l.states,
            drops: l.drops(),
            fill: l.fill(),
            full_members: l.full_members() as u64,
        }
    }

    fn absorb(&mut self, l: &Listener) {
        self.drops = self.drops.zip(l.drops()).map(|(a, b)| a + b);
        self.fill = self.fill.max(l.fill());
        self.full_members += l.full_members() as u64;
        self.accept_queue += l.accept_queue;
        self.backlog += l.backlog;
        self.members += l.members.len() as u64;
        self.states.merge(&l.states);
    }
}

/// The `process` label of a listener or remote: the command names of its owning
/// processes (`nginx`, or `haproxy,nginx` when different programs share it),
/// without pids so that a restart keeps the series; empty when unknown.
pub(super) fn process_label(snapshot: &Snapshot, owners: &[u32]) -> String {
    let mut names: Vec<&str> = owners
        .iter()
        .filter_map(|&i| snapshot.processes.get(i))
        .map(|p| p.comm.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(",")
}

/// Keeps the `max` most active items (by `activity`, most first, ties in
/// input order) and returns them with the rest.
fn top<T>(mut items: Vec<T>, max: usize, activity: impl Fn(&T) -> u64) -> (Vec<T>, Vec<T>) {
    items.sort_by_key(|t| std::cmp::Reverse(activity(t)));
    let rest = items.split_off(max.min(items.len()));
    (items, rest)
}

fn tcp_listener_rows<'a>(inputs: &[ScrapeInput<'a>], limits: Limits) -> Vec<Row<'a>> {
    let all: Vec<(&'a str, &'a Snapshot, &'a Listener)> = inputs
        .iter()
        .filter_map(|i| i.sample.map(|(snap, agg)| (i.netns, snap, agg)))
        .flat_map(|(ns, snap, agg)| agg.listeners.iter().map(move |l| (ns, snap, l)))
        .collect();
    let (kept, rest) = top(all, limits.max_listeners, |(_, _, l)| {
        l.accept_queue + l.sockets()
    });
    let mut rows: Vec<Row> = kept
        .iter()
        .map(|(ns, snap, l)| Row::of(ns, snap, l))
        .collect();
    let mut others: Vec<Row> = Vec::new();
    for (ns, snap, l) in rest {
        match others.iter_mut().find(|r| r.netns == ns) {
            Some(r) => r.absorb(l),
            None => {
                let mut r = Row::of(ns, snap, l);
                r.local = "other".to_owned();
                r.process = String::new();
                others.push(r);
            }
        }
    }
    rows.extend(others);
    rows
}

fn unix_rows<'a>(inputs: &[ScrapeInput<'a>], limits: Limits) -> Vec<(&'a str, UnixListener)> {
    let all: Vec<(&'a str, &'a UnixListener)> = inputs
        .iter()
        .filter_map(|i| i.sample.map(|(snap, _)| (i.netns, snap)))
        .flat_map(|(ns, snap)| snap.unix_listeners.iter().map(move |u| (ns, u)))
        .collect();
    let (kept, rest) = top(all, limits.max_listeners, |(_, u)| {
        u64::from(u.accept_queue)
    });
    let mut rows: Vec<(&str, UnixListener)> =
        kept.into_iter().map(|(ns, u)| (ns, u.clone())).collect();
    let first_other = rows.len();
    for (ns, u) in rest {
        match rows[first_other..].iter_mut().find(|(n, _)| *n == ns) {
            Some((_, o)) => {
                o.accept_queue += u.accept_queue;
                o.backlog += u.backlog;
            }
            None => rows.push((
                ns,
                UnixListener {
                    path: "other".to_owned(),
                    ..u.clone()
                },
            )),
        }
    }
    rows
}

/// Builds every family of one scrape over `inputs` (one per namespace).
/// `stats` adds the exporter's own counters (`serve`); one-shot output passes `None`.
pub fn families(
    inputs: &[ScrapeInput],
    alerts: &[AlertInput],
    stats: Option<ExporterStats>,
    limits: Limits,
) -> Vec<Family> {
    let mut out = Vec::new();

    let mut up = Family::gauge(
        "sockscope_up",
        "1 when the namespace was collected on this scrape, 0 when collection failed (namespace gone, permission).",
    );
    for i in inputs {
        up.push(
            lbl(&[("netns", i.netns)]),
            if i.sample.is_some() { 1.0 } else { 0.0 },
        );
    }
    out.push(up);

    if let Some(stats) = stats {
        let mut c = Family::counter(
            "sockscope_collections",
            "Collections run by this exporter since it started (concurrent scrapes share one).",
        );
        c.push(vec![], stats.collections as f64);
        out.push(c);
        let mut e = Family::counter(
            "sockscope_collection_errors",
            "Collections that failed since the exporter started.",
        );
        e.push(vec![], stats.errors as f64);
        out.push(e);
    }

    let samples: Vec<(&str, &Snapshot, &Aggregate)> = inputs
        .iter()
        .filter_map(|i| i.sample.map(|(s, a)| (i.netns, s, a)))
        .collect();

    let per_ns = |family: Family, value: &dyn Fn(&Snapshot, &Aggregate) -> Option<f64>| {
        let mut family = family;
        for (ns, snap, agg) in &samples {
            if let Some(v) = value(snap, agg) {
                family.push(lbl(&[("netns", ns)]), v);
            }
        }
        family
    };
    out.push(per_ns(
        Family::gauge(
            "sockscope_collection_duration_seconds",
            "Wall time of the last collection of the namespace, seconds.",
        ),
        &|s, _| Some(secs(Duration::from_micros(s.collector.duration_us))),
    ));
    out.push(per_ns(
        Family::gauge(
            "sockscope_states_age_seconds",
            "How much older the namespace's TCP states (and every figure built from them) are than its queues, seconds: 0 after a full dump and when its sockstat and segment counters prove them unchanged since the last one, else the age of that one (--full-dump-budget).",
        ),
        &|s, _| s.collector.tiers.map(|t| t.states_age_ms as f64 / 1000.0),
    ));
    out.push(per_ns(
        Family::gauge(
            "sockscope_collected_sockets",
            "TCP sockets in the last collection of the namespace (all families and states).",
        ),
        &|s, _| Some(s.collector.sockets as f64),
    ));
    let mut totals = Family::gauge(
        "sockscope_tcp_sockets",
        "TCP sockets of the namespace by state, LISTEN included (what `ss -tan` counts).",
    );
    for (ns, _, agg) in &samples {
        for state in TcpState::ALL {
            let l = lbl(&[("netns", ns), ("state", state.key())]);
            totals.push(l, agg.totals[state] as f64);
        }
    }
    out.push(totals);
    out.push(per_ns(
        Family::gauge(
            "sockscope_listeners",
            "TCP listeners (distinct bound address:port) of the namespace.",
        ),
        &|_, a| Some(a.listeners.len() as f64),
    ));

    let mut queue = Family::gauge(
        "sockscope_listener_accept_queue",
        "Connections waiting in the listener's accept queue (Recv-Q of LISTEN, summed over SO_REUSEPORT members).",
    );
    let mut backlog = Family::gauge(
        "sockscope_listener_backlog",
        "Accept queue limit of the listener (Send-Q of LISTEN: the listen() backlog capped by somaxconn, summed over members).",
    );
    let mut members = Family::gauge(
        "sockscope_listener_members",
        "LISTEN sockets bound to the listener's address:port (more than one with SO_REUSEPORT).",
    );
    let mut drops = Family::counter(
        "sockscope_listener_drops",
        "Connections and SYNs dropped at the listener (sk_drops of each LISTEN socket, ss -tlnm's d, summed over SO_REUSEPORT members): accept-queue overflows, SYN drops, and segments a socket filter, MD5 or XFRM check dropped. It restarts from 0 when a listener closes; use rate() or increase().",
    );
    let mut fill = Family::gauge(
        "sockscope_listener_accept_queue_fill_ratio",
        "Accept-queue fill of the listener's fullest LISTEN socket (its Recv-Q / Send-Q; above 1 when the queue reached backlog + 1).",
    );
    let mut full = Family::gauge(
        "sockscope_listener_full_members",
        "LISTEN sockets of the listener whose accept queue is at or over their backlog.",
    );
    let mut conns = Family::gauge(
        "sockscope_listener_connections",
        "Connections of the listener (local address:port matches) by state.",
    );
    for r in tcp_listener_rows(inputs, limits) {
        let mut base = vec![
            ("netns", r.netns),
            ("proto", "tcp"),
            ("local", r.local.as_str()),
        ];
        if !r.process.is_empty() {
            base.push(("process", r.process.as_str()));
        }
        queue.push(lbl(&base), r.accept_queue as f64);
        backlog.push(lbl(&base), r.backlog as f64);
        members.push(lbl(&base), r.members as f64);
        if let Some(d) = r.drops {
            drops.push(lbl(&base), d as f64);
        }
        fill.push(lbl(&base), r.fill);
        full.push(lbl(&base), r.full_members as f64);
        for state in TcpState::ALL
            .into_iter()
            .filter(|s| !matches!(s, TcpState::Listen | TcpState::SynSent))
        {
            let mut l = lbl(&base);
            l.push(("state", state.key().to_owned()));
            conns.push(l, r.states[state] as f64);
        }
    }
    out.extend([queue, backlog, members, drops, fill, full, conns]);

    let mut uq = Family::gauge(
        "sockscope_unix_listener_accept_queue",
        "Connections waiting in a UNIX listener's accept queue (unix_diag RQLEN rqueue).",
    );
    let mut ub = Family::gauge(
        "sockscope_unix_listener_backlog",
        "Accept queue limit of a UNIX listener (unix_diag RQLEN wqueue).",
    );
    for (ns, u) in unix_rows(inputs, limits) {
        let kind = match u.kind {
            crate::model::UnixKind::Stream => "stream",
            crate::model::UnixKind::Seqpacket => "seqpacket",
        };
        let l = lbl(&[("netns", ns), ("path", u.path.as_str()), ("kind", kind)]);
        uq.push(l.clone(), f64::from(u.accept_queue));
        ub.push(l, f64::from(u.backlog));
    }
    out.extend([uq, ub]);
    out.extend(super::remotes::families(&samples));

    for (name, field, help) in KERNEL_COUNTERS {
        let value = |s: &Snapshot, _: &Aggregate| s.counters.get(field).map(|v| *v as f64);
        out.push(per_ns(Family::counter(name, help), &value));
    }
    for (name, sysctl, help) in TUNABLES {
        let value = |s: &Snapshot, _: &Aggregate| s.tunable_u64(sysctl).map(|v| v as f64);
        out.push(per_ns(Family::gauge(name, help), &value));
    }
    out.push(per_ns(
        Family::gauge(
            "sockscope_ephemeral_ports",
            "Size of the ephemeral port range (sysctl net.ipv4.ip_local_port_range), ports.",
        ),
        &|s, _| s.ephemeral_port_count().map(|v| v as f64),
    ));

    let mut alert = Family::gauge(
        "sockscope_alert",
        "1 for each active sockscope alert, by rule, severity and target.",
    );
    for i in alerts {
        let mut seen = std::collections::BTreeSet::new();
        for a in i.alerts {
            // An alert of one namespace of several names its own.
            let netns = a.target.netns.as_deref().unwrap_or(i.netns);
            let key = (
                netns,
                a.rule.id(),
                a.severity.name(),
                a.target.name.as_str(),
            );
            if seen.insert(key) {
                let l = [
                    ("netns", key.0),
                    ("rule", key.1),
                    ("severity", key.2),
                    ("target", key.3),
                ];
                alert.push(lbl(&l), 1.0);
            }
        }
    }
    out.push(alert);
    out
}
