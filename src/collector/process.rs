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
use crate::model::{ProcessInfo, ProcessTable, Snapshot, SocketOwners};

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

/// "No owner set": an inode no cached process holds.
const NONE: u32 = u32::MAX;

/// Sets of pids holding a socket, each stored once and named by its index
/// (a million sockets share a few hundred sets). Ids stay valid until
/// [`PidSets::clear`], which only a full scan calls.
#[derive(Default)]
struct PidSets {
    sets: Vec<Box<[u32]>>,
    ids: FxHashMap<Box<[u32]>, u32>,
}

impl PidSets {
    fn get(&self, id: u32) -> &[u32] {
        &self.sets[id as usize]
    }

    fn intern(&mut self, pids: Vec<u32>) -> u32 {
        if let Some(&id) = self.ids.get(pids.as_slice()) {
            return id;
        }
        let id = self.sets.len() as u32;
        let pids = pids.into_boxed_slice();
        self.sets.push(pids.clone());
        self.ids.insert(pids, id);
        id
    }

    /// Set `id` (or none) with `pid` added.
    fn with(&mut self, id: u32, pid: u32) -> u32 {
        let mut pids = if id == NONE {
            Vec::new()
        } else {
            self.get(id).to_vec()
        };
        if let Err(at) = pids.binary_search(&pid) {
            pids.insert(at, pid);
        }
        self.intern(pids)
    }

    /// Set `id` with `pid` taken out; [`NONE`] when nothing is left.
    fn without(&mut self, id: u32, pid: u32) -> u32 {
        let pids: Vec<u32> = self.get(id).iter().copied().filter(|&p| p != pid).collect();
        if pids.is_empty() {
            NONE
        } else {
            self.intern(pids)
        }
    }

    fn clear(&mut self) {
        self.sets.clear();
        self.ids.clear();
    }

    fn len(&self) -> usize {
        self.sets.len()
    }
}

/// The cache; share one between collectors with [`SharedProcesses`].
pub struct ProcessCache {
    procs: FxHashMap<u32, Proc>,
    denied: FxHashSet<u32>,
    /// Socket inode → the set of pids holding it (an id into `sets`);
    /// Fx-hashed (inodes and pids are kernel counters).
    index: FxHashMap<u32, u32>,
    sets: PidSets,
    unresolved: FxHashSet<u32>,
    /// The last lookup's wanted inodes, ascending, each with its owner set
    /// then ([`NONE`] when it had none): what the next lookup reuses for
    /// the inodes it wants again, so only new inodes are probed.
    last: Vec<(u32, u32)>,
    /// Inodes whose entry in `index` changed since the last lookup.
    changed: FxHashSet<u32>,
    /// Everything changed (a full scan renumbered the sets): `last` is void.
    all_changed: bool,
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
            sets: PidSets::default(),
            unresolved: FxHashSet::default(),
            last: Vec::new(),
            changed: FxHashSet::default(),
            all_changed: true,
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

