//! The human table of `sockscope snapshot --format text`: totals, then
//! listeners, remotes, UNIX listeners and the overflow counters.

use std::io::{self, Write};

use crate::export::json::{AlertDoc, WatchDoc};
use crate::model::{Aggregate, Snapshot, TcpState};
use crate::sanitize::clean;

/// Kernel counters worth a line in the text report, in this order.
pub const KEY_COUNTERS: [&str; 8] = [
    "ListenOverflows",
    "ListenDrops",
    "TCPReqQFullDrop",
    "TCPReqQFullDoCookies",
    "SyncookiesSent",
    "TCPTimeWaitOverflow",
    "TCPAbortOnData",
    "EstabResets",
];

/// Writes the report of `snapshot` to `out`.
pub fn write(out: &mut dyn Write, snapshot: &Snapshot, agg: &Aggregate) -> io::Result<()> {
    writeln!(
        out,
        "sockscope snapshot  host {}  netns {}  at {}  ({} sockets in {} us)",
        clean(&snapshot.hostname),
        clean(&snapshot.netns),
        snapshot.taken_at,
        snapshot.collector.sockets,
        snapshot.collector.duration_us
    )?;
    let totals: Vec<String> = TcpState::ALL
        .iter()
        .map(|s| format!("{} {}", s.ss_name(), agg.totals[*s]))
        .collect();
    writeln!(out, "TCP  {}", totals.join("  "))?;

    writeln!(out, "\nLISTENERS ({})", agg.listeners.len())?;
    writeln!(
        out,
        "{:<46} {:>15} {:>4} {:>8} {:>8} {:>9} {:>10} {:>8}",
        "LOCAL", "RECV-Q/BACKLOG", "SOCK", "SYN-RECV", "ESTAB", "TIME-WAIT", "CLOSE-WAIT", "OTHER"
    )?;
    for l in &agg.listeners {
        let shown = l.states[TcpState::SynRecv]
            + l.states[TcpState::Established]
            + l.states[TcpState::TimeWait]
            + l.states[TcpState::CloseWait];
        writeln!(
            out,
            "{:<46} {:>15} {:>4} {:>8} {:>8} {:>9} {:>10} {:>8}",
            l.local.to_string(),
            format!("{}/{}", l.accept_queue, l.backlog),
            l.members.len(),
            l.states[TcpState::SynRecv],
            l.states[TcpState::Established],
            l.states[TcpState::TimeWait],
            l.states[TcpState::CloseWait],
            l.sockets() - shown
        )?;
    }

    writeln!(out, "\nREMOTES ({})", agg.remotes.len())?;
    writeln!(
        out,
        "{:<46} {:<40} {:>8} {:>8} {:>9} {:>8} {:>11}",
        "REMOTE", "FROM", "SYN-SENT", "ESTAB", "TIME-WAIT", "OTHER", "LOCAL-PORTS"
    )?;
    let range = snapshot.ephemeral_port_count();
    for r in &agg.remotes {
        let shown = r.states[TcpState::SynSent]
            + r.states[TcpState::Established]
            + r.states[TcpState::TimeWait];
        let ports = match range {
            Some(n) => format!("{}/{}", r.local_ports, n),
            None => r.local_ports.to_string(),
        };
        writeln!(
            out,
            "{:<46} {:<40} {:>8} {:>8} {:>9} {:>8} {:>11}",
            r.remote.to_string(),
            r.local_ip.to_string(),
            r.states[TcpState::SynSent],
            r.states[TcpState::Established],
            r.states[TcpState::TimeWait],
            r.states.total() - shown,
            ports
        )?;
    }

    writeln!(out, "\nUNIX LISTENERS ({})", snapshot.unix_listeners.len())?;
    writeln!(
        out,
        "{:<60} {:>10} {:>15}",
        "PATH", "INODE", "PENDING/BACKLOG"
    )?;
    for u in &snapshot.unix_listeners {
        let path = if u.path.is_empty() {
            "(unnamed)".into()
        } else {
            clean(&u.path)
        };
        writeln!(
            out,
            "{:<60} {:>10} {:>15}",
            path,
            u.inode,
            format!("{}/{}", u.accept_queue, u.backlog)
        )?;
    }

    writeln!(out, "\nCOUNTERS (since boot)")?;
    for name in KEY_COUNTERS {
        match snapshot.counters.get(name) {
            Some(v) => writeln!(out, "  {name:<22} {v}")?,
            None => writeln!(out, "  {name:<22} n/a")?,
        }
    }
    for note in &snapshot.collector.notes {
        writeln!(out, "note: {}", clean(note))?;
    }
    Ok(())
}

/// Writes the alerts section: one line per alert (severity, rule, target,
/// since, and the end for a resolved one) with its message below, then the
/// notes of rules that ran degraded.
pub fn write_alerts(
    out: &mut dyn Write,
    alerts: &[AlertDoc],
    notes: &[String],
    watch: &Option<WatchDoc>,
) -> io::Result<()> {
    match watch {
        Some(w) => writeln!(
            out,
            "\nALERTS that fired during the watch ({}, {} samples from {} to {})",
            alerts.len(),
            w.samples,
            w.from,
            w.to
        )?,
        None => writeln!(out, "\nALERTS ({})", alerts.len())?,
    }
    for a in alerts {
        let ended = match a.ended {
            Some(e) => format!("  resolved {e}"),
            None => String::new(),
        };
        let netns = match &a.target.netns {
            Some(n) => format!(" in {n}"),
            None => String::new(),
        };
        writeln!(
            out,
            "  {:<8} {:<25} {} {}{netns}  since {}{ended}",
            a.severity.name(),
            a.rule.id(),
            a.target.kind.name(),
            clean(&a.target.name),
            a.since
        )?;
        writeln!(out, "           {}", clean(&a.message))?;
    }
    for note in notes {
        writeln!(out, "note: {}", clean(note))?;
    }
    Ok(())
}
