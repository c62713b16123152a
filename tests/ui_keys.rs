//! The dashboard's state machine driven by keys, with no terminal.

mod scene;

use crossterm::event::{Event, KeyCode, KeyModifiers, MouseEvent, MouseEventKind};
use scene::{SAMPLES, app, at, draw, drive, sample, select_listener};
use sockscope::export::json::SnapshotDoc;
use sockscope::model::Frame;
use sockscope::ui::app::{Action, App, DrillTarget, Effect, Status, Tab};
use sockscope::ui::columns::Columns;
use sockscope::ui::keys::{Keymap, Layer, action, ctrl, for_app, press};
use sockscope::ui::views::connections::ConnCol;

fn key(app: &mut App, code: KeyCode) -> Effect {
    // A key the layer on top does not bind does nothing.
    for_app(&press(code), app).map_or(Effect::None, |a| app.handle(a))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn selected_local(app: &App) -> String {
    let row = app.active_nav().selected_row().unwrap();
    app.shown().unwrap().agg.listeners[row as usize]
        .local
        .to_string()
}

fn shown_locals(app: &App) -> Vec<String> {
    let f = app.shown().unwrap();
    app.active_nav()
        .rows
        .iter()
        .map(|&r| f.agg.listeners[r as usize].local.to_string())
        .collect()
}

#[test]
fn keys_map_like_htop() {
    let keys = Keymap::default();
    let ctrl_c = ctrl('c');
    for layer in [
        Layer::List,
        Layer::Drill,
        Layer::Filter,
        Layer::Prompt,
        Layer::Help,
    ] {
        assert_eq!(
            action(&ctrl_c, layer, &keys),
            Some(Action::Quit),
            "{layer:?}"
        );
    }
    let k = |code, layer| action(&press(code), layer, &keys);
    assert_eq!(
        k(KeyCode::Char('q'), Layer::Filter),
        Some(Action::FilterChar('q'))
    );
    assert_eq!(k(KeyCode::Char('j'), Layer::List), Some(Action::Move(1)));
    assert_eq!(k(KeyCode::Char('G'), Layer::List), Some(Action::Bottom));
    assert_eq!(k(KeyCode::F(1), Layer::List), Some(Action::Help));
    assert_eq!(k(KeyCode::F(10), Layer::Drill), Some(Action::Quit));
    assert_eq!(k(KeyCode::Char('x'), Layer::List), None);
    assert_eq!(
        action(&ctrl('u'), Layer::Filter, &keys),
        Some(Action::ClearFilter)
    );
    // Destroy is Ctrl-K or Delete in the drill-down, and nowhere else;
    // `k` moves everywhere.
    assert_eq!(k(KeyCode::Char('k'), Layer::Drill), Some(Action::Move(-1)));
    assert_eq!(action(&ctrl('k'), Layer::Drill, &keys), Some(Action::Kill));
    assert_eq!(k(KeyCode::Delete, Layer::Drill), Some(Action::Kill));
    assert_eq!(action(&ctrl('k'), Layer::List, &keys), None);
    // The panel takes its own keys only: Tab does not switch the tab behind it.
    assert_eq!(k(KeyCode::Tab, Layer::Panel), None);
    assert_eq!(
        k(KeyCode::Char('a'), Layer::Panel),
        Some(Action::Panel(sockscope::ui::app::Panel::Alerts))
    );
    // A question: `y`, an age, and anything else says no.
    assert_eq!(
        k(KeyCode::Char('y'), Layer::Prompt),
        Some(Action::ConfirmYes)
    );
    assert_eq!(
        k(KeyCode::Char('3'), Layer::Prompt),
        Some(Action::ChooseAge(2))
    );
    assert_eq!(k(KeyCode::Char('j'), Layer::Prompt), Some(Action::Back));
    let wheel = Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(action(&wheel, Layer::List, &keys), Some(Action::Move(3)));
}

#[test]
fn ctrl_u_clears_the_filter_while_typing_and_after() {
    let mut a = app(80, 24);
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "nginx");
    a.handle(for_app(&ctrl('u'), &a).unwrap());
    assert!(a.editing, "still typing");
    assert!(a.filter.is_empty());
    typed(&mut a, ":443");
    key(&mut a, KeyCode::Enter);
    assert_eq!(shown_locals(&a), ["[::]:443"]);
    a.handle(for_app(&ctrl('u'), &a).unwrap());
    assert!(a.filter.is_empty());
    assert_eq!(shown_locals(&a).len(), 4);
}

