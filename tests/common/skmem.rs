//! Per-LISTEN-socket drop counts as `ss -tlnme` prints them and as
//! sockscope collects them, to compare the two.

use std::collections::BTreeMap;

use sockscope::collector::Source;
use sockscope::model::{Snapshot, TcpState};

/// `ino → d` of every LISTEN socket in `ss -tlnme` output.
pub fn ss_drops(out: &str) -> BTreeMap<u32, u32> {
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
pub fn our_drops(snap: &Snapshot) -> BTreeMap<u32, u32> {
    snap.tcp
        .iter()
        .filter(|s| s.state == TcpState::Listen)
        .map(|s| (s.inode, s.drops.expect("LISTEN sockets carry drops")))
        .collect()
}

/// A snapshot from `source` and the `ss -tlnme` output taken right after
/// it, such that a second collection after `ss` saw the same drops and
/// counters (clients keep retransmitting, so the counters move; only a
/// sample that held still across the `ss` run can be compared exactly).
/// `None` when `ss` is missing outside CI (the test then says it skipped).
pub fn settled_with_ss(source: &mut dyn Source) -> Option<(Snapshot, String)> {
    let mut last = None;
    for _ in 0..100 {
        let before = source.collect().unwrap();
        let Some(out) = super::ss(&["-tlnme"]) else {
            super::tools::skip("ss (Debian package iproute2) is not installed");
            return None;
        };
        let after = source.collect().unwrap();
        if our_drops(&before) == our_drops(&after) && before.counters == after.counters {
            return Some((before, out));
        }
        last = Some(our_drops(&after));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the counters never held still across one `ss` run: {last:?}");
}
