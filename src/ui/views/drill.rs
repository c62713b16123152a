//! The drill-down into one listener or remote. A listener's: its
//! SO_REUSEPORT members and their queues, top peers, history charts and
//! its connection list; a remote's: its sockets by state, the processes
//! holding them, history charts and its connection list. The list has its
//! own sort and filter ([`super::connections`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::widgets::{GAUGE_WIDTH, Parts, gauge, right, spark_line};
use crate::model::drop_rates::member_rates;
use crate::model::{Frame as Sample, Listener, ListenerPoint, Remote, TcpState};
use crate::ui::app::{App, Drill, DrillTarget};
use crate::ui::columns;
use crate::ui::layout;
use crate::ui::theme::{Level, Theme};

use super::connections::ConnCol;

/// Draws the drill-down body (everything between the alerts strip and the status line).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (Some(drill), Some(shown)) = (&app.drill, app.shown()) else {
        return;
    };
    let l = layout::drill(area);
    match &drill.target {
        DrillTarget::Listener(_) => {
            let listener = drill.index.map(|i| &shown.agg.listeners[i]);
            render_title(frame, l.title, app, drill, listener);
            let Some(listener) = listener else { return };
            render_members(frame, l.members, app, listener);
            render_peers(frame, l.peers, app, drill);
        }
        DrillTarget::Remote(_) => {
            let remote = drill.index.map(|i| &shown.agg.remotes[i]);
            render_remote_title(frame, l.title, app, drill, remote);
            let Some(remote) = remote else { return };
            render_remote_states(frame, l.members, app, remote);
            render_owners(frame, l.peers, app, drill);
        }
    }
    render_charts(frame, l.charts, app, drill);
    render_connections_title(frame, l.conns_title, app, drill);
    super::connections::render(frame, l.conns, app, drill);
}

/// ` in NAMESPACE` after the target's name, when several are watched.
fn in_netns(app: &App, drill: &Drill) -> Vec<Span<'static>> {
    let t = &app.theme;
    if app
        .shown()
        .is_some_and(|f| !f.snapshot.netns_parts.is_empty())
    {
        return vec![
            Span::styled(" in ", t.dim()),
            Span::styled(drill.target.netns().to_owned(), t.title()),
        ];
    }
    Vec::new()
}

fn gone(t: &Theme) -> Vec<Span<'static>> {
    vec![Span::styled(
        "  is not in this sample (Esc goes back)",
        t.level(Level::Warn),
    )]
}

