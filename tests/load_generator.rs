//! The benchmark's load generator (`sockscope-load`) creates exactly the
//! sockets it claims, as counted by sockscope and by `ss`, at a small size.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::*;
use sockscope::model::TcpState::*;

/// Kills the generator (and so its workers) however the test ends.
struct Load(Child);

impl Drop for Load {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the generator in this thread's namespace and returns it with the
/// `key=value` fields of its `ready` line.
fn start(args: &[&str]) -> (Load, BTreeMap<String, u64>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockscope-load"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start sockscope-load");
    let stdout = child.stdout.take().unwrap();
    let load = Load(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let fields = line
        .strip_prefix("ready ")
        .unwrap_or_else(|| panic!("sockscope-load did not get ready: {line:?}"))
        .split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.parse().unwrap())
        })
        .collect();
    (load, fields)
}

/// Counts `ss -tan` lines by their state column.
fn ss_states() -> BTreeMap<String, u64> {
    let mut by_state = BTreeMap::new();
    for line in ss(&["-tan"]).expect("ss is installed").lines().skip(1) {
        let state = line.split_whitespace().next().unwrap().to_owned();
        *by_state.entry(state).or_insert(0) += 1;
    }
    by_state
}

/// The figure after `word` in `ss -s`'s TCP line (`estab 200,`).
fn ss_summary(word: &str) -> u64 {
    let summary = ss(&["-s"]).expect("ss is installed");
    let tcp = summary.lines().find(|l| l.starts_with("TCP:")).unwrap();
    let after = tcp.split(&format!("{word} ")).nth(1).unwrap();
    after
        .trim_end_matches(')')
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn creates_the_sockets_it_claims_over_several_processes() {
    if !private_netns() {
        return;
    }
    let (_load, ready) = start(&[
        "--established",
        "200",
        "--time-wait",
        "100",
        "--fds-per-process",
        "128",
    ]);
    assert_eq!(ready["established"], 200);
    assert_eq!(ready["time_wait"], 100);
    assert_eq!(ready["workers"], 4, "32 connections per 128-fd worker");
    let listeners = ready["listeners"];
    assert_eq!(listeners, 12, "one per worker, eight for TIME_WAIT");

    let (snap, agg) = collect();
    assert_eq!(agg.totals[Established], 200);
    assert_eq!(agg.totals[TimeWait], 100);
    assert_eq!(agg.totals[Listen], listeners);
    assert_eq!(agg.totals.total(), 300 + listeners);
    assert_eq!(snap.collector.skipped_messages, 0);
    assert_eq!(agg.listeners.len() as u64, listeners);

    let ss = ss_states();
    assert_eq!(ss.get("ESTAB"), Some(&agg.totals[Established]));
    assert_eq!(ss.get("TIME-WAIT"), Some(&agg.totals[TimeWait]));
    assert_eq!(ss.get("LISTEN"), Some(&agg.totals[Listen]));
    assert_eq!(ss.values().sum::<u64>(), agg.totals.total());
    assert_eq!(ss_summary("estab"), agg.totals[Established]);
    assert_eq!(ss_summary("timewait"), agg.totals[TimeWait]);
    assert_eq!(
        snap.tunables["net.ipv4.ip_local_port_range"], "1024 65535",
        "the generator widens the ephemeral port range of its namespace"
    );
}

#[test]
fn refuses_an_odd_established_count() {
    if !private_netns() {
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope-load"))
        .args(["--established", "3", "--time-wait", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--established 3 is odd"), "{err}");
}

/// The pids of the generator's children whose command is `namespace`.
fn namespace_holders(load: &Load) -> Vec<u32> {
    let pid = load.0.id();
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    children
        .split_whitespace()
        .map(|c| c.parse().unwrap())
        .filter(|c: &u32| {
            let cmdline = std::fs::read(format!("/proc/{c}/cmdline")).unwrap_or_default();
            cmdline.split(|&b| b == 0).nth(1) == Some(b"namespace".as_slice())
        })
        .collect()
}

/// Whether any process is in the network namespace with this inode.
fn netns_in_use(inode: u64) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .any(|e| std::fs::metadata(e.path().join("ns/net")).is_ok_and(|m| m.ino() == inode))
}

#[test]
fn namespaces_hold_a_few_sockets_each_and_vanish_with_the_generator() {
    use std::os::unix::fs::MetadataExt;
    if !private_netns() {
        return;
    }
    let (mut load, ready) = start(&[
        "--established",
        "20",
        "--time-wait",
        "0",
        "--namespaces",
        "3",
    ]);
    assert_eq!(ready["namespaces"], 3);
    assert_eq!(ready["namespace_listeners"], 2);
    assert_eq!(ready["namespace_established"], 12);
    let holders = namespace_holders(&load);
    assert_eq!(holders.len(), 3, "one holder process per namespace");
    let ours = std::fs::metadata("/proc/thread-self/ns/net").unwrap().ino();
    let mut inodes = Vec::new();
    for pid in &holders {
        let inode = std::fs::metadata(format!("/proc/{pid}/ns/net"))
            .unwrap()
            .ino();
        assert_ne!(inode, ours, "holder {pid} has its own namespace");
        inodes.push(inode);

        let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
            .args(["snapshot", "--format", "json", "--no-processes"])
            .args(["--pid", &pid.to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let tcp = &doc["totals"]["tcp"];
        assert_eq!(tcp["listen"], 2, "{doc:#}");
        assert_eq!(tcp["established"], 12, "{doc:#}");
        assert_eq!(doc["listeners"].as_array().unwrap().len(), 2);

        let ss = Command::new("nsenter")
            .args(["-t", &pid.to_string(), "-n", "ss", "-Htan"])
            .output()
            .unwrap();
        let ss = String::from_utf8(ss.stdout).unwrap();
        let count = |state: &str| ss.lines().filter(|l| l.starts_with(state)).count();
        assert_eq!((count("LISTEN"), count("ESTAB")), (2, 12), "{ss}");
    }
    let mut distinct = inodes.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "three distinct namespaces");

    // SAFETY: kill with the pid of a child we started and have not reaped.
    assert_eq!(unsafe { libc::kill(load.0.id() as i32, libc::SIGTERM) }, 0);
    assert!(load.0.wait().unwrap().success(), "a clean exit on SIGTERM");
    for (pid, inode) in holders.iter().zip(&inodes) {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "holder {pid} is gone"
        );
        assert!(!netns_in_use(*inode), "namespace {inode} is gone");
    }
}
