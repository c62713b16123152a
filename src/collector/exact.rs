//! `inet_diag` requests that name exactly one TCP socket: its address pair
//! as the kernel dumped it and its cookie (the kernel answers `ESTALE` when
//! the cookie differs, so a reused address pair is never taken for it).

use std::net::SocketAddr;

use netlink_packet_sock_diag::{
    AF_INET, AF_INET6, IPPROTO_TCP, SockDiagMessage,
    inet::{ExtensionFlags, InetRequest, SocketId, StateFlags},
};

/// The request for the socket `local` → `remote` with `cookie`, asking for
/// `extensions`.
pub fn request(
    local: SocketAddr,
    remote: SocketAddr,
    cookie: u64,
    extensions: ExtensionFlags,
) -> SockDiagMessage {
    let family = if local.is_ipv6() { AF_INET6 } else { AF_INET };
    let mut raw = [0u8; 8];
    raw[..4].copy_from_slice(&(cookie as u32).to_ne_bytes());
    raw[4..].copy_from_slice(&((cookie >> 32) as u32).to_ne_bytes());
    SockDiagMessage::InetRequest(InetRequest {
        family,
        protocol: IPPROTO_TCP,
        extensions,
        states: StateFlags::all(),
        socket_id: SocketId {
            source_port: local.port(),
            destination_port: remote.port(),
            source_address: local.ip(),
            destination_address: remote.ip(),
            interface_id: 0,
            cookie: raw,
        },
    })
}
