//! One dashboard frame at 200x60 on the TestBackend, with 5,000 listeners
//! and 100,000 connections: drawing the overview, drawing the drill-down of
//! the busiest listener, taking a new sample (row rebuild and sort) and
//! answering a key press (selection move plus redraw).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use sockscope::model::{Frame, fixtures};
use sockscope::ui::app::{Action, App, Mode, Settings};
use sockscope::ui::render;
use sockscope::ui::theme::Theme;

const LISTENERS: usize = 5_000;
const CONNECTIONS: usize = 100_000;

fn app() -> (App, Frame) {
    let settings = Settings {
        interval: Duration::from_secs(1),
        history: Duration::from_secs(600),
        export_dir: ".".into(),
        mode: Mode::Live,
        thresholds: Default::default(),
        read_only: true,
        keys: Default::default(),
        replay_samples: Vec::new(),
    };
    let mut app = App::new(settings, Theme { color: true }, Rect::new(0, 0, 200, 60));
    let first = fixtures::busy_host("2026-11-24T00:00:00Z", LISTENERS, CONNECTIONS);
    let second = fixtures::busy_host("2026-11-24T00:00:01Z", LISTENERS, CONNECTIONS);
    app.ingest(Frame::new(first));
    let frame = Frame::new(second);
    app.ingest(frame.clone());
    (app, frame)
}

fn render(c: &mut Criterion) {
    let (mut app, frame) = app();
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("render_overview_200x60", |b| {
        b.iter(|| term.draw(|f| render::draw(f, &app)).unwrap().area)
    });
    c.bench_function("key_move_and_redraw_200x60", |b| {
        b.iter(|| {
            app.handle(Action::Move(1));
            term.draw(|f| render::draw(f, &app)).unwrap().area
        })
    });
    c.bench_function("ingest_sample_5k_listeners", |b| {
        b.iter(|| app.ingest(frame.clone()))
    });
    app.handle(Action::Top);
    app.handle(Action::Open);
    c.bench_function("render_drill_down_200x60", |b| {
        b.iter(|| term.draw(|f| render::draw(f, &app)).unwrap().area)
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
