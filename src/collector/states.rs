//! The states tier's dumps: every TCP socket but the listeners, their
//! `tcp_info` times and the UNIX listeners' clients. A source that keeps
//! its states runs them on a states thread of its own ([`StatesThread`],
//! with its own netlink socket), so that a dump of a million sockets never
//! holds up the queues; a plain full collection runs them inline
//! ([`dump_into`]).

use std::sync::{Arc, mpsc};
use std::time::Duration;

use jiff::Timestamp;
use netlink_packet_sock_diag::{AF_INET, AF_INET6};

use super::netlink::DiagSocket;
use super::schedule::Evidence;
use super::tiered::{KeptStates, thread_cpu_us};
use super::worker::Worker;
use super::{CollectError, inet, tcp_info, unix_peers};
use crate::model::{Sockstat, TcpSocket, TcpTimes, UnixListener, UnixPeer};

/// How long a self-scheduled round (the dashboard's, `serve`'s) waits for
/// the state dump it started before it goes out with the states it has: a
/// dump that takes longer finishes on the states thread and the first
/// round after it takes it, with its age.
pub const STATES_WAIT: Duration = Duration::from_millis(500);

/// The largest emptied list of states kept for the next state dump, in
/// sockets: refilling one saves its page faults (a few percent of the
/// dump's CPU), but at a million sockets keeping it would double the
/// memory the states take (100 MiB more), so a larger one is freed (it goes
/// back to the kernel: see [`crate::memory::return_large_buffers_to_the_kernel`]).
pub const SPARE_MAX_SOCKETS: usize = 250_000;

/// What a state dump is asked for.
#[derive(Debug)]
pub struct StatesRequest {
    /// The start of the collection that asked: the states' `taken_at`.
    pub taken_at: Timestamp,
    /// That collection's sockstat, kept with the states.
    pub sockstat: Option<Sockstat>,
    /// That collection's evidence, kept with the states.
    pub evidence: Option<Evidence>,
    /// That collection's UNIX listeners, whose clients are looked up when
    /// `peers` is set (with process attribution).
    pub unix_listeners: Vec<UnixListener>,
    /// Whether to look up the UNIX listeners' clients.
    pub peers: bool,
    /// An emptied list to fill (the states before last), saving the page
    /// faults of a new one.
    pub spare: Vec<TcpSocket>,
}

/// A finished state dump: the states and what the dump had to say.
#[derive(Debug)]
pub struct Dumped {
    /// The states, `taken_at` the request's.
    pub states: KeptStates,
    /// Netlink messages that could not be parsed.
    pub skipped: u64,
    /// Sentences for the collector's notes (an interrupted dump, missing
    /// `tcp_info`, missing UNIX peers).
    pub notes: Vec<String>,
}

/// What the state dumps carry from one to the next.
#[derive(Debug, Default)]
pub struct DumpMemory {
    /// Cookies of the CLOSE_WAIT sockets of the previous dump, sorted:
    /// their `tcp_info` was taken then (see [`tcp_info`]).
    pub close_wait_known: Vec<u64>,
}

/// What [`dump_into`] found besides the sockets.
#[derive(Debug, Default)]
pub struct DumpOutcome {
    /// Where the IPv6 part starts in the list filled.
    pub v4_end: usize,
    /// The `tcp_info` times, sorted by cookie.
    pub tcp_times: Vec<TcpTimes>,
    /// The UNIX listeners' clients (when asked for).
    pub unix_peers: Vec<UnixPeer>,
    /// Netlink messages that could not be parsed.
    pub skipped: u64,
    /// Sentences for the collector's notes.
    pub notes: Vec<String>,
    /// The calling thread's CPU time for all of it, microseconds.
    pub cost_us: u64,
}

/// Dumps the states on `diag` onto `sockets`: the non-LISTEN sockets of
/// IPv4, then those of IPv6; then their
/// `tcp_info` times and, given `peers_of`, the clients of those UNIX
/// listeners.
pub fn dump_into(
    diag: &mut DiagSocket,
    memory: &mut DumpMemory,
    sockets: &mut Vec<TcpSocket>,
    peers_of: Option<&[UnixListener]>,
) -> Result<DumpOutcome, CollectError> {
    let cpu_started = thread_cpu_us();
    let mut out = DumpOutcome::default();
    for (what, family) in [("tcp/ipv4", AF_INET), ("tcp/ipv6", AF_INET6)] {
        if family == AF_INET6 {
            out.v4_end = sockets.len();
        }
        let stats = diag.dump(what, inet::request(family), |payload| {
            inet::parse(payload).map(|s| sockets.push(s)).is_some()
        })?;
        out.skipped += stats.skipped;
        if stats.interrupted {
            out.notes
                .push(format!("the {what} table changed during the dump"));
        }
    }
    match tcp_info::collect(diag, sockets, &memory.close_wait_known) {
        Ok((got, close_wait)) => {
            out.skipped += got.skipped;
            out.notes.extend(got.notes);
            out.tcp_times = got.times;
            memory.close_wait_known = close_wait;
        }
        Err(e) => {
            out.notes.push(format!("no kernel ages (tcp_info): {e}"));
            memory.close_wait_known.clear();
        }
    }
    if let Some(listeners) = peers_of {
        match unix_peers::collect(diag, listeners) {
            Ok(peers) => out.unix_peers = peers,
            Err(e) => out.notes.push(format!("no UNIX peers: {e}")),
        }
    }
    out.cost_us = thread_cpu_us().saturating_sub(cpu_started);
    Ok(out)
}

