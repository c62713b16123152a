//! SOCK_DESTROY closes exactly the selected socket, checked by a later
//! dump, and is refused under --read-only or for a stale cookie.

mod common;

use std::time::Duration;

use common::netns::{NamedNetns, Place, Server, ServerSpec};
use common::*;
use sockscope::collector::destroy::{DestroyError, DestroyTarget};
use sockscope::collector::netns::{NetnsSource, NetnsTarget};
use sockscope::collector::{LiveSource, Source};
use sockscope::model::{Snapshot, TcpSocket, TcpState::*};

fn server_sides(snap: &Snapshot, port: u16) -> Vec<TcpSocket> {
    snap.tcp
        .iter()
        .filter(|s| s.state != Listen && s.local.port() == port)
        .cloned()
        .collect()
}

#[test]
fn destroys_only_the_selected_connection() {
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7201", 16, false);
    let _clients: Vec<_> = (0..2).map(|_| connect("127.0.0.1:7201", None)).collect();
    let _accepted: Vec<_> = (0..2).map(|_| l.accept().unwrap()).collect();
    let (snap, _) = collect_until("2 server sides", |s, _| server_sides(s, 7201).len() == 2);
    let sides = server_sides(&snap, 7201);
    let (victim, spared) = (&sides[0], &sides[1]);

    let mut source = LiveSource::open().unwrap();
    source.destroy(&DestroyTarget::of(victim)).unwrap();

    let (after, agg) = collect_until("the victim to vanish", |s, _| {
        !s.tcp.iter().any(|t| t.cookie == victim.cookie)
    });
    assert!(
        after
            .tcp
            .iter()
            .any(|t| t.cookie == spared.cookie && t.state == Established)
    );
    let l = agg.listener("127.0.0.1:7201".parse().unwrap()).unwrap();
    assert_eq!(
        l.states[Established], 1,
        "only the spared server side is left"
    );
    assert_eq!(agg.totals[Listen], 1, "the listener is untouched");

    let again = source.destroy(&DestroyTarget::of(victim)).unwrap_err();
    assert!(matches!(again, DestroyError::NotFound(_)), "{again}");
}

#[test]
fn a_stale_cookie_or_read_only_destroys_nothing() {
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7202", 16, false);
    let _client = connect("127.0.0.1:7202", None);
    let _accepted = l.accept().unwrap();
    let (snap, _) = collect_until("a server side", |s, _| server_sides(s, 7202).len() == 1);
    let side = server_sides(&snap, 7202).remove(0);

    let mut stale = DestroyTarget::of(&side);
    stale.cookie += 1;
    // Older kernels answer ESTALE, newer ones ENOENT: either way, refused.
    let err = LiveSource::open().unwrap().destroy(&stale).unwrap_err();
    assert!(
        matches!(err, DestroyError::Stale(_) | DestroyError::NotFound(_)),
        "{err}"
    );

    let err = LiveSource::open()
        .unwrap()
        .read_only(true)
        .destroy(&DestroyTarget::of(&side))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "destroying sockets is disabled (--read-only)"
    );

    std::thread::sleep(Duration::from_millis(50));
    let (snap, _) = collect();
    assert!(
        snap.tcp
            .iter()
            .any(|t| t.cookie == side.cookie && t.state == Established)
    );
}

#[test]
fn close_wait_sockets_of_another_namespace_can_be_destroyed_one_by_one() {
    let Some(ns) = NamedNetns::new() else {
        return;
    };
    let _server = Server::start(
        Place::Named(&ns),
        ServerSpec {
            port: 7203,
            backlog: 8,
            close_wait: 2,
            queued: 0,
            comm: "sstest-kill",
        },
    );
    let handle = NetnsTarget::Named(ns.name.clone()).open().unwrap();
    let mut source = NetnsSource::open(handle, |s| s).unwrap();
    let close_waits = |s: &Snapshot| -> Vec<TcpSocket> {
        s.tcp
            .iter()
            .filter(|t| t.state == CloseWait)
            .cloned()
            .collect()
    };
    let mut cws = Vec::new();
    for _ in 0..200 {
        cws = close_waits(&source.collect().unwrap());
        if cws.len() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(cws.len(), 2);
    source.destroy(&DestroyTarget::of(&cws[0])).unwrap();
    let left = close_waits(&source.collect().unwrap());
    assert_eq!(left, vec![cws[1].clone()]);
}
