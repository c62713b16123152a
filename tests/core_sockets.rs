//! Real sockets on loopback in a private network namespace per test,
//! asserted exactly through sockscope's own collector and model.

mod common;

use std::io::Write;
use std::net::Shutdown;
use std::os::unix::net::UnixStream;

use common::*;
use sockscope::model::{TcpState::*, UnixKind};

fn addr(s: &str) -> std::net::SocketAddr {
    s.parse().unwrap()
}

#[test]
fn full_accept_queue_and_overflow() {
    if !private_netns() {
        return;
    }
    let _l = listener("127.0.0.1:7001", 2, false);
    let _clients: Vec<_> = (0..3).map(|_| connect("127.0.0.1:7001", None)).collect();
    let (_, agg) = collect_until("3 queued connections", |_, a| {
        a.listener(addr("127.0.0.1:7001"))
            .is_some_and(|l| l.accept_queue == 3)
    });
    let l = agg.listener(addr("127.0.0.1:7001")).unwrap();
    assert_eq!((l.accept_queue, l.backlog), (3, 2), "Recv-Q = backlog + 1");
    assert_eq!(l.states[Established], 3);
    assert_eq!(l.members.len(), 1);
    assert_eq!(agg.totals[Established], 6);
    assert_eq!(agg.totals[Listen], 1);

    let _fourth = connect_nowait("127.0.0.1:7001");
    let (snap, agg) = collect_until("ListenOverflows to rise", |s, _| {
        s.counters.get("ListenOverflows").copied().unwrap_or(0) >= 1
    });
    assert_eq!(
        agg.totals[SynSent], 1,
        "the fourth client waits in SYN_SENT"
    );
    assert!(snap.counters["ListenDrops"] >= 1);
    let remote = &agg.remotes[0];
    assert_eq!(remote.remote, addr("127.0.0.1:7001"));
    assert_eq!((remote.states[Established], remote.states[SynSent]), (3, 1));
    assert_eq!(remote.local_ports, 4);
}

#[test]
fn deferred_accept_holds_syn_recv_ipv6() {
    if !private_netns() {
        return;
    }
    let l = listener("[::1]:7002", 16, false);
    defer_accept(&l, 30);
    let _c = connect("[::1]:7002", None);
    let (_, agg) = collect_until("a request socket", |_, a| a.totals[SynRecv] == 1);
    let l = agg.listener(addr("[::1]:7002")).unwrap();
    assert_eq!(l.states[SynRecv], 1);
    assert_eq!(l.accept_queue, 0);
    assert_eq!(agg.totals[Established], 1, "the client side is established");
    assert_eq!(agg.remotes[0].remote, addr("[::1]:7002"));
}

#[test]
fn close_wait_when_the_peer_closes_and_we_do_not() {
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7003", 16, false);
    let c = connect("127.0.0.1:7003", None);
    let (_server_side, _) = l.accept().unwrap();
    drop(c);
    let (_, agg) = collect_until("CLOSE_WAIT", |_, a| {
        a.totals[CloseWait] == 1 && a.totals[FinWait2] == 1
    });
    let l = agg.listener(addr("127.0.0.1:7003")).unwrap();
    assert_eq!(l.states[CloseWait], 1);
    assert_eq!(l.sockets(), 1);
    assert_eq!(agg.remotes.len(), 1);
    assert_eq!(agg.remotes[0].states[FinWait2], 1);
}

#[test]
fn time_wait_lands_on_the_side_that_closes_first() {
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7004", 16, false);
    // Server closes first: TIME_WAIT on the listener's side.
    let a = connect("127.0.0.1:7004", None);
    let (a_srv, _) = l.accept().unwrap();
    a_srv.shutdown(Shutdown::Both).unwrap();
    drop(a_srv);
    collect_until("client A to see FIN", |_, agg| agg.totals[CloseWait] == 1);
    drop(a);
    // Client closes first: TIME_WAIT toward the remote.
    let b = connect("127.0.0.1:7004", Some("127.0.0.1:45000"));
    let (b_srv, _) = l.accept().unwrap();
    drop(b);
    collect_until("server B to see FIN", |_, agg| agg.totals[CloseWait] == 1);
    drop(b_srv);

    let (_, agg) = collect_until("two TIME_WAIT", |_, a| a.totals[TimeWait] == 2);
    let l = agg.listener(addr("127.0.0.1:7004")).unwrap();
    assert_eq!(l.states[TimeWait], 1);
    assert_eq!(l.sockets(), 1);
    assert_eq!(agg.remotes.len(), 1);
    let r = &agg.remotes[0];
    assert_eq!(
        (r.remote, r.states[TimeWait], r.local_ports),
        (addr("127.0.0.1:7004"), 1, 1)
    );
    assert_eq!(agg.totals.connections(), 2);
}

