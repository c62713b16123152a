//! The counters panel (`c`): per-second rates of the kernel's overflow,
//! SYN-cookie, TIME_WAIT and reset counters over the kept history, up to the
//! shown sample, with sparklines. Rates come from the pure model
//! ([`crate::model::rates`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Row, Table};

use super::widgets::{right, spark};
use crate::model::rates::{PANEL_COUNTERS, rate_series};
use crate::ui::app::App;
use crate::ui::theme::Level;

/// Rates are drawn with this many steps per event per second in the sparkline.
const SPARK_SCALE: f64 = 100.0;

fn rate(v: Option<f64>) -> String {
    match v {
        None => "-".to_owned(),
        Some(r) if r >= 100.0 => format!("{r:.0}"),
        Some(r) => format!("{r:.1}"),
    }
}

/// Draws the counters panel into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let shown = app.paused.unwrap_or(0);
    let history = &app.model.history;
    let upto = history.len().saturating_sub(shown);
    let spark_w = usize::from(area.width.saturating_sub(22 + 9 + 9 + 14 + 6));
    let rows: Vec<Row> = PANEL_COUNTERS
        .iter()
        .map(|name| {
            let series = rate_series(history.iter().take(upto), name);
            let now = series.last().copied().flatten();
            let max = series
                .iter()
                .flatten()
                .copied()
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
            let total = history
                .back(shown)
                .and_then(|f| f.snapshot.counters.get(*name).copied());
            let level = if now.is_some_and(|r| r > 0.0) {
                Level::Warn
            } else {
                Level::Quiet
            };
            let scaled: Vec<u64> = series
                .iter()
                .map(|v| (v.unwrap_or(0.0) * SPARK_SCALE).round() as u64)
                .collect();
            Row::new(vec![
                Cell::from(*name),
                Cell::from(Line::from(rate(now)).right_aligned()).style(t.level(level)),
                Cell::from(Line::from(rate(max)).right_aligned()),
                Cell::from(Span::styled(spark(&scaled, spark_w), t.spark(level))),
                Cell::from(
                    Line::from(total.map_or_else(|| "n/a".to_owned(), |v| v.to_string()))
                        .right_aligned(),
                ),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(22),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Min(4),
            Constraint::Length(14),
        ],
    )
    .header(
        Row::new(vec![
            Cell::from("COUNTER"),
            right("NOW /s"),
            right("MAX /s"),
            Cell::from("HISTORY"),
            right("SINCE BOOT"),
        ])
        .style(t.table_header()),
    )
    .column_spacing(1)
    .block(Block::bordered().title(Span::styled(
        " counters, per second between samples  (c or Esc closes) ",
        t.title(),
    )));
    frame.render_widget(Clear, area);
    frame.render_widget(table, area);
}
