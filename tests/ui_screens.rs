//! Every screen and overlay of the dashboard, drawn on a test terminal at
//! 80x24 and 160x48 from a synthetic incident with fixed timestamps.

mod scene;

use ratatui::style::Color;
use scene::{app, draw, drive, select_listener};
use sockscope::ui::app::{Action, App, Mode, Status, Tab};

fn snap(name: &str, app: &App) {
    let term = draw(app);
    let size = format!("{}x{}", app.size.width, app.size.height);
    insta::assert_snapshot!(format!("{name}_{size}"), term.backend());
}

fn both(name: &str, setup: impl Fn(&mut App)) {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut a = app(w, h);
        setup(&mut a);
        snap(name, &a);
    }
}

#[test]
fn overview_listeners() {
    both("overview", |_| {});
}

#[test]
fn overview_remotes_and_unix_tabs() {
    both("remotes", |a| drive(a, &[Action::Tab(Tab::Remotes)]));
    both("unix", |a| drive(a, &[Action::Tab(Tab::Unix)]));
}

#[test]
fn drill_down() {
    both("drill", |a| {
        select_listener(a, "[::]:443");
        drive(a, &[Action::Open]);
    });
}

/// Enter on a remote drills into its connections: the local ports it
/// uses, its states, who holds them, its history.
#[test]
fn drill_into_a_remote() {
    both("drill_remote", |a| {
        drive(a, &[Action::Tab(Tab::Remotes), Action::Open]);
    });
}

/// `i` on the remotes tab: the process popup of the api, its full
/// command line wrapped, its sockets by state, listeners and remotes.
#[test]
fn process_popup() {
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        let mut a = app(w, h);
        drive(&mut a, &[Action::Tab(Tab::Remotes), Action::Process]);
        snap("process_popup", &a);
    }
}

/// At 120 columns the chart titles and the top remotes' heading shorten
/// by rule instead of being cut mid-word.
#[test]
fn overview_at_120_columns() {
    snap("overview", &app(120, 40));
}

#[test]
fn help_overlay() {
    both("help", |a| drive(a, &[Action::Help]));
}

/// On a terminal too short for every key the overlay scrolls: the first
/// screen says how many lines are below, `G` shows the last one.
#[test]
fn help_overlay_scrolls_when_short() {
    let mut a = app(80, 16);
    drive(&mut a, &[Action::Help]);
    snap("help_top", &a);
    drive(&mut a, &[Action::Move(3)]);
    assert_eq!(a.help_scroll, 3);
    drive(&mut a, &[Action::Bottom]);
    snap("help_bottom", &a);
    assert!(a.help, "scrolling keeps the overlay open");
    drive(&mut a, &[Action::Page(100)]);
    assert_eq!(
        a.help_scroll,
        sockscope::ui::keys::help_lines(&a.settings.keys).len() + 3 - 14
    );
    drive(&mut a, &[Action::Top]);
    assert_eq!(a.help_scroll, 0);
    drive(&mut a, &[Action::Bottom]);
    drive(
        &mut a,
        &[Action::Resize {
            width: 160,
            height: 48,
        }],
    );
    assert!(a.help, "resizing keeps the overlay open");
    assert_eq!(a.help_scroll, 0, "everything fits at 160x48");
    assert_eq!(a.size.height, 48);
}

#[test]
fn filter_line() {
    both("filter", |a| {
        drive(
            a,
            &[
                Action::StartFilter,
                Action::FilterChar(':'),
                Action::FilterChar('8'),
                Action::FilterChar('0'),
            ],
        )
    });
}

/// `state:tw` is TIME-WAIT; `state:foo` lists the valid states instead
/// of "no listener matches".
#[test]
fn an_unknown_state_lists_the_valid_ones() {
    let typed = |a: &mut App, text: &str| {
        a.handle(Action::StartFilter);
        for c in text.chars() {
            a.handle(Action::FilterChar(c));
        }
        a.handle(Action::FilterDone);
    };
    let mut a = app(80, 24);
    typed(&mut a, "state:foo");
    snap("filter_unknown_state", &a);
    let mut tw = app(80, 24);
    typed(&mut tw, "state:tw");
    snap("filter_state_tw", &tw);
}

#[test]
fn paused_in_the_past() {
    both("paused", |a| {
        drive(
            a,
            &[Action::TogglePause, Action::StepBack, Action::StepBack],
        )
    });
}

#[test]
fn paused_drill_down_charts_end_at_the_shown_sample() {
    both("paused_drill", |a| {
        select_listener(a, "[::]:443");
        drive(
            a,
            &[
                Action::Open,
                Action::TogglePause,
                Action::StepBack,
                Action::StepBack,
            ],
        )
    });
}

#[test]
fn small_states() {
    let mut a = app(39, 9);
    snap("too_small", &a);
    a.handle(Action::Resize {
        width: 80,
        height: 24,
    });
    a.exported(Err(
        "export to /nope/x.json failed: No such file or directory (os error 2)".into(),
    ));
    snap("export_error", &a);
    a.status = Some(Status::Info(
        "exported ./sockscope-web-1-20261124T024009.000Z.json".into(),
    ));
    snap("export_ok", &a);
}

#[test]
fn empty_and_waiting() {
    let mut a = App::new(
        scene::settings(std::path::Path::new(".")),
        sockscope::ui::theme::Theme { color: false },
        ratatui::layout::Rect::new(0, 0, 80, 24),
    );
    snap("waiting", &a);
    let empty = sockscope::model::Snapshot::empty(scene::at(0), "web-1", "host");
    a.ingest(sockscope::model::Frame::new(empty));
    snap("empty", &a);
}

