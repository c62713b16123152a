//! The listeners table: accept-queue gauge, connection states, owning
//! process, alert marker. Its columns are [`ListenerCol`].

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row};

use super::widgets::{GAUGE_WIDTH, count, display_len, gauge};
use crate::model::{Frame as Sample, Listener, TcpState};
use crate::ui::app::{App, Tab};
use crate::ui::columns::{self, Columns, Natural, Shown, Spec};
use crate::ui::theme::{Level, Theme};

/// LOCAL is at most this wide (a full IPv6 address with brackets and port).
const LOCAL_MAX: u16 = 47;
/// NETNS is at most this wide.
const NETNS_MAX: u16 = 16;

/// The columns of the listeners table, left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ListenerCol {
    Marker,
    Local,
    Netns,
    Process,
    Members,
    AcceptQ,
    Fill,
    SynRecv,
    Estab,
    FinWait1,
    FinWait2,
    TimeWait,
    CloseWait,
    LastAck,
    Sockets,
}

impl Columns for ListenerCol {
    const ALL: &'static [ListenerCol] = &[
        ListenerCol::Marker,
        ListenerCol::Local,
        ListenerCol::Netns,
        ListenerCol::Process,
        ListenerCol::Members,
        ListenerCol::AcceptQ,
        ListenerCol::Fill,
        ListenerCol::SynRecv,
        ListenerCol::Estab,
        ListenerCol::FinWait1,
        ListenerCol::FinWait2,
        ListenerCol::TimeWait,
        ListenerCol::CloseWait,
        ListenerCol::LastAck,
        ListenerCol::Sockets,
    ];
    const DEFAULT_SORT: &'static str = "trouble";

    /// PROCESS outranks every count but the accept queue, so an 80-column
    /// terminal shows whose listener it is; TIME-WAIT (mostly harmless on
    /// a server) and the rarer states go first.
    fn spec(self) -> Spec {
        use ListenerCol::*;
        use Natural::*;
        let (title, width, priority, sort) = match self {
            Marker => ("", 1, 0, None),
            Local => ("LOCAL", 5, 1, Some(Asc)),
            AcceptQ => ("    ACCEPT Q", GAUGE_WIDTH, 2, Some(Desc)),
            Process => ("PROCESS", 12, 3, Some(Asc)),
            Netns => ("NETNS", 5, 4, Some(Asc)),
            CloseWait => ("CLOSE-WAIT", 10, 5, Some(Desc)),
            SynRecv => ("SYN-RECV", 8, 6, Some(Desc)),
            Estab => ("ESTAB", 7, 7, Some(Desc)),
            TimeWait => ("TIME-WAIT", 9, 8, Some(Desc)),
            Members => ("MEMBERS", 7, 9, Some(Desc)),
            Fill => ("FILL", 5, 10, Some(Desc)),
            Sockets => ("SOCKETS", 8, 11, Some(Desc)),
            LastAck => ("LAST-ACK", 8, 12, Some(Desc)),
            FinWait1 => ("FIN-WAIT-1", 10, 13, Some(Desc)),
            FinWait2 => ("FIN-WAIT-2", 10, 14, Some(Desc)),
        };
        Spec {
            title,
            right: !matches!(self, Marker | Local | Netns | Process | AcceptQ),
            width,
            fill: self == Process,
            priority,
            sort,
        }
    }
}

/// The columns that fit in `area` for the rows of the listeners table on
/// screen (LOCAL and NETNS are as wide as their longest entry there).
pub fn shown(app: &App, area: Rect) -> Vec<Shown<ListenerCol>> {
    let nav = &app.navs[Tab::Listeners as usize];
    let Some(frame) = app.shown() else {
        return Vec::new();
    };
    let window = nav.window(crate::ui::layout::table_rows(area));
    let longest = |f: &dyn Fn(&Listener) -> usize| {
        window
            .iter()
            .map(|&i| f(&frame.agg.listeners[i as usize]))
            .max()
            .unwrap_or(0) as u16
    };
    let parts = &frame.snapshot.netns_parts;
    columns::fit(area.width, nav.sort, |c| match c {
        ListenerCol::Local => Some(longest(&|l| display_len(&l.local)).min(LOCAL_MAX)),
        ListenerCol::Netns if parts.is_empty() => None,
        ListenerCol::Netns => {
            let w = parts.iter().map(|p| p.label.chars().count()).max();
            Some((w.unwrap_or(5) as u16).min(NETNS_MAX))
        }
        ListenerCol::Process => {
            let procs = &frame.snapshot.processes;
            Some(longest(&|l| procs.label(&l.processes).chars().count()).clamp(1, 12))
        }
        other => Some(other.spec().width),
    })
}

/// Draws the listeners table of the shown sample into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(sample) = app.shown() else { return };
    let t = &app.theme;
    let nav = &app.navs[Tab::Listeners as usize];
    let shown = shown(app, area);
    let no_match = app.filter.no_match("listener");
    let empty = if sample.agg.listeners.is_empty() {
        "no TCP listeners in this namespace"
    } else {
        &no_match
    };
    let columns = super::table::Columns::of(&shown, nav.sort, empty);
    super::table::render(frame, area, t, nav, columns, |i| {
        let l = &sample.agg.listeners[i as usize];
        Row::new(shown.iter().map(|s| cell(app, sample, l, s.column, t)))
    });
}

fn cell(app: &App, sample: &Sample, l: &Listener, c: ListenerCol, t: &Theme) -> Cell<'static> {
    use ListenerCol::*;
    match c {
        Marker => match app.alert_severity(l) {
            Some(sev) => Cell::from(crate::ui::app::marker(sev)).style(t.severity(sev)),
            None => Cell::from(" "),
        },
        Local => Cell::from(l.local.to_string()),
        Netns => {
            let part = &sample.snapshot.netns_parts[usize::from(l.netns)];
            let style = match part.error {
                Some(_) => t.level(Level::Warn),
                None => t.dim(),
            };
            Cell::from(part.label.clone()).style(style)
        }
        Process => Cell::from(app.process_of(l).unwrap_or_else(|| "-".to_owned())),
        Members => count(t, l.members.len() as u64, Level::Ok),
        // A listener is as full as its fullest SO_REUSEPORT member.
        AcceptQ => {
            let (queue, backlog) = fullest(l);
            Cell::from(gauge(t, queue, backlog))
        }
        Fill => {
            let level = Theme::fill_level(l.fill(), fullest(l).0);
            let full = l.full_members();
            // "1/2": full members of members, when only some are full.
            let text = if full > 0 && full < l.members.len() {
                format!("{full}/{}", l.members.len())
            } else {
                format!("{:.0}%", l.fill() * 100.0)
            };
            Cell::from(Line::from(text).right_aligned()).style(t.level(level))
        }
        SynRecv => count(t, l.states[TcpState::SynRecv], Level::Ok),
        Estab => count(t, l.states[TcpState::Established], Level::Ok),
        FinWait1 => count(t, l.states[TcpState::FinWait1], Level::Ok),
        FinWait2 => count(t, l.states[TcpState::FinWait2], Level::Ok),
        TimeWait => count(t, l.states[TcpState::TimeWait], Level::Ok),
        CloseWait => count(t, l.states[TcpState::CloseWait], Level::Ok),
        LastAck => count(t, l.states[TcpState::LastAck], Level::Ok),
        Sockets => count(t, l.sockets(), Level::Ok),
    }
}

/// Accept queue and backlog of the listener's fullest member.
pub fn fullest(l: &Listener) -> (u64, u64) {
    l.fullest().map_or((0, 0), |m| (m.accept_queue, m.backlog))
}
