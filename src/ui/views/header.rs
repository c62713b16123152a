//! The header: who and when (host, namespace, interval, sample time, LIVE /
//! PAUSED / REPLAY), totals per state with the change since the previous
//! sample, and sparklines of TIME_WAIT, CLOSE_WAIT and SYN_RECV: one line
//! each on a small terminal, three-line charts with their scale on a tall one.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

use super::widgets::{scale_top, spark_line};
use crate::model::TcpState::{self, *};
use crate::ui::app::{App, Mode};
use crate::ui::format;
use crate::ui::theme::Level;

/// States in the totals line of a narrow terminal; the rest are summed as "other".
const NARROW: [TcpState; 5] = [Established, SynRecv, TimeWait, CloseWait, Listen];

/// Draws the header into `area` (3 lines, or 6 for tall sparklines).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let [ident, totals, sparks] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(identity(app)), ident);
    frame.render_widget(Paragraph::new(totals_line(app, area.width)), totals);
    render_sparks(frame, sparks, app);
}

fn identity(app: &App) -> Line<'static> {
    let t = &app.theme;
    let mut spans = vec![Span::styled("sockscope", t.title())];
    let Some(shown) = app.shown() else {
        spans.push(Span::styled("  waiting for the first sample…", t.dim()));
        return Line::from(spans);
    };
    let snap = &shown.snapshot;
    let field = |label: &str, value: String| {
        [
            Span::styled(format!("  {label} "), t.dim()),
            Span::raw(value),
        ]
    };
    let behind = app
        .latest()
        .map(|l| l.snapshot.taken_at.duration_since(snap.taken_at))
        .unwrap_or_default();
    let marker = match (app.settings.mode, app.paused) {
        (Mode::Live, None) => {
            Span::styled(" LIVE ", t.level(Level::Ok).add_modifier(Modifier::BOLD))
        }
        (Mode::Live, Some(_)) => {
            Span::styled(format!(" PAUSED {} ", format::offset(behind)), t.marker())
        }
        (Mode::Replay { speed }, paused) => {
            let state = if paused.is_some() {
                format!(" {}", format::offset(behind))
            } else {
                String::new()
            };
            let samples = &app.settings.replay_samples;
            let position = match samples.partition_point(|&t| t <= snap.taken_at) {
                0 => String::new(),
                n => format!(" sample {n}/{}", samples.len()),
            };
            Span::styled(format!(" REPLAY x{speed}{position}{state} "), t.marker())
        }
    };
    spans.push(Span::raw(" "));
    spans.push(marker);
    spans.push(Span::raw(format!(" {} UTC", format::clock(snap.taken_at))));
    if let Some(age) = snap.collector.tiers.and_then(|t| t.age_text()) {
        spans.push(Span::styled(format!("  {age}"), t.level(Level::Warn)));
    }
    let took_us = snap.collector.duration_us;
    let slow = took_us.saturating_mul(5) > app.settings.interval.as_micros() as u64;
    let took = format!("{:.1}ms", took_us as f64 / 1000.0);
    if slow {
        spans.push(Span::styled(
            format!(
                "  slow: took {took} of {}",
                format::interval(app.settings.interval)
            ),
            t.level(Level::Warn),
        ));
    }
    spans.extend(field("host", snap.hostname.clone()));
    let netns = match app.netns_focus_label() {
        Some(one) => format!("{one} (1 of {})", snap.netns_parts.len()),
        None if !snap.netns_parts.is_empty() => format!("all {}", snap.netns_parts.len()),
        None => snap.netns.clone(),
    };
    spans.extend(field("netns", netns));
    spans.extend(field("every", format::interval(app.settings.interval)));
    if !slow {
        spans.extend(field("took", took));
    }
    Line::from(spans)
}

fn state_level(state: TcpState) -> Level {
    match state {
        SynRecv | CloseWait => Level::Warn,
        _ => Level::Ok,
    }
}