#[test]
fn selection_moves_and_clamps() {
    let mut a = app(80, 24);
    key(&mut a, KeyCode::Home);
    assert_eq!(selected_local(&a), "127.0.0.1:8080");
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Down);
    assert_eq!(selected_local(&a), "[::]:443");
    key(&mut a, KeyCode::Char('G'));
    assert_eq!(selected_local(&a), "0.0.0.0:22");
    key(&mut a, KeyCode::Down);
    assert_eq!(selected_local(&a), "0.0.0.0:22");
    key(&mut a, KeyCode::PageUp);
    assert_eq!(selected_local(&a), "127.0.0.1:8080");
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.active_nav().selected, 0);
    key(&mut a, KeyCode::End);
    assert_eq!(
        selected_local(&a),
        "0.0.0.0:22",
        "End goes to the last row when live"
    );
}

#[test]
fn selection_follows_its_listener_when_the_order_changes() {
    let mut a = app(80, 24);
    select_listener(&mut a, "[::]:443");
    let mut next = sample(SAMPLES);
    for s in next.tcp.owned_mut().iter_mut() {
        if s.local.to_string() == "127.0.0.1:8080" {
            s.recv_q = 0;
        }
    }
    a.ingest(Frame::new(next));
    assert_eq!(selected_local(&a), "[::]:443");
    assert_eq!(
        shown_locals(&a),
        ["0.0.0.0:80", "[::]:443", "0.0.0.0:22", "127.0.0.1:8080"],
        "an empty queue is no trouble; ties go by address"
    );
}

#[test]
fn sort_cycles_through_the_columns_on_screen_and_reverses() {
    let mut a = app(80, 24);
    assert_eq!(
        shown_locals(&a),
        ["127.0.0.1:8080", "0.0.0.0:80", "[::]:443", "0.0.0.0:22"],
        "trouble first"
    );
    let mut names = vec![a.sort_label()];
    for _ in 0..7 {
        key(&mut a, KeyCode::Char('s'));
        names.push(a.sort_label());
    }
    assert_eq!(
        names,
        [
            "trouble ▼",
            "LOCAL ▲",
            "PROCESS ▲",
            "ACCEPT Q ▼",
            "SYN-RECV ▼",
            "ESTAB ▼",
            "CLOSE-WAIT ▼",
            "trouble ▼"
        ],
        "only the columns shown at 80 columns; numbers largest first, names A first"
    );
    key(&mut a, KeyCode::Char('s'));
    assert_eq!(
        shown_locals(&a),
        ["0.0.0.0:22", "0.0.0.0:80", "[::]:443", "127.0.0.1:8080"],
        "by local address"
    );
    key(&mut a, KeyCode::Char('S'));
    assert_eq!(a.sort_label(), "LOCAL ▼");
    assert_eq!(
        shown_locals(&a),
        ["127.0.0.1:8080", "[::]:443", "0.0.0.0:80", "0.0.0.0:22"]
    );
    key(&mut a, KeyCode::Char('s'));
    assert_eq!(
        shown_locals(&a),
        ["[::]:443", "127.0.0.1:8080", "0.0.0.0:80", "0.0.0.0:22"],
        "by process: api, java, nginx, sshd"
    );
    for _ in 0..4 {
        key(&mut a, KeyCode::Char('s'));
    }
    assert_eq!(a.sort_label(), "CLOSE-WAIT ▼");
    assert_eq!(shown_locals(&a)[0], "[::]:443", "most CLOSE-WAIT first");

    // A wide terminal offers every column.
    let mut wide = app(160, 48);
    let mut n = 0;
    loop {
        key(&mut wide, KeyCode::Char('s'));
        n += 1;
        if wide.sort_label() == "trouble ▼" {
            break;
        }
        assert!(n < 20);
    }
    assert_eq!(
        n, 14,
        "13 sortable columns (no NETNS with one namespace), then trouble"
    );
}

