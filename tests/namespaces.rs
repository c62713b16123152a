//! `--netns`, `--netns-path`, `--pid` and `--all-netns` against real
//! namespaces holding real sockets of a child process, through the real
//! binary; and a namespace that disappears while watched.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::netns::{NamedNetns, Place, Server, ServerSpec};
use serde_json::{Value, json};
use sockscope::collector::netns::{NetnsSource, NetnsTarget};
use sockscope::collector::process::ProcessCache;
use sockscope::collector::schedule::DEFAULT_BUDGET_PERCENT;
use sockscope::collector::{CollectError, Source};

fn spec(port: u16, comm: &str) -> ServerSpec<'_> {
    ServerSpec {
        port,
        backlog: 8,
        close_wait: 2,
        queued: 3,
        comm,
    }
}

/// Runs `sockscope snapshot --format json ARGS`, expecting success.
fn snapshot(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["snapshot", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "sockscope {args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Repeats `take` until `ready` holds (FINs on loopback land quickly but
/// asynchronously); panics after 10 s.
fn until(take: impl Fn() -> Value, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = take();
        if ready(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "never became ready: {v:#}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Both halves of the 2 half-closed pairs have settled: the server side in
/// CLOSE_WAIT and the client side past FIN_WAIT1 (the ACK of its FIN lands
/// a moment after the server enters CLOSE_WAIT).
fn half_closed(doc: &Value) -> bool {
    let tcp = &doc["totals"]["tcp"];
    tcp["close_wait"] == 2 && tcp["fin_wait2"] == 2
}

/// Asserts `doc` holds exactly the sockets of a `spec(port, comm)` server
/// run by `pid`, and names the namespace `label`.
fn assert_server(doc: &Value, label: &str, port: u16, pid: u32, comm: &str) {
    assert_eq!(doc["netns"], label);
    let totals = &doc["totals"]["tcp"];
    assert_eq!(
        totals,
        &json!({"established": 6, "syn_sent": 0, "syn_recv": 0, "fin_wait1": 0,
                "fin_wait2": 2, "time_wait": 0, "close": 0, "close_wait": 2,
                "last_ack": 0, "listen": 1, "closing": 0}),
        "3 queued pairs, 2 half-closed pairs, 1 listener"
    );
    let listeners = doc["listeners"].as_array().unwrap();
    assert_eq!(listeners.len(), 1, "{listeners:#?}");
    let l = &listeners[0];
    assert_eq!(l["local"], format!("127.0.0.1:{port}"));
    assert_eq!((&l["accept_queue"], &l["backlog"]), (&json!(3), &json!(8)));
    assert_eq!(l["states"]["established"], 3);
    assert_eq!(l["states"]["close_wait"], 2);
    let procs = l["processes"].as_array().unwrap();
    assert_eq!(procs.len(), 1, "{procs:#?}");
    assert_eq!(procs[0]["pid"], pid);
    assert_eq!(procs[0]["comm"], comm);
    assert_eq!(procs[0]["user"], "root");
    let cmdline = procs[0]["cmdline"].as_str().unwrap();
    assert!(
        cmdline.ends_with(&format!("{port} 8 2 3 {comm}")),
        "{cmdline}"
    );
}

#[test]
fn netns_name_path_and_pid_see_exactly_the_childs_sockets() {
    let Some(ns) = NamedNetns::new() else {
        return;
    };
    let server = Server::start(Place::Named(&ns), spec(7101, "sstest-named"));
    let path = ns.path();
    let pid = server.pid.to_string();
    for args in [
        ["--netns", ns.name.as_str()],
        ["--netns-path", path.as_str()],
        ["--pid", pid.as_str()],
    ] {
        let doc = until(|| snapshot(&args), half_closed);
        assert_server(&doc, &ns.name, 7101, server.pid, "sstest-named");
    }
}

#[test]
fn an_unnamed_namespace_is_labelled_by_its_process() {
    let server = Server::start(Place::Private, spec(7102, "sstest-priv"));
    let pid = server.pid.to_string();
    let doc = until(|| snapshot(&["--pid", &pid]), half_closed);
    let label = format!("pid {} (sstest-priv)", server.pid);
    assert_server(&doc, &label, 7102, server.pid, "sstest-priv");
    let via_path = snapshot(&["--netns-path", &format!("/proc/{pid}/ns/net")]);
    assert_eq!(via_path["netns"], label);
}

#[test]
fn all_netns_lists_each_namespace_with_its_own_sockets() {
    let Some((a, b)) = NamedNetns::pair() else {
        return;
    };
    let sa = Server::start(Place::Named(&a), spec(7103, "sstest-a"));
    let sb = Server::start(Place::Named(&b), spec(7104, "sstest-b"));
    let find = |doc: &Value, label: &str| -> Value {
        let found: Vec<&Value> = doc["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["netns"] == label)
            .collect();
        assert_eq!(found.len(), 1, "{label} once in {doc:#}");
        found[0].clone()
    };
    let doc = until(
        || snapshot(&["--all-netns"]),
        |d| half_closed(&find(d, &a.name)) && half_closed(&find(d, &b.name)),
    );
    assert_eq!(doc["schema"], "sockscope.netns-set.v1");
    assert_server(&find(&doc, &a.name), &a.name, 7103, sa.pid, "sstest-a");
    assert_server(&find(&doc, &b.name), &b.name, 7104, sb.pid, "sstest-b");
    let inodes: Vec<&Value> = doc["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["netns"])
        .collect();
    let mut dedup = inodes.clone();
    dedup.sort_by_key(|v| v.to_string());
    dedup.dedup();
    assert_eq!(dedup.len(), inodes.len(), "each namespace once: {inodes:?}");
}

#[test]
fn close_wait_sockets_are_attributed_to_the_childs_process() {
    let Some(ns) = NamedNetns::new() else {
        return;
    };
    let server = Server::start(Place::Named(&ns), spec(7105, "sstest-cw"));
    let handle = NetnsTarget::Named(ns.name.clone()).open().unwrap();
    let cache = ProcessCache::shared();
    let c = cache.clone();
    let mut source = NetnsSource::open(handle, move |s| s.with_processes(c)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let snap = loop {
        let snap = source.collect().unwrap();
        let cw = snap
            .tcp
            .iter()
            .filter(|s| s.state == sockscope::model::TcpState::CloseWait)
            .count();
        if cw == 2 {
            break snap;
        }
        assert!(Instant::now() < deadline, "no CLOSE_WAIT: {snap:#?}");
    };
    for s in snap
        .tcp
        .iter()
        .filter(|s| s.state == sockscope::model::TcpState::CloseWait)
    {
        let owners = snap.processes.of_inode(s.inode);
        assert_eq!(owners.len(), 1, "owner of {s:?}");
        let p = snap.processes.get(owners[0]).unwrap();
        assert_eq!((p.pid, p.comm.as_str()), (server.pid, "sstest-cw"));
    }
}

#[test]
fn a_namespace_removed_while_watched_is_reported_not_fatal() {
    let Some(mut ns) = NamedNetns::new() else {
        return;
    };
    let mut server = Server::start(Place::Named(&ns), spec(7106, "sstest-gone"));
    let handle = NetnsTarget::Named(ns.name.clone()).open().unwrap();
    let mut by_name = NetnsSource::open(handle, |s| s).unwrap();
    let handle = NetnsTarget::Pid(server.pid).open().unwrap();
    let mut by_pid = NetnsSource::open(handle, |s| s).unwrap();
    assert_eq!(by_name.collect().unwrap().netns, ns.name);
    assert_eq!(by_pid.collect().unwrap().netns, ns.name);

    server.kill();
    let err = by_pid.collect().unwrap_err();
    assert!(matches!(err, CollectError::NamespaceGone { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "network namespace {} is gone: process {} has exited",
            ns.name, server.pid
        )
    );

    ns.delete();
    for _ in 0..2 {
        let err = by_name.collect().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "network namespace {0} is gone: {0} was removed from /run/netns",
                ns.name
            )
        );
    }
}

/// Runs the binary expecting failure; returns its one-line error.
fn failure(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn bad_namespaces_are_one_clear_line_and_exit_1() {
    let err = failure(&["snapshot", "--netns", "sockscope-test-no-such-ns"]);
    assert_eq!(
        err.trim(),
        "sockscope: error: no network namespace named \"sockscope-test-no-such-ns\" in /run/netns (see `ip netns list`) and none labelled so (see the NETNS column of `sockscope --all-netns`)"
    );
    let err = failure(&["snapshot", "--pid", "2147483647"]);
    assert_eq!(
        err.trim(),
        "sockscope: error: no process with pid 2147483647 (it does not exist or has exited)"
    );
    for path in ["/proc/self/ns/uts", "/etc/hostname"] {
        let err = failure(&["snapshot", "--netns-path", path]);
        assert!(
            err.starts_with(&format!(
                "sockscope: error: {path} is not a network namespace"
            )),
            "{err}"
        );
    }
    let err = failure(&["snapshot", "--netns-path", "/nonexistent/sockscope"]);
    assert!(
        err.starts_with("sockscope: error: cannot open /nonexistent/sockscope: "),
        "{err}"
    );
}

/// A prefork server: the parent listens, two forked workers each accept
/// one connection and hold it.
const PREFORK: &str = r#"
import os, socket, sys, time
l = socket.socket()
l.bind(('127.0.0.1', 7107))
l.listen(8)
kids = []
for n in range(2):
    pid = os.fork()
    if pid == 0:
        with open('/proc/self/comm', 'w') as f:
            f.write('sstest-w%d' % n)
        s, _ = l.accept()
        time.sleep(600)
        os._exit(0)
    kids.append(pid)
clients = [socket.create_connection(('127.0.0.1', 7107)) for _ in range(2)]
print(' '.join(map(str, kids)), flush=True)
try:
    sys.stdin.read()
finally:
    for k in kids:
        os.kill(k, 9)
"#;

#[test]
fn each_connection_in_another_namespace_names_its_worker() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let Some(ns) = NamedNetns::new() else {
        return;
    };
    let mut child = Command::new("ip")
        .args(["netns", "exec", &ns.name, "python3", "-c", PREFORK])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin = child.stdin.take();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let workers: Vec<u32> = line
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    struct Reap(std::process::Child, Vec<u32>);
    impl Drop for Reap {
        fn drop(&mut self) {
            for &w in &self.1 {
                // SAFETY: kill only signals the workers this test started.
                unsafe { libc::kill(w as i32, libc::SIGKILL) };
            }
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _reap = Reap(child, workers.clone());

    let handle = NetnsTarget::Named(ns.name.clone()).open().unwrap();
    let cache = ProcessCache::shared();
    let c = cache.clone();
    let mut source = NetnsSource::open(handle, move |s| s.with_processes(c)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let snap = source.collect().unwrap();
        let mut owners: Vec<(u32, String)> = snap
            .tcp
            .iter()
            .filter(|s| {
                s.state == sockscope::model::TcpState::Established && s.local.port() == 7107
            })
            .flat_map(|s| snap.processes.of_inode(s.inode).iter())
            .map(|&i| {
                let p = snap.processes.get(i).unwrap();
                (p.pid, p.comm.clone())
            })
            .collect();
        owners.sort();
        let mut want = vec![
            (workers[0], "sstest-w0".to_owned()),
            (workers[1], "sstest-w1".to_owned()),
        ];
        want.sort();
        if owners == want {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "owners {owners:?}, want {want:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn pid_watching_follows_the_namespace_past_its_first_process() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // The shell prints the pid of a second process in the same new
    // namespace, then becomes a long sleep itself.
    let mut first = Command::new("unshare")
        .args(["--net", "sh", "-c", "sleep 600 & echo $!; exec sleep 600"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(first.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let second: i32 = line.trim().parse().unwrap();
    struct Reap(std::process::Child, i32);
    impl Drop for Reap {
        fn drop(&mut self) {
            // SAFETY: kill only signals the process this test started.
            unsafe { libc::kill(self.1, libc::SIGKILL) };
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut procs = Reap(first, second);

    let handle = NetnsTarget::Pid(procs.0.id()).open().unwrap();
    let mut source = NetnsSource::open(handle, |s| s).unwrap();
    source.collect().unwrap();
    procs.0.kill().unwrap();
    procs.0.wait().unwrap();
    source
        .collect()
        .expect("the second process keeps the namespace watched");
    // SAFETY: as above.
    unsafe { libc::kill(second, libc::SIGKILL) };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match source.collect() {
            Err(CollectError::NamespaceGone { why, .. }) => {
                assert_eq!(why, format!("process {second} has exited"));
                break;
            }
            other => assert!(Instant::now() < deadline, "{other:?}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn all_netns_picks_up_new_namespaces_and_forgets_removed_ones() {
    use sockscope::collector::all_netns::AllNetns;
    let wait = Duration::from_secs(5);
    let find = |round: &sockscope::model::Round, label: &str| {
        round
            .parts
            .iter()
            .find(|n| n.label == label)
            .map(|n| (n.sample.is_some(), n.error.clone()))
    };
    let mut all = AllNetns::open(|s| s, DEFAULT_BUDGET_PERCENT);
    let Some(mut ns) = NamedNetns::new() else {
        return;
    };
    assert_eq!(find(&all.collect_round(wait), &ns.name), None);
    all.rediscover();
    assert_eq!(find(&all.collect_round(wait), &ns.name), Some((true, None)));
    ns.delete();
    let gone = format!(
        "network namespace {0} is gone: {0} was removed from /run/netns",
        ns.name
    );
    assert_eq!(
        find(&all.collect_round(wait), &ns.name),
        Some((false, Some(gone))),
        "reported, with no sample this round"
    );
    all.rediscover();
    assert_eq!(find(&all.collect_round(wait), &ns.name), None);
}

/// The socket list a consumer hands back reaches the collector inside the
/// namespace (`--netns`), or inside the namespace it came from
/// (`--all-netns`): the next snapshot's list keeps its capacity, far above
/// what these few sockets need.
#[test]
fn recycled_socket_lists_are_reused_across_namespace_threads() {
    const CAPACITY: usize = 50_000;
    let Some(ns) = NamedNetns::new() else {
        return;
    };
    let handle = NetnsTarget::Named(ns.name.clone()).open().unwrap();
    let mut one = NetnsSource::open(handle, |s| s).unwrap();
    let first = one.collect().unwrap();
    assert!(first.tcp.capacity() < CAPACITY);
    one.recycle(Vec::with_capacity(CAPACITY).into());
    assert!(one.collect().unwrap().tcp.capacity() >= CAPACITY);

    use sockscope::collector::RoundSource;
    let mut all = sockscope::collector::all_netns::AllNetns::open(|s| s, DEFAULT_BUDGET_PERCENT);
    let wait = Duration::from_secs(5);
    let mine = |round: sockscope::model::Round| {
        round
            .parts
            .into_iter()
            .find(|p| p.label == ns.name)
            .expect("the namespace is watched")
    };
    let inode = mine(all.collect_round(wait)).inode;
    all.recycle(inode, Vec::with_capacity(CAPACITY * 4).into());
    let next = mine(all.collect_round(wait)).sample.expect("collected");
    assert!(next.tcp.capacity() >= CAPACITY * 4);
}
