//! Groups a snapshot's sockets under the listeners they belong to, and the
//! rest under the remote endpoints they talk to.
//!
//! Attribution rule: a non-listening socket belongs to a listener when its
//! **local** port is the listener's port and its local address matches, the
//! exact address first, then the wildcard of the socket's own family
//! (`0.0.0.0` for IPv4, `[::]` for IPv6, which also covers IPv4-mapped
//! addresses accepted by a dual-stack listener).

use std::net::{IpAddr, SocketAddr};

use rustc_hash::FxHashMap;

use super::endpoint::Endpoint;
use super::kernel_ages::queued_wait_ms;
pub use super::owner_list::{Owner, OwnerList};
use super::snapshot::{Snapshot, TcpSocket, TcpState};
use super::states::StateCounts;

/// One LISTEN socket of a listener group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Socket inode (`idiag_inode`).
    pub inode: u32,
    /// Socket cookie.
    pub cookie: u64,
    /// Owner uid.
    pub uid: u32,
    /// Connections waiting in this socket's accept queue (Recv-Q of LISTEN).
    pub accept_queue: u64,
    /// This socket's backlog limit (Send-Q of LISTEN).
    pub backlog: u64,
    /// This socket's `sk_drops` (see [`TcpSocket::drops`](super::snapshot::TcpSocket::drops)):
    /// connections and SYNs it dropped since it was created, a wrapping u32
    /// counter; `None` in recordings made without drop data.
    pub drops: Option<u32>,
    /// Processes holding this socket open: indices into
    /// `snapshot.processes.list`, ascending.
    pub processes: Vec<u32>,
}

impl Member {
    /// Accept-queue fill of this socket, 0.0 to 1.0 (and above when the
    /// kernel lets the queue reach backlog + 1); 0 when the backlog is 0.
    pub fn fill(&self) -> f64 {
        if self.backlog == 0 {
            0.0
        } else {
            self.accept_queue as f64 / self.backlog as f64
        }
    }

    /// Recv-Q at or above the backlog (the kernel lets it reach backlog + 1):
    /// the next completed handshake is dropped.
    pub fn is_full(&self) -> bool {
        self.accept_queue > 0 && self.accept_queue >= self.backlog
    }
}

/// A TCP listener: every LISTEN socket bound to one local address:port
/// (several with SO_REUSEPORT), plus the connections attributed to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// The bound address and port.
    pub local: SocketAddr,
    /// The LISTEN sockets, in dump order.
    pub members: Vec<Member>,
    /// Sum of the members' accept queues, connections. With SO_REUSEPORT
    /// each member has its own queue: judge fullness by [`Listener::fill`].
    pub accept_queue: u64,
    /// Sum of the members' backlog limits, connections.
    pub backlog: u64,
    /// Attributed non-listening sockets by state (LISTEN and SYN_SENT stay 0).
    pub states: StateCounts,
    /// Processes holding any member open: indices into
    /// `snapshot.processes.list`, ascending. Request sockets and TIME_WAIT
    /// (inode 0) of this listener belong to these processes too.
    pub processes: Vec<u32>,
    /// Index into `snapshot.netns_parts` of its namespace (0 for one namespace).
    pub netns: u16,
    /// Attributed connections still in the accept queue (inode 0,
    /// ESTABLISHED or CLOSE_WAIT: never accepted); equals `accept_queue`
    /// within one dump's skew.
    pub queued: u64,
    /// How long the oldest queued connection has waited at least,
    /// milliseconds, from the kernel's `tcp_info` (`None` when not collected).
    pub oldest_queued_ms: Option<u64>,
    /// CLOSE_WAIT connections with Recv-Q ≥ 1: the app never read to EOF.
    pub close_wait_unread: u64,
    /// CLOSE_WAIT connections with Recv-Q 0: read EOF, never closed.
    pub close_wait_read: u64,
}

impl Listener {
    /// Adds LISTEN socket `sock` as the last member, its queue and backlog
    /// into the sums.
    pub(crate) fn add_member(&mut self, sock: &TcpSocket) {
        self.members.push(Member {
            inode: sock.inode,
            cookie: sock.cookie,
            uid: sock.uid,
            accept_queue: u64::from(sock.recv_q),
            backlog: u64::from(sock.send_q),
            drops: sock.drops,
            processes: Vec::new(),
        });
        self.accept_queue += u64::from(sock.recv_q);
        self.backlog += u64::from(sock.send_q);
    }

