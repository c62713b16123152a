//! The remotes table: outbound destinations, who holds the sockets, their
//! states, and the local ports they use against the size of
//! `net.ipv4.ip_local_port_range`. Its columns are [`RemoteCol`].

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Cell, Row};

use super::widgets::{GAUGE_WIDTH, count, display_len, gauge};
use crate::model::{Remote, TcpState};
use crate::ui::app::{App, Tab};
use crate::ui::columns::{self, Columns, Natural, Shown, Spec};
use crate::ui::theme::{Level, Theme};

/// The columns of the remotes table, left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum RemoteCol {
    Remote,
    From,
    Process,
    Sockets,
    Estab,
    SynSent,
    TimeWait,
    CloseWait,
    PortsUsed,
}

impl Columns for RemoteCol {
    const ALL: &'static [RemoteCol] = &[
        RemoteCol::Remote,
        RemoteCol::From,
        RemoteCol::Process,
        RemoteCol::Sockets,
        RemoteCol::Estab,
        RemoteCol::SynSent,
        RemoteCol::TimeWait,
        RemoteCol::CloseWait,
        RemoteCol::PortsUsed,
    ];
    const DEFAULT_SORT: &'static str = "SOCKETS";

    /// Who holds the sockets and how many ports they use outrank the
    /// state break-down and the local address.
    fn spec(self) -> Spec {
        use Natural::*;
        use RemoteCol::*;
        let (title, width, priority, sort) = match self {
            Remote => ("REMOTE", 6, 0, Some(Asc)),
            Process => ("PROCESS", 12, 1, Some(Asc)),
            Sockets => ("SOCKETS", 7, 2, Some(Desc)),
            PortsUsed => ("   PORTS USED", GAUGE_WIDTH, 3, Some(Desc)),
            CloseWait => ("CLOSE-WAIT", 10, 4, Some(Desc)),
            TimeWait => ("TIME-WAIT", 9, 5, Some(Desc)),
            From => ("FROM", 4, 6, Some(Asc)),
            Estab => ("ESTAB", 7, 7, Some(Desc)),
            SynSent => ("SYN-SENT", 8, 8, Some(Desc)),
        };
        Spec {
            title,
            right: !matches!(self, Remote | From | Process | PortsUsed),
            width,
            fill: self == Process,
            priority,
            sort,
        }
    }
}

/// The columns that fit in `area` for the remotes on screen.
pub fn shown(app: &App, area: Rect) -> Vec<Shown<RemoteCol>> {
    let nav = &app.navs[Tab::Remotes as usize];
    let Some(frame) = app.shown() else {
        return Vec::new();
    };
    let window = nav.window(crate::ui::layout::table_rows(area));
    let longest = |f: &dyn Fn(&Remote) -> usize| {
        window
            .iter()
            .map(|&i| f(&frame.agg.remotes[i as usize]))
            .max()
            .unwrap_or(0) as u16
    };
    let procs = &frame.snapshot.processes;
    columns::fit(area.width, nav.sort, |c| match c {
        RemoteCol::Remote => Some(longest(&|r| display_len(&r.remote))),
        RemoteCol::From => Some(longest(&|r| display_len(&r.local_ip))),
        RemoteCol::Process => {
            Some(longest(&|r| procs.label(&r.processes).chars().count()).clamp(1, 12))
        }
        other => Some(other.spec().width),
    })
}

/// Draws the remotes table of the shown sample into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(sample) = app.shown() else { return };
    let t = &app.theme;
    let range = sample.snapshot.ephemeral_port_count().unwrap_or(0);
    let no_match = app.filter.no_match("remote");
    let empty = if sample.agg.remotes.is_empty() {
        "no outbound connections"
    } else {
        &no_match
    };
    let nav = &app.navs[Tab::Remotes as usize];
    let shown = shown(app, area);
    let columns = super::table::Columns::of(&shown, nav.sort, empty);
    let procs = &sample.snapshot.processes;
    super::table::render(frame, area, t, nav, columns, |i| {
        let r = &sample.agg.remotes[i as usize];
        Row::new(
            shown
                .iter()
                .map(|s| cell(t, r, s.column, range, || procs.label(&r.processes))),
        )
    });
}

fn cell(
    t: &Theme,
    r: &Remote,
    c: RemoteCol,
    range: u64,
    process: impl Fn() -> String,
) -> Cell<'static> {
    use RemoteCol::*;
    match c {
        Remote => Cell::from(r.remote.to_string()),
        From => Cell::from(r.local_ip.to_string()),
        Process => {
            let label = process();
            Cell::from(if label.is_empty() {
                "-".to_owned()
            } else {
                label
            })
        }
        Sockets => count(t, r.states.total(), Level::Ok),
        Estab => count(t, r.states[TcpState::Established], Level::Ok),
        SynSent => count(t, r.states[TcpState::SynSent], Level::Ok),
        TimeWait => count(t, r.states[TcpState::TimeWait], Level::Ok),
        CloseWait => count(t, r.states[TcpState::CloseWait], Level::Ok),
        PortsUsed => Cell::from(gauge(t, r.local_ports, range)),
    }
}