/// Clicking a header sorts by it, a second click reverses; the header
/// shows the arrow.
#[test]
fn clicking_a_header_sorts_by_it() {
    let mut a = app(80, 24);
    let header_y = a.overview_layout().table.y;
    let header = |a: &App| {
        let term = draw(a);
        let buf = term.backend().buffer().clone();
        (0..buf.area.width)
            .map(|x| buf[(x, header_y)].symbol().to_owned())
            .collect::<String>()
    };
    let x = header(&a).find("CLOSE-WAIT").unwrap() as u16;
    a.handle(Action::Click { x, y: header_y });
    assert_eq!(a.sort_label(), "CLOSE-WAIT ▼");
    assert!(header(&a).contains("▼CLOSE-WAIT"), "{}", header(&a));
    assert_eq!(shown_locals(&a)[0], "[::]:443");
    let x = header(&a).find("CLOSE-WAIT").unwrap() as u16;
    a.handle(Action::Click { x, y: header_y });
    assert_eq!(a.sort_label(), "CLOSE-WAIT ▲");
    let x = header(&a).find("LOCAL").unwrap() as u16;
    a.handle(Action::Click { x, y: header_y });
    assert_eq!(a.sort_label(), "LOCAL ▲");
    assert_eq!(shown_locals(&a)[0], "0.0.0.0:22");
}

#[test]
fn filter_applies_live_to_every_tab_and_esc_clears() {
    let mut a = app(80, 24);
    key(&mut a, KeyCode::Char('/'));
    assert!(a.editing);
    typed(&mut a, "state:close_wait");
    assert_eq!(shown_locals(&a), ["[::]:443"]);
    key(&mut a, KeyCode::Backspace);
    assert_eq!(a.filter.text, "state:close_wai");
    assert_eq!(shown_locals(&a).len(), 0);
    typed(&mut a, "t");
    key(&mut a, KeyCode::Enter);
    assert!(!a.editing);
    assert_eq!(shown_locals(&a), ["[::]:443"]);
    key(&mut a, KeyCode::Char('2'));
    let remotes: Vec<String> = a
        .active_nav()
        .rows
        .iter()
        .map(|&r| {
            a.shown().unwrap().agg.remotes[r as usize]
                .remote
                .to_string()
        })
        .collect();
    assert_eq!(
        remotes,
        ["10.0.0.5:5432"],
        "only the database pool has CLOSE_WAIT"
    );
    key(&mut a, KeyCode::Char('/'));
    key(&mut a, KeyCode::Esc);
    assert!(a.filter.is_empty());
    assert_eq!(a.active_nav().rows.len(), 3);
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, ":5432");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.active_nav().rows.len(), 1);
    key(&mut a, KeyCode::Esc);
    assert!(
        a.filter.is_empty(),
        "Esc outside the filter line clears it too"
    );
}

#[test]
fn pause_freezes_the_sample_while_history_grows() {
    let mut a = app(80, 24);
    key(&mut a, KeyCode::Char(' '));
    assert_eq!(a.shown().unwrap().snapshot.taken_at, at(SAMPLES - 1));
    a.ingest(Frame::new(sample(SAMPLES)));
    a.ingest(Frame::new(sample(SAMPLES + 1)));
    assert_eq!(a.shown().unwrap().snapshot.taken_at, at(SAMPLES - 1));
    assert_eq!(a.model.history.len(), SAMPLES + 2);
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::Left);
    assert_eq!(a.shown().unwrap().snapshot.taken_at, at(SAMPLES - 3));
    key(&mut a, KeyCode::Right);
    assert_eq!(a.shown().unwrap().snapshot.taken_at, at(SAMPLES - 2));
    for _ in 0..100 {
        key(&mut a, KeyCode::Left);
    }
    assert_eq!(
        a.shown().unwrap().snapshot.taken_at,
        at(0),
        "stops at the oldest"
    );
    for _ in 0..100 {
        key(&mut a, KeyCode::Right);
    }
    assert_eq!(a.shown().unwrap().snapshot.taken_at, at(SAMPLES + 1));
    assert_eq!(a.paused, Some(0), "stepping forward stays paused");
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::End);
    assert_eq!(a.paused, None);
    assert_eq!(a.shown().unwrap().snapshot.taken_at, at(SAMPLES + 1));
    key(&mut a, KeyCode::Left);
    assert_eq!(a.paused, Some(1), "← while live pauses one sample back");
    key(&mut a, KeyCode::Char(' '));
    assert_eq!(a.paused, None);
}

