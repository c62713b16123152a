//! The clients of the selected UNIX listener (`Enter` on the UNIX tab):
//! those waiting in its accept queue and those it accepted, each with the
//! process holding the client socket.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::ui::app::{App, Tab};
use crate::ui::theme::Level;

/// Draws the panel into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    frame.render_widget(Clear, area);
    let shown = app.shown();
    let listener = shown.zip(app.navs[Tab::Unix as usize].selected_row());
    let Some((shown, row)) = listener else {
        let block = Block::bordered().title(Span::styled(" clients (Esc closes) ", t.title()));
        frame.render_widget(
            Paragraph::new("no UNIX listener selected").block(block),
            area,
        );
        return;
    };
    let snap = &shown.snapshot;
    let u = &snap.unix_listeners[row as usize];
    let title = format!(
        " clients of {} ({}/{} pending)  Esc closes ",
        if u.path.is_empty() {
            "(unnamed)"
        } else {
            &u.path
        },
        u.accept_queue,
        u.backlog
    );
    let block = Block::bordered().title(Span::styled(title, t.title()));
    let mut peers: Vec<_> = snap
        .unix_peers
        .iter()
        .filter(|p| p.listener == u.inode)
        .collect();
    peers.sort_by_key(|p| (p.server != 0, p.peer));
    let mut lines = vec![Line::styled(
        format!(
            "  {:<10} {:>12} {:>12}  {}",
            "STATE", "CLIENT INO", "SERVER INO", "CLIENT PROCESS"
        ),
        t.table_header(),
    )];
    if peers.is_empty() {
        let why = if !shown.has_sockets() {
            "  the client list of this sample is no longer kept (only the newest samples keep theirs)"
        } else if snap.processes.enabled {
            "  no client is connected"
        } else {
            "  clients are collected with process attribution (live sources only)"
        };
        lines.push(Line::styled(why, t.dim()));
    }
    for p in peers {
        let owners = snap.processes.of_inode(p.peer);
        let process = match owners.first().and_then(|&i| snap.processes.get(i)) {
            Some(info) => format!("{} {}", snap.processes.label(owners), info.cmdline),
            None => match snap.processes.label(owners).as_str() {
                "" => "-".to_owned(),
                q => q.to_owned(),
            },
        };
        let (state, level) = if p.server == 0 {
            ("queued", Level::Warn)
        } else {
            ("connected", Level::Ok)
        };
        let server = if p.server == 0 {
            "-".to_owned()
        } else {
            p.server.to_string()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {state:<10}"), t.level(level)),
            Span::raw(format!(" {:>12} {:>12}  {process}", p.peer, server)),
        ]));
    }
    let scroll = app.panel_scroll.min(lines.len().saturating_sub(1)) as u16;
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}
