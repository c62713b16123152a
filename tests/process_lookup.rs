//! The incremental process lookup: once warm, a refresh reads a small
//! fraction of what a full scan reads (counted in /proc reads, not time),
//! and a socket opened later is found without a full scan; the owners of
//! kept states are reused whole while they hold; full scans after the
//! first run on a thread of their own.

mod common;

use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sockscope::collector::process::{FULL_PERIOD_FACTOR, ProcessCache};
use sockscope::model::{Snapshot, TcpList, TcpSocket, TcpState, fixtures};

#[test]
fn warm_lookups_cost_far_less_than_a_full_scan() {
    // 300 sockets of our own make the full scan visibly large.
    let held: Vec<TcpListener> = (0..300)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let wanted = {
        let mut w: Vec<u32> = held
            .iter()
            .take(5)
            .map(|l| common::socket_inode(l.as_raw_fd()))
            .collect();
        w.sort_unstable();
        w
    };
    let me = std::process::id();
    // A full scan happens only when forced: owners missing and an hour passed.
    let mut cache = ProcessCache::new(Duration::from_secs(3600));
    let t0 = Instant::now();

    let table = cache.lookup(&wanted, t0);
    let cold = cache.counters();
    assert_eq!(cold.full_scans, 1);
    assert!(cold.fd_links_read >= 300, "{cold:?}");
    for inode in &wanted {
        let owners = table.of_inode(*inode);
        assert_eq!(owners.len(), 1);
        assert_eq!(table.get(owners[0]).unwrap().pid, me);
    }

    for round in 1..=5 {
        let before = cache.counters();
        let table = cache.lookup(&wanted, t0 + Duration::from_secs(round));
        let after = cache.counters();
        assert_eq!(table.sockets.len(), wanted.len());
        assert_eq!(after.full_scans, 1, "no full scan when warm");
        assert_eq!(
            after.fd_counts_read, before.fd_counts_read,
            "nothing missing"
        );
        assert_eq!(after.proc_listings - before.proc_listings, 1);
        // Only processes started since the last round (other tests' children) are read.
        let links = after.fd_links_read - before.fd_links_read;
        assert!(
            links * 10 < cold.fd_links_read,
            "warm round {round} read {links} links, the cold scan {}",
            cold.fd_links_read
        );
    }

    // A socket opened after warm-up: found by rescanning the processes
    // whose descriptor count changed (us), not by a full scan.
    let late = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut wanted2 = wanted.clone();
    wanted2.push(common::socket_inode(late.as_raw_fd()));
    wanted2.sort_unstable();
    let before = cache.counters();
    let table = cache.lookup(&wanted2, t0 + Duration::from_secs(10));
    let after = cache.counters();
    let owners = table.of_inode(common::socket_inode(late.as_raw_fd()));
    assert_eq!(table.get(owners[0]).unwrap().pid, me);
    assert_eq!(after.full_scans, 1);
    assert!(after.fd_counts_read > before.fd_counts_read);
    // Fewer links than the cold scan read; for a non-root user, whose cold
    // scan reads little besides our own process, no more than our own
    // descriptors (counting the directory each read holds open: ours here,
    // the lookup's own while it listed them).
    let rescanned = after.fd_links_read - before.fd_links_read;
    let ours = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
    assert!(
        rescanned < cold.fd_links_read || rescanned <= ours + 1,
        "{before:?} -> {after:?}, {ours} descriptors of ours"
    );
}

