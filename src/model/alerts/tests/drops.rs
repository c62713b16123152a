//! Per-member judgement of SO_REUSEPORT listeners and the exact drop
//! attribution from the members' `sk_drops`.

use super::*;
use crate::model::fixtures::process;
use crate::model::process::{ProcessTable, SocketProcesses};

const AQO: Rule = Rule::AcceptQueueOverflow;

/// A LISTEN member on `local` with queue `q`/`backlog`, cookie (and inode) `cookie`, `drops`.
fn member(local: &str, q: u32, backlog: u32, cookie: u64, drops: u32) -> TcpSocket {
    TcpSocket {
        drops: Some(drops),
        ..listen(local, q, backlog, cookie)
    }
}

/// The nginx pool: 127.0.0.1:8080 with two reuseport members (inodes 11
/// and 12, backlog 64), member 11 held by the master (pid 100) and worker
/// 101, member 12 by the master and worker 102.
fn pool(secs: i64, q: [u32; 2], d: [u32; 2], counters: &[(&str, u64)]) -> Snapshot {
    let mut s = sample(
        secs,
        vec![
            member("127.0.0.1:8080", q[0], 64, 11, d[0]),
            member("127.0.0.1:8080", q[1], 64, 12, d[1]),
        ],
        counters,
    );
    s.processes = ProcessTable {
        enabled: true,
        denied: 0,
        list: vec![
            process(100, "nginx"),
            process(101, "nginx"),
            process(102, "nginx"),
        ],
        sockets: vec![
            SocketProcesses {
                inode: 11,
                processes: vec![0, 1],
            },
            SocketProcesses {
                inode: 12,
                processes: vec![0, 2],
            },
        ]
        .into(),
    };
    s
}

