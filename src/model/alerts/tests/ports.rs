use super::*;

/// `established` + `time_wait` sockets from 10.0.0.1 toward 10.0.0.5:5432,
/// each on its own local port.
fn out(secs: i64, established: u64, time_wait: u64) -> Snapshot {
    let tcp = (0..established + time_wait)
        .map(|i| {
            let state = if i < established {
                TcpState::Established
            } else {
                TcpState::TimeWait
            };
            sock(
                state,
                &format!("10.0.0.1:{}", 40000 + i),
                "10.0.0.5:5432",
                100 + i,
            )
        })
        .collect();
    sample(secs, tcp, &[])
}

#[test]
fn ephemeral_port_exhaustion_table() {
    check(
        Rule::EphemeralPortExhaustion,
        &Thresholds::default(),
        vec![
            Case {
                name: "75 of 100 ports warns",
                samples: (0..3).map(|s| out(s, 5, 70)).collect(),
                want: vec![("10.0.0.5:5432 from 10.0.0.1", Severity::Warning)],
                message: Some(
                    "connections to 10.0.0.5:5432 from 10.0.0.1 use 75 of 100 local ports (75%, 70 \
                     in TIME_WAIT); not growing",
                ),
            },
            Case {
                name: "95 of 100 is critical",
                samples: (0..3).map(|s| out(s, 5, 90)).collect(),
                want: vec![("10.0.0.5:5432 from 10.0.0.1", Severity::Critical)],
                message: None,
            },
            Case {
                name: "growing toward the end of the range within the horizon warns early",
                samples: (0..5).map(|s| out(s, 0, 30 + 5 * s as u64)).collect(),
                want: vec![("10.0.0.5:5432 from 10.0.0.1", Severity::Warning)],
                message: Some(
                    "connections to 10.0.0.5:5432 from 10.0.0.1 use 50 of 100 local ports (50%, 50 \
                     in TIME_WAIT); at +5.0 ports/s the range is exhausted in about 10s",
                ),
            },
            Case {
                name: "steady use below warn_ratio is fine",
                samples: (0..5).map(|s| out(s, 10, 40)).collect(),
                want: vec![],
                message: None,
            },
            Case {
                name: "slow growth beyond the horizon is fine",
                samples: vec![out(0, 0, 40), out(59, 0, 41)],
                want: vec![],
                message: None,
            },
        ],
    );
}

/// `out` toward `remote` from `local`, with `tcp_tw_reuse` (and reserved ports) set.
fn toward(remote: &str, local: &str, reuse: &str, reserved: &str, time_wait: u64) -> Snapshot {
    let tcp = (0..5 + time_wait)
        .map(|i| {
            let state = if i < 5 {
                TcpState::Established
            } else {
                TcpState::TimeWait
            };
            sock(state, &format!("{local}:{}", 40000 + i), remote, 100 + i)
        })
        .collect();
    let mut s = sample(0, tcp, &[]);
    for (name, value) in [
        ("net.ipv4.tcp_tw_reuse", reuse),
        ("net.ipv4.ip_local_reserved_ports", reserved),
        ("net.ipv4.tcp_timestamps", "1"),
    ] {
        s.tunables.insert(name.to_owned(), value.to_owned());
    }
    s
}

fn findings(s: Snapshot) -> Vec<(String, Severity)> {
    let t = Thresholds {
        fire_after: 1,
        ..Thresholds::default()
    };
    let (_, frames) = run(&t, vec![s]);
    frames[0]
        .alerts
        .active
        .iter()
        .filter(|a| a.rule == Rule::EphemeralPortExhaustion)
        .map(|a| (a.message.clone(), a.severity))
        .collect()
}

#[test]
fn time_wait_ports_reusable_toward_loopback_do_not_count() {
    assert_eq!(
        findings(toward("127.0.0.1:8080", "127.0.0.1", "2", "", 90)),
        vec![],
        "5 of 100 ports cannot be reused"
    );
    let far = findings(toward("10.0.0.5:5432", "10.0.0.1", "2", "", 90));
    assert_eq!(
        far,
        vec![(
            "connections to 10.0.0.5:5432 from 10.0.0.1 use 95 of 100 local ports (95%, 90 in \
             TIME_WAIT); TIME_WAIT ports count: tcp_tw_reuse=2 reuses them toward loopback only"
                .to_owned(),
            Severity::Critical
        )]
    );
    let any = findings(toward("10.0.0.5:5432", "10.0.0.1", "1", "", 90));
    assert_eq!(any, vec![], "tcp_tw_reuse=1 reuses toward any destination");
    let off = findings(toward("127.0.0.1:8080", "127.0.0.1", "0", "", 90));
    assert_eq!(off.len(), 1);
    assert!(
        off[0]
            .0
            .ends_with("; TIME_WAIT ports count: tcp_tw_reuse=0"),
        "{}",
        off[0].0
    );
}

#[test]
fn reusable_time_wait_still_warns_when_the_other_ports_fill_the_range() {
    let mut s = toward("127.0.0.1:8080", "127.0.0.1", "2", "40090-40099,9000", 10);
    let more: Vec<_> = (0..70)
        .map(|i| {
            sock(
                TcpState::Established,
                &format!("127.0.0.1:{}", 41000 + i),
                "127.0.0.1:8080",
                500 + i,
            )
        })
        .collect();
    s.tcp.owned_mut().extend(more);
    assert_eq!(
        findings(s),
        vec![(
            "connections to 127.0.0.1:8080 from 127.0.0.1 use 75 of 90 local ports (10 more \
             reserved) (83%, 10 in TIME_WAIT not counted); TIME_WAIT ports are reusable here: \
             tcp_tw_reuse=2 and the destination is loopback"
                .to_owned(),
            Severity::Warning
        )]
    );
}
