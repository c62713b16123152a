use super::*;

fn syn(secs: i64, sent: u64, drop: u64) -> Snapshot {
    sample(
        secs,
        l8080(0, 128, conns(TcpState::SynRecv, "127.0.0.1:8080", 3, 100)),
        &[
            ("SyncookiesSent", sent),
            ("TCPReqQFullDoCookies", sent),
            ("TCPReqQFullDrop", drop),
        ],
    )
}

#[test]
fn syn_flood_table() {
    check(
        Rule::SynFlood,
        &Thresholds::default(),
        vec![
            Case {
                name: "cookies sent within the window warn",
                samples: vec![syn(0, 10, 0), syn(1, 50, 0), syn(2, 90, 0), syn(3, 90, 0)],
                want: vec![("test", Severity::Warning)],
                message: Some(
                    "SYN queue overflowing in the last minute: SyncookiesSent +80, \
                     TCPReqQFullDoCookies +80, TCPReqQFullDrop +0; most SYN_RECV: listener \
                     127.0.0.1:8080 (3)",
                ),
            },
            Case {
                name: "SYNs dropped are critical",
                samples: vec![syn(0, 0, 0), syn(1, 0, 4), syn(2, 0, 4), syn(3, 0, 4)],
                want: vec![("test", Severity::Critical)],
                message: None,
            },
            Case {
                name: "flat counters never fire, however high",
                samples: (0..5).map(|s| syn(s, 1_000_000, 1_000)).collect(),
                want: vec![],
                message: None,
            },
        ],
    );
}

#[test]
fn syn_flood_missing_counters_are_noted() {
    let (_, frames) = run(
        &Thresholds::default(),
        vec![sample(0, vec![], &[("SyncookiesSent", 1)])],
    );
    assert!(
        frames[0].alerts.notes.contains(
            &"syn_flood: counter TCPReqQFullDoCookies, TCPReqQFullDrop missing from \
              /proc/net/netstat; the rule reads the others"
                .to_owned()
        ),
        "{:?}",
        frames[0].alerts.notes
    );
}

fn tw(secs: i64, n: u64, overflow: u64) -> Snapshot {
    let tcp = (0..n)
        .map(|i| {
            sock(
                TcpState::TimeWait,
                &format!("10.0.0.1:{}", 1024 + i),
                "10.0.0.5:80",
                100 + i,
            )
        })
        .collect();
    sample(secs, tcp, &[("TCPTimeWaitOverflow", overflow)])
}

#[test]
fn time_wait_pressure_table() {
    check(
        Rule::TimeWaitPressure,
        &Thresholds::default(),
        vec![
            Case {
                name: "85% of tcp_max_tw_buckets warns",
                samples: (0..3).map(|s| tw(s, 850, 0)).collect(),
                want: vec![("test", Severity::Warning)],
                message: Some("850 TIME_WAIT sockets, 85% of tcp_max_tw_buckets 1000"),
            },
            Case {
                name: "96% is critical",
                samples: (0..3).map(|s| tw(s, 960, 0)).collect(),
                want: vec![("test", Severity::Critical)],
                message: None,
            },
            Case {
                name: "TCPTimeWaitOverflow rising is critical",
                samples: vec![tw(0, 10, 0), tw(1, 10, 3), tw(2, 10, 3), tw(3, 10, 3)],
                want: vec![("test", Severity::Critical)],
                message: Some(
                    "10 TIME_WAIT sockets, 1% of tcp_max_tw_buckets 1000; TCPTimeWaitOverflow +3 \
                     in the last minute: closing connections skip TIME_WAIT",
                ),
            },
            Case {
                name: "lots of TIME_WAIT far from the limit is fine",
                samples: (0..5).map(|s| tw(s, 500, 7)).collect(),
                want: vec![],
                message: None,
            },
        ],
    );
}