    /// Number of attributed non-listening sockets.
    pub fn sockets(&self) -> u64 {
        self.states.total()
    }

    /// The member with the fullest accept queue (by fill, then by queue
    /// length; the first in dump order on a tie).
    pub fn fullest(&self) -> Option<&Member> {
        self.members.iter().reduce(|best, m| {
            let key = |x: &Member| (x.fill(), x.accept_queue);
            if key(m) > key(best) { m } else { best }
        })
    }

    /// Accept-queue fill of the fullest member ([`Member::fill`]): a
    /// listener is as full as its fullest SO_REUSEPORT member, since the
    /// kernel hashes each connection to one member and drops it there.
    pub fn fill(&self) -> f64 {
        self.fullest().map_or(0.0, Member::fill)
    }

    /// How full the listener is, for sorting: the fullest member's fill in
    /// permille (0 when its backlog is 0), then its queue length,
    /// connections.
    pub fn fill_rank(&self) -> (u64, u64) {
        self.fullest().map_or((0, 0), |m| {
            let permille = (m.accept_queue * 1000).checked_div(m.backlog);
            (permille.unwrap_or(0), m.accept_queue)
        })
    }

    /// How much trouble the listener is in, larger is worse: the fullest
    /// member's fill in permille, then its CLOSE_WAIT, SYN_RECV and
    /// TIME_WAIT connections. See [`trouble_first`].
    pub fn trouble(&self) -> (u64, u64, u64, u64) {
        (
            self.fill_rank().0,
            self.states[TcpState::CloseWait],
            self.states[TcpState::SynRecv],
            self.states[TcpState::TimeWait],
        )
    }

    /// Members whose accept queue is at or over their backlog.
    pub fn full_members(&self) -> usize {
        self.members.iter().filter(|m| m.is_full()).count()
    }

    /// Sum of the members' `sk_drops` counters (each a wrapping u32, so
    /// the sum can go down when one wraps or a member closes); `None` when
    /// any member lacks drop data.
    pub fn drops(&self) -> Option<u64> {
        self.members.iter().map(|m| m.drops.map(u64::from)).sum()
    }
}

/// The order "trouble" of the dashboard's listeners table (its default)
/// and of the text report: the most [`Listener::trouble`] first; equal
/// ones keep their order.
pub fn trouble_first(a: &Listener, b: &Listener) -> std::cmp::Ordering {
    b.trouble().cmp(&a.trouble())
}

/// Sockets attributed to no listener, grouped by local address and remote
/// endpoint: the outbound connections, where ephemeral ports run out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    /// The remote address and port.
    pub remote: SocketAddr,
    /// The local address these sockets use.
    pub local_ip: IpAddr,
    /// Sockets by state.
    pub states: StateCounts,
    /// Distinct local ports in use toward this remote from `local_ip`.
    pub local_ports: u64,
    /// Index into `snapshot.netns_parts` of its namespace (0 for one namespace).
    pub netns: u16,
    /// The processes holding most of these sockets, at most
    /// [`REMOTE_PROCESSES`], most sockets first (ties by index): indices
    /// into `snapshot.processes.list`.
    pub processes: Vec<u32>,
}

/// How many owning processes a remote names at most.
pub const REMOTE_PROCESSES: usize = 3;

/// Everything the screens and exports show about one snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Aggregate {
    /// Every TCP socket by state, LISTEN included.
    pub totals: StateCounts,
    /// Listeners sorted by port, then address.
    pub listeners: Vec<Listener>,
    /// Remotes sorted by socket count (most first), then address.
    pub remotes: Vec<Remote>,
    /// For each socket of `snapshot.tcp`, at the same index, its group.
    pub owners: OwnerList,
    /// The connections of every listener in one flat list (CSR layout): those
    /// of listener `n` are `conn_index[conn_offsets[n]..conn_offsets[n + 1]]`,
    /// indices into `snapshot.tcp`, ascending. `conn_offsets` has one entry
    /// per listener plus one; both are emptied with the socket list.
    pub conn_offsets: Vec<u32>,
    /// See [`Aggregate::conn_offsets`].
    pub conn_index: Vec<u32>,
    /// For each UNIX listener of `snapshot.unix_listeners`, at the same
    /// index, the processes holding it (indices into `snapshot.processes.list`).
    pub unix_processes: Vec<Vec<u32>>,
}

