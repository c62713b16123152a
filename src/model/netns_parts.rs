//! The merged view of a round over several namespaces (`--all-netns`): the
//! namespaces' socket lists concatenated, [`NetnsPart`]s saying which
//! stretch belongs to which namespace, and an aggregate put together from
//! the namespaces' own aggregates (listeners of different namespaces stay
//! apart; nothing is aggregated a second time), so the screens can show
//! every namespace in one table with a namespace column.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::aggregate::{Aggregate, Owner};
use super::history::Frame;
use super::process::ProcessTable;
use super::shared::Shared;
use super::snapshot::{Snapshot, TcpSocket};
use super::tiers::Tiers;

/// One namespace of a merged view (and of a schema 1 recording's merged sample).
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
    /// Its own `TcpExt`/`Tcp` counters (the snapshot's are the sums): the
    /// namespace's frame's copy, shared.
    #[serde(default)]
    pub counters: Shared<BTreeMap<String, u64>>,
    /// Its own tunables (the snapshot's are the `host` part's), shared likewise.
    #[serde(default)]
    pub tunables: Shared<BTreeMap<String, String>>,
}

impl Snapshot {
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

/// One namespace of a merged view: what the round says of it and the
/// frame shown for it (this round's, or the last one it brought).
pub(crate) struct ViewPart<'a> {
    pub(crate) label: &'a str,
    pub(crate) id: Option<&'a str>,
    pub(crate) inode: u64,
    pub(crate) error: Option<&'a str>,
    pub(crate) frame: Option<&'a Frame>,
}

/// The merged view of `parts`, labelled `all`: sockets and UNIX listeners
/// concatenated in part order (into `tcp`, a recycled list emptied here),
/// counters summed, tunables of the `host` part (else the first), process
/// tables united; the aggregate is the parts' aggregates side by side, their
/// indices moved to the merged lists and sorted into the documented order.
pub(crate) fn merged_view(
    taken_at: Timestamp,
    hostname: &str,
    parts: &[ViewPart],
    mut tcp: Vec<TcpSocket>,
) -> Frame {
    let mut out = Snapshot::empty(taken_at, hostname, "all");
    tcp.clear();
    tcp.reserve(
        parts
            .iter()
            .filter_map(|p| p.frame)
            .map(|f| f.snapshot.tcp.len())
            .sum(),
    );
    out.tcp = tcp.into();
    let (processes, remaps) = unite(
        parts
            .iter()
            .filter_map(|p| p.frame)
            .map(|f| &f.snapshot.processes),
    );
    let mut remaps = remaps.into_iter();
    let host = parts.iter().position(|p| p.label == "host").unwrap_or(0);
    let mut agg = Aggregate::default();
    for (i, p) in parts.iter().enumerate() {
        let mut part = NetnsPart {
            label: p.label.to_owned(),
            id: p.id.map(str::to_owned),
            inode: p.inode,
            tcp: 0,
            unix: 0,
            error: p.error.map(str::to_owned),
            counters: Shared::default(),
            tunables: Shared::default(),
        };
        if let Some(f) = p.frame {
            let remap = remaps.next().expect("one remap per part with a frame");
            let s = &f.snapshot;
            part.tcp = s.tcp.len() as u32;
            part.unix = s.unix_listeners.len() as u32;
            part.counters.clone_from(&s.counters);
            part.tunables.clone_from(&s.tunables);
            append(&mut agg, &f.agg, out.tcp.len(), i as u16, &remap);
            out.tcp.extend_from_list(&s.tcp);
            out.unix_listeners.extend_from_slice(&s.unix_listeners);
            out.unix_peers.extend_from_slice(&s.unix_peers);
            out.tcp_times.extend_from_slice(&s.tcp_times);
            for (k, v) in &s.counters {
                *out.counters.entry(k.clone()).or_insert(0) += v;
            }
            if i == host || out.tunables.is_empty() {
                out.tunables.clone_from(&s.tunables);
            }
            let c = &mut out.collector;
            if let Some(t) = &s.collector.tiers {
                c.tiers.get_or_insert_with(Tiers::default).add(t);
            }
            c.sockets += s.collector.sockets;
            c.skipped_messages += s.collector.skipped_messages;
            c.duration_us = c.duration_us.max(s.collector.duration_us);
            c.notes.extend(
                s.collector
                    .notes
                    .iter()
                    .map(|n| format!("{}: {n}", part.label)),
            );
        }
        if let Some(e) = &part.error {
            out.collector.notes.push(format!("{}: {e}", part.label));
        }
        out.netns_parts.push(part);
    }
    out.processes = processes;
    out.tcp_times.sort_unstable_by_key(|t| t.cookie);
    agg.sort();
    agg.index_connections();
    Frame::with_aggregate(out, agg)
}

