//! `serve` and `record` honour `--netns`, `--pid` and `--all-netns`.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::netns::{NamedNetns, Place, Server, ServerSpec};
use common::serve::serve;

fn spec(port: u16, comm: &str) -> ServerSpec<'_> {
    ServerSpec {
        port,
        backlog: 8,
        close_wait: 0,
        queued: 3,
        comm,
    }
}

fn metrics(addr: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    raw.split_once("\r\n\r\n").unwrap().1.to_owned()
}

fn queue_line(netns: &str, port: u16, comm: &str) -> String {
    format!(
        "sockscope_listener_accept_queue{{netns=\"{netns}\",proto=\"tcp\",local=\"127.0.0.1:{port}\",process=\"{comm}\"}} 3"
    )
}

#[test]
fn serve_labels_each_namespace_of_all_netns_and_one_of_netns() {
    let Some((a, b)) = NamedNetns::pair() else {
        return;
    };
    let _sa = Server::start(Place::Named(&a), spec(7301, "sstest-sa"));
    let _sb = Server::start(Place::Named(&b), spec(7302, "sstest-sb"));

    let one = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--cache",
        "100ms",
        "--netns",
        &a.name,
    ]);
    let body = metrics(&one.addr);
    assert!(
        body.contains(&queue_line(&a.name, 7301, "sstest-sa")),
        "{body}"
    );
    assert!(!body.contains("7302"), "only namespace a: {body}");

    let all = serve(&["--listen", "127.0.0.1:0", "--cache", "100ms", "--all-netns"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = metrics(&all.addr);
        if body.contains(&queue_line(&a.name, 7301, "sstest-sa"))
            && body.contains(&queue_line(&b.name, 7302, "sstest-sb"))
        {
            assert!(body.contains(&format!("sockscope_up{{netns=\"{}\"}} 1", a.name)));
            break;
        }
        assert!(Instant::now() < deadline, "{body}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn record_follows_pid_into_its_namespace() {
    let Some(ns) = NamedNetns::new() else {
        return;
    };
    let server = Server::start(Place::Named(&ns), spec(7303, "sstest-rec"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.sockscope");
    let file = file.to_str().unwrap();
    let pid = server.pid.to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args([
            "record",
            file,
            "--interval",
            "100ms",
            "--duration",
            "350ms",
            "--pid",
            &pid,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["snapshot", "--from", file, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["netns"], ns.name.as_str());
    let l = &doc["listeners"][0];
    assert_eq!(l["local"], "127.0.0.1:7303");
    assert_eq!(l["accept_queue"], 3);
    assert_eq!(l["processes"][0]["pid"], server.pid);
    assert_eq!(l["processes"][0]["comm"], "sstest-rec");
}

fn snapshot_json(netns: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["snapshot", "--format", "json", "--netns", netns])
        .output()
        .unwrap()
}

#[test]
fn netns_accepts_the_label_a_namespace_is_shown_with() {
    let server = Server::start(Place::Private, spec(7304, "sstest-lbl"));
    let label = format!("pid {} (sstest-lbl)", server.pid);
    let out = snapshot_json(&label);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["netns"], label.as_str());
    let locals: Vec<&str> = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["local"].as_str().unwrap())
        .collect();
    assert_eq!(locals, ["127.0.0.1:7304"], "only that namespace's listener");
    assert_eq!(doc["listeners"][0]["accept_queue"], 3);
    assert!(doc.get("netns_id").is_none(), "not a container's namespace");

    let missing = snapshot_json("docker:no-such-container");
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("\"docker:no-such-container\"") && err.contains("none labelled so"),
        "{err}"
    );
}

/// Two namespaces listening on 127.0.0.1:7310: `a` with a full accept queue
/// (3 queued of backlog 2), `b` with an empty one; `None` after a visible
/// skip when named namespaces cannot be made here.
fn full_and_healthy() -> Option<(NamedNetns, NamedNetns, Server, Server)> {
    let (a, b) = NamedNetns::pair()?;
    let full = ServerSpec {
        backlog: 2,
        ..spec(7310, "sstest-full")
    };
    let healthy = ServerSpec {
        queued: 0,
        ..spec(7310, "sstest-fine")
    };
    let sa = Server::start(Place::Named(&a), full);
    let sb = Server::start(Place::Named(&b), healthy);
    Some((a, b, sa, sb))
}

fn run_ok(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn snapshot_all_netns_puts_each_alert_in_its_own_namespace() {
    let Some((a, b, _sa, _sb)) = full_and_healthy() else {
        return;
    };
    let doc: serde_json::Value = serde_json::from_str(&run_ok(&[
        "snapshot",
        "--all-netns",
        "--format",
        "json",
        "--fire-after",
        "1",
    ]))
    .unwrap();
    let of = |name: &str| {
        doc["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["netns"] == name)
            .unwrap_or_else(|| panic!("no document for {name}"))
            .clone()
    };
    let queue_alerts = |d: &serde_json::Value| -> Vec<serde_json::Value> {
        d["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["rule"] == "accept_queue_overflow")
            .cloned()
            .collect()
    };
    let (da, db) = (of(&a.name), of(&b.name));
    assert_eq!(da["listeners"][0]["accept_queue"], 3);
    assert_eq!(db["listeners"][0]["accept_queue"], 0);
    let mine = queue_alerts(&da);
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["severity"], "critical");
    assert_eq!(
        mine[0]["target"],
        serde_json::json!({"kind": "listener", "name": "127.0.0.1:7310", "netns": a.name})
    );
    assert!(
        mine[0]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}: ", a.name)),
        "{mine:?}"
    );
    assert!(queue_alerts(&db).is_empty(), "{:?}", db["alerts"]);

    let gated = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args([
            "snapshot",
            "--all-netns",
            "--fire-after",
            "1",
            "--fail-on",
            "critical",
        ])
        .output()
        .unwrap();
    assert_eq!(gated.status.code(), Some(4), "{gated:?}");

    let text = run_ok(&["snapshot", "--all-netns", "--fire-after", "1"]);
    let alert_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("accept_queue_overflow") && l.contains("7310"))
        .collect();
    assert_eq!(alert_lines.len(), 1, "{text}");
    assert!(alert_lines[0].contains(&a.name), "{}", alert_lines[0]);
}

#[test]
fn serve_all_netns_labels_each_alert_with_its_namespace() {
    let Some((a, b, _sa, _sb)) = full_and_healthy() else {
        return;
    };
    let all = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--cache",
        "100ms",
        "--all-netns",
        "--fire-after",
        "1",
    ]);
    let alert = |ns: &str| {
        format!(
            "sockscope_alert{{netns=\"{ns}\",rule=\"accept_queue_overflow\",severity=\"critical\",target=\"127.0.0.1:7310\"}} 1"
        )
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = metrics(&all.addr);
        if body.contains(&alert(&a.name)) {
            assert!(!body.contains(&alert(&b.name)), "{body}");
            assert!(!body.contains("netns=\"all\""), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "{body}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
