//! The dashboard's alert pieces on the synthetic incident of `scene`, with
//! kernel counters and tunables added: the alerts strip and row markers,
//! the alerts panel with its log, the drill-down's explanation, the
//! counters panel and the tunables advisor. TestBackend at fixed sizes and
//! fixed timestamps.

mod scene;

use std::time::Duration;

use ratatui::layout::Rect;
use scene::{SAMPLES, draw, drive, sample, select_listener, settings};
use sockscope::model::alerts::CloseWait;
use sockscope::model::{Frame, Rule, Severity, Snapshot, Thresholds};
use sockscope::ui::app::{Action, App, Panel};
use sockscope::ui::theme::Theme;

/// Sample `k` of the incident plus counters and tunables: ListenOverflows
/// rises by 12 a second from sample 8 while 127.0.0.1:8080 is near full,
/// and the php-fpm UNIX socket is full for the first five samples only.
fn incident(k: usize) -> Snapshot {
    let mut s = sample(k);
    let k64 = k as u64;
    let overflows = 100 + 12 * k64.saturating_sub(7);
    for (name, value) in [
        ("ListenOverflows", overflows),
        ("ListenDrops", overflows + 3),
        ("TW", 50 * k64),
        ("TCPAbortOnData", 7),
        ("TCPAbortOnClose", k64),
        ("EstabResets", 3 * k64),
    ] {
        s.counters.insert(name.to_owned(), value);
    }
    for (name, value) in [
        ("net.ipv4.tcp_max_syn_backlog", "512"),
        ("net.ipv4.tcp_syncookies", "1"),
        ("net.ipv4.tcp_abort_on_overflow", "0"),
        ("net.ipv4.tcp_fin_timeout", "60"),
        ("net.ipv4.tcp_tw_reuse", "2"),
        ("net.ipv4.tcp_max_tw_buckets", "262144"),
    ] {
        s.tunables.insert(name.to_owned(), value.to_owned());
    }
    s.unix_listeners[1].accept_queue = if k < 5 { 128 } else { 0 };
    s
}

fn thresholds() -> Thresholds {
    Thresholds {
        fire_after: 2,
        resolve_after: 2,
        close_wait: CloseWait {
            min_age: Duration::from_secs(3),
            min_count: 3,
            ..CloseWait::default()
        },
        ..Thresholds::default()
    }
}

fn app(width: u16, height: u16) -> App {
    let mut s = settings(std::path::Path::new("."));
    s.thresholds = thresholds();
    let mut app = App::new(s, Theme { color: true }, Rect::new(0, 0, width, height));
    for k in 0..SAMPLES {
        app.ingest(Frame::new(incident(k)));
    }
    app
}

fn snap(name: &str, app: &App) {
    let size = format!("{}x{}", app.size.width, app.size.height);
    insta::assert_snapshot!(format!("{name}_{size}"), draw(app).backend());
}

#[test]
fn the_incident_raises_the_expected_alerts_and_logs_the_resolved_one() {
    let app = app(80, 24);
    let active: Vec<(Rule, &str, Severity)> = app
        .shown()
        .unwrap()
        .alerts
        .active
        .iter()
        .map(|a| (a.rule, a.target.name.as_str(), a.severity))
        .collect();
    assert_eq!(
        active,
        [
            (
                Rule::AcceptQueueOverflow,
                "127.0.0.1:8080",
                Severity::Critical
            ),
            (Rule::CloseWaitLeak, "[::]:443", Severity::Warning),
            (Rule::BacklogClamped, "[::]:443", Severity::Info),
        ]
    );
    let log: Vec<_> = app.model.alerts.log().collect();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].alert.target.name, "/run/php/php-fpm.sock");
    assert_eq!(log[0].ended, scene::at(5));
}

#[test]
fn overview_strip_and_markers() {
    snap("alerts_overview", &app(80, 24));
}

#[test]
fn alerts_panel_with_log() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut a = app(w, h);
        drive(&mut a, &[Action::Panel(Panel::Alerts)]);
        snap("alerts_panel", &a);
    }
}

