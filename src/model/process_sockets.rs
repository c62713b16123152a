//! What one process holds, for the dashboard's process popup: its TCP
//! sockets by state, the listeners it serves, the remotes it talks to and
//! its UNIX listeners. Pure: read from a snapshot and its aggregate.

use super::TcpState;
use super::aggregate::{Aggregate, Owner};
use super::snapshot::Snapshot;
use super::states::StateCounts;

/// The sockets of one process of a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessSockets {
    /// Its TCP sockets by state: those whose inode it holds open (request
    /// and TIME_WAIT sockets have no inode and no holder).
    pub states: StateCounts,
    /// Listeners with a LISTEN member it holds (indices into
    /// [`Aggregate::listeners`]), ascending.
    pub listeners: Vec<usize>,
    /// Remote groups it has connections in (indices into
    /// [`Aggregate::remotes`]) with how many it holds, most first.
    pub remotes: Vec<(usize, u64)>,
    /// UNIX listeners it holds (indices into `snapshot.unix_listeners`).
    pub unix: Vec<usize>,
}

impl ProcessSockets {
    /// The sockets process `process` (index into `snapshot.processes.list`)
    /// holds in `snapshot`, whose aggregate is `agg`. One pass over the
    /// socket list: called when the popup opens and on each new sample.
    pub fn of(snapshot: &Snapshot, agg: &Aggregate, process: u32) -> ProcessSockets {
        let table = &snapshot.processes;
        // Inodes it holds, ascending (the table is sorted by inode).
        let inodes: Vec<u32> = table
            .sockets
            .iter()
            .filter(|(_, owners)| owners.binary_search(&process).is_ok())
            .map(|(inode, _)| inode)
            .collect();
        let held = |inode: u32| inode != 0 && inodes.binary_search(&inode).is_ok();
        let mut out = ProcessSockets::default();
        let mut remotes: Vec<u64> = vec![0; agg.remotes.len()];
        for (i, s) in snapshot.tcp.iter().enumerate() {
            if !held(s.inode) {
                continue;
            }
            out.states.add(s.state);
            match agg.owners.get(i) {
                Some(Owner::Listening(l)) if s.state == TcpState::Listen => {
                    out.listeners.push(l as usize)
                }
                Some(Owner::Remote(r)) => remotes[r as usize] += 1,
                _ => {}
            }
        }
        out.listeners.sort_unstable();
        out.listeners.dedup();
        out.remotes = remotes
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .collect();
        out.remotes
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out.unix = (0..snapshot.unix_listeners.len())
            .filter(|&u| held(snapshot.unix_listeners[u].inode))
            .collect();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TcpState::*;
    use crate::model::fixtures::{listen, process, snapshot, sock};
    use crate::model::process::{ProcessTable, SocketProcesses};
    use crate::model::snapshot::{UnixKind, UnixListener};

    /// Process 0 holds the :80 listener (inode 1), one accepted
    /// connection (2), two connections to the database (4, 5) and a UNIX
    /// listener (7); process 1 holds only the third database connection (6).
    #[test]
    fn a_process_holds_what_its_inodes_say() {
        let mut snap = snapshot(
            "2026-11-24T00:00:00Z",
            vec![
                listen("0.0.0.0:80", 0, 128, 1),
                sock(Established, "10.0.0.1:80", "10.0.0.9:5000", 2),
                sock(TimeWait, "10.0.0.1:80", "10.0.0.9:5001", 3),
                sock(Established, "10.0.0.1:40000", "10.0.0.5:5432", 4),
                sock(CloseWait, "10.0.0.1:40001", "10.0.0.5:5432", 5),
                sock(Established, "10.0.0.1:40002", "10.0.0.5:5432", 6),
            ],
        );
        snap.unix_listeners = vec![UnixListener {
            path: "/run/app.sock".into(),
            inode: 7,
            kind: UnixKind::Stream,
            accept_queue: 0,
            backlog: 16,
        }];
        let owned = |inode, processes| SocketProcesses { inode, processes };
        snap.processes = ProcessTable {
            enabled: true,
            denied: 0,
            list: vec![process(100, "app"), process(200, "worker")],
            sockets: vec![
                owned(1, vec![0]),
                owned(2, vec![0]),
                owned(4, vec![0]),
                owned(5, vec![0]),
                owned(6, vec![1]),
                owned(7, vec![0]),
            ]
            .into(),
        };
        let agg = Aggregate::build(&snap);
        let app = ProcessSockets::of(&snap, &agg, 0);
        assert_eq!(
            (
                app.states[Listen],
                app.states[Established],
                app.states[CloseWait],
                app.states.total()
            ),
            (1, 2, 1, 4),
            "the TIME_WAIT socket has no inode, so no holder"
        );
        assert_eq!(app.listeners.len(), 1);
        assert_eq!(
            agg.listeners[app.listeners[0]].local.to_string(),
            "0.0.0.0:80"
        );
        assert_eq!(app.remotes.len(), 1);
        let (r, n) = app.remotes[0];
        assert_eq!(
            (agg.remotes[r].remote.to_string(), n),
            ("10.0.0.5:5432".into(), 2)
        );
        assert_eq!(app.unix, [0]);
        let worker = ProcessSockets::of(&snap, &agg, 1);
        assert_eq!((worker.states.total(), worker.remotes[0].1), (1, 1));
        assert!(worker.listeners.is_empty() && worker.unix.is_empty());
    }
}
