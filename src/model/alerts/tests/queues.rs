use super::*;
use crate::model::alerts::TargetKind;
use crate::model::snapshot::{UnixKind, UnixListener};

const AQO: Rule = Rule::AcceptQueueOverflow;

fn full(secs: i64, overflows: u64) -> Snapshot {
    sample(
        secs,
        l8080(129, 128, vec![]),
        &[("ListenOverflows", overflows)],
    )
}

fn queue(secs: i64, q: u32, overflows: u64) -> Snapshot {
    sample(
        secs,
        l8080(q, 128, vec![]),
        &[("ListenOverflows", overflows)],
    )
}

#[test]
fn accept_queue_overflow_table() {
    let t = Thresholds::default();
    let two_full = |secs, q, o| {
        let mut tcp = l8080(q, 128, vec![]);
        tcp.push(listen("0.0.0.0:9090", q, 128, 2));
        sample(secs, tcp, &[("ListenOverflows", o)])
    };
    let cases = vec![
        Case {
            name: "full for fire_after samples fires critical",
            samples: vec![full(0, 5), full(1, 5), full(2, 5)],
            want: vec![("127.0.0.1:8080", Severity::Critical)],
            message: Some(
                "listener 127.0.0.1:8080 accept queue is full (129/128); backlog 128 (somaxconn 4096)",
            ),
        },
        Case {
            name: "a single full sample shorter than fire_after does not fire",
            samples: vec![queue(0, 0, 5), full(1, 5), queue(2, 0, 5), queue(3, 0, 5)],
            want: vec![],
            message: None,
        },
        Case {
            name: "near full for less than near_full_for does not fire",
            samples: (0..9).map(|s| queue(s, 110, 5)).collect(),
            want: vec![],
            message: None,
        },
        Case {
            name: "near full for near_full_for fires a warning",
            samples: (0..13).map(|s| queue(s, 110, 5)).collect(),
            want: vec![("127.0.0.1:8080", Severity::Warning)],
            message: Some(
                "listener 127.0.0.1:8080 accept queue at 85% (110/128) for 12s; backlog 128 (somaxconn 4096)",
            ),
        },
        Case {
            name: "a ListenOverflows rise while full is attributed, and stays for the window",
            samples: vec![
                queue(0, 0, 100),
                full(1, 137),
                queue(2, 0, 137),
                queue(3, 0, 137),
            ],
            want: vec![("127.0.0.1:8080", Severity::Critical)],
            message: Some(
                "listener 127.0.0.1:8080 overflowed its accept queue 37 times in the last minute \
                 (ListenOverflows); queue now 0/128; backlog 128 (somaxconn 4096)",
            ),
        },
        Case {
            name: "two listeners full at the rise: each is likely",
            samples: vec![
                two_full(0, 0, 100),
                two_full(1, 129, 137),
                two_full(2, 0, 137),
                two_full(3, 0, 137),
            ],
            want: vec![
                ("0.0.0.0:9090", Severity::Critical),
                ("127.0.0.1:8080", Severity::Critical),
            ],
            message: Some(
                "listener 0.0.0.0:9090 likely overflowed its accept queue 37 times in the last \
                 minute (ListenOverflows); 2 listeners were full at those samples; queue now 0/128; \
                 backlog 128 (somaxconn 4096)",
            ),
        },
        Case {
            name: "a rise with no full listener is unattributed, on the namespace",
            samples: vec![
                queue(0, 3, 100),
                queue(1, 3, 112),
                queue(2, 3, 112),
                queue(3, 3, 112),
            ],
            want: vec![("test", Severity::Warning)],
            message: Some(
                "ListenOverflows rose by 12 (ListenDrops by 0) in the last minute, unattributed: no \
                 listener's accept queue was full or near full at those samples (a queue that fills \
                 and drains between samples; a shorter --interval can catch it)",
            ),
        },
        Case {
            name: "a rise older than the window is forgotten",
            samples: vec![
                queue(0, 3, 100),
                queue(1, 3, 112),
                queue(70, 3, 112),
                queue(71, 3, 112),
                queue(72, 3, 112),
            ],
            want: vec![],
            message: None,
        },
        Case {
            name: "backlog at somaxconn says it is capped",
            samples: (0..3)
                .map(|s| sample(s, vec![listen("[::]:443", 4097, 4096, 1)], &[]))
                .collect(),
            want: vec![("[::]:443", Severity::Critical)],
            message: Some(
                "listener [::]:443 accept queue is full (4097/4096); backlog 4096 is capped by somaxconn",
            ),
        },
        Case {
            name: "busy but far from full never fires",
            samples: (0..30).map(|s| queue(s, (s % 5) as u32 * 10, 5)).collect(),
            want: vec![],
            message: None,
        },
    ];
    check(AQO, &t, cases);
}

#[test]
fn attribution_is_recorded_on_the_frame() {
    let (_, frames) = run(&Thresholds::default(), vec![queue(0, 0, 100), full(1, 137)]);
    assert_eq!(frames[0].alerts.overflow, None, "no previous sample");
    let o = frames[1].alerts.overflow.as_ref().unwrap();
    assert_eq!(o.overflows, 37);
    assert_eq!(o.listeners, ["127.0.0.1:8080".parse().unwrap()]);
}

