//! `k`/`K` (destroy, with confirmation), `n` (namespace picker) and a UNIX
//! listener's clients in the dashboard's state machine and on screen; and
//! the collection thread destroying a real socket on request.

mod common;
mod scene;

use std::time::Duration;

use jiff::SignedDuration;
use ratatui::layout::Rect;
use scene::{SAMPLES, T0, draw, sample, select_listener, settings};
use sockscope::collector::LiveSource;
use sockscope::collector::destroy::DestroyTarget;
use sockscope::model::fixtures::{listen, sock};
use sockscope::model::{Part, ProcessInfo, Round, Snapshot, SocketProcesses, TcpState, UnixPeer};
use sockscope::ui::app::{Action, App, Effect, Panel, Settings, Status, Tab};
use sockscope::ui::collect::{self, Collected};
use sockscope::ui::keys::{ctrl, for_app, press};
use sockscope::ui::theme::Theme;

use crossterm::event::KeyCode;

fn app_with(settings: Settings, width: u16, height: u16, rounds: Vec<Round>) -> App {
    let mut app = App::new(
        settings,
        Theme { color: true },
        Rect::new(0, 0, width, height),
    );
    for r in rounds {
        app.ingest_round(r.aggregate());
    }
    app
}

/// The scene's incident with samples ten seconds apart, so CLOSE_WAIT
/// socket `1000 + i` is `90 - 10 i` seconds old at the last sample.
fn slow_incident(read_only: bool) -> App {
    let frames = (0..SAMPLES)
        .map(|k| {
            let mut s = sample(k);
            s.taken_at =
                T0.parse::<jiff::Timestamp>().unwrap() + SignedDuration::from_secs(10 * k as i64);
            Round::one(s)
        })
        .collect();
    let settings = Settings {
        read_only,
        ..settings(std::path::Path::new("."))
    };
    app_with(settings, 160, 48, frames)
}

fn key(app: &mut App, c: char) -> Effect {
    let a = for_app(&press(KeyCode::Char(c)), app).expect("bound");
    app.handle(a)
}

/// Ctrl-K, the destroy key.
fn destroy_key(app: &mut App) -> Effect {
    let a = for_app(&ctrl('k'), app).expect("bound");
    app.handle(a)
}

fn drill_443(app: &mut App) {
    select_listener(app, "[::]:443");
    app.handle(Action::Open);
}

#[test]
fn ctrl_k_asks_then_destroys_exactly_the_selected_connection() {
    let mut app = slow_incident(false);
    drill_443(&mut app);
    app.handle(Action::Move(2));
    let i = app.active_nav().selected_row().unwrap() as usize;
    let snap = &app.shown().unwrap().snapshot;
    let expected = DestroyTarget::in_snapshot(snap, i);
    let s = &snap.tcp[i];
    let prompt = format!(
        "destroy {} connection {} -> {}?  y: yes   n/Esc: no",
        s.state.ss_name(),
        s.local,
        s.remote
    );

    assert!(matches!(destroy_key(&mut app), Effect::None));
    assert_eq!(app.confirm.as_ref().unwrap().prompt(), prompt);
    assert!(matches!(key(&mut app, 'n'), Effect::None));
    assert!(app.confirm.is_none());
    assert_eq!(app.status, Some(Status::Info("nothing destroyed".into())));
    assert_eq!(
        app.active_nav().selected_row(),
        Some(i as u32),
        "answering moved nothing"
    );

    let a = for_app(&press(KeyCode::Delete), &app).expect("bound");
    app.handle(a);
    match key(&mut app, 'y') {
        Effect::Destroy(targets) => assert_eq!(targets, vec![expected]),
        other => panic!("{other:?}"),
    }
    assert!(app.confirm.is_none());
}

#[test]
fn upper_k_offers_close_waits_older_than_the_chosen_age() {
    let mut app = slow_incident(false);
    drill_443(&mut app);
    key(&mut app, 'K');
    assert_eq!(
        app.confirm.as_ref().unwrap().prompt(),
        "destroy CLOSE_WAIT of [::]:443 older than? 1:10s 2:1m 3:10m 4:1h  Esc: cancel"
    );
    key(&mut app, '2');
    assert_eq!(
        app.confirm.as_ref().unwrap().prompt(),
        "destroy 4 CLOSE_WAIT sockets of [::]:443 older than 1m?  y: yes   n/Esc: no"
    );
    match key(&mut app, 'y') {
        Effect::Destroy(targets) => {
            let mut cookies: Vec<u64> = targets.iter().map(|t| t.cookie).collect();
            cookies.sort_unstable();
            assert_eq!(
                cookies,
                vec![1000, 1001, 1002, 1003],
                "aged 90, 80, 70, 60 s"
            );
            assert!(targets.iter().all(|t| t.local.port() == 443));
        }
        other => panic!("{other:?}"),
    }

    key(&mut app, 'K');
    key(&mut app, '4');
    assert!(app.confirm.is_none());
    assert_eq!(
        app.status,
        Some(Status::Info(
            "no CLOSE_WAIT socket of this listener is older than 1h".into()
        ))
    );
}

