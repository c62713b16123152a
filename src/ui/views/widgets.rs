//! Small building blocks of the views: one-line sparklines, queue gauges,
//! right-aligned counts.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use crate::ui::theme::{Level, Theme};

const BARS: [char; 7] = ['▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A one-line sparkline of the last `width` values: `▁` for zero, `▂`..`█`
/// scaled to the largest value shown.
pub fn spark(values: &[u64], width: usize) -> String {
    let shown = &values[values.len().saturating_sub(width)..];
    let max = shown.iter().copied().max().unwrap_or(0);
    shown
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                '▁'
            } else {
                let level = ((v as f64 / max as f64) * BARS.len() as f64).ceil() as usize;
                BARS[level.clamp(1, BARS.len()) - 1]
            }
        })
        .collect()
}

/// Width of a queue gauge cell: `queued/backlog` then a 5-cell bar.
pub const GAUGE_WIDTH: u16 = 15;

/// A queue gauge: `  3/128 █····`, coloured by fill.
pub fn gauge(theme: &Theme, queued: u64, backlog: u64) -> Line<'static> {
    let fill = if backlog == 0 {
        0.0
    } else {
        queued as f64 / backlog as f64
    };
    let level = Theme::fill_level(fill, queued);
    let cells = 5usize;
    let full = if queued == 0 {
        0
    } else {
        ((fill * cells as f64).ceil() as usize).clamp(1, cells)
    };
    Line::from(vec![
        Span::styled(
            format!("{:>9} ", format!("{queued}/{backlog}")),
            theme.level(level),
        ),
        Span::styled("█".repeat(full), theme.level(level)),
        Span::styled("·".repeat(cells - full), theme.dim()),
    ])
}

/// A count, right-aligned, coloured by `level` (zero is always quiet).
pub fn count(theme: &Theme, value: u64, level: Level) -> Cell<'static> {
    let level = if value == 0 { Level::Quiet } else { level };
    Cell::from(Line::from(value.to_string()).right_aligned()).style(theme.level(level))
}

/// A right-aligned header title.
pub fn right(title: &'static str) -> Cell<'static> {
    Cell::from(Line::from(title).right_aligned())
}

/// A label and its sparkline with the current value: `TIME-WAIT ▁▂▅ 120`.
pub fn spark_line(
    theme: &Theme,
    label: &str,
    values: &[u64],
    width: u16,
    level: Level,
) -> Line<'static> {
    let last = values.last().copied().unwrap_or(0);
    let value = last.to_string();
    let used = label.chars().count() + value.len() + 2;
    let spark_width = usize::from(width).saturating_sub(used).max(1);
    Line::from(vec![
        Span::styled(format!("{label} "), theme.dim()),
        Span::styled(spark(values, spark_width), theme.spark(level)),
        Span::styled(format!(" {value}"), Style::new()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparks_scale_to_the_shown_maximum() {
        assert_eq!(spark(&[0, 1, 2, 4], 10), "▁▃▅█");
        assert_eq!(spark(&[9, 0, 0, 3], 2), "▁█");
        assert_eq!(spark(&[0, 0], 5), "▁▁");
        assert_eq!(spark(&[], 5), "");
    }
}
