//! TCP over AF_INET and AF_INET6: the `inet_diag` requests and the parser of
//! `struct inet_diag_msg` (`include/uapi/linux/inet_diag.h`).
//!
//! Two dumps per family: a LISTEN-only one with `INET_DIAG_SKMEMINFO` (the
//! kernel walks only the listening hash, so it costs O(listeners) and brings
//! each LISTEN socket's `sk_drops`), then every other state without
//! extensions. Together they hold every socket once, in the kernel's own
//! order (it dumps the listening hash first).

use std::net::{Ipv4Addr, Ipv6Addr};

use netlink_packet_sock_diag::{
    AF_INET, AF_INET6, IPPROTO_TCP, SockDiagMessage,
    inet::{ExtensionFlags, InetRequest, SocketId, StateFlags},
};

use crate::model::{Endpoint, TcpSocket, TcpState, Timer};

/// `TCP_NEW_SYN_RECV`: the state of request sockets in the kernel's hash.
const TCP_NEW_SYN_RECV: u32 = 12;

/// Size of `struct inet_diag_msg`.
pub const INET_DIAG_MSG_LEN: usize = 72;

/// `rtattr` type of `INET_DIAG_SKMEMINFO`: `u32 sk_meminfo[SK_MEMINFO_VARS]`.
const INET_DIAG_SKMEMINFO: u16 = 7;

/// Index of `SK_MEMINFO_DROPS` (`sk->sk_drops`) in the `sk_meminfo` array.
const SK_MEMINFO_DROPS: usize = 8;

/// A dump request for the TCP sockets of `family` in every state but
/// LISTEN, request sockets included (the `TCP_NEW_SYN_RECV` bit), no
/// extensions: the established hash only.
pub fn request(family: u8) -> SockDiagMessage {
    let states = (StateFlags::all().bits() & !StateFlags::LISTEN.bits()) | (1 << TCP_NEW_SYN_RECV);
    diag_request(family, states, ExtensionFlags::empty())
}

/// A dump request for every TCP socket of `family`, LISTEN included, no
/// extensions: one walk of both hashes, what `ss -tan` asks for. The
/// collector splits it in [`listen_request`] and [`request`]; the benchmark
/// times this one as its floor.
pub fn all_states_request(family: u8) -> SockDiagMessage {
    diag_request(
        family,
        StateFlags::all().bits() | (1 << TCP_NEW_SYN_RECV),
        ExtensionFlags::empty(),
    )
}

/// A dump request for the LISTEN sockets of `family` with
/// `INET_DIAG_SKMEMINFO`, whose `SK_MEMINFO_DROPS` [`parse`] reads into
/// [`TcpSocket::drops`]. The kernel walks only the listening hash for it.
pub fn listen_request(family: u8) -> SockDiagMessage {
    diag_request(family, StateFlags::LISTEN.bits(), ExtensionFlags::SKMEMINFO)
}

/// A dump request for the TCP sockets of `family` in `states` (a bit per
/// `idiag_state`) with `extensions`.
pub(super) fn diag_request(family: u8, states: u32, extensions: ExtensionFlags) -> SockDiagMessage {
    SockDiagMessage::InetRequest(InetRequest {
        family,
        protocol: IPPROTO_TCP,
        extensions,
        states: StateFlags::from_bits_retain(states),
        socket_id: if family == AF_INET6 {
            SocketId::new_v6()
        } else {
            SocketId::new_v4()
        },
    })
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn port_at(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn addr_at(b: &[u8], family: u8, at: usize, port: u16) -> Endpoint {
    if family == AF_INET {
        Endpoint::v4(Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]), port)
    } else {
        let mut raw = [0u8; 16];
        raw.copy_from_slice(&b[at..at + 16]);
        Endpoint::v6(Ipv6Addr::from(raw), port)
    }
}

/// The `rtattr`s (type, payload) that follow the fixed `inet_diag_msg` of
/// message `b`, in order; the walk stops at the first damaged one (a length
/// below the header or past the message).
pub fn attributes(b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = INET_DIAG_MSG_LEN;
    std::iter::from_fn(move || {
        let head = b.get(at..at + 4)?;
        let len = usize::from(u16::from_ne_bytes([head[0], head[1]]));
        let kind = u16::from_ne_bytes([head[2], head[3]]);
        if len < 4 {
            return None;
        }
        let body = b.get(at + 4..at + len)?;
        at += (len + 3) & !3;
        Some((kind, body))
    })
}

/// `SK_MEMINFO_DROPS` of the `INET_DIAG_SKMEMINFO` attribute of message
/// `b`, if there is one long enough.
fn drops_attr(b: &[u8]) -> Option<u32> {
    let (_, meminfo) = attributes(b).find(|(kind, _)| *kind == INET_DIAG_SKMEMINFO)?;
    let at = SK_MEMINFO_DROPS * 4;
    meminfo.get(at..at + 4).map(|_| u32_at(meminfo, at))
}

