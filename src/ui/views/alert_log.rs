//! The alerts panel (`a`): the alerts active at the shown sample with their
//! full messages, the ListenOverflows attribution behind a drilled
//! listener's alert, the log of resolved alerts (start → end), and the
//! notes of rules that ran degraded.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use jiff::Timestamp;

use crate::model::{Alert, ListenerKey};
use crate::ui::app::{App, DrillTarget, marker};
use crate::ui::format;

/// One alert: a heading line (marker, severity, rule, target, since or
/// start → end), its message and, while active, what to do, indented;
/// `selected` marks the alert `Enter` opens.
fn alert_lines(
    app: &App,
    a: &Alert,
    ended: Option<jiff::Timestamp>,
    selected: bool,
) -> Vec<Line<'static>> {
    let t = &app.theme;
    let when = match ended {
        Some(end) => format!(
            "{} → {} ({})",
            format::clock(a.since),
            format::clock(end),
            format::age(end.duration_since(a.since))
        ),
        None => {
            let now = app.shown().map_or(a.since, |f| f.snapshot.taken_at);
            format!(
                "since {} ({})",
                format::clock(a.since),
                format::age(now.duration_since(a.since))
            )
        }
    };
    let mark = if ended.is_some() {
        "✓"
    } else {
        marker(a.severity)
    };
    let sev = if ended.is_some() { a.peak } else { a.severity };
    let pointer = if selected { "▶" } else { " " };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(pointer, t.key()),
            Span::styled(format!("{mark} {:<8} ", sev.name()), t.severity(sev)),
            Span::styled(format!("{:<26}", a.rule.id()), t.key()),
            Span::raw(format!("{} {}  ", a.target.kind.name(), a.target.name)),
            Span::styled(when, t.dim()),
        ]),
        Line::raw(format!("    {}", a.message)),
    ];
    if ended.is_none() {
        lines.push(Line::from(vec![
            Span::styled("    what to do: ", t.key()),
            Span::raw(a.rule.advice()),
        ]));
    }
    lines
}

fn heading(app: &App, text: String) -> Line<'static> {
    Line::styled(text, app.theme.title())
}

/// The panel's lines for the shown sample, and the line where the
/// selected active alert starts.
pub fn lines(app: &App) -> (Vec<Line<'static>>, Option<usize>) {
    let Some(shown) = app.shown() else {
        return (vec![Line::styled("no sample yet", app.theme.dim())], None);
    };
    let set = &shown.alerts;
    let now = shown.snapshot.taken_at;
    let mut out = Vec::new();
    if let Some(drill) = &app.drill {
        let target = drill.target.alert_target(shown);
        let mine: Vec<&Alert> = set.about(&target).collect();
        let name = match &drill.target {
            DrillTarget::Listener(k) => format!("LISTENER {}", k.local),
            DrillTarget::Remote(k) => format!("REMOTE {} FROM {}", k.remote, k.local),
        };
        out.push(heading(app, format!("ALERTS OF {name} ({})", mine.len())));
        for a in &mine {
            out.extend(alert_lines(app, a, None, false));
        }
        if let Some(key) = drill.target.listener() {
            out.extend(drops_of(app, key, now));
        }
        out.push(Line::default());
    }
    out.push(heading(
        app,
        format!("ACTIVE AT {} ({})", format::clock(now), set.active.len()),
    ));
    if set.active.is_empty() {
        out.push(Line::styled("    none", app.theme.dim()));
    }
    let mut selected = None;
    for (i, a) in set.active.iter().enumerate() {
        let sel = i == app.alert_selected;
        if sel {
            selected = Some(out.len());
        }
        out.extend(alert_lines(app, a, None, sel));
    }
    let log: Vec<_> = app
        .model
        .alerts
        .log()
        .rev()
        .filter(|l| l.ended <= now)
        .collect();
    out.push(Line::default());
    out.push(heading(
        app,
        format!("RESOLVED, NEWEST FIRST ({})", log.len()),
    ));
    if log.is_empty() {
        out.push(Line::styled("    none", app.theme.dim()));
    }
    for l in log {
        out.extend(alert_lines(app, &l.alert, Some(l.ended), false));
    }
    if !set.notes.is_empty() {
        out.push(Line::default());
        out.push(heading(app, "DEGRADED RULES".to_owned()));
        out.extend(set.notes.iter().map(|n| Line::raw(format!("    {n}"))));
    }
    (out, selected)
}

/// Draws the alerts panel into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let (lines, _) = lines(app);
    let max_scroll = lines.len().saturating_sub(1);
    let scroll = app.panel_scroll.min(max_scroll) as u16;
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(Block::bordered().title(Span::styled(
                " alerts  (↑↓ select, Enter opens, PgUp/PgDn scroll, a or Esc closes) ",
                t.title(),
            ))),
        area,
    );
}

/// The `ListenOverflows` rises of history up to `now` that concern the
/// listener `key`, under a heading; nothing when there are none. Drop
/// rises are attributed within one namespace: under --all-netns they are
/// in the listener's namespace's own history.
fn drops_of(app: &App, key: &ListenerKey, now: Timestamp) -> Vec<Line<'static>> {
    let local = key.local;
    let mut out = Vec::new();
    let rises: Vec<Line> = app
        .model
        .history_of(&key.netns)
        .iter()
        .filter(|f| f.snapshot.taken_at <= now)
        .filter_map(|f| f.alerts.overflow.as_ref())
        .filter(|o| o.listeners.contains(&local) || o.attributed_to(local) > 0)
        .map(|o| {
            let who = match (&o.members, o.listeners.len()) {
                (Some(members), _) => {
                    let mine: Vec<String> = members
                        .iter()
                        .filter(|m| m.listener == local)
                        .map(|m| format!("inode {} +{}", m.inode, m.drops))
                        .collect();
                    format!("exact (sk_drops): {}", mine.join(", "))
                }
                (None, 1) => "attributed: the only full listener".to_owned(),
                (None, n) => format!("likely: {n} listeners were full"),
            };
            Line::raw(format!(
                "    {}  ListenOverflows +{}  ListenDrops +{}  {who}",
                format::clock(o.at),
                o.overflows,
                o.drops
            ))
        })
        .collect();
    if !rises.is_empty() {
        out.push(heading(app, "DROPS OF THIS LISTENER".to_owned()));
        out.extend(rises);
    }
    out
}
