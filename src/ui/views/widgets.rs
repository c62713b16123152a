//! Small building blocks of the views: one-line sparklines, queue gauges,
//! right-aligned counts.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use crate::ui::theme::{Level, Theme};

const BARS: [char; 7] = ['▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The top of a sparkline's scale when the largest value of its window is
/// `max`: `max` plus a quarter, rounded up to 1, 2, 3 or 5 × 10ⁿ (0 when
/// `max` is 0). The window's peak thus sits at 40-80% of the height and a
/// steady series never draws as full blocks, which would read "maxed out".
pub fn scale_top(max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    let want = max.saturating_add(max.div_ceil(4));
    let mut pow: u64 = 1;
    loop {
        for m in [1, 2, 3, 5] {
            let top = pow.saturating_mul(m);
            if top >= want {
                return top;
            }
        }
        pow = pow.saturating_mul(10);
    }
}

/// A one-line sparkline of the last `width` values on a scale from zero to
/// [`scale_top`] of their maximum: `▁` for zero, `▂`..`█` for the rest.
pub fn spark(values: &[u64], width: usize) -> String {
    let shown = &values[values.len().saturating_sub(width)..];
    let top = scale_top(shown.iter().copied().max().unwrap_or(0));
    shown
        .iter()
        .map(|&v| {
            if v == 0 || top == 0 {
                '▁'
            } else {
                let level = ((v as f64 / top as f64) * BARS.len() as f64).ceil() as usize;
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

/// Columns `value` takes when printed, without building the string.
pub fn display_len(value: &impl std::fmt::Display) -> usize {
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.chars().count();
            Ok(())
        }
    }
    let mut c = Count(0);
    std::fmt::write(&mut c, format_args!("{value}")).map_or(usize::MAX, |()| c.0)
}

/// A right-aligned header title.
pub fn right(title: &'static str) -> Cell<'static> {
    Cell::from(Line::from(title).right_aligned())
}

/// A label, its sparkline, the current value and the top of the scale:
/// `TIME-WAIT ▁▂▅ 120 ≤200` (the scale starts at zero; an all-zero series
/// has no scale).
pub fn spark_line(
    theme: &Theme,
    label: &str,
    values: &[u64],
    width: u16,
    level: Level,
) -> Line<'static> {
    let last = values.last().copied().unwrap_or(0);
    let value = last.to_string();
    // The scale depends on the shown window, which depends on the room left
    // by the scale's own label: size that label for the whole series.
    let widest = scale_top(values.iter().copied().max().unwrap_or(0));
    let used = label.chars().count() + value.len() + widest.to_string().len() + 4;
    let spark_width = usize::from(width).saturating_sub(used).max(1);
    let shown = &values[values.len().saturating_sub(spark_width)..];
    let top = scale_top(shown.iter().copied().max().unwrap_or(0));
    let mut spans = vec![
        Span::styled(format!("{label} "), theme.dim()),
        Span::styled(spark(values, spark_width), theme.spark(level)),
        Span::styled(format!(" {value}"), Style::new()),
    ];
    if top > 0 {
        spans.push(Span::styled(format!(" ≤{top}"), theme.dim()));
    }
    Line::from(spans)
}

/// A one-line text made of parts that a narrow terminal drops by rule:
/// the parts are taken by priority (lower first) while they fit, then
/// drawn in the order they were added, so a line never ends cut mid-word.
#[derive(Default)]
pub struct Parts {
    parts: Vec<(u8, Vec<Span<'static>>)>,
}

impl Parts {
    /// Adds a part of `priority` (0 is always kept, even cut).
    pub fn push(&mut self, priority: u8, spans: Vec<Span<'static>>) {
        self.parts.push((priority, spans));
    }

    /// The line in `width` cells.
    pub fn line(self, width: u16) -> Line<'static> {
        let width = usize::from(width);
        let mut order: Vec<usize> = (0..self.parts.len()).collect();
        order.sort_by_key(|&i| self.parts[i].0);
        let len = |i: usize| -> usize { self.parts[i].1.iter().map(|s| s.width()).sum() };
        let mut keep = vec![false; self.parts.len()];
        let mut used = 0;
        for i in order {
            if self.parts[i].0 == 0 || used + len(i) <= width {
                used += len(i);
                keep[i] = true;
            }
        }
        let spans = self
            .parts
            .into_iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .flat_map(|((_, spans), _)| spans);
        Line::from(spans.collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_drop_by_priority_and_keep_their_order() {
        let text = |w: u16| {
            let mut p = Parts::default();
            p.push(0, vec![Span::raw("remote 10.0.0.5:5432")]);
            p.push(2, vec![Span::raw("  ports 186 of 28232")]);
            p.push(1, vec![Span::raw("  process api[4121]")]);
            p.push(3, vec![Span::raw("  x")]);
            p.line(w).to_string()
        };
        assert_eq!(
            text(80),
            "remote 10.0.0.5:5432  ports 186 of 28232  process api[4121]  x"
        );
        assert_eq!(
            text(60),
            "remote 10.0.0.5:5432  ports 186 of 28232  process api[4121]"
        );
        assert_eq!(text(45), "remote 10.0.0.5:5432  process api[4121]  x");
        assert_eq!(text(10), "remote 10.0.0.5:5432");
    }

    #[test]
    fn sparks_scale_from_zero_with_headroom() {
        // 4 → top 5: 1/5, 2/5, 4/5 of seven steps.
        assert_eq!(spark(&[0, 1, 2, 4], 10), "▁▃▄▇");
        // Only the last two are shown: 3 → top 5.
        assert_eq!(spark(&[9, 0, 0, 3], 2), "▁▆");
        // A steady series is not drawn as full blocks.
        assert_eq!(spark(&[2, 2, 2], 5), "▆▆▆");
        assert_eq!(spark(&[0, 0], 5), "▁▁");
        assert_eq!(spark(&[], 5), "");
    }

    #[test]
    fn scale_tops_are_round_and_leave_headroom() {
        let tops: Vec<u64> = [0, 1, 2, 4, 8, 9, 10, 183, 240, 1_000_000]
            .into_iter()
            .map(scale_top)
            .collect();
        assert_eq!(tops, [0, 2, 3, 5, 10, 20, 20, 300, 300, 2_000_000]);
        assert_eq!(scale_top(u64::MAX), u64::MAX);
    }
}
