//! Builders of synthetic snapshots, for unit tests, screen tests and the
//! aggregation benchmark. Pure data; nothing here touches the kernel.

use std::net::SocketAddr;

use jiff::Timestamp;

use super::snapshot::{Snapshot, TcpSocket, TcpState, Timer};

/// A TCP socket in `state` between `local` and `remote` (addresses as
/// `"127.0.0.1:80"` / `"[::1]:80"`), with zero queues and the given cookie.
pub fn sock(state: TcpState, local: &str, remote: &str, cookie: u64) -> TcpSocket {
    base(state, parse(local), parse(remote), cookie)
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
    snap.tcp = tcp.into();
    snap
}

fn parse(addr: &str) -> SocketAddr {
    addr.parse().expect("fixture addresses are address:port")
}

/// A busy host at `at` (RFC 3339), deterministic: `listeners` IPv4
/// listeners (ports 10000 and up, every tenth on the wildcard address, with
/// accept queues of varied fill) and `connections` other sockets: seven in
/// ten are the listeners' own connections (ESTABLISHED, with some
/// CLOSE_WAIT and SYN_RECV), the rest outbound toward 50 remotes
/// (ESTABLISHED and TIME_WAIT). For screen tests and the benchmarks.
pub fn busy_host(at: &str, listeners: usize, connections: usize) -> Snapshot {
    let v4 = |a: [u8; 4], port: u16| SocketAddr::from((a, port));
    let listener_addr = |i: usize| {
        let ip = if i.is_multiple_of(10) {
            [0, 0, 0, 0]
        } else {
            [10, 0, 0, 1]
        };
        v4(ip, 10_000 + (i % 50_000) as u16)
    };
    let mut tcp = Vec::with_capacity(listeners + connections);
    for i in 0..listeners {
        let backlog = 128 << (i % 4);
        let queue = ((i * 37) % (backlog + 1)) as u32;
        tcp.push(TcpSocket {
            recv_q: if i % 7 == 0 { queue } else { 0 },
            send_q: backlog as u32,
            ..base(
                TcpState::Listen,
                listener_addr(i),
                v4([0; 4], 0),
                i as u64 + 1,
            )
        });
    }
    for c in 0..connections {
        let cookie = (listeners + c) as u64 + 1;
        let peer = v4(
            [10, 1, (c / 60_000) as u8, (c % 250) as u8],
            1024 + (c % 60_000) as u16,
        );
        let sock = if c % 10 < 7 && listeners > 0 {
            let l = listener_addr(c % listeners);
            let local = v4([10, 0, 0, 1], l.port());
            let state = match c % 97 {
                0..=2 => TcpState::CloseWait,
                3 => TcpState::SynRecv,
                _ => TcpState::Established,
            };
            base(state, local, peer, cookie)
        } else {
            let local = v4([10, 0, 0, 1], 1024 + (c % 64_000) as u16);
            let remote = v4([10, 2, 0, (c % 50) as u8], 5432);
            let state = if c.is_multiple_of(3) {
                TcpState::Established
            } else {
                TcpState::TimeWait
            };
            base(state, local, remote, cookie)
        };
        tcp.push(sock);
    }
    snapshot(at, tcp)
}

fn base(state: TcpState, local: SocketAddr, remote: SocketAddr, cookie: u64) -> TcpSocket {
    TcpSocket {
        state,
        local: local.into(),
        remote: remote.into(),
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
        drops: None,
    }
}

/// A process `comm` with `pid`, run by root as `/usr/bin/<comm>`.
pub fn process(pid: u32, comm: &str) -> super::process::ProcessInfo {
    super::process::ProcessInfo {
        pid,
        comm: comm.to_owned(),
        cmdline: format!("/usr/bin/{comm}"),
        uid: 0,
        user: "root".to_owned(),
    }
}
