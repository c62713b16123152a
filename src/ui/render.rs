//! Draws the whole screen from the [`App`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::{App, Panel, Tab};
use super::layout;
use super::views;

/// Draws the current screen (overview or drill-down, plus overlays).
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if layout::too_small(area) {
        too_small(frame, area);
        return;
    }
    let (header, alerts, status, footer) = if app.drill.is_some() {
        let l = layout::drill(area);
        views::drill::render(frame, area, app);
        (l.header, l.alerts, l.status, l.footer)
    } else {
        let l = layout::overview(area, app.overview_split());
        views::tabs::render(frame, l.tabs, app);
        views::overview_lower::render(frame, l.lower, app);
        match app.tab {
            Tab::Listeners => views::listeners::render(frame, l.table, app),
            Tab::Remotes => views::remotes::render(frame, l.table, app),
            Tab::Unix => views::unix::render(frame, l.table, app),
        }
        (l.header, l.alerts, l.status, l.footer)
    };
    if let Some(panel) = app.panel {
        let body = layout::panel(area, app.drill.is_some());
        match panel {
            Panel::Alerts => views::alert_log::render(frame, body, app),
            Panel::Counters => views::counters::render(frame, body, app),
            Panel::Tunables => views::tunables::render(frame, body, app),
            Panel::UnixPeers => views::unix_peers::render(frame, body, app),
        }
    }
    views::header::render(frame, header, app);
    views::alerts::render(frame, alerts, app);
    views::status::render(frame, status, app);
    views::status::render_footer(frame, footer, app);
    if app.popup.is_some() {
        views::process::render(frame, area, app);
    }
    if app.help {
        views::help::render(frame, area, app);
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from("terminal too small"),
        Line::from(format!(
            "{}x{}, need {}x{}",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        )),
    ];
    let box_area = area.centered(Constraint::Length(area.width), Constraint::Length(2));
    frame.render_widget(Paragraph::new(text).centered(), box_area);
}
