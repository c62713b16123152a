//! Big namespaces render: 50,000 listeners in the overview and 1,000,000
//! connections in one listener's drill-down. Tables are virtualised, so only
//! the visible rows are built; these tests check the visible rows exactly.

mod scene;

use sockscope::model::fixtures::{listen, snapshot, sock};
use sockscope::model::{Frame, TcpState::*};
use sockscope::ui::app::{Action, App};
use sockscope::ui::theme::Theme;

fn app_with(frame: Frame) -> App {
    let mut app = App::new(
        scene::settings(std::path::Path::new(".")),
        Theme { color: true },
        ratatui::layout::Rect::new(0, 0, 160, 48),
    );
    app.ingest(frame);
    app
}

fn screen(app: &App) -> String {
    scene::draw(app).backend().to_string()
}

#[test]
fn fifty_thousand_listeners() {
    let tcp = (0..50_000u64)
        .map(|i| {
            let addr = format!("10.{}.{}.1:{}", i / 250 % 250, i % 250, 1000 + i % 60_000);
            listen(&addr, (i % 7) as u32, 128, i + 1)
        })
        .collect();
    let mut app = app_with(Frame::new(snapshot(scene::T0, tcp)));
    assert_eq!(app.active_nav().rows.len(), 50_000);
    app.handle(Action::Bottom);
    let s = screen(&app);
    assert!(s.contains(" Listeners 50000 "), "{s}");
    assert_eq!(app.active_nav().selected, 49_999);
    let last = app.active_nav().selected_row().unwrap() as usize;
    let local = app.shown().unwrap().agg.listeners[last].local.to_string();
    assert!(
        s.contains(&format!("▶  {local} ")),
        "the last row is drawn selected:\n{s}"
    );
}

#[test]
fn a_million_connections_in_one_listener() {
    const N: u64 = 1_000_000;
    let mut tcp = Vec::with_capacity(N as usize + 1);
    tcp.push(listen("0.0.0.0:443", 5, 4096, 1));
    for i in 0..N {
        let state = if i % 10 == 0 { CloseWait } else { Established };
        let peer = format!(
            "10.{}.{}.{}:{}",
            i >> 16 & 0xff,
            i >> 8 & 0xff,
            i & 0xff,
            20_000 + i % 40_000
        );
        tcp.push(sock(state, "10.0.0.1:443", &peer, i + 2));
    }
    let mut app = app_with(Frame::new(snapshot(scene::T0, tcp)));
    app.handle(Action::Open);
    let d = app.drill.as_ref().expect("drill-down open");
    assert_eq!(d.nav.rows.len(), N as usize);
    app.handle(Action::Page(1));
    let s = screen(&app);
    assert!(s.contains("connections 1000000"), "{s}");
    assert!(s.contains("ESTAB      ▅ 900000 ≤2000000"), "{s}");
    assert!(s.contains("CLOSE-WAIT ▅ 100000 ≤200000"), "{s}");
}
