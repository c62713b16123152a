use std::time::Duration;

use super::fixtures::{listen, process, snapshot, sock};
use super::{
    Frame, History, ListenerKey, ProcessTable, SocketProcesses, TcpState::*, TcpTimes, Tracker,
    UnixPeer,
};

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
    let (spare, shared) = h
        .take_spare()
        .expect("the 3-socket list was stripped")
        .into_parts();
    assert!(spare.len() == 3 && shared.is_none());
    assert!(h.take_spare().is_none(), "handed out once");
    h.push(frame("2026-11-24T00:00:02Z", 2));
    let spare = h.take_spare().expect("the 4-socket list was stripped");
    assert_eq!(spare.len(), 4);
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

/// A frame at second `sec` with listener :80 (queue `q`/10) and `estab`
/// connections to it, and listener :81 only when `with_81`.
fn listeners_frame(sec: u32, q: u32, estab: u64, with_81: bool) -> Frame {
    let mut tcp = vec![listen("10.0.0.1:80", q, 10, 1)];
    if with_81 {
        tcp.push(listen("10.0.0.1:81", 0, 5, 2));
    }
    tcp.extend((0..estab).map(|i| sock(Established, "10.0.0.1:80", "10.0.0.9:5000", 100 + i)));
    Frame::new(snapshot(&format!("2026-11-24T00:00:{sec:02}Z"), tcp))
}

fn key(port: u16) -> ListenerKey {
    ListenerKey {
        netns: "test".to_owned(),
        local: format!("10.0.0.1:{port}").parse().unwrap(),
    }
}

#[test]
fn listener_series_match_every_kept_frame_and_leave_gaps_where_a_listener_was_absent() {
    let mut h = History::new(Duration::from_secs(600), 0);
    for sec in 0..6u32 {
        h.push(listeners_frame(sec, sec, u64::from(sec) * 2, sec % 3 != 1));
    }
    let track = h.listeners().of_key(&key(80)).expect(":80 has a series");
    assert_eq!(track.points().len(), 6);
    for back in 0..6 {
        let frame = h.back(back).unwrap();
        let seq = h.seq_back(back).unwrap();
        let row = frame.agg.listener(key(80).local).unwrap();
        let point = track.at(seq).unwrap();
        assert_eq!(
            u64::from(point.accept_queue),
            row.accept_queue,
            "back {back}"
        );
        assert_eq!(u64::from(point.established), row.states[Established]);
        assert_eq!(point.fill, row.fill());
        assert_eq!(point.full_members as usize, row.full_members());
        assert!(std::ptr::eq(h.at_seq(seq).unwrap(), frame));
    }
    assert_eq!(
        h.listener_series(&key(80), 0, |p| u64::from(p.established)),
        [0, 2, 4, 6, 8, 10]
    );
    assert_eq!(
        h.listener_series(&key(80), 2, |p| u64::from(p.accept_queue)),
        [0, 1, 2, 3],
        "paused two samples back: the chart ends at the shown sample"
    );
    assert_eq!(
        h.listener_series(&key(81), 0, |p| u64::from(p.accept_queue) + 1),
        [1, 0, 1, 1, 0, 1],
        ":81 was absent at seconds 1 and 4"
    );
    let run: Vec<u64> = h
        .listeners()
        .of_key(&key(81))
        .unwrap()
        .run_back_from(h.seq_back(0).unwrap())
        .map(|p| p.seq)
        .collect();
    assert_eq!(run, [5], "the unbroken run ends at the gap");
    assert!(h.listeners().of_key(&key(82)).is_none());
}

#[test]
fn listener_series_stay_the_size_of_the_ring_and_forget_gone_listeners() {
    let mut h = History::new(Duration::from_secs(10), 0);
    for sec in 0..11u32 {
        h.push(listeners_frame(sec, 1, 3, sec == 0));
    }
    assert_eq!(h.len(), 11);
    assert_eq!((h.listeners().len(), h.listeners().points()), (2, 12));
    h.push(listeners_frame(11, 1, 3, false));
    assert_eq!(h.len(), 11, "the ring is full");
    assert_eq!(
        (h.listeners().len(), h.listeners().points()),
        (1, 11),
        ":81's only point left with the frame it was in"
    );
    for sec in 12..40u32 {
        h.push(listeners_frame(sec, 1, 3, false));
        assert_eq!(h.listeners().points(), 11, "second {sec}");
    }
    let seqs: Vec<u64> = h
        .listeners()
        .of_key(&key(80))
        .unwrap()
        .points()
        .map(|p| p.seq)
        .collect();
    assert_eq!(seqs, (29..40).collect::<Vec<_>>());
    assert_eq!(h.seq_back(10), Some(29));
    assert!(h.at_seq(28).is_none(), "evicted");
}

#[test]
fn old_frames_lose_per_socket_detail_but_keep_rows_and_their_owners() {
    let mut h = History::new(Duration::from_secs(600), 3);
    let with_detail = |sec: u32| {
        let mut f = listeners_frame(sec, 2, 2, false);
        let snap = std::sync::Arc::make_mut(&mut f.snapshot);
        snap.tcp[0].inode = 7;
        snap.processes = ProcessTable {
            enabled: true,
            denied: 0,
            list: vec![process(42, "nginx")],
            sockets: vec![SocketProcesses {
                inode: 7,
                processes: vec![0],
            }]
            .into(),
        };
        snap.tcp_times = vec![TcpTimes {
            cookie: 100,
            ..TcpTimes::default()
        }];
        snap.unix_peers = vec![UnixPeer {
            listener: 1,
            server: 2,
            peer: 3,
        }];
        Frame::new(std::sync::Arc::unwrap_or_clone(f.snapshot))
    };
    h.push(with_detail(0));
    h.push(with_detail(1));
    let (old, new) = (h.back(1).unwrap(), h.back(0).unwrap());
    assert!(new.has_sockets() && !old.has_sockets());
    assert!(old.snapshot.tcp.is_empty() && old.snapshot.processes.sockets.is_empty());
    assert!(old.snapshot.tcp_times.is_empty() && old.snapshot.unix_peers.is_empty());
    assert_eq!(new.snapshot.processes.sockets.len(), 1);
    assert_eq!(new.snapshot.unix_peers.len(), 1);
    let row = old.agg.listener(key(80).local).unwrap();
    assert_eq!(row.processes, [0], "the row keeps its owners");
    assert_eq!(old.snapshot.processes.list[0].comm, "nginx");
    assert_eq!((row.accept_queue, row.states[Established]), (2, 2));
}
