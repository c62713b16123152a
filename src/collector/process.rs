//! Socket inode → owning processes, incrementally.
//!
//! A full scan reads every descriptor of every process (one `readlink`
//! each): about half a second for 100k sockets, seconds for a million.
//! [`ProcessCache`] keeps what it read per process and, on each refresh, only
//! 1. lists `/proc` (to forget exited processes and scan new ones),
//! 2. when a socket has no known owner, compares each
//!    cached process's descriptor count (one `stat`) and rescans the ones
//!    that changed,
//! 3. starts a full scan when owners are still missing and the last full
//!    scan is at least `full_every` old, and unconditionally every
//!    [`FULL_PERIOD_FACTOR`] × `full_every` (descriptors passed between
//!    processes or pids reused are caught there).
//!
//! Only the first full scan runs on the caller's thread. Later ones run on
//! a thread of their own while lookups go on with the last complete scan,
//! kept current by steps 1 and 2; the first lookup after a scan is done
//! takes its result. Until then a socket that only the full scan would
//! place has no owner (shown as `?` or blank), and
//! [`ProcessCache::attribute`] notes that a scan is under way. Every owner
//! shown was read from `/proc`.
//!
//! Lookups reuse earlier results. The sockets of a snapshot's shared part
//! (the kept states of one full dump, shown again by every queues-only
//! round after it) get a table part of their own, reused whole while none
//! of their owners changed; for the other sockets, the owners of the inodes
//! the previous lookup also wanted are reused unless they changed.

use std::collections::HashMap;
use std::sync::mpsc::{self, TryRecvError};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rustc_hash::{FxHashMap, FxHashSet};

use super::inode_index::InodeIndex;
use super::process_scan::{self, ScanFailure};
use crate::model::socket_owners::InodeSets;
use crate::model::{ProcessInfo, ProcessTable, Snapshot, SocketOwners, TcpSocket};

/// An unconditional full scan happens every this many `full_every`.
pub const FULL_PERIOD_FACTOR: u32 = 6;

/// Cumulative counts of `/proc` reads and of reused results, for tests and
/// the benchmark.
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
    /// Full scans whose result was taken (the first on the caller's
    /// thread, later ones on a thread of their own).
    pub full_scans: u64,
    /// Full scans started on a thread of their own.
    pub background_scans: u64,
    /// Lookups that reused the owners of a snapshot's shared part whole.
    pub shared_reused: u64,
    /// Inodes of shared parts whose owners a lookup resolved again.
    pub shared_resolved: u64,
}

impl ScanCounters {
    fn plus(self, o: ScanCounters) -> ScanCounters {
        ScanCounters {
            proc_listings: self.proc_listings + o.proc_listings,
            processes_scanned: self.processes_scanned + o.processes_scanned,
            fd_links_read: self.fd_links_read + o.fd_links_read,
            fd_counts_read: self.fd_counts_read + o.fd_counts_read,
            full_scans: self.full_scans + o.full_scans,
            background_scans: self.background_scans + o.background_scans,
            shared_reused: self.shared_reused + o.shared_reused,
            shared_resolved: self.shared_resolved + o.shared_resolved,
        }
    }
}

struct Proc {
    info: ProcessInfo,
    fd_count: usize,
    sockets: Vec<u32>,
}

/// "No owner set": an inode no cached process holds.
const NONE: u32 = u32::MAX;

/// Sets of pids holding a socket, each stored once and named by its index
/// (a million sockets share a few hundred sets). Ids stay valid as long as
/// the [`Owners`] holding them.
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

    fn len(&self) -> usize {
        self.sets.len()
    }
}