/// Appends namespace `netns`'s aggregate `from` to `into`: its sockets
/// start at `tcp_base` of the merged list, its process indices go through
/// `remap`.
fn append(into: &mut Aggregate, from: &Aggregate, tcp_base: usize, netns: u16, remap: &[u32]) {
    let procs = |list: &[u32]| -> Vec<u32> {
        let mut v: Vec<u32> = list.iter().map(|&i| remap[i as usize]).collect();
        v.sort_unstable();
        v
    };
    let (l_base, r_base) = (into.listeners.len() as u32, into.remotes.len() as u32);
    into.totals.merge(&from.totals);
    into.listeners.extend(from.listeners.iter().map(|l| {
        let mut l = l.clone();
        l.netns = netns;
        l.processes = procs(&l.processes);
        for m in &mut l.members {
            m.processes = procs(&m.processes);
        }
        l
    }));
    into.remotes.extend(from.remotes.iter().map(|r| {
        let mut r = r.clone();
        r.netns = netns;
        // Most sockets first: the order stays, only the indices move.
        r.processes = r.processes.iter().map(|&i| remap[i as usize]).collect();
        r
    }));
    into.owners.resize(tcp_base, Owner::Remote(0));
    into.owners.extend(from.owners.iter().map(|o| match o {
        Owner::Listening(i) => Owner::Listening(l_base + i),
        Owner::Listener(i) => Owner::Listener(l_base + i),
        Owner::Remote(i) => Owner::Remote(r_base + i),
    }));
    into.unix_processes
        .extend(from.unix_processes.iter().map(|p| procs(p)));
}

