//! Real nginx (2 workers, SO_REUSEPORT) and haproxy in a private network
//! namespace: one nginx worker stopped so that its member's accept queue
//! fills and overflows, haproxy in front held at 30/32 with no drops. The
//! drops must be attributed exactly to the stopped worker's member, equal to
//! `ss -tlnme`'s `d` per inode, with nothing left unattributed, and haproxy
//! must not be blamed. The same scene, with the client load stopped so the
//! counters hold still, checks the real binary end to end: `snapshot`,
//! `snapshot --watch` and a `serve` scrape name the stopped worker's member
//! and report the kernel's drops; the dashboard in tmux names it in its
//! alert strip and counters panel.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::serve::{get, parse, serve, value};
use common::skmem::{our_drops, settled_with_ss, ss_drops};
use common::tmux::Tmux;
use common::*;
use serde_json::Value;
use sockscope::collector::process::ProcessCache;
use sockscope::collector::{LiveSource, Source};
use sockscope::model::{Model, ModelLimits, Rule, Severity, TargetKind, Thresholds};

/// `Some(())` when `tool` runs, or `None` after printing why the test skips
/// (outside CI); in CI a missing tool fails the test.
fn tool(tool: &str, package: &str) -> Option<()> {
    if Command::new(tool).arg("-v").output().is_ok() {
        return Some(());
    }
    let why = format!("{tool} is not installed (Debian package {package})");
    assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{why}");
    println!("skipped: {why}");
    None
}

/// A private directory for one server's config, pid file, logs and
/// temp files; removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "sockscope-test-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, file: &str) -> String {
        self.0.join(file).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process in the foreground; on drop its workers and then the
/// process itself are killed (stopped ones too), and it is reaped.
/// nginx workers outlive a killed master (they have no parent-death signal),
/// and a leaked worker keeps the test's namespace and inherited descriptors.
struct Daemon {
    child: Child,
}

impl Daemon {
    fn spawn(cmd: &mut Command, what: &str) -> Daemon {
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        Daemon { child }
    }

    fn signal(pid: u32, sig: libc::c_int) {
        // SAFETY: kill(2) on a pid this test started.
        unsafe { libc::kill(pid as libc::pid_t, sig) };
    }

