//! The alerts strip under the header: active alerts by severity. The alert
//! engine fills it; until then it says there are none.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::App;

/// Draws the alerts strip into `area` (1 line).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let line = Line::from(vec![
        Span::styled("alerts ", app.theme.dim()),
        Span::styled("none", app.theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
