//! The alert rules on real sockets in a private network namespace per test:
//! real snapshots from the collector, fed through the model, spaced by short
//! sleeps so that the snapshot timestamps move.

mod common;

use std::io::Read;
use std::time::Duration;

use common::*;
use jiff::SignedDuration;
use sockscope::collector::{LiveSource, Source};
use sockscope::model::alerts::{CloseWait, human_duration};
use sockscope::model::{
    AgeSource, Alert, Frame, Model, ModelLimits, Rule, Severity, TargetKind, TcpState::*,
    Thresholds,
};

/// Feeds `n` live snapshots, `gap` apart, through `model`; returns the last frame.
fn feed(model: &mut Model, source: &mut LiveSource, n: usize, gap: Duration) -> Frame {
    let mut last = None;
    for i in 0..n {
        if i > 0 {
            std::thread::sleep(gap);
        }
        last = Some(model.ingest(source.collect().expect("collect")));
    }
    last.expect("n > 0")
}

fn model(t: Thresholds) -> Model {
    Model::with_thresholds(&ModelLimits::default(), t)
}

fn only(frame: &Frame, rule: Rule) -> Vec<&Alert> {
    frame
        .alerts
        .active
        .iter()
        .filter(|a| a.rule == rule)
        .collect()
}

#[test]
fn full_accept_queue_fires_and_its_drops_are_attributed_exactly() {
    if !private_netns() {
        return;
    }
    let _l = listener("127.0.0.1:7201", 2, false);
    let _clients: Vec<_> = (0..3).map(|_| connect("127.0.0.1:7201", None)).collect();
    collect_until("a full queue", |_, a| a.totals[Established] == 6);
    let mut source = LiveSource::open().unwrap();
    let mut m = model(Thresholds {
        fire_after: 2,
        ..Thresholds::default()
    });
    let first = feed(&mut m, &mut source, 1, Duration::ZERO);
    let before = first.snapshot.counters["ListenOverflows"];

    let _fourth = connect_nowait("127.0.0.1:7201");
    collect_until("ListenOverflows to rise", |s, _| {
        s.counters["ListenOverflows"] > before
    });
    let last = feed(&mut m, &mut source, 3, Duration::from_millis(50));

    let rose = last.snapshot.counters["ListenOverflows"] - before;
    let attributed: Vec<_> = m
        .history
        .iter()
        .filter_map(|f| f.alerts.overflow.as_ref())
        .collect();
    assert_eq!(
        attributed.iter().map(|o| o.overflows).sum::<u64>(),
        rose,
        "every rise is recorded"
    );
    let local = "127.0.0.1:7201".parse().unwrap();
    for o in &attributed {
        assert!(o.is_exact(), "live samples carry the members' sk_drops");
        assert_eq!(
            o.attributed_to(local),
            o.drops,
            "exactly the ListenDrops rise"
        );
        assert_eq!(o.unattributed(), 0);
    }
    let dropped: u64 = attributed.iter().map(|o| o.attributed_to(local)).sum();
    assert_eq!(
        dropped,
        last.snapshot.counters["ListenDrops"] - first.snapshot.counters["ListenDrops"]
    );
    let sk_drops = last.agg.listeners[0].drops().unwrap() - first.agg.listeners[0].drops().unwrap();
    assert_eq!(dropped, sk_drops);
    let alerts = only(&last, Rule::AcceptQueueOverflow);
    assert_eq!(alerts.len(), 1, "{:?}", last.alerts.active);
    let a = alerts[0];
    assert_eq!(
        (a.target.kind, a.target.name.as_str()),
        (TargetKind::Listener, "127.0.0.1:7201")
    );
    assert_eq!(a.severity, Severity::Critical);
    let connections = match dropped {
        1 => "1 connection".to_owned(),
        n => format!("{n} connections"),
    };
    // The three connections still queued: the kernel says how long the oldest waited.
    let l = &last.agg.listeners[0];
    assert_eq!((l.queued, l.accept_queue), (3, 3));
    let waited = l
        .oldest_queued_ms
        .expect("tcp_info of the queued connections");
    assert_eq!(
        a.message,
        format!(
            "listener 127.0.0.1:7201 dropped {connections} in the last minute (its sk_drops); \
             queue now 3/2; oldest queued connection waited ≥{}; backlog 2 \
             (somaxconn {})",
            human_duration(SignedDuration::from_millis(waited as i64)),
            last.snapshot.tunables["net.core.somaxconn"]
        )
    );
}