#[test]
fn wildcard_listeners_cover_other_loopback_addresses_and_v4_mapped() {
    if !private_netns() {
        return;
    }
    let _v4 = listener("0.0.0.0:7005", 16, false);
    let _dual = listener("[::]:7006", 16, false);
    let _a = connect("127.0.0.2:7005", None);
    let _b = connect("127.0.0.1:7006", None);
    let (snap, agg) = collect_until("both queued", |_, a| {
        a.listeners.iter().map(|l| l.accept_queue).sum::<u64>() == 2
    });
    let v4 = agg.listener(addr("0.0.0.0:7005")).unwrap();
    assert_eq!(v4.states[Established], 1);
    let dual = agg.listener(addr("[::]:7006")).unwrap();
    assert_eq!(dual.states[Established], 1);
    assert!(
        snap.tcp
            .iter()
            .any(|s| s.local == addr("[::ffff:127.0.0.1]:7006")),
        "the dual-stack server side is IPv4-mapped"
    );
    assert_eq!(agg.remotes.len(), 2);
}

#[test]
fn reuseport_pair_is_one_listener_with_two_members() {
    if !private_netns() {
        return;
    }
    let _a = listener("127.0.0.1:7007", 4, true);
    let _b = listener("127.0.0.1:7007", 8, true);
    let _clients: Vec<_> = (0..5).map(|_| connect("127.0.0.1:7007", None)).collect();
    let (_, agg) = collect_until("5 queued", |_, a| {
        a.listener(addr("127.0.0.1:7007"))
            .is_some_and(|l| l.accept_queue == 5)
    });
    assert_eq!(agg.listeners.len(), 1);
    let l = &agg.listeners[0];
    assert_eq!(l.members.len(), 2);
    assert_eq!(l.backlog, 12);
    let mut backlogs: Vec<u64> = l.members.iter().map(|m| m.backlog).collect();
    backlogs.sort();
    assert_eq!(backlogs, [4, 8]);
    assert_eq!(l.members.iter().map(|m| m.accept_queue).sum::<u64>(), 5);
    assert_eq!(l.states[Established], 5);
}

#[test]
fn unix_listener_with_pending_connections() {
    if !private_netns() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("sockscope-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pending.sock");
    let _ = std::fs::remove_file(&path);
    let l = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap();
    l.bind(&socket2::SockAddr::unix(&path).unwrap()).unwrap();
    l.listen(5).unwrap();
    let _c1 = UnixStream::connect(&path).unwrap();
    let mut c2 = UnixStream::connect(&path).unwrap();
    c2.write_all(b"x").unwrap();

    let abs = std::os::unix::net::UnixListener::bind_addr(
        &<std::os::unix::net::SocketAddr as std::os::linux::net::SocketAddrExt>::from_abstract_name(
            b"sockscope-test-abstract",
        )
        .unwrap(),
    )
    .unwrap();

    let (snap, _) = collect();
    let want = path.to_string_lossy();
    let u = snap
        .unix_listeners
        .iter()
        .find(|u| u.path == want)
        .expect("path listener");
    assert_eq!(
        (u.accept_queue, u.backlog, u.kind),
        (2, 5, UnixKind::Stream)
    );
    let a = snap
        .unix_listeners
        .iter()
        .find(|u| u.path == "@sockscope-test-abstract")
        .expect("abstract listener");
    assert_eq!(a.accept_queue, 0);
    drop(abs);
    std::fs::remove_dir_all(&dir).unwrap();
}
