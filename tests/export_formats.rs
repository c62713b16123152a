//! CSV, Prometheus and JSON `--sockets` output of one fixed synthetic
//! snapshot, snapshotted with insta; and the cardinality bound.

use sockscope::cli::Format;
use sockscope::commands::snapshot::{RenderOptions, render};
use sockscope::export::prometheus::Limits;
use sockscope::model::fixtures::{listen, snapshot, sock};
use sockscope::model::process::{ProcessInfo, ProcessTable, SocketProcesses};
use sockscope::model::{Snapshot, TcpState::*, UnixKind, UnixListener};

/// Two SO_REUSEPORT members on :80 with a full queue, an IPv6 listener with
/// a handshake and a CLOSE_WAIT, an idle listener, an outbound connection,
/// a UNIX listener, counters and tunables.
fn fixed() -> Snapshot {
    let mut s = snapshot(
        "2026-11-24T02:40:00.123Z",
        vec![
            listen("0.0.0.0:80", 129, 128, 1),
            listen("0.0.0.0:80", 3, 128, 2),
            listen("[::]:8443", 0, 4096, 3),
            listen("127.0.0.1:9000", 0, 511, 4),
            sock(Established, "10.0.0.1:80", "10.0.0.9:50000", 10),
            sock(Established, "10.0.0.1:80", "10.0.0.9:50001", 11),
            sock(TimeWait, "10.0.0.1:80", "10.0.0.9:50002", 12),
            sock(SynRecv, "[2001:db8::1]:8443", "[2001:db8::9]:40000", 13),
            sock(CloseWait, "[2001:db8::1]:8443", "[2001:db8::9]:40001", 14),
            sock(Established, "10.0.0.1:41000", "10.0.0.5:5432", 15),
        ],
    );
    s.hostname = "web-1".to_owned();
    // The members' sk_drops: 37 + 3 + 0 + 0, the namespace's ListenDrops.
    for (sock, drops) in s.tcp.owned_mut().iter_mut().zip([37, 3, 0, 0]) {
        sock.drops = Some(drops);
    }
    let proc_ = |pid: u32, comm: &str| ProcessInfo {
        pid,
        comm: comm.to_owned(),
        cmdline: format!("/usr/sbin/{comm} -g daemon off;"),
        uid: 33,
        user: "www-data".to_owned(),
    };
    let owned = |inode: u32, processes: Vec<u32>| SocketProcesses { inode, processes };
    s.processes = ProcessTable {
        enabled: true,
        denied: 0,
        list: vec![
            proc_(812, "nginx"),
            proc_(813, "nginx"),
            proc_(900, "envoy"),
        ],
        sockets: vec![
            owned(1, vec![0]),
            owned(2, vec![1]),
            owned(3, vec![2]),
            owned(14, vec![2]),
            owned(15, vec![2]),
        ]
        .into(),
    };
    s.netns = "host".to_owned();
    s.collector.duration_us = 1500;
    s.unix_listeners.push(UnixListener {
        path: "/run/app \"x\".sock".to_owned(),
        inode: 77,
        kind: UnixKind::Stream,
        accept_queue: 2,
        backlog: 4096,
    });
    for (k, v) in [
        ("ListenOverflows", 37),
        ("ListenDrops", 40),
        ("TCPTimeWaitOverflow", 0),
        ("EstabResets", 5),
    ] {
        s.counters.insert(k.to_owned(), v);
    }
    for (k, v) in [
        ("net.core.somaxconn", "4096"),
        ("net.ipv4.tcp_max_syn_backlog", "1024"),
        ("net.ipv4.tcp_max_tw_buckets", "262144"),
        ("net.ipv4.ip_local_port_range", "32768 60999"),
    ] {
        s.tunables.insert(k.to_owned(), v.to_owned());
    }
    s
}