/// The union of `tables` (processes by pid, sockets by inode), and for each
/// table the new index of each of its processes.
fn unite<'a>(
    tables: impl Iterator<Item = &'a ProcessTable> + Clone,
) -> (ProcessTable, Vec<Vec<u32>>) {
    let mut by_pid = BTreeMap::new();
    let mut sockets: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut out = ProcessTable::default();
    for t in tables.clone() {
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
    let mut remaps = Vec::new();
    for t in tables {
        let remap: Vec<u32> = t.list.iter().map(|p| index[&p.pid]).collect();
        for (inode, processes) in t.sockets.iter() {
            let owners = sockets.entry(inode).or_default();
            owners.extend(processes.iter().map(|&i| remap[i as usize]));
            owners.sort_unstable();
            owners.dedup();
        }
        remaps.push(remap);
    }
    out.list = by_pid.into_values().collect();
    out.sockets = sockets.into_iter().collect();
    (out, remaps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{listen, snapshot, sock};
    use crate::model::round::{Part, Round};
    use crate::model::{Model, ModelLimits, ProcessInfo, TcpState, UnixKind, UnixListener};

    fn proc_table(pid: u32, inodes: &[u32]) -> ProcessTable {
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
            sockets: inodes.iter().map(|&inode| (inode, vec![0])).collect(),
        }
    }

    fn part(label: &str, inode: u64, tcp: Vec<TcpSocket>, pid: u32) -> Part {
        let mut s = snapshot("2026-11-24T02:40:00Z", tcp);
        s.netns = label.to_owned();
        s.counters.insert("ListenOverflows".to_owned(), 2);
        s.unix_listeners.push(UnixListener {
            path: format!("/run/{label}.sock"),
            inode: pid + 1,
            kind: UnixKind::Stream,
            accept_queue: 0,
            backlog: 8,
        });
        s.processes = proc_table(pid, &[s.tcp[0].inode, pid + 1]);
        Part {
            label: label.to_owned(),
            id: None,
            inode,
            sample: Some(s),
            error: None,
        }
    }

    fn round(parts: Vec<Part>) -> Round<Frame> {
        Round {
            taken_at: "2026-11-24T02:40:00Z".parse().unwrap(),
            hostname: "h".to_owned(),
            all: true,
            parts,
            unreachable: Vec::new(),
        }
        .aggregate()
    }

    /// A: 0.0.0.0:80 1/128 with one connection, held by pid 100 (listed
    /// second in the united table); B: 0.0.0.0:80 4/64, pid 20.
    fn a_and_b() -> (Part, Part) {
        let a = part(
            "a",
            1,
            vec![
                listen("0.0.0.0:80", 1, 128, 10),
                sock(TcpState::Established, "10.0.0.1:80", "10.0.0.9:5000", 11),
                sock(TcpState::SynSent, "10.0.0.1:41000", "10.0.0.7:443", 12),
            ],
            100,
        );
        let b = part("b", 2, vec![listen("0.0.0.0:80", 4, 64, 20)], 20);
        (a, b)
    }

    #[test]
    fn the_view_is_put_together_from_each_namespaces_aggregate() {
        let (a, b) = a_and_b();
        let gone = Part {
            label: "c".to_owned(),
            id: None,
            inode: 3,
            sample: None,
            error: Some("network namespace c is gone".to_owned()),
        };
        let mut model = Model::new(&ModelLimits::default());
        let view = model.ingest_round(round(vec![a, b, gone]));
        let (s, agg) = (&view.snapshot, &view.agg);
        assert_eq!(s.netns, "all");
        assert_eq!(s.counters["ListenOverflows"], 4, "summed");
        assert_eq!(
            s.netns_parts
                .iter()
                .map(|p| (p.tcp, p.unix))
                .collect::<Vec<_>>(),
            [(3, 1), (1, 1), (0, 0)]
        );
        assert_eq!((s.part_of_tcp(2), s.part_of_tcp(3)), (0, 1));
        assert_eq!(agg.listeners.len(), 2);
        let (la, lb) = (&agg.listeners[0], &agg.listeners[1]);
        assert_eq!((la.netns, la.accept_queue, la.sockets()), (0, 1, 1));
        assert_eq!((lb.netns, lb.accept_queue, lb.backlog), (1, 4, 64));
        assert_eq!(s.processes.label(&la.processes), "p100[100]");
        assert_eq!(s.processes.label(&lb.processes), "p20[20]");
        assert_eq!(s.processes.label(&la.members[0].processes), "p100[100]");
        assert_eq!(agg.connections_of(0).collect::<Vec<_>>(), [1]);
        assert_eq!(
            agg.owners.get(3),
            Some(Owner::Listening(1)),
            "B's LISTEN socket"
        );
        assert_eq!(agg.remotes.len(), 1);
        assert_eq!(
            (agg.remotes[0].netns, agg.owners.get(2)),
            (0, Some(Owner::Remote(0)))
        );
        assert_eq!(s.processes.label(&agg.unix_processes[0]), "p100[100]");
        assert_eq!(s.processes.label(&agg.unix_processes[1]), "p20[20]");
        assert_eq!(agg.totals.total(), 4);
        assert!(
            s.collector
                .notes
                .contains(&"c: network namespace c is gone".to_owned())
        );
        let frames: Vec<_> = model
            .namespace_frames()
            .map(|(l, f)| (l, f.is_some()))
            .collect();
        assert_eq!(frames, [("a", true), ("b", true), ("c", false)]);
    }

    #[test]
    fn a_namespace_without_a_sample_this_round_shows_its_last_one() {
        let mut model = Model::new(&ModelLimits::default());
        let (a, b) = a_and_b();
        model.ingest_round(round(vec![a, b]));
        let (a, mut b) = a_and_b();
        b.sample = None;
        b.error = Some("still collecting after 800ms".to_owned());
        let view = model.ingest_round(round(vec![a, b]));
        let lb = &view.agg.listeners[1];
        assert_eq!((lb.netns, lb.accept_queue), (1, 4), "B's last sample");
        assert_eq!(
            view.snapshot.netns_parts[1].error.as_deref(),
            Some("still collecting after 800ms")
        );
        assert_eq!(view.snapshot.tcp.len(), 4);
    }
}
