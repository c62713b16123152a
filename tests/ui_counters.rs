//! The counters panel (`c`) lists the listeners dropping connections
//! fastest, from each LISTEN socket's own `sk_drops`: the scene's samples
//! fed through a scripted source, where `127.0.0.1:8080`'s one member drops
//! 12 connections a second from sample 7 and one of `0.0.0.0:80`'s two
//! members 2 a second throughout while its sibling drops none.
//! TestBackend at 80x24 and 120x40, fixed timestamps.

mod scene;

use ratatui::layout::Rect;
use scene::{SAMPLES, draw, drive, sample, settings};
use sockscope::collector::{ScriptedSource, Source};
use sockscope::model::drop_rates::drop_rates;
use sockscope::model::{Frame, Snapshot, TcpState};
use sockscope::ui::app::{Action, App, Panel};
use sockscope::ui::theme::Theme;

/// Sample `k` of the scene with drop data on every LISTEN socket and the
/// namespace's `ListenDrops`/`ListenOverflows` equal to their sum.
fn dropping(k: usize) -> Snapshot {
    let mut s = sample(k);
    let k = k as u32;
    let mut sum = 0;
    for l in s
        .tcp
        .owned_mut()
        .iter_mut()
        .filter(|t| t.state == TcpState::Listen)
    {
        let d = match l.inode {
            3 => 2 * k,
            4 => 12 * k.saturating_sub(7),
            _ => 0,
        };
        l.drops = Some(d);
        sum += u64::from(d);
    }
    s.counters.insert("ListenDrops".to_owned(), 1000 + sum);
    s.counters.insert("ListenOverflows".to_owned(), 1000 + sum);
    s
}

/// The dashboard after every sample of the scripted source, counters panel open.
fn app(width: u16, height: u16) -> App {
    let mut app = App::new(
        settings(std::path::Path::new(".")),
        Theme { color: true },
        Rect::new(0, 0, width, height),
    );
    let mut source = ScriptedSource::new((0..SAMPLES).map(dropping));
    while let Ok(s) = source.collect() {
        app.ingest(Frame::new(s));
    }
    drive(&mut app, &[Action::Panel(Panel::Counters)]);
    app
}

#[test]
fn drop_rates_rank_the_listeners_and_name_the_member() {
    let app = app(80, 24);
    let rates = drop_rates(app.model.history.iter());
    /// Listener, drops/s now, peak drops/s, dropped, dominant member's inode.
    type Summary = (String, Option<f64>, f64, u64, Option<u32>);
    let summary: Vec<Summary> = rates
        .iter()
        .map(|l| {
            (
                l.key.local.to_string(),
                l.now_per_sec,
                l.peak_per_sec,
                l.dropped,
                l.dominant().map(|m| m.inode),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("127.0.0.1:8080".to_owned(), Some(12.0), 12.0, 24, Some(4)),
            ("0.0.0.0:80".to_owned(), Some(2.0), 2.0, 18, Some(3)),
        ],
        "8080 drops 12/s in its last two samples, :80's member 3 2/s over nine"
    );
    assert_eq!(rates[0].members[0].process, "java[2211]");
}

#[test]
fn paused_before_the_overflow_the_panel_shows_only_what_dropped_then() {
    let mut app = app(120, 40);
    drive(
        &mut app,
        &[
            Action::TogglePause,
            Action::StepBack,
            Action::StepBack,
            Action::StepBack,
        ],
    );
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("0.0.0.0:80"), "{screen}");
    assert!(!screen.contains("127.0.0.1:8080 "), "{screen}");
}

#[test]
fn counters_panel_with_dropping_listeners() {
    for (w, h) in [(80, 24), (120, 40)] {
        let app = app(w, h);
        insta::assert_snapshot!(format!("counters_dropping_{w}x{h}"), draw(&app).backend());
    }
}
