//! Several network namespaces in one snapshot (`--all-netns`): their socket
//! lists are concatenated and [`NetnsPart`]s say which stretch belongs to
//! which namespace, so the aggregate keeps listeners of different
//! namespaces apart and the screens can show a namespace column.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::process::{ProcessTable, SocketProcesses};
use super::snapshot::{Snapshot, TcpSocket};

/// One namespace of a merged snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetnsPart {
    /// Its label (`host`, a `/run/netns` name, a container, a process).
    pub label: String,
    /// The container behind it, runtime and short id (`docker:4f1c2b3a9d8e`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Namespace inode (0 when unknown).
    pub inode: u64,
    /// How many entries of `snapshot.tcp` are its, following the previous parts'.
    pub tcp: u32,
    /// How many entries of `snapshot.unix_listeners` are its.
    pub unix: u32,
    /// Why the newest round brought no fresh sample (namespace gone, could
    /// not be entered, slow); its sockets are then those of its last sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Its own `TcpExt`/`Tcp` counters (the snapshot's are the sums).
    #[serde(default)]
    pub counters: BTreeMap<String, u64>,
    /// Its own tunables (the snapshot's are the `host` part's).
    #[serde(default)]
    pub tunables: BTreeMap<String, String>,
}

/// One namespace's input to [`Snapshot::merge`].
pub struct PartInput {
    /// Label.
    pub label: String,
    /// The container behind it, if any.
    pub id: Option<String>,
    /// Namespace inode.
    pub inode: u64,
    /// Its latest sample, if any.
    pub snapshot: Option<Snapshot>,
    /// Why it is not fresh, if it is not.
    pub error: Option<String>,
}

impl Snapshot {
    /// Merges namespaces into one snapshot labelled `all`: sockets and UNIX
    /// listeners concatenated in part order, counters summed, tunables of the
    /// `host` part (else the first), process tables united.
    pub fn merge(taken_at: Timestamp, hostname: &str, parts: Vec<PartInput>) -> Snapshot {
        Snapshot::merge_reusing(Vec::new(), taken_at, hostname, parts)
    }

    /// [`Snapshot::merge`] into `tcp`, a list emptied here and kept with its
    /// capacity (the one a consumer recycled), instead of a new one.
    pub fn merge_reusing(
        mut tcp: Vec<TcpSocket>,
        taken_at: Timestamp,
        hostname: &str,
        parts: Vec<PartInput>,
    ) -> Snapshot {
        let mut out = Snapshot::empty(taken_at, hostname, "all");
        tcp.clear();
        out.tcp = tcp;
        let mut tables = Vec::new();
        let host = parts.iter().position(|p| p.label == "host").unwrap_or(0);
        for (i, p) in parts.into_iter().enumerate() {
            let mut part = NetnsPart {
                label: p.label,
                id: p.id,
                inode: p.inode,
                tcp: 0,
                unix: 0,
                error: p.error,
                counters: BTreeMap::new(),
                tunables: BTreeMap::new(),
            };
            if let Some(s) = p.snapshot {
                part.tcp = s.tcp.len() as u32;
                part.unix = s.unix_listeners.len() as u32;
                out.tcp.extend(s.tcp);
                out.unix_listeners.extend(s.unix_listeners);
                out.unix_peers.extend(s.unix_peers);
                out.tcp_times.extend(s.tcp_times);
                for (k, v) in &s.counters {
                    *out.counters.entry(k.clone()).or_insert(0) += v;
                }
                if i == host || out.tunables.is_empty() {
                    out.tunables = s.tunables.clone();
                }
                part.counters = s.counters;
                part.tunables = s.tunables;
                let c = &mut out.collector;
                c.sockets += s.collector.sockets;
                c.skipped_messages += s.collector.skipped_messages;
                c.duration_us = c.duration_us.max(s.collector.duration_us);
                c.notes.extend(
                    s.collector
                        .notes
                        .into_iter()
                        .map(|n| format!("{}: {n}", part.label)),
                );
                tables.push(s.processes);
            }
            if let Some(e) = &part.error {
                out.collector.notes.push(format!("{}: {e}", part.label));
            }
            out.netns_parts.push(part);
        }
        out.processes = unite(tables);
        out.tcp_times.sort_unstable_by_key(|t| t.cookie);
        out
    }

    /// The namespaces of a merged snapshot as snapshots of their own (each
    /// with its own counters and tunables, and the shared process table),
    /// labelled; a snapshot without parts gives itself.
    pub fn split_parts(&self) -> Vec<Snapshot> {
        if self.netns_parts.is_empty() {
            return vec![self.clone()];
        }
        let (mut t, mut u) = (0usize, 0usize);
        self.netns_parts
            .iter()
            .map(|p| {
                let mut s = Snapshot::empty(self.taken_at, &self.hostname, &p.label);
                s.netns_id.clone_from(&p.id);
                s.tcp = self.tcp[t..t + p.tcp as usize].to_vec();
                s.unix_listeners = self.unix_listeners[u..u + p.unix as usize].to_vec();
                (t, u) = (t + p.tcp as usize, u + p.unix as usize);
                s.counters = p.counters.clone();
                s.tunables = p.tunables.clone();
                s.processes = self.processes.clone();
                s.tcp_times = self.tcp_times.clone();
                s.collector.sockets = p.tcp as u64;
                s.collector.notes.extend(p.error.clone());
                s
            })
            .collect()
    }

    /// Index into `netns_parts` of `snapshot.tcp[i]` (0 without parts).
    pub fn part_of_tcp(&self, i: usize) -> usize {
        part_of(self.netns_parts.iter().map(|p| p.tcp), i)
    }

