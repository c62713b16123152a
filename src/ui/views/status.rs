//! The status line (filter input, export result, collection error) and the
//! footer with the keys of the current screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::{App, Mode, Status};

/// Draws the status line into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let line = if let Some(q) = &app.confirm {
        Line::styled(q.prompt(), t.error())
    } else if app.editing {
        let scope = if app.drill.is_some() {
            "filter connections"
        } else {
            "filter"
        };
        Line::from(vec![
            Span::styled(format!("{scope} /"), t.key()),
            Span::raw(app.active_filter().text.clone()),
            Span::styled("▏", t.key()),
            Span::styled(
                "   :PORT  TEXT  state:NAME   Enter keeps, Esc clears",
                t.dim(),
            ),
        ])
    } else if let Some(status) = &app.status {
        match status {
            Status::Info(s) => Line::raw(s.clone()),
            Status::Error(s) => Line::styled(s.clone(), t.error()),
        }
    } else if let Some(e) = &app.collect_error {
        Line::styled(format!("collection failed, retrying: {e}"), t.error())
    } else if app.finished {
        let end = match app.settings.mode {
            Mode::Live => "no more samples",
            Mode::Replay { .. } => "end of the recording",
        };
        Line::styled(format!("{end}: ←/→ step through the samples"), t.dim())
    } else if app.shown().is_none() {
        Line::styled("collecting the first sample…", t.dim())
    } else if let Some(a) = app.advice_in_view() {
        Line::from(vec![
            Span::styled(
                format!("{} {}: ", crate::ui::app::marker(a.severity), a.rule.id()),
                t.severity(a.severity),
            ),
            Span::raw(a.rule.advice()),
        ])
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// Draws the key hints of the current screen into `area`.
pub fn render_footer(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    // The keys of this layer, in the key table's order; the quit key
    // always ends the line and the rest are shown as far as the width allows.
    let keys = crate::ui::keys::footer(&app.settings.keys, app.layer());
    let quit = keys.last().filter(|(_, what)| *what == "quit").cloned();
    let width = |k: &str, what: &str| k.chars().count() + what.chars().count() + 3;
    let mut room =
        usize::from(area.width).saturating_sub(quit.as_ref().map_or(0, |(k, what)| width(k, what)));
    let mut spans = Vec::new();
    for (i, (k, what)) in keys.iter().enumerate() {
        let w = width(k, what);
        if quit.is_none() || i + 1 < keys.len() {
            if w > room {
                continue;
            }
            room -= w;
        }
        spans.push(Span::styled(k.clone(), t.key()));
        spans.push(Span::styled(format!(" {what}  "), t.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
