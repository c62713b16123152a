//! The listeners table: accept-queue gauge, connection states, alert marker.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row};

use super::widgets::{GAUGE_WIDTH, count, display_len, gauge, right};
use crate::model::TcpState::*;
use crate::ui::app::{App, Tab};
use crate::ui::theme::{Level, Theme};

/// Terminals at least this wide get the PROCESS and MEMBERS columns, and
/// LOCAL is sized to its content instead of taking the spare room.
const WIDE: u16 = 110;
/// Terminals at least this wide also get FILL, FIN-WAIT-1, FIN-WAIT-2,
/// LAST-ACK and the total of sockets.
const WIDER: u16 = 150;
/// LOCAL is at least this wide (`255.255.255.255:65535` and its header)...
const LOCAL_MIN: u16 = 21;
/// ...and at most this wide (a full IPv6 address with brackets and port).
const LOCAL_MAX: u16 = 47;

/// Draws the listeners table of the shown sample into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(shown) = app.shown() else { return };
    let t = &app.theme;
    let wide = area.width >= WIDE;
    let wider = area.width >= WIDER;
    let nav = &app.navs[Tab::Listeners as usize];
    let mut header = vec![Cell::from(""), Cell::from("LOCAL")];
    let local = if wide {
        // Sized to the rows on screen, so a million rows cost nothing here.
        let longest = nav
            .window(crate::ui::layout::table_rows(area))
            .iter()
            .map(|&i| display_len(&shown.agg.listeners[i as usize].local))
            .max()
            .unwrap_or(0);
        Constraint::Length((longest as u16).clamp(LOCAL_MIN, LOCAL_MAX))
    } else {
        Constraint::Min(LOCAL_MIN)
    };
    let mut widths = vec![Constraint::Length(1), local];
    let several = !shown.snapshot.netns_parts.is_empty();
    if several {
        header.push(Cell::from("NETNS"));
        let parts = &shown.snapshot.netns_parts;
        let longest = parts.iter().map(|p| p.label.chars().count()).max();
        let cap = if wide { 16 } else { 12 };
        widths.push(Constraint::Length(longest.unwrap_or(5).clamp(5, cap) as u16));
    }
    if wide {
        header.extend([Cell::from("PROCESS"), right("MEMBERS")]);
        widths.extend([Constraint::Fill(1), Constraint::Length(7)]);
    }
    header.push(Cell::from("    ACCEPT Q"));
    widths.push(Constraint::Length(GAUGE_WIDTH));
    if wider {
        header.push(right("FILL"));
        widths.push(Constraint::Length(5));
    }
    header.extend([right("SYN-RECV"), right("ESTAB")]);
    widths.extend([Constraint::Length(8), Constraint::Length(7)]);
    if wider {
        header.extend([right("FIN-WAIT-1"), right("FIN-WAIT-2")]);
        widths.extend([Constraint::Length(10), Constraint::Length(10)]);
    }
    header.extend([right("TIME-WAIT"), right("CLOSE-WAIT")]);
    widths.extend([Constraint::Length(9), Constraint::Length(10)]);
    if wider {
        header.extend([right("LAST-ACK"), right("SOCKETS")]);
        widths.extend([Constraint::Length(8), Constraint::Length(8)]);
    }
    let empty = if shown.agg.listeners.is_empty() {
        "no TCP listeners in this namespace"
    } else {
        "no listener matches the filter (Esc clears it)"
    };
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
        // A listener is as full as its fullest SO_REUSEPORT member.
        let (queue, backlog) = l.fullest().map_or((0, 0), |m| (m.accept_queue, m.backlog));
        cells.push(Cell::from(gauge(t, queue, backlog)));
        if wider {
            let level = Theme::fill_level(l.fill(), queue);
            let full = l.full_members();
            // "1/2": full members of members, when only some are full.
            let text = if full > 0 && full < l.members.len() {
                format!("{full}/{}", l.members.len())
            } else {
                format!("{:.0}%", l.fill() * 100.0)
            };
            cells.push(Cell::from(Line::from(text).right_aligned()).style(t.level(level)));
        }
        cells.extend([
            count(t, l.states[SynRecv], Level::Warn),
            count(t, l.states[Established], Level::Ok),
        ]);
        if wider {
            cells.extend([
                count(t, l.states[FinWait1], Level::Ok),
                count(t, l.states[FinWait2], Level::Ok),
            ]);
        }
        cells.extend([
            count(t, l.states[TimeWait], Level::Ok),
            count(t, l.states[CloseWait], Level::Warn),
        ]);
        if wider {
            cells.extend([
                count(t, l.states[LastAck], Level::Warn),
                count(t, l.sockets(), Level::Ok),
            ]);
        }
        Row::new(cells)
    });
}
