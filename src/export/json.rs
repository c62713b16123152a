//! The snapshot JSON document (`sockscope.snapshot.v1`): a stable contract,
//! documented in docs/formats.md. These serde types are the contract; change them
//! only by adding fields.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::sockets::{SocketDoc, socket_docs};
use crate::model::alerts::LoggedAlert;
use crate::model::{
    Aggregate, Alert, CollectorStats, ProcessTable, Rule, Severity, Snapshot, StateCounts, Target,
    TcpState, Tracker,
};

/// Value of the `schema` field.
pub const SCHEMA: &str = "sockscope.snapshot.v1";

/// Every TCP state, LISTEN included: the `totals.tcp` object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct AllStates {
    pub established: u64,
    pub syn_sent: u64,
    pub syn_recv: u64,
    pub fin_wait1: u64,
    pub fin_wait2: u64,
    pub time_wait: u64,
    pub close: u64,
    pub close_wait: u64,
    pub last_ack: u64,
    pub listen: u64,
    pub closing: u64,
}

/// The states a listener's connections can be in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct ConnStates {
    pub syn_recv: u64,
    pub established: u64,
    pub fin_wait1: u64,
    pub fin_wait2: u64,
    pub time_wait: u64,
    pub close: u64,
    pub close_wait: u64,
    pub last_ack: u64,
    pub closing: u64,
}

/// A remote's states: a listener's plus SYN_SENT (outbound connects).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteStates {
    /// Outbound connects still waiting for the SYN-ACK.
    pub syn_sent: u64,
    /// The other states.
    #[serde(flatten)]
    pub conn: ConnStates,
}

impl From<&StateCounts> for AllStates {
    fn from(c: &StateCounts) -> Self {
        use TcpState::*;
        AllStates {
            established: c[Established],
            syn_sent: c[SynSent],
            syn_recv: c[SynRecv],
            fin_wait1: c[FinWait1],
            fin_wait2: c[FinWait2],
            time_wait: c[TimeWait],
            close: c[Close],
            close_wait: c[CloseWait],
            last_ack: c[LastAck],
            listen: c[Listen],
            closing: c[Closing],
        }
    }
}

impl From<&StateCounts> for ConnStates {
    fn from(c: &StateCounts) -> Self {
        use TcpState::*;
        ConnStates {
            syn_recv: c[SynRecv],
            established: c[Established],
            fin_wait1: c[FinWait1],
            fin_wait2: c[FinWait2],
            time_wait: c[TimeWait],
            close: c[Close],
            close_wait: c[CloseWait],
            last_ack: c[LastAck],
            closing: c[Closing],
        }
    }
}

/// `totals`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Every TCP socket by state; equals `ss -tan` counted by state.
    pub tcp: AllStates,
}

/// One LISTEN socket of a listener (`listeners[].members[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDoc {
    /// Socket inode.
    pub inode: u32,
    /// Its accept queue (Recv-Q), connections.
    pub accept_queue: u64,
    /// Its backlog limit (Send-Q), connections.
    pub backlog: u64,
    /// Its `sk_drops` (`ss -tlnm`'s `d`): connections and SYNs dropped at
    /// this socket since it was created, a wrapping u32; absent when not
    /// collected (older recordings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drops: Option<u32>,
    /// Processes holding this socket open; empty when unknown.
    #[serde(default)]
    pub processes: Vec<ProcessDoc>,
}

/// A process holding a listener open (`listeners[].processes[]`,
/// `unix_listeners[].processes[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessDoc {
    /// Process id.
    pub pid: u32,
    /// Command name (`/proc/<pid>/comm`).
    pub comm: String,
    /// Full command line, arguments joined by spaces.
    pub cmdline: String,
    /// User name of the process's real uid (the uid in decimal when unnamed).
    pub user: String,
}

impl ProcessDoc {
    fn list(table: &ProcessTable, owners: &[u32]) -> Vec<ProcessDoc> {
        owners
            .iter()
            .filter_map(|&i| table.get(i))
            .map(|p| ProcessDoc {
                pid: p.pid,
                comm: p.comm.clone(),
                cmdline: p.cmdline.clone(),
                user: p.user.clone(),
            })
            .collect()
    }
}

/// The label of namespace part `idx` when `snapshot` holds several.
fn part_label(snapshot: &Snapshot, idx: usize) -> Option<String> {
    (!snapshot.netns_parts.is_empty()).then(|| snapshot.part_label(idx).to_owned())
}