#[test]
fn drill_down_lists_connections_with_own_sort_and_filter() {
    let mut a = app(80, 24);
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "[::]");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let d = a.drill.as_ref().expect("drill-down open");
    assert_eq!(d.target.listener().unwrap().local.to_string(), "[::]:443");
    assert_eq!(d.nav.rows.len(), SAMPLES + 2, "10 CLOSE-WAIT + 2 SYN-RECV");
    let peer = |a: &App, pos: usize| {
        let d = a.drill.as_ref().unwrap();
        a.shown().unwrap().snapshot.tcp[d.nav.rows[pos] as usize]
            .remote
            .to_string()
    };
    assert_eq!(peer(&a, 0), "[2001:db8::7]:4000", "oldest first");
    key(&mut a, KeyCode::Char('S'));
    assert_eq!(peer(&a, 0), "[2001:db8::7]:4009", "newest first");
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "state:syn_recv");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.drill.as_ref().unwrap().nav.rows.len(), 2);
    assert_eq!(a.filter.text, "[::]", "the overview filter is untouched");
    assert_eq!(
        a.drill.as_ref().unwrap().peers,
        [("2001:db8::9".parse().unwrap(), 2)]
    );
    key(&mut a, KeyCode::Char('1'));
    assert!(
        a.drill.is_some(),
        "tabs do not switch inside the drill-down"
    );
    key(&mut a, KeyCode::Esc);
    assert!(a.drill.is_some(), "Esc first clears the drill-down filter");
    assert!(a.drill.as_ref().unwrap().filter.is_empty());
    key(&mut a, KeyCode::Esc);
    assert!(a.drill.is_none());
    assert_eq!(selected_local(&a), "[::]:443");
}

/// Enter on a remote drills into its outbound connections (the same
/// drill-down as a listener's): LOCAL instead of PEER, its own filter,
/// sorts by the columns shown, who holds the sockets.
#[test]
fn enter_on_a_remote_drills_into_its_connections() {
    let mut a = app(80, 24);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Enter);
    let d = a.drill.as_ref().expect("drill-down open");
    let DrillTarget::Remote(k) = &d.target else {
        panic!("drilled into {:?}", d.target)
    };
    assert_eq!(
        (k.remote.to_string(), k.local.to_string()),
        ("10.0.0.5:5432".into(), "10.0.0.1".into())
    );
    // 4 ESTABLISHED + 20 * 9 TIME_WAIT + 2 CLOSE_WAIT in the last sample.
    assert_eq!(d.nav.rows.len(), 4 + 180 + 2);
    assert_eq!(
        d.owners,
        [(4, 6)],
        "api[4121] holds the 4 ESTABLISHED and 2 CLOSE_WAIT"
    );
    let local = |a: &App, pos: usize| {
        let d = a.drill.as_ref().unwrap();
        a.shown().unwrap().snapshot.tcp[d.nav.rows[pos] as usize]
            .local
            .to_string()
    };
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "state:close_wait");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.drill.as_ref().unwrap().nav.rows.len(), 2);
    assert_eq!(local(&a, 0), "10.0.0.1:34000");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('s'));
    assert_eq!(
        a.drill.as_ref().unwrap().nav.sort.column,
        ConnCol::Local.sort_number(),
        "LOCAL is the first column shown"
    );
    assert_eq!(local(&a, 0), "10.0.0.1:33000");
    key(&mut a, KeyCode::Char('S'));
    assert_eq!(local(&a, 0), "10.0.0.1:34001");
    key(&mut a, KeyCode::Char('K'));
    assert_eq!(
        a.status,
        Some(Status::Info(
            "K destroys a listener's old CLOSE_WAITs; here select a connection and press Ctrl-K/Del"
                .to_owned()
        ))
    );
    key(&mut a, KeyCode::Esc);
    assert!(a.drill.is_none());
    assert_eq!(a.tab, Tab::Remotes);
}

