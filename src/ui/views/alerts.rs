//! The alerts strip under the header: active alerts of the shown sample by
//! severity and the most severe one's message; in the drill-down, the
//! drilled listener's own alert first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::model::{Alert, Severity};
use crate::ui::app::{App, marker};
use crate::ui::format;

/// Draws the alerts strip into `area` (1 line).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(shown) = app.shown() else {
        frame.render_widget(Paragraph::new(Span::styled("alerts", t.dim())), area);
        return;
    };
    let set = &shown.alerts;
    let drilled = app.drill.as_ref().and_then(|d| {
        let target = shown.snapshot.listener_target(&d.key);
        set.active.iter().find(|a| a.target == target)
    });
    let mut spans = vec![Span::styled("alerts ", t.dim())];
    if set.active.is_empty() {
        spans.push(Span::styled("none", t.dim()));
        let resolved = app.model.alerts.log().len();
        if resolved > 0 {
            spans.push(Span::styled(
                format!("  ({resolved} resolved; a: log)"),
                t.dim(),
            ));
        }
    } else {
        for sev in [Severity::Critical, Severity::Warning, Severity::Info] {
            let n = set.count(sev);
            if n > 0 {
                spans.push(Span::styled(
                    format!("{} {n} {} ", marker(sev), sev.name()),
                    t.severity(sev),
                ));
            }
        }
        let top: &Alert = drilled.unwrap_or(&set.active[0]);
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let hint = if drilled.is_some() {
            "  a: explain"
        } else {
            "  a: all"
        };
        let room = usize::from(area.width).saturating_sub(used + hint.len() + 2);
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format::fit(&top.message, room),
            t.severity(top.severity),
        ));
        spans.push(Span::styled(hint, t.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
