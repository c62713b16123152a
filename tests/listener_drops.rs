//! Per-LISTEN-socket drop counts (`sk_drops`) read by the collector,
//! compared exactly with `ss -tlnme` (its `d` field of `skmem`) and with the
//! namespace's `ListenDrops`, on real overflowing listeners.

mod common;

use std::collections::BTreeMap;

use common::*;
use sockscope::collector::{LiveSource, Source};
use sockscope::model::{Aggregate, Snapshot, TcpState};

/// `ino → d` of every LISTEN socket in `ss -tlnme` output.
fn ss_drops(out: &str) -> BTreeMap<u32, u32> {
    let mut found = BTreeMap::new();
    let mut inode = None;
    for line in out.lines() {
        if line.starts_with("LISTEN") {
            inode = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("ino:"))
                .map(|i| i.parse().expect("ss prints ino:N"));
        } else if let (Some(i), Some(skmem)) = (inode, line.trim().strip_prefix("skmem:(")) {
            let d = skmem
                .trim_end_matches(')')
                .split(',')
                .find_map(|f| f.strip_prefix('d'))
                .expect("skmem has a d field");
            found.insert(i, d.parse().expect("d is a number"));
            inode = None;
        }
    }
    found
}

/// `inode → drops` of every LISTEN socket of `snap`.
fn our_drops(snap: &Snapshot) -> BTreeMap<u32, u32> {
    snap.tcp
        .iter()
        .filter(|s| s.state == TcpState::Listen)
        .map(|s| (s.inode, s.drops.expect("LISTEN sockets carry drops")))
        .collect()
}

#[test]
fn member_drops_equal_ss_and_add_up_to_listen_drops() {
    private_netns();
    let _a = listener("127.0.0.1:7011", 1, true);
    let _b = listener("127.0.0.1:7011", 1, true);
    let _v6 = listener("[::1]:7012", 1, false);
    let _idle = listener("127.0.0.1:7013", 8, false);
    let _clients: Vec<_> = (0..12)
        .flat_map(|_| {
            [
                connect_nowait("127.0.0.1:7011"),
                connect_nowait("[::1]:7012"),
            ]
        })
        .collect();
    let (_, agg) = collect_until("drops at both overflowing listeners", |_, a| {
        a.listeners
            .iter()
            .filter(|l| l.local.port() != 7013)
            .all(|l| l.drops().is_some_and(|d| d > 0))
    });
    assert_eq!(agg.listeners.len(), 3);

    // Clients keep retransmitting, so the counters move: compare a
    // collection with `ss` only when a second collection right after `ss`
    // saw the same counts.
    let mut source = LiveSource::open().unwrap();
    let mut last = None;
    for _ in 0..50 {
        let before = source.collect().unwrap();
        let Some(out) = ss(&["-tlnme"]) else {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "ss (Debian package iproute2) is not installed"
            );
            println!("skipped: ss (Debian package iproute2) is not installed");
            return;
        };
        let after = source.collect().unwrap();
        let (mine, theirs) = (our_drops(&before), ss_drops(&out));
        if mine == our_drops(&after) && before.counters == after.counters {
            assert_eq!(mine, theirs, "sk_drops per inode, sockscope vs ss:\n{out}");
            let agg = Aggregate::build(&before);
            let sum: u64 = agg.listeners.iter().map(|l| l.drops().unwrap()).sum();
            assert_eq!(
                sum, before.counters["ListenDrops"],
                "the members' drops add up to the namespace's ListenDrops"
            );
            assert!(before.counters["ListenOverflows"] > 0);
            let idle = agg
                .listeners
                .iter()
                .find(|l| l.local.port() == 7013)
                .unwrap();
            assert_eq!(idle.drops(), Some(0));
            return;
        }
        last = Some((mine, theirs));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the counters never held still across one `ss` run: {last:?}");
}