/// Parses one `inet_diag_msg` payload and, when present, its
/// `INET_DIAG_SKMEMINFO` attribute; other attributes are ignored. `None`
/// for a short message, an unknown family or state.
pub fn parse(b: &[u8]) -> Option<TcpSocket> {
    if b.len() < INET_DIAG_MSG_LEN {
        return None;
    }
    let family = b[0];
    if family != AF_INET && family != AF_INET6 {
        return None;
    }
    let state = TcpState::from_kernel(b[1])?;
    let cookie = u64::from(u32_at(b, 48)) << 32 | u64::from(u32_at(b, 44));
    Some(TcpSocket {
        state,
        local: addr_at(b, family, 8, port_at(b, 4)),
        remote: addr_at(b, family, 24, port_at(b, 6)),
        recv_q: u32_at(b, 56),
        send_q: u32_at(b, 60),
        inode: u32_at(b, 68),
        uid: u32_at(b, 64),
        cookie,
        timer: Timer::from_kernel(b[2]),
        expires_ms: u32_at(b, 52),
        retrans: b[3],
        drops: drops_attr(b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(family: u8, state: u8) -> Vec<u8> {
        let mut b = vec![0u8; INET_DIAG_MSG_LEN];
        b[0] = family;
        b[1] = state;
        b[2] = 1;
        b[3] = 2;
        b[4..6].copy_from_slice(&8080u16.to_be_bytes());
        b[6..8].copy_from_slice(&50000u16.to_be_bytes());
        b[8..12].copy_from_slice(&[127, 0, 0, 1]);
        b[24..28].copy_from_slice(&[127, 0, 0, 2]);
        b[44..48].copy_from_slice(&0xdead_beefu32.to_ne_bytes());
        b[48..52].copy_from_slice(&0x0000_0001u32.to_ne_bytes());
        b[52..56].copy_from_slice(&200u32.to_ne_bytes());
        b[56..60].copy_from_slice(&3u32.to_ne_bytes());
        b[60..64].copy_from_slice(&128u32.to_ne_bytes());
        b[64..68].copy_from_slice(&1000u32.to_ne_bytes());
        b[68..72].copy_from_slice(&4242u32.to_ne_bytes());
        b
    }

    #[test]
    fn parses_every_field() {
        let s = parse(&message(AF_INET, 10)).unwrap();
        assert_eq!(s.state, TcpState::Listen);
        assert_eq!(s.local, "127.0.0.1:8080".parse::<Endpoint>().unwrap());
        assert_eq!(s.remote, "127.0.0.2:50000".parse::<Endpoint>().unwrap());
        assert_eq!(s.cookie, 0x1_dead_beef);
        assert_eq!((s.recv_q, s.send_q, s.uid, s.inode), (3, 128, 1000, 4242));
        assert_eq!(
            (s.timer, s.expires_ms, s.retrans),
            (Timer::Retransmit, 200, 2)
        );
    }

    /// Appends an `rtattr` of `kind` holding `words`.
    fn attr(b: &mut Vec<u8>, kind: u16, words: &[u32]) {
        let len = 4 + words.len() as u16 * 4;
        b.extend(len.to_ne_bytes());
        b.extend(kind.to_ne_bytes());
        for w in words {
            b.extend(w.to_ne_bytes());
        }
    }

    #[test]
    fn reads_sk_drops_from_skmeminfo() {
        let mut b = message(AF_INET, 10);
        assert_eq!(parse(&b).unwrap().drops, None);
        attr(&mut b, 5, &[7]);
        let mut meminfo = [0u32; 9];
        meminfo[SK_MEMINFO_DROPS] = 4_000_000_000;
        attr(&mut b, INET_DIAG_SKMEMINFO, &meminfo);
        assert_eq!(parse(&b).unwrap().drops, Some(4_000_000_000));
    }

    #[test]
    fn short_or_damaged_skmeminfo_gives_no_drops() {
        let mut short = message(AF_INET, 10);
        attr(&mut short, INET_DIAG_SKMEMINFO, &[1, 2, 3]);
        assert_eq!(parse(&short).unwrap().drops, None);
        let mut damaged = message(AF_INET, 10);
        attr(&mut damaged, INET_DIAG_SKMEMINFO, &[0; 9]);
        damaged[INET_DIAG_MSG_LEN..INET_DIAG_MSG_LEN + 2].copy_from_slice(&200u16.to_ne_bytes());
        assert_eq!(parse(&damaged).unwrap().drops, None);
    }

    #[test]
    fn listen_and_other_requests_split_the_states() {
        let states = |m: SockDiagMessage| match m {
            SockDiagMessage::InetRequest(r) => (r.states.bits(), r.extensions),
            _ => unreachable!("inet requests"),
        };
        let (listen, ext) = states(listen_request(AF_INET));
        let (rest, none) = states(request(AF_INET));
        assert_eq!(listen, 1 << 10);
        assert_eq!(ext, ExtensionFlags::SKMEMINFO);
        assert_eq!(none, ExtensionFlags::empty());
        assert_eq!(listen & rest, 0);
        assert_eq!(
            listen | rest,
            StateFlags::all().bits() | 1 << TCP_NEW_SYN_RECV
        );
    }

    #[test]
    fn request_sockets_count_as_syn_recv() {
        assert_eq!(
            parse(&message(AF_INET, 12)).unwrap().state,
            TcpState::SynRecv
        );
    }

    #[test]
    fn rejects_malformed() {
        assert!(parse(&message(AF_INET, 10)[..71]).is_none());
        assert!(parse(&message(99, 10)).is_none());
        assert!(parse(&message(AF_INET, 0)).is_none());
        assert!(parse(&message(AF_INET, 13)).is_none());
    }

    #[test]
    fn ipv6_addresses() {
        let mut b = message(AF_INET6, 1);
        b[8..24].copy_from_slice(&Ipv6Addr::LOCALHOST.octets());
        let s = parse(&b).unwrap();
        assert_eq!(s.local, "[::1]:8080".parse::<Endpoint>().unwrap());
    }
}
