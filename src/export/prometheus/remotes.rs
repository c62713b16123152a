//! The remotes' series: outbound connections by destination, state and
//! owning program, for the busiest [`MAX_REMOTES`] destinations of each
//! namespace (the rest are summed under `remote="other"`), so a client-side
//! CLOSE_WAIT leak or a port-hungry pool shows with its program.

use super::Family;
use super::families::process_label;
use crate::model::{Aggregate, Remote, Snapshot, StateCounts, TcpState};

/// Destinations of one namespace with series of their own.
pub const MAX_REMOTES: usize = 50;

/// A remote's figures, or the sum of those past the limit.
struct Row {
    remote: String,
    local: String,
    process: String,
    states: StateCounts,
    local_ports: u64,
}

impl Row {
    fn of(snapshot: &Snapshot, r: &Remote) -> Row {
        Row {
            remote: r.remote.to_string(),
            local: r.local_ip.to_string(),
            process: process_label(snapshot, &r.processes),
            states: r.states,
            local_ports: r.local_ports,
        }
    }
}

/// The rows of one namespace: remotes come most sockets first.
fn rows(snapshot: &Snapshot, agg: &Aggregate) -> Vec<Row> {
    let mut rows: Vec<Row> = agg
        .remotes
        .iter()
        .take(MAX_REMOTES)
        .map(|r| Row::of(snapshot, r))
        .collect();
    let mut rest = agg.remotes.iter().skip(MAX_REMOTES).peekable();
    if rest.peek().is_some() {
        let mut other = Row {
            remote: "other".to_owned(),
            local: "other".to_owned(),
            process: String::new(),
            states: StateCounts::default(),
            local_ports: 0,
        };
        for r in rest {
            other.states.merge(&r.states);
            other.local_ports += r.local_ports;
        }
        rows.push(other);
    }
    rows
}

/// `sockscope_remote_connections` and `sockscope_remote_local_ports` of
/// every collected namespace in `samples`.
pub fn families(samples: &[(&str, &Snapshot, &Aggregate)]) -> [Family; 2] {
    let mut conns = Family::gauge(
        "sockscope_remote_connections",
        "Sockets of no listener (outbound connections) by destination, local address, owning program and state.",
    );
    let mut ports = Family::gauge(
        "sockscope_remote_local_ports",
        "Distinct local ports in use toward the destination from the local address.",
    );
    for (ns, snap, agg) in samples {
        for r in rows(snap, agg) {
            let mut base: Vec<(&'static str, String)> = vec![
                ("netns", (*ns).to_owned()),
                ("remote", r.remote.clone()),
                ("local", r.local.clone()),
            ];
            if !r.process.is_empty() {
                base.push(("process", r.process.clone()));
            }
            ports.push(base.clone(), r.local_ports as f64);
            for state in TcpState::ALL.into_iter().filter(|s| *s != TcpState::Listen) {
                let mut l = base.clone();
                l.push(("state", state.key().to_owned()));
                conns.push(l, r.states[state] as f64);
            }
        }
    }
    [conns, ports]
}