impl Aggregate {
    /// Builds the aggregate of `snapshot`, the sample of one namespace
    /// (the merged view of several is put together from their aggregates,
    /// see [`Model::ingest_round`](super::Model::ingest_round)). Pure: no
    /// I/O, no clock.
    pub fn build(snapshot: &Snapshot) -> Aggregate {
        let mut totals = StateCounts::default();
        let mut listeners: Vec<Listener> = Vec::new();
        let mut by_local: FxHashMap<Endpoint, u32> = FxHashMap::default();
        let mut listening_ports = PortSet::default();
        let mut owners = OwnerList::filled(snapshot.tcp.len(), Owner::Remote(0));

        for (i, sock) in snapshot.tcp.iter().enumerate() {
            totals.add(sock.state);
            if sock.state != TcpState::Listen {
                continue;
            }
            let key = sock.local;
            listening_ports.insert(key.port());
            let idx = *by_local.entry(key).or_insert_with(|| {
                listeners.push(Listener {
                    netns: 0,
                    local: key.socket_addr(),
                    members: Vec::new(),
                    accept_queue: 0,
                    backlog: 0,
                    states: StateCounts::default(),
                    processes: Vec::new(),
                    queued: 0,
                    oldest_queued_ms: None,
                    close_wait_unread: 0,
                    close_wait_read: 0,
                });
                (listeners.len() - 1) as u32
            });
            listeners[idx as usize].add_member(sock);
            owners.set(i, Owner::Listening(idx));
        }

        let mut remote_idx: FxHashMap<(Endpoint, Endpoint), u32> = FxHashMap::default();
        let mut remotes: Vec<Remote> = Vec::new();
        let mut ports: Vec<Vec<u16>> = Vec::new();
        for (i, sock) in snapshot.tcp.iter().enumerate() {
            if sock.state == TcpState::Listen {
                continue;
            }
            let local = sock.local;
            let hit = if listening_ports.contains(local.port()) {
                by_local
                    .get(&local)
                    .or_else(|| by_local.get(&local.wildcard()))
            } else {
                None
            };
            if let Some(&idx) = hit {
                let l = &mut listeners[idx as usize];
                l.states.add(sock.state);
                if sock.state == TcpState::CloseWait {
                    if sock.close_wait_unread() {
                        l.close_wait_unread += 1;
                    } else {
                        l.close_wait_read += 1;
                    }
                }
                if sock.awaits_accept() {
                    l.queued += 1;
                    l.oldest_queued_ms = l.oldest_queued_ms.max(waited_in_queue(snapshot, sock));
                }
                owners.set(i, Owner::Listener(idx));
                continue;
            }
            let key = (local.without_port(), sock.remote);
            let idx = *remote_idx.entry(key).or_insert_with(|| {
                remotes.push(Remote {
                    netns: 0,
                    remote: key.1.socket_addr(),
                    local_ip: local.ip(),
                    states: StateCounts::default(),
                    local_ports: 0,
                    processes: Vec::new(),
                });
                ports.push(Vec::new());
                (remotes.len() - 1) as u32
            });
            remotes[idx as usize].states.add(sock.state);
            ports[idx as usize].push(local.port());
            owners.set(i, Owner::Remote(idx));
        }
        for (r, mut p) in remotes.iter_mut().zip(ports) {
            p.sort_unstable();
            p.dedup();
            r.local_ports = p.len() as u64;
        }

        if !snapshot.processes.sockets.is_empty() {
            remote_owners(snapshot, &owners, &mut remotes);
        }
        attach_processes(snapshot, &mut listeners);
        let unix_processes = unix_processes(snapshot);

        let mut agg = Aggregate {
            totals,
            listeners,
            remotes,
            owners,
            conn_offsets: Vec::new(),
            conn_index: Vec::new(),
            unix_processes,
        };
        agg.sort();
        agg.index_connections();
        agg
    }