    /// Stops `pid` (this daemon or one of its workers) with SIGSTOP.
    /// Returns once every thread of it is stopped.
    fn stop(&self, pid: u32) {
        Daemon::signal(pid, libc::SIGSTOP);
        wait_for("the stopped process's threads to stop", || {
            std::fs::read_dir(format!("/proc/{pid}/task"))
                .unwrap()
                .flatten()
                .all(|t| {
                    let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
                    let state = stat[stat.rfind(')').map_or(0, |i| i + 2)..].chars().next();
                    state == Some('T')
                })
        });
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Stopped first, so that the master cannot respawn the workers
        // killed under it.
        Daemon::signal(self.child.id(), libc::SIGSTOP);
        for pid in children(self.child.id()) {
            Daemon::signal(pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx(dir: &TempDir, port: u16, backlog: u32) -> Daemon {
    let conf = format!(
        "daemon off;\n\
         master_process on;\n\
         worker_processes 2;\n\
         pid {pid};\n\
         error_log {log} warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n\
           access_log off;\n\
           client_body_temp_path {d}/body;\n\
           proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi;\n\
           uwsgi_temp_path {d}/uwsgi;\n\
           scgi_temp_path {d}/scgi;\n\
           server {{ listen 127.0.0.1:{port} backlog={backlog} reuseport; return 200 \"ok\\n\"; }}\n\
         }}\n",
        pid = dir.path("nginx.pid"),
        log = dir.path("error.log"),
        d = dir.0.display(),
    );
    std::fs::write(dir.path("nginx.conf"), conf).unwrap();
    // nginx started as root switches its workers to `nobody`, which the
    // non-root mode's user namespace does not map (see common::userns);
    // there it runs as uid 1000 of a nested user namespace and keeps its
    // user. `unshare` execs nginx in place, so the child's pid is nginx's.
    let mut cmd = if common::userns::real_root() {
        Command::new("nginx")
    } else {
        let mut c = Command::new("unshare");
        c.args(["--map-user=1000", "--map-group=1000", "nginx"]);
        c
    };
    Daemon::spawn(
        cmd.args(["-p", &dir.path(""), "-e", &dir.path("error.log")])
            .args(["-c", &dir.path("nginx.conf")]),
        "nginx",
    )
}

fn haproxy(dir: &TempDir, port: u16, backlog: u32, backend: u16) -> Daemon {
    let conf = format!(
        "global\n  pidfile {pid}\n\
         defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n\
         frontend fe\n  bind 127.0.0.1:{port} backlog {backlog}\n  default_backend be\n\
         backend be\n  server nginx 127.0.0.1:{backend}\n",
        pid = dir.path("haproxy.pid"),
    );
    std::fs::write(dir.path("haproxy.cfg"), conf).unwrap();
    Daemon::spawn(
        Command::new("haproxy").args(["-db", "-f", &dir.path("haproxy.cfg")]),
        "haproxy",
    )
}

/// The pids whose parent is `parent` (nginx's workers).
fn children(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let after = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
        let ppid = after.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        if ppid == Some(parent) {
            out.push(pid);
        }
    }
    out.sort_unstable();
    out
}

/// Process `pid`'s descriptors and what they link to, for a failure message.
fn fd_links(pid: u32) -> Vec<(String, String)> {
    let fd_dir = format!("/proc/{pid}/fd");
    let Ok(fds) = std::fs::read_dir(&fd_dir) else {
        return Vec::new();
    };
    fds.flatten()
        .map(|e| {
            let target = std::fs::read_link(e.path()).map_or_else(
                |err| format!("({err})"),
                |l| l.to_string_lossy().into_owned(),
            );
            (e.file_name().to_string_lossy().into_owned(), target)
        })
        .collect()
}

/// The socket inodes process `pid` watches through its epoll instances
/// (the `tfd` lines of an eventpoll descriptor's fdinfo).
fn polled_sockets(pid: u32) -> Vec<u32> {
    let fd_dir = format!("/proc/{pid}/fd");
    let link = |fd: &str| {
        std::fs::read_link(format!("{fd_dir}/{fd}"))
            .map(|l| l.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let Ok(fds) = std::fs::read_dir(&fd_dir) else {
        return out;
    };
    for entry in fds.flatten() {
        let fd = entry.file_name().to_string_lossy().into_owned();
        if link(&fd) != "anon_inode:[eventpoll]" {
            continue;
        }
        let info = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}")).unwrap_or_default();
        for line in info.lines() {
            let Some(target) = line.strip_prefix("tfd:") else {
                continue;
            };
            let target = target.split_whitespace().next().unwrap_or_default();
            let inode: Option<u32> = link(target)
                .strip_prefix("socket:[")
                .and_then(|l| l.strip_suffix(']'))
                .and_then(|i| i.parse().ok());
            out.extend(inode);
        }
    }
    out
}

/// Waits until `holds`, for at most 10 s.
fn wait_for(what: &str, mut holds: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !holds() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The rig of these tests: nginx with two workers on 127.0.0.1:`port`
/// (`backlog=8 reuseport`) and one worker stopped with SIGSTOP, so that its
/// member's accept queue fills and overflows while its sibling serves.
struct StoppedPool {
    /// nginx; its workers and itself killed on drop.
    _web: Daemon,
    _dir: TempDir,
    /// The stopped worker.
    stopped_pid: u32,
    /// The member (LISTEN socket inode) the stopped worker serves.
    stopped_inode: u32,
    /// Both members' inodes.
    members: Vec<u32>,
}

impl StoppedPool {
    fn start(port: u16) -> StoppedPool {
        let dir = TempDir::new("nginx");
        let web = nginx(&dir, port, 8);
        let master = web.child.id();
        let local: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        // A worker is forked before it adds its member to its epoll set: wait
        // until each of the two polls exactly one member, or the stopped one
        // could be caught between fork and epoll_ctl.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (_, agg) = collect();
            let workers = children(master);
            let members: Vec<u32> = agg
                .listener(local)
                .map(|l| l.members.iter().map(|m| m.inode).collect())
                .unwrap_or_default();
            let polled: Vec<(u32, Vec<u32>)> =
                workers.iter().map(|&w| (w, polled_sockets(w))).collect();
            let each_polls_one = polled
                .iter()
                .all(|(_, p)| members.iter().filter(|m| p.contains(m)).count() == 1);
            if workers.len() == 2 && members.len() == 2 && each_polls_one {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for nginx's two workers each to poll one of two \
                 members: members {members:?}, (worker, polled socket inodes) {polled:?}, \
                 worker fds {:?}",
                workers.iter().map(|&w| fd_links(w)).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(Path::new(&dir.path("nginx.pid")).exists());
        let snap = LiveSource::open()
            .unwrap()
            .with_processes(ProcessCache::shared())
            .collect()
            .unwrap();
        let agg = sockscope::model::Aggregate::build(&snap);
        let pool = agg.listener(local).unwrap();
        // nginx 1.22's workers keep both reuseport sockets open but each polls
        // only its own: the member a worker serves is the one in its epoll set.
        let stopped_pid = children(master)[0];
        let polled = polled_sockets(stopped_pid);
        let served: Vec<u32> = pool
            .members
            .iter()
            .map(|m| m.inode)
            .filter(|i| polled.contains(i))
            .collect();
        assert_eq!(
            served.len(),
            1,
            "worker {stopped_pid} polls {polled:?}: {pool:#?}"
        );
        let stopped_inode = served[0];
        let holders: Vec<u32> = pool
            .members
            .iter()
            .find(|m| m.inode == stopped_inode)
            .unwrap()
            .processes
            .iter()
            .filter_map(|&i| snap.processes.get(i).map(|p| p.pid))
            .collect();
        assert!(holders.contains(&stopped_pid), "{holders:?}");
        let members = pool.members.iter().map(|m| m.inode).collect();
        web.stop(stopped_pid);
        StoppedPool {
            _web: web,
            _dir: dir,
            stopped_pid,
            stopped_inode,
            members,
        }
    }
}

/// A bounded client loop against `addr`: 200 connection attempts, 10 every
/// 50 ms so the running worker keeps up; about half hash to the stopped
/// worker's member, whose queue (backlog 8) fills and drops. The clients
/// stay open (and keep retrying) until dropped.
fn client_load(addr: &str) -> Vec<socket2::Socket> {
    let mut clients = Vec::new();
    for _ in 0..20 {
        clients.extend((0..10).map(|_| connect_nowait(addr)));
        std::thread::sleep(Duration::from_millis(50));
    }
    clients
}

#[test]
fn stopped_nginx_worker_is_named_and_haproxy_in_front_is_not_blamed() {
    if tool("nginx", "nginx-light").is_none() || tool("haproxy", "haproxy").is_none() {
        return;
    }
    if !private_netns() {
        return;
    }
    let hdir = TempDir::new("haproxy");
    let proxy = haproxy(&hdir, 8443, 32, 8080);
    let web = StoppedPool::start(8080);
    wait_for("haproxy's listener", || {
        collect().1.listeners.iter().any(|l| l.local.port() == 8443)
    });
    let (stopped_pid, stopped_inode) = (web.stopped_pid, web.stopped_inode);
    let cache = ProcessCache::shared();
    let mut source = LiveSource::open().unwrap().with_processes(cache);

    // haproxy stopped with exactly 30 connections queued: 30/32, no drops.
    proxy.stop(proxy.child.id());
    let _queued: Vec<_> = (0..30).map(|_| connect_nowait("127.0.0.1:8443")).collect();

    let mut model = Model::with_thresholds(
        &ModelLimits::default(),
        Thresholds {
            fire_after: 2,
            ..Thresholds::default()
        },
    );
    let mut frames = vec![model.ingest(source.collect().unwrap())];

    let _clients = client_load("127.0.0.1:8080");
    wait_for("the stopped worker's member to drop", || {
        let f = model.ingest(source.collect().unwrap());
        let l = f.agg.listener("127.0.0.1:8080".parse().unwrap()).unwrap();
        let m = l.members.iter().find(|m| m.inode == stopped_inode).unwrap();
        let done = m.is_full() && m.drops.is_some_and(|d| d > 0) && frames.len() >= 3;
        frames.push(f);
        done
    });
    // The last frame from a sample whose counters held still across an `ss`
    // run: the members' drops then equal ss's `d` per inode and add up to
    // ListenDrops exactly.
    let Some((snap, out)) = settled_with_ss(&mut source) else {
        return;
    };
    let mine = our_drops(&snap);
    assert_eq!(mine, ss_drops(&out), "sk_drops per inode vs ss:\n{out}");
    assert!(mine[&stopped_inode] > 0);
    assert_eq!(
        mine.values().map(|&d| u64::from(d)).sum::<u64>(),
        snap.counters["ListenDrops"]
    );
    let last = model.ingest(snap);
    frames.push(last.clone());

    // The listener alert names the stopped worker's member and its pid.
    let alerts: Vec<_> = last
        .alerts
        .active
        .iter()
        .filter(|a| a.rule == Rule::AcceptQueueOverflow)
        .collect();
    let nginx_alert = alerts
        .iter()
        .find(|a| a.target.name == "127.0.0.1:8080")
        .unwrap_or_else(|| panic!("no alert on the nginx pool: {alerts:#?}"));
    assert_eq!(nginx_alert.severity, Severity::Critical);
    assert!(
        nginx_alert.message.starts_with(&format!(
            "listener 127.0.0.1:8080 member inode {stopped_inode} "
        )),
        "{}",
        nginx_alert.message
    );
    assert!(
        nginx_alert
            .message
            .contains(&format!("nginx[{stopped_pid}]")),
        "{}",
        nginx_alert.message
    );
    // haproxy at 30/32 without drops: never critical, and no drop is its.
    assert!(
        alerts
            .iter()
            .all(|a| a.target.name != "127.0.0.1:8443" || a.severity < Severity::Critical),
        "{alerts:#?}"
    );
    let front = last
        .agg
        .listener("127.0.0.1:8443".parse().unwrap())
        .unwrap();
    assert_eq!((front.accept_queue, front.backlog), (30, 32));
    assert_eq!(front.drops(), Some(0));
    // Each member's attributed drops are exactly its own sk_drops rise over
    // the frames; the stopped worker's member is the one that dropped most.
    let drops_at = |f: &sockscope::model::Frame, inode: u32| -> u64 {
        let l = f.agg.listener("127.0.0.1:8080".parse().unwrap()).unwrap();
        u64::from(
            l.members
                .iter()
                .find(|m| m.inode == inode)
                .unwrap()
                .drops
                .unwrap(),
        )
    };
    let mut attributed = std::collections::BTreeMap::new();
    let (mut listen_drops, mut total) = (0, 0);
    for f in &frames {
        if let Some(o) = &f.alerts.overflow {
            assert!(o.is_exact());
            assert_eq!(o.attributed_to("127.0.0.1:8443".parse().unwrap()), 0);
            listen_drops += o.drops;
            total += o.attributed();
            for m in o.members.iter().flatten() {
                *attributed.entry(m.inode).or_insert(0) += m.drops;
            }
        }
    }
    assert!(total > 0);
    assert_eq!(
        listen_drops, total,
        "between quiet first and last samples every ListenDrops rise is a member's: unattributed 0"
    );
    assert!(
        !last
            .alerts
            .active
            .iter()
            .any(|a| a.target.kind == TargetKind::Namespace),
        "{:#?}",
        last.alerts.active
    );
    for &inode in &web.members {
        let rise = drops_at(&last, inode) - drops_at(&frames[0], inode);
        assert_eq!(
            attributed.get(&inode).copied().unwrap_or(0),
            rise,
            "inode {inode}"
        );
    }
    let most = attributed.iter().max_by_key(|(_, d)| **d).map(|(i, _)| *i);
    assert_eq!(most, Some(stopped_inode), "{attributed:?}");
}

/// The real binary run in this thread's namespace (a child inherits it):
/// its stdout, after checking it exited 0.
fn sockscope_out(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "sockscope {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// What a `sockscope.snapshot.v1` document says about the pool: every
/// member's drops equal ss's `d` for its inode, their sum is the listener's
/// `drops`, one member (the stopped worker's, held by its pid) is full and
/// the listener's `fill` is that member's; the accept-queue alert is
/// critical on the listener and names the member's inode and the pid.
fn check_document(doc: &Value, ss_d: &BTreeMap<u32, u32>, pool: &StoppedPool, what: &str) {
    let l = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["local"] == "127.0.0.1:8080")
        .unwrap_or_else(|| panic!("{what}: no 127.0.0.1:8080 listener"));
    let members = l["members"].as_array().unwrap();
    assert_eq!(members.len(), 2, "{what}: {l:#}");
    let mut sum = 0;
    for m in members {
        let inode = m["inode"].as_u64().unwrap() as u32;
        assert_eq!(
            m["drops"].as_u64(),
            Some(u64::from(ss_d[&inode])),
            "{what}: member {inode} drops vs ss -tlnme's d"
        );
        sum += u64::from(ss_d[&inode]);
    }
    assert_eq!(l["drops"].as_u64(), Some(sum), "{what}: listener drops");
    let stopped = members
        .iter()
        .find(|m| m["inode"].as_u64() == Some(u64::from(pool.stopped_inode)))
        .unwrap();
    let pids: Vec<u64> = stopped["processes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["pid"].as_u64())
        .collect();
    assert!(
        pids.contains(&u64::from(pool.stopped_pid)),
        "{what}: {stopped:#}"
    );
    assert_eq!(l["full_members"].as_u64(), Some(1), "{what}: {l:#}");
    let (q, b) = (
        stopped["accept_queue"].as_f64().unwrap(),
        stopped["backlog"].as_f64().unwrap(),
    );
    assert!(q > b, "{what}: the stopped member is full: {stopped:#}");
    assert_eq!(
        l["fill"].as_f64(),
        Some(q / b),
        "{what}: fill is the fullest member's"
    );
    let alert = doc["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "accept_queue_overflow" && a["target"]["name"] == "127.0.0.1:8080")
        .unwrap_or_else(|| panic!("{what}: no accept_queue_overflow on the pool: {doc:#}"));
    assert_eq!(alert["severity"], "critical", "{what}");
    let message = alert["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "listener 127.0.0.1:8080 member inode {} ",
            pool.stopped_inode
        )) && message.contains(&format!("nginx[{}]", pool.stopped_pid)),
        "{what}: {message}"
    );
}

/// `snapshot` (one-shot JSON), `snapshot --watch` and a `serve` scrape, all
/// the real binary in the nginx scene's namespace, after the client load has
/// stopped so the counters hold still: each names the stopped worker's
/// member and pid, and its drops equal `ss -tlnme`'s `d` per inode, read
/// before and after them.
#[test]
fn snapshot_watch_and_serve_report_the_stopped_worker_with_the_kernels_drops() {
    if tool("nginx", "nginx-light").is_none() || !tools::need("ss", "iproute2") {
        return;
    }
    if !private_netns() {
        return;
    }
    let pool = StoppedPool::start(8080);
    let clients = client_load("127.0.0.1:8080");
    wait_for("the stopped worker's member to drop", || {
        let (snap, _) = collect();
        our_drops(&snap)[&pool.stopped_inode] > 0
    });
    // Stop the load: reset every client (a FIN would reach a request socket
    // and be dropped at the full queue again), then wait for the kernel's
    // per-socket and namespace counters to hold still.
    for c in clients {
        c.set_linger(Some(Duration::ZERO)).unwrap();
    }
    let mut source = LiveSource::open().unwrap();
    let Some((_, first_ss)) = settled_with_ss(&mut source) else {
        return;
    };
    let ss_d = ss_drops(&first_ss);
    assert!(ss_d[&pool.stopped_inode] > 0, "{first_ss}");

    let one_shot: Value =
        serde_json::from_str(&sockscope_out(&["snapshot", "--format", "json"])).unwrap();
    check_document(&one_shot, &ss_d, &pool, "snapshot");

    let watched: Value = serde_json::from_str(&sockscope_out(&[
        "snapshot",
        "--watch",
        "1s",
        "--interval",
        "250ms",
        "--format",
        "json",
    ]))
    .unwrap();
    assert!(
        watched["watch"]["samples"].as_u64().unwrap() >= 3,
        "{:#}",
        watched["watch"]
    );
    check_document(&watched, &ss_d, &pool, "snapshot --watch");

    let server = serve(&["--listen", "127.0.0.1:0", "--fire-after", "1"]);
    let (status, _, body) = get(&server.addr, "/metrics", None);
    assert_eq!(status, "HTTP/1.1 200 OK");
    let m = parse(&body);
    let pool_labels = [("local", "127.0.0.1:8080"), ("proto", "tcp")];
    let sum: u32 = ss_d
        .iter()
        .filter(|(i, _)| pool.members.contains(i))
        .map(|(_, d)| d)
        .sum();
    assert_eq!(
        value(&m, "sockscope_listener_drops_total", &pool_labels),
        f64::from(sum)
    );
    assert_eq!(
        value(&m, "sockscope_listener_full_members", &pool_labels),
        1.0
    );
    let stopped = &one_shot["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["local"] == "127.0.0.1:8080")
        .unwrap()["fill"];
    assert_eq!(
        value(
            &m,
            "sockscope_listener_accept_queue_fill_ratio",
            &pool_labels
        ),
        stopped.as_f64().unwrap()
    );
    assert_eq!(
        value(
            &m,
            "sockscope_alert",
            &[
                ("rule", "accept_queue_overflow"),
                ("severity", "critical"),
                ("target", "127.0.0.1:8080")
            ]
        ),
        1.0
    );
    drop(server);

    // The kernel's counters did not move while the three ran.
    assert_eq!(
        ss_drops(&ss(&["-tlnme"]).unwrap()),
        ss_d,
        "sk_drops moved during the test"
    );
}

/// The dashboard, the real binary in tmux in the nginx scene's namespace,
/// watching while the client load runs: the alert strip names the stopped
/// worker's member, and the counters panel (`c`) lists the pool as the
/// listener dropping connections, at that member and nginx.
#[test]
fn dashboard_names_the_stopped_worker_in_the_alerts_and_the_counters_panel() {
    if tool("nginx", "nginx-light").is_none() {
        return;
    }
    if !private_netns() {
        return;
    }
    let pool = StoppedPool::start(8080);
    let Some(tmux) = Tmux::start() else { return };
    let dir = TempDir::new("dashboard");
    let command = format!(
        "NO_COLOR=1 {} top --interval 250ms --log-file '{}'; echo EXITED $?",
        env!("CARGO_BIN_EXE_sockscope"),
        dir.path("log"),
    );
    tmux.keys(&[&command, "Enter"]);
    tmux.wait_for("the pool's listener", |s| s.contains("127.0.0.1:8080"));
    let _clients = client_load("127.0.0.1:8080");
    let member = format!("member inode {}", pool.stopped_inode);
    tmux.wait_for("the alert naming the stopped worker's member", |s| {
        s.lines()
            .any(|l| l.starts_with("alerts ") && l.contains(&member))
    });
    tmux.keys(&["c"]);
    let where_ = format!("inode {} nginx[", pool.stopped_inode);
    let panel = tmux.wait_for("the pool among the dropping listeners", |s| {
        s.lines()
            .any(|l| l.contains("127.0.0.1:8080") && l.contains(&where_))
    });
    let row = panel
        .lines()
        .find(|l| l.contains(&where_))
        .unwrap()
        .trim_matches(|c: char| c == '│' || c.is_whitespace());
    let dropped: u64 = row.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(dropped > 0, "{row}");
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for("the exit", |s| s.contains("EXITED 0"));
}
