//! The model's input: one collection of kernel socket state, as plain data.
//!
//! A [`Snapshot`] is what the collector produces, what a recording stores and
//! what replay and tests feed back. It carries its own timestamp, so nothing
//! downstream ever reads a clock.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::endpoint::Endpoint;
use super::kernel_ages::TcpTimes;
use super::netns_parts::NetnsPart;
use super::process::ProcessTable;
use super::shared::Shared;
use super::tcp_list::TcpList;

/// TCP socket state as the kernel reports it in `inet_diag_msg.idiag_state`
/// (`include/net/tcp_states.h`). Request sockets (`TCP_NEW_SYN_RECV`) come
/// back as [`TcpState::SynRecv`]; TIME_WAIT mini-sockets come back as their
/// `tw_substate`, which is either [`TcpState::TimeWait`] or
/// [`TcpState::FinWait2`]. That is exactly how `ss -tan` counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TcpState {
    Established = 1,
    SynSent = 2,
    SynRecv = 3,
    FinWait1 = 4,
    FinWait2 = 5,
    TimeWait = 6,
    Close = 7,
    CloseWait = 8,
    LastAck = 9,
    Listen = 10,
    Closing = 11,
}

impl TcpState {
    /// Every state, in kernel order.
    pub const ALL: [TcpState; 11] = [
        TcpState::Established,
        TcpState::SynSent,
        TcpState::SynRecv,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::TimeWait,
        TcpState::Close,
        TcpState::CloseWait,
        TcpState::LastAck,
        TcpState::Listen,
        TcpState::Closing,
    ];

    /// Maps the kernel's `idiag_state` byte; `TCP_NEW_SYN_RECV` (12) is a
    /// request socket and counts as SYN_RECV. Unknown values give `None`.
    pub fn from_kernel(state: u8) -> Option<TcpState> {
        match state {
            1..=11 => Some(TcpState::ALL[usize::from(state) - 1]),
            12 => Some(TcpState::SynRecv),
            _ => None,
        }
    }

    /// Index into per-state arrays (0 for ESTABLISHED … 10 for CLOSING).
    pub fn index(self) -> usize {
        self as usize - 1
    }

    /// The snake_case key used in JSON, config and filters (`close_wait`).
    pub fn key(self) -> &'static str {
        match self {
            TcpState::Established => "established",
            TcpState::SynSent => "syn_sent",
            TcpState::SynRecv => "syn_recv",
            TcpState::FinWait1 => "fin_wait1",
            TcpState::FinWait2 => "fin_wait2",
            TcpState::TimeWait => "time_wait",
            TcpState::Close => "close",
            TcpState::CloseWait => "close_wait",
            TcpState::LastAck => "last_ack",
            TcpState::Listen => "listen",
            TcpState::Closing => "closing",
        }
    }

    /// The column name `ss` prints for this state (`ESTAB`, `CLOSE-WAIT`, `UNCONN`).
    pub fn ss_name(self) -> &'static str {
        match self {
            TcpState::Established => "ESTAB",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynRecv => "SYN-RECV",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::TimeWait => "TIME-WAIT",
            TcpState::Close => "UNCONN",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::LastAck => "LAST-ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
        }
    }

    /// Parses a snake_case key, an `ss` column name (`CLOSE-WAIT`, `estab`),
    /// a name of `ss`'s state filter (`fin-wait-1`, `listening`, `closed`)
    /// or one of [`TcpState::ABBREVIATIONS`] (`tw`, `cw`), case-insensitively
    /// and with or without `-`/`_`.
    pub fn parse(text: &str) -> Option<TcpState> {
        let squash = |s: &str| s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        let wanted = squash(text);
        let named = |s: &TcpState| squash(s.key()) == wanted || squash(s.ss_name()) == wanted;
        TcpState::ALL.into_iter().find(named).or_else(|| {
            Self::ABBREVIATIONS
                .iter()
                .find(|(short, _)| squash(short) == wanted)
                .map(|&(_, s)| s)
        })
    }

    /// Other names accepted by [`TcpState::parse`]: `ss`'s filter names
    /// that differ from its column names, and the short ones people type.
    pub const ABBREVIATIONS: [(&'static str, TcpState); 6] = [
        ("listening", TcpState::Listen),
        ("closed", TcpState::Close),
        ("tw", TcpState::TimeWait),
        ("cw", TcpState::CloseWait),
        ("fw1", TcpState::FinWait1),
        ("fw2", TcpState::FinWait2),
    ];
}