/// `i` opens the process popup on the selected row's owner, from the
/// remotes tab, the listeners tab and a drill-down's connection; it is a
/// layer of its own (its keys scroll it, Esc or `i` close it) and knows
/// what the process holds in the shown sample.
#[test]
fn i_opens_the_process_popup_over_any_row() {
    let mut a = app(80, 24);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Char('i'));
    let p = a.popup.as_ref().expect("popup open");
    assert_eq!(p.pid, 4121);
    let (info, held) = p.found.as_ref().unwrap();
    assert_eq!(
        (info.user.as_str(), info.uid, info.cmdline.as_str()),
        ("api", 998, scene::API_CMDLINE)
    );
    use sockscope::model::TcpState::*;
    // inode 5 (LISTEN [::]:443), 1000-1009 (CLOSE_WAIT), 3000-3003
    // (ESTABLISHED) and 3100-3101 (CLOSE_WAIT, to the database).
    assert_eq!(
        (
            held.states[Listen],
            held.states[Established],
            held.states[CloseWait],
            held.states.total()
        ),
        (1, 4, 12, 17)
    );
    let f = a.shown().unwrap();
    let locals: Vec<String> = held
        .listeners
        .iter()
        .map(|&l| f.agg.listeners[l].local.to_string())
        .collect();
    assert_eq!(locals, ["[::]:443"]);
    let remotes: Vec<(String, u64)> = held
        .remotes
        .iter()
        .map(|&(r, n)| (f.agg.remotes[r].remote.to_string(), n))
        .collect();
    assert_eq!(remotes, [("10.0.0.5:5432".to_owned(), 6)]);
    assert_eq!(a.layers(), [Layer::List, Layer::Popup]);
    assert_eq!(a.layer(), Layer::Popup);
    key(&mut a, KeyCode::Char('1'));
    assert_eq!(a.tab, Tab::Remotes, "the popup has the keyboard");
    key(&mut a, KeyCode::Esc);
    assert!(a.popup.is_none());
    assert_eq!(a.tab, Tab::Remotes);

    key(&mut a, KeyCode::Char('1'));
    select_listener(&mut a, "0.0.0.0:22");
    key(&mut a, KeyCode::Char('i'));
    assert_eq!(a.popup.as_ref().unwrap().pid, 640, "sshd holds :22");
    key(&mut a, KeyCode::Char('i'));
    assert!(a.popup.is_none(), "i closes it again");

    select_listener(&mut a, "[::]:443");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('i'));
    assert_eq!(
        a.popup.as_ref().unwrap().pid,
        4121,
        "the connection's owner"
    );
    assert_eq!(a.layers(), [Layer::List, Layer::Drill, Layer::Popup]);
    key(&mut a, KeyCode::F(1));
    assert_eq!(
        a.layers(),
        [Layer::List, Layer::Drill, Layer::Popup, Layer::Help]
    );
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    assert_eq!(
        a.layers(),
        [Layer::List, Layer::Drill],
        "Esc closes the top layer first"
    );
}

#[test]
fn export_writes_the_shown_sample_and_reports_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(80, 24);
    a.settings.export_dir = dir.path().to_owned();
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Left);
    let Effect::Export(frame) = key(&mut a, KeyCode::Char('e')) else {
        panic!("e asks for an export");
    };
    assert_eq!(
        frame.snapshot.taken_at,
        at(SAMPLES - 2),
        "the paused sample"
    );
    let path = sockscope::ui::export::write(&a.settings.export_dir, &frame).unwrap();
    assert_eq!(
        path.file_name().unwrap(),
        "sockscope-web-1-20261124T024008.000Z.json"
    );
    let doc: SnapshotDoc = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(doc.taken_at, at(SAMPLES - 2));
    let l8080 = doc
        .listeners
        .iter()
        .find(|l| l.local == "127.0.0.1:8080")
        .unwrap();
    assert_eq!((l8080.accept_queue, l8080.backlog), (129, 128));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
    a.exported(Ok(path.clone()));
    assert_eq!(
        a.status,
        Some(Status::Info(format!("exported {}", path.display())))
    );

    let missing = dir.path().join("missing");
    let err = sockscope::ui::export::write(&missing, &frame).unwrap_err();
    assert!(err.contains(&missing.display().to_string()), "{err}");
    a.exported(Err(err.clone()));
    assert_eq!(a.status, Some(Status::Error(err)));
    key(&mut a, KeyCode::Down);
    assert_eq!(a.status, None, "the next key clears the status line");
}

