use super::*;
use crate::model::alerts::TargetKind;

const CW: Rule = Rule::CloseWaitLeak;

/// Listener 127.0.0.1:8080 with CLOSE_WAIT sockets of cookies `cookies`.
fn with_cw(secs: i64, cookies: std::ops::Range<u64>) -> Snapshot {
    let n = cookies.end - cookies.start;
    sample(
        secs,
        l8080(
            0,
            128,
            conns(TcpState::CloseWait, "127.0.0.1:8080", n, cookies.start),
        ),
        &[],
    )
}

#[test]
fn close_wait_leak_table() {
    let t = Thresholds::default();
    let cases = vec![
        Case {
            name: "12 sockets that stay past min_age fire",
            samples: [0, 30, 61, 62, 63].map(|s| with_cw(s, 100..112)).into(),
            want: vec![("127.0.0.1:8080", Severity::Warning)],
            message: Some(
                "listener 127.0.0.1:8080 leaks CLOSE_WAIT: 12 sockets (12 older than 60s), oldest 63s, steady; 12 read EOF but never closed",
            ),
        },
        Case {
            name: "a growing leak reports its rate",
            samples: (0..=64)
                .map(|s| with_cw(s, 100..(110 + s as u64)))
                .collect(),
            want: vec![("127.0.0.1:8080", Severity::Warning)],
            message: Some(
                "listener 127.0.0.1:8080 leaks CLOSE_WAIT: 74 sockets (14 older than 60s), oldest 64s, growing 60/min; 14 read EOF but never closed",
            ),
        },
        Case {
            name: "normal churn: many CLOSE_WAIT, each gone within seconds, never fires",
            samples: (0..180)
                .map(|s| with_cw(s, (1000 + 10 * s as u64)..(1030 + 10 * s as u64)))
                .collect(),
            want: vec![],
            message: None,
        },
        Case {
            name: "fewer old sockets than min_count do not fire",
            samples: [0, 61, 62, 63].map(|s| with_cw(s, 100..109)).into(),
            want: vec![],
            message: None,
        },
        Case {
            name: "critical_count old sockets are critical",
            samples: [0, 61, 62, 63].map(|s| with_cw(s, 100..300)).into(),
            want: vec![("127.0.0.1:8080", Severity::Critical)],
            message: None,
        },
    ];
    check(CW, &t, cases);
}

#[test]
fn outbound_close_wait_fires_on_the_remote() {
    let client = |secs| {
        let tcp = (0..10)
            .map(|i| {
                sock(
                    TcpState::CloseWait,
                    &format!("10.0.0.1:{}", 40000 + i),
                    "10.0.0.5:5432",
                    500 + i,
                )
            })
            .collect();
        sample(secs, tcp, &[])
    };
    let (_, frames) = run(&Thresholds::default(), [0, 61, 62, 63].map(client).into());
    let a = &frames[3].alerts.active;
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0].target.kind, TargetKind::Remote);
    assert_eq!(a[0].target.name, "10.0.0.5:5432 from 10.0.0.1");
    assert_eq!(
        a[0].message,
        "connections to 10.0.0.5:5432 from 10.0.0.1 leaks CLOSE_WAIT: 10 sockets (10 older than 60s), oldest 63s, steady; 10 read EOF but never closed"
    );
}

#[test]
fn the_leak_names_the_owning_process() {
    use crate::model::{ProcessInfo, ProcessTable, SocketProcesses};
    let owned = |secs| {
        let mut s = with_cw(secs, 100..112);
        s.processes = ProcessTable {
            enabled: true,
            denied: 0,
            list: vec![ProcessInfo {
                pid: 4121,
                comm: "api".into(),
                cmdline: "/usr/bin/api --port 8080".into(),
                uid: 1000,
                user: "app".into(),
            }],
            sockets: (100..112)
                .map(|inode| SocketProcesses {
                    inode,
                    processes: vec![0],
                })
                .collect(),
        };
        s
    };
    let (_, frames) = run(&Thresholds::default(), [0, 61, 62, 63].map(owned).into());
    assert_eq!(
        frames[3].alerts.active[0].message,
        "listener 127.0.0.1:8080 of process api (pid 4121) leaks CLOSE_WAIT: 12 sockets (12 older \
         than 60s), oldest 63s, steady; 12 read EOF but never closed"
    );
}

#[test]
fn kernel_ages_fire_from_the_first_sample_and_name_both_bugs() {
    use crate::model::TcpTimes;
    let mut s = with_cw(0, 100..112);
    for (i, sock) in s.tcp.owned_mut().iter_mut().skip(1).enumerate() {
        sock.recv_q = u32::from(i < 8);
    }
    s.tcp_times = (100..112)
        .map(|cookie| TcpTimes {
            cookie,
            last_data_sent_ms: None,
            last_data_recv_ms: Some(400_000),
            last_ack_recv_ms: Some(250_000 + cookie as u32),
        })
        .collect();
    let t = Thresholds {
        fire_after: 1,
        ..Thresholds::default()
    };
    let (_, frames) = run(&t, vec![s]);
    let a = &frames[0].alerts.active;
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(
        a[0].message,
        "listener 127.0.0.1:8080 leaks CLOSE_WAIT: 12 sockets (12 older than 60s), oldest ≥4min, \
         growth unknown yet; 8 never read EOF — the app stopped reading; 4 read EOF but never closed"
    );
}

#[test]
fn kernel_ages_below_min_age_do_not_fire() {
    use crate::model::TcpTimes;
    let mut s = with_cw(0, 100..112);
    s.tcp_times = (100..112)
        .map(|cookie| TcpTimes {
            cookie,
            last_ack_recv_ms: Some(59_000),
            ..TcpTimes::default()
        })
        .collect();
    let t = Thresholds {
        fire_after: 1,
        ..Thresholds::default()
    };
    let (_, frames) = run(&t, vec![s]);
    assert!(frames[0].alerts.active.is_empty());
}
