//! The counters panel (`c`): the listeners dropping connections fastest
//! (each LISTEN socket's own `sk_drops`, from [`crate::model::drop_rates`]),
//! then per-second rates of the kernel's overflow, SYN-cookie, TIME_WAIT and
//! reset counters over the kept history, up to the shown sample, with
//! sparklines. Rates come from the pure model ([`crate::model::rates`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table};

use super::widgets::{right, spark};
use crate::model::drop_rates::{ListenerDropRate, drop_rates};
use crate::model::rates::{PANEL_COUNTERS, rate_series};
use crate::ui::app::App;
use crate::ui::theme::{Level, Theme};

/// Rates are drawn with this many steps per event per second in the sparkline.
const SPARK_SCALE: f64 = 100.0;

/// At most this many dropping listeners are listed.
const MAX_DROPPING: usize = 5;

fn rate(v: Option<f64>) -> String {
    match v {
        None => "-".to_owned(),
        Some(r) if r >= 100.0 => format!("{r:.0}"),
        Some(r) => format!("{r:.1}"),
    }
}

/// Draws the counters panel into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let shown = app.paused.unwrap_or(0);
    let history = &app.model.history;
    let upto = history.len().saturating_sub(shown);
    let block = Block::bordered().title(Span::styled(
        " counters, per second between samples  (c or Esc closes) ",
        t.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);

    let dropping = drop_rates(history.iter().take(upto));
    let listed = dropping.len().min(MAX_DROPPING);
    // A header and the listed listeners, or one line saying none dropped.
    let drop_lines = if listed == 0 { 1 } else { listed as u16 + 1 };
    let [top, counters] =
        Layout::vertical([Constraint::Length(drop_lines), Constraint::Min(0)]).areas(inner);
    let with_drop_data = history.back(shown).is_some_and(|f| {
        f.agg
            .listeners
            .iter()
            .any(|l| l.members.iter().any(|m| m.drops.is_some()))
    });
    if listed == 0 {
        let why = if with_drop_data {
            "no listener dropped a connection in the kept history (each LISTEN socket's sk_drops)"
        } else {
            "no per-listener drop counts in these samples (sk_drops not collected): \
             ListenOverflows below counts the namespace's drops"
        };
        frame.render_widget(Paragraph::new(Span::styled(why, t.dim())), top);
    } else {
        render_dropping(frame, top, t, &dropping[..listed], dropping.len());
    }

    let spark_w = usize::from(counters.width.saturating_sub(22 + 9 + 9 + 14 + 4));
    let rows: Vec<Row> = PANEL_COUNTERS
        .iter()
        .map(|name| {
            let series = rate_series(history.iter().take(upto), name);
            let now = series.last().copied().flatten();
            let max = series
                .iter()
                .flatten()
                .copied()
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
            let total = history
                .back(shown)
                .and_then(|f| f.snapshot.counters.get(*name).copied());
            let level = if now.is_some_and(|r| r > 0.0) {
                Level::Warn
            } else {
                Level::Quiet
            };
            let scaled: Vec<u64> = series
                .iter()
                .map(|v| (v.unwrap_or(0.0) * SPARK_SCALE).round() as u64)
                .collect();
            Row::new(vec![
                Cell::from(*name),
                Cell::from(Line::from(rate(now)).right_aligned()).style(t.level(level)),
                Cell::from(Line::from(rate(max)).right_aligned()),
                Cell::from(Span::styled(spark(&scaled, spark_w), t.spark(level))),
                Cell::from(
                    Line::from(total.map_or_else(|| "n/a".to_owned(), |v| v.to_string()))
                        .right_aligned(),
                ),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(22),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Min(4),
            Constraint::Length(14),
        ],
    )
    .header(
        Row::new(vec![
            Cell::from("COUNTER"),
            right("NOW /s"),
            right("MAX /s"),
            Cell::from("HISTORY"),
            right("SINCE BOOT"),
        ])
        .style(t.table_header()),
    )
    .column_spacing(1);
    frame.render_widget(table, counters);
}

/// Where a listener's drops happen: the member holding most of them and its
/// processes when it dominates (with its share when the listener has
/// several members), else how many members share them.
fn member_cell(l: &ListenerDropRate) -> String {
    match l.dominant() {
        Some(m) if l.member_count <= 1 => format!("inode {} {}", m.inode, m.process),
        Some(m) => format!(
            "inode {} {} ({}%, {} members)",
            m.inode,
            m.process,
            m.dropped * 100 / l.dropped.max(1),
            l.member_count
        ),
        None => format!(
            "spread over {} of {} members",
            l.members.len(),
            l.member_count
        ),
    }
}

/// The listeners dropping fastest: `listed` (at least one) of `total`.
fn render_dropping(
    frame: &mut Frame,
    area: Rect,
    t: &Theme,
    listed: &[ListenerDropRate],
    total: usize,
) {
    let local_w = listed
        .iter()
        .map(|l| l.key.local.to_string().len())
        .max()
        .unwrap_or(0)
        .max(8) as u16;
    let rows: Vec<Row> = listed
        .iter()
        .map(|l| {
            let level = if l.now_per_sec.is_some_and(|r| r > 0.0) {
                Level::Bad
            } else {
                Level::Ok
            };
            Row::new(vec![
                Cell::from(l.key.local.to_string()),
                Cell::from(Line::from(rate(l.now_per_sec)).right_aligned()).style(t.level(level)),
                Cell::from(Line::from(rate(Some(l.peak_per_sec))).right_aligned()),
                Cell::from(Line::from(l.dropped.to_string()).right_aligned()),
                Cell::from(member_cell(l)),
            ])
        })
        .collect();
    let title = if total > listed.len() {
        format!("DROPPING {} of {total}", listed.len())
    } else {
        "DROPPING".to_owned()
    };
    let table = Table::new(
        rows,
        [
            Constraint::Length(local_w.max(title.len() as u16)),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Min(10),
        ],
    )
    .header(
        Row::new(vec![
            Cell::from(title),
            right("NOW /s"),
            right("MAX /s"),
            right("DROPPED"),
            Cell::from("WHERE (member, process)"),
        ])
        .style(t.table_header()),
    )
    .column_spacing(1);
    frame.render_widget(table, area);
}
