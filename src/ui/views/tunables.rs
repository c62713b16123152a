//! The tunables advisor (`t`): each TCP tunable's current value, the
//! commonly recommended one and why, from [`crate::model::advisor`]. Rows
//! that a live alert concerns stand out in the alert's colour. sockscope
//! only advises; it never writes a sysctl.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::model::advisor::advise;
use crate::ui::app::{App, marker};
use crate::ui::theme::Level;

/// Draws the tunables panel into `area`: per tunable, a line with the
/// current and recommended values, then the reason, indented.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Span::styled(
        " tunables advisor, read-only: sockscope never writes sysctls  (t or Esc closes) ",
        t.title(),
    ));
    let Some(shown) = app.shown() else {
        frame.render_widget(Paragraph::new("no sample yet").block(block), area);
        return;
    };
    let mut lines = vec![Line::styled(
        format!("  {:<30} {:>14}  {}", "SYSCTL", "NOW", "RECOMMENDED"),
        t.table_header(),
    )];
    for a in advise(&shown.snapshot, &shown.agg, &shown.alerts) {
        // Alarm colours only where the value is off; a live alert on a
        // tunable that is already right (somaxconn at its recommendation)
        // is about the application, not the sysctl.
        let (mark, mark_style) = match a.alert {
            _ if a.ok => ("✓", t.level(Level::Ok)),
            Some((_, sev)) => (marker(sev), t.severity(sev)),
            None => ("!", t.level(Level::Warn)),
        };
        let now_style = if a.ok { t.level(Level::Ok) } else { mark_style };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), mark_style),
            Span::raw(format!("{:<30} ", a.sysctl)),
            Span::styled(
                format!("{:>14}", a.current.as_deref().unwrap_or("?")),
                now_style,
            ),
            Span::raw(format!("  {}", a.recommended)),
        ]));
        let (reason, reason_style) = match a.alert {
            Some((rule, sev)) if !a.ok => (format!("{rule}: {}", a.reason), t.severity(sev)),
            Some((rule, _)) => (
                format!("{rule} is live, this value is fine: {}", a.reason),
                t.dim(),
            ),
            None => (a.reason, t.dim()),
        };
        lines.push(Line::styled(format!("    {reason}"), reason_style));
    }
    let scroll = app.panel_scroll.min(lines.len().saturating_sub(1)) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        area,
    );
}