/// One count of the totals line.
struct Total {
    label: &'static str,
    value: u64,
    before: Option<u64>,
    level: Level,
}

fn totals_line(app: &App, width: u16) -> Line<'static> {
    let t = &app.theme;
    let Some(shown) = app.shown() else {
        return Line::default();
    };
    let now = shown.agg.totals;
    let before = app.previous().map(|p| p.agg.totals);
    let wide = width >= 150;
    let states: &[TcpState] = if wide { &TcpState::ALL } else { &NARROW };
    let mut totals: Vec<Total> = states
        .iter()
        .map(|&s| Total {
            label: s.ss_name(),
            value: now[s],
            before: before.map(|b| b[s]),
            level: state_level(s),
        })
        .collect();
    let other =
        |c: &crate::model::StateCounts| c.total() - states.iter().map(|s| c[*s]).sum::<u64>();
    totals.push(Total {
        label: if wide { "total" } else { "other" },
        value: if wide { now.total() } else { other(&now) },
        before: before.map(|b| if wide { b.total() } else { other(&b) }),
        level: Level::Ok,
    });
    // Abbreviated by rule until it fits: the CLOSE-WAIT split in words;
    // without the rarer states at 0; `in`/`out`; without the last counts
    // (other or total, then LISTEN).
    let (inbound, outbound) = close_wait_split(&shown.agg);
    let rare_zero = |c: &Total| c.value == 0 && !NARROW.iter().any(|s| s.ss_name() == c.label);
    let tries = [
        (true, false, 0),
        (true, true, 0),
        (false, true, 0),
        (false, true, 1),
        (false, true, 2),
    ];
    let mut line = Line::default();
    for (words, quiet, drop) in tries {
        let split = (outbound > 0).then(|| {
            let (i, o) = if words {
                ("inbound", "outbound")
            } else {
                ("in", "out")
            };
            format!(" = {inbound} {i} + {outbound} {o}")
        });
        let keep: Vec<&Total> = totals[..totals.len().saturating_sub(drop)]
            .iter()
            .filter(|c| !(quiet && rare_zero(c)))
            .collect();
        line = Line::from(totals_spans(t, &keep, split));
        if line.width() <= usize::from(width) {
            break;
        }
    }
    line
}

/// The spans of `totals`, `split` after the CLOSE-WAIT count.
fn totals_spans(
    t: &crate::ui::theme::Theme,
    totals: &[&Total],
    split: Option<String>,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (n, c) in totals.iter().enumerate() {
        let level = if c.value == 0 { Level::Quiet } else { c.level };
        if n > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(format!("{} ", c.label), t.dim()));
        spans.push(Span::styled(c.value.to_string(), t.level(level)));
        spans.push(Span::styled(format::delta(c.value, c.before), t.dim()));
        if c.label == CloseWait.ss_name()
            && let Some(split) = &split
        {
            spans.push(Span::styled(split.clone(), t.dim()));
        }
    }
    spans
}

/// How the CLOSE_WAIT total splits: the listeners' connections (inbound:
/// on a listening port) and the remotes' (outbound), so the header's
/// `CLOSE-WAIT 44 = 38 inbound + 6 outbound` adds up with the two tabs.
/// Shown only when some are outbound (else the listeners' rows add up).
fn close_wait_split(agg: &crate::model::Aggregate) -> (u64, u64) {
    let inbound: u64 = agg.listeners.iter().map(|l| l.states[CloseWait]).sum();
    let outbound: u64 = agg.remotes.iter().map(|r| r.states[CloseWait]).sum();
    (inbound, outbound)
}

