//! `struct tcp_info` (`INET_DIAG_INFO`) for the sockets whose age the
//! kernel can prove: CLOSE_WAIT sockets and connections still in an accept
//! queue (ESTABLISHED with inode 0). The main dump stays without extensions.
//!
//! A CLOSE_WAIT socket's age only grows while it stays in that state, and
//! the model's [`Tracker`](crate::model::Tracker) keeps the start the
//! kernel proved at its first sight, so only CLOSE_WAIT sockets new since
//! the previous collection are asked for: one by one by address pair and
//! cookie when few, else by a dump per family filtered to CLOSE_WAIT.
//! Queued connections (inode 0, ESTABLISHED or already CLOSE_WAIT) are
//! asked for one by one at every collection (no dump filter selects inode
//! 0; the sum of the backlogs bounds them), as the listener's
//! `oldest_queued_ms` is computed from each snapshot alone.

use netlink_packet_sock_diag::{
    AF_INET, AF_INET6, SockDiagMessage,
    inet::{ExtensionFlags, StateFlags},
};

use super::CollectError;
use super::exact;
use super::netlink::DiagSocket;
use crate::model::kernel_ages::plausible_ms;
use crate::model::{TcpSocket, TcpState, TcpTimes};

/// `INET_DIAG_INFO`, the attribute type carrying `struct tcp_info`.
const INET_DIAG_INFO: u16 = 2;

/// Offsets in `struct tcp_info` (`include/uapi/linux/tcp.h`); every kernel
/// since 2.6 has them, shorter structs simply lack the later fields.
const LAST_DATA_SENT: usize = 44;
const LAST_DATA_RECV: usize = 52;
const LAST_ACK_RECV: usize = 56;

/// Sockets asked for one by one at most per collection (the sum of the
/// backlogs of busy listeners stays far below).
pub const MAX_EXACT_REQUESTS: usize = 16_384;

/// From this many new CLOSE_WAIT sockets on, one filtered dump per family
/// is cheaper than a request per socket.
pub const DUMP_FROM: usize = 1024;

/// What one collection of times gave.
#[derive(Debug, Default)]
pub struct Collected {
    /// Times by cookie, sorted.
    pub times: Vec<TcpTimes>,
    /// Answers that could not be parsed, or sockets gone before they were asked for.
    pub skipped: u64,
    /// Sentences for the collector's notes.
    pub notes: Vec<String>,
}

/// The CLOSE_WAIT-only dump of `family`, with `tcp_info`.
pub fn close_wait_request(family: u8) -> SockDiagMessage {
    super::inet::diag_request(family, StateFlags::CLOSE_WAIT.bits(), ExtensionFlags::INFO)
}

fn field(info: &[u8], at: usize) -> Option<u32> {
    let raw = info.get(at..at + 4)?;
    plausible_ms(u32::from_ne_bytes([raw[0], raw[1], raw[2], raw[3]]))
}

/// Parses one answer: the socket's cookie and the times of its
/// `INET_DIAG_INFO`, each only when the struct is long enough to hold it.
/// `None` without the fixed part or without the attribute.
pub fn parse(b: &[u8]) -> Option<TcpTimes> {
    let sock = super::inet::parse(b)?;
    let (_, info) = super::inet::attributes(b).find(|(kind, _)| *kind == INET_DIAG_INFO)?;
    Some(TcpTimes {
        cookie: sock.cookie,
        last_data_sent_ms: field(info, LAST_DATA_SENT),
        last_data_recv_ms: field(info, LAST_DATA_RECV),
        last_ack_recv_ms: field(info, LAST_ACK_RECV),
    })
}