    /// Index into `netns_parts` of `snapshot.unix_listeners[i]` (0 without parts).
    pub fn part_of_unix(&self, i: usize) -> usize {
        part_of(self.netns_parts.iter().map(|p| p.unix), i)
    }

    /// The label of part `idx`, or the snapshot's own label without parts.
    pub fn part_label(&self, idx: usize) -> &str {
        self.netns_parts
            .get(idx)
            .map_or(self.netns.as_str(), |p| p.label.as_str())
    }
}

fn part_of(counts: impl Iterator<Item = u32>, i: usize) -> usize {
    let mut end = 0usize;
    let mut last = 0;
    for (idx, n) in counts.enumerate() {
        end += n as usize;
        last = idx;
        if i < end {
            return idx;
        }
    }
    last
}

/// Walks socket indices in increasing order and yields their part.
pub(crate) struct PartCursor {
    ends: Vec<usize>,
    cur: usize,
}

impl PartCursor {
    pub(crate) fn tcp(snapshot: &Snapshot) -> PartCursor {
        let mut end = 0;
        let ends = snapshot
            .netns_parts
            .iter()
            .map(|p| {
                end += p.tcp as usize;
                end
            })
            .collect();
        PartCursor { ends, cur: 0 }
    }

    /// The part of index `i`; `i` must not decrease between calls.
    pub(crate) fn at(&mut self, i: usize) -> u16 {
        while self.cur + 1 < self.ends.len() && i >= self.ends[self.cur] {
            self.cur += 1;
        }
        self.cur as u16
    }
}

fn unite(tables: Vec<ProcessTable>) -> ProcessTable {
    let mut by_pid = BTreeMap::new();
    let mut sockets: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut out = ProcessTable::default();
    for t in &tables {
        out.enabled |= t.enabled;
        out.denied = out.denied.max(t.denied);
        for p in &t.list {
            by_pid.entry(p.pid).or_insert_with(|| p.clone());
        }
    }
    let index: BTreeMap<u32, u32> = by_pid
        .keys()
        .enumerate()
        .map(|(i, &pid)| (pid, i as u32))
        .collect();
    for t in &tables {
        for s in &t.sockets {
            let owners = sockets.entry(s.inode).or_default();
            owners.extend(s.processes.iter().map(|&i| index[&t.list[i as usize].pid]));
            owners.sort_unstable();
            owners.dedup();
        }
    }
    out.list = by_pid.into_values().collect();
    out.sockets = sockets
        .into_iter()
        .map(|(inode, processes)| SocketProcesses { inode, processes })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{listen, snapshot, sock};
    use crate::model::{Aggregate, ProcessInfo, TcpState};

    fn proc_table(pid: u32, inode: u32) -> ProcessTable {
        ProcessTable {
            enabled: true,
            denied: 0,
            list: vec![ProcessInfo {
                pid,
                comm: format!("p{pid}"),
                cmdline: String::new(),
                uid: 0,
                user: "root".to_owned(),
            }],
            sockets: vec![SocketProcesses {
                inode,
                processes: vec![0],
            }],
        }
    }

    fn part(label: &str, tcp: Vec<crate::model::TcpSocket>, pid: u32) -> PartInput {
        let mut s = snapshot("2026-11-24T02:40:00Z", tcp);
        s.counters.insert("ListenOverflows".to_owned(), 2);
        s.processes = proc_table(pid, s.tcp[0].inode);
        PartInput {
            label: label.to_owned(),
            id: None,
            inode: 1,
            snapshot: Some(s),
            error: None,
        }
    }

    #[test]
    fn same_address_in_two_namespaces_stays_two_listeners() {
        let at: Timestamp = "2026-11-24T02:40:00Z".parse().unwrap();
        let a = part(
            "a",
            vec![
                listen("0.0.0.0:80", 1, 128, 10),
                sock(TcpState::Established, "10.0.0.1:80", "10.0.0.9:5000", 11),
            ],
            100,
        );
        let b = part("b", vec![listen("0.0.0.0:80", 4, 64, 20)], 200);
        let gone = PartInput {
            label: "c".to_owned(),
            id: None,
            inode: 3,
            snapshot: None,
            error: Some("network namespace c is gone".to_owned()),
        };
        let merged = Snapshot::merge(at, "h", vec![a, b, gone]);
        assert_eq!(merged.counters["ListenOverflows"], 4);
        assert_eq!(merged.netns_parts.len(), 3);
        assert_eq!(
            (merged.part_of_tcp(1), merged.part_of_tcp(2)),
            (0, 1),
            "the second part starts after the first's two sockets"
        );
        let agg = Aggregate::build(&merged);
        assert_eq!(agg.listeners.len(), 2);
        let (la, lb) = (&agg.listeners[0], &agg.listeners[1]);
        assert_eq!((la.netns, la.accept_queue, la.sockets()), (0, 1, 1));
        assert_eq!((lb.netns, lb.accept_queue, lb.backlog), (1, 4, 64));
        assert_eq!(merged.processes.label(&la.processes), "p100[100]");
        assert_eq!(merged.processes.label(&lb.processes), "p200[200]");
        assert_eq!(merged.part_label(2), "c");
        let split = merged.split_parts();
        assert_eq!(split.len(), 3);
        assert_eq!((split[0].netns.as_str(), split[0].tcp.len()), ("a", 2));
        assert_eq!((split[1].netns.as_str(), split[1].tcp.len()), ("b", 1));
        assert_eq!(split[1].counters["ListenOverflows"], 2);
        assert!(split[2].tcp.is_empty());
        assert!(
            merged
                .collector
                .notes
                .contains(&"c: network namespace c is gone".to_owned())
        );
    }
}