#[test]
fn read_only_refuses_without_asking() {
    let mut app = slow_incident(true);
    drill_443(&mut app);
    for event in [ctrl('k'), press(KeyCode::Delete), press(KeyCode::Char('K'))] {
        let a = for_app(&event, &app).expect("bound");
        assert!(matches!(app.handle(a), Effect::None));
        assert!(app.confirm.is_none());
        assert_eq!(
            app.status,
            Some(Status::Error(
                "destroying sockets is disabled (--read-only)".into()
            ))
        );
    }
}

/// Two namespaces that both listen on 0.0.0.0:80, and one that is gone.
fn merged() -> Round {
    let at: jiff::Timestamp = T0.parse().unwrap();
    let mut b = Snapshot::empty(at, "web-1", "ns-b");
    b.tcp = vec![
        listen("0.0.0.0:80", 7, 16, 50),
        sock(TcpState::CloseWait, "10.1.0.1:80", "10.1.0.9:6000", 51),
    ]
    .into();
    let part = |label: &str, inode, sample, error: Option<&str>| Part {
        label: label.to_owned(),
        id: None,
        inode,
        sample,
        error: error.map(str::to_owned),
    };
    Round {
        taken_at: at,
        hostname: "web-1".to_owned(),
        all: true,
        unreachable: Vec::new(),
        parts: vec![
            part("host", 1, Some(sample(SAMPLES - 1)), None),
            part("ns-b", 2, Some(b), None),
            part(
                "docker:4f1c2b3a9d8e",
                3,
                None,
                Some("network namespace docker:4f1c2b3a9d8e is gone: process 4242 has exited"),
            ),
        ],
    }
}

fn shown_rows(app: &App) -> Vec<(String, u16)> {
    let f = app.shown().unwrap();
    app.active_nav()
        .rows
        .iter()
        .map(|&r| {
            let l = &f.agg.listeners[r as usize];
            (l.local.to_string(), l.netns)
        })
        .collect()
}

#[test]
fn n_cycles_through_the_namespaces_and_back_to_all() {
    let mut app = app_with(settings(std::path::Path::new(".")), 160, 48, vec![merged()]);
    let all = shown_rows(&app);
    assert_eq!(all.len(), 5, "4 host listeners and ns-b's :80: {all:?}");
    assert_eq!(all.iter().filter(|(l, _)| l == "0.0.0.0:80").count(), 2);

    key(&mut app, 'n');
    assert!(shown_rows(&app).iter().all(|(_, ns)| *ns == 0));
    assert_eq!(shown_rows(&app).len(), 4);
    assert_eq!(
        app.status,
        Some(Status::Info("showing namespace host".into()))
    );
    key(&mut app, 'n');
    assert_eq!(shown_rows(&app), vec![("0.0.0.0:80".to_owned(), 1)]);
    key(&mut app, 'n');
    assert!(shown_rows(&app).is_empty());
    assert_eq!(
        app.status,
        Some(Status::Info(
            "showing namespace docker:4f1c2b3a9d8e (network namespace docker:4f1c2b3a9d8e is gone: process 4242 has exited)".into()
        ))
    );
    key(&mut app, 'n');
    assert_eq!(shown_rows(&app).len(), 5);
    assert_eq!(
        app.status,
        Some(Status::Info("showing all namespaces".into()))
    );
}

#[test]
fn screens_with_a_namespace_column_and_a_question() {
    let mut app = app_with(settings(std::path::Path::new(".")), 160, 48, vec![merged()]);
    insta::assert_snapshot!("all_netns_160x48", draw(&app).backend());
    key(&mut app, 'n');
    key(&mut app, 'n');
    insta::assert_snapshot!("one_netns_160x48", draw(&app).backend());

    let mut small = slow_incident(false);
    small.handle(Action::Resize {
        width: 80,
        height: 24,
    });
    drill_443(&mut small);
    key(&mut small, 'K');
    insta::assert_snapshot!("kill_close_wait_80x24", draw(&small).backend());
}

