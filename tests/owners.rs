//! Exact owners of every socket with an inode, compared with `ss -tanp` in
//! a private network namespace: a prefork server (the parent listens, two
//! forked workers each accept and hold their own connections) and an
//! outbound client pool whose connections the server closed (a client-side
//! CLOSE_WAIT leak).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use sockscope::collector::process::ProcessCache;
use sockscope::collector::{LiveSource, Source};
use sockscope::model::{Aggregate, Model, ModelLimits, Rule, Snapshot, TcpState, Thresholds};

/// The prefork server on 7501 (workers `sstest-pw0`, `sstest-pw1`, two
/// accepted connections each, one more left queued), its five clients in
/// the parent, and a pool process `sstest-pool` with three connections to 7502.
const SCRIPT: &str = r#"
import os, socket, sys, time
l = socket.socket()
l.bind(('127.0.0.1', 7501))
l.listen(16)
kids = []
for n in range(2):
    pid = os.fork()
    if pid == 0:
        with open('/proc/self/comm', 'w') as f:
            f.write('sstest-pw%d' % n)
        held = [l.accept()[0] for _ in range(2)]
        time.sleep(600)
        os._exit(0)
    kids.append(pid)
clients = []
for _ in range(5):
    clients.append(socket.create_connection(('127.0.0.1', 7501)))
    time.sleep(0.05)
pool = os.fork()
if pool == 0:
    with open('/proc/self/comm', 'w') as f:
        f.write('sstest-pool')
    conns = [socket.create_connection(('127.0.0.1', 7502)) for _ in range(3)]
    time.sleep(600)
    os._exit(0)
kids.append(pool)
print(' '.join(map(str, kids)), flush=True)
try:
    sys.stdin.read()
finally:
    for k in kids:
        os.kill(k, 9)
"#;

struct Script(Child, Vec<u32>);

impl Drop for Script {
    fn drop(&mut self) {
        for &pid in &self.1 {
            // SAFETY: kill only signals the processes this test started.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Owner pids of each socket as `ss -tanp` prints them, by (local, remote).
fn ss_owners() -> BTreeMap<(String, String), BTreeSet<u32>> {
    let text = ss(&["-tanpH"]).expect("ss is installed");
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let pids: BTreeSet<u32> = line
            .split("pid=")
            .skip(1)
            .map(|p| p.split(',').next().unwrap().parse().unwrap())
            .collect();
        out.insert((f[3].to_owned(), f[4].to_owned()), pids);
    }
    out
}

fn owners(snap: &Snapshot, agg: &Aggregate, i: usize) -> BTreeSet<u32> {
    agg.processes_of(snap, i)
        .iter()
        .map(|&p| snap.processes.get(p).unwrap().pid)
        .collect()
}

#[test]
fn every_socket_has_the_owner_ss_names_and_a_client_leak_names_its_program() {
    if !private_netns() {
        return;
    }
    let db = listener("127.0.0.1:7502", 16, false);
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 (the test suite needs it)");
    let stdin = child.stdin.take();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let pids: Vec<u32> = line
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 3, "{line:?}");
    let script = Script(child, pids.clone());
    // The database closes the pool's connections; the pool never does.
    for _ in 0..3 {
        drop(db.accept().unwrap());
    }

    let mut source = LiveSource::open()
        .unwrap()
        .with_processes(ProcessCache::shared());
    let deadline = Instant::now() + Duration::from_secs(10);
    let (snap, agg) = loop {
        let snap = source.collect().unwrap();
        let agg = Aggregate::build(&snap);
        let settled = agg.totals[TcpState::CloseWait] == 3
            && agg.listeners.iter().any(|l| l.queued == 1)
            && snap.tcp.iter().all(|s| {
                s.inode == 0
                    || !snap.processes.of_inode(s.inode).is_empty()
                    || s.local.port() == 7502
            });
        if settled {
            break (snap, agg);
        }
        assert!(Instant::now() < deadline, "not settled: {agg:#?}");
        std::thread::sleep(Duration::from_millis(50));
    };

    let ss = ss_owners();
    let mut compared = 0;
    for (i, s) in snap.tcp.iter().enumerate() {
        if s.inode == 0 {
            continue;
        }
        let key = (s.local.to_string(), s.remote.to_string());
        let key = if s.state == TcpState::Listen {
            (key.0, "0.0.0.0:*".to_owned())
        } else {
            key
        };
        let want = ss
            .get(&key)
            .unwrap_or_else(|| panic!("ss lacks {key:?}: {ss:?}"));
        assert_eq!(&owners(&snap, &agg, i), want, "owners of {s:?}");
        compared += 1;
    }
    // Listeners 7501 and 7502, 4 accepted, 5 clients, 3 pool sockets, none of 7502's (closed).
    assert_eq!(compared, 2 + 4 + 5 + 3);
    let workers: BTreeSet<u32> = pids[..2].iter().copied().collect();
    let accepted: Vec<BTreeSet<u32>> = snap
        .tcp
        .iter()
        .enumerate()
        .filter(|(_, s)| s.local.port() == 7501 && s.state == TcpState::Established && s.inode != 0)
        .map(|(i, _)| owners(&snap, &agg, i))
        .collect();
    assert_eq!(accepted.len(), 4);
    assert!(
        accepted
            .iter()
            .all(|o| o.len() == 1 && o.is_subset(&workers)),
        "each accepted connection belongs to exactly one worker: {accepted:?}"
    );
    let queued: Vec<usize> = (0..snap.tcp.len())
        .filter(|&i| snap.tcp[i].local.port() == 7501 && snap.tcp[i].awaits_accept())
        .collect();
    assert_eq!(queued.len(), 1);
    assert!(
        owners(&snap, &agg, queued[0]).is_empty(),
        "queued: no owner yet"
    );

    let pool = agg
        .remotes
        .iter()
        .find(|r| r.remote.port() == 7502)
        .expect("the pool's remote");
    let names: Vec<&str> = pool
        .processes
        .iter()
        .map(|&p| snap.processes.get(p).unwrap().comm.as_str())
        .collect();
    assert_eq!(names, ["sstest-pool"]);

    let mut model = Model::with_thresholds(
        &ModelLimits::default(),
        Thresholds {
            fire_after: 1,
            close_wait: sockscope::model::alerts::CloseWait {
                min_age: Duration::ZERO,
                min_count: 3,
                ..Default::default()
            },
            ..Thresholds::default()
        },
    );
    let frame = model.ingest(snap);
    let leak = frame
        .alerts
        .active
        .iter()
        .find(|a| a.rule == Rule::CloseWaitLeak)
        .expect("the pool's leak fires");
    assert!(
        leak.message.starts_with(&format!(
            "connections to 127.0.0.1:7502 from 127.0.0.1 of process sstest-pool (pid {}) leaks \
             CLOSE_WAIT: 3 sockets",
            pids[2]
        )),
        "{}",
        leak.message
    );
    drop((stdin, script));
}
