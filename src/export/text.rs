//! The human report of `sockscope snapshot --format text`: totals, the
//! alerts with what to do, then listeners (trouble first, marked like the
//! dashboard's rows), remotes, UNIX listeners, the overflow counters and,
//! with `--sockets`, every TCP socket in `ss -tan`'s columns.

use std::io::{self, Write};

use crate::export::json::{AlertDoc, WatchDoc};
use crate::export::sockets::SocketDoc;
use jiff::SignedDuration;

use crate::model::alerts::human_duration;
use crate::model::{AgeSource, Aggregate, Severity, Snapshot, Target, TargetKind, TcpState, Timer};
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

/// What the text report shows besides the sample.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extras<'a> {
    /// The alerts to list and to mark rows with (those active at the
    /// sample; every one that fired for `--watch`).
    pub alerts: &'a [AlertDoc],
    /// Rules that ran degraded, one sentence each.
    pub notes: &'a [String],
    /// How `--watch` sampled; `None` for one sample.
    pub watch: Option<&'a WatchDoc>,
    /// Every TCP socket (`--sockets`), for the SOCKETS section.
    pub sockets: Option<&'a [SocketDoc]>,
}

/// A table whose columns are as wide as their widest cell.
struct Table {
    /// Header titles; a title starting with `>` is right-aligned (the `>`
    /// is not shown).
    heads: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(heads: &[&'static str]) -> Table {
        Table {
            heads: heads.to_vec(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Writes the header and the rows; nothing when there are no rows.
    fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let titles: Vec<&str> = self
            .heads
            .iter()
            .map(|h| h.trim_start_matches('>'))
            .collect();
        let widths: Vec<usize> = titles
            .iter()
            .enumerate()
            .map(|(i, t)| {
                self.rows
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([t.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[&str]| {
            let mut s = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths[i] - cell.chars().count();
                if i > 0 {
                    s.push(' ');
                }
                if self.heads[i].starts_with('>') {
                    s.extend(std::iter::repeat_n(' ', pad));
                    s.push_str(cell);
                } else {
                    s.push_str(cell);
                    s.extend(std::iter::repeat_n(' ', pad));
                }
            }
            s.trim_end().to_owned()
        };
        writeln!(out, "{}", line(&titles))?;
        for r in &self.rows {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            writeln!(out, "{}", line(&cells))?;
        }
        Ok(())
    }
}

/// The marker of the worst alert about `kind` `name` among `alerts`, as
/// the dashboard marks its rows (`‼`, `!`, `i`), or a space.
fn marker(alerts: &[AlertDoc], kind: TargetKind, name: &str) -> String {
    alerts
        .iter()
        .filter(|a| a.target.kind == kind && a.target.name == name)
        .map(|a| a.severity)
        .max()
        .map_or(" ", Severity::marker)
        .to_owned()
}

/// Writes the report of `snapshot` to `out`.
pub fn write(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    agg: &Aggregate,
    extras: Extras<'_>,
) -> io::Result<()> {
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
    let age = snapshot
        .collector
        .tiers
        .and_then(|t| t.age_text())
        .map(|a| format!("  ({a}; queues this round)"))
        .unwrap_or_default();
    writeln!(out, "TCP  {}{age}", totals.join("  "))?;

    write_alerts(out, extras.alerts, extras.notes, extras.watch)?;
    write_listeners(out, snapshot, agg, extras.alerts)?;
    write_remotes(out, snapshot, agg, extras.alerts)?;

    writeln!(out, "\nUNIX LISTENERS ({})", snapshot.unix_listeners.len())?;
    let mut unix = Table::new(&["", "PATH", ">INODE", ">PENDING/BACKLOG", "PROCESS"]);
    for (i, u) in snapshot.unix_listeners.iter().enumerate() {
        let path = if u.path.is_empty() {
            "(unnamed)".into()
        } else {
            clean(&u.path).into_owned()
        };
        let target = Target::unix(u);
        let owners = agg.unix_processes.get(i).map_or(&[][..], Vec::as_slice);
        unix.push(vec![
            marker(extras.alerts, TargetKind::UnixSocket, &target.name),
            path,
            u.inode.to_string(),
            format!("{}/{}", u.accept_queue, u.backlog),
            clean(&snapshot.processes.label(owners)).into_owned(),
        ]);
    }
    unix.write(out)?;

    writeln!(out, "\nCOUNTERS (since boot)")?;
    for name in KEY_COUNTERS {
        match snapshot.counters.get(name) {
            Some(v) => writeln!(out, "  {name:<22} {v}")?,
            None => writeln!(out, "  {name:<22} n/a")?,
        }
    }
    if let Some(sockets) = extras.sockets {
        write_sockets(out, sockets)?;
    }
    // A paragraph of its own, not a row of the last table.
    if !snapshot.collector.notes.is_empty() {
        writeln!(out)?;
    }
    for note in &snapshot.collector.notes {
        writeln!(out, "note: {}", clean(note))?;
    }
    Ok(())
}

/// The listeners, in the dashboard's default order ([`Listener::trouble`](crate::model::Listener::trouble)):
/// MEMBERS counts LISTEN sockets (SO_REUSEPORT), the state columns and
/// CONNS count connections (JSON's `sockets`).
fn write_listeners(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    agg: &Aggregate,
    alerts: &[AlertDoc],
) -> io::Result<()> {
    writeln!(out, "\nLISTENERS ({}, trouble first)", agg.listeners.len())?;
    let mut table = Table::new(&[
        "",
        "LOCAL",
        "PROCESS",
        ">RECV-Q/BACKLOG",
        ">FILL",
        ">MEMBERS",
        ">SYN-RECV",
        ">ESTAB",
        ">TIME-WAIT",
        ">CLOSE-WAIT",
        ">OTHER",
        ">CONNS",
    ]);
    let mut order: Vec<_> = agg.listeners.iter().collect();
    order.sort_by(|a, b| crate::model::trouble_first(a, b));
    for l in order {
        let shown = l.states[TcpState::SynRecv]
            + l.states[TcpState::Established]
            + l.states[TcpState::TimeWait]
            + l.states[TcpState::CloseWait];
        let local = l.local.to_string();
        table.push(vec![
            marker(alerts, TargetKind::Listener, &local),
            local,
            clean(&snapshot.processes.label(&l.processes)).into_owned(),
            format!("{}/{}", l.accept_queue, l.backlog),
            format!("{:.0}%", l.fill() * 100.0),
            l.members.len().to_string(),
            l.states[TcpState::SynRecv].to_string(),
            l.states[TcpState::Established].to_string(),
            l.states[TcpState::TimeWait].to_string(),
            l.states[TcpState::CloseWait].to_string(),
            (l.sockets() - shown).to_string(),
            l.sockets().to_string(),
        ]);
    }
    table.write(out)
}

/// The outbound groups, most sockets first.
fn write_remotes(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    agg: &Aggregate,
    alerts: &[AlertDoc],
) -> io::Result<()> {
    writeln!(out, "\nREMOTES ({})", agg.remotes.len())?;
    let mut table = Table::new(&[
        "",
        "REMOTE",
        "FROM",
        "PROCESS",
        ">SYN-SENT",
        ">ESTAB",
        ">TIME-WAIT",
        ">CLOSE-WAIT",
        ">OTHER",
        ">LOCAL-PORTS",
    ]);
    let range = snapshot.ephemeral_port_count();
    for r in &agg.remotes {
        let shown = r.states[TcpState::SynSent]
            + r.states[TcpState::Established]
            + r.states[TcpState::TimeWait]
            + r.states[TcpState::CloseWait];
        let ports = match range {
            Some(n) => format!("{}/{}", r.local_ports, n),
            None => r.local_ports.to_string(),
        };
        table.push(vec![
            marker(alerts, TargetKind::Remote, &Target::remote(r).name),
            r.remote.to_string(),
            r.local_ip.to_string(),
            clean(&snapshot.processes.label(&r.processes)).into_owned(),
            r.states[TcpState::SynSent].to_string(),
            r.states[TcpState::Established].to_string(),
            r.states[TcpState::TimeWait].to_string(),
            r.states[TcpState::CloseWait].to_string(),
            (r.states.total() - shown).to_string(),
            ports,
        ]);
    }
    table.write(out)
}

/// `ss -tan`'s address form: port 0 (a LISTEN socket's peer) is `*`.
fn ss_addr(addr: &str) -> String {
    match addr.strip_suffix(":0") {
        Some(host) => format!("{host}:*"),
        None => addr.to_owned(),
    }
}

/// Every TCP socket (`--sockets`): the first five columns are `ss -tan`'s
/// (State, Recv-Q, Send-Q, Local, Peer), then what sockscope adds.
fn write_sockets(out: &mut dyn Write, sockets: &[SocketDoc]) -> io::Result<()> {
    writeln!(out, "\nSOCKETS ({})", sockets.len())?;
    let mut table = Table::new(&[
        "STATE", ">RECV-Q", ">SEND-Q", "LOCAL", "PEER", "PROCESS", ">AGE", "TIMER", "LISTENER",
    ]);
    for s in sockets {
        let age = match (s.age_ms, s.age_source) {
            (Some(ms), Some(src)) => {
                let at_least = if src == AgeSource::Kernel { "" } else { "≥" };
                let ms = i64::try_from(ms).unwrap_or(i64::MAX);
                format!(
                    "{at_least}{}",
                    human_duration(SignedDuration::from_millis(ms))
                )
            }
            _ => "-".into(),
        };
        let timer = match s.timer {
            Timer::Off => "-".into(),
            t => {
                let left = SignedDuration::from_millis(i64::from(s.expires_ms));
                format!("{}:{}", t.name(), human_duration(left))
            }
        };
        table.push(vec![
            s.state.ss_name().to_owned(),
            s.recv_q.to_string(),
            s.send_q.to_string(),
            ss_addr(&s.local),
            ss_addr(&s.remote),
            clean(s.process.as_deref().unwrap_or("")).into_owned(),
            age,
            timer,
            s.listener.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    table.write(out)
}

/// Writes the alerts section: one line per alert (marker, severity, rule,
/// target, since, and the end for a resolved one) with its message and
/// what to do below, then the notes of rules that ran degraded.
fn write_alerts(
    out: &mut dyn Write,
    alerts: &[AlertDoc],
    notes: &[String],
    watch: Option<&WatchDoc>,
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
            "{} {:<8} {:<25} {} {}{netns}  since {}{ended}",
            a.severity.marker(),
            a.severity.name(),
            a.rule.id(),
            a.target.kind.name(),
            clean(&a.target.name),
            a.since
        )?;
        writeln!(out, "           {}", clean(&a.message))?;
        if !a.advice.is_empty() {
            writeln!(out, "           what to do: {}", clean(&a.advice))?;
        }
    }
    for note in notes {
        writeln!(out, "note: {}", clean(note))?;
    }
    Ok(())
}