/// A listener (`listeners[]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListenerDoc {
    /// Always `tcp` for now.
    pub proto: String,
    /// Bound address:port, IPv6 in brackets.
    pub local: String,
    /// Attributed non-listening sockets (the sum of `states`).
    pub sockets: u64,
    /// Sum of the members' accept queues, connections.
    pub accept_queue: u64,
    /// Sum of the members' backlog limits, connections.
    pub backlog: u64,
    /// The LISTEN sockets (more than one with SO_REUSEPORT).
    pub members: Vec<MemberDoc>,
    /// Sum of the members' `drops`; absent when not collected. It goes down
    /// when a member closes or its counter wraps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drops: Option<u64>,
    /// Accept-queue fill of the fullest member (its accept_queue / backlog;
    /// above 1 when the kernel let it reach backlog + 1).
    #[serde(default)]
    pub fill: f64,
    /// Members whose accept queue is at or over their backlog.
    #[serde(default)]
    pub full_members: u64,
    /// Attributed sockets by state.
    pub states: ConnStates,
    /// Processes holding any member open; empty when unknown.
    #[serde(default)]
    pub processes: Vec<ProcessDoc>,
    /// The listener's namespace, in a snapshot of several (`--all-netns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netns: Option<String>,
    /// The container behind that namespace (`docker:4f1c2b3a9d8e`), in a
    /// snapshot of several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netns_id: Option<String>,
    /// Connections still in the accept queue (inode 0: never accepted).
    #[serde(default)]
    pub queued: u64,
    /// How long the oldest queued connection has waited at least,
    /// milliseconds (`tcp_info`); absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_queued_ms: Option<u64>,
    /// CLOSE_WAIT connections with Recv-Q ≥ 1: the FIN unread.
    #[serde(default)]
    pub close_wait_unread: u64,
    /// CLOSE_WAIT connections with Recv-Q 0: read EOF, never closed.
    #[serde(default)]
    pub close_wait_read: u64,
}

/// A UNIX listener (`unix_listeners[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnixListenerDoc {
    /// Path, `@name` for abstract sockets, empty when unnamed.
    pub path: String,
    /// Socket inode.
    pub inode: u32,
    /// `stream` or `seqpacket`.
    pub kind: crate::model::UnixKind,
    /// Pending connections.
    pub accept_queue: u64,
    /// Backlog limit.
    pub backlog: u64,
    /// Processes holding the listener open; empty when unknown.
    #[serde(default)]
    pub processes: Vec<ProcessDoc>,
    /// The listener's namespace, in a snapshot of several (`--all-netns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netns: Option<String>,
}

/// A remote endpoint (`remotes[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteDoc {
    /// Remote address:port.
    pub remote: String,
    /// Local address the connections leave from.
    pub local: String,
    /// Sockets by state.
    pub states: RemoteStates,
    /// Distinct local ports in use toward `remote` from `local`.
    pub local_ports: u64,
    /// The processes holding most of these sockets (at most three, most
    /// sockets first); empty when unknown.
    #[serde(default)]
    pub processes: Vec<ProcessDoc>,
}

/// The whole document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotDoc {
    /// [`SCHEMA`].
    pub schema: String,
    /// When the collection started, RFC 3339.
    pub taken_at: Timestamp,
    /// Host name.
    pub hostname: String,
    /// Network namespace label (`host`, `k8s:shop/cart-7d9f`, `docker:web-1`,
    /// a `/run/netns` name, `pid 4242 (app)`, `all`).
    pub netns: String,
    /// The container the namespace belongs to, runtime and short id
    /// (`docker:4f1c2b3a9d8e`); absent when it is not a container's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netns_id: Option<String>,
    /// Totals by state.
    pub totals: Totals,
    /// Listeners, sorted by port then address.
    pub listeners: Vec<ListenerDoc>,
    /// UNIX stream and seqpacket listeners.
    pub unix_listeners: Vec<UnixListenerDoc>,
    /// Outbound groups, most sockets first.
    pub remotes: Vec<RemoteDoc>,
    /// Every `TcpExt` and `Tcp` counter.
    pub counters: BTreeMap<String, u64>,
    /// TCP tunables by sysctl name.
    pub tunables: BTreeMap<String, String>,
    /// How the collection went.
    pub collector: CollectorStats,
    /// Every TCP socket, present only when asked for (`--sockets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sockets: Option<Vec<SocketDoc>>,
    /// Alerts active at this sample; with `snapshot --watch`, every alert
    /// that fired during the watch (resolved ones carry `ended`).
    #[serde(default)]
    pub alerts: Vec<AlertDoc>,
    /// Alert rules that ran degraded (a counter or tunable missing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alert_notes: Vec<String>,
    /// The sampling of `snapshot --watch`; absent for a single snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch: Option<WatchDoc>,
}

/// An alert (`alerts[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDoc {
    /// Rule id (`accept_queue_overflow`, `close_wait_leak`, ...).
    pub rule: Rule,
    /// `info`, `warning` or `critical` (the latest).
    pub severity: Severity,
    /// What it is about: `{ "kind": "listener", "name": "0.0.0.0:8080" }`.
    pub target: Target,
    /// The human sentence with the numbers.
    pub message: String,
    /// What to do about it, one line per rule ([`Rule::advice`]).
    #[serde(default)]
    pub advice: String,
    /// First sample of the run of samples that made it fire, RFC 3339.
    pub since: Timestamp,
    /// First sample at which it no longer held, for a resolved alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Timestamp>,
}

