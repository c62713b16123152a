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
        let target = d.target.alert_target(shown);
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
        let top: &Alert = drilled.unwrap_or(&set.active[0]);
        let hint = if drilled.is_some() {
            "  a: explain"
        } else {
            "  a: all"
        };
        // The counts say `‼ 2 critical`, or `‼2` when the message would
        // not fit whole otherwise.
        let counts = |short: bool| -> Vec<Span<'static>> {
            [Severity::Critical, Severity::Warning, Severity::Info]
                .into_iter()
                .filter(|&sev| set.count(sev) > 0)
                .map(|sev| {
                    let (m, n) = (marker(sev), set.count(sev));
                    let text = if short {
                        format!("{m}{n} ")
                    } else {
                        format!("{m} {n} {} ", sev.name())
                    };
                    Span::styled(text, t.severity(sev))
                })
                .collect()
        };
        let width = |spans: &[Span]| spans.iter().map(|s| s.width()).sum::<usize>();
        let message = top.message.chars().count();
        let mut c = counts(false);
        let fixed = width(&spans) + hint.len() + 1;
        if fixed + width(&c) + message > usize::from(area.width) {
            c = counts(true);
        }
        let room = usize::from(area.width).saturating_sub(fixed + width(&c));
        spans.extend(c);
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format::fit_clauses(&top.message, room),
            t.severity(top.severity),
        ));
        spans.push(Span::styled(hint, t.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