#[test]
fn replay_marker_slow_collection_and_collect_error() {
    let mut a = app(80, 24);
    a.settings.mode = Mode::Replay { speed: 2.0 };
    a.settings.replay_samples = (0..25).map(scene::at).collect();
    let mut slow = scene::sample(scene::SAMPLES);
    slow.collector.duration_us = 400_000;
    a.ingest(sockscope::model::Frame::new(slow));
    a.collect_failed("netlink tcp/ipv4 dump failed: No such process (os error 3)".into());
    snap("replay_slow_error", &a);
    drive(
        &mut a,
        &[Action::TogglePause, Action::StepBack, Action::StepBack],
    );
    snap("replay_paused", &a);
}

/// A sample whose states were kept from an older full dump says so in
/// the header, at 80 columns too.
#[test]
fn kept_states_show_their_age_in_the_header() {
    let mut a = app(80, 24);
    let mut kept = scene::sample(scene::SAMPLES);
    kept.collector.tiers = Some(sockscope::model::Tiers {
        states: sockscope::model::StatesTier::Kept,
        states_age_ms: 4_000,
        kept_namespaces: 1,
        ..sockscope::model::Tiers::default()
    });
    a.ingest(sockscope::model::Frame::new(kept));
    snap("kept_states", &a);
    let header = format!("{:?}", draw(&a).backend());
    assert!(header.contains("states 4.0s old"), "{header}");
}

/// The drill-down asks the collector for its namespace's states every
/// round (a single namespace is inode 0); the scene's alerts ask too.
#[test]
fn the_drill_down_asks_for_fresh_states() {
    let mut a = app(80, 24);
    let needs = a.needs();
    assert!(needs.focused.is_empty());
    assert_eq!(needs.alerting, [0], "the scene has active alerts");
    select_listener(&mut a, "[::]:443");
    drive(&mut a, &[Action::Open]);
    assert_eq!(a.needs().focused, [0]);
    drive(&mut a, &[Action::Back]);
    assert!(a.needs().focused.is_empty());
}

/// One severity palette: the critical marker red, the info marker cyan,
/// plain counts uncoloured (green read as "healthy").
#[test]
fn markers_use_the_severity_palette_and_counts_are_plain() {
    let a = app(80, 24);
    let term = draw(&a);
    let buf = term.backend().buffer();
    let row = |text: &str| {
        (0..buf.area.height)
            .find(|&y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
                    .contains(text)
            })
            .unwrap()
    };
    let (full, leak) = (row("java[2211]"), row("api[4121]"));
    assert_eq!(
        (buf[(1, full)].symbol(), buf[(1, full)].fg),
        ("‼", Color::Red)
    );
    assert_eq!(
        (buf[(1, leak)].symbol(), buf[(1, leak)].fg),
        ("i", Color::Cyan)
    );
    // ESTAB 129 of the full listener (the only ` 129 ` on its row).
    let cells: Vec<&str> = (0..buf.area.width)
        .map(|x| buf[(x, full)].symbol())
        .collect();
    let x = cells
        .windows(5)
        .position(|w| w == [" ", "1", "2", "9", " "])
        .unwrap() as u16
        + 1;
    assert_eq!(buf[(x, full)].fg, Color::Reset, "a count is not coloured");
}

#[test]
fn colours_mark_a_full_queue_and_vanish_under_no_color() {
    let mut a = app(80, 24);
    let row_of_8080 = |term: &ratatui::Terminal<ratatui::backend::TestBackend>| {
        let buf = term.backend().buffer();
        (0..buf.area.height)
            .find(|&y| {
                let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
                // The listener's row (the alert strip names the queue too).
                line.contains("129/128 █")
            })
            .expect("the full listener is drawn")
    };
    let gauge_color = |a: &App| {
        let term = draw(a);
        let y = row_of_8080(&term);
        let buf = term.backend().buffer();
        let x = (0..buf.area.width)
            .find(|&x| buf[(x, y)].symbol() == "█")
            .unwrap();
        buf[(x, y)].fg
    };
    assert_eq!(gauge_color(&a), Color::Red);
    a.theme.color = false;
    assert_eq!(gauge_color(&a), Color::Reset);
}

#[test]
fn every_screen_draws_at_awkward_sizes() {
    use crossterm::event::KeyCode;
    use sockscope::ui::keys::{for_app, press};
    let screens: [&[KeyCode]; 10] = [
        &[],
        &[KeyCode::Char('2')],
        &[KeyCode::Char('3')],
        &[KeyCode::Enter],
        &[KeyCode::Enter, KeyCode::Char('/'), KeyCode::Char('x')],
        &[KeyCode::Char('?')],
        &[KeyCode::Char(' '), KeyCode::Left],
        &[KeyCode::Char('a')],
        &[KeyCode::Char('t')],
        &[KeyCode::Char('c')],
    ];
    for (w, h) in [(40, 10), (41, 11), (45, 14), (60, 18), (200, 60), (300, 12)] {
        for keys in screens {
            let mut a = app(w, h);
            for k in keys {
                if let Some(act) = for_app(&press(*k), &a) {
                    a.handle(act);
                }
            }
            a.handle(Action::Move(3));
            draw(&a);
        }
    }
}