fn rendered(format: Format, opts: RenderOptions) -> String {
    let mut out = Vec::new();
    render(&mut out, format, &fixed(), opts).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn csv_rows() {
    insta::assert_snapshot!(rendered(Format::Csv, RenderOptions::default()));
}

#[test]
fn csv_has_every_listener_figure_of_the_json() {
    let json: serde_json::Value =
        serde_json::from_str(&rendered(Format::Json, RenderOptions::default())).unwrap();
    let csv = rendered(Format::Csv, RenderOptions::default());
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let listeners = json["listeners"].as_array().unwrap();
    assert_eq!(rows.len(), listeners.len());
    for (row, l) in rows.iter().zip(listeners) {
        let col = |name: &str| {
            row.get(header.iter().position(|h| h == name).unwrap())
                .unwrap()
        };
        for key in ["proto", "local"] {
            assert_eq!(col(key), l[key].as_str().unwrap());
        }
        for key in [
            "sockets",
            "accept_queue",
            "backlog",
            "drops",
            "full_members",
        ] {
            assert_eq!(col(key), l[key].to_string());
        }
        let fill: f64 = col("fill").parse().unwrap();
        assert_eq!(fill, l["fill"].as_f64().unwrap());
        for (state, n) in l["states"].as_object().unwrap() {
            assert_eq!(col(state), n.to_string(), "{state}");
        }
        let members: Vec<String> = l["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| format!("{}:{}/{}", m["inode"], m["accept_queue"], m["backlog"]))
            .collect();
        assert_eq!(col("member_queues"), members.join(" "));
        let drops: Vec<String> = l["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| format!("{}:{}", m["inode"], m["drops"]))
            .collect();
        assert_eq!(col("member_drops"), drops.join(" "));
        assert_eq!(col("members"), members.len().to_string());
        let processes: Vec<String> = l["processes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{}[{}]", p["comm"].as_str().unwrap(), p["pid"]))
            .collect();
        assert_eq!(col("processes"), processes.join(" "));
    }
}

#[test]
fn prometheus_exposition() {
    insta::assert_snapshot!(rendered(Format::Prometheus, RenderOptions::default()));
}

#[test]
fn prometheus_parses_and_sums_the_rest_under_other() {
    let opts = RenderOptions {
        sockets: false,
        limits: Limits { max_listeners: 1 },
    };
    let text = rendered(Format::Prometheus, opts);
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let series = |name: &str, local: &str| -> Vec<f64> {
        scrape
            .samples
            .iter()
            .filter(|s| s.metric == name && s.labels.get("local") == Some(local))
            .map(|s| match s.value {
                prometheus_parse::Value::Gauge(v) => v,
                ref other => panic!("{name} is {other:?}"),
            })
            .collect()
    };
    assert_eq!(
        series("sockscope_listener_accept_queue", "0.0.0.0:80"),
        [132.0]
    );
    assert_eq!(series("sockscope_listener_backlog", "0.0.0.0:80"), [256.0]);
    assert_eq!(series("sockscope_listener_accept_queue", "other"), [0.0]);
    assert_eq!(series("sockscope_listener_backlog", "other"), [4607.0]);
    assert_eq!(series("sockscope_listener_members", "other"), [2.0]);
    let other_conns: f64 = series("sockscope_listener_connections", "other")
        .iter()
        .sum();
    assert_eq!(other_conns, 2.0);
    assert!(series("sockscope_listener_backlog", "[::]:8443").is_empty());
}

#[test]
fn json_sockets_list() {
    let opts = RenderOptions {
        sockets: true,
        limits: Limits::default(),
    };
    let json: serde_json::Value = serde_json::from_str(&rendered(Format::Json, opts)).unwrap();
    let sockets = json["sockets"].as_array().unwrap();
    assert_eq!(sockets.len(), 10);
    insta::assert_snapshot!(serde_json::to_string_pretty(&sockets[7..9]).unwrap());
    assert_eq!(sockets[9]["listener"], serde_json::Value::Null);
    let plain: serde_json::Value =
        serde_json::from_str(&rendered(Format::Json, RenderOptions::default())).unwrap();
    assert!(plain.get("sockets").is_none(), "only with --sockets");
}

/// The collector's notes (here: owners unknown because `/proc` was partly
/// unreadable, as for a non-root user) end the text report as a paragraph
/// of their own, not as one more row of the last table.
#[test]
fn text_notes_follow_the_last_table_after_a_blank_line() {
    let mut snap = fixed();
    snap.collector
        .notes
        .push("process owners unknown for 3 processes".to_owned());
    let opts = RenderOptions {
        sockets: true,
        ..RenderOptions::default()
    };
    let mut out = Vec::new();
    render(&mut out, Format::Text, &snap, opts).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[lines.len() - 2..],
        ["", "note: process owners unknown for 3 processes"],
        "{text}"
    );
}
