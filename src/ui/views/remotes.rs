//! The remotes table: outbound destinations and the local ports they use
//! against the size of `net.ipv4.ip_local_port_range`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::widgets::{GAUGE_WIDTH, count, gauge, right};
use crate::model::TcpState::*;
use crate::ui::app::{App, Tab};
use crate::ui::theme::Level;

/// Terminals at least this wide also get the ESTAB and SYN-SENT columns.
const WIDE: u16 = 100;

/// Terminals at least this wide also get the PROCESS column (the owners
/// holding most of the remote's sockets).
const WITH_PROCESS: u16 = 130;

/// Draws the remotes table of the shown sample into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(shown) = app.shown() else { return };
    let t = &app.theme;
    let wide = area.width >= WIDE;
    let range = shown.snapshot.ephemeral_port_count().unwrap_or(0);
    let mut header = vec![Cell::from("REMOTE"), Cell::from("FROM"), right("SOCKETS")];
    let mut widths = vec![
        Constraint::Min(21),
        Constraint::Max(16),
        Constraint::Length(7),
    ];
    if wide {
        header.extend([right("ESTAB"), right("SYN-SENT")]);
        widths.extend([Constraint::Length(7), Constraint::Length(8)]);
    }
    header.extend([right("TIME-WAIT"), Cell::from("   PORTS USED")]);
    widths.extend([Constraint::Length(9), Constraint::Length(GAUGE_WIDTH)]);
    let with_process = area.width >= WITH_PROCESS;
    if with_process {
        header.push(Cell::from(" PROCESS"));
        widths.push(Constraint::Length(24));
    }
    let empty = if shown.agg.remotes.is_empty() {
        "no outbound connections"
    } else {
        "no remote matches the filter (Esc clears it)"
    };
    let nav = &app.navs[Tab::Remotes as usize];
    let columns = super::table::Columns {
        header,
        widths,
        empty,
    };
    super::table::render(frame, area, t, nav, columns, |i| {
        let r = &shown.agg.remotes[i as usize];
        let mut cells = vec![
            Cell::from(r.remote.to_string()),
            Cell::from(r.local_ip.to_string()),
            count(t, r.states.total(), Level::Ok),
        ];
        if wide {
            cells.extend([
                count(t, r.states[Established], Level::Ok),
                count(t, r.states[SynSent], Level::Warn),
            ]);
        }
        cells.extend([
            count(t, r.states[TimeWait], Level::Ok),
            Cell::from(gauge(t, r.local_ports, range)),
        ]);
        if with_process {
            let label = shown.snapshot.processes.label(&r.processes);
            cells.push(Cell::from(format!(
                " {}",
                if label.is_empty() { "-" } else { &label }
            )));
        }
        Row::new(cells)
    });
}
