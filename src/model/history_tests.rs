use std::time::Duration;

use super::fixtures::{snapshot, sock};
use super::{Frame, History, TcpState::*, Tracker};

fn frame(at: &str, n: u64) -> Frame {
    let tcp = (0..n)
        .map(|i| sock(TimeWait, "10.0.0.1:40000", "10.0.0.5:80", i + 1))
        .collect();
    Frame::new(snapshot(at, tcp))
}

#[test]
fn history_evicts_by_span() {
    let mut h = History::new(Duration::from_secs(60), usize::MAX);
    h.push(frame("2026-11-24T00:00:00Z", 1));
    h.push(frame("2026-11-24T00:00:30Z", 2));
    h.push(frame("2026-11-24T00:01:00Z", 3));
    assert_eq!(h.len(), 3);
    h.push(frame("2026-11-24T00:01:01Z", 4));
    assert_eq!(h.series(|f| f.agg.totals[TimeWait]), [2, 3, 4]);
    assert_eq!(h.back(0).unwrap().agg.totals[TimeWait], 4);
    assert_eq!(h.back(2).unwrap().agg.totals[TimeWait], 2);
    assert!(h.back(3).is_none());
}

#[test]
fn history_strips_old_socket_lists_beyond_budget() {
    let mut h = History::new(Duration::from_secs(600), 5);
    h.push(frame("2026-11-24T00:00:00Z", 3));
    h.push(frame("2026-11-24T00:00:01Z", 2));
    h.push(frame("2026-11-24T00:00:02Z", 4));
    let kept: Vec<bool> = h.iter().map(Frame::has_sockets).collect();
    assert_eq!(kept, [false, false, true]);
    assert_eq!(
        h.back(2).unwrap().agg.totals[TimeWait],
        3,
        "aggregates stay"
    );
    let stripped = &h.back(2).unwrap().agg;
    assert!(stripped.owners.is_empty() && stripped.conn_offsets.is_empty());
}

#[test]
fn history_hands_out_the_last_stripped_socket_list_once_emptied() {
    let mut h = History::new(Duration::from_secs(600), 5);
    h.push(frame("2026-11-24T00:00:00Z", 3));
    assert!(h.take_spare().is_none(), "nothing stripped yet");
    h.push(frame("2026-11-24T00:00:01Z", 4));
    let spare = h.take_spare().expect("the 3-socket list was stripped");
    assert!(spare.is_empty());
    assert!(spare.capacity() >= 3, "capacity {}", spare.capacity());
    assert!(h.take_spare().is_none(), "handed out once");
    h.push(frame("2026-11-24T00:00:02Z", 2));
    let spare = h.take_spare().expect("the 4-socket list was stripped");
    assert!(spare.is_empty() && spare.capacity() >= 4);
    assert_eq!(h.latest().unwrap().snapshot.tcp.len(), 2);
}

#[test]
fn tracker_keeps_first_seen_per_state_and_forgets_closed_sockets() {
    let mut t = Tracker::default();
    let a = sock(Established, "127.0.0.1:80", "127.0.0.1:5000", 7);
    let b = sock(Established, "127.0.0.1:80", "127.0.0.1:5001", 8);
    t.update(&snapshot(
        "2026-11-24T00:00:00Z",
        vec![a.clone(), b.clone()],
    ));
    let mut a_cw = a.clone();
    a_cw.state = CloseWait;
    t.update(&snapshot(
        "2026-11-24T00:00:05Z",
        vec![a_cw.clone(), b.clone()],
    ));
    assert_eq!(t.first_seen(7).unwrap().to_string(), "2026-11-24T00:00:05Z");
    assert_eq!(t.first_seen(8).unwrap().to_string(), "2026-11-24T00:00:00Z");
    t.update(&snapshot("2026-11-24T00:00:09Z", vec![a_cw]));
    assert_eq!(t.len(), 1);
    assert!(t.first_seen(8).is_none());
}

#[test]
fn tracker_memory_follows_the_live_set_under_churn() {
    let mut t = Tracker::default();
    let round = |r: u64| {
        let tcp = (0..5000)
            .map(|i| sock(TimeWait, "10.0.0.1:40000", "10.0.0.5:80", r * 5000 + i + 1))
            .collect();
        snapshot(&format!("2026-11-24T00:00:{r:02}Z"), tcp)
    };
    t.update(&round(0));
    t.update(&round(1));
    let capacity = t.capacity();
    assert!(capacity <= 4 * 5000, "old and new sockets of one round fit");
    for r in 2..30 {
        t.update(&round(r));
        assert_eq!(t.len(), 5000, "round {r}: only the live sockets stay");
        assert_eq!(t.capacity(), capacity, "round {r}: no growth under churn");
    }
    t.update(&round(30));
    t.update(&snapshot("2026-11-24T00:00:31Z", Vec::new()));
    assert!(t.is_empty());
    assert!(t.capacity() <= 4096, "shrinks once the sockets are gone");
}
