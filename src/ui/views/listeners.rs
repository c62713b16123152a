//! The listeners table: accept-queue gauge, connection states, alert marker.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::widgets::{GAUGE_WIDTH, count, gauge, right};
use crate::model::TcpState::*;
use crate::ui::app::{App, Tab};
use crate::ui::theme::Level;

/// Terminals at least this wide get the PROCESS and MEMBERS columns.
const WIDE: u16 = 110;

/// Draws the listeners table of the shown sample into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(shown) = app.shown() else { return };
    let t = &app.theme;
    let wide = area.width >= WIDE;
    let mut header = vec![Cell::from(""), Cell::from("LOCAL")];
    let mut widths = vec![Constraint::Length(1), Constraint::Min(21)];
    let several = !shown.snapshot.netns_parts.is_empty();
    if several {
        header.push(Cell::from("NETNS"));
        widths.push(Constraint::Length(if wide { 20 } else { 12 }));
    }
    if wide {
        header.extend([Cell::from("PROCESS"), right("MEMBERS")]);
        widths.extend([Constraint::Length(24), Constraint::Length(7)]);
    }
    header.extend([
        Cell::from("    ACCEPT Q"),
        right("SYN-RECV"),
        right("ESTAB"),
        right("TIME-WAIT"),
        right("CLOSE-WAIT"),
    ]);
    widths.extend([
        Constraint::Length(GAUGE_WIDTH),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(10),
    ]);
    let empty = if shown.agg.listeners.is_empty() {
        "no TCP listeners in this namespace"
    } else {
        "no listener matches the filter (Esc clears it)"
    };
    let nav = &app.navs[Tab::Listeners as usize];
    let columns = super::table::Columns {
        header,
        widths,
        empty,
    };
    super::table::render(frame, area, t, nav, columns, |i| {
        let l = &shown.agg.listeners[i as usize];
        let mut cells = vec![
            Cell::from(app.alert_marker(l).unwrap_or(" ")).style(t.level(Level::Bad)),
            Cell::from(l.local.to_string()),
        ];
        if several {
            let part = &shown.snapshot.netns_parts[usize::from(l.netns)];
            let style = match part.error {
                Some(_) => t.level(Level::Warn),
                None => t.dim(),
            };
            cells.push(Cell::from(part.label.clone()).style(style));
        }
        if wide {
            cells.push(Cell::from(
                app.process_of(l).unwrap_or_else(|| "-".to_owned()),
            ));
            cells.push(count(t, l.members.len() as u64, Level::Ok));
        }
        cells.extend([
            Cell::from(gauge(t, l.accept_queue, l.backlog)),
            count(t, l.states[SynRecv], Level::Warn),
            count(t, l.states[Established], Level::Ok),
            count(t, l.states[TimeWait], Level::Ok),
            count(t, l.states[CloseWait], Level::Warn),
        ]);
        Row::new(cells)
    });
}
