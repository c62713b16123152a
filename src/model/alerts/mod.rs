//! The alert engine: rules that read the model's history and socket ages,
//! and turn what they find into alerts with hysteresis and a log.
//!
//! Pure like the rest of the model: time is the snapshots' `taken_at`. Each
//! rule family lives in its own file and returns [`Finding`]s for the newest
//! sample; [`AlertEngine`] debounces them into [`Alert`]s.

mod close_wait;
mod counters;
pub(crate) mod drops;
mod engine;
mod ports;
mod queues;
mod thresholds;

#[cfg(test)]
mod tests;

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::model::aggregate::Remote;
use crate::model::snapshot::UnixListener;

pub use drops::{MemberDrops, Overflow};
pub use engine::{AlertEngine, LoggedAlert};
pub use thresholds::{
    AcceptQueue, CloseWait, EphemeralPorts, OutOfRange, SynBacklog, SynFlood, Thresholds, TimeWait,
};

/// A rule; its id is part of the JSON contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A listener's accept queue is full or near full, or the namespace's
    /// `ListenOverflows` rose while it was.
    AcceptQueueOverflow,
    /// SYN_RECV on a listener near min(backlog, `tcp_max_syn_backlog`).
    SynBacklog,
    /// `SyncookiesSent`, `TCPReqQFullDoCookies` or `TCPReqQFullDrop` rising.
    SynFlood,
    /// CLOSE_WAIT sockets that persist: the application never calls `close()`.
    CloseWaitLeak,
    /// TIME_WAIT near `tcp_max_tw_buckets`, or `TCPTimeWaitOverflow` rising.
    TimeWaitPressure,
    /// Local ports toward one destination near the `ip_local_port_range` size.
    EphemeralPortExhaustion,
    /// A listener whose backlog equals `net.core.somaxconn`.
    BacklogClamped,
}

impl Rule {
    /// Every rule, in evaluation order.
    pub const ALL: [Rule; 7] = [
        Rule::AcceptQueueOverflow,
        Rule::SynBacklog,
        Rule::SynFlood,
        Rule::CloseWaitLeak,
        Rule::TimeWaitPressure,
        Rule::EphemeralPortExhaustion,
        Rule::BacklogClamped,
    ];