#[test]
fn alerts_panel_in_the_past_shows_the_alerts_of_then() {
    let mut a = app(160, 48);
    drive(
        &mut a,
        &[
            Action::TogglePause,
            Action::StepBack,
            Action::StepBack,
            Action::StepBack,
            Action::StepBack,
            Action::StepBack,
            Action::StepBack,
            Action::StepBack,
        ],
    );
    drive(&mut a, &[Action::Panel(Panel::Alerts)]);
    snap("alerts_panel_past", &a);
}

#[test]
fn drill_down_explains_the_listeners_alert() {
    let mut a = app(80, 24);
    select_listener(&mut a, "127.0.0.1:8080");
    drive(&mut a, &[Action::Open]);
    snap("alerts_drill", &a);
    drive(&mut a, &[Action::Panel(Panel::Alerts)]);
    snap("alerts_drill_explain", &a);
}

#[test]
fn tunables_panel() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut a = app(w, h);
        drive(&mut a, &[Action::Panel(Panel::Tunables)]);
        snap("tunables", &a);
    }
}

#[test]
fn counters_panel() {
    let mut a = app(160, 48);
    drive(&mut a, &[Action::Panel(Panel::Counters)]);
    snap("counters", &a);
}

/// Enter on an alert opens what it is about: the drill-down of its listener,
/// with the overview filter cleared so the row can be found.
#[test]
fn enter_on_an_alert_opens_its_listener() {
    let mut a = app(80, 24);
    drive(
        &mut a,
        &[
            Action::StartFilter,
            Action::FilterChar('2'),
            Action::FilterChar('2'),
            Action::FilterDone,
        ],
    );
    drive(&mut a, &[Action::Panel(Panel::Alerts), Action::Move(1)]);
    let chosen = a.selected_alert().unwrap().clone();
    assert_eq!(chosen.rule.id(), "close_wait_leak");
    drive(&mut a, &[Action::Open]);
    assert_eq!(a.panel, None);
    assert!(a.filter.is_empty(), "the filter hid the listener");
    assert_eq!(
        a.drill
            .as_ref()
            .unwrap()
            .target
            .listener()
            .unwrap()
            .local
            .to_string(),
        chosen.target.name
    );
    assert_eq!(chosen.target.name, "[::]:443");
    // The status line says what to do about it.
    let term = draw(&a);
    let buf = term.backend().buffer();
    let status: String = (0..80).map(|x| buf[(x, 22)].symbol()).collect();
    assert!(
        status.starts_with("! close_wait_leak: the app does not close()"),
        "{status}"
    );
}

#[test]
fn panel_keys_open_switch_scroll_and_close() {
    let mut a = app(80, 24);
    let selected = a.active_nav().selected;
    drive(&mut a, &[Action::Panel(Panel::Alerts)]);
    assert_eq!(a.panel, Some(Panel::Alerts));
    drive(&mut a, &[Action::Move(1)]);
    assert_eq!(a.alert_selected, 1, "arrows select the next alert");
    drive(&mut a, &[Action::Move(10)]);
    assert_eq!(a.alert_selected, 2, "the last of the 3 active alerts");
    assert_eq!(a.active_nav().selected, selected, "not the table under it");
    drive(&mut a, &[Action::Panel(Panel::Tunables), Action::Move(3)]);
    assert_eq!(a.panel_scroll, 3, "arrows scroll the other panels");
    drive(
        &mut a,
        &[
            Action::Panel(Panel::Counters),
            Action::Panel(Panel::Tunables),
        ],
    );
    assert_eq!((a.panel, a.panel_scroll), (Some(Panel::Tunables), 0));
    drive(&mut a, &[Action::Panel(Panel::Tunables)]);
    assert_eq!(a.panel, None, "the same key closes it");
    drive(&mut a, &[Action::Panel(Panel::Counters), Action::Back]);
    assert_eq!(a.panel, None, "Esc closes it");
}

/// README's table of what to do is the rules' own advice.
#[test]
fn readme_lists_every_rules_advice() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for rule in Rule::ALL {
        let row = format!("| `{}` | {} |", rule.id(), rule.advice());
        assert!(readme.contains(&row), "README.md should hold:\n{row}");
    }
}
