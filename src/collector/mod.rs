//! All I/O with the kernel: netlink `sock_diag` dumps, `/proc` counters and
//! sysctls. Each namespace's sample leaves here as a [`Snapshot`], each
//! collection over everything watched as a [`Round`].

pub mod all_netns;
pub mod destroy;
pub mod exact;
pub mod identity;
pub mod inet;
pub mod netlink;
pub mod netns;
pub mod netns_label;
pub mod process;
pub mod process_scan;
pub mod procfs_net;
pub mod runtime_state;
pub mod tcp_info;
pub mod unix;
pub mod unix_peers;
pub mod worker;

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::time::Instant;

use jiff::Timestamp;
use netlink_packet_sock_diag::{AF_INET, AF_INET6};

use crate::model::{Round, Snapshot, TcpSocket};
use destroy::{DestroyError, DestroyTarget};
use netlink::DiagSocket;
use process::SharedProcesses;

/// Why a collection failed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The netlink socket could not be opened.
    #[error(
        "cannot open a NETLINK_SOCK_DIAG socket ({0}); sockscope needs a Linux kernel with sock_diag (CONFIG_INET_DIAG)"
    )]
    Open(io::Error),
    /// Sending or receiving on the netlink socket failed.
    #[error("netlink {what} dump failed: {error}")]
    Io {
        /// Which dump.
        what: &'static str,
        /// The OS error (part of the message, so not chained again).
        error: io::Error,
    },
    /// The kernel answered the request with an error.
    #[error(
        "the kernel refused the {what} dump: {error} (is the {what} diag module available? try `modprobe inet_diag tcp_diag unix_diag`)"
    )]
    Kernel {
        /// Which dump.
        what: &'static str,
        /// The errno the kernel returned (part of the message, so not chained again).
        error: io::Error,
    },
    /// The watched namespace went away (container stopped, `ip netns del`).
    #[error("network namespace {label} is gone: {why}")]
    NamespaceGone {
        /// The namespace's label.
        label: String,
        /// What was seen.
        why: String,
    },
    /// A recorded or scripted source has nothing more to give.
    #[error("the source has no more samples")]
    Exhausted,
    /// A recorded sample could not be read back.
    #[error("replay: {0}")]
    Replay(String),
}

/// Anything that produces snapshots: the live kernel, a recording, a test script.
pub trait Source: Send {
    /// Takes one snapshot.
    fn collect(&mut self) -> Result<Snapshot, CollectError>;

    /// Takes back an emptied socket list to fill at the next collection
    /// (saves allocating one per sample); sources that do not reuse drop it.
    fn recycle(&mut self, tcp: Vec<TcpSocket>) {
        drop(tcp);
    }

    /// Destroys exactly the socket `target` names (`SOCK_DESTROY`). Sources
    /// that do not read a live kernel refuse.
    fn destroy(&mut self, target: &DestroyTarget) -> Result<(), DestroyError> {
        let _ = target;
        Err(DestroyError::Unavailable(
            "this source does not read a live kernel",
        ))
    }
}

/// Everything a collection thread watches, collected one [`Round`] at a
/// time: one namespace (any [`Source`], boxed), every namespace
/// ([`all_netns::AllNetns`]) or a recording.
pub trait RoundSource: Send {
    /// Collects one round.
    fn round(&mut self) -> Result<Round, CollectError>;

    /// Takes back an emptied socket list of the namespace with `inode` (0
    /// for a source of one namespace) to fill at its next collection.
    fn recycle(&mut self, inode: u64, tcp: Vec<TcpSocket>) {
        let _ = inode;
        drop(tcp);
    }

    /// Destroys exactly the socket `target` names, in its namespace.
    fn destroy(&mut self, target: &DestroyTarget) -> Result<(), DestroyError> {
        let _ = target;
        Err(DestroyError::Unavailable(
            "this source does not read a live kernel",
        ))
    }
}

/// `source`, one namespace, as what a collection thread owns.
pub fn one(source: impl Source + 'static) -> Box<dyn RoundSource> {
    Box::new(Box::new(source) as Box<dyn Source>)
}

