//! The tab bar: one tab per table with its row count, then sort and filter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::{App, Tab};

fn label(app: &App, tab: Tab) -> String {
    let n = app.shown().map_or(0, |f| match tab {
        Tab::Listeners => f.agg.listeners.len(),
        Tab::Remotes => f.agg.remotes.len(),
        Tab::Unix => f.snapshot.unix_listeners.len(),
    });
    let name = match tab {
        Tab::Listeners => "Listeners",
        Tab::Remotes => "Remotes",
        Tab::Unix => "UNIX",
    };
    format!(" {} {name} {n} ", tab as usize + 1)
}

/// The tab under column `x` of the tab bar, for mouse clicks.
pub fn tab_at(app: &App, x: u16) -> Option<Tab> {
    let mut start = 0u16;
    for tab in Tab::ALL {
        let w = label(app, tab).chars().count() as u16;
        if x >= start && x < start + w {
            return Some(tab);
        }
        start += w + 1;
    }
    None
}

/// Draws the tab bar into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut spans = Vec::new();
    for tab in Tab::ALL {
        let style = if tab == app.tab {
            t.title().add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            t.dim()
        };
        spans.push(Span::styled(label(app, tab), style));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(
        format!(" sort: {}", app.sort_label()),
        t.dim(),
    ));
    if !app.filter.is_empty() {
        spans.push(Span::styled("  filter: ", t.dim()));
        spans.push(Span::styled(app.filter.text.clone(), t.key()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