/// [`dump_into`] for the states thread: a list of their own, the
/// request's spare.
fn dump(
    diag: &mut DiagSocket,
    memory: &mut DumpMemory,
    request: StatesRequest,
) -> Result<Dumped, CollectError> {
    let mut sockets = request.spare;
    sockets.clear();
    sockets.reserve(expected_sockets(request.sockstat.as_ref()));
    let peers_of = request.peers.then_some(request.unix_listeners.as_slice());
    let out = dump_into(diag, memory, &mut sockets, peers_of)?;
    Ok(Dumped {
        states: KeptStates {
            sockets: Arc::new(sockets),
            v4_len: out.v4_end,
            tcp_times: out.tcp_times,
            unix_peers: out.unix_peers,
            taken_at: request.taken_at,
            sockstat: request.sockstat,
            cost_us: out.cost_us,
            evidence: request.evidence,
        },
        skipped: out.skipped,
        notes: out.notes,
    })
}

/// Most sockets [`expected_sockets`] reserves room for up front.
const MOST_RESERVED: u64 = 8 << 20;

/// How many sockets a state dump should find room for before it starts,
/// from the collection's sockstat (`TCP: inuse` and `TCP6: inuse` count
/// every socket but TIME_WAIT, which `tw` counts; a sixteenth more for
/// request sockets and those made during the dump), at most
/// [`MOST_RESERVED`]. A list grown by doubling instead would hold its old
/// and its new buffer at once at each step: at a million sockets, 54 and
/// 109 MiB beside the kept states.
fn expected_sockets(sockstat: Option<&Sockstat>) -> usize {
    let Some(s) = sockstat else {
        return 0;
    };
    let n = s
        .tcp_inuse
        .saturating_add(s.tcp6_inuse)
        .saturating_add(s.tcp_tw);
    n.saturating_add(n / 16).min(MOST_RESERVED) as usize
}

/// What the states thread owns.
struct Dumper {
    diag: DiagSocket,
    memory: DumpMemory,
    /// Each dump first waits for a word on this (tests hold a dump back
    /// with it); a closed channel lets every dump through.
    gate: Option<mpsc::Receiver<()>>,
}

/// A state dump under way on the states thread.
struct Pending {
    answer: mpsc::Receiver<Result<Dumped, CollectError>>,
}

/// A namespace's states thread: state dumps on a netlink socket of its
/// own, one at a time, while the collection thread reads the queues.
pub struct StatesThread {
    worker: Worker<Dumper>,
    pending: Option<Pending>,
}

/// How [`StatesThread::take`] waited.
#[derive(Debug)]
pub enum Taken {
    /// No dump was under way.
    Idle,
    /// The dump under way has not finished yet.
    Running,
    /// The dump finished (or failed).
    Done(Box<Result<Dumped, CollectError>>),
}

impl StatesThread {
    /// Starts the thread. Call it on the collection thread: the new thread
    /// is created in the caller's network namespace (threads inherit it),
    /// and opens its netlink socket there.
    pub fn spawn(gate: Option<mpsc::Receiver<()>>) -> Result<StatesThread, CollectError> {
        let (opened_tx, opened_rx) = mpsc::sync_channel(1);
        let worker = Worker::spawn("sockscope-states", move || match DiagSocket::open() {
            Ok(diag) => {
                let _ = opened_tx.send(Ok(()));
                Some(Dumper {
                    diag,
                    memory: DumpMemory::default(),
                    gate,
                })
            }
            Err(e) => {
                let _ = opened_tx.send(Err(e));
                None
            }
        })
        .map_err(CollectError::Open)?;
        match opened_rx.recv() {
            Ok(Ok(())) => Ok(StatesThread {
                worker,
                pending: None,
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(CollectError::Open(std::io::Error::other(
                "the states thread stopped before opening its netlink socket",
            ))),
        }
    }

    /// Whether a dump is under way.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Starts a dump unless one is under way (then `request` is dropped).
    pub fn start(&mut self, request: StatesRequest) -> Result<(), CollectError> {
        if self.pending.is_some() {
            return Ok(());
        }
        let answer = self
            .worker
            .call(move |d: &mut Dumper| {
                if let Some(gate) = &d.gate {
                    let _ = gate.recv();
                }
                dump(&mut d.diag, &mut d.memory, request)
            })
            .map_err(|_| gone())?;
        self.pending = Some(Pending { answer });
        Ok(())
    }

    /// The dump under way, waiting for it at most `wait` (`None`: until it
    /// is done).
    pub fn take(&mut self, wait: Option<Duration>) -> Taken {
        let Some(p) = &self.pending else {
            return Taken::Idle;
        };
        let got = match wait {
            None => p.answer.recv().map_err(|_| gone()),
            Some(wait) => match p.answer.recv_timeout(wait) {
                Ok(d) => Ok(d),
                Err(mpsc::RecvTimeoutError::Timeout) => return Taken::Running,
                Err(mpsc::RecvTimeoutError::Disconnected) => Err(gone()),
            },
        };
        self.pending = None;
        Taken::Done(Box::new(got.and_then(|d| d)))
    }
}

fn gone() -> CollectError {
    CollectError::Io {
        what: "tcp states",
        error: std::io::Error::other("the states thread stopped"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_reserves_room_for_what_sockstat_counts_and_no_more_than_the_cap() {
        let stat = |inuse, inuse6, tw| Sockstat {
            tcp_inuse: inuse,
            tcp6_inuse: inuse6,
            tcp_tw: tw,
            ..Sockstat::default()
        };
        assert_eq!(expected_sockets(None), 0);
        assert_eq!(
            expected_sockets(Some(&stat(900_065, 0, 100_000))),
            1_062_569
        );
        assert_eq!(expected_sockets(Some(&stat(10, 6, 0))), 17);
        assert_eq!(
            expected_sockets(Some(&stat(u64::MAX, u64::MAX, 1))),
            MOST_RESERVED as usize,
            "a sockstat that cannot be true reserves the cap"
        );
    }
}