fn render_sparks(frame: &mut Frame, area: Rect, app: &App) {
    let Some(shown) = app.shown() else { return };
    let upto = shown.snapshot.taken_at;
    let cells = Layout::horizontal([Constraint::Ratio(1, 3); 3])
        .spacing(2)
        .split(area);
    for (cell, state) in cells.iter().zip([TimeWait, CloseWait, SynRecv]) {
        let values: Vec<u64> = app
            .model
            .history
            .iter()
            .filter(|f| f.snapshot.taken_at <= upto)
            .map(|f| f.agg.totals[state])
            .collect();
        if cell.height >= 2 {
            tall_spark(frame, *cell, app, state, &values);
        } else {
            let line = spark_line(
                &app.theme,
                state.ss_name(),
                &values,
                cell.width,
                state_level(state),
            );
            frame.render_widget(Paragraph::new(line), *cell);
        }
    }
}

/// A label line (`TIME-WAIT 183  peak 183 in the last 10 samples`) over a chart of the
/// rest of `area`'s height, with the scale (top and 0) on its left.
fn tall_spark(frame: &mut Frame, area: Rect, app: &App, state: TcpState, values: &[u64]) {
    let t = &app.theme;
    let [label, chart] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let now = values.last().copied().unwrap_or(0);
    let top_label = scale_top(values.iter().copied().max().unwrap_or(0)).to_string();
    let gutter = top_label.len() as u16 + 1;
    let [axis, bars] =
        Layout::horizontal([Constraint::Length(gutter), Constraint::Min(1)]).areas(chart);
    let shown = &values[values.len().saturating_sub(usize::from(bars.width))..];
    let peak = shown.iter().copied().max().unwrap_or(0);
    let top = scale_top(peak);
    let level = if now == 0 {
        Level::Quiet
    } else {
        state_level(state)
    };
    let head = vec![
        Span::styled(format!("{} ", state.ss_name()), t.dim()),
        Span::styled(now.to_string(), t.level(level)),
    ];
    let used: usize = head.iter().map(|s| s.width()).sum();
    let mut spans = head;
    if let Some(peak) = peak_text(
        peak,
        shown.len(),
        usize::from(label.width).saturating_sub(used),
    ) {
        spans.push(Span::styled(peak, t.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), label);
    let mut ticks = vec![Line::default(); usize::from(axis.height)];
    // An all-zero window has no scale, only its baseline.
    if let Some(first) = ticks.first_mut().filter(|_| top > 0) {
        *first = Line::styled(format!("{top:>w$}", w = usize::from(gutter - 1)), t.dim());
    }
    if let Some(last) = ticks.last_mut() {
        *last = Line::styled(format!("{:>w$}", 0, w = usize::from(gutter - 1)), t.dim());
    }
    frame.render_widget(Paragraph::new(ticks), axis);
    frame.render_widget(
        Sparkline::default()
            .data(shown.to_vec())
            .max(top.max(1))
            .style(t.spark(state_level(state))),
        bars,
    );
}

/// The peak of a chart's window of `n` samples in at most `room` cells,
/// shortened by rule: `  peak 183 in the last 10 samples`, `  peak 183 of
/// last 10`, `  peak 183`, or nothing.
fn peak_text(peak: u64, n: usize, room: usize) -> Option<String> {
    let long = match n {
        1 => format!("  peak {peak} in 1 sample"),
        n => format!("  peak {peak} in the last {n} samples"),
    };
    [
        long,
        format!("  peak {peak} of last {n}"),
        format!("  peak {peak}"),
    ]
    .into_iter()
    .find(|s| s.chars().count() <= room)
}

#[cfg(test)]
mod tests {
    use super::peak_text;

    #[test]
    fn peaks_shorten_by_rule() {
        assert_eq!(
            peak_text(183, 10, 40).as_deref(),
            Some("  peak 183 in the last 10 samples")
        );
        assert_eq!(peak_text(0, 6, 25).as_deref(), Some("  peak 0 of last 6"));
        assert_eq!(peak_text(183, 10, 12).as_deref(), Some("  peak 183"));
        assert_eq!(peak_text(183, 10, 5), None);
    }
}
