//! TCP over AF_INET and AF_INET6: the `inet_diag` request and the parser of
//! `struct inet_diag_msg` (`include/uapi/linux/inet_diag.h`).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use netlink_packet_sock_diag::{
    AF_INET, AF_INET6, IPPROTO_TCP, SockDiagMessage,
    inet::{ExtensionFlags, InetRequest, SocketId, StateFlags},
};

use crate::model::{TcpSocket, TcpState, Timer};

/// `TCP_NEW_SYN_RECV`: the state of request sockets in the kernel's hash.
const TCP_NEW_SYN_RECV: u32 = 12;

/// Size of `struct inet_diag_msg`.
pub const INET_DIAG_MSG_LEN: usize = 72;

/// A dump request for every TCP socket of `family`, all states, request
/// sockets included (the `TCP_NEW_SYN_RECV` bit), no extensions.
pub fn request(family: u8) -> SockDiagMessage {
    let states = StateFlags::all().bits() | (1 << TCP_NEW_SYN_RECV);
    SockDiagMessage::InetRequest(InetRequest {
        family,
        protocol: IPPROTO_TCP,
        extensions: ExtensionFlags::empty(),
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

fn addr_at(b: &[u8], family: u8, at: usize, port: u16) -> SocketAddr {
    if family == AF_INET {
        let ip = Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]);
        SocketAddr::V4(SocketAddrV4::new(ip, port))
    } else {
        let mut raw = [0u8; 16];
        raw.copy_from_slice(&b[at..at + 16]);
        SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(raw), port, 0, 0))
    }
}

/// Parses one `inet_diag_msg` payload; attributes after the fixed part are
/// ignored. `None` for a short message, an unknown family or state.
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
        assert_eq!(s.local, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(s.remote, "127.0.0.2:50000".parse().unwrap());
        assert_eq!(s.cookie, 0x1_dead_beef);
        assert_eq!((s.recv_q, s.send_q, s.uid, s.inode), (3, 128, 1000, 4242));
        assert_eq!(
            (s.timer, s.expires_ms, s.retrans),
            (Timer::Retransmit, 200, 2)
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
        assert_eq!(s.local, "[::1]:8080".parse().unwrap());
    }
}
