//! How old a socket is, from what the kernel proves (`struct tcp_info`
//! times, collected for CLOSE_WAIT sockets and for connections still in a
//! listener's accept queue) and from how long sockscope has watched it.
//!
//! The bounds, for one dump:
//! - CLOSE_WAIT: the peer's FIN carries an ACK and the peer sends nothing
//!   after it but ACKs, so the time since the FIN is at least
//!   `tcpi_last_ack_recv` (and at most `tcpi_last_data_recv`, unless we sent
//!   data after it).
//! - A queued child (inode 0: no `accept()` yet): its receive stamps start
//!   when the handshake completed, so it has waited at least the larger of
//!   `tcpi_last_data_recv` and `tcpi_last_ack_recv`.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::snapshot::{Snapshot, TcpSocket, TcpState};

/// The `struct tcp_info` times of one socket (`INET_DIAG_INFO`), each the
/// milliseconds since the event at the dump; `None` when the kernel's
/// struct was too short to hold the field or the value is not a plausible
/// age (see [`plausible_ms`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpTimes {
    /// The socket's cookie (`idiag_cookie`), to match it in `snapshot.tcp`.
    pub cookie: u64,
    /// `tcpi_last_data_sent`: ms since we last sent a segment with payload.
    pub last_data_sent_ms: Option<u32>,
    /// `tcpi_last_data_recv`: ms since the last segment with payload came in
    /// (since the connection was set up when none did).
    pub last_data_recv_ms: Option<u32>,
    /// `tcpi_last_ack_recv`: ms since the last ACK came in.
    pub last_ack_recv_ms: Option<u32>,
}

/// The kernel computes each time as `jiffies_to_msecs(now - stamp)` in 32
/// bits, so a stamp never set (or older than the wrap, 24.8 days of the
/// signed half) comes out as a huge value: those are not ages.
pub fn plausible_ms(value: u32) -> Option<u32> {
    (value < 1 << 31).then_some(value)
}

/// Where an age comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeSource {
    /// The kernel's `tcp_info` times prove at least this age.
    Kernel,
    /// sockscope has seen the socket in its state for this long.
    Watched,
}

impl AgeSource {
    /// `kernel` or `watched`, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            AgeSource::Kernel => "kernel",
            AgeSource::Watched => "watched",
        }
    }
}

/// A socket's age in its current state: at least `ms` milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketAge {
    /// Milliseconds.
    pub ms: u64,
    /// Which bound is the larger one.
    pub source: AgeSource,
}

impl SocketAge {
    /// The age as a duration.
    pub fn duration(self) -> SignedDuration {
        SignedDuration::from_millis(self.ms.min(i64::MAX as u64) as i64)
    }
}

impl Snapshot {
    /// The `tcp_info` times of the socket with `cookie`, when collected.
    pub fn times_of(&self, cookie: u64) -> Option<&TcpTimes> {
        let at = self
            .tcp_times
            .binary_search_by_key(&cookie, |t| t.cookie)
            .ok()?;
        self.tcp_times.get(at)
    }
}

/// How long a queued child has waited at least, from the kernel.
pub fn queued_wait_ms(times: &TcpTimes) -> Option<u64> {
    let a = times.last_data_recv_ms.map(u64::from);
    let b = times.last_ack_recv_ms.map(u64::from);
    a.max(b)
}

/// The age in its current state the kernel proves for `sock` (see the
/// module documentation); `None` for other states or without times.
pub fn kernel_age_ms(sock: &TcpSocket, times: &TcpTimes) -> Option<u64> {
    if sock.state == TcpState::CloseWait {
        times.last_ack_recv_ms.map(u64::from)
    } else if sock.state == TcpState::Established && sock.inode == 0 {
        queued_wait_ms(times)
    } else {
        None
    }
}

/// A socket's age at `now`: the larger of what the kernel proves
/// (`kernel_ms`, see [`kernel_age_ms`]) and how long it has been watched
/// (`first_seen` in its current state). `None` when neither is known.
pub fn socket_age(
    kernel_ms: Option<u64>,
    first_seen: Option<Timestamp>,
    now: Timestamp,
) -> Option<SocketAge> {
    let kernel = kernel_ms;
    let watched = first_seen.map(|at| now.duration_since(at).as_millis().max(0) as u64);
    match (kernel, watched) {
        (Some(k), Some(w)) if w > k => Some(SocketAge {
            ms: w,
            source: AgeSource::Watched,
        }),
        (Some(k), _) => Some(SocketAge {
            ms: k,
            source: AgeSource::Kernel,
        }),
        (None, Some(w)) => Some(SocketAge {
            ms: w,
            source: AgeSource::Watched,
        }),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::sock;

    fn times(data: Option<u32>, ack: Option<u32>) -> TcpTimes {
        TcpTimes {
            cookie: 1,
            last_data_sent_ms: None,
            last_data_recv_ms: data,
            last_ack_recv_ms: ack,
        }
    }

    #[test]
    fn close_wait_age_is_the_last_ack() {
        let mut s = sock(TcpState::CloseWait, "10.0.0.1:80", "10.0.0.2:5000", 1);
        s.inode = 7;
        let t = times(Some(90_000), Some(60_000));
        assert_eq!(kernel_age_ms(&s, &t), Some(60_000));
        let now: Timestamp = "2026-12-01T20:00:00Z".parse().unwrap();
        let seen = now - SignedDuration::from_secs(10);
        let kernel = kernel_age_ms(&s, &t);
        let age = socket_age(kernel, Some(seen), now).unwrap();
        assert_eq!((age.ms, age.source), (60_000, AgeSource::Kernel));
        let seen = now - SignedDuration::from_secs(100);
        let age = socket_age(kernel, Some(seen), now).unwrap();
        assert_eq!((age.ms, age.source), (100_000, AgeSource::Watched));
        assert_eq!(socket_age(None, None, now), None);
    }

    #[test]
    fn queued_children_waited_the_larger_receive_time() {
        let mut s = sock(TcpState::Established, "10.0.0.1:80", "10.0.0.2:5000", 1);
        s.inode = 0;
        assert!(s.awaits_accept());
        assert_eq!(kernel_age_ms(&s, &times(Some(5), Some(9))), Some(9));
        assert_eq!(kernel_age_ms(&s, &times(None, None)), None);
        let mut accepted = s.clone();
        accepted.inode = 3;
        assert!(!accepted.awaits_accept());
        assert_eq!(kernel_age_ms(&accepted, &times(Some(5), Some(9))), None);
    }

    #[test]
    fn wrapped_times_are_not_ages() {
        assert_eq!(plausible_ms(0), Some(0));
        assert_eq!(plausible_ms((1 << 31) - 1), Some((1 << 31) - 1));
        assert_eq!(plausible_ms(1 << 31), None);
        assert_eq!(plausible_ms(u32::MAX), None);
    }
}
