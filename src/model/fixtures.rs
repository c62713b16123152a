//! Builders of synthetic snapshots, for unit tests, screen tests and the
//! aggregation benchmark. Pure data; nothing here touches the kernel.

use std::net::SocketAddr;

use jiff::Timestamp;

use super::snapshot::{Snapshot, TcpSocket, TcpState, Timer};

/// A TCP socket in `state` between `local` and `remote` (addresses as
/// `"127.0.0.1:80"` / `"[::1]:80"`), with zero queues and the given cookie.
pub fn sock(state: TcpState, local: &str, remote: &str, cookie: u64) -> TcpSocket {
    TcpSocket {
        state,
        local: parse(local),
        remote: parse(remote),
        recv_q: 0,
        send_q: 0,
        inode: if matches!(state, TcpState::TimeWait | TcpState::SynRecv) {
            0
        } else {
            cookie as u32
        },
        uid: 0,
        cookie,
        timer: Timer::Off,
        expires_ms: 0,
        retrans: 0,
    }
}

/// A LISTEN socket on `local` with `queue` waiting connections and `backlog`.
pub fn listen(local: &str, queue: u32, backlog: u32, cookie: u64) -> TcpSocket {
    let wildcard = if local.starts_with('[') {
        "[::]:0"
    } else {
        "0.0.0.0:0"
    };
    TcpSocket {
        recv_q: queue,
        send_q: backlog,
        ..sock(TcpState::Listen, local, wildcard, cookie)
    }
}

/// A snapshot at `at` (RFC 3339) of host `test`, namespace `test`, holding `tcp`.
pub fn snapshot(at: &str, tcp: Vec<TcpSocket>) -> Snapshot {
    let taken_at: Timestamp = at.parse().expect("fixture timestamps are RFC 3339");
    let mut snap = Snapshot::empty(taken_at, "test", "test");
    snap.collector.sockets = tcp.len() as u64;
    snap.tcp = tcp;
    snap
}

fn parse(addr: &str) -> SocketAddr {
    addr.parse().expect("fixture addresses are address:port")
}
