//! `ephemeral_port_exhaustion` against the kernel's own TIME_WAIT reuse, in
//! a private network namespace whose sysctls the test sets: a tiny
//! `ip_local_port_range` filled with client-side TIME_WAIT toward loopback.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use serde_json::Value;
use sockscope::model::TcpState::TimeWait;

/// Writes a sysctl of this thread's (private) network namespace.
fn sysctl(name: &str, value: &str) {
    let path = format!("/proc/sys/{}", name.replace('.', "/"));
    std::fs::write(&path, value).unwrap_or_else(|e| panic!("write {path}: {e}"));
}

/// Messages of the `ephemeral_port_exhaustion` alerts of a one-shot snapshot.
fn port_alerts() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["snapshot", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rule"] == "ephemeral_port_exhaustion")
        .map(|a| a["message"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn time_wait_toward_loopback_is_not_exhaustion_when_tw_reuse_applies() {
    if !private_netns() {
        return;
    }
    sysctl("net.ipv4.ip_local_port_range", "40000 40039");
    sysctl("net.ipv4.ip_local_reserved_ports", "40030-40039");
    // Filled with reuse off: with it on, a connect on a slow machine (the
    // loop taking over 1 s) takes a port whose TIME_WAIT is old enough, and
    // fewer than 30 remain.
    sysctl("net.ipv4.tcp_tw_reuse", "0");
    let server = listener("127.0.0.1:7601", 64, false);
    // Fill the 30 usable ports with TIME_WAIT on the client side (the
    // client closes first).
    for _ in 0..30 {
        let client = connect("127.0.0.1:7601", None);
        let (srv, _) = server.accept().unwrap();
        drop(client);
        collect_until("the FIN", |s, _| {
            s.tcp
                .iter()
                .any(|t| t.state == sockscope::model::TcpState::CloseWait)
        });
        drop(srv);
    }
    collect_until("30 TIME_WAIT", |_, a| a.totals[TimeWait] == 30);
    sysctl("net.ipv4.tcp_tw_reuse", "2");

    assert_eq!(
        port_alerts(),
        Vec::<String>::new(),
        "tw_reuse=2 on loopback"
    );
    // The kernel agrees: past the 1 s reuse delay, a new connect takes a
    // TIME_WAIT port although every usable port is held.
    std::thread::sleep(Duration::from_millis(1100));
    let reused = connect("127.0.0.1:7601", None);
    let port = reused.local_addr().unwrap().port();
    assert!((40000..40030).contains(&port), "{port}");
    drop((reused, server.accept().unwrap()));

    sysctl("net.ipv4.tcp_tw_reuse", "0");
    let alerts = port_alerts();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0].starts_with("connections to 127.0.0.1:7601 from 127.0.0.1 use ")
            && alerts[0].contains(" of 30 local ports (10 more reserved) (")
            && alerts[0].ends_with("; TIME_WAIT ports count: tcp_tw_reuse=0"),
        "{}",
        alerts[0]
    );
}
