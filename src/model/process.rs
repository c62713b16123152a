//! Which processes own which sockets, as plain data inside the snapshot.
//!
//! The collector fills a [`ProcessTable`] for every socket with an inode
//! (TCP sockets of every state, UNIX listeners and their clients); request
//! sockets and TIME_WAIT (inode 0) have no owner of their own and are shown
//! under their listener's processes, connections still in an accept queue
//! (inode 0 too) have none yet.

use serde::{Deserialize, Serialize};

pub use super::socket_owners::{SocketOwners, SocketProcesses};

/// One process that holds a socket open.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProcessInfo {
    /// Process id, as seen from the collector's PID namespace.
    pub pid: u32,
    /// Command name (`/proc/<pid>/stat` field 2, at most 15 bytes).
    pub comm: String,
    /// Full command line (`/proc/<pid>/cmdline`, arguments joined by spaces);
    /// empty for kernel threads and zombies.
    pub cmdline: String,
    /// Real user id of the process (`/proc/<pid>/status` `Uid:`).
    pub uid: u32,
    /// User name of `uid` from the passwd database, or the uid in decimal.
    pub user: String,
}

/// Owning processes of the sockets the collector looked up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessTable {
    /// True when the collector looked for owners at all (a recording made
    /// without attribution leaves it false, and screens show nothing).
    pub enabled: bool,
    /// Processes whose `/proc/<pid>/fd` could not be read for lack of
    /// permission; their sockets have no known owner (shown as `?`).
    pub denied: u32,
    /// Every process named by [`ProcessTable::sockets`], by pid.
    pub list: Vec<ProcessInfo>,
    /// Looked-up sockets with at least one owner, sorted by inode.
    pub sockets: SocketOwners,
}

impl ProcessTable {
    /// Indices into [`ProcessTable::list`] of the processes holding `inode`;
    /// empty when unknown or for inode 0.
    pub fn of_inode(&self, inode: u32) -> &[u32] {
        if inode == 0 {
            return &[];
        }
        self.sockets.get(inode)
    }

    /// The pids of the processes holding `inode`, ascending.
    pub fn pids_of_inode(&self, inode: u32) -> Vec<u32> {
        let mut pids: Vec<u32> = self
            .of_inode(inode)
            .iter()
            .filter_map(|&i| self.get(i))
            .map(|p| p.pid)
            .collect();
        pids.sort_unstable();
        pids
    }

    /// The process at index `idx` of [`ProcessTable::list`].
    pub fn get(&self, idx: u32) -> Option<&ProcessInfo> {
        self.list.get(idx as usize)
    }

    /// A short label for a set of owners: `nginx[812]`, `gunicorn[2211]+3`
    /// when several processes share the socket, `?` when none is known but
    /// some processes could not be read, and an empty string otherwise.
    pub fn label(&self, owners: &[u32]) -> String {
        match owners.split_first() {
            Some((&first, rest)) => {
                let p = &self.list[first as usize];
                if rest.is_empty() {
                    format!("{}[{}]", p.comm, p.pid)
                } else {
                    format!("{}[{}]+{}", p.comm, p.pid, rest.len())
                }
            }
            None if self.enabled && self.denied > 0 => "?".to_owned(),
            None => String::new(),
        }
    }

    /// Every owner in `owners` as `comm[pid]`, comma separated (the first
    /// four, then `+N more`); empty when none is known.
    pub fn names(&self, owners: &[u32]) -> String {
        let mut out: Vec<String> = owners
            .iter()
            .take(4)
            .filter_map(|&i| self.get(i))
            .map(|p| format!("{}[{}]", p.comm, p.pid))
            .collect();
        if owners.len() > 4 {
            out.push(format!("+{} more", owners.len() - 4));
        }
        out.join(", ")
    }