/// The TCP timer active on a socket (`inet_diag_msg.idiag_timer`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timer {
    /// No timer pending (0).
    #[default]
    Off,
    /// Retransmit timer (1), also used for SYN-ACK retransmits of request sockets.
    Retransmit,
    /// Keepalive timer (2).
    Keepalive,
    /// TIME_WAIT expiry (3).
    TimeWait,
    /// Zero-window probe timer (4).
    Probe,
    /// A timer kind this build does not know.
    Other,
}

impl Timer {
    /// Maps the kernel's `idiag_timer` byte.
    pub fn from_kernel(timer: u8) -> Timer {
        match timer {
            0 => Timer::Off,
            1 => Timer::Retransmit,
            2 => Timer::Keepalive,
            3 => Timer::TimeWait,
            4 => Timer::Probe,
            _ => Timer::Other,
        }
    }

    /// Its JSON name: `off`, `retransmit`, `keepalive`, `time_wait`, `probe`, `other`.
    pub fn name(self) -> &'static str {
        match self {
            Timer::Off => "off",
            Timer::Retransmit => "retransmit",
            Timer::Keepalive => "keepalive",
            Timer::TimeWait => "time_wait",
            Timer::Probe => "probe",
            Timer::Other => "other",
        }
    }
}

/// One TCP socket from the `inet_diag` dump (AF_INET or AF_INET6): 80
/// bytes, since a socket list holds one per socket (a million at the
/// largest scale, and two lists while a new dump fills beside the kept one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpSocket {
    /// `idiag_state`, mapped as described on [`TcpState`].
    pub state: TcpState,
    /// Local address and port (`id.idiag_src`, `id.idiag_sport`). The family
    /// of the address is the socket's family: IPv4-mapped addresses stay IPv6.
    pub local: Endpoint,
    /// Remote address and port (`id.idiag_dst`, `id.idiag_dport`).
    pub remote: Endpoint,
    /// `idiag_rqueue`: bytes waiting to be read; on a LISTEN socket, the
    /// number of connections in the accept queue.
    pub recv_q: u32,
    /// `idiag_wqueue`: bytes not yet acknowledged; on a LISTEN socket, the
    /// backlog limit given to `listen()` (capped by `net.core.somaxconn`).
    pub send_q: u32,
    /// `idiag_inode`; 0 for request sockets and TIME_WAIT mini-sockets.
    pub inode: u32,
    /// `idiag_uid`: owner's user id.
    pub uid: u32,
    /// `id.idiag_cookie`: the kernel's socket cookie, `cookie[1] << 32 | cookie[0]`.
    pub cookie: u64,
    /// `idiag_timer`.
    pub timer: Timer,
    /// `idiag_expires`: milliseconds until the timer fires (0 when off).
    pub expires_ms: u32,
    /// `idiag_retrans`: retransmits (or keepalive probes) so far.
    pub retrans: u8,
    /// LISTEN sockets only: the socket's `sk_drops` (`SK_MEMINFO_DROPS` of
    /// `INET_DIAG_SKMEMINFO`, what `ss -tlnm` prints as `d`), connections and
    /// SYNs dropped at this socket since it was created. The kernel's
    /// counter is a u32 and wraps. `None` for other states and in
    /// recordings made before it was collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drops: Option<u32>,
}

/// Fails the build when [`TcpSocket`] grows past the size its doc states.
const _: () = assert!(std::mem::size_of::<TcpSocket>() == 80);