    /// Fills the CSR connection index from `owners` (after the sort, so
    /// listener numbers are final). A listener's attributed sockets are
    /// exactly its `states`, so the offsets need no counting pass.
    pub(crate) fn index_connections(&mut self) {
        let mut offsets = Vec::with_capacity(self.listeners.len() + 1);
        let mut at = 0u32;
        offsets.push(0);
        for l in &self.listeners {
            at += l.sockets() as u32;
            offsets.push(at);
        }
        let mut next: Vec<u32> = offsets[..self.listeners.len()].to_vec();
        let mut index = vec![0u32; at as usize];
        for (i, o) in self.owners.iter().enumerate() {
            if let Owner::Listener(l) = o {
                let slot = &mut next[l as usize];
                index[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        self.conn_offsets = offsets;
        self.conn_index = index;
    }

    /// Sorts listeners and remotes into their documented order and remaps `owners`.
    pub(crate) fn sort(&mut self) {
        let mut lorder: Vec<u32> = (0..self.listeners.len() as u32).collect();
        lorder.sort_by_key(|&i| {
            let l = &self.listeners[i as usize];
            (l.local.port(), l.local.is_ipv6(), l.local.ip(), l.netns)
        });
        let mut rorder: Vec<u32> = (0..self.remotes.len() as u32).collect();
        rorder.sort_by(|&a, &b| {
            let (ra, rb) = (&self.remotes[a as usize], &self.remotes[b as usize]);
            rb.states
                .total()
                .cmp(&ra.states.total())
                .then(ra.remote.cmp(&rb.remote))
                .then(ra.local_ip.cmp(&rb.local_ip))
                .then(ra.netns.cmp(&rb.netns))
        });
        let lnew = inverse(&lorder);
        let rnew = inverse(&rorder);
        self.listeners = permute(std::mem::take(&mut self.listeners), &lorder);
        self.remotes = permute(std::mem::take(&mut self.remotes), &rorder);
        self.owners.map_in_place(|o| match o {
            Owner::Listening(i) => Owner::Listening(lnew[i as usize]),
            Owner::Listener(i) => Owner::Listener(lnew[i as usize]),
            Owner::Remote(i) => Owner::Remote(rnew[i as usize]),
        });
    }

    /// The listener bound to exactly `local` in the snapshot's first (for
    /// one namespace, only) namespace, if any; the rules judge one
    /// namespace at a time.
    pub fn listener(&self, local: SocketAddr) -> Option<&Listener> {
        self.listener_index(0, local).map(|i| &self.listeners[i])
    }

    /// Index of the listener bound to exactly `local` in namespace part
    /// `netns`. A binary search over the documented order, so the rules
    /// that look a listener up in every kept frame stay cheap at 50k
    /// listeners.
    pub fn listener_index(&self, netns: u16, local: SocketAddr) -> Option<usize> {
        let key = |a: &SocketAddr, n: u16| (a.port(), a.is_ipv6(), a.ip(), n);
        let want = key(&local, netns);
        let at = self
            .listeners
            .partition_point(|l| key(&l.local, l.netns) < want);
        self.listeners
            .get(at)
            .filter(|l| l.local == local && l.netns == netns)
            .map(|_| at)
    }

    /// Processes owning socket `i` of `snapshot.tcp`: for a socket with an
    /// inode, exactly the processes holding that inode (an accepted
    /// connection's worker; empty when unknown); a connection still in the
    /// accept queue has none yet; other sockets without inode (request
    /// sockets, TIME_WAIT) of a listener show its processes.
    pub fn processes_of<'a>(&'a self, snapshot: &'a Snapshot, i: usize) -> &'a [u32] {
        let sock = &snapshot.tcp[i];
        if sock.inode != 0 {
            return snapshot.processes.of_inode(sock.inode);
        }
        match self.owners.get(i) {
            Some(Owner::Listener(_)) if sock.awaits_accept() => &[],
            Some(Owner::Listener(l) | Owner::Listening(l)) => &self.listeners[l as usize].processes,
            Some(Owner::Remote(_)) | None => &[],
        }
    }

    /// [`ProcessTable::label`](super::ProcessTable::label) of
    /// [`Aggregate::processes_of`] socket `i`; empty, never `?`, for a
    /// socket without inode and without owners (one still in the accept
    /// queue, an outbound TIME_WAIT): no process holds it, whatever part of
    /// `/proc` could not be read.
    pub fn owner_label(&self, snapshot: &Snapshot, i: usize) -> String {
        let owners = self.processes_of(snapshot, i);
        if owners.is_empty() && snapshot.tcp[i].inode == 0 {
            return String::new();
        }
        snapshot.processes.label(owners)
    }

    /// Indices into `snapshot.tcp` of the connections of listener `idx`,
    /// ascending; empty once the frame has dropped its socket list.
    pub fn connections_of(&self, idx: usize) -> impl Iterator<Item = usize> + '_ {
        self.listener_connections(idx).iter().map(|&i| i as usize)
    }

    /// Indices into `snapshot.tcp` of the sockets of remote group `idx`,
    /// ascending; empty once the frame has dropped its socket list. A scan
    /// of [`Aggregate::owners`], done once per refresh of a remote's
    /// drill-down.
    pub fn remote_connections(&self, idx: usize) -> impl Iterator<Item = usize> + '_ {
        self.owners.positions(Owner::Remote(idx as u32))
    }

    /// The slice of [`Aggregate::conn_index`] holding listener `idx`'s
    /// connections; empty once the frame has dropped its socket list.
    pub fn listener_connections(&self, idx: usize) -> &[u32] {
        match (self.conn_offsets.get(idx), self.conn_offsets.get(idx + 1)) {
            (Some(&a), Some(&b)) => self.conn_index.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Fills each remote's `processes`: the owners of its sockets counted by
/// socket, the [`REMOTE_PROCESSES`] with most kept. `owners` still holds
/// the unsorted remote indices.
pub(crate) fn remote_owners(snapshot: &Snapshot, owners: &OwnerList, remotes: &mut [Remote]) {
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (s, o) in snapshot.tcp.iter().zip(owners.iter()) {
        if let Owner::Remote(r) = o {
            let held = snapshot.processes.of_inode(s.inode);
            pairs.extend(held.iter().map(|&p| (r, p)));
        }
    }
    pairs.sort_unstable();
    let mut counted: Vec<(u32, u64, u32)> = Vec::new();
    for (r, p) in pairs {
        match counted.last_mut() {
            Some(last) if last.0 == r && last.2 == p => last.1 += 1,
            _ => counted.push((r, 1, p)),
        }
    }
    counted.sort_unstable_by_key(|&(r, n, p)| (r, std::cmp::Reverse(n), p));
    for (r, _, p) in counted {
        let list = &mut remotes[r as usize].processes;
        if list.len() < REMOTE_PROCESSES {
            list.push(p);
        }
    }
}

/// How long `sock`, a connection still in an accept queue, has waited at
/// least, milliseconds, from the snapshot's `tcp_info` times.
pub(crate) fn waited_in_queue(snapshot: &Snapshot, sock: &TcpSocket) -> Option<u64> {
    snapshot.times_of(sock.cookie).and_then(queued_wait_ms)
}

/// Fills each listener's and member's `processes` from the snapshot's
/// process table.
pub(crate) fn attach_processes(snapshot: &Snapshot, listeners: &mut [Listener]) {
    let table = &snapshot.processes;
    for l in listeners {
        l.processes = table.union_of(l.members.iter().map(|m| m.inode));
        for m in &mut l.members {
            m.processes = table.of_inode(m.inode).to_vec();
        }
    }
}

/// The processes holding each UNIX listener of the snapshot, in its order.
pub(crate) fn unix_processes(snapshot: &Snapshot) -> Vec<Vec<u32>> {
    let table = &snapshot.processes;
    snapshot
        .unix_listeners
        .iter()
        .map(|u| table.of_inode(u.inode).to_vec())
        .collect()
}

/// The set of local ports some listener is bound to: one bit per port, so
/// that outbound sockets skip the listener lookups.
struct PortSet(Box<[u64; 1024]>);

impl Default for PortSet {
    fn default() -> Self {
        PortSet(Box::new([0; 1024]))
    }
}

impl PortSet {
    fn insert(&mut self, port: u16) {
        self.0[usize::from(port >> 6)] |= 1 << (port & 63);
    }

    fn contains(&self, port: u16) -> bool {
        self.0[usize::from(port >> 6)] & (1 << (port & 63)) != 0
    }
}

fn inverse(order: &[u32]) -> Vec<u32> {
    let mut inv = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        inv[old as usize] = new as u32;
    }
    inv
}

fn permute<T>(items: Vec<T>, order: &[u32]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&i| slots[i as usize].take().expect("order is a permutation"))
        .collect()
}