/// What one full scan of `/proc` found, kept current since: each process
/// read and the socket → owner set index.
#[derive(Default)]
struct Owners {
    procs: FxHashMap<u32, Proc>,
    denied: FxHashSet<u32>,
    /// Socket inode → the set of pids holding it (an id into `sets`).
    index: InodeIndex,
    sets: PidSets,
    /// Inodes whose entry in `index` changed since the cache last looked
    /// ([`ProcessCache::fold_changes`]).
    changed: FxHashSet<u32>,
    /// Everything changed (a new scan): results built before are void.
    all_changed: bool,
    /// uid → user name.
    users: HashMap<u32, String>,
    /// Reads done on these owners.
    counters: ScanCounters,
}

impl Owners {
    /// A full scan of `pids`.
    fn scan_all(pids: &[u32], users: HashMap<u32, String>) -> Owners {
        let mut owners = Owners {
            all_changed: true,
            users,
            ..Owners::default()
        };
        for &pid in pids {
            owners.rescan(pid);
        }
        owners.counters.full_scans += 1;
        owners
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

    /// Scans the processes of `pids` not read yet.
    fn scan_new(&mut self, pids: &[u32]) {
        for &pid in pids {
            if !self.procs.contains_key(&pid) && !self.denied.contains(&pid) {
                self.rescan(pid);
            }
        }
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
            let Some(set) = self.index.get(inode) else {
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
                self.index.remove(inode);
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
                    let set = self.index.get(inode).unwrap_or(NONE);
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

    /// A reader of owner sets for inodes looked up in ascending order
    /// ([`NONE`] for an inode no cached process holds).
    fn probe(&self) -> impl FnMut(u32) -> u32 + '_ {
        let mut read = self.index.ascending();
        move |inode| read.get(inode).unwrap_or(NONE)
    }
}

/// A full scan under way on a thread of its own.
struct RunningScan {
    started: Instant,
    done: mpsc::Receiver<Owners>,
}

/// The most namespaces whose shared part's owners are kept (the least
/// recently looked up goes first).
const MEMOS_MAX: usize = 256;

/// The owners of one shared part of a snapshot's TCP list (the kept states
/// of one full dump of one namespace), for the rounds that show it again.
struct SharedMemo {
    /// The namespace (its label) whose list it is.
    netns: String,
    /// The lookup that used it last (a count of lookups).
    used_at: u64,
    /// The list it is for, by identity: while this weak reference lives,
    /// no other list can take its address.
    of: Weak<Vec<TcpSocket>>,
    /// Its socket inodes, ascending, without 0 and repeats.
    wanted: Vec<u32>,
    /// Those with owners, with local set ids.
    part: Arc<InodeSets>,
    /// Local set id → the cache's set id.
    used: Vec<u32>,
    /// Those without owners, ascending.
    unowned: Vec<u32>,
    /// Whether its unowned inodes were taken care of (rescans, a full scan
    /// asked for, marked unresolved).
    settled: bool,
    /// Inodes of `wanted` whose owners changed since it was built.
    dirty: FxHashSet<u32>,
    /// Every owner may have changed (a new full scan was taken).
    void: bool,
}

impl SharedMemo {
    fn is_for(&self, list: &Arc<Vec<TcpSocket>>) -> bool {
        std::ptr::eq(self.of.as_ptr(), Arc::as_ptr(list))
    }
}

/// The cache; share one between collectors with [`SharedProcesses`].
pub struct ProcessCache {
    owners: Owners,
    /// Wanted inodes without an owner that the rescans did not find: they
    /// trigger no more rescans until their owners change or a new full
    /// scan is taken.
    unresolved: FxHashSet<u32>,
    /// The last lookup's own wanted inodes (not of a shared part),
    /// ascending, each with its owner set then ([`NONE`] when it had
    /// none): what the next lookup reuses for the inodes it wants again.
    last: Vec<(u32, u32)>,
    /// Inodes of `last` whose owners changed since.
    last_dirty: FxHashSet<u32>,
    /// Everything changed since `last`.
    last_void: bool,
    /// The owners of the last shared part looked up in each namespace.
    memos: Vec<SharedMemo>,
    /// Lookups so far.
    lookups: u64,
    scan: Option<RunningScan>,
    last_full: Option<Instant>,
    full_every: Duration,
    /// Counts of owners replaced by a new scan, and of reuse.
    counters: ScanCounters,
}

/// A cache shared by the collectors of several namespaces.
pub type SharedProcesses = Arc<Mutex<ProcessCache>>;

/// `inodes` without 0, ascending, without repeats.
fn sorted_inodes(inodes: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut out: Vec<u32> = inodes.filter(|&i| i != 0).collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl ProcessCache {
    /// An empty cache; owners still missing trigger a full scan at most
    /// once per `full_every`.
    pub fn new(full_every: Duration) -> ProcessCache {
        ProcessCache {
            owners: Owners::default(),
            unresolved: FxHashSet::default(),
            last: Vec::new(),
            last_dirty: FxHashSet::default(),
            last_void: true,
            memos: Vec::new(),
            lookups: 0,
            scan: None,
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
        self.counters.plus(self.owners.counters)
    }

    /// How long the full scan under way on its own thread has run, if one is.
    pub fn scan_under_way(&self, now: Instant) -> Option<Duration> {
        self.scan
            .as_ref()
            .map(|s| now.saturating_duration_since(s.started))
    }

    /// Heap bytes the cache holds for its socket → owners lookup (the
    /// inode index, the last lookup's inodes, the shared part's and each
    /// process's socket list), by capacity: for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        let map = |cap: usize, entry: usize| cap * (entry + 1);
        let o = &self.owners;
        let memo: usize = self
            .memos
            .iter()
            .map(|m| {
                4 * (m.wanted.capacity() + m.used.capacity() + m.unowned.capacity())
                    + map(m.dirty.capacity(), 4)
            })
            .sum();
        o.index.heap_bytes()
            + map(self.unresolved.capacity(), 4)
            + map(o.changed.capacity(), 4)
            + map(self.last_dirty.capacity(), 4)
            + self.last.capacity() * 8
            + memo
            + o.procs
                .values()
                .map(|p| p.sockets.capacity() * 4)
                .sum::<usize>()
    }

    /// The inodes of `snapshot` to find owners for: every TCP socket with
    /// an inode (listeners, the connections they accepted, outbound
    /// sockets), UNIX listeners and their clients.
    pub fn wanted(&self, snapshot: &Snapshot) -> Vec<u32> {
        sorted_inodes(
            snapshot
                .tcp
                .iter()
                .map(|s| s.inode)
                .chain(snapshot.unix_listeners.iter().map(|u| u.inode))
                .chain(snapshot.unix_peers.iter().map(|p| p.peer)),
        )
    }

    /// Fills `snapshot.processes` for [`ProcessCache::wanted`] (the shared
    /// part of its TCP list through [`ProcessCache::lookup_parts`]) and adds
    /// a note when some processes could not be read or a full scan is under way.
    pub fn attribute(&mut self, snapshot: &mut Snapshot, now: Instant) {
        let (own_tcp, shared) = snapshot.tcp.parts();
        let own = sorted_inodes(
            own_tcp
                .iter()
                .map(|s| s.inode)
                .chain(snapshot.unix_listeners.iter().map(|u| u.inode))
                .chain(snapshot.unix_peers.iter().map(|p| p.peer)),
        );
        let shared = shared.cloned();
        let part = shared.as_ref().map(|list| (snapshot.netns.as_str(), list));
        snapshot.processes = self.lookup_parts(own, part, now);
        if snapshot.processes.denied > 0 {
            snapshot.collector.notes.push(format!(
                "process owners unknown (shown as ?) for sockets of {} processes whose /proc/<pid>/fd \
                 this user may not read; run as root or with CAP_SYS_PTRACE for full attribution",
                snapshot.processes.denied
            ));
        }
        if let Some(running) = self.scan_under_way(now) {
            snapshot.collector.notes.push(format!(
                "a full /proc scan for process owners has run for {}s on its own thread: owners are those \
                 of the last complete scan and of the processes read since; sockets only it can place \
                 have none yet",
                running.as_secs()
            ));
        }
    }

    /// Owners of `wanted` (sorted inodes), refreshing the cache as described
    /// in the module documentation.
    pub fn lookup(&mut self, wanted: &[u32], now: Instant) -> ProcessTable {
        self.lookup_parts(wanted.to_vec(), None, now)
    }

    /// Owners of `own` (sorted inodes) and of the sockets of `shared` (a
    /// namespace's label and its snapshot's shared TCP part): the part of
    /// the table for the shared list is the one built for the same list
    /// when none of its owners changed since, rebuilt otherwise (reusing
    /// the owners that did not change).
    pub fn lookup_parts(
        &mut self,
        mut own: Vec<u32>,
        shared: Option<(&str, &Arc<Vec<TcpSocket>>)>,
        now: Instant,
    ) -> ProcessTable {
        self.lookups += 1;
        let pids = process_scan::list_pids();
        self.counters.proc_listings += 1;
        self.take_finished_scan(now);
        match self.last_full {
            None => {
                let users = std::mem::take(&mut self.owners.users);
                self.replace_owners(Owners::scan_all(&pids, users));
                self.last_full = Some(now);
            }
            Some(t) => {
                if now.duration_since(t) >= self.full_every * FULL_PERIOD_FACTOR {
                    self.start_scan(now);
                }
                self.owners.forget_exited(&pids);
                self.owners.scan_new(&pids);
            }
        }
        let mut memo = shared.map(|(netns, list)| self.sync_memo(netns, list));
        if let Some(m) = memo {
            let kept = &self.memos[m].wanted;
            own.retain(|i| kept.binary_search(i).is_err());
        }
        let mut sets = self.resolve(&own);
        if self.any_missing(&sets, &own) || memo.is_some_and(|m| self.memo_missing(m)) {
            self.owners.rescan_changed();
            sets = self.resolve(&own);
            memo = shared.map(|(netns, list)| self.sync_memo(netns, list));
            let still = self.any_missing(&sets, &own) || memo.is_some_and(|m| self.memo_missing(m));
            let full_allowed = self
                .last_full
                .is_none_or(|t| now.duration_since(t) >= self.full_every);
            if still && full_allowed {
                self.start_scan(now);
            }
            let missing = own
                .iter()
                .zip(&sets)
                .filter(|&(_, &s)| s == NONE)
                .map(|(&i, _)| i);
            self.unresolved.extend(missing);
            if let Some(m) = memo {
                let m = &mut self.memos[m];
                self.unresolved.extend(m.unowned.iter().copied());
                m.settled = true;
            }
        }
        let table = self.table(&own, &sets, memo.map(|m| &self.memos[m]));
        self.last.clear();
        self.last.extend(own.iter().copied().zip(sets));
        self.last_dirty.clear();
        self.last_void = false;
        table
    }

    /// Waits for the full scan under way on its own thread, if one is, and
    /// takes its result as the next lookup would (for tests: they wait on
    /// the scan, not on a clock).
    pub fn finish_scan(&mut self, now: Instant) {
        if let Some(scan) = self.scan.take()
            && let Ok(owners) = scan.done.recv()
        {
            self.last_full = Some(now);
            self.replace_owners(owners);
        }
    }

    /// Takes the result of the full scan under way if it is done; the
    /// next periods count from `now` (a scan that takes longer than
    /// `full_every` does not start the next one at once).
    fn take_finished_scan(&mut self, now: Instant) {
        let Some(scan) = &self.scan else {
            return;
        };
        match scan.done.try_recv() {
            Ok(owners) => {
                self.scan = None;
                self.last_full = Some(now);
                self.replace_owners(owners);
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.scan = None,
        }
    }

    fn replace_owners(&mut self, owners: Owners) {
        let old = std::mem::replace(&mut self.owners, owners);
        self.counters = self.counters.plus(old.counters);
        self.unresolved.clear();
    }

    /// Starts a full scan on a thread of its own, unless one is under way;
    /// when the thread cannot be started the scan waits for the next period.
    fn start_scan(&mut self, now: Instant) {
        if self.scan.is_some() {
            return;
        }
        self.last_full = Some(now);
        let users = self.owners.users.clone();
        let (tx, done) = mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("sockscope-procs".to_owned())
            .spawn(move || {
                let pids = process_scan::list_pids();
                // The cache may be gone by now: nobody to hand it to.
                let _ = tx.send(Owners::scan_all(&pids, users));
            });
        if spawned.is_ok() {
            self.counters.background_scans += 1;
            self.scan = Some(RunningScan { started: now, done });
        }
    }

    /// Hands the owner changes since the last call to what was built from
    /// the owners before: `last`, the shared part's memo and `unresolved`.
    fn fold_changes(&mut self) {
        let owners = &mut self.owners;
        if owners.all_changed {
            owners.all_changed = false;
            owners.changed.clear();
            self.last_void = true;
            self.memos.iter_mut().for_each(|m| m.void = true);
            return;
        }
        for &inode in &owners.changed {
            self.unresolved.remove(&inode);
            if !self.last_void && self.last.binary_search_by_key(&inode, |&(i, _)| i).is_ok() {
                self.last_dirty.insert(inode);
            }
            for m in self.memos.iter_mut().filter(|m| !m.void) {
                if m.wanted.binary_search(&inode).is_ok() {
                    m.dirty.insert(inode);
                }
            }
        }
        owners.changed.clear();
    }

    /// The owner set of each of `wanted` (sorted): the last lookup's for
    /// the inodes it had and whose entry did not change since, a probe of
    /// the index for the others.
    fn resolve(&mut self, wanted: &[u32]) -> Vec<u32> {
        self.fold_changes();
        let owners = &self.owners;
        let mut probe = owners.probe();
        if self.last_void {
            return wanted.iter().map(|&i| probe(i)).collect();
        }
        let dirty = &self.last_dirty;
        let mut last = self.last.iter().peekable();
        wanted
            .iter()
            .map(|&inode| {
                while last.next_if(|(i, _)| *i < inode).is_some() {}
                match last.next_if(|(i, _)| *i == inode) {
                    Some(&(_, set)) if dirty.is_empty() || !dirty.contains(&inode) => set,
                    _ => probe(inode),
                }
            })
            .collect()
    }

    /// Brings `netns`'s memo up to date for `list` and returns its index:
    /// kept as it is when it is for `list` and none of its owners changed,
    /// rebuilt otherwise, from the memo before for the inodes whose owners
    /// did not change.
    fn sync_memo(&mut self, netns: &str, list: &Arc<Vec<TcpSocket>>) -> usize {
        self.fold_changes();
        let at = self.memos.iter().position(|m| m.netns == netns);
        let same = at.is_some_and(|i| self.memos[i].is_for(list));
        if let Some(i) = at.filter(|_| same)
            && !self.memos[i].void
            && self.memos[i].dirty.is_empty()
        {
            self.counters.shared_reused += 1;
            self.memos[i].used_at = self.lookups;
            return i;
        }
        let old = match at {
            Some(i) => Some(self.memos.swap_remove(i)),
            None => {
                if self.memos.len() >= MEMOS_MAX
                    && let Some(oldest) =
                        (0..self.memos.len()).min_by_key(|&i| self.memos[i].used_at)
                {
                    self.memos.swap_remove(oldest);
                }
                None
            }
        };
        let wanted = match &old {
            Some(m) if same => m.wanted.clone(),
            _ => sorted_inodes(list.iter().map(|s| s.inode)),
        };
        self.counters.shared_resolved += wanted.len() as u64;
        let owners = &self.owners;
        let mut probe = owners.probe();
        let sets: Vec<u32> = match old.as_ref().filter(|m| !m.void) {
            None => wanted.iter().map(|&i| probe(i)).collect(),
            Some(m) => {
                let mut before = m.part.iter().peekable();
                wanted
                    .iter()
                    .map(|&inode| {
                        while before.next_if(|&(i, _)| i < inode).is_some() {}
                        match before.next_if(|&(i, _)| i == inode) {
                            Some((_, local)) if m.dirty.is_empty() || !m.dirty.contains(&inode) => {
                                m.used[local as usize]
                            }
                            _ => probe(inode),
                        }
                    })
                    .collect()
            }
        };
        let mut local = vec![NONE; owners.sets.len()];
        let mut used = Vec::new();
        let mut unowned = Vec::new();
        let mut part = InodeSets::default();
        part.reserve(wanted.len());
        for (&inode, &set) in wanted.iter().zip(&sets) {
            if set == NONE {
                unowned.push(inode);
                continue;
            }
            if local[set as usize] == NONE {
                local[set as usize] = used.len() as u32;
                used.push(set);
            }
            part.push(inode, local[set as usize]);
        }
        self.memos.push(SharedMemo {
            netns: netns.to_owned(),
            used_at: self.lookups,
            of: Arc::downgrade(list),
            wanted,
            part: Arc::new(part),
            used,
            unowned,
            settled: false,
            dirty: FxHashSet::default(),
            void: false,
        });
        self.memos.len() - 1
    }

    /// Whether memo `m` has inodes without owners not looked for yet.
    fn memo_missing(&self, m: usize) -> bool {
        let m = &self.memos[m];
        !m.settled && m.unowned.iter().any(|i| !self.unresolved.contains(i))
    }

    fn any_missing(&self, sets: &[u32], wanted: &[u32]) -> bool {
        sets.iter()
            .zip(wanted)
            .any(|(&s, i)| s == NONE && !self.unresolved.contains(i))
    }

    /// The table of `wanted` (sorted) whose owner sets are `sets`, sharing
    /// `memo`'s part when given: each set used is translated once (pids to
    /// indices into the table's process list) and every socket refers to it.
    fn table(&self, wanted: &[u32], sets: &[u32], memo: Option<&SharedMemo>) -> ProcessTable {
        let owners = &self.owners;
        let mut used: Vec<u32> = memo.map(|m| m.used.clone()).unwrap_or_default();
        let mut renumber = vec![NONE; owners.sets.len()];
        for (i, &s) in used.iter().enumerate() {
            renumber[s as usize] = i as u32;
        }
        for &s in sets {
            if s != NONE && renumber[s as usize] == NONE {
                renumber[s as usize] = used.len() as u32;
                used.push(s);
            }
        }
        let mut pids: Vec<u32> = used
            .iter()
            .flat_map(|&s| owners.sets.get(s).iter().copied())
            .collect();
        pids.sort_unstable();
        pids.dedup();
        let mut sockets = SocketOwners::default();
        for &s in &used {
            let members: Vec<u32> = owners
                .sets
                .get(s)
                .iter()
                .map(|p| pids.binary_search(p).expect("collected above") as u32)
                .collect();
            sockets.add_set(&members);
        }
        if let Some(m) = memo {
            sockets.share(Arc::clone(&m.part));
        }
        sockets.reserve(sets.iter().filter(|&&s| s != NONE).count());
        for (&inode, &s) in wanted.iter().zip(sets) {
            if s != NONE {
                sockets.push(inode, renumber[s as usize]);
            }
        }
        ProcessTable {
            enabled: true,
            denied: owners.denied.len() as u32,
            list: pids.iter().map(|p| owners.procs[p].info.clone()).collect(),
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
