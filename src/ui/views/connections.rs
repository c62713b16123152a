//! The connection list of a drill-down: one row per TCP socket of the
//! drilled listener or remote. Its columns are [`ConnCol`]: a listener's
//! list shows each connection's PEER, a remote's (one peer) its LOCAL
//! address and port.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row};

use super::widgets::display_len;
use crate::model::{Frame as Sample, TcpSocket, TcpState, Timer};
use crate::ui::app::{App, Drill, DrillTarget};
use crate::ui::columns::{self, Columns, Natural, Shown, Spec};
use crate::ui::format;
use crate::ui::theme::{Level, Theme};

/// PEER and LOCAL are at most this wide (a full IPv6 address with brackets and port).
const ADDR_MAX: u16 = 47;
/// PROCESS is at most this wide before it takes the room left over.
const PROCESS_MIN: u16 = 12;

/// The columns of the connection list, left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ConnCol {
    Peer,
    Local,
    State,
    RecvQ,
    SendQ,
    Timer,
    SeenFor,
    Process,
}

impl Columns for ConnCol {
    const ALL: &'static [ConnCol] = &[
        ConnCol::Peer,
        ConnCol::Local,
        ConnCol::State,
        ConnCol::RecvQ,
        ConnCol::SendQ,
        ConnCol::Timer,
        ConnCol::SeenFor,
        ConnCol::Process,
    ];
    const DEFAULT_SORT: &'static str = "SEEN FOR";

    /// Who the connection is with, its state and age come first; the
    /// owning worker outranks the send queue and the timer.
    fn spec(self) -> Spec {
        use ConnCol::*;
        use Natural::*;
        let (title, width, priority, sort) = match self {
            Peer => ("PEER", 4, 0, Some(Asc)),
            Local => ("LOCAL", 5, 0, Some(Asc)),
            State => ("STATE", 10, 1, Some(Asc)),
            SeenFor => ("SEEN FOR", 8, 2, Some(Desc)),
            RecvQ => ("RECV-Q", 6, 3, Some(Desc)),
            Process => ("PROCESS", PROCESS_MIN, 4, Some(Asc)),
            SendQ => ("SEND-Q", 6, 5, Some(Desc)),
            Timer => ("TIMER", 16, 6, Some(Desc)),
        };
        Spec {
            title,
            right: matches!(self, RecvQ | SendQ | SeenFor),
            width,
            fill: self == Process,
            priority,
            sort,
        }
    }
}

/// The columns that fit in `area` for the connections on screen: PEER in a
/// listener's drill-down, LOCAL in a remote's.
pub fn shown(app: &App, drill: &Drill, area: Rect) -> Vec<Shown<ConnCol>> {
    let Some(frame) = app.shown() else {
        return Vec::new();
    };
    let tcp = &frame.snapshot.tcp;
    let window = drill.nav.window(crate::ui::layout::table_rows(area));
    let longest = |f: &dyn Fn(&TcpSocket) -> usize| {
        let w = window.iter().map(|&i| f(&tcp[i as usize])).max();
        (w.unwrap_or(0) as u16).min(ADDR_MAX)
    };
    let remote = matches!(drill.target, DrillTarget::Remote(_));
    columns::fit(area.width, drill.nav.sort, |c| match c {
        ConnCol::Peer if remote => None,
        ConnCol::Local if !remote => None,
        ConnCol::Peer => Some(longest(&|s| display_len(&s.remote))),
        ConnCol::Local => Some(longest(&|s| display_len(&s.local))),
        other => Some(other.spec().width),
    })
}

/// Draws the connection list of `drill` into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App, drill: &Drill) {
    let Some(sample) = app.shown() else { return };
    let t = &app.theme;
    let no_match = drill.filter.no_match("connection");
    let empty = if !sample.has_sockets() {
        "the socket list of this sample is no longer kept (only the newest samples keep theirs)"
    } else if drill.filter.is_empty() {
        "no connections"
    } else {
        &no_match
    };
    let shown = shown(app, drill, area);
    let columns = super::table::Columns::of(&shown, drill.nav.sort, empty);
    super::table::render(frame, area, t, &drill.nav, columns, |i| {
        Row::new(
            shown
                .iter()
                .map(|s| cell(app, sample, i as usize, s.column, t)),
        )
    });
}

fn cell(app: &App, sample: &Sample, i: usize, c: ConnCol, t: &Theme) -> Cell<'static> {
    let s = &sample.snapshot.tcp[i];
    let right = |text: String| Cell::from(Line::from(text).right_aligned());
    match c {
        ConnCol::Peer => Cell::from(s.remote.to_string()),
        ConnCol::Local => Cell::from(s.local.to_string()),
        ConnCol::State => {
            let level = match s.state {
                TcpState::CloseWait | TcpState::SynRecv => Level::Warn,
                _ if s.awaits_accept() => Level::Warn,
                _ => Level::Ok,
            };
            let state = match (s.awaits_accept(), s.state) {
                (true, TcpState::CloseWait) => "QUEUED-CW",
                (true, _) => "QUEUED",
                (false, st) => st.ss_name(),
            };
            Cell::from(state).style(t.level(level))
        }
        ConnCol::RecvQ => right(s.recv_q.to_string()),
        ConnCol::SendQ => right(s.send_q.to_string()),
        ConnCol::Timer => Cell::from(timer(s.timer, s.expires_ms, s.retrans)),
        ConnCol::SeenFor => right(
            app.model
                .tracker
                .age_of(&sample.snapshot, s)
                .map_or_else(|| "-".to_owned(), format::socket_age),
        ),
        ConnCol::Process => {
            let label = sample.agg.owner_label(&sample.snapshot, i);
            Cell::from(if label.is_empty() {
                "-".to_owned()
            } else {
                label
            })
        }
    }
}

fn timer(kind: Timer, expires_ms: u32, retrans: u8) -> String {
    let name = match kind {
        Timer::Off => return "-".to_owned(),
        Timer::Retransmit => "retrans",
        Timer::Keepalive => "keepalive",
        Timer::TimeWait => "timewait",
        Timer::Probe => "probe",
        Timer::Other => "timer",
    };
    let mut s = format!("{name} {}", format::expires(expires_ms));
    if retrans > 0 {
        s.push_str(&format!(" ×{retrans}"));
    }
    s
}
