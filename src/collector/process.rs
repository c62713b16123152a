//! Socket inode → owning processes, incrementally.
//!
//! A full scan reads every descriptor of every process (one `readlink`
//! each): about half a second for 100k sockets. [`ProcessCache`] keeps what
//! it read per process and, on each refresh, only
//! 1. lists `/proc` (to forget exited processes and scan new ones),
//! 2. when a socket has no known owner, compares each
//!    cached process's descriptor count (one `stat`) and rescans the ones
//!    that changed,
//! 3. runs a full scan when owners are still missing and the last full scan
//!    is at least `full_every` old, and unconditionally every
//!    [`FULL_PERIOD_FACTOR`] × `full_every` (descriptors passed between
//!    processes or pids reused are caught there).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustc_hash::{FxHashMap, FxHashSet};

use super::process_scan::{self, ScanFailure};
use crate::model::{ProcessInfo, ProcessTable, Snapshot, SocketProcesses};

/// An unconditional full scan happens every this many `full_every`.
pub const FULL_PERIOD_FACTOR: u32 = 6;

/// Cumulative counts of `/proc` reads, for tests and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanCounters {
    /// Listings of `/proc`.
    pub proc_listings: u64,
    /// Processes read in full (identity and every descriptor).
    pub processes_scanned: u64,
    /// `readlink` calls on `/proc/<pid>/fd/N`.
    pub fd_links_read: u64,
    /// Descriptor counts read (`stat` of `/proc/<pid>/fd`).
    pub fd_counts_read: u64,
    /// Full scans.
    pub full_scans: u64,
}

struct Proc {
    info: ProcessInfo,
    fd_count: usize,
    sockets: Vec<u32>,
}

/// The cache; share one between collectors with [`SharedProcesses`].
pub struct ProcessCache {
    procs: FxHashMap<u32, Proc>,
    denied: FxHashSet<u32>,
    /// Socket inode → pids holding it; Fx-hashed, since it is probed once
    /// per socket every collection (inodes and pids are kernel counters).
    index: FxHashMap<u32, Vec<u32>>,
    unresolved: FxHashSet<u32>,
    users: HashMap<u32, String>,
    last_full: Option<Instant>,
    full_every: Duration,
    counters: ScanCounters,
}

/// A cache shared by the collectors of several namespaces.
pub type SharedProcesses = Arc<Mutex<ProcessCache>>;

impl ProcessCache {
    /// An empty cache; owners still missing trigger a full scan at most
    /// once per `full_every`.
    pub fn new(full_every: Duration) -> ProcessCache {
        ProcessCache {
            procs: FxHashMap::default(),
            denied: FxHashSet::default(),
            index: FxHashMap::default(),
            unresolved: FxHashSet::default(),
            users: HashMap::new(),
            last_full: None,
            full_every,
            counters: ScanCounters::default(),
        }
    }

    /// A new cache behind a mutex, with the default pace (a full scan at
    /// most every 10 s when needed, always every minute).
    pub fn shared() -> SharedProcesses {
        Arc::new(Mutex::new(ProcessCache::new(Duration::from_secs(10))))
    }

    /// Reads done so far.
    pub fn counters(&self) -> ScanCounters {
        self.counters
    }

