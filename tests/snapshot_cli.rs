//! The real `sockscope snapshot` binary against real sockets, compared with
//! `ss` in the same private network namespace.

mod common;

use std::collections::BTreeMap;
use std::net::Shutdown;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};

use common::*;
use serde_json::Value;
use sockscope::model::TcpState::CloseWait;

fn sockscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .output()
        .expect("run sockscope")
}

/// Opens sockets in every state the model knows about; returns what must stay open.
fn mixed_namespace() -> Vec<Box<dyn std::any::Any>> {
    let mut keep: Vec<Box<dyn std::any::Any>> = Vec::new();
    // Full accept queue (3 = backlog + 1) and one client stuck in SYN_SENT.
    let full = listener("127.0.0.1:7101", 2, false);
    for _ in 0..3 {
        keep.push(Box::new(connect("127.0.0.1:7101", None)));
    }
    keep.push(Box::new(full));
    collect_until("queue full", |_, a| {
        a.listeners.iter().any(|l| l.accept_queue == 3)
    });
    keep.push(Box::new(connect_nowait("127.0.0.1:7101")));
    // Handshakes held in SYN_RECV, on IPv6.
    let deferred = listener("[::1]:7102", 16, false);
    defer_accept(&deferred, 60);
    for _ in 0..2 {
        keep.push(Box::new(connect("[::1]:7102", None)));
    }
    keep.push(Box::new(deferred));
    // CLOSE_WAIT on the server, FIN_WAIT2 on the client.
    let cw = listener("127.0.0.1:7103", 16, false);
    let c = connect("127.0.0.1:7103", None);
    let (srv, _) = cw.accept().unwrap();
    drop(c);
    keep.push(Box::new(srv));
    // TIME_WAIT on the server side and on the client side.
    let tw = listener("0.0.0.0:7104", 16, false);
    let a = connect("127.0.0.2:7104", None);
    let (a_srv, _) = tw.accept().unwrap();
    a_srv.shutdown(Shutdown::Both).unwrap();
    drop(a_srv);
    collect_until("FIN reaches client", |_, agg| agg.totals[CloseWait] >= 2);
    drop(a);
    let b = connect("127.0.0.1:7104", None);
    let (b_srv, _) = tw.accept().unwrap();
    drop(b);
    keep.push(Box::new(b_srv));
    keep.push(Box::new(tw));
    keep.push(Box::new(cw));
    // An SO_REUSEPORT pair on a dual-stack wildcard, reached over IPv4 and IPv6.
    keep.push(Box::new(listener("[::]:7105", 8, true)));
    keep.push(Box::new(listener("[::]:7105", 4, true)));
    keep.push(Box::new(connect("127.0.0.1:7105", None)));
    keep.push(Box::new(connect("[::1]:7105", None)));
    keep
}

/// `ss -tanH` counted by state column.
fn ss_states() -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for line in ss(&["-tanH"]).expect("ss is installed").lines() {
        if let Some(state) = line.split_whitespace().next() {
            *out.entry(state.to_owned()).or_insert(0) += 1;
        }
    }
    out
}

/// JSON state key → the state column `ss` prints; written out here so the
/// test does not trust sockscope's own mapping.
const STATES: [(&str, &str); 11] = [
    ("established", "ESTAB"),
    ("syn_sent", "SYN-SENT"),
    ("syn_recv", "SYN-RECV"),
    ("fin_wait1", "FIN-WAIT-1"),
    ("fin_wait2", "FIN-WAIT-2"),
    ("time_wait", "TIME-WAIT"),
    ("close", "UNCONN"),
    ("close_wait", "CLOSE-WAIT"),
    ("last_ack", "LAST-ACK"),
    ("listen", "LISTEN"),
    ("closing", "CLOSING"),
];

fn json_states(doc: &Value) -> BTreeMap<String, u64> {
    STATES
        .iter()
        .filter_map(|(key, ss)| {
            let n = doc["totals"]["tcp"][key]
                .as_u64()
                .expect("every state key is an integer");
            (n > 0).then(|| (ss.to_string(), n))
        })
        .collect()
}

/// `ss -ltnH`: local → (sockets, Recv-Q sum, Send-Q sum); `*:p` is `[::]:p`.
fn ss_listeners() -> BTreeMap<String, (u64, u64, u64)> {
    let mut out = BTreeMap::new();
    for line in ss(&["-ltnH"]).unwrap().lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let local = f[3].replace("*:", "[::]:");
        let e = out.entry(local).or_insert((0, 0, 0));
        e.0 += 1;
        e.1 += f[1].parse::<u64>().unwrap();
        e.2 += f[2].parse::<u64>().unwrap();
    }
    out
}