#[test]
fn growing_close_wait_leak_fires_with_its_oldest_age() {
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7202", 64, false);
    let mut leaked = Vec::new();
    let mut leak = |n: usize| {
        for _ in 0..n {
            let c = connect("127.0.0.1:7202", None);
            let (srv, _) = l.accept().unwrap();
            drop(c);
            leaked.push(srv);
        }
        let want = leaked.len() as u64;
        collect_until("CLOSE_WAIT", |_, a| a.totals[CloseWait] == want);
    };
    leak(4);
    let mut source = LiveSource::open().unwrap();
    let mut m = model(Thresholds {
        fire_after: 2,
        close_wait: CloseWait {
            min_age: Duration::from_millis(500),
            min_count: 3,
            ..CloseWait::default()
        },
        ..Thresholds::default()
    });
    let first = feed(&mut m, &mut source, 1, Duration::ZERO);
    std::thread::sleep(Duration::from_millis(600));
    leak(2);
    let last = feed(&mut m, &mut source, 3, Duration::from_millis(300));

    let alerts = only(&last, Rule::CloseWaitLeak);
    assert_eq!(alerts.len(), 1, "{:?}", last.alerts.active);
    let a = alerts[0];
    assert_eq!(a.target.name, "127.0.0.1:7202");
    // The oldest age is the larger of the kernel's proof and the time watched.
    let watched = last
        .snapshot
        .taken_at
        .duration_since(first.snapshot.taken_at);
    let oldest = last
        .snapshot
        .tcp
        .iter()
        .filter(|s| s.state == CloseWait)
        .filter_map(|s| m.tracker.age_of(&last.snapshot, s))
        .max_by_key(|a| a.ms)
        .unwrap();
    assert!(oldest.ms >= watched.as_millis() as u64);
    let words = match oldest.source {
        AgeSource::Kernel => format!("≥{}", human_duration(oldest.duration())),
        AgeSource::Watched => human_duration(oldest.duration()),
    };
    let prefix = format!(
        "listener 127.0.0.1:7202 leaks CLOSE_WAIT: 6 sockets (6 older than 500ms), oldest {words}, growing "
    );
    assert!(
        a.message.starts_with(&prefix),
        "{}\nwant prefix {prefix}",
        a.message
    );
}

