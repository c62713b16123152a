//! `sockscope snapshot --format csv`: one row per TCP listener carrying every
//! figure of the JSON listener object, plus the sample's time, host and
//! namespace so that rows of several snapshots can be concatenated.
//! `member_queues` lists the LISTEN sockets as `inode:accept_queue/backlog`,
//! separated by spaces (several with SO_REUSEPORT); `processes` lists the
//! owning processes as `comm[pid]`, separated by spaces; `oldest_queued_ms`
//! is empty when unknown. `drops` (the members' `sk_drops` summed) is empty
//! when not collected; `fill` is the fullest member's accept_queue /
//! backlog; `member_drops` lists the members as `inode:drops` and
//! `member_processes` as `inode:comm[pid],comm[pid]`, separated by spaces.
//! Control characters in any cell are escaped ([`clean`]), so a record is
//! always one line.

use std::io::{self, Write};

use super::json::{ListenerDoc, SnapshotDoc};
use crate::sanitize::clean;

/// The header row, in column order.
pub const COLUMNS: [&str; 29] = [
    "taken_at",
    "hostname",
    "netns",
    "proto",
    "local",
    "sockets",
    "accept_queue",
    "backlog",
    "members",
    "member_queues",
    "syn_recv",
    "established",
    "fin_wait1",
    "fin_wait2",
    "time_wait",
    "close",
    "close_wait",
    "last_ack",
    "closing",
    "processes",
    "queued",
    "oldest_queued_ms",
    "close_wait_unread",
    "close_wait_read",
    "drops",
    "fill",
    "full_members",
    "member_drops",
    "member_processes",
];

fn row(doc: &SnapshotDoc, l: &ListenerDoc) -> [String; 29] {
    let s = &l.states;
    let members: Vec<String> = l
        .members
        .iter()
        .map(|m| format!("{}:{}/{}", m.inode, m.accept_queue, m.backlog))
        .collect();
    [
        doc.taken_at.to_string(),
        doc.hostname.clone(),
        doc.netns.clone(),
        l.proto.clone(),
        l.local.clone(),
        l.sockets.to_string(),
        l.accept_queue.to_string(),
        l.backlog.to_string(),
        l.members.len().to_string(),
        members.join(" "),
        s.syn_recv.to_string(),
        s.established.to_string(),
        s.fin_wait1.to_string(),
        s.fin_wait2.to_string(),
        s.time_wait.to_string(),
        s.close.to_string(),
        s.close_wait.to_string(),
        s.last_ack.to_string(),
        s.closing.to_string(),
        process_names(&l.processes, " "),
        l.queued.to_string(),
        l.oldest_queued_ms
            .map_or_else(String::new, |v| v.to_string()),
        l.close_wait_unread.to_string(),
        l.close_wait_read.to_string(),
        l.drops.map_or_else(String::new, |d| d.to_string()),
        l.fill.to_string(),
        l.full_members.to_string(),
        l.members
            .iter()
            .filter_map(|m| m.drops.map(|d| format!("{}:{d}", m.inode)))
            .collect::<Vec<_>>()
            .join(" "),
        l.members
            .iter()
            .filter(|m| !m.processes.is_empty())
            .map(|m| format!("{}:{}", m.inode, process_names(&m.processes, ",")))
            .collect::<Vec<_>>()
            .join(" "),
    ]
}

/// `comm[pid]` of each process, joined by `sep`.
fn process_names(processes: &[super::json::ProcessDoc], sep: &str) -> String {
    processes
        .iter()
        .map(|p| format!("{}[{}]", p.comm, p.pid))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Writes the header and one row per listener of `doc`, in the document's order.
pub fn write(out: &mut dyn Write, doc: &SnapshotDoc) -> io::Result<()> {
    write_docs(out, std::slice::from_ref(doc))
}

/// Writes the header once, then the rows of every document in turn
/// (`snapshot --all-netns`: one document per namespace).
pub fn write_docs(out: &mut dyn Write, docs: &[SnapshotDoc]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for doc in docs {
        for l in &doc.listeners {
            w.write_record(row(doc, l).iter().map(|cell| clean(cell).into_owned()))?;
        }
    }
    w.flush()
}