#[test]
fn the_collection_thread_destroys_on_request_and_refuses_read_only() {
    if !common::private_netns() {
        return;
    }
    let l = common::listener("127.0.0.1:7401", 16, false);
    let _clients: Vec<_> = (0..2)
        .map(|_| common::connect("127.0.0.1:7401", None))
        .collect();
    let _accepted: Vec<_> = (0..2).map(|_| l.accept().unwrap()).collect();
    let server_side = |s: &Snapshot| -> Vec<sockscope::model::TcpSocket> {
        s.tcp
            .iter()
            .filter(|t| t.state == TcpState::Established && t.local.port() == 7401)
            .cloned()
            .collect()
    };

    for read_only in [true, false] {
        let factory: collect::SourceFactory = Box::new(move || {
            LiveSource::open().map(|s| sockscope::collector::one(s.read_only(read_only)))
        });
        let mut c = collect::spawn(factory, Duration::from_millis(100)).unwrap();
        let frame = loop {
            match c.rx.blocking_recv() {
                Some(Collected::Round(r)) => {
                    let f = r.parts.into_iter().next().and_then(|p| p.sample).unwrap();
                    if server_side(&f.snapshot).len() == 2 {
                        break f;
                    }
                }
                other => panic!("{other:?}"),
            }
        };
        let victim = server_side(&frame.snapshot)[0].clone();
        let target = DestroyTarget::of(&victim);
        c.destroy(vec![target.clone()]);
        let outcome = loop {
            match c.rx.blocking_recv() {
                Some(Collected::Destroyed(o)) => break o,
                Some(Collected::Round(_)) => continue,
                other => panic!("{other:?}"),
            }
        };
        if read_only {
            assert_eq!(
                outcome,
                Err("destroying sockets is disabled (--read-only)".to_owned())
            );
            continue;
        }
        assert_eq!(outcome, Ok(format!("destroyed socket {target}")));
        loop {
            match c.rx.blocking_recv() {
                Some(Collected::Round(r)) => {
                    let f = r.parts[0].sample.as_ref().unwrap();
                    let left = server_side(&f.snapshot);
                    if left.len() == 1 {
                        assert_ne!(left[0].cookie, victim.cookie);
                        break;
                    }
                }
                other => panic!("{other:?}"),
            }
        }
    }
}

#[test]
fn enter_on_a_unix_listener_lists_its_clients_with_their_processes() {
    let mut snap = sample(SAMPLES - 1);
    let peer = |server, peer| UnixPeer {
        listener: 7002,
        server,
        peer,
    };
    snap.unix_peers = vec![peer(0, 9101), peer(0, 9100), peer(9200, 9102)];
    snap.processes.list.push(ProcessInfo {
        pid: 3001,
        comm: "php-client".into(),
        cmdline: "php client.php".into(),
        uid: 33,
        user: "www-data".into(),
    });
    let client = snap.processes.list.len() as u32 - 1;
    let mut owned: Vec<SocketProcesses> = snap
        .processes
        .sockets
        .iter()
        .map(|(inode, processes)| SocketProcesses {
            inode,
            processes: processes.to_vec(),
        })
        .collect();
    for inode in [9100, 9102] {
        owned.push(SocketProcesses {
            inode,
            processes: vec![client],
        });
    }
    owned.sort_by_key(|s| s.inode);
    snap.processes.sockets = owned.into();
    let mut app = app_with(
        settings(std::path::Path::new(".")),
        160,
        48,
        vec![Round::one(snap)],
    );
    app.handle(Action::Tab(Tab::Unix));
    let row = app.active_nav().selected_row().unwrap();
    assert_eq!(
        app.shown().unwrap().snapshot.unix_listeners[row as usize].inode,
        7002
    );
    app.handle(Action::Open);
    assert_eq!(app.panel, Some(Panel::UnixPeers));
    insta::assert_snapshot!("unix_clients_160x48", draw(&app).backend());
}

#[test]
fn unreadable_processes_are_explained_once() {
    let denied = |k| {
        let mut s = sample(k);
        s.processes.denied = 3;
        s
    };
    let mut app = app_with(
        settings(std::path::Path::new(".")),
        160,
        48,
        vec![Round::one(denied(0))],
    );
    assert_eq!(
        app.status,
        Some(Status::Info(
            "owners of some sockets show as ?: 3 processes' /proc/<pid>/fd are unreadable; \
             run as root or with CAP_SYS_PTRACE for full attribution"
                .into()
        ))
    );
    app.handle(Action::Move(1));
    assert_eq!(app.status, None);
    app.ingest_round(Round::one(denied(1)).aggregate());
    assert_eq!(app.status, None, "said once");
}