    /// The union of the owners of `inodes`, ascending and without repeats.
    pub fn union_of(&self, inodes: impl IntoIterator<Item = u32>) -> Vec<u32> {
        let mut out: Vec<u32> = inodes
            .into_iter()
            .flat_map(|i| self.of_inode(i).iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ProcessTable {
        let p = |pid: u32, comm: &str| ProcessInfo {
            pid,
            comm: comm.to_owned(),
            cmdline: format!("/usr/bin/{comm}"),
            uid: 0,
            user: "root".to_owned(),
        };
        ProcessTable {
            enabled: true,
            denied: 0,
            list: vec![p(10, "nginx"), p(11, "nginx"), p(20, "redis")],
            sockets: vec![
                SocketProcesses {
                    inode: 5,
                    processes: vec![0, 1],
                },
                SocketProcesses {
                    inode: 9,
                    processes: vec![2],
                },
            ]
            .into(),
        }
    }

    #[test]
    fn lookup_and_labels() {
        let t = table();
        assert_eq!(t.of_inode(5), &[0, 1]);
        assert_eq!(t.pids_of_inode(5), [10, 11]);
        assert_eq!(t.pids_of_inode(0), [] as [u32; 0]);
        assert_eq!(t.of_inode(0), &[] as &[u32]);
        assert_eq!(t.of_inode(6), &[] as &[u32]);
        assert_eq!(t.label(t.of_inode(5)), "nginx[10]+1");
        assert_eq!(t.label(t.of_inode(9)), "redis[20]");
        assert_eq!(t.label(&[]), "");
        assert_eq!(t.union_of([9, 5, 9]), vec![0, 1, 2]);
    }

    #[test]
    fn unknown_owner_is_a_question_mark_only_when_access_was_denied() {
        let mut t = table();
        t.denied = 3;
        assert_eq!(t.label(t.of_inode(7)), "?");
        assert_eq!(ProcessTable::default().label(&[]), "");
    }

    #[test]
    fn inode_zero_sockets_belong_to_their_listeners_processes() {
        use crate::model::fixtures::{listen, snapshot, sock};
        use crate::model::{Aggregate, TcpState};
        let mut snap = snapshot(
            "2026-11-24T02:40:00Z",
            vec![
                listen("0.0.0.0:80", 0, 128, 5),
                sock(TcpState::TimeWait, "10.0.0.1:80", "10.0.0.9:5000", 100),
                sock(TcpState::CloseWait, "10.0.0.1:80", "10.0.0.9:5001", 9),
                sock(TcpState::Established, "10.0.0.1:41000", "10.0.0.7:443", 200),
            ],
        );
        snap.processes = table();
        let agg = Aggregate::build(&snap);
        assert_eq!(agg.listeners[0].processes, vec![0, 1]);
        assert_eq!(
            agg.processes_of(&snap, 1),
            &[0, 1],
            "TIME_WAIT: the listener's"
        );
        assert_eq!(agg.processes_of(&snap, 2), &[2], "its own owner first");
        assert_eq!(agg.processes_of(&snap, 3), &[] as &[u32]);
    }

    #[test]
    fn a_socket_without_inode_or_owner_is_never_a_question_mark() {
        use crate::model::fixtures::{listen, snapshot, sock};
        use crate::model::{Aggregate, TcpState};
        let mut queued = sock(TcpState::Established, "10.0.0.1:80", "10.0.0.9:5002", 300);
        queued.inode = 0;
        let mut snap = snapshot(
            "2026-11-24T02:40:00Z",
            vec![
                listen("0.0.0.0:80", 1, 128, 77),
                queued,
                sock(TcpState::TimeWait, "10.0.0.1:41001", "10.0.0.7:443", 301),
                sock(TcpState::Established, "10.0.0.1:41000", "10.0.0.7:443", 302),
            ],
        );
        snap.processes = table();
        snap.processes.denied = 3;
        let agg = Aggregate::build(&snap);
        let labels: Vec<String> = (0..4).map(|i| agg.owner_label(&snap, i)).collect();
        assert_eq!(
            labels,
            ["?", "", "", "?"],
            "unknown owners of inodes 77 and 302 may be unreadable; \
             the queued connection and the TIME_WAIT have no inode to hold"
        );
    }
}