/// One namespace: each collection is a round of one part.
impl RoundSource for Box<dyn Source> {
    fn round(&mut self) -> Result<Round, CollectError> {
        self.collect().map(Round::one)
    }

    fn recycle(&mut self, _inode: u64, tcp: Vec<TcpSocket>) {
        Source::recycle(self.as_mut(), tcp);
    }

    fn destroy(&mut self, target: &DestroyTarget) -> Result<(), DestroyError> {
        Source::destroy(self.as_mut(), target)
    }
}

/// Collects from the kernel, in the network namespace of the thread that
/// created it (netlink sockets stay bound to their namespace; counters are
/// read through `/proc/thread-self/net`, so collect on that same thread).
pub struct LiveSource {
    diag: DiagSocket,
    net_dir: PathBuf,
    sys_dir: PathBuf,
    hostname: String,
    netns: String,
    netns_id: Option<String>,
    last_len: usize,
    spare: Vec<TcpSocket>,
    processes: Option<SharedProcesses>,
    read_only: bool,
    /// Cookies of the CLOSE_WAIT sockets of the previous collection, sorted:
    /// their `tcp_info` was taken then (see [`tcp_info`]).
    close_wait_known: Vec<u64>,
}

impl LiveSource {
    /// Opens the netlink socket in the calling thread's namespace.
    pub fn open() -> Result<LiveSource, CollectError> {
        Ok(LiveSource {
            diag: DiagSocket::open()?,
            net_dir: PathBuf::from("/proc/thread-self/net"),
            sys_dir: PathBuf::from("/proc/sys"),
            hostname: identity::hostname(),
            netns: identity::netns_label(),
            netns_id: None,
            last_len: 0,
            spare: Vec::new(),
            processes: None,
            read_only: false,
            close_wait_known: Vec::new(),
        })
    }

    /// Replaces the namespace label shown in snapshots, and sets the
    /// container id they carry (`Snapshot::netns_id`).
    pub fn with_netns_name(mut self, name: netns_label::NetnsName) -> LiveSource {
        self.netns = name.label;
        self.netns_id = name.id;
        self
    }

    /// With `true`, [`Source::destroy`] always refuses (`--read-only`).
    pub fn read_only(mut self, read_only: bool) -> LiveSource {
        self.read_only = read_only;
        self
    }

    /// Looks up owning processes through `cache` on every collection.
    pub fn with_processes(mut self, cache: SharedProcesses) -> LiveSource {
        self.processes = Some(cache);
        self
    }
}