#[test]
fn missing_overflow_counter_degrades_with_a_note() {
    let (_, frames) = run(
        &Thresholds::default(),
        (0..3)
            .map(|s| sample(s, l8080(129, 128, vec![]), &[]))
            .collect(),
    );
    let set = &frames[2].alerts;
    assert!(
        set.notes
            .iter()
            .any(|n| n
                .contains("ListenOverflows counter and the listeners' drop counts are missing")),
        "{:?}",
        set.notes
    );
    assert_eq!(
        set.active.len(),
        1,
        "queue fill still fires: {:?}",
        set.active
    );
}

#[test]
fn full_unix_listener_fires_on_its_path() {
    let unix = |secs, q| {
        let mut s = sample(secs, vec![], &[]);
        s.unix_listeners.push(UnixListener {
            path: "/run/app.sock".into(),
            inode: 77,
            kind: UnixKind::Stream,
            accept_queue: q,
            backlog: 16,
        });
        s
    };
    let (_, frames) = run(
        &Thresholds::default(),
        vec![unix(0, 16), unix(1, 17), unix(2, 16)],
    );
    let a = &frames[2].alerts.active;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].target.kind, TargetKind::UnixSocket);
    assert_eq!(a[0].target.name, "/run/app.sock");
    assert_eq!(
        a[0].message,
        "UNIX listener /run/app.sock accept queue is full (16/16); new connections wait or fail"
    );
}

#[test]
fn syn_backlog_table() {
    let t = Thresholds::default();
    let syn = |n| -> Vec<Snapshot> {
        (0..3)
            .map(|s| {
                sample(
                    s,
                    l8080(0, 128, conns(TcpState::SynRecv, "127.0.0.1:8080", n, 100)),
                    &[],
                )
            })
            .collect()
    };
    check(
        Rule::SynBacklog,
        &t,
        vec![
            Case {
                name: "85% of min(backlog, tcp_max_syn_backlog) warns",
                samples: syn(110),
                want: vec![("127.0.0.1:8080", Severity::Warning)],
                message: Some(
                    "listener 127.0.0.1:8080 holds 110 half-open connections (SYN_RECV), 85% of its \
                     SYN queue limit 128 = min(backlog 128, tcp_max_syn_backlog 512)",
                ),
            },
            Case {
                name: "at the limit is critical",
                samples: syn(128),
                want: vec![("127.0.0.1:8080", Severity::Critical)],
                message: None,
            },
            Case {
                name: "half the limit is fine",
                samples: syn(64),
                want: vec![],
                message: None,
            },
        ],
    );
}

#[test]
fn backlog_clamped_table() {
    let t = Thresholds::default();
    let with = |backlog| -> Vec<Snapshot> {
        (0..3)
            .map(|s| sample(s, vec![listen("0.0.0.0:80", 0, backlog, 1)], &[]))
            .collect()
    };
    check(
        Rule::BacklogClamped,
        &t,
        vec![
            Case {
                name: "backlog equal to somaxconn is info",
                samples: with(4096),
                want: vec![("0.0.0.0:80", Severity::Info)],
                message: Some(
                    "listener 0.0.0.0:80 backlog equals net.core.somaxconn (4096): its listen() \
                     backlog was probably capped; raise somaxconn if its queue fills",
                ),
            },
            Case {
                name: "a smaller backlog is not clamped",
                samples: with(511),
                want: vec![],
                message: None,
            },
        ],
    );
    let mut s = sample(0, vec![listen("0.0.0.0:80", 0, 4096, 1)], &[]);
    s.tunables.remove("net.core.somaxconn");
    let (_, frames) = run(&t, vec![s]);
    assert!(
        frames[0]
            .alerts
            .notes
            .iter()
            .any(|n| n.starts_with("backlog_clamped: net.core.somaxconn is unknown")),
        "{:?}",
        frames[0].alerts.notes
    );
}

#[test]
fn a_full_queue_says_how_long_its_oldest_connection_waited() {
    use crate::model::TcpTimes;
    let stalled = |secs: i64, waited_ms: u32| {
        let mut children = conns(TcpState::Established, "127.0.0.1:8080", 3, 100);
        children.iter_mut().for_each(|c| c.inode = 0);
        let mut s = sample(secs, l8080(3, 2, children), &[]);
        s.tcp_times = (100..103)
            .map(|cookie| TcpTimes {
                cookie,
                last_data_recv_ms: Some(waited_ms - (cookie as u32 - 100) * 1000),
                last_ack_recv_ms: Some(1000),
                ..TcpTimes::default()
            })
            .collect();
        s
    };
    let t = Thresholds {
        fire_after: 1,
        ..Thresholds::default()
    };
    let (_, frames) = run(&t, vec![stalled(0, 252_000)]);
    let agg = &frames[0].agg;
    assert_eq!(
        (agg.listeners[0].queued, agg.listeners[0].oldest_queued_ms),
        (3, Some(252_000))
    );
    assert_eq!(
        frames[0].alerts.active[0].message,
        "listener 127.0.0.1:8080 accept queue is full (3/2); oldest queued connection waited \
         ≥4min: the app has stopped calling accept(); backlog 2 (somaxconn 4096)"
    );
    let (_, frames) = run(&t, vec![stalled(0, 4_000)]);
    assert_eq!(
        frames[0].alerts.active[0].message,
        "listener 127.0.0.1:8080 accept queue is full (3/2); oldest queued connection waited \
         ≥4s; backlog 2 (somaxconn 4096)"
    );
}