impl TcpSocket {
    /// True for a connection still waiting in a listener's accept queue:
    /// a child socket without `struct socket` yet (inode 0) that is
    /// ESTABLISHED or already CLOSE_WAIT. Meaningful for sockets attributed
    /// to a listener (TIME_WAIT and request sockets have inode 0 too).
    pub fn awaits_accept(&self) -> bool {
        self.inode == 0 && matches!(self.state, TcpState::Established | TcpState::CloseWait)
    }

    /// CLOSE_WAIT with Recv-Q ≥ 1: the peer's FIN (which advances
    /// `rcv_nxt`) was never read, so the application stopped reading;
    /// CLOSE_WAIT with Recv-Q 0 read EOF but never called `close()`.
    pub fn close_wait_unread(&self) -> bool {
        self.state == TcpState::CloseWait && self.recv_q > 0
    }
}

/// How many ports of the `ip_local_reserved_ports` list `list` lie in
/// `low..=high` (ranges may overlap the bounds; malformed items are skipped).
fn reserved_in(list: &str, low: u64, high: u64) -> u64 {
    let mut ranges: Vec<(u64, u64)> = list
        .split(',')
        .filter_map(|item| {
            let item = item.trim();
            let (a, b) = item.split_once('-').unwrap_or((item, item));
            let (a, b) = (a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?);
            (a <= b).then_some((a.max(low), b.min(high)))
        })
        .filter(|(a, b)| a <= b)
        .collect();
    ranges.sort_unstable();
    let mut count = 0;
    let mut next = 0;
    for (a, b) in ranges {
        let a = a.max(next);
        if a <= b {
            count += b - a + 1;
            next = b + 1;
        }
    }
    count
}

/// An AF_UNIX socket type (`unix_diag_msg.udiag_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnixKind {
    /// `SOCK_STREAM`.
    Stream,
    /// `SOCK_SEQPACKET`.
    Seqpacket,
}

/// A listening AF_UNIX socket from the `unix_diag` dump.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnixListener {
    /// `UNIX_DIAG_NAME`: the filesystem path, `@name` for an abstract
    /// socket, or an empty string for an unnamed one.
    pub path: String,
    /// `udiag_ino`.
    pub inode: u32,
    /// Stream or seqpacket.
    pub kind: UnixKind,
    /// `UNIX_DIAG_RQLEN.udiag_rqueue`: connections waiting in the accept queue.
    pub accept_queue: u32,
    /// `UNIX_DIAG_RQLEN.udiag_wqueue`: the backlog limit (`sk_max_ack_backlog`).
    pub backlog: u32,
}

/// A client connected to a UNIX listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnixPeer {
    /// Inode of the listener (`udiag_ino`).
    pub listener: u32,
    /// Inode of the accepted server-side socket; 0 while the connection
    /// waits in the accept queue (`UNIX_DIAG_ICONS`).
    pub server: u32,
    /// Inode of the client's socket (`UNIX_DIAG_PEER`, or the queued
    /// connection's peer from `UNIX_DIAG_ICONS`).
    pub peer: u32,
}

/// How one collection went: the collector's own figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectorStats {
    /// TCP sockets received (all families, all states).
    pub sockets: u64,
    /// Netlink messages that could not be parsed and were skipped.
    pub skipped_messages: u64,
    /// Wall time of the whole collection, microseconds.
    pub duration_us: u64,
    /// Things the collector could not read, each said once in plain words
    /// (a missing `/proc` file, an interrupted dump).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Which tier each part of the sample came from and how old the states
    /// are; absent in recordings made before the tiers, and for sources
    /// that do not read a live kernel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<super::tiers::Tiers>,
}

