//! The per-socket list of `sockscope snapshot --format json --sockets`
//! (`sockets[]`, an optional field of the snapshot document): every TCP
//! socket with the figures the drill-down shows.

use serde::{Deserialize, Serialize};

use crate::model::kernel_ages::{kernel_age_ms, socket_age};
use crate::model::{AgeSource, Aggregate, Owner, Snapshot, TcpState, Timer, Tracker};

/// One TCP socket (`sockets[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketDoc {
    /// Kernel socket cookie (`id.idiag_cookie`), stable for the socket's life.
    pub cookie: u64,
    /// State as `idiag_state`, snake_case (`close_wait`).
    pub state: TcpState,
    /// Local address:port (`idiag_src`/`idiag_sport`), IPv6 in brackets.
    pub local: String,
    /// Remote address:port (`idiag_dst`/`idiag_dport`).
    pub remote: String,
    /// `idiag_rqueue`: bytes unread; on LISTEN, connections in the accept queue.
    pub recv_q: u32,
    /// `idiag_wqueue`: bytes unacknowledged; on LISTEN, the backlog limit.
    pub send_q: u32,
    /// Active timer (`idiag_timer`): `off`, `retransmit`, `keepalive`, `time_wait`, `probe`.
    pub timer: Timer,
    /// Milliseconds until the timer fires (`idiag_expires`), 0 when off.
    pub expires_ms: u32,
    /// Retransmits or keepalive probes so far (`idiag_retrans`).
    pub retrans: u8,
    /// Socket inode (`idiag_inode`), 0 for request and TIME_WAIT sockets.
    pub inode: u32,
    /// Owner uid (`idiag_uid`).
    pub uid: u32,
    /// `local` of the listener this socket is a LISTEN socket or a connection
    /// of; `null` for outbound sockets (counted under `remotes`).
    pub listener: Option<String>,
    /// The processes holding this socket's inode as `comm[pid]`
    /// (`comm[pid]+N` when N more share it); request and TIME_WAIT sockets
    /// show their listener's, connections still in the accept queue none;
    /// `?` when `/proc` could not be read, absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// `tcpi_last_data_recv`: ms since the last segment with data came in;
    /// collected for CLOSE_WAIT and queued sockets only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_data_recv_ms: Option<u32>,
    /// `tcpi_last_ack_recv`: ms since the last ACK came in (as above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ack_recv_ms: Option<u32>,
    /// `tcpi_last_data_sent`: ms since we last sent data (as above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_data_sent_ms: Option<u32>,
    /// Age in the current state, ms: at least this old; absent when
    /// neither proven by the kernel nor watched for any time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_ms: Option<u64>,
    /// Where `age_ms` comes from: `kernel` (proven by `tcp_info`) or
    /// `watched` (seen by sockscope for that long).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_source: Option<AgeSource>,
    /// A connection still in its listener's accept queue (inode 0, never accepted).
    #[serde(default)]
    pub queued: bool,
}

/// The list of every TCP socket of `snapshot`, in dump order; watched
/// ages from `tracker` (without one, only kernel-proven ages).
pub fn socket_docs(
    snapshot: &Snapshot,
    agg: &Aggregate,
    tracker: Option<&Tracker>,
) -> Vec<SocketDoc> {
    snapshot
        .tcp
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let owner = agg.owners.get(i);
            let listener = match owner {
                Some(Owner::Listening(n) | Owner::Listener(n)) => {
                    agg.listeners.get(n as usize).map(|l| l.local.to_string())
                }
                _ => None,
            };
            let times = snapshot.times_of(s.cookie);
            let age = match tracker {
                Some(t) => t.age_of(snapshot, s),
                None => socket_age(
                    times.and_then(|t| kernel_age_ms(s, t)),
                    None,
                    snapshot.taken_at,
                ),
            }
            // Seen for 0 ms (a one-shot snapshot's first sight) says nothing.
            .filter(|a| a.source == AgeSource::Kernel || a.ms > 0);
            SocketDoc {
                cookie: s.cookie,
                state: s.state,
                local: s.local.to_string(),
                remote: s.remote.to_string(),
                recv_q: s.recv_q,
                send_q: s.send_q,
                timer: s.timer,
                expires_ms: s.expires_ms,
                retrans: s.retrans,
                inode: s.inode,
                uid: s.uid,
                listener,
                process: Some(agg.owner_label(snapshot, i)).filter(|p| !p.is_empty()),
                last_data_recv_ms: times.and_then(|t| t.last_data_recv_ms),
                last_ack_recv_ms: times.and_then(|t| t.last_ack_recv_ms),
                last_data_sent_ms: times.and_then(|t| t.last_data_sent_ms),
                age_ms: age.map(|a| a.ms),
                age_source: age.map(|a| a.source),
                queued: matches!(owner, Some(Owner::Listener(_))) && s.awaits_accept(),
            }
        })
        .collect()
}
