//! A round goes out with this round's queues while a state dump is still
//! under way on the states thread, and a later round takes that dump.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, mpsc};

use super::tiered::Tier;
use super::{LiveSource, Source};
use crate::model::tiers::{StatesTier, Tiers};
use crate::model::{Snapshot, TcpList, TcpState};

fn tiers(s: &Snapshot) -> Tiers {
    s.collector.tiers.expect("a live source says its tiers")
}

/// The listener's accept queue and how many other sockets touch its port.
fn ours(s: &Snapshot, at: SocketAddr) -> (u32, usize) {
    let queue = s
        .tcp
        .iter()
        .find(|t| t.state == TcpState::Listen && t.local == at)
        .expect("the listener is in every round")
        .recv_q;
    let others = s
        .tcp
        .iter()
        .filter(|t| t.state != TcpState::Listen && (t.local == at || t.remote == at))
        .count();
    (queue, others)
}

fn age_ms(later: &Snapshot, earlier: &Snapshot) -> u64 {
    u64::try_from(later.taken_at.duration_since(earlier.taken_at).as_millis()).unwrap()
}

#[test]
fn queues_go_out_while_the_state_dump_is_held_back() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = listener.local_addr().unwrap();
    let _first = TcpStream::connect(at).unwrap();
    let (gate, held) = mpsc::channel();
    let mut source = LiveSource::open()
        .unwrap()
        .keeping_states()
        .gating_states(held);
    let wait = Some(std::time::Duration::from_millis(20));

    gate.send(()).unwrap();
    let r1 = source.collect_tier_within(Tier::Full, wait).unwrap();
    assert_eq!(
        tiers(&r1).states,
        StatesTier::FullDump,
        "the first round waits"
    );
    assert_eq!(ours(&r1, at), (1, 2), "one queued connection, both ends");

    let _second = TcpStream::connect(at).unwrap();
    let r2 = source.collect_tier_within(Tier::Full, wait).unwrap();
    let t2 = tiers(&r2);
    assert_eq!(
        (
            t2.states,
            t2.kept_namespaces,
            t2.states_age_ms,
            t2.states_cpu_us
        ),
        (StatesTier::Kept, 1, age_ms(&r2, &r1), 0),
        "the dump is held back: the round has the first round's states"
    );
    assert_eq!(ours(&r2, at), (2, 2), "this round's queue, the kept states");

    gate.send(()).unwrap();
    let r3 = source.collect_tier_within(Tier::Queues, None).unwrap();
    let t3 = tiers(&r3);
    assert_eq!(
        (t3.states, t3.states_age_ms),
        (StatesTier::Kept, age_ms(&r3, &r2)),
        "the dump the second round started, as old as that round"
    );
    assert_eq!(ours(&r3, at), (2, 4));

    gate.send(()).unwrap();
    let r4 = source.collect_tier_within(Tier::Full, None).unwrap();
    assert_eq!(tiers(&r4).states_age(), None);
    assert_eq!(ours(&r4, at), (2, 4));

    let states = |s: Snapshot| s.tcp.into_parts().1.expect("the states are shared");
    let (s1, s2, s3) = (states(r1), states(r2), states(r3));
    assert!(
        Arc::ptr_eq(&s1, &s2),
        "a kept round shares the list, no copy"
    );
    assert!(!Arc::ptr_eq(&s2, &s3));
    drop((s2, s3));
    assert_eq!(source.states_spare.capacity(), 0);
    source.recycle(TcpList::with_shared(Vec::new(), s1));
    assert!(
        source.states_spare.capacity() >= 2,
        "the first states, held by no one else, are the next dump's list"
    );
}

#[test]
fn a_source_that_keeps_no_states_dumps_them_inline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = listener.local_addr().unwrap();
    let _client = TcpStream::connect(at).unwrap();
    let mut source = LiveSource::open().unwrap();
    let snap = source.collect_tier(Tier::Queues).unwrap();
    assert!(source.states.is_none(), "no states thread");
    assert_eq!(tiers(&snap).states, StatesTier::FullDump);
    assert_eq!(ours(&snap, at), (1, 2));
}

#[test]
fn only_lists_up_to_the_bound_are_kept_for_the_next_dump() {
    let mut source = LiveSource::open().unwrap().keeping_states();
    let huge = Arc::new(Vec::with_capacity(super::states::SPARE_MAX_SOCKETS + 1));
    source.recycle(TcpList::with_shared(Vec::new(), huge));
    assert_eq!(source.states_spare.capacity(), 0, "freed, not kept");
    let bounded = Arc::new(Vec::with_capacity(super::states::SPARE_MAX_SOCKETS));
    source.recycle(TcpList::with_shared(Vec::new(), bounded));
    assert_eq!(
        source.states_spare.capacity(),
        super::states::SPARE_MAX_SOCKETS
    );
}
