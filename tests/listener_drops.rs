//! Per-LISTEN-socket drop counts (`sk_drops`) read by the collector,
//! compared exactly with `ss -tlnme` (its `d` field of `skmem`) and with the
//! namespace's `ListenDrops`, on real overflowing listeners.

mod common;

use common::skmem::{our_drops, settled_with_ss, ss_drops};
use common::*;
use sockscope::collector::LiveSource;
use sockscope::model::Aggregate;

#[test]
fn member_drops_equal_ss_and_add_up_to_listen_drops() {
    if !private_netns() {
        return;
    }
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

    let mut source = LiveSource::open().unwrap();
    let Some((snap, out)) = settled_with_ss(&mut source) else {
        return;
    };
    assert_eq!(
        our_drops(&snap),
        ss_drops(&out),
        "sk_drops per inode, sockscope vs ss:\n{out}"
    );
    let agg = Aggregate::build(&snap);
    let sum: u64 = agg.listeners.iter().map(|l| l.drops().unwrap()).sum();
    assert_eq!(
        sum, snap.counters["ListenDrops"],
        "the members' drops add up to the namespace's ListenDrops"
    );
    assert!(snap.counters["ListenOverflows"] > 0);
    let idle = agg
        .listeners
        .iter()
        .find(|l| l.local.port() == 7013)
        .unwrap();
    assert_eq!(idle.drops(), Some(0));
}
