//! Two namespaces listening on the same address, one in trouble: the
//! dashboard marks only that one's row, and selection and the drill-down
//! stay on the namespace picked across refreshes, even when the namespaces
//! change places in the round; `k` destroys in the namespace picked.

mod scene;

use crossterm::event::KeyCode;
use jiff::{SignedDuration, Timestamp};
use ratatui::layout::Rect;
use scene::{T0, settings};
use sockscope::model::fixtures::{listen, sock};
use sockscope::model::{Frame, Part, Round, Snapshot, TcpState};
use sockscope::ui::app::{Action, App, Effect};
use sockscope::ui::keys::{ctrl, for_app, press};
use sockscope::ui::theme::Theme;

/// Namespace `label` at `secs`: 0.0.0.0:80 with `queue` of backlog 4 and
/// `established` connections.
fn part(label: &str, inode: u64, at: Timestamp, queue: u32, established: u16) -> Part {
    let mut s = Snapshot::empty(at, "web-1", label);
    s.tcp.push(listen("0.0.0.0:80", queue, 4, inode * 100));
    for i in 0..established {
        s.tcp.push(sock(
            TcpState::Established,
            "10.0.0.1:80",
            &format!("10.0.0.9:{}", 5000 + i),
            inode * 100 + 1 + u64::from(i),
        ));
    }
    s.collector.sockets = s.tcp.len() as u64;
    Part {
        label: label.to_owned(),
        id: None,
        inode,
        sample: Some(s),
        error: None,
    }
}

/// Round `k`: A full (5/4), B healthy (0/4, 3 ESTABLISHED); from round 4
/// on, B is listed first.
fn round(k: i64) -> Round<Frame> {
    let at = T0.parse::<Timestamp>().unwrap() + SignedDuration::from_secs(k);
    let (a, b) = (part("ns-a", 1, at, 5, 0), part("ns-b", 2, at, 0, 3));
    let parts = if k < 4 { vec![a, b] } else { vec![b, a] };
    Round {
        taken_at: at,
        hostname: "web-1".to_owned(),
        all: true,
        parts,
        unreachable: Vec::new(),
    }
    .aggregate()
}

/// The namespace of each listener row, with its alert marker.
fn rows(app: &App) -> Vec<(String, Option<&'static str>)> {
    let f = app.shown().unwrap();
    app.active_nav()
        .rows
        .iter()
        .map(|&r| {
            let l = &f.agg.listeners[r as usize];
            (
                f.snapshot.listener_key(l).netns,
                app.alert_severity(l).map(sockscope::ui::app::marker),
            )
        })
        .collect()
}

fn selected_netns(app: &App) -> String {
    let f = app.shown().unwrap();
    let row = app.active_nav().selected_row().unwrap();
    f.snapshot
        .listener_key(&f.agg.listeners[row as usize])
        .netns
}

#[test]
fn only_the_full_one_is_marked_and_the_pick_sticks_across_refreshes() {
    let mut app = App::new(
        settings(std::path::Path::new(".")),
        Theme { color: true },
        Rect::new(0, 0, 160, 48),
    );
    for k in 0..3 {
        app.ingest_round(round(k));
    }
    let mut marked = rows(&app);
    marked.sort();
    assert_eq!(
        marked,
        [("ns-a".to_owned(), Some("‼")), ("ns-b".to_owned(), None)],
        "fire_after 3: A fired at the third sample, B never"
    );
    let alerts = &app.shown().unwrap().alerts.active;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].target.netns.as_deref(), Some("ns-a"));
    assert!(
        alerts[0].message.starts_with("ns-a: "),
        "{}",
        alerts[0].message
    );

    // Pick B's row and drill into it.
    app.handle(Action::Top);
    if selected_netns(&app) != "ns-b" {
        app.handle(Action::Move(1));
    }
    assert_eq!(selected_netns(&app), "ns-b");
    app.handle(Action::Open);
    let screen = format!("{:?}", scene::draw(&app).backend());
    assert!(
        screen.contains("listener 0.0.0.0:80 in ns-b  accept queue 0/4"),
        "the drill-down title names the namespace: {screen}"
    );
    for k in 3..6 {
        app.ingest_round(round(k));
        let f = app.shown().unwrap();
        let drill = app.drill.as_ref().expect("still drilled in");
        assert_eq!(drill.target.netns(), "ns-b");
        let l = &f.agg.listeners[drill.index.expect("found in the new round")];
        assert_eq!(
            (
                f.snapshot.part_label(usize::from(l.netns)),
                l.accept_queue,
                l.sockets()
            ),
            ("ns-b", 0, 3),
            "round {k}: B's listener, wherever B is in the round"
        );
    }

    // `k` on one of B's connections destroys it in B's namespace (inode 2).
    let i = app.active_nav().selected_row().unwrap() as usize;
    let s = app.shown().unwrap().snapshot.tcp[i].clone();
    assert_eq!(s.local.to_string(), "10.0.0.1:80");
    let destroy = for_app(&ctrl('k'), &app).expect("Ctrl-K destroys");
    app.handle(destroy);
    match key(&mut app, 'y') {
        Effect::Destroy(targets) => {
            assert_eq!(targets.len(), 1);
            assert_eq!((targets[0].cookie, targets[0].netns), (s.cookie, Some(2)));
            assert!((201..=203).contains(&s.cookie), "one of B's: {}", s.cookie);
        }
        other => panic!("{other:?}"),
    }

    app.handle(Action::Back);
    assert_eq!(selected_netns(&app), "ns-b", "the selection followed B");
}

fn key(app: &mut App, c: char) -> Effect {
    let a = for_app(&press(KeyCode::Char(c)), app).expect("bound");
    app.handle(a)
}

/// The alert panel of the drill-down, as text.
fn alert_panel(app: &App) -> String {
    sockscope::ui::views::alert_log::lines(app)
        .0
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

/// Drills into the listener of namespace `netns`.
fn drill_into(app: &mut App, netns: &str) {
    app.handle(Action::Back);
    app.handle(Action::Top);
    while selected_netns(app) != netns {
        app.handle(Action::Move(1));
    }
    app.handle(Action::Open);
    assert_eq!(app.drill.as_ref().unwrap().target.netns(), netns);
}

#[test]
fn the_drill_down_shows_drop_rises_of_its_own_namespace_only() {
    let mut app = App::new(
        settings(std::path::Path::new(".")),
        Theme { color: true },
        Rect::new(0, 0, 160, 48),
    );
    for k in 0..3 {
        let mut r = round(k);
        // A's counters rise by 10 a round, B's stay: a rise in A is A's.
        for p in &mut r.parts {
            let f = p.sample.as_mut().unwrap();
            let s = std::sync::Arc::make_mut(&mut f.snapshot);
            let n = if p.label == "ns-a" { 10 * k as u64 } else { 7 };
            s.counters.insert("ListenOverflows".to_owned(), n);
            s.counters.insert("ListenDrops".to_owned(), n);
        }
        app.ingest_round(r);
    }
    drill_into(&mut app, "ns-a");
    let a = alert_panel(&app);
    assert!(a.contains("DROPS OF THIS LISTENER"), "{a}");
    assert_eq!(
        a.matches("ListenOverflows +10  ListenDrops +10  attributed: the only full listener")
            .count(),
        2,
        "two rises in A, each attributed to A's full listener: {a}"
    );
    drill_into(&mut app, "ns-b");
    let b = alert_panel(&app);
    assert!(
        !b.contains("DROPS OF THIS LISTENER"),
        "B dropped nothing: {b}"
    );
}