impl Source for LiveSource {
    fn collect(&mut self) -> Result<Snapshot, CollectError> {
        let started = Instant::now();
        let mut snap = Snapshot::empty(Timestamp::now(), &self.hostname, &self.netns);
        snap.netns_id.clone_from(&self.netns_id);
        snap.tcp = std::mem::take(&mut self.spare);
        snap.tcp.clear();
        snap.tcp.reserve(self.last_len + self.last_len / 8);
        let mut notes = Vec::new();
        let mut skipped = 0;

        // The LISTEN dumps (O(listeners)) come first and the counters right
        // after them, so that each listener's sk_drops and the namespace's
        // ListenDrops are read microseconds apart, not a whole dump apart;
        // the sockets keep their order: IPv4 LISTEN, IPv4 rest, IPv6 LISTEN, IPv6 rest.
        let mut listen6 = Vec::new();
        let dumps: [(&str, _, &mut Vec<TcpSocket>); 2] = [
            (
                "tcp/ipv4 listen",
                inet::listen_request(AF_INET),
                &mut snap.tcp,
            ),
            (
                "tcp/ipv6 listen",
                inet::listen_request(AF_INET6),
                &mut listen6,
            ),
        ];
        for (what, request, into) in dumps {
            let stats = self.diag.dump(what, request, |payload| {
                inet::parse(payload).map(|s| into.push(s)).is_some()
            })?;
            skipped += stats.skipped;
            if stats.interrupted {
                notes.push(format!("the {what} table changed during the dump"));
            }
        }
        snap.counters = procfs_net::read_counters(&self.net_dir, &mut notes);
        for (what, family) in [("tcp/ipv4", AF_INET), ("tcp/ipv6", AF_INET6)] {
            if family == AF_INET6 {
                snap.tcp.append(&mut listen6);
            }
            let tcp = &mut snap.tcp;
            let stats = self.diag.dump(what, inet::request(family), |payload| {
                inet::parse(payload).map(|s| tcp.push(s)).is_some()
            })?;
            skipped += stats.skipped;
            if stats.interrupted {
                notes.push(format!("the {what} table changed during the dump"));
            }
        }

        let listeners = &mut snap.unix_listeners;
        match self.diag.dump("unix", unix::request(), |payload| {
            match unix::parse(payload) {
                Some(unix::Parsed::Listener(l)) => {
                    listeners.push(l);
                    true
                }
                Some(unix::Parsed::Ignored) => true,
                None => false,
            }
        }) {
            Ok(stats) => skipped += stats.skipped,
            Err(e) => notes.push(format!("no UNIX listeners: {e}")),
        }

        match tcp_info::collect(&mut self.diag, &snap.tcp, &self.close_wait_known) {
            Ok((got, close_wait)) => {
                skipped += got.skipped;
                notes.extend(got.notes);
                snap.tcp_times = got.times;
                self.close_wait_known = close_wait;
            }
            Err(e) => {
                notes.push(format!("no kernel ages (tcp_info): {e}"));
                self.close_wait_known.clear();
            }
        }

        snap.tunables = procfs_net::read_tunables(&self.sys_dir, &mut notes);
        self.last_len = snap.tcp.len();
        snap.collector.sockets = snap.tcp.len() as u64;
        snap.collector.skipped_messages = skipped;
        snap.collector.notes = notes;
        if let Some(cache) = &self.processes {
            match unix_peers::collect(&mut self.diag, &snap.unix_listeners) {
                Ok(peers) => snap.unix_peers = peers,
                Err(e) => snap.collector.notes.push(format!("no UNIX peers: {e}")),
            }
            let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.attribute(&mut snap, Instant::now());
        }
        snap.collector.duration_us = started.elapsed().as_micros() as u64;
        Ok(snap)
    }

    fn recycle(&mut self, tcp: Vec<TcpSocket>) {
        self.spare = tcp;
    }

    fn destroy(&mut self, target: &DestroyTarget) -> Result<(), DestroyError> {
        if self.read_only {
            return Err(DestroyError::ReadOnly);
        }
        self.diag
            .destroy(destroy::request(target))
            .map_err(|e| destroy::classify(target, e))
    }
}

/// Hands out prepared snapshots in order: for tests and scripted demos.
pub struct ScriptedSource {
    samples: VecDeque<Snapshot>,
}

impl ScriptedSource {
    /// A source that yields `samples` one by one, then [`CollectError::Exhausted`].
    pub fn new(samples: impl IntoIterator<Item = Snapshot>) -> ScriptedSource {
        ScriptedSource {
            samples: samples.into_iter().collect(),
        }
    }
}

impl Source for ScriptedSource {
    fn collect(&mut self) -> Result<Snapshot, CollectError> {
        self.samples.pop_front().ok_or(CollectError::Exhausted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_their_cause_once() {
        let errors = [
            CollectError::Open(io::Error::from_raw_os_error(libc::EPROTONOSUPPORT)),
            CollectError::Io {
                what: "tcp/ipv4",
                error: io::Error::from_raw_os_error(libc::ENOBUFS),
            },
            CollectError::Kernel {
                what: "unix",
                error: io::Error::from_raw_os_error(libc::ENOENT),
            },
        ];
        for e in errors {
            let line = format!("{:#}", anyhow::Error::from(e));
            let cause = line.find("(os error").expect("names the OS error");
            assert_eq!(line.matches("(os error").count(), 1, "{line}");
            assert!(cause > 0, "{line}");
        }
    }
}
