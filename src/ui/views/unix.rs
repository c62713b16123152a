//! The UNIX listeners table: path, kind, pending/backlog gauge and owning
//! processes; `Enter` lists a listener's clients. Its columns are [`UnixCol`].

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row};

use super::widgets::{GAUGE_WIDTH, gauge};
use crate::model::{Frame as Sample, UnixKind};
use crate::ui::app::{App, Tab};
use crate::ui::columns::{self, Columns, Natural, Shown, Spec};
use crate::ui::theme::Theme;

/// PATH takes the room left over but is kept at least this wide.
const PATH_MIN: u16 = 20;
/// PROCESS is at most this wide.
const PROCESS_MAX: u16 = 28;

/// The columns of the UNIX listeners table, left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum UnixCol {
    Path,
    Kind,
    Inode,
    Pending,
    Process,
}

impl Columns for UnixCol {
    const ALL: &'static [UnixCol] = &[
        UnixCol::Path,
        UnixCol::Kind,
        UnixCol::Inode,
        UnixCol::Pending,
        UnixCol::Process,
    ];
    const DEFAULT_SORT: &'static str = "PENDING";

    /// The path and how full its queue is come first, then who holds it;
    /// the kind and the inode go first on a narrow terminal.
    fn spec(self) -> Spec {
        use Natural::*;
        use UnixCol::*;
        let (title, width, priority, sort) = match self {
            Path => ("PATH", PATH_MIN, 0, Some(Asc)),
            Pending => ("     PENDING", GAUGE_WIDTH, 1, Some(Desc)),
            Process => ("PROCESS", 7, 2, Some(Asc)),
            Inode => ("INODE", 10, 3, Some(Asc)),
            Kind => ("KIND", 9, 4, Some(Asc)),
        };
        Spec {
            title,
            right: self == Inode,
            width,
            fill: self == Path,
            priority,
            sort,
        }
    }
}

/// The owners of UNIX listener `i` of `sample` as the PROCESS column shows them.
pub fn process_label(sample: &Sample, i: usize) -> String {
    let owners = &sample.agg.unix_processes[i];
    sample.snapshot.processes.label(owners)
}

/// The columns that fit in `area` for the UNIX listeners on screen.
pub fn shown(app: &App, area: Rect) -> Vec<Shown<UnixCol>> {
    let nav = &app.navs[Tab::Unix as usize];
    let Some(frame) = app.shown() else {
        return Vec::new();
    };
    let window = nav.window(crate::ui::layout::table_rows(area));
    columns::fit(area.width, nav.sort, |c| match c {
        UnixCol::Process => {
            let w = window
                .iter()
                .map(|&i| process_label(frame, i as usize).chars().count())
                .max();
            Some((w.unwrap_or(0) as u16).clamp(1, PROCESS_MAX))
        }
        other => Some(other.spec().width),
    })
}

/// Draws the UNIX listeners of the shown sample into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(sample) = app.shown() else { return };
    let t = &app.theme;
    let no_match = app.filter.no_match("UNIX listener");
    let empty = if sample.snapshot.unix_listeners.is_empty() {
        "no UNIX listeners in this namespace"
    } else {
        &no_match
    };
    let nav = &app.navs[Tab::Unix as usize];
    let shown = shown(app, area);
    let columns = super::table::Columns::of(&shown, nav.sort, empty);
    super::table::render(frame, area, t, nav, columns, |i| {
        Row::new(shown.iter().map(|s| cell(t, sample, i as usize, s.column)))
    });
}

fn cell(t: &Theme, sample: &Sample, i: usize, c: UnixCol) -> Cell<'static> {
    let u = &sample.snapshot.unix_listeners[i];
    match c {
        UnixCol::Path if u.path.is_empty() => Cell::from("(unnamed)"),
        UnixCol::Path => Cell::from(u.path.clone()),
        UnixCol::Kind => Cell::from(match u.kind {
            UnixKind::Stream => "stream",
            UnixKind::Seqpacket => "seqpacket",
        }),
        UnixCol::Inode => Cell::from(Line::from(u.inode.to_string()).right_aligned()),
        UnixCol::Pending => Cell::from(gauge(t, u64::from(u.accept_queue), u64::from(u.backlog))),
        UnixCol::Process => {
            let label = process_label(sample, i);
            Cell::from(if label.is_empty() {
                "-".to_owned()
            } else {
                label
            })
        }
    }
}
