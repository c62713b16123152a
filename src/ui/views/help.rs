//! The `?` overlay: every key. On a terminal too short for all of them
//! it shows a window of the list, scrolled with the movement keys, and says
//! how many lines are above and below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::ui::app::App;
use crate::ui::keys::help_lines;
use crate::ui::layout;

/// Draws the help overlay centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let help = help_lines(&app.settings.keys);
    let key_w = help
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = help
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<key_w$}  "), t.key()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!(" {:<key_w$}  ", "mouse"), t.key()),
        Span::raw("wheel scrolls, click selects, click a header sorts"),
    ]));
    lines.push(Line::default());
    let close = app.settings.keys.label(crate::ui::keys::Command::Back, " ");
    lines.push(Line::styled(
        format!(" {close} or any other key closes this help"),
        t.dim(),
    ));
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 3;
    let visible = layout::help_visible(area, lines.len());
    let first = app.help_scroll.min(lines.len() - visible);
    let (above, below) = (first, lines.len() - visible - first);
    let mut block = Block::bordered().title(Span::styled(" keys ", t.title()));
    if above + below > 0 {
        let more = match (above, below) {
            (0, b) => format!(" ↓ {b} more (j/k PgDn) "),
            (a, 0) => format!(" ↑ {a} more (j/k PgUp) "),
            (a, b) => format!(" ↑ {a} ↓ {b} more (j/k) "),
        };
        block = block.title_bottom(Line::styled(more, t.key()).right_aligned());
    }
    let shown: Vec<Line> = lines.into_iter().skip(first).take(visible).collect();
    let height = visible as u16 + 2;
    let popup = area.centered(Constraint::Max(width), Constraint::Max(height));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(shown).block(block), popup);
}
