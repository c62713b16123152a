//! All I/O with the kernel: netlink `sock_diag` dumps, `/proc` counters and
//! sysctls. Each namespace's sample leaves here as a [`Snapshot`], each
//! collection over everything watched as a [`Round`].

pub mod all_netns;
pub mod destroy;
pub mod exact;
pub mod identity;
pub mod inet;
mod inode_index;
pub mod netlink;
pub mod netns;
pub mod netns_label;
pub mod process;
pub mod process_scan;
pub mod procfs_net;
pub mod runtime_state;
pub mod schedule;
pub mod sockstat;
pub mod states;
#[cfg(test)]
mod states_tests;
pub mod tcp_info;
pub mod tiered;
pub mod unix;
pub mod unix_peers;
pub mod worker;

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use netlink_packet_sock_diag::{AF_INET, AF_INET6};

use crate::model::tiers::{StatesTier, Tiers};
use crate::model::{Round, Snapshot, TcpList, TcpSocket};
use destroy::{DestroyError, DestroyTarget};
use netlink::DiagSocket;
use process::SharedProcesses;
use schedule::Evidence;
use states::{DumpMemory, StatesRequest, StatesThread, Taken};
use tiered::{KeptStates, Needs, OwnSchedule, Tier, thread_cpu_us};

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
    fn recycle(&mut self, tcp: TcpList) {
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

    /// Says what the consumer needs fresh states of (the focused
    /// namespace, those with alerts), for sources that schedule full
    /// dumps; the others ignore it.
    fn needs(&mut self, needs: &Needs) {
        let _ = needs;
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
    fn recycle(&mut self, inode: u64, tcp: TcpList) {
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

    /// Says what the consumer needs fresh states of ([`Source::needs`]).
    fn needs(&mut self, needs: &Needs) {
        let _ = needs;
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

    fn recycle(&mut self, _inode: u64, tcp: TcpList) {
        Source::recycle(self.as_mut(), tcp);
    }

    fn destroy(&mut self, target: &DestroyTarget) -> Result<(), DestroyError> {
        Source::destroy(self.as_mut(), target)
    }

    fn needs(&mut self, needs: &Needs) {
        Source::needs(self.as_mut(), needs);
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
    /// What inline state dumps carry from one to the next.
    memory: DumpMemory,
    /// Whether full dumps keep their states for queues-only rounds (they
    /// then run on `states`).
    keep_states: bool,
    /// The states of the last full dump, once there was one (with `keep_states`).
    kept: Option<KeptStates>,
    /// The states thread, started by the first collection that keeps states.
    states: Option<StatesThread>,
    /// The states before `kept`, emptied: the next state dump fills it.
    states_spare: Vec<TcpSocket>,
    /// How long a self-scheduled collection waits for a state dump under
    /// way (`None`: until it is done).
    states_wait: Option<Duration>,
    /// Handed to the states thread: each of its dumps waits for a word on it.
    states_gate: Option<mpsc::Receiver<()>>,
    /// The sockstat of the last collection.
    last_sockstat: Option<crate::model::Sockstat>,
    /// The budget this source spends on its own full dumps, when it
    /// schedules itself (one namespace, `--full-dump-budget`).
    schedule: Option<OwnSchedule>,
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
            memory: DumpMemory::default(),
            keep_states: false,
            kept: None,
            states: None,
            states_spare: Vec::new(),
            states_wait: None,
            states_gate: None,
            last_sockstat: None,
            schedule: None,
        })
    }

    /// Keeps the states of each full dump, so that [`LiveSource::collect_tier`]
    /// can read the queues alone (a scheduler of several namespaces sets this).
    pub fn keeping_states(mut self) -> LiveSource {
        self.keep_states = true;
        self
    }

    /// Schedules its own full dumps under `percent` of one core of thread
    /// CPU time (`--full-dump-budget`); between them, collections read the
    /// queues and keep the states.
    pub fn with_budget(mut self, percent: f64) -> LiveSource {
        self.schedule = Some(OwnSchedule::new(percent));
        self.keeping_states()
    }

    /// Lets each self-scheduled collection ([`Source::collect`] under
    /// [`LiveSource::with_budget`]) wait at most `wait` for the state dump
    /// it starts: a longer dump goes on on the states thread, collections
    /// go out with the queues and the kept states, and the first one after
    /// it finishes takes its states with their age
    /// ([`states::STATES_WAIT`] for the dashboard and `serve`).
    pub fn waiting_for_states(mut self, wait: Duration) -> LiveSource {
        self.states_wait = Some(wait);
        self
    }

    /// Holds each state dump back until a word arrives on `gate` (a
    /// closed gate lets them all through): tests see a round go out while
    /// a dump is still under way.
    #[cfg(test)]
    fn gating_states(mut self, gate: mpsc::Receiver<()>) -> LiveSource {
        self.states_gate = Some(gate);
        self
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

impl LiveSource {
    /// Collects the tiers asked for: with [`Tier::Queues`] (and states kept
    /// from an earlier full dump) only the LISTEN dumps, UNIX listeners,
    /// sockstat, counters and tunables are read, and the other sockets,
    /// their `tcp_info` times and the UNIX peers are the kept ones. With
    /// [`Tier::Full`] it waits for the state dump.
    pub fn collect_tier(&mut self, tier: Tier) -> Result<Snapshot, CollectError> {
        self.collect_tier_within(tier, None)
    }

    /// [`LiveSource::collect_tier`], waiting at most `wait` (`None`: until
    /// it is done) for the state dump it starts on the states thread of a
    /// source that keeps its states, and not at all for one an earlier
    /// collection started; a dump not done by then is taken by a later
    /// collection, with its age. The first collection always waits.
    pub fn collect_tier_within(
        &mut self,
        tier: Tier,
        wait: Option<Duration>,
    ) -> Result<Snapshot, CollectError> {
        let started = Instant::now();
        let cpu_started = thread_cpu_us();
        let mut snap = Snapshot::empty(Timestamp::now(), &self.hostname, &self.netns);
        snap.netns_id.clone_from(&self.netns_id);
        let mut tcp = std::mem::take(&mut self.spare);
        tcp.clear();
        tcp.reserve(self.last_len + self.last_len / 8);
        let mut notes = Vec::new();
        let mut skipped = 0;

        let sockstat = match sockstat::read(&self.net_dir) {
            Ok(s) => Some(s),
            Err(e) => {
                notes.push(e.to_string());
                None
            }
        };
        self.last_sockstat = sockstat;

        // The LISTEN dumps (O(listeners)) come first and the counters right
        // after them, so that each listener's sk_drops and the namespace's
        // ListenDrops are read microseconds apart, not a whole dump apart;
        // the listeners come first (IPv4, IPv6), the other sockets after them.
        let dumps = [
            ("tcp/ipv4 listen", inet::listen_request(AF_INET)),
            ("tcp/ipv6 listen", inet::listen_request(AF_INET6)),
        ];
        for (what, request) in dumps {
            let stats = self.diag.dump(what, request, |payload| {
                inet::parse(payload).map(|s| tcp.push(s)).is_some()
            })?;
            skipped += stats.skipped;
            if stats.interrupted {
                notes.push(format!("the {what} table changed during the dump"));
            }
        }
        snap.counters = procfs_net::read_counters(&self.net_dir, &mut notes).into();

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

        let mut tiers = Tiers::full(sockstat, 0);
        if self.keep_states {
            let evidence = sockstat
                .as_ref()
                .and_then(|s| Evidence::read(s, tcp.iter(), &snap.counters));
            let dumped = self.kept_states(tier, &snap, evidence, wait)?;
            skipped += dumped.skipped;
            notes.extend(dumped.notes);
            tiers.states_cpu_us = dumped.cost_us;
            let kept = self
                .kept
                .as_ref()
                .expect("the first collection waits for its states");
            self.last_len = tcp.len();
            snap.tcp = TcpList::with_shared(tcp, Arc::clone(&kept.sockets));
            snap.unix_peers.clone_from(&kept.unix_peers);
            if kept.taken_at == snap.taken_at {
                snap.tcp_times.clone_from(&kept.tcp_times);
            } else {
                let age = snap.taken_at.duration_since(kept.taken_at).unsigned_abs();
                snap.tcp_times = kept.times_after(age);
                tiers.states = StatesTier::Kept;
                tiers.kept_namespaces = 1;
                tiers.states_age_ms = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
            }
        } else {
            let peers_of = self
                .processes
                .is_some()
                .then_some(snap.unix_listeners.as_slice());
            let out = states::dump_into(&mut self.diag, &mut self.memory, &mut tcp, peers_of)?;
            self.last_len = tcp.len();
            snap.tcp = TcpList::from(tcp);
            skipped += out.skipped;
            notes.extend(out.notes);
            snap.tcp_times = out.tcp_times;
            snap.unix_peers = out.unix_peers;
            tiers.states_cpu_us = out.cost_us;
        }

        snap.tunables = procfs_net::read_tunables(&self.sys_dir, &mut notes).into();
        snap.collector.sockets = snap.tcp.len() as u64;
        snap.collector.skipped_messages = skipped;
        snap.collector.notes = notes;
        if let Some(cache) = &self.processes {
            let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.attribute(&mut snap, Instant::now());
        }
        tiers.cpu_us = thread_cpu_us().saturating_sub(cpu_started);
        if self.keep_states {
            tiers.cpu_us += tiers.states_cpu_us;
        }
        snap.collector.tiers = Some(tiers);
        snap.collector.duration_us = started.elapsed().as_micros() as u64;
        Ok(snap)
    }

    /// The states thread's side of a collection of `snap`: starts a state
    /// dump if `tier` asks for one (or none was kept yet) and none is
    /// under way ([`Tier::QueuesUnlessMoved`] asks for one when `evidence`,
    /// this collection's, is not the kept states'), then takes the dump under way: waiting at most `wait`
    /// for one it started, not at all for one an earlier collection
    /// started (`None`, or nothing kept yet: until it is done). What a finished dump brought
    /// becomes `kept`; returns its messages, notes and cost (none when no
    /// dump finished).
    fn kept_states(
        &mut self,
        tier: Tier,
        snap: &Snapshot,
        evidence: Option<Evidence>,
        wait: Option<Duration>,
    ) -> Result<FinishedDump, CollectError> {
        let tier = match tier {
            Tier::QueuesUnlessMoved => schedule::unless_moved(
                self.kept.as_ref().and_then(|k| k.evidence.as_ref()),
                evidence.as_ref(),
            ),
            tier => tier,
        };
        let thread = match &mut self.states {
            Some(t) => t,
            None => self
                .states
                .insert(StatesThread::spawn(self.states_gate.take())?),
        };
        let start = (tier == Tier::Full || self.kept.is_none()) && !thread.busy();
        if start {
            let peers = self.processes.is_some();
            thread.start(StatesRequest {
                taken_at: snap.taken_at,
                sockstat: self.last_sockstat,
                evidence,
                unix_listeners: if peers {
                    snap.unix_listeners.clone()
                } else {
                    Vec::new()
                },
                peers,
                spare: std::mem::take(&mut self.states_spare),
            })?;
        }
        let wait = match wait {
            _ if self.kept.is_none() => None,
            Some(_) if !start => Some(Duration::ZERO),
            w => w,
        };
        let Taken::Done(dumped) = thread.take(wait) else {
            return Ok(FinishedDump::default());
        };
        let dumped = (*dumped)?;
        let finished = FinishedDump {
            skipped: dumped.skipped,
            notes: dumped.notes,
            cost_us: dumped.states.cost_us,
        };
        if let Some(old) = self.kept.replace(dumped.states) {
            self.keep_spare(old.sockets);
        }
        Ok(finished)
    }

    /// Keeps `states` for the next state dump to fill, when it is an older
    /// list than the kept one, no snapshot holds it any more and it is no
    /// larger than [`states::SPARE_MAX_SOCKETS`]; else it is freed.
    fn keep_spare(&mut self, states: Arc<Vec<TcpSocket>>) {
        if self
            .kept
            .as_ref()
            .is_some_and(|k| Arc::ptr_eq(&k.sockets, &states))
        {
            return;
        }
        if let Ok(list) = Arc::try_unwrap(states)
            && list.capacity() > self.states_spare.capacity()
            && list.capacity() <= states::SPARE_MAX_SOCKETS
        {
            self.states_spare = list;
        }
    }
}

/// What a state dump finished for this collection had to say.
#[derive(Debug, Default)]
struct FinishedDump {
    skipped: u64,
    notes: Vec<String>,
    cost_us: u64,
}

impl Source for LiveSource {
    /// A full collection, or under [`LiveSource::with_budget`] the tiers
    /// its schedule picks.
    fn collect(&mut self) -> Result<Snapshot, CollectError> {
        let Some(own) = &mut self.schedule else {
            return self.collect_tier(Tier::Full);
        };
        let last = self
            .kept
            .as_ref()
            .map(|k| k.last_full(Timestamp::now(), self.last_sockstat.as_ref()));
        // The first full dump is not charged: it happens whatever the
        // budget, and its debt would cost the next round its dump.
        let first = last.is_none();
        let tier = own.tier(last);
        let snap = self.collect_tier_within(tier, self.states_wait)?;
        if let (Some(own), Some(t), false) = (&mut self.schedule, &snap.collector.tiers, first) {
            own.charge(t.states_cpu_us);
        }
        Ok(snap)
    }

    fn needs(&mut self, needs: &Needs) {
        if let Some(own) = &mut self.schedule {
            own.set_needs(needs);
        }
    }

    /// Takes back the listeners' list to fill at the next collection and,
    /// once no one else holds them, the states before the kept ones for
    /// the next state dump.
    fn recycle(&mut self, tcp: TcpList) {
        let (own, shared) = tcp.into_parts();
        if own.capacity() >= self.spare.capacity() {
            self.spare = own;
        }
        if let Some(states) = shared {
            self.keep_spare(states);
        }
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