/// Starts `sleep` holding a copy of descriptor `fd` (spawn returns once it
/// has exec'd, so no scan sees it holding our other descriptors).
fn holder_of(fd: std::os::fd::RawFd) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new("sleep");
    cmd.arg("600");
    // SAFETY: between fork and exec only fcntl, async-signal-safe, on a
    // descriptor this process owns.
    unsafe {
        cmd.pre_exec(move || {
            if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn().unwrap()
}

/// Two loopback listeners of this process, with their inodes.
fn two_listeners() -> (TcpListener, u32, TcpListener, u32) {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    let (ia, ib) = (
        common::socket_inode(a.as_raw_fd()),
        common::socket_inode(b.as_raw_fd()),
    );
    (a, ia, b, ib)
}

/// Warm lookups reuse the last lookup's owners for the inodes they
/// want again: an owner that appears or exits in between must show.
#[test]
fn reused_owners_follow_holders_that_start_and_exit() {
    let (a, ia, _b, ib) = two_listeners();
    let me = std::process::id();
    let mut cache = ProcessCache::new(Duration::from_secs(3600));
    let t0 = Instant::now();
    let mut wanted = vec![ia];
    let first = cache.lookup(&wanted, t0);
    assert_eq!(first.pids_of_inode(ia), [me]);
    assert_eq!(cache.counters().full_scans, 1);

    let mut child = holder_of(a.as_raw_fd());
    let pid = child.id();
    // The child holds the inode once it has exec'd (and is listed).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut shared = cache.lookup(&wanted, t0);
    while shared.pids_of_inode(ia).len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        shared = cache.lookup(&wanted, t0);
    }
    let mut both = vec![me, pid];
    both.sort_unstable();
    assert_eq!(shared.pids_of_inode(ia), both, "the new holder is found");

    wanted = vec![ia, ib];
    wanted.sort_unstable();
    let more = cache.lookup(&wanted, t0);
    assert_eq!(more.pids_of_inode(ia), both, "reused");
    assert_eq!(more.pids_of_inode(ib), [me], "a new inode is looked up");

    child.kill().unwrap();
    child.wait().unwrap();
    let after = cache.lookup(&wanted, t0);
    assert_eq!(after.pids_of_inode(ia), [me], "the exited holder is gone");
    assert_eq!(after.pids_of_inode(ib), [me]);
    assert_eq!(
        after.list.iter().map(|p| p.pid).collect::<Vec<_>>(),
        [me],
        "the process list names live holders only"
    );
    assert_eq!(cache.counters().full_scans, 1, "all of it warm");
}

/// A round showing the kept states `kept` again, with a listener of its own
/// of inode `listener`.
fn round(kept: &Arc<Vec<TcpSocket>>, listener: u32) -> Snapshot {
    let mut l = fixtures::listen("127.0.0.1:80", 0, 128, 1);
    l.inode = listener;
    let mut snap = fixtures::snapshot("2026-12-02T05:00:00Z", Vec::new());
    snap.tcp = TcpList::with_shared(vec![l], Arc::clone(kept));
    snap
}

/// Queues-only rounds share the kept states of one dump: their owners are
/// resolved once and reused whole, until a holder of one of them starts
/// or exits, which the next round shows.
#[test]
fn kept_states_owners_are_reused_until_a_holder_starts_or_exits() {
    let (a, ia, _b, ib) = two_listeners();
    let mut kept_socket =
        fixtures::sock(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5000", 2);
    kept_socket.inode = ia;
    let kept = Arc::new(vec![kept_socket]);
    let me = std::process::id();
    let mut cache = ProcessCache::new(Duration::from_secs(3600));
    let t0 = Instant::now();

    let mut first = round(&kept, ib);
    cache.attribute(&mut first, t0);
    assert_eq!(
        (
            first.processes.pids_of_inode(ia),
            first.processes.pids_of_inode(ib)
        ),
        (vec![me], vec![me])
    );
    let c = cache.counters();
    assert_eq!((c.shared_resolved, c.shared_reused), (1, 0));

    let mut again = round(&kept, ib);
    cache.attribute(&mut again, t0);
    assert_eq!(again.processes.pids_of_inode(ia), [me]);
    assert_eq!(again.processes.pids_of_inode(ib), [me]);
    let c = cache.counters();
    assert_eq!((c.shared_resolved, c.shared_reused), (1, 1), "reused whole");
    assert!(
        again
            .processes
            .sockets
            .shares_with(&first.processes.sockets)
    );

    let mut child = holder_of(a.as_raw_fd());
    let pid = child.id();
    let mut both = vec![me, pid];
    both.sort_unstable();
    // The child is read once it is listed in /proc.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut shared = round(&kept, ib);
    cache.attribute(&mut shared, t0);
    while shared.processes.pids_of_inode(ia).len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        shared = round(&kept, ib);
        cache.attribute(&mut shared, t0);
    }
    assert_eq!(
        shared.processes.pids_of_inode(ia),
        both,
        "the new holder of a kept socket"
    );
    assert_eq!(shared.processes.pids_of_inode(ib), [me]);
    assert_eq!(cache.counters().shared_resolved, 2, "resolved again once");

    child.kill().unwrap();
    child.wait().unwrap();
    let mut after = round(&kept, ib);
    cache.attribute(&mut after, t0);
    assert_eq!(
        after.processes.pids_of_inode(ia),
        [me],
        "the exited holder is gone"
    );
    assert_eq!(
        after
            .processes
            .list
            .iter()
            .map(|p| p.pid)
            .collect::<Vec<_>>(),
        [me],
        "the process list names live holders only"
    );
    let mut quiet = round(&kept, ib);
    cache.attribute(&mut quiet, t0);
    assert!(
        quiet
            .processes
            .sockets
            .shares_with(&after.processes.sockets)
    );
    assert_eq!(cache.counters().full_scans, 1, "all of it warm");
}

/// A due full scan runs on a thread of its own: the round that starts it
/// goes out with the owners of the last complete scan and says a scan is
/// under way; a later round takes the scan's result.
#[test]
fn a_due_full_scan_runs_on_its_own_thread_and_a_later_round_takes_it() {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let ia = common::socket_inode(a.as_raw_fd());
    let kept = Arc::new(Vec::new());
    let me = std::process::id();
    let mut cache = ProcessCache::new(Duration::from_secs(10));
    let t0 = Instant::now();
    let mut first = round(&kept, ia);
    cache.attribute(&mut first, t0);
    assert_eq!(first.processes.pids_of_inode(ia), [me]);
    assert_eq!(cache.counters().full_scans, 1, "the first scan, in line");
    let scan_note = |s: &Snapshot| {
        s.collector
            .notes
            .iter()
            .any(|n| n.contains("full /proc scan"))
    };
    assert!(!scan_note(&first), "{:?}", first.collector.notes);

    let due = t0 + Duration::from_secs(10) * FULL_PERIOD_FACTOR;
    let mut started = round(&kept, ia);
    cache.attribute(&mut started, due);
    let c = cache.counters();
    assert_eq!(
        (c.background_scans, c.full_scans),
        (1, 1),
        "started, not waited for"
    );
    assert!(cache.scan_under_way(due).is_some());
    assert_eq!(
        started.processes.pids_of_inode(ia),
        [me],
        "from the last complete scan"
    );
    assert!(scan_note(&started), "{:?}", started.collector.notes);

    cache.finish_scan(due);
    let mut taken = round(&kept, ia);
    cache.attribute(&mut taken, due);
    let c = cache.counters();
    assert_eq!((c.background_scans, c.full_scans), (1, 2), "taken");
    assert!(cache.scan_under_way(due).is_none());
    assert_eq!(
        taken.processes.pids_of_inode(ia),
        [me],
        "read again by the new scan"
    );
    assert!(!scan_note(&taken), "{:?}", taken.collector.notes);
}

/// Under `--all-netns` one cache serves every namespace: each keeps the
/// owners of its own kept states, so alternating rounds reuse both.
#[test]
fn each_namespace_keeps_the_owners_of_its_kept_states() {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    let kept_of = |l: &TcpListener, cookie: u64| {
        let mut s = fixtures::sock(
            TcpState::Established,
            "127.0.0.1:80",
            "127.0.0.1:5000",
            cookie,
        );
        s.inode = common::socket_inode(l.as_raw_fd());
        Arc::new(vec![s])
    };
    let (kept_a, kept_b) = (kept_of(&a, 1), kept_of(&b, 2));
    let me = std::process::id();
    let mut cache = ProcessCache::new(Duration::from_secs(3600));
    let t0 = Instant::now();
    for _ in 0..3 {
        for (netns, kept) in [("a", &kept_a), ("b", &kept_b)] {
            let mut snap = round(kept, 0);
            snap.netns = netns.to_owned();
            cache.attribute(&mut snap, t0);
            assert_eq!(snap.processes.pids_of_inode(kept[0].inode), [me], "{netns}");
            assert_eq!(
                snap.processes.sockets.len(),
                1,
                "{netns}: its own kept socket only"
            );
        }
    }
    let c = cache.counters();
    assert_eq!((c.shared_resolved, c.shared_reused), (2, 4), "{c:?}");
}