/// Collects the times of the CLOSE_WAIT sockets of `tcp` (the main dump)
/// whose cookies are not in `known` (sorted: those of the previous
/// collection; empty on the first) and of its queued connections. Returns
/// them with the sorted cookies of every CLOSE_WAIT socket of `tcp`, the
/// `known` of the next collection.
pub fn collect(
    diag: &mut DiagSocket,
    tcp: &[TcpSocket],
    known: &[u64],
) -> Result<(Collected, Vec<u64>), CollectError> {
    let mut out = Collected::default();
    let mut close_wait: Vec<u64> = Vec::new();
    let mut fresh: Vec<&TcpSocket> = Vec::new();
    for s in tcp.iter().filter(|s| s.state == TcpState::CloseWait) {
        close_wait.push(s.cookie);
        if !s.awaits_accept() && known.binary_search(&s.cookie).is_err() {
            fresh.push(s);
        }
    }
    close_wait.sort_unstable();
    let mut exact: Vec<&TcpSocket> = Vec::new();
    if fresh.len() >= DUMP_FROM {
        for (family, what, v6) in [
            (AF_INET, "tcp/ipv4 CLOSE_WAIT", false),
            (AF_INET6, "tcp/ipv6 CLOSE_WAIT", true),
        ] {
            if !fresh.iter().any(|s| s.local.is_ipv6() == v6) {
                continue;
            }
            let times = &mut out.times;
            let stats = diag.dump(what, close_wait_request(family), |payload| {
                parse(payload).map(|t| times.push(t)).is_some()
            })?;
            out.skipped += stats.skipped;
        }
    } else {
        exact = fresh;
    }
    exact.extend(tcp.iter().filter(|s| s.awaits_accept()));
    if exact.len() > MAX_EXACT_REQUESTS {
        out.notes.push(format!(
            "kernel ages: {} queued or new CLOSE_WAIT sockets, only the first {MAX_EXACT_REQUESTS} were asked for",
            exact.len()
        ));
        exact.truncate(MAX_EXACT_REQUESTS);
    }
    if !exact.is_empty() {
        let requests: Vec<SockDiagMessage> = exact
            .iter()
            .map(|s| {
                exact::request(
                    s.local.socket_addr(),
                    s.remote.socket_addr(),
                    s.cookie,
                    ExtensionFlags::INFO,
                )
            })
            .collect();
        let times = &mut out.times;
        let stats = diag.each("tcp_info", &requests, |payload| {
            parse(payload).map(|t| times.push(t)).is_some()
        })?;
        out.skipped += stats.skipped;
    }
    out.times.sort_unstable_by_key(|t| t.cookie);
    out.times.dedup_by_key(|t| t.cookie);
    Ok((out, close_wait))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collector::inet::INET_DIAG_MSG_LEN;

    fn answer(info_len: usize) -> Vec<u8> {
        let mut b = vec![0u8; INET_DIAG_MSG_LEN];
        b[0] = AF_INET;
        b[1] = 8;
        b[44..48].copy_from_slice(&7u32.to_ne_bytes());
        // An unrelated attribute first (INET_DIAG_SHUTDOWN, one byte, padded).
        b.extend_from_slice(&5u16.to_ne_bytes());
        b.extend_from_slice(&8u16.to_ne_bytes());
        b.extend_from_slice(&[3, 0, 0, 0]);
        b.extend_from_slice(&((info_len + 4) as u16).to_ne_bytes());
        b.extend_from_slice(&INET_DIAG_INFO.to_ne_bytes());
        let mut info = vec![0u8; info_len];
        for (at, v) in [
            (LAST_DATA_SENT, 1000u32),
            (LAST_DATA_RECV, 25_000),
            (LAST_ACK_RECV, u32::MAX - 3),
        ] {
            if at + 4 <= info_len {
                info[at..at + 4].copy_from_slice(&v.to_ne_bytes());
            }
        }
        b.extend_from_slice(&info);
        b
    }

    #[test]
    fn reads_the_times_and_refuses_wrapped_ones() {
        let t = parse(&answer(232)).unwrap();
        assert_eq!(t.cookie, 7);
        assert_eq!(t.last_data_sent_ms, Some(1000));
        assert_eq!(t.last_data_recv_ms, Some(25_000));
        assert_eq!(t.last_ack_recv_ms, None, "u32 wrap of an unset stamp");
    }

    #[test]
    fn shorter_structs_of_older_kernels_give_what_they_cover() {
        let t = parse(&answer(56)).unwrap();
        assert_eq!(t.last_data_recv_ms, Some(25_000));
        assert_eq!(t.last_ack_recv_ms, None);
        let t = parse(&answer(40)).unwrap();
        assert_eq!((t.last_data_sent_ms, t.last_data_recv_ms), (None, None));
    }

    #[test]
    fn answers_without_the_attribute_or_cut_short_are_refused() {
        let b = answer(232);
        assert!(parse(&b[..INET_DIAG_MSG_LEN]).is_none());
        assert!(parse(&b[..INET_DIAG_MSG_LEN + 10]).is_none());
        assert!(parse(&b[..60]).is_none());
    }
}