    /// The inodes of `snapshot` to find owners for: every TCP socket with
    /// an inode (listeners, the connections they accepted, outbound
    /// sockets), UNIX listeners and their clients.
    pub fn wanted(&self, snapshot: &Snapshot) -> Vec<u32> {
        let mut out: Vec<u32> = snapshot
            .tcp
            .iter()
            .map(|s| s.inode)
            .chain(snapshot.unix_listeners.iter().map(|u| u.inode))
            .chain(snapshot.unix_peers.iter().map(|p| p.peer))
            .filter(|&i| i != 0)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Fills `snapshot.processes` for [`ProcessCache::wanted`] and adds a
    /// note when some processes could not be read.
    pub fn attribute(&mut self, snapshot: &mut Snapshot, now: Instant) {
        let wanted = self.wanted(snapshot);
        snapshot.processes = self.lookup(&wanted, now);
        if snapshot.processes.denied > 0 {
            snapshot.collector.notes.push(format!(
                "process owners unknown (shown as ?) for sockets of {} processes whose /proc/<pid>/fd \
                 this user may not read; run as root or with CAP_SYS_PTRACE for full attribution",
                snapshot.processes.denied
            ));
        }
    }

    /// Owners of `wanted` (sorted inodes), refreshing the cache as described
    /// in the module documentation.
    pub fn lookup(&mut self, wanted: &[u32], now: Instant) -> ProcessTable {
        let pids = process_scan::list_pids();
        self.counters.proc_listings += 1;
        let periodic = self.full_every * FULL_PERIOD_FACTOR;
        if self
            .last_full
            .is_none_or(|t| now.duration_since(t) >= periodic)
        {
            self.full_scan(&pids, wanted, now);
        } else {
            self.forget_exited(&pids);
            for &pid in &pids {
                if !self.procs.contains_key(&pid) && !self.denied.contains(&pid) {
                    self.rescan(pid);
                }
            }
            if self.any_missing(wanted) {
                self.rescan_changed();
                let full_allowed = self
                    .last_full
                    .is_none_or(|t| now.duration_since(t) >= self.full_every);
                if self.any_missing(wanted) && full_allowed {
                    self.full_scan(&pids, wanted, now);
                } else {
                    let missing: Vec<u32> = wanted
                        .iter()
                        .copied()
                        .filter(|i| !self.index.contains_key(i))
                        .collect();
                    self.unresolved.extend(missing);
                }
            }
        }
        self.table(wanted)
    }

    fn any_missing(&self, wanted: &[u32]) -> bool {
        wanted
            .iter()
            .any(|i| !self.index.contains_key(i) && !self.unresolved.contains(i))
    }

    fn full_scan(&mut self, pids: &[u32], wanted: &[u32], now: Instant) {
        self.procs.clear();
        self.index.clear();
        self.denied.clear();
        for &pid in pids {
            self.rescan(pid);
        }
        self.unresolved = wanted
            .iter()
            .copied()
            .filter(|i| !self.index.contains_key(i))
            .collect();
        self.last_full = Some(now);
        self.counters.full_scans += 1;
    }

    fn forget_exited(&mut self, pids: &[u32]) {
        let gone: Vec<u32> = self
            .procs
            .keys()
            .copied()
            .filter(|p| pids.binary_search(p).is_err())
            .collect();
        for pid in gone {
            self.remove(pid);
        }
        self.denied.retain(|p| pids.binary_search(p).is_ok());
    }

    fn remove(&mut self, pid: u32) {
        let Some(old) = self.procs.remove(&pid) else {
            return;
        };
        for inode in old.sockets {
            if let Some(owners) = self.index.get_mut(&inode) {
                owners.retain(|&p| p != pid);
                if owners.is_empty() {
                    self.index.remove(&inode);
                }
            }
        }
    }

    fn rescan_changed(&mut self) {
        let pids: Vec<u32> = self.procs.keys().copied().collect();
        for pid in pids {
            self.counters.fd_counts_read += 1;
            match process_scan::fd_count(pid) {
                Ok(n) if n == self.procs[&pid].fd_count => {}
                Ok(_) => self.rescan(pid),
                Err(_) => self.remove(pid),
            }
        }
    }

    fn rescan(&mut self, pid: u32) {
        self.remove(pid);
        self.counters.processes_scanned += 1;
        match process_scan::scan(pid, &mut self.users) {
            Ok(mut s) => {
                self.counters.fd_links_read += s.links_read;
                s.sockets.sort_unstable();
                s.sockets.dedup();
                for &inode in &s.sockets {
                    self.index.entry(inode).or_default().push(pid);
                    self.unresolved.remove(&inode);
                }
                self.procs.insert(
                    pid,
                    Proc {
                        info: s.info,
                        fd_count: s.fd_count,
                        sockets: s.sockets,
                    },
                );
            }
            Err(ScanFailure::Denied) => {
                self.denied.insert(pid);
            }
            Err(ScanFailure::Gone) => {}
        }
    }

    fn table(&self, wanted: &[u32]) -> ProcessTable {
        let mut pids: Vec<u32> = wanted
            .iter()
            .filter_map(|i| self.index.get(i))
            .flatten()
            .copied()
            .collect();
        pids.sort_unstable();
        pids.dedup();
        let sockets = wanted
            .iter()
            .filter_map(|&inode| {
                let owners = self.index.get(&inode)?;
                let mut processes: Vec<u32> = owners
                    .iter()
                    .filter_map(|p| pids.binary_search(p).ok().map(|i| i as u32))
                    .collect();
                processes.sort_unstable();
                Some(SocketProcesses { inode, processes })
            })
            .collect();
        ProcessTable {
            enabled: true,
            denied: self.denied.len() as u32,
            list: pids.iter().map(|p| self.procs[p].info.clone()).collect(),
            sockets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TcpState;
    use crate::model::fixtures::{listen, snapshot, sock};

    #[test]
    fn every_socket_with_an_inode_is_looked_up() {
        let mut time_wait = sock(TcpState::TimeWait, "10.0.0.1:80", "10.0.0.9:5002", 8);
        time_wait.inode = 0;
        let snap = snapshot(
            "2026-11-24T02:40:00Z",
            vec![
                listen("0.0.0.0:80", 0, 128, 5),
                sock(TcpState::Established, "10.0.0.1:80", "10.0.0.9:5000", 6),
                sock(TcpState::CloseWait, "10.0.0.1:81", "10.0.0.9:5001", 7),
                time_wait,
                sock(TcpState::Established, "10.0.0.1:41000", "10.0.0.7:443", 9),
            ],
        );
        let cache = ProcessCache::new(Duration::from_secs(10));
        assert_eq!(
            cache.wanted(&snap),
            vec![5, 6, 7, 9],
            "listener, accepted, CLOSE_WAIT and outbound; TIME_WAIT has no inode"
        );
    }
}