#[test]
fn short_lived_close_wait_under_churn_does_not_fire() {
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7203", 64, false);
    let mut source = LiveSource::open().unwrap();
    let mut m = model(Thresholds {
        fire_after: 2,
        close_wait: CloseWait {
            min_age: Duration::from_millis(400),
            min_count: 1,
            ..CloseWait::default()
        },
        ..Thresholds::default()
    });
    let mut seen_close_wait = 0;
    for _ in 0..12 {
        let c = connect("127.0.0.1:7203", None);
        let (mut srv, _) = l.accept().unwrap();
        drop(c);
        let frame = feed(&mut m, &mut source, 1, Duration::ZERO);
        seen_close_wait += frame.agg.totals[CloseWait];
        assert!(frame.alerts.active.is_empty(), "{:?}", frame.alerts.active);
        srv.read_to_end(&mut Vec::new()).unwrap();
        drop(srv);
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(seen_close_wait > 0, "the churn shows CLOSE_WAIT sockets");
}

#[test]
fn deferred_handshakes_fill_the_syn_queue() {
    if !private_netns() {
        return;
    }
    let l = listener("[::1]:7204", 4, false);
    defer_accept(&l, 30);
    let _clients: Vec<_> = (0..4).map(|_| connect("[::1]:7204", None)).collect();
    collect_until("4 request sockets", |_, a| a.totals[SynRecv] == 4);
    let mut source = LiveSource::open().unwrap();
    let mut m = model(Thresholds::default());
    let last = feed(&mut m, &mut source, 3, Duration::from_millis(20));
    let alerts = only(&last, Rule::SynBacklog);
    assert_eq!(alerts.len(), 1, "{:?}", last.alerts.active);
    assert_eq!(alerts[0].target.name, "[::1]:7204");
    assert_eq!(alerts[0].severity, Severity::Critical);
    assert_eq!(
        alerts[0].message,
        format!(
            "listener [::1]:7204 holds 4 half-open connections (SYN_RECV), 100% of its SYN queue \
             limit 4 = min(backlog 4, tcp_max_syn_backlog {})",
            last.snapshot.tunables["net.ipv4.tcp_max_syn_backlog"]
        )
    );
}

#[test]
fn ports_toward_one_destination_against_a_narrow_range() {
    if !private_netns() {
        return;
    }
    std::fs::write("/proc/sys/net/ipv4/ip_local_port_range", "40000 40009")
        .expect("set ip_local_port_range in the private namespace");
    let l = listener("127.0.0.1:7205", 64, false);
    let clients: Vec<_> = (0..8).map(|_| connect("127.0.0.1:7205", None)).collect();
    for c in &clients {
        let port = c.local_addr().unwrap().port();
        assert!(
            (40000..=40009).contains(&port),
            "port {port} from the narrowed range"
        );
    }
    collect_until("8 accepted", |_, a| a.totals[Established] == 16);
    let mut source = LiveSource::open().unwrap();
    let mut m = model(Thresholds::default());
    let last = feed(&mut m, &mut source, 3, Duration::from_millis(20));
    let alerts = only(&last, Rule::EphemeralPortExhaustion);
    assert_eq!(alerts.len(), 1, "{:?}", last.alerts.active);
    assert_eq!(alerts[0].target.kind, TargetKind::Remote);
    assert_eq!(alerts[0].target.name, "127.0.0.1:7205 from 127.0.0.1");
    assert_eq!(alerts[0].severity, Severity::Warning);
    // A fresh namespace has the kernel default tcp_tw_reuse=2: loopback reuses TIME_WAIT.
    assert_eq!(last.snapshot.tunables["net.ipv4.tcp_tw_reuse"], "2");
    assert_eq!(
        alerts[0].message,
        "connections to 127.0.0.1:7205 from 127.0.0.1 use 8 of 10 local ports (80%, 0 in \
         TIME_WAIT not counted); not growing; TIME_WAIT ports are reusable here: tcp_tw_reuse=2 \
         and the destination is loopback"
    );
    drop(l);
}

#[test]
fn full_unix_listener_fires_on_its_path() {
    if !private_netns() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.sock");
    let path = socket2::SockAddr::unix(&file).unwrap();
    let unix = || socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap();
    let l = unix();
    l.bind(&path).unwrap();
    l.listen(2).unwrap();
    let clients: Vec<_> = (0..3)
        .map(|_| {
            let c = unix();
            c.connect(&path).expect("the queue holds backlog + 1");
            c
        })
        .collect();
    let mut source = LiveSource::open().unwrap();
    let mut m = model(Thresholds::default());
    let last = feed(&mut m, &mut source, 3, Duration::from_millis(20));
    let alerts = only(&last, Rule::AcceptQueueOverflow);
    assert_eq!(alerts.len(), 1, "{:?}", last.alerts.active);
    assert_eq!(alerts[0].target.kind, TargetKind::UnixSocket);
    assert_eq!(alerts[0].target.name, file.display().to_string());
    assert_eq!(
        alerts[0].message,
        format!(
            "UNIX listener {} accept queue is full (3/2); new connections wait or fail",
            file.display()
        )
    );
    drop(clients);
}
