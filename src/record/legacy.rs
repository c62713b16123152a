//! Schema 1 recordings: one [`Snapshot`] per sample, under `--all-netns` the
//! namespaces merged into one (sockets and UNIX listeners concatenated,
//! `netns_parts` saying whose stretch is whose). Read back as rounds.

use crate::model::{Part, Round, Snapshot};

/// The round a schema 1 sample stands for (already validated, so its parts
/// add up to its lists): one namespace as it is; a merged one split back
/// into its namespaces, each with its own counters and tunables and the
/// shared process table. A part that carried an error brings no sample:
/// its stretch held an earlier sample, which a replay shows from its history.
pub(super) fn round_of(mut merged: Snapshot) -> Round {
    if merged.netns_parts.is_empty() {
        return Round::one(merged);
    }
    let parts = std::mem::take(&mut merged.netns_parts);
    let mut tcp = std::mem::take(&mut merged.tcp).into_vec().into_iter();
    let mut unix = std::mem::take(&mut merged.unix_listeners).into_iter();
    let parts = parts
        .into_iter()
        .map(|p| {
            let mut s = Snapshot::empty(merged.taken_at, &merged.hostname, &p.label);
            s.netns_id.clone_from(&p.id);
            s.tcp = tcp.by_ref().take(p.tcp as usize).collect();
            s.unix_listeners = unix.by_ref().take(p.unix as usize).collect();
            s.counters = p.counters;
            s.tunables = p.tunables;
            s.processes = merged.processes.clone();
            s.unix_peers.clone_from(&merged.unix_peers);
            s.tcp_times.clone_from(&merged.tcp_times);
            s.collector.sockets = s.tcp.len() as u64;
            Part {
                label: p.label,
                id: p.id,
                inode: p.inode,
                sample: p.error.is_none().then_some(s),
                error: p.error,
            }
        })
        .collect();
    Round {
        taken_at: merged.taken_at,
        hostname: merged.hostname,
        all: true,
        parts,
        unreachable: Vec::new(),
    }
}