    /// Heap bytes the cache holds for its socket → owners lookup (the
    /// inode index, the last lookup's inodes and each process's socket
    /// list), by capacity: for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        let map = |cap: usize, entry: usize| cap * (entry + 1);
        map(self.index.capacity(), 8)
            + map(self.unresolved.capacity(), 4)
            + map(self.changed.capacity(), 4)
            + self.last.capacity() * 8
            + self
                .procs
                .values()
                .map(|p| p.sockets.capacity() * 4)
                .sum::<usize>()
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
            if self.any_missing(&self.resolve(wanted), wanted) {
                self.rescan_changed();
                let full_allowed = self
                    .last_full
                    .is_none_or(|t| now.duration_since(t) >= self.full_every);
                let sets = self.resolve(wanted);
                if self.any_missing(&sets, wanted) && full_allowed {
                    self.full_scan(&pids, wanted, now);
                } else {
                    let missing = wanted
                        .iter()
                        .zip(&sets)
                        .filter(|&(_, &s)| s == NONE)
                        .map(|(&i, _)| i);
                    self.unresolved.extend(missing);
                }
            }
        }
        let sets = self.resolve(wanted);
        let table = self.table(wanted, &sets);
        self.last.clear();
        self.last.extend(wanted.iter().copied().zip(sets));
        self.changed.clear();
        self.all_changed = false;
        table
    }

    /// The owner set of each of `wanted` (sorted): the last lookup's for
    /// the inodes it had and whose entry did not change since, a probe of
    /// the index for the others.
    fn resolve(&self, wanted: &[u32]) -> Vec<u32> {
        let probe = |inode: &u32| self.index.get(inode).copied().unwrap_or(NONE);
        if self.all_changed {
            return wanted.iter().map(probe).collect();
        }
        let mut last = self.last.iter().peekable();
        wanted
            .iter()
            .map(|inode| {
                while last.next_if(|(i, _)| i < inode).is_some() {}
                match last.next_if(|(i, _)| i == inode) {
                    Some(&(_, set)) if self.changed.is_empty() || !self.changed.contains(inode) => {
                        set
                    }
                    _ => probe(inode),
                }
            })
            .collect()
    }

    fn any_missing(&self, sets: &[u32], wanted: &[u32]) -> bool {
        sets.iter()
            .zip(wanted)
            .any(|(&s, i)| s == NONE && !self.unresolved.contains(i))
    }

    fn full_scan(&mut self, pids: &[u32], wanted: &[u32], now: Instant) {
        self.procs.clear();
        self.index.clear();
        self.sets.clear();
        self.denied.clear();
        self.changed.clear();
        self.all_changed = true;
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

    /// Records that `inode`'s owners changed (unless everything did).
    fn touch(&mut self, inode: u32) {
        if !self.all_changed {
            self.changed.insert(inode);
        }
    }

    fn remove(&mut self, pid: u32) {
        let Some(old) = self.procs.remove(&pid) else {
            return;
        };
        // Most of a process's sockets share one set: compute each change once.
        let mut memo: FxHashMap<u32, u32> = FxHashMap::default();
        for inode in old.sockets {
            let Some(&set) = self.index.get(&inode) else {
                continue;
            };
            let after = match memo.get(&set) {
                Some(&a) => a,
                None => {
                    let a = self.sets.without(set, pid);
                    memo.insert(set, a);
                    a
                }
            };
            if after == NONE {
                self.index.remove(&inode);
            } else {
                self.index.insert(inode, after);
            }
            self.touch(inode);
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
                let mut memo: FxHashMap<u32, u32> = FxHashMap::default();
                for &inode in &s.sockets {
                    let set = self.index.get(&inode).copied().unwrap_or(NONE);
                    let after = match memo.get(&set) {
                        Some(&a) => a,
                        None => {
                            let a = self.sets.with(set, pid);
                            memo.insert(set, a);
                            a
                        }
                    };
                    self.index.insert(inode, after);
                    self.touch(inode);
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

    /// The table of `wanted` (sorted) whose owner sets are `sets`: each set
    /// used is translated once (pids to indices into the table's process
    /// list) and every socket refers to it.
    fn table(&self, wanted: &[u32], sets: &[u32]) -> ProcessTable {
        let mut used: Vec<u32> = Vec::new();
        let mut renumber = vec![NONE; self.sets.len()];
        for &s in sets {
            if s != NONE && renumber[s as usize] == NONE {
                renumber[s as usize] = used.len() as u32;
                used.push(s);
            }
        }
        let mut pids: Vec<u32> = used
            .iter()
            .flat_map(|&s| self.sets.get(s).iter().copied())
            .collect();
        pids.sort_unstable();
        pids.dedup();
        let mut sockets = SocketOwners::default();
        for &s in &used {
            let members: Vec<u32> = self
                .sets
                .get(s)
                .iter()
                .map(|p| pids.binary_search(p).expect("collected above") as u32)
                .collect();
            sockets.add_set(&members);
        }
        sockets.reserve(sets.iter().filter(|&&s| s != NONE).count());
        for (&inode, &s) in wanted.iter().zip(sets) {
            if s != NONE {
                sockets.push(inode, renumber[s as usize]);
            }
        }
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

    /// Starts `sleep` holding a copy of descriptor `fd`.
    fn holder_of(fd: std::os::fd::RawFd) -> std::process::Child {
        use std::os::unix::process::CommandExt;
        let mut cmd = std::process::Command::new("sleep");
        cmd.arg("600");
        // SAFETY: between fork and exec only fcntl, async-signal-safe, on
        // a descriptor this process owns.
        unsafe {
            cmd.pre_exec(move || {
                if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        cmd.spawn().unwrap()
    }

    fn owner_pids(table: &ProcessTable, inode: u32) -> Vec<u32> {
        let mut pids: Vec<u32> = table
            .of_inode(inode)
            .iter()
            .map(|&i| table.list[i as usize].pid)
            .collect();
        pids.sort_unstable();
        pids
    }

    /// Warm lookups reuse the last lookup's owners for the inodes they
    /// want again: an owner that appears or exits in between must show.
    #[test]
    fn reused_owners_follow_holders_that_start_and_exit() {
        use std::os::fd::AsRawFd;
        use std::os::unix::ffi::OsStrExt;
        let inode_of = |fd: std::os::fd::RawFd| {
            let link = std::fs::read_link(format!("/proc/self/fd/{fd}")).unwrap();
            process_scan::socket_inode(link.as_os_str().as_bytes()).unwrap()
        };
        let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let b = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let (ia, ib) = (inode_of(a.as_raw_fd()), inode_of(b.as_raw_fd()));
        let me = std::process::id();
        let mut cache = ProcessCache::new(Duration::from_secs(3600));
        let t0 = Instant::now();
        let mut wanted = vec![ia];
        let first = cache.lookup(&wanted, t0);
        assert_eq!(owner_pids(&first, ia), [me]);
        assert_eq!(cache.counters().full_scans, 1);

        let mut child = holder_of(a.as_raw_fd());
        let pid = child.id();
        // The child holds the inode once it has exec'd (and is listed).
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut shared = cache.lookup(&wanted, t0);
        while owner_pids(&shared, ia).len() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            shared = cache.lookup(&wanted, t0);
        }
        let mut both = vec![me, pid];
        both.sort_unstable();
        assert_eq!(owner_pids(&shared, ia), both, "the new holder is found");

        wanted = vec![ia, ib];
        wanted.sort_unstable();
        let more = cache.lookup(&wanted, t0);
        assert_eq!(owner_pids(&more, ia), both, "reused");
        assert_eq!(owner_pids(&more, ib), [me], "a new inode is looked up");

        child.kill().unwrap();
        child.wait().unwrap();
        let after = cache.lookup(&wanted, t0);
        assert_eq!(owner_pids(&after, ia), [me], "the exited holder is gone");
        assert_eq!(owner_pids(&after, ib), [me]);
        assert_eq!(
            after.list.iter().map(|p| p.pid).collect::<Vec<_>>(),
            [me],
            "the process list names live holders only"
        );
        assert_eq!(cache.counters().full_scans, 1, "all of it warm");
    }
}
