//! The incremental process lookup: once warm, a refresh reads a small
//! fraction of what a full scan reads (counted in /proc reads, not time),
//! and a socket opened later is found without a full scan.

mod common;

use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use sockscope::collector::process::ProcessCache;

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
