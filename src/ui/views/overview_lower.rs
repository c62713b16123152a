//! The lower part of a split overview (listeners tab on a tall terminal):
//! the top remotes by socket count with their local ports in use against
//! `net.ipv4.ip_local_port_range`, and the active alerts, one line each.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::widgets::{GAUGE_WIDTH, count, display_len, gauge, right};
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
        || "ip_local_port_range unknown".to_owned(),
        |n| format!("ports used of {n} in ip_local_port_range"),
    );
    let heading = Line::from(vec![
        Span::styled(
            format!("top remotes {} ", shown.agg.remotes.len()),
            t.title(),
        ),
        Span::styled(format!(" by sockets; {range_text}  (2: all)"), t.dim()),
    ]);
    frame.render_widget(Paragraph::new(heading), title);
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
            "no outbound connections"
        } else {
            "no remote matches the filter"
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

fn render_alerts(frame: &mut Frame, area: Rect, app: &App) {
    let Some(shown) = app.shown() else { return };
    let t = &app.theme;
    let [title, body] = title_and_body(area);
    let active = &shown.alerts.active;
    let heading = Line::from(vec![
        Span::styled(format!("active alerts {}", active.len()), t.title()),
        Span::styled("  (a: details and log)", t.dim()),
    ]);
    frame.render_widget(Paragraph::new(heading), title);
    let width = usize::from(body.width);
    let mut lines: Vec<Line> = active
        .iter()
        .take(usize::from(body.height))
        .map(|a| {
            let head = format!("{} {:<8} ", marker(a.severity), a.severity.name());
            let room = width.saturating_sub(head.chars().count());
            Line::from(vec![
                Span::styled(head, t.severity(a.severity)),
                Span::raw(format::fit(&a.message, room)),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("none", t.dim()));
    } else if active.len() > lines.len() {
        let hidden = active.len() - lines.len() + 1;
        lines.pop();
        lines.push(Line::styled(format!("… {hidden} more (a)"), t.dim()));
    }
    frame.render_widget(Paragraph::new(lines), body);
}