#[test]
fn help_quit_errors_tabs_and_mouse() {
    let mut a = app(80, 24);
    key(&mut a, KeyCode::Char('?'));
    assert!(a.help);
    key(&mut a, KeyCode::Char('?'));
    assert!(!a.help);
    key(&mut a, KeyCode::Char('?'));
    key(&mut a, KeyCode::Esc);
    assert!(!a.help);

    a.collect_failed("netlink tcp/ipv4 dump failed".into());
    assert_eq!(a.shown().unwrap().snapshot.taken_at, at(SAMPLES - 1));
    a.ingest(Frame::new(sample(SAMPLES)));
    assert_eq!(a.collect_error, None);

    key(&mut a, KeyCode::Tab);
    assert_eq!(a.tab, Tab::Remotes);
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::BackTab);
    assert_eq!(a.tab, Tab::Unix);

    // Overview at 80x24: header 3, alerts 1, tabs 1, then the table header row.
    drive(&mut a, &[Action::Click { x: 2, y: 4 }]);
    assert_eq!(a.tab, Tab::Listeners, "clicking a tab switches to it");
    drive(&mut a, &[Action::Click { x: 10, y: 8 }]);
    assert_eq!(a.active_nav().selected, 2);
    assert_eq!(selected_local(&a), "[::]:443");
    assert!(matches!(key(&mut a, KeyCode::Char('q')), Effect::Quit));
    assert!(a.quit);
}

#[test]
fn a_paused_sample_that_loses_its_sockets_or_leaves_history_still_draws() {
    use sockscope::model::{Model, ModelLimits};
    let mut a = app(80, 24);
    // Keep socket lists for about two samples only, and 12 s of history.
    let limits = ModelLimits {
        history: std::time::Duration::from_secs(12),
        socket_budget: 700,
    };
    a.model = Model::new(&limits);
    for k in 0..SAMPLES {
        a.ingest(Frame::new(sample(k)));
    }
    select_listener(&mut a, "127.0.0.1:8080");
    drive(&mut a, &[Action::Open, Action::TogglePause]);
    assert_eq!(a.drill.as_ref().unwrap().nav.rows.len(), 129);
    a.ingest(Frame::new(sample(SAMPLES)));
    a.ingest(Frame::new(sample(SAMPLES + 1)));
    assert!(
        !a.shown().unwrap().has_sockets(),
        "the budget stripped the shown sample"
    );
    assert!(a.drill.as_ref().unwrap().nav.rows.is_empty());
    let screen = scene::draw(&a).backend().to_string();
    assert!(screen.contains("no longer kept"), "{screen}");
    // The members table still names each member's process (from the member,
    // not from the socket owners the stripped sample no longer keeps).
    let shown = a.shown().unwrap();
    let member = &shown
        .agg
        .listeners
        .iter()
        .find(|l| l.local.to_string() == "127.0.0.1:8080")
        .unwrap()
        .members[0];
    let owner = shown.snapshot.processes.label(&member.processes);
    assert!(!owner.is_empty());
    let row = screen
        .lines()
        .skip_while(|l| !l.contains("MEMBER INO"))
        .nth(1)
        .unwrap();
    // The column may cut the pid; the name is there.
    let name = owner.split('[').next().unwrap();
    assert!(
        row.contains(&format!("{name}[")),
        "{row:?} should name {owner}"
    );
    for k in SAMPLES + 2..SAMPLES + 20 {
        a.ingest(Frame::new(sample(k)));
    }
    assert_eq!(
        a.shown().unwrap().snapshot.taken_at,
        a.model.history.iter().next().unwrap().snapshot.taken_at,
        "the oldest kept sample"
    );
    scene::draw(&a);
}

/// README's key table is the help overlay's: both come from the key table.
#[test]
fn readme_lists_the_keys_of_the_help_overlay() {
    let mut table = String::from("| keys | what they do |\n| --- | --- |\n");
    for (keys, what) in sockscope::ui::keys::help_lines(&Keymap::default()) {
        table.push_str(&format!("| `{keys}` | {what} |\n"));
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "README.md should hold this key table:\n{table}"
    );
}
