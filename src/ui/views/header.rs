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

fn totals_line(app: &App, width: u16) -> Line<'static> {
    let t = &app.theme;
    let Some(shown) = app.shown() else {
        return Line::default();
    };
    let now = shown.agg.totals;
    let before = app.previous().map(|p| p.agg.totals);
    let wide = width >= 150;
    let mut spans = Vec::new();
    let mut push = |label: &str, value: u64, prev: Option<u64>, level: Level| {
        let level = if value == 0 { Level::Quiet } else { level };
        spans.push(Span::styled(format!("{label} "), t.dim()));
        spans.push(Span::styled(value.to_string(), t.level(level)));
        spans.push(Span::styled(format::delta(value, prev), t.dim()));
        spans.push(Span::raw("  "));
    };
    let states: Vec<TcpState> = if wide {
        TcpState::ALL.to_vec()
    } else {
        NARROW.to_vec()
    };
    for s in &states {
        push(s.ss_name(), now[*s], before.map(|b| b[*s]), state_level(*s));
    }
    if !wide {
        let other =
            |c: &crate::model::StateCounts| c.total() - NARROW.iter().map(|s| c[*s]).sum::<u64>();
        push("other", other(&now), before.as_ref().map(other), Level::Ok);
    } else {
        push("total", now.total(), before.map(|b| b.total()), Level::Ok);
    }
    Line::from(spans)
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
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{} ", state.ss_name()), t.dim()),
            Span::styled(now.to_string(), t.level(level)),
            Span::styled(
                match shown.len() {
                    1 => format!("  peak {peak} in 1 sample"),
                    n => format!("  peak {peak} in the last {n} samples"),
                },
                t.dim(),
            ),
        ])),
        label,
    );
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