/// `ss -tanH sport = :port`, non-LISTEN sockets counted by state.
fn ss_port_states(port: u16) -> BTreeMap<String, u64> {
    let filter = format!("sport = :{port}");
    let mut out = BTreeMap::new();
    for line in ss(&["-tanH", &filter]).unwrap().lines() {
        let state = line.split_whitespace().next().unwrap();
        if state != "LISTEN" {
            *out.entry(state.to_owned()).or_insert(0) += 1;
        }
    }
    out
}

#[test]
fn json_matches_ss_state_by_state_and_listener_by_listener() {
    if !private_netns() {
        return;
    }
    let _keep = mixed_namespace();
    // The namespace holds only stable states; still, insist that ss saw the
    // same picture before and after our collection.
    let (before, out, after) = loop {
        let before = (ss_states(), ss_listeners());
        let out = sockscope(&["snapshot", "--format", "json"]);
        let after = (ss_states(), ss_listeners());
        if before == after {
            break (before, out, after);
        }
    };
    assert!(out.status.success(), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("snapshot JSON parses");
    assert_eq!(doc["schema"], "sockscope.snapshot.v1");
    assert_eq!(json_states(&doc), before.0, "totals by state equal ss -tan");
    for state in [
        "SYN-SENT",
        "SYN-RECV",
        "CLOSE-WAIT",
        "FIN-WAIT-2",
        "TIME-WAIT",
        "ESTAB",
        "LISTEN",
    ] {
        assert!(
            after.0.contains_key(state),
            "the namespace holds {state}: {after:?}"
        );
    }

    let listeners = doc["listeners"].as_array().unwrap();
    let ours: BTreeMap<String, (u64, u64, u64)> = listeners
        .iter()
        .map(|l| {
            (
                l["local"].as_str().unwrap().to_owned(),
                (
                    l["members"].as_array().unwrap().len() as u64,
                    l["accept_queue"].as_u64().unwrap(),
                    l["backlog"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(
        ours, before.1,
        "listeners, members, Recv-Q and Send-Q equal ss -ltn"
    );

    let keys: Vec<_> = STATES
        .iter()
        .filter(|(k, _)| *k != "listen" && *k != "syn_sent")
        .collect();
    for l in listeners {
        let port: u16 = l["local"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let ours: BTreeMap<String, u64> = keys
            .iter()
            .filter_map(|(k, ss)| {
                let n = l["states"][k].as_u64().unwrap();
                (n > 0).then(|| (ss.to_string(), n))
            })
            .collect();
        assert_eq!(
            ours,
            ss_port_states(port),
            "states of listener {}",
            l["local"]
        );
        let sum: u64 = ours.values().sum();
        assert_eq!(l["sockets"].as_u64().unwrap(), sum);
    }
    let remote_sockets: u64 = doc["remotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["states"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum::<u64>()
        })
        .sum();
    let listener_sockets: u64 = listeners
        .iter()
        .map(|l| l["sockets"].as_u64().unwrap())
        .sum();
    let total: u64 = before.0.values().sum();
    assert_eq!(
        listener_sockets + remote_sockets + before.0["LISTEN"],
        total,
        "every socket is grouped once"
    );
}

/// The lines of the text report's section headed `title`, up to the blank
/// line (a table's first is its column header).
fn section<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
    let start = text
        .find(&format!("\n{title}"))
        .unwrap_or_else(|| panic!("no {title} section: {text}"));
    text[start + 1..]
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

/// `ss`'s address as the text report prints it: a dual-stack wildcard
/// `*:p` is `[::]:p`.
fn ss_local(addr: &str) -> String {
    addr.replace("*:", "[::]:")
}

#[test]
fn text_report_rows_equal_ss_trouble_first_with_markers_and_advice() {
    if !private_netns() {
        return;
    }
    let _keep = mixed_namespace();
    let ss_sockets = || {
        let mut rows: Vec<Vec<String>> = ss(&["-tanH"])
            .unwrap()
            .lines()
            .map(|l| l.split_whitespace().take(5).map(ss_local).collect())
            .collect();
        rows.sort();
        rows
    };
    let (sockets, listeners, out) = loop {
        let before = (ss_sockets(), ss_listeners());
        let out = sockscope(&["snapshot", "--sockets"]);
        if before == (ss_sockets(), ss_listeners()) {
            break (before.0, before.1, out);
        }
    };
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();

    // Trouble first, as the dashboard orders them: the full queue (3/2),
    // the reuseport pair whose fuller member holds 1/4, then CLOSE-WAIT 1
    // with TIME-WAIT 1, CLOSE-WAIT 1 alone, and SYN-RECV 2.
    let rows = section(&text, "LISTENERS (5, trouble first)");
    let fields: Vec<(&str, Vec<&str>)> = rows[1..]
        .iter()
        .map(|r| {
            let mut chars = r.chars();
            let marker = chars.next().unwrap();
            let marker = &r[..marker.len_utf8()];
            (marker, r[marker.len()..].split_whitespace().collect())
        })
        .collect();
    let order: Vec<&str> = fields.iter().map(|(_, f)| f[0]).collect();
    assert_eq!(
        order,
        [
            "127.0.0.1:7101",
            "[::]:7105",
            "0.0.0.0:7104",
            "127.0.0.1:7103",
            "[::1]:7102"
        ],
        "{text}"
    );
    let markers: Vec<&str> = fields.iter().map(|(m, _)| *m).collect();
    assert_eq!(markers, ["‼", " ", " ", " ", " "], "{text}");
    assert_eq!(
        rows[0].split_whitespace().collect::<Vec<_>>(),
        [
            "LOCAL",
            "PROCESS",
            "RECV-Q/BACKLOG",
            "FILL",
            "MEMBERS",
            "SYN-RECV",
            "ESTAB",
            "TIME-WAIT",
            "CLOSE-WAIT",
            "OTHER",
            "CONNS"
        ]
    );
    let owner = format!("[{}]", std::process::id());
    for (_, f) in &fields {
        let (members, queue, backlog) = listeners[f[0]];
        assert!(f[1].ends_with(&owner), "PROCESS is this test: {f:?}");
        assert_eq!(f[2], format!("{queue}/{backlog}"), "Recv-Q/Send-Q of {f:?}");
        assert_eq!(f[4], members.to_string(), "MEMBERS of {f:?}");
        let port: u16 = f[0].rsplit(':').next().unwrap().parse().unwrap();
        let by_state = ss_port_states(port);
        let count = |s: &str| by_state.get(s).copied().unwrap_or(0).to_string();
        assert_eq!(
            f[5..9],
            [
                count("SYN-RECV"),
                count("ESTAB"),
                count("TIME-WAIT"),
                count("CLOSE-WAIT")
            ],
            "states of {f:?}: {by_state:?}"
        );
        assert_eq!(f[10], by_state.values().sum::<u64>().to_string());
    }
    assert_eq!(fields[0].1[3], "150%", "3 queued over a backlog of 2");

    let alerts = section(&text, "ALERTS (1)");
    let first = alerts[0];
    assert!(
        first.starts_with("‼ critical accept_queue_overflow")
            && first.contains("listener 127.0.0.1:7101"),
        "{alerts:?}"
    );
    let advice = sockscope::model::Rule::AcceptQueueOverflow.advice();
    assert_eq!(alerts[2].trim(), format!("what to do: {advice}"));

    let mut ours: Vec<Vec<String>> = section(&text, &format!("SOCKETS ({})", sockets.len()))[1..]
        .iter()
        .map(|l| l.split_whitespace().take(5).map(str::to_owned).collect())
        .collect();
    ours.sort();
    assert_eq!(
        ours, sockets,
        "State, Recv-Q, Send-Q, Local, Peer equal ss -tan, row by row"
    );
}

#[test]
fn sockets_is_refused_for_csv_and_prometheus() {
    for format in ["csv", "prometheus"] {
        let out = sockscope(&["snapshot", "--sockets", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(&format!("--format {format} has one row per listener")),
            "{err}"
        );
    }
}

#[test]
fn works_without_root() {
    if !common::tools::have_root("switching the child to uid 65534") || !private_netns() {
        return;
    }
    let _l = listener("127.0.0.1:7301", 3, false);
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["snapshot", "--format", "json"])
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["listeners"][0]["local"], "127.0.0.1:7301");
    assert_eq!(doc["listeners"][0]["backlog"], 3);
}

#[test]
fn unknown_format_is_clap_error() {
    let out = sockscope(&["snapshot", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("invalid value 'yaml'"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn closed_pipe_exits_quietly() {
    let mut fds = [0; 2];
    // SAFETY: pipe writes two valid descriptors into fds.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: we own both descriptors; closing the read end makes writes fail with EPIPE.
    unsafe { libc::close(fds[0]) };
    // SAFETY: the write end is ours and handed to the child exactly once.
    let stdout = unsafe { <Stdio as std::os::fd::FromRawFd>::from_raw_fd(fds[1]) };
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["snapshot", "--format", "json"])
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn no_processes_skips_attribution() {
    if !private_netns() {
        return;
    }
    let _l = listener("127.0.0.1:7401", 3, false);
    let run = |extra: &[&str]| -> Value {
        let mut args = vec!["snapshot", "--format", "json"];
        args.extend_from_slice(extra);
        let out = sockscope(&args);
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let with = run(&[]);
    assert_eq!(
        with["listeners"][0]["processes"][0]["pid"].as_u64(),
        Some(u64::from(std::process::id())),
        "the test process owns its listener: {with}"
    );
    let without = run(&["--no-processes"]);
    let procs = &without["listeners"][0]["processes"];
    assert!(
        procs.is_null() || procs.as_array().is_some_and(|a| a.is_empty()),
        "no attribution under --no-processes: {procs}"
    );
    assert_eq!(without["listeners"][0]["backlog"], 3);
}
