//! The drill-down into one listener: SO_REUSEPORT members and their queues,
//! top peers, history charts of this listener, and its connection list with
//! its own sort and filter.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::widgets::{GAUGE_WIDTH, gauge, right, spark_line};
use crate::model::{Listener, ListenerPoint, TcpState, Timer};
use crate::ui::app::{App, Drill};
use crate::ui::format;
use crate::ui::layout;
use crate::ui::rows::CONNECTION_SORTS;
use crate::ui::theme::{Level, Theme};

/// Draws the drill-down body (everything between the alerts strip and the status line).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (Some(drill), Some(shown)) = (&app.drill, app.shown()) else {
        return;
    };
    let l = layout::drill(area);
    let listener = drill.index.map(|i| &shown.agg.listeners[i]);
    render_title(frame, l.title, app, drill, listener);
    let Some(listener) = listener else { return };
    render_members(frame, l.members, app, listener);
    render_peers(frame, l.peers, app, drill);
    render_charts(frame, l.charts, app, drill);
    render_connections_title(frame, l.conns_title, app, drill);
    render_connections(frame, l.conns, app, drill);
}

fn render_title(frame: &mut Frame, area: Rect, app: &App, drill: &Drill, l: Option<&Listener>) {
    let t = &app.theme;
    let mut spans = vec![
        Span::styled("listener ", t.dim()),
        Span::styled(drill.key.local.to_string(), t.title()),
    ];
    if app
        .shown()
        .is_some_and(|f| !f.snapshot.netns_parts.is_empty())
    {
        spans.push(Span::styled(" in ", t.dim()));
        spans.push(Span::styled(drill.key.netns.clone(), t.title()));
    }
    match l {
        Some(l) => {
            spans.push(Span::styled("  accept queue ", t.dim()));
            let level = Theme::fill_level(l.fill(), l.accept_queue);
            spans.push(Span::styled(
                format!("{}/{}", l.accept_queue, l.backlog),
                t.level(level),
            ));
            if l.members.len() > 1 {
                let (q, b) = l.fullest().map_or((0, 0), |m| (m.accept_queue, m.backlog));
                spans.push(Span::styled(" (sum)  fullest member ", t.dim()));
                spans.push(Span::styled(
                    format!("{q}/{b}, {}/{} full", l.full_members(), l.members.len()),
                    t.level(level),
                ));
            }
            spans.push(Span::styled("  connections ", t.dim()));
            spans.push(Span::raw(l.sockets().to_string()));
            spans.push(Span::styled("  members ", t.dim()));
            spans.push(Span::raw(l.members.len().to_string()));
            if let Some(p) = app.process_of(l) {
                spans.push(Span::styled("  process ", t.dim()));
                spans.push(Span::raw(p));
            }
        }
        None => spans.push(Span::styled(
            "  is not in this sample (Esc goes back)",
            t.level(Level::Warn),
        )),
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Width from which the members table shows DROPS and DROPS/S.
const MEMBERS_WITH_DROPS: u16 = 70;

fn render_members(frame: &mut Frame, area: Rect, app: &App, l: &Listener) {
    let t = &app.theme;
    let shown = layout::table_rows(area);
    // DROPS (the member's sk_drops) and DROPS/S when the panel has room for them.
    let with_drops = area.width >= MEMBERS_WITH_DROPS;
    let procs = app.shown().map(|f| &f.snapshot.processes);
    let owner = |inode: u32| procs.map_or_else(String::new, |p| p.label(p.of_inode(inode)));
    // drops/s against the same member (by cookie) in the sample before.
    let before = app.previous();
    let rate = |m: &crate::model::Member| -> String {
        let (Some(now), Some(prev), Some(shown)) = (m.drops, before, app.shown()) else {
            return "-".to_owned();
        };
        let was = prev
            .agg
            .listeners
            .iter()
            .flat_map(|x| x.members.iter())
            .find(|x| x.cookie == m.cookie)
            .and_then(|x| x.drops);
        let secs = shown
            .snapshot
            .taken_at
            .duration_since(prev.snapshot.taken_at)
            .as_secs_f64();
        match was {
            Some(was) if secs > 0.0 => format!("{:.1}", f64::from(now.wrapping_sub(was)) / secs),
            _ => "-".to_owned(),
        }
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
            cells.push(Cell::from(owner(m.inode)));
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
    let t = &app.theme;
    let rows: Vec<Row> = drill
        .peers
        .iter()
        .take(layout::table_rows(area))
        .map(|(ip, n)| {
            Row::new(vec![
                Cell::from(ip.to_string()),
                Cell::from(Line::from(n.to_string()).right_aligned()),
            ])
        })
        .collect();
    let table = Table::new(rows, [Constraint::Min(15), Constraint::Length(6)])
        .header(Row::new(vec![Cell::from("TOP PEERS"), right("CONNS")]).style(t.table_header()));
    frame.render_widget(table, area);
}

fn render_charts(frame: &mut Frame, area: Rect, app: &App, drill: &Drill) {
    if app.shown().is_none() {
        return;
    }
    let history = &app.model.history;
    let back = app.paused.unwrap_or(0);
    let series = |v: &dyn Fn(&ListenerPoint) -> u32| -> Vec<u64> {
        history.listener_series(&drill.key, back, |p| u64::from(v(p)))
    };
    let charts: [(&str, Vec<u64>, Level); 5] = [
        ("ACCEPT Q  ", series(&|p| p.accept_queue), Level::Bad),
        ("SYN-RECV  ", series(&|p| p.syn_recv), Level::Warn),
        ("ESTAB     ", series(&|p| p.established), Level::Ok),
        ("TIME-WAIT ", series(&|p| p.time_wait), Level::Ok),
        ("CLOSE-WAIT", series(&|p| p.close_wait), Level::Warn),
    ];
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

fn render_connections_title(frame: &mut Frame, area: Rect, app: &App, drill: &Drill) {
    let t = &app.theme;
    let sort = CONNECTION_SORTS[drill.nav.sort.column.min(CONNECTION_SORTS.len() - 1)];
    let arrow = if drill.nav.sort.reverse { "↑" } else { "↓" };
    let mut spans = vec![
        Span::styled(format!("connections {}", drill.nav.rows.len()), t.title()),
        Span::styled(format!("  sort: {sort} {arrow}"), t.dim()),
    ];
    if !drill.filter.is_empty() {
        spans.push(Span::styled("  filter: ", t.dim()));
        spans.push(Span::styled(drill.filter.text.clone(), t.key()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_connections(frame: &mut Frame, area: Rect, app: &App, drill: &Drill) {
    let Some(shown) = app.shown() else { return };
    let t = &app.theme;
    let no_match = drill.filter.no_match("connection");
    let empty = if !shown.has_sockets() {
        "the socket list of this sample is no longer kept (only the newest samples keep theirs)"
    } else if drill.filter.is_empty() {
        "no connections"
    } else {
        &no_match
    };
    let mut header = vec![
        Cell::from("PEER"),
        Cell::from("STATE"),
        right("RECV-Q"),
        right("SEND-Q"),
        Cell::from("TIMER"),
        right("SEEN FOR"),
    ];
    let mut widths = vec![
        Constraint::Min(21),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(16),
        Constraint::Length(8),
    ];
    // The owner of each connection (a prefork server's worker), on wide terminals.
    let wide = area.width >= 110;
    if wide {
        header.push(Cell::from(" PROCESS"));
        widths.push(Constraint::Length(24));
    }
    let tcp = &shown.snapshot.tcp;
    let columns = super::table::Columns {
        header,
        widths,
        empty,
    };
    super::table::render(frame, area, t, &drill.nav, columns, |i| {
        let s = &tcp[i as usize];
        let seen = app
            .model
            .tracker
            .age_of(&shown.snapshot, s)
            .map_or_else(|| "-".to_owned(), format::socket_age);
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
        let mut cells = vec![
            Cell::from(s.remote.to_string()),
            Cell::from(state).style(t.level(level)),
            Cell::from(Line::from(s.recv_q.to_string()).right_aligned()),
            Cell::from(Line::from(s.send_q.to_string()).right_aligned()),
            Cell::from(timer(s.timer, s.expires_ms, s.retrans)),
            Cell::from(Line::from(seen).right_aligned()),
        ];
        if wide {
            let owners = shown.agg.processes_of(&shown.snapshot, i as usize);
            let label = shown.snapshot.processes.label(owners);
            cells.push(Cell::from(format!(
                " {}",
                if label.is_empty() { "-" } else { &label }
            )));
        }
        Row::new(cells)
    });
}
