//! The UNIX listeners table: path, kind, pending/backlog gauge and owning
//! processes; `Enter` lists a listener's clients.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::widgets::{GAUGE_WIDTH, gauge, right};
use crate::model::UnixKind;
use crate::ui::app::{App, Tab};

/// Terminals at least this wide get the PROCESS column.
const WIDE: u16 = 110;

/// Draws the UNIX listeners of the shown sample into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(shown) = app.shown() else { return };
    let t = &app.theme;
    let list = &shown.snapshot.unix_listeners;
    let wide = area.width >= WIDE;
    let mut header = vec![
        Cell::from("PATH"),
        Cell::from("KIND"),
        right("INODE"),
        Cell::from("     PENDING"),
    ];
    let mut widths = vec![
        Constraint::Min(20),
        Constraint::Length(9),
        Constraint::Length(10),
        Constraint::Length(GAUGE_WIDTH),
    ];
    if wide {
        header.push(Cell::from("PROCESS"));
        widths.push(Constraint::Length(28));
    }
    let no_match = app.filter.no_match("UNIX listener");
    let empty = if list.is_empty() {
        "no UNIX listeners in this namespace"
    } else {
        &no_match
    };
    let nav = &app.navs[Tab::Unix as usize];
    let columns = super::table::Columns {
        header,
        widths,
        empty,
    };
    super::table::render(frame, area, t, nav, columns, |i| {
        let u = &list[i as usize];
        let path = if u.path.is_empty() {
            "(unnamed)"
        } else {
            &u.path
        };
        let mut cells = vec![
            Cell::from(path.to_owned()),
            Cell::from(match u.kind {
                UnixKind::Stream => "stream",
                UnixKind::Seqpacket => "seqpacket",
            }),
            Cell::from(ratatui::text::Line::from(u.inode.to_string()).right_aligned()),
            Cell::from(gauge(t, u64::from(u.accept_queue), u64::from(u.backlog))),
        ];
        if wide {
            let owners = &shown.agg.unix_processes[i as usize];
            let label = shown.snapshot.processes.label(owners);
            cells.push(Cell::from(if label.is_empty() {
                "-".to_owned()
            } else {
                label
            }));
        }
        Row::new(cells)
    });
}