fn drops(o: u64, d: u64) -> [(&'static str, u64); 2] {
    [("ListenOverflows", o), ("ListenDrops", d)]
}

#[test]
fn a_listener_is_as_full_as_its_fullest_member() {
    let (_, frames) = run(
        &Thresholds::default(),
        vec![pool(0, [65, 0], [0, 0], &drops(0, 0))],
    );
    let l = &frames[0].agg.listeners[0];
    assert_eq!((l.accept_queue, l.backlog), (65, 128), "the sums stay sums");
    assert_eq!(l.fill(), 65.0 / 64.0);
    assert_eq!(l.full_members(), 1);
    assert_eq!(l.fullest().unwrap().inode, 11);
    assert_eq!(l.drops(), Some(0));
    assert_eq!(l.members[0].processes, [0, 1]);
}

#[test]
fn reuseport_member_table() {
    let t = Thresholds::default();
    let cases = vec![
        Case {
            name: "one member full, its sibling empty, no drops yet: critical naming the member",
            samples: (0..3)
                .map(|s| pool(s, [65, 0], [0, 0], &drops(0, 0)))
                .collect(),
            want: vec![("127.0.0.1:8080", Severity::Critical)],
            message: Some(
                "listener 127.0.0.1:8080 member inode 11 accept queue is \
                 full (65/64); 1/2 members full; backlog 64 (somaxconn 4096); \
                 held by nginx[100], nginx[101]",
            ),
        },
        Case {
            name: "the full member's drops are exact and attributed to it",
            samples: vec![
                pool(0, [65, 0], [1176, 0], &drops(1176, 1176)),
                pool(1, [65, 0], [1331, 0], &drops(1331, 1331)),
                pool(2, [65, 0], [1331, 0], &drops(1331, 1331)),
            ],
            want: vec![("127.0.0.1:8080", Severity::Critical)],
            message: Some(
                "listener 127.0.0.1:8080 member inode 11 dropped 155 \
                 connections in the last minute (its sk_drops); queue now 65/64; 1/2 members full; \
                 backlog 64 (somaxconn 4096); \
                 held by nginx[100], nginx[101]",
            ),
        },
        Case {
            name: "drops while the queue looked fine at both samples still fire",
            samples: vec![
                pool(0, [0, 0], [0, 5], &drops(5, 5)),
                pool(1, [0, 0], [0, 42], &drops(42, 42)),
                pool(2, [0, 0], [0, 42], &drops(42, 42)),
                pool(3, [0, 0], [0, 42], &drops(42, 42)),
            ],
            want: vec![("127.0.0.1:8080", Severity::Critical)],
            message: Some(
                "listener 127.0.0.1:8080 member inode 12 dropped 37 \
                 connections in the last minute (its sk_drops); queue now 0/64; 0/2 members full; \
                 the queue fills and drains between samples (a shorter --interval can catch it); \
                 backlog 64 (somaxconn 4096); \
                 held by nginx[100], nginx[102]",
            ),
        },
        Case {
            name: "both members dropping: the worst is named, the rest counted",
            samples: vec![
                pool(0, [0, 0], [0, 0], &drops(0, 0)),
                pool(1, [64, 0], [30, 4], &drops(34, 34)),
                pool(2, [64, 0], [30, 4], &drops(34, 34)),
                pool(3, [64, 0], [30, 4], &drops(34, 34)),
            ],
            want: vec![("127.0.0.1:8080", Severity::Critical)],
            message: Some(
                "listener 127.0.0.1:8080 member inode 11 dropped 30 \
                 connections in the last minute (its sk_drops); 4 more at 1 other member(s); queue \
                 now 64/64; 1/2 members full; backlog 64 (somaxconn 4096); \
                 held by nginx[100], nginx[101]",
            ),
        },
        Case {
            name: "a quiet pool never fires",
            samples: (0..30)
                .map(|s| pool(s, [(s % 3) as u32, 1], [9, 9], &drops(18, 18)))
                .collect(),
            want: vec![],
            message: None,
        },
    ];
    check(AQO, &t, cases);
}

/// haproxy (:8443, 30/32, no drops of its own) in front of the nginx pool
/// whose member 11 overflows: the drops are nginx's, haproxy only warns
/// once it has been near full for `near_full_for`.
#[test]
fn a_near_full_proxy_is_not_blamed_for_its_backends_drops() {
    let at = |secs: i64, d: u32| {
        let mut s = pool(secs, [65, 0], [d, 0], &drops(u64::from(d), u64::from(d)));
        s.tcp.push(member("0.0.0.0:8443", 30, 32, 40, 0));
        s
    };
    let (_, frames) = run(
        &Thresholds::default(),
        (0..13).map(|s| at(s, 1176 + 5 * s as u32)).collect(),
    );
    let last = frames.last().unwrap();
    assert_eq!(
        active(last, AQO),
        [
            ("127.0.0.1:8080", Severity::Critical),
            ("0.0.0.0:8443", Severity::Warning)
        ]
    );
    let o = last.alerts.overflow.as_ref().unwrap();
    assert_eq!((o.attributed(), o.unattributed()), (5, 0));
    assert_eq!(o.attributed_to("0.0.0.0:8443".parse().unwrap()), 0);
    assert_eq!(o.attributed_to("127.0.0.1:8080".parse().unwrap()), 5);
}

#[test]
fn drops_no_member_accounts_for_are_unattributed_with_the_reason() {
    let (_, frames) = run(
        &Thresholds::default(),
        vec![
            pool(0, [0, 0], [3, 0], &drops(3, 3)),
            pool(1, [0, 0], [5, 0], &drops(3, 13)),
            pool(2, [0, 0], [5, 0], &drops(3, 13)),
            pool(3, [0, 0], [5, 0], &drops(3, 13)),
        ],
    );
    let set = &frames[3].alerts;
    let ns: Vec<&str> = set
        .active
        .iter()
        .filter(|a| a.target.name == "test")
        .map(|a| a.message.as_str())
        .collect();
    assert_eq!(
        ns,
        [
            "ListenDrops rose by 10 in the last minute, the listeners' sk_drops by 2: unattributed 8, \
          dropped at a listener that closed between samples (its counter closed with it)"
        ]
    );
}

#[test]
fn sk_drops_beyond_listen_drops_are_said_to_be_other_drops() {
    let (_, frames) = run(
        &Thresholds::default(),
        vec![
            pool(0, [0, 0], [0, 0], &drops(0, 0)),
            pool(1, [0, 0], [0, 6], &drops(0, 2)),
            pool(2, [0, 0], [0, 6], &drops(0, 2)),
            pool(3, [0, 0], [0, 6], &drops(0, 2)),
        ],
    );
    let ns = frames[3]
        .alerts
        .active
        .iter()
        .find(|a| a.target.name == "test")
        .expect("a namespace finding");
    assert_eq!(ns.severity, Severity::Info);
    assert_eq!(
        ns.message,
        "the listeners' sk_drops rose by 6 in the last minute, ListenDrops by 2: 4 of those drops \
         are not accept-queue or SYN drops (sk_drops also counts segments a socket filter, MD5 or \
         XFRM check dropped)"
    );
}

#[test]
fn a_wrapped_counter_and_a_new_member_count_exactly() {
    let mut before = pool(0, [0, 0], [u32::MAX - 2, 0], &drops(0, 0));
    before.tcp.owned_mut().pop();
    let after = pool(1, [0, 0], [4, 3], &drops(10, 10));
    let (_, frames) = run(&Thresholds::default(), vec![before, after]);
    let o = frames[1].alerts.overflow.as_ref().unwrap();
    let got: Vec<(u32, u64)> = o
        .members
        .iter()
        .flatten()
        .map(|m| (m.inode, m.drops))
        .collect();
    assert_eq!(got, [(11, 7), (12, 3)]);
    assert_eq!(
        (o.attributed(), o.unattributed(), o.not_listen_drops()),
        (10, 0, 0)
    );
}

#[test]
fn without_drop_data_the_fill_guess_stays() {
    let old = |secs, q, o| {
        let mut s = pool(secs, q, [0, 0], &drops(o, o));
        for sock in s.tcp.owned_mut() {
            sock.drops = None;
        }
        s
    };
    let (_, frames) = run(
        &Thresholds::default(),
        vec![old(0, [65, 0], 100), old(1, [65, 0], 137)],
    );
    let o = frames[1].alerts.overflow.as_ref().unwrap();
    assert!(!o.is_exact());
    assert_eq!(o.listeners, ["127.0.0.1:8080".parse().unwrap()]);
    assert_eq!(o.overflows, 37);
}

/// A drop between the LISTEN dump and the counter read shows in ListenDrops
/// one sample before it shows in sk_drops: over the window they cancel.
#[test]
fn a_drop_counted_one_sample_apart_is_not_unattributed() {
    let (_, frames) = run(
        &Thresholds::default(),
        vec![
            pool(0, [0, 0], [0, 0], &drops(0, 0)),
            pool(1, [0, 0], [3, 0], &drops(8, 8)),
            pool(2, [0, 0], [8, 0], &drops(8, 8)),
            pool(3, [0, 0], [8, 0], &drops(8, 8)),
            pool(4, [0, 0], [8, 0], &drops(8, 8)),
        ],
    );
    let last = frames.last().unwrap();
    assert_eq!(
        frames[1].alerts.overflow.as_ref().unwrap().unattributed(),
        5
    );
    assert!(
        last.alerts.active.iter().all(|a| a.target.name != "test"),
        "{:#?}",
        last.alerts.active
    );
    assert_eq!(active(last, AQO), [("127.0.0.1:8080", Severity::Critical)]);
}