impl From<&Alert> for AlertDoc {
    fn from(a: &Alert) -> Self {
        AlertDoc {
            rule: a.rule,
            severity: a.severity,
            target: a.target.clone(),
            message: a.message.clone(),
            advice: a.rule.advice().to_owned(),
            since: a.since,
            ended: None,
        }
    }
}

impl From<&LoggedAlert> for AlertDoc {
    fn from(l: &LoggedAlert) -> Self {
        AlertDoc {
            ended: Some(l.ended),
            ..AlertDoc::from(&l.alert)
        }
    }
}

/// How `snapshot --watch` sampled (`watch`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchDoc {
    /// First sample, RFC 3339.
    pub from: Timestamp,
    /// Last sample (the one the rest of the document describes).
    pub to: Timestamp,
    /// Samples taken.
    pub samples: u64,
    /// Time between samples, milliseconds.
    pub interval_ms: u64,
}

impl SnapshotDoc {
    /// Adds the per-socket list (`sockets[]`) of `snapshot`; ages watched
    /// come from `tracker` when the snapshot went through a model.
    pub fn with_sockets(
        mut self,
        snapshot: &Snapshot,
        agg: &Aggregate,
        tracker: Option<&Tracker>,
    ) -> SnapshotDoc {
        self.sockets = Some(socket_docs(snapshot, agg, tracker));
        self
    }

    /// Builds the document of `snapshot` and its aggregate.
    pub fn new(snapshot: &Snapshot, agg: &Aggregate) -> SnapshotDoc {
        SnapshotDoc {
            schema: SCHEMA.to_owned(),
            taken_at: snapshot.taken_at,
            hostname: snapshot.hostname.clone(),
            netns: snapshot.netns.clone(),
            netns_id: snapshot.netns_id.clone(),
            totals: Totals {
                tcp: AllStates::from(&agg.totals),
            },
            listeners: agg
                .listeners
                .iter()
                .map(|l| ListenerDoc {
                    proto: "tcp".to_owned(),
                    local: l.local.to_string(),
                    sockets: l.sockets(),
                    accept_queue: l.accept_queue,
                    backlog: l.backlog,
                    members: l
                        .members
                        .iter()
                        .map(|m| MemberDoc {
                            inode: m.inode,
                            accept_queue: m.accept_queue,
                            backlog: m.backlog,
                            drops: m.drops,
                            processes: ProcessDoc::list(&snapshot.processes, &m.processes),
                        })
                        .collect(),
                    drops: l.drops(),
                    fill: l.fill(),
                    full_members: l.full_members() as u64,
                    states: ConnStates::from(&l.states),
                    processes: ProcessDoc::list(&snapshot.processes, &l.processes),
                    netns: part_label(snapshot, usize::from(l.netns)),
                    netns_id: snapshot
                        .netns_parts
                        .get(usize::from(l.netns))
                        .and_then(|p| p.id.clone()),
                    queued: l.queued,
                    oldest_queued_ms: l.oldest_queued_ms,
                    close_wait_unread: l.close_wait_unread,
                    close_wait_read: l.close_wait_read,
                })
                .collect(),
            unix_listeners: snapshot
                .unix_listeners
                .iter()
                .zip(&agg.unix_processes)
                .enumerate()
                .map(|(i, (u, owners))| UnixListenerDoc {
                    path: u.path.clone(),
                    inode: u.inode,
                    kind: u.kind,
                    accept_queue: u64::from(u.accept_queue),
                    backlog: u64::from(u.backlog),
                    processes: ProcessDoc::list(&snapshot.processes, owners),
                    netns: part_label(snapshot, snapshot.part_of_unix(i)),
                })
                .collect(),
            remotes: agg
                .remotes
                .iter()
                .map(|r| RemoteDoc {
                    remote: r.remote.to_string(),
                    local: r.local_ip.to_string(),
                    states: RemoteStates {
                        syn_sent: r.states[TcpState::SynSent],
                        conn: ConnStates::from(&r.states),
                    },
                    local_ports: r.local_ports,
                    processes: ProcessDoc::list(&snapshot.processes, &r.processes),
                })
                .collect(),
            counters: (*snapshot.counters).clone(),
            tunables: (*snapshot.tunables).clone(),
            collector: snapshot.collector.clone(),
            sockets: None,
            alerts: Vec::new(),
            alert_notes: Vec::new(),
            watch: None,
        }
    }

    /// Sets `alerts` and `alert_notes`.
    pub fn with_alerts(mut self, alerts: Vec<AlertDoc>, notes: &[String]) -> SnapshotDoc {
        self.alerts = alerts;
        self.alert_notes = notes.to_vec();
        self
    }
}
