//! [`Endpoint`]: a socket's address and port in 19 bytes, the form a
//! [`TcpSocket`](super::TcpSocket) keeps its two ends in.
//!
//! A `std::net::SocketAddr` is 32 bytes (an IPv6 address carries a flow
//! label and a scope id the `inet_diag` dump does not give), and a socket
//! list holds two per socket: a million sockets spent 64 MiB on them.
//! An endpoint converts to and from `SocketAddr` without loss for every
//! address the dump gives, prints, parses, orders and serializes exactly as
//! that `SocketAddr` does, so recordings and JSON are unchanged.

use std::cmp::Ordering;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An IPv4 or IPv6 address and a port, as in `inet_diag_sockid`
/// (`idiag_src`/`idiag_sport`, `idiag_dst`/`idiag_dport`). Align 1, so two
/// of them and a socket's other fields pack without padding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "SocketAddr", into = "SocketAddr")]
pub struct Endpoint {
    /// True for an AF_INET6 address.
    v6: bool,
    /// The address in network order: all 16 bytes for IPv6; for IPv4 the
    /// first 4, the rest zero (so equality and hashing need no family test).
    addr: [u8; 16],
    /// The port in network order.
    port: [u8; 2],
}

impl Endpoint {
    /// An IPv4 endpoint.
    pub const fn v4(ip: Ipv4Addr, port: u16) -> Endpoint {
        let o = ip.octets();
        Endpoint {
            v6: false,
            addr: [o[0], o[1], o[2], o[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            port: port.to_be_bytes(),
        }
    }

    /// An IPv6 endpoint (IPv4-mapped addresses stay IPv6).
    pub const fn v6(ip: Ipv6Addr, port: u16) -> Endpoint {
        Endpoint {
            v6: true,
            addr: ip.octets(),
            port: port.to_be_bytes(),
        }
    }

    /// The address.
    pub fn ip(&self) -> IpAddr {
        if self.v6 {
            IpAddr::V6(Ipv6Addr::from(self.addr))
        } else {
            let a = &self.addr;
            IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))
        }
    }

    /// The port.
    pub const fn port(&self) -> u16 {
        u16::from_be_bytes(self.port)
    }

    /// True for an IPv4 (AF_INET) endpoint.
    pub const fn is_ipv4(&self) -> bool {
        !self.v6
    }

    /// True for an IPv6 (AF_INET6) endpoint.
    pub const fn is_ipv6(&self) -> bool {
        self.v6
    }

    /// The unspecified address of the same family (`0.0.0.0`, `::`) with
    /// this port: the wildcard listener a connection to this endpoint may
    /// belong to.
    pub const fn wildcard(&self) -> Endpoint {
        Endpoint {
            v6: self.v6,
            addr: [0; 16],
            port: self.port,
        }
    }

    /// The address alone, with port 0.
    pub const fn without_port(&self) -> Endpoint {
        Endpoint {
            v6: self.v6,
            addr: self.addr,
            port: [0; 2],
        }
    }

    /// The same endpoint as a `SocketAddr` (flow label and scope id 0).
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.ip(), self.port())
    }
}

impl From<SocketAddr> for Endpoint {
    /// Keeps the address and port; an IPv6 flow label or scope id, which
    /// the dump never gives, is dropped.
    fn from(addr: SocketAddr) -> Endpoint {
        match addr {
            SocketAddr::V4(a) => Endpoint::v4(*a.ip(), a.port()),
            SocketAddr::V6(a) => Endpoint::v6(*a.ip(), a.port()),
        }
    }
}

impl From<Endpoint> for SocketAddr {
    fn from(e: Endpoint) -> SocketAddr {
        e.socket_addr()
    }
}

impl PartialEq<SocketAddr> for Endpoint {
    fn eq(&self, other: &SocketAddr) -> bool {
        *self == Endpoint::from(*other)
    }
}

/// `SocketAddr`'s order: every IPv4 endpoint before every IPv6 one, then by
/// address, then by port.
impl Ord for Endpoint {
    fn cmp(&self, other: &Endpoint) -> Ordering {
        (self.v6, self.addr, self.port()).cmp(&(other.v6, other.addr, other.port()))
    }
}

impl PartialOrd for Endpoint {
    fn partial_cmp(&self, other: &Endpoint) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// As `SocketAddr` prints: `127.0.0.1:80`, `[::1]:80`.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.socket_addr(), f)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.socket_addr(), f)
    }
}

/// Parses what `SocketAddr` parses (`127.0.0.1:80`, `[::1]:80`).
impl FromStr for Endpoint {
    type Err = std::net::AddrParseError;

    fn from_str(s: &str) -> Result<Endpoint, Self::Err> {
        s.parse::<SocketAddr>().map(Endpoint::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs() -> Vec<SocketAddr> {
        [
            "0.0.0.0:0",
            "127.0.0.1:80",
            "127.0.0.1:8080",
            "127.0.0.2:80",
            "255.255.255.255:65535",
            "[::]:0",
            "[::1]:80",
            "[::ffff:127.0.0.1]:80",
            "[fe80::1:2:3:4]:443",
            "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect()
    }

    #[test]
    fn converts_prints_and_parses_as_socket_addr_does() {
        for a in addrs() {
            let e = Endpoint::from(a);
            assert_eq!(SocketAddr::from(e), a);
            assert_eq!(e, a);
            assert_eq!(e.to_string(), a.to_string());
            assert_eq!(format!("{e:?}"), format!("{a:?}"));
            assert_eq!(e.to_string().parse::<Endpoint>().unwrap(), e);
            assert_eq!(
                (e.ip(), e.port(), e.is_ipv4()),
                (a.ip(), a.port(), a.is_ipv4())
            );
        }
        assert_eq!(std::mem::size_of::<Endpoint>(), 19);
        let e: Endpoint = "[::1]:80".parse().unwrap();
        assert_eq!(e.wildcard(), "[::]:80".parse::<SocketAddr>().unwrap());
        assert_eq!(e.without_port(), "[::1]:0".parse::<SocketAddr>().unwrap());
        let e: Endpoint = "127.0.0.1:80".parse().unwrap();
        assert_eq!(e.wildcard(), "0.0.0.0:80".parse::<SocketAddr>().unwrap());
    }

    #[test]
    fn orders_as_socket_addr_does() {
        let addrs = addrs();
        for a in &addrs {
            for b in &addrs {
                let (ea, eb) = (Endpoint::from(*a), Endpoint::from(*b));
                assert_eq!(ea.cmp(&eb), a.cmp(b), "{a} against {b}");
                assert_eq!(ea == eb, a == b);
            }
        }
    }

    #[test]
    fn serializes_as_socket_addr_does() {
        for a in addrs() {
            let e = Endpoint::from(a);
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(json, serde_json::to_string(&a).unwrap());
            assert_eq!(serde_json::from_str::<Endpoint>(&json).unwrap(), e);
            let packed = rmp_serde::to_vec(&e).unwrap();
            assert_eq!(packed, rmp_serde::to_vec(&a).unwrap());
            assert_eq!(rmp_serde::from_slice::<Endpoint>(&packed).unwrap(), e);
        }
    }
}
