//! Where each part of a screen goes. Shared by drawing and by the mouse and
//! scrolling logic, so a click lands on the row that was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this size only a "terminal too small" notice is drawn.
pub const MIN_WIDTH: u16 = 40;
/// Below this height only a "terminal too small" notice is drawn.
pub const MIN_HEIGHT: u16 = 10;

/// Whether `area` is too small for any screen.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Whether there is room for taller charts.
pub fn tall(area: Rect) -> bool {
    area.height >= 40
}

/// The areas of the overview screen.
#[derive(Clone, Copy, Debug)]
pub struct Overview {
    /// Identity, totals and sparklines.
    pub header: Rect,
    /// The alerts strip.
    pub alerts: Rect,
    /// Tab bar with filter and sort.
    pub tabs: Rect,
    /// The active table, header row included.
    pub table: Rect,
    /// Under a split listeners table: top remotes (left) and active alerts
    /// (right); zero-sized when the overview is not split.
    pub lower: [Rect; 2],
    /// Status or filter input line.
    pub status: Rect,
    /// Key hints.
    pub footer: Rect,
}

/// Height of the header: identity, totals, then one line of sparklines, or
/// on a tall terminal a label line and three lines of chart.
pub fn header_height(area: Rect) -> u16 {
    if tall(area) { 6 } else { 3 }
}

/// Splits `area` for the overview. With `split` (the listeners tab, with
/// this many listeners) a tall terminal gives a third of the table's room,
/// at most 16 lines, to the top remotes and the active alerts, and more
/// when the listeners leave the table's lines empty.
pub fn overview(area: Rect, split: Option<usize>) -> Overview {
    let [header, alerts, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(header_height(area)),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (table, lower) = if let Some(listeners) = split.filter(|_| tall(area)) {
        let third = (body.height / 3).clamp(6, 16);
        // The table keeps a line per listener (and its header), at least 3.
        let table_wants = u16::try_from(listeners)
            .unwrap_or(u16::MAX)
            .saturating_add(1)
            .max(3);
        let below = third.max(body.height.saturating_sub(table_wants));
        let [table, lower] =
            Layout::vertical([Constraint::Min(2), Constraint::Length(below)]).areas(body);
        let halves = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .spacing(2)
            .areas(lower);
        (table, halves)
    } else {
        (body, [Rect::default(); 2])
    };
    Overview {
        header,
        alerts,
        tabs,
        table,
        lower,
        status,
        footer,
    }
}

/// The areas of the drill-down screen.
#[derive(Clone, Copy, Debug)]
pub struct Drill {
    /// Same header as the overview.
    pub header: Rect,
    /// The alerts strip.
    pub alerts: Rect,
    /// The listener's one-line summary.
    pub title: Rect,
    /// SO_REUSEPORT members and their queues.
    pub members: Rect,
    /// Top peers by connection count.
    pub peers: Rect,
    /// History charts of this listener.
    pub charts: Rect,
    /// The connection list's title: count, sort, filter.
    pub conns_title: Rect,
    /// The connection list, header row included.
    pub conns: Rect,
    /// Status or filter input line.
    pub status: Rect,
    /// Key hints.
    pub footer: Rect,
}

/// Splits `area` for the drill-down.
pub fn drill(area: Rect) -> Drill {
    let (upper, charts) = if tall(area) { (8, 5) } else { (4, 3) };
    let [
        header,
        alerts,
        title,
        upper,
        charts,
        conns_title,
        conns,
        status,
        footer,
    ] = Layout::vertical([
        Constraint::Length(header_height(area)),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(upper),
        Constraint::Length(charts),
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let [members, peers] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .spacing(1)
            .areas(upper);
    Drill {
        header,
        alerts,
        title,
        members,
        peers,
        charts,
        conns_title,
        conns,
        status,
        footer,
    }
}

/// Where a panel (alerts, counters, tunables) goes: everything between
/// the alerts strip and the status line, of the overview or the drill-down.
pub fn panel(area: Rect, drill: bool) -> Rect {
    let (top, bottom) = if drill {
        let d = self::drill(area);
        (d.title.y, d.conns.bottom())
    } else {
        let o = overview(area, None);
        (o.tabs.y, o.table.bottom())
    };
    Rect::new(area.x, top, area.width, bottom.saturating_sub(top))
}

/// Lines of the help overlay: one per help line of `keys`, the mouse, a
/// blank line and the closing hint.
pub fn help_lines(keys: &crate::ui::keys::Keymap) -> usize {
    crate::ui::keys::help_lines(keys).len() + 3
}

/// Lines of the help overlay (`lines` long) that fit on a terminal of
/// `area` (inside its border).
pub fn help_visible(area: Rect, lines: usize) -> usize {
    usize::from(area.height.saturating_sub(2)).min(lines)
}

/// Data rows that fit in a table area (one line goes to the header row).
pub fn table_rows(table: Rect) -> usize {
    usize::from(table.height.saturating_sub(1))
}