/// One collection of a network namespace's socket state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When the collection started.
    pub taken_at: Timestamp,
    /// `kernel.hostname` of the collecting host.
    pub hostname: String,
    /// Label of the network namespace (`host`, a `/run/netns` name, or `net:[inode]`).
    pub netns: String,
    /// The container the namespace belongs to, runtime and short id
    /// (`docker:4f1c2b3a9d8e`), when `netns` names a container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netns_id: Option<String>,
    /// Every TCP socket of the namespace: from a live kernel the listeners
    /// (IPv4, IPv6) then the other sockets (IPv4, IPv6), each in dump order;
    /// the other sockets may be shared with other snapshots ([`TcpList`]).
    pub tcp: TcpList,
    /// AF_UNIX stream and seqpacket listeners.
    pub unix_listeners: Vec<UnixListener>,
    /// Every `TcpExt` field of `/proc/net/netstat` and `Tcp` field of
    /// `/proc/net/snmp` (name → value). Fields with negative values
    /// (`Tcp: MaxConn` is -1) are left out. Shared with the frames
    /// before it while they are equal ([`Shared`]).
    pub counters: Shared<BTreeMap<String, u64>>,
    /// The TCP tunables, by sysctl name (`net.core.somaxconn` → `"4096"`),
    /// whitespace folded to single spaces. Shared like `counters`.
    pub tunables: Shared<BTreeMap<String, String>>,
    /// How the collection went.
    pub collector: CollectorStats,
    /// Owning processes of every socket with an inode (older recordings
    /// hold those of the listeners, CLOSE_WAIT sockets, UNIX listeners and
    /// drill-down connections only, or none).
    #[serde(default)]
    pub processes: ProcessTable,
    /// With `--all-netns`: which stretch of `tcp` and `unix_listeners`
    /// belongs to which namespace, in order; empty for one namespace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub netns_parts: Vec<NetnsPart>,
    /// Clients connected to the UNIX listeners (collected with process
    /// attribution; empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unix_peers: Vec<UnixPeer>,
    /// `tcp_info` times of the CLOSE_WAIT sockets and of the connections
    /// waiting in accept queues (a separate request; see
    /// [`kernel_ages`](super::kernel_ages)), sorted by cookie.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tcp_times: Vec<TcpTimes>,
}

impl Snapshot {
    /// An empty snapshot at `taken_at`; tests and replay fill it in.
    pub fn empty(taken_at: Timestamp, hostname: &str, netns: &str) -> Snapshot {
        Snapshot {
            taken_at,
            hostname: hostname.to_owned(),
            netns: netns.to_owned(),
            netns_id: None,
            tcp: TcpList::new(),
            unix_listeners: Vec::new(),
            counters: Shared::default(),
            tunables: Shared::default(),
            collector: CollectorStats::default(),
            processes: ProcessTable::default(),
            netns_parts: Vec::new(),
            unix_peers: Vec::new(),
            tcp_times: Vec::new(),
        }
    }

    /// A tunable parsed as an integer, if present and numeric.
    pub fn tunable_u64(&self, name: &str) -> Option<u64> {
        self.tunables.get(name)?.trim().parse().ok()
    }

    /// Size of `net.ipv4.ip_local_port_range` (`high - low + 1`), if known.
    pub fn ephemeral_port_count(&self) -> Option<u64> {
        let (low, high) = self.ephemeral_port_range()?;
        Some(high - low + 1)
    }

    /// `net.ipv4.ip_local_port_range` as (low, high), if known and valid.
    fn ephemeral_port_range(&self) -> Option<(u64, u64)> {
        let range = self.tunables.get("net.ipv4.ip_local_port_range")?;
        let mut parts = range.split_whitespace().map(|p| p.parse::<u64>());
        let (Some(Ok(low)), Some(Ok(high))) = (parts.next(), parts.next()) else {
            return None;
        };
        (high >= low).then_some((low, high))
    }

    /// The ports `connect()` may pick: the `ip_local_port_range` size less
    /// the ports of `net.ipv4.ip_local_reserved_ports` (`8080,9000-9100`)
    /// inside it; `None` when the range is unknown. An unreadable reserved
    /// list counts as empty.
    pub fn usable_ephemeral_ports(&self) -> Option<u64> {
        let (low, high) = self.ephemeral_port_range()?;
        let reserved = self
            .tunables
            .get("net.ipv4.ip_local_reserved_ports")
            .map_or(0, |list| reserved_in(list, low, high));
        Some((high - low + 1).saturating_sub(reserved))
    }
}
