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