    /// The rule id (`accept_queue_overflow`).
    pub fn id(self) -> &'static str {
        match self {
            Rule::AcceptQueueOverflow => "accept_queue_overflow",
            Rule::SynBacklog => "syn_backlog",
            Rule::SynFlood => "syn_flood",
            Rule::CloseWaitLeak => "close_wait_leak",
            Rule::TimeWaitPressure => "time_wait_pressure",
            Rule::EphemeralPortExhaustion => "ephemeral_port_exhaustion",
            Rule::BacklogClamped => "backlog_clamped",
        }
    }

    /// The rule with id `id`.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// What to do about it, in one line: shown in the alerts panel, the
    /// status line and JSON (`advice`).
    pub fn advice(self) -> &'static str {
        match self {
            Rule::AcceptQueueOverflow => {
                "the app is not calling accept() fast enough: check the process named (worker pool, \
                 event loop, a stuck thread); raise the backlog (listen() and somaxconn) only if the \
                 bursts are legitimate"
            }
            Rule::SynBacklog => {
                "handshakes pile up (a SYN flood, or clients that never finish): keep \
                 tcp_syncookies=1; if the traffic is real, raise tcp_max_syn_backlog and the \
                 listen() backlog"
            }
            Rule::SynFlood => {
                "the kernel answers with SYN cookies or drops SYNs: look at the peers for a flood; \
                 if the traffic is real, raise the listen() backlog and tcp_max_syn_backlog"
            }
            Rule::CloseWaitLeak => {
                "the app does not close() after the peer hung up: the bug is in the process named \
                 (a missing close, a leaked pool connection); restarting it frees the sockets, \
                 destroying them only hides the leak"
            }
            Rule::TimeWaitPressure => {
                "this host closes many short connections first: reuse connections (keep-alive, \
                 pooling); tcp_tw_reuse=1 helps outbound; raise tcp_max_tw_buckets if memory allows"
            }
            Rule::EphemeralPortExhaustion => {
                "too many connections to one destination from one address: pool and reuse them \
                 (keep-alive), set tcp_tw_reuse=1, widen ip_local_port_range or add source addresses"
            }
            Rule::BacklogClamped => {
                "the listen() backlog asked for is capped by net.core.somaxconn: raise somaxconn if \
                 the app wants a longer queue"
            }
        }
    }

    /// Every rule id.
    pub fn ids() -> Vec<&'static str> {
        Rule::ALL.iter().map(|r| r.id()).collect()
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How bad an alert is. Ordered: `Info < Warning < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing, nothing is failing (`backlog_clamped`).
    Info,
    /// Heading for trouble.
    Warning,
    /// Connections are being dropped or will be soon.
    Critical,
}

impl Severity {
    /// `info`, `warning` or `critical`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// The row marker of this severity, in the dashboard and the text
    /// report: `‼` critical, `!` warning, `i` info.
    pub fn marker(self) -> &'static str {
        match self {
            Severity::Critical => "‼",
            Severity::Warning => "!",
            Severity::Info => "i",
        }
    }
}

/// What kind of thing an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A TCP listener; the name is its local address:port.
    Listener,
    /// A process; the name is `comm (pid N)`.
    Process,
    /// An outbound destination; the name is `remote from local-address`.
    Remote,
    /// The whole network namespace; the name is its label.
    Namespace,
    /// A UNIX listener; the name is its path (`@name`, or `inode N` when unnamed).
    UnixSocket,
}

impl TargetKind {
    /// The snake_case name used in JSON (`unix_socket`).
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Listener => "listener",
            TargetKind::Process => "process",
            TargetKind::Remote => "remote",
            TargetKind::Namespace => "namespace",
            TargetKind::UnixSocket => "unix_socket",
        }
    }
}

/// The thing an alert is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Target {
    /// Kind of thing.
    pub kind: TargetKind,
    /// Its canonical name (see [`TargetKind`]): stable across samples.
    pub name: String,
    /// The namespace it is in, when several are watched (`--all-netns`);
    /// part of its identity, so the same address in two namespaces is two
    /// targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netns: Option<String>,
}

impl Target {
    /// A target of `kind` named `name`.
    pub fn new(kind: TargetKind, name: impl Into<String>) -> Target {
        Target {
            kind,
            name: name.into(),
            netns: None,
        }
    }

    /// The same target in namespace `netns` (`None`: the only one watched).
    pub fn in_netns(mut self, netns: Option<&str>) -> Target {
        self.netns = netns.map(str::to_owned);
        self
    }

    /// The target of the TCP listener bound to `local`.
    pub fn listener(local: SocketAddr) -> Target {
        Target::new(TargetKind::Listener, local.to_string())
    }

    /// The target of a UNIX listener: its path, or `inode N` when unnamed.
    pub fn unix(u: &UnixListener) -> Target {
        let name = if u.path.is_empty() {
            format!("inode {}", u.inode)
        } else {
            u.path.clone()
        };
        Target::new(TargetKind::UnixSocket, name)
    }

    /// The target of a remote group: `remote from local-address`.
    pub fn remote(r: &Remote) -> Target {
        Target::remote_from(r.remote, r.local_ip)
    }

    /// The target of the remote group of `remote` reached from `local`.
    pub fn remote_from(remote: SocketAddr, local: IpAddr) -> Target {
        Target::new(TargetKind::Remote, format!("{remote} from {local}"))
    }
}

/// One rule's verdict on one target at the newest sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// What it is about.
    pub target: Target,
    /// How bad, now.
    pub severity: Severity,
    /// The human sentence with the numbers.
    pub message: String,
}

/// An alert that fired (its condition held for `fire_after` samples).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Rule id.
    pub rule: Rule,
    /// Current severity (the newest sample's).
    pub severity: Severity,
    /// Highest severity reached since it fired.
    pub peak: Severity,
    /// What it is about.
    pub target: Target,
    /// The newest human message.
    pub message: String,
    /// Timestamp of the first sample of the run of samples that made it fire.
    pub since: Timestamp,
}

impl Alert {
    /// The alert as found in namespace `label` of several: its target
    /// carries the namespace and its message starts with it.
    pub fn in_netns(&self, label: &str) -> Alert {
        Alert {
            target: self.target.clone().in_netns(Some(label)),
            message: format!("{label}: {}", self.message),
            ..self.clone()
        }
    }
}

/// What the alert engine says about one sample: carried by its frame, so
/// time travel shows the alerts of the past.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertSet {
    /// Alerts active at this sample, most severe first, then by rule and target.
    pub active: Vec<Alert>,
    /// Rules that ran degraded at this sample (a counter or tunable missing),
    /// one sentence each.
    pub notes: Vec<String>,
    /// How the listeners' drops rose since the previous sample and which
    /// listeners (members, with drop data) they are attributed to; `None` on
    /// the first sample, when nothing was dropped, or when neither the
    /// counters nor the members' drops are known.
    pub overflow: Option<Overflow>,
}

impl AlertSet {
    /// Active alerts of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.active
            .iter()
            .filter(|a| a.severity == severity)
            .count()
    }

    /// Active alerts about `target`.
    pub fn about<'a>(&'a self, target: &'a Target) -> impl Iterator<Item = &'a Alert> + 'a {
        self.active.iter().filter(move |a| &a.target == target)
    }
}

/// "500ms", "37s", "14min", "2h05min": an age or span, rounded down for people.
pub fn human_duration(d: SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    match secs {
        0 => format!("{}ms", d.as_millis().max(0)),
        1..=119 => format!("{secs}s"),
        120..=7199 => format!("{}min", secs / 60),
        _ => format!("{}h{:02}min", secs / 3600, (secs % 3600) / 60),
    }
}

/// "the last minute", "the last 5min": how messages name the look-back window.
pub fn window_words(window: std::time::Duration) -> String {
    match window.as_secs() {
        60 => "the last minute".to_owned(),
        3600 => "the last hour".to_owned(),
        s => format!(
            "the last {}",
            human_duration(SignedDuration::from_secs(s as i64))
        ),
    }
}