/// `  label value` of a title, the label dim.
fn field(t: &Theme, label: &str, value: Span<'static>) -> Vec<Span<'static>> {
    vec![Span::styled(format!("  {label} "), t.dim()), value]
}

/// The listener's one-line summary; on a narrow terminal the member and
/// connection counts go first, then the accept queue, never the process.
fn render_title(frame: &mut Frame, area: Rect, app: &App, drill: &Drill, l: Option<&Listener>) {
    let t = &app.theme;
    let local = drill.target.listener().map(|k| k.local.to_string());
    let mut name = vec![
        Span::styled("listener ", t.dim()),
        Span::styled(local.unwrap_or_default(), t.title()),
    ];
    name.extend(in_netns(app, drill));
    let mut parts = Parts::default();
    parts.push(0, name);
    match l {
        Some(l) => {
            let level = Theme::fill_level(l.fill(), l.accept_queue);
            let queue = Span::styled(format!("{}/{}", l.accept_queue, l.backlog), t.level(level));
            let mut q = field(t, "accept queue", queue);
            if l.members.len() > 1 {
                let (fq, fb) = l.fullest().map_or((0, 0), |m| (m.accept_queue, m.backlog));
                q.push(Span::styled(" (sum)  fullest member ", t.dim()));
                q.push(Span::styled(
                    format!("{fq}/{fb}, {}/{} full", l.full_members(), l.members.len()),
                    t.level(level),
                ));
            }
            parts.push(2, q);
            let conns = Span::raw(l.sockets().to_string());
            parts.push(3, field(t, "connections", conns));
            let members = Span::raw(l.members.len().to_string());
            parts.push(4, field(t, "members", members));
            if let Some(p) = app.process_of(l) {
                parts.push(1, field(t, "process", Span::raw(p)));
            }
        }
        None => parts.push(0, gone(t)),
    }
    frame.render_widget(Paragraph::new(parts.line(area.width)), area);
}

/// The remote's one-line summary; on a narrow terminal the local ports go
/// first, then the connection count, never the process.
fn render_remote_title(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    drill: &Drill,
    r: Option<&Remote>,
) {
    let t = &app.theme;
    let DrillTarget::Remote(key) = &drill.target else {
        return;
    };
    let mut name = vec![
        Span::styled("remote ", t.dim()),
        Span::styled(key.remote.to_string(), t.title()),
        Span::styled(" from ", t.dim()),
        Span::styled(key.local.to_string(), t.title()),
    ];
    name.extend(in_netns(app, drill));
    let mut parts = Parts::default();
    parts.push(0, name);
    match (r, app.shown()) {
        (Some(r), Some(shown)) => {
            let conns = Span::raw(r.states.total().to_string());
            parts.push(2, field(t, "connections", conns));
            let range = shown.snapshot.ephemeral_port_count();
            let ports = Span::raw(match range {
                Some(n) => format!("{} of {n}", r.local_ports),
                None => r.local_ports.to_string(),
            });
            parts.push(3, field(t, "local ports", ports));
            let label = shown.snapshot.processes.label(&r.processes);
            if !label.is_empty() {
                parts.push(1, field(t, "process", Span::raw(label)));
            }
        }
        _ => parts.push(0, gone(t)),
    }
    frame.render_widget(Paragraph::new(parts.line(area.width)), area);
}

/// A two-column table of names and counts (`STATE SOCKETS`, `TOP PEERS
/// CONNS`), as many rows as fit in `area`.
fn counts_table(
    frame: &mut Frame,
    area: Rect,
    t: &Theme,
    titles: [&'static str; 2],
    widths: [Constraint; 2],
    rows: impl Iterator<Item = (String, u64)>,
) {
    let rows: Vec<Row> = rows
        .take(layout::table_rows(area))
        .map(|(name, n)| {
            Row::new(vec![
                Cell::from(name),
                Cell::from(Line::from(n.to_string()).right_aligned()),
            ])
        })
        .collect();
    let header = Row::new(vec![Cell::from(titles[0]), right(titles[1])]);
    let table = Table::new(rows, widths).header(header.style(t.table_header()));
    frame.render_widget(table, area);
}

/// A remote's sockets by state, the states it has.
fn render_remote_states(frame: &mut Frame, area: Rect, app: &App, r: &Remote) {
    let states = TcpState::ALL.iter().filter(|&&s| r.states[s] > 0);
    let rows = states.map(|&s| (s.ss_name().to_owned(), r.states[s]));
    let widths = [Constraint::Length(11), Constraint::Length(8)];
    counts_table(frame, area, &app.theme, ["STATE", "SOCKETS"], widths, rows);
}

/// The processes holding a remote's sockets, most sockets first.
fn render_owners(frame: &mut Frame, area: Rect, app: &App, drill: &Drill) {
    let Some(shown) = app.shown() else { return };
    let procs = &shown.snapshot.processes;
    let rows = drill.owners.iter().map(|&(p, n)| (procs.label(&[p]), n));
    let widths = [Constraint::Min(15), Constraint::Length(7)];
    counts_table(
        frame,
        area,
        &app.theme,
        ["HELD BY", "SOCKETS"],
        widths,
        rows,
    );
}

/// Width from which the members table shows DROPS and DROPS/S.
const MEMBERS_WITH_DROPS: u16 = 70;

fn render_members(frame: &mut Frame, area: Rect, app: &App, l: &Listener) {
    let t = &app.theme;
    let shown = layout::table_rows(area);
    // DROPS (the member's sk_drops) and DROPS/S when the panel has room for them.
    let with_drops = area.width >= MEMBERS_WITH_DROPS;
    let procs = app.shown().map(|f| &f.snapshot.processes);
    // From the member itself: older frames no longer keep the inode index.
    let owner =
        |m: &crate::model::Member| procs.map_or_else(String::new, |p| p.label(&m.processes));
    // drops/s against the same member (by cookie) in the sample before.
    let rates = app
        .previous()
        .zip(app.shown())
        .map(|(prev, cur)| member_rates(prev, cur))
        .unwrap_or_default();
    let rate = |m: &crate::model::Member| -> String {
        rates
            .get(&m.cookie)
            .map_or_else(|| "-".to_owned(), |r| format!("{r:.1}"))
    };
    let mut rows: Vec<Row> = l
        .members
        .iter()
        .take(shown)
        .map(|m| {
            let mut cells = vec![
                Cell::from(Line::from(m.inode.to_string()).right_aligned()),
                Cell::from(Line::from(m.uid.to_string()).right_aligned()),
                Cell::from(gauge(t, m.accept_queue, m.backlog)),
            ];
            if with_drops {
                cells.push(Cell::from(
                    Line::from(m.drops.map_or_else(|| "-".to_owned(), |d| d.to_string()))
                        .right_aligned(),
                ));
                cells.push(Cell::from(Line::from(rate(m)).right_aligned()));
            }
            cells.push(Cell::from(owner(m)));
            Row::new(cells)
        })
        .collect();
    if l.members.len() > shown && shown > 0 {
        rows.pop();
        rows.push(Row::new(vec![Cell::from(format!(
            "+{} more",
            l.members.len() - shown + 1
        ))]));
    }
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(6),
        Constraint::Length(GAUGE_WIDTH),
    ];
    let mut header = vec![
        right("MEMBER INO"),
        right("UID"),
        Cell::from("    ACCEPT Q"),
    ];
    if with_drops {
        widths.extend([Constraint::Length(10), Constraint::Length(8)]);
        header.extend([right("DROPS"), right("DROPS/S")]);
    }
    widths.push(Constraint::Min(8));
    header.push(Cell::from("PROCESS"));
    let table = Table::new(rows, widths).header(Row::new(header).style(t.table_header()));
    frame.render_widget(table, area);
}

fn render_peers(frame: &mut Frame, area: Rect, app: &App, drill: &Drill) {
    let rows = drill.peers.iter().map(|(ip, n)| (ip.to_string(), *n));
    let widths = [Constraint::Min(15), Constraint::Length(6)];
    counts_table(
        frame,
        area,
        &app.theme,
        ["TOP PEERS", "CONNS"],
        widths,
        rows,
    );
}

fn render_charts(frame: &mut Frame, area: Rect, app: &App, drill: &Drill) {
    use TcpState::*;
    let Some(shown) = app.shown() else { return };
    let charts: [(&str, Vec<u64>, Level); 5] = match &drill.target {
        DrillTarget::Listener(key) => {
            let history = &app.model.history;
            let back = app.paused.unwrap_or(0);
            let series = |v: &dyn Fn(&ListenerPoint) -> u32| -> Vec<u64> {
                history.listener_series(key, back, |p| u64::from(v(p)))
            };
            [
                ("ACCEPT Q  ", series(&|p| p.accept_queue), Level::Bad),
                ("SYN-RECV  ", series(&|p| p.syn_recv), Level::Warn),
                ("ESTAB     ", series(&|p| p.established), Level::Ok),
                ("TIME-WAIT ", series(&|p| p.time_wait), Level::Ok),
                ("CLOSE-WAIT", series(&|p| p.close_wait), Level::Warn),
            ]
        }
        DrillTarget::Remote(key) => {
            let upto = shown.snapshot.taken_at;
            let at = |f: &Sample| {
                let i = f.agg.find_remote(&f.snapshot, key)?;
                Some((f.agg.remotes[i].states, f.agg.remotes[i].local_ports))
            };
            let history: Vec<_> = app
                .model
                .history
                .iter()
                .filter(|f| f.snapshot.taken_at <= upto)
                .map(at)
                .collect();
            let state = |s: TcpState| -> Vec<u64> {
                history.iter().map(|r| r.map_or(0, |r| r.0[s])).collect()
            };
            let ports = history.iter().map(|r| r.map_or(0, |r| r.1)).collect();
            [
                ("SYN-SENT  ", state(SynSent), Level::Warn),
                ("ESTAB     ", state(Established), Level::Ok),
                ("TIME-WAIT ", state(TimeWait), Level::Ok),
                ("CLOSE-WAIT", state(CloseWait), Level::Warn),
                ("PORTS     ", ports, Level::Ok),
            ]
        }
    };
    let cells: Vec<Rect> = if area.height >= 5 {
        Layout::vertical([Constraint::Length(1); 5])
            .split(area)
            .to_vec()
    } else {
        let [left, right] = Layout::horizontal([Constraint::Ratio(1, 2); 2])
            .spacing(2)
            .areas(area);
        let col = |a: Rect| {
            Layout::vertical([Constraint::Length(1); 3])
                .split(a)
                .to_vec()
        };
        col(left).into_iter().chain(col(right)).collect()
    };
    for (cell, (label, values, level)) in cells.iter().zip(charts) {
        let line = spark_line(&app.theme, label, &values, cell.width, level);
        frame.render_widget(Paragraph::new(line), *cell);
    }
}

fn render_connections_title(frame: &mut Frame, area: Rect, app: &App, drill: &Drill) {
    let t = &app.theme;
    let sort = drill.nav.sort;
    let mut spans = vec![
        Span::styled(format!("connections {}", drill.nav.rows.len()), t.title()),
        Span::styled(
            format!(
                "  sort: {} {}",
                columns::sort_name::<ConnCol>(sort),
                columns::arrow::<ConnCol>(sort)
            ),
            t.dim(),
        ),
    ];
    if !drill.filter.is_empty() {
        spans.push(Span::styled("  filter: ", t.dim()));
        spans.push(Span::styled(drill.filter.text.clone(), t.key()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
