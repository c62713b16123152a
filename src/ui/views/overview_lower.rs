//! The lower part of a split overview (listeners tab on a tall terminal):
//! the top remotes by socket count with their local ports in use against
//! `net.ipv4.ip_local_port_range`, and the active alerts, one line each.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::widgets::{GAUGE_WIDTH, Parts, count, display_len, gauge, right};
use crate::model::Remote;
use crate::model::TcpState::*;
use crate::ui::app::{App, marker};
use crate::ui::format;
use crate::ui::rows::remote_matches;
use crate::ui::theme::Level;

/// Draws the top remotes into `areas[0]` and the active alerts into
/// `areas[1]`; nothing when they are zero-sized.
pub fn render(frame: &mut Frame, areas: [Rect; 2], app: &App) {
    let [remotes, alerts] = areas;
    // Without outbound connections the alerts take the whole width.
    if app.shown().is_some_and(|f| f.agg.remotes.is_empty()) && alerts.height >= 2 {
        render_alerts(frame, remotes.union(alerts), app);
        return;
    }
    if remotes.height >= 2 {
        render_remotes(frame, remotes, app);
    }
    if alerts.height >= 2 {
        render_alerts(frame, alerts, app);
    }
}

fn title_and_body(area: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area)
}

fn render_remotes(frame: &mut Frame, area: Rect, app: &App) {
    let Some(shown) = app.shown() else { return };
    let t = &app.theme;
    let [title, body] = title_and_body(area);
    let range = shown.snapshot.ephemeral_port_count();
    let range_text = range.map_or_else(
        || "; ip_local_port_range unknown".to_owned(),
        |n| format!("; ports used of {n} in ip_local_port_range"),
    );
    let mut heading = Parts::default();
    heading.push(
        0,
        vec![Span::styled(
            format!("top remotes {}", shown.agg.remotes.len()),
            t.title(),
        )],
    );
    heading.push(3, vec![Span::styled("  by sockets", t.dim())]);
    heading.push(2, vec![Span::styled(range_text, t.dim())]);
    heading.push(1, vec![Span::styled("  (2: all)", t.dim())]);
    frame.render_widget(Paragraph::new(heading.line(title.width)), title);
    let want = usize::from(body.height.saturating_sub(1));
    let focus = app.netns_focus;
    let top: Vec<&Remote> = shown
        .agg
        .remotes
        .iter()
        .filter(|r| focus.is_none_or(|f| r.netns == f))
        .filter(|r| remote_matches(r, &shown.snapshot.processes, &app.filter))
        .take(want)
        .collect();
    let widest = |len: &dyn Fn(&Remote) -> usize, min: u16, max: u16| {
        let longest = top.iter().map(|r| len(r)).max().unwrap_or(0);
        Constraint::Length((longest as u16).clamp(min, max))
    };
    let remote_w = widest(&|r| display_len(&r.remote), 21, 47);
    let from_w = widest(&|r| display_len(&r.local_ip), 4, 39);
    let rows: Vec<Row> = top
        .iter()
        .map(|r| {
            Row::new(vec![
                Cell::from(r.remote.to_string()),
                Cell::from(r.local_ip.to_string()),
                count(t, r.states.total(), Level::Ok),
                count(t, r.states[TimeWait], Level::Ok),
                Cell::from(gauge(t, r.local_ports, range.unwrap_or(0))),
            ])
        })
        .collect();
    if rows.is_empty() {
        let msg = if shown.agg.remotes.is_empty() {
            "no outbound connections".to_owned()
        } else if app.filter.is_empty() {
            "no outbound connections in this namespace".to_owned()
        } else {
            app.filter.no_match("remote")
        };
        frame.render_widget(Paragraph::new(Line::styled(msg, t.dim())), body);
        return;
    }
    let table = Table::new(
        rows,
        [
            remote_w,
            from_w,
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Length(GAUGE_WIDTH),
        ],
    )
    .header(
        Row::new(vec![
            Cell::from("REMOTE"),
            Cell::from("FROM"),
            right("SOCKETS"),
            right("TIME-WAIT"),
            Cell::from("   PORTS USED"),
        ])
        .style(t.table_header()),
    )
    .column_spacing(1);
    frame.render_widget(table, body);
}

/// The active alerts, one or more lines each: with room to spare every
/// alert gets an equal share of the lines, its message wrapped under its
/// severity.
fn render_alerts(frame: &mut Frame, area: Rect, app: &App) {
    let Some(shown) = app.shown() else { return };
    let t = &app.theme;
    let [title, body] = title_and_body(area);
    let active = &shown.alerts.active;
    let mut heading = Parts::default();
    heading.push(
        0,
        vec![Span::styled(
            format!("active alerts {}", active.len()),
            t.title(),
        )],
    );
    heading.push(1, vec![Span::styled("  (a: details and log)", t.dim())]);
    frame.render_widget(Paragraph::new(heading.line(title.width)), title);
    let height = usize::from(body.height);
    if active.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled("none", t.dim())), body);
        return;
    }
    let fits = active.len() <= height;
    let shown_alerts = if fits {
        active.len()
    } else {
        height.saturating_sub(1)
    };
    let each = (height / active.len().max(1)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for a in active.iter().take(shown_alerts) {
        let head = format!("{} {:<8} ", marker(a.severity), a.severity.name());
        let indent = head.chars().count();
        let room = usize::from(body.width).saturating_sub(indent).max(1);
        let wrapped = textwrap::wrap(&a.message, room);
        for (n, text) in wrapped.iter().take(each).enumerate() {
            let last = n + 1 == each && wrapped.len() > each;
            let text = if last {
                format::fit(&format!("{text} …"), room)
            } else {
                text.to_string()
            };
            let lead = if n == 0 {
                Span::styled(head.clone(), t.severity(a.severity))
            } else {
                Span::raw(" ".repeat(indent))
            };
            lines.push(Line::from(vec![lead, Span::raw(text)]));
        }
    }
    if !fits {
        let hidden = active.len() - shown_alerts;
        lines.push(Line::styled(format!("… {hidden} more (a)"), t.dim()));
    }
    frame.render_widget(Paragraph::new(lines), body);
}
