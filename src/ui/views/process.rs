//! The process popup (`i`): who holds the selected row's sockets — pid,
//! user, the full command line (sanitised by the collection thread,
//! wrapped here) — and everything that process holds: its TCP sockets by
//! state, its listeners, the remotes it talks to, its UNIX listeners.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::model::{ProcessInfo, TcpState};
use crate::ui::app::App;
use crate::ui::keys::Command;
use crate::ui::theme::Theme;

/// The popup is at most this wide.
const MAX_WIDTH: u16 = 100;
/// Lists (listeners, remotes) show at most this many entries.
const LIST_MAX: usize = 8;

/// The popup's lines at `width` cells inside its border.
pub fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let (Some(popup), Some(shown)) = (&app.popup, app.shown()) else {
        return Vec::new();
    };
    let snap = &shown.snapshot;
    let Some((p, held)) = popup.found.as_ref() else {
        return vec![Line::styled(
            format!(" process {} is not in this sample", popup.pid),
            t.level(crate::ui::theme::Level::Warn),
        )];
    };
    let width = usize::from(width).saturating_sub(2).max(10);
    let mut out = vec![identity(t, p)];
    out.push(heading(t, "command line"));
    if p.cmdline.is_empty() {
        out.push(Line::styled(
            "   (none: a kernel thread or a zombie)",
            t.dim(),
        ));
    } else {
        let indent = "   ";
        let room = width.saturating_sub(indent.len()).max(1);
        for chunk in textwrap::wrap(&p.cmdline, textwrap::Options::new(room).break_words(true)) {
            out.push(Line::raw(format!("{indent}{chunk}")));
        }
    }
    out.push(heading(
        t,
        &format!("TCP sockets it holds ({})", held.states.total()),
    ));
    let by_state: Vec<String> = TcpState::ALL
        .iter()
        .filter(|&&s| held.states[s] > 0)
        .map(|&s| format!("{} {}", s.ss_name(), held.states[s]))
        .collect();
    out.push(Line::raw(if by_state.is_empty() {
        "   none".to_owned()
    } else {
        format!("   {}", by_state.join("  "))
    }));
    let agg = &shown.agg;
    let listeners: Vec<String> = held
        .listeners
        .iter()
        .map(|&l| agg.listeners[l].local.to_string())
        .collect();
    out.extend(list(t, "listening on", listeners));
    let remotes: Vec<String> = held
        .remotes
        .iter()
        .map(|&(r, n)| {
            let r = &agg.remotes[r];
            format!("{} from {}  {n}", r.remote, r.local_ip)
        })
        .collect();
    out.extend(list(t, "connections to remotes", remotes));
    let unix: Vec<String> = held
        .unix
        .iter()
        .map(|&u| snap.unix_listeners[u].path.clone())
        .collect();
    out.extend(list(t, "UNIX listeners", unix));
    out
}

fn identity(t: &Theme, p: &ProcessInfo) -> Line<'static> {
    Line::from(vec![
        Span::styled(" pid ", t.dim()),
        Span::styled(p.pid.to_string(), t.title()),
        Span::styled("  name ", t.dim()),
        Span::styled(p.comm.clone(), t.title()),
        Span::styled("  user ", t.dim()),
        Span::raw(format!("{} (uid {})", p.user, p.uid)),
    ])
}

fn heading(t: &Theme, text: &str) -> Line<'static> {
    Line::styled(format!(" {text}"), t.key())
}

/// A heading and its entries, the first [`LIST_MAX`] then `+N more`;
/// nothing when there are none.
fn list(t: &Theme, title: &str, items: Vec<String>) -> Vec<Line<'static>> {
    if items.is_empty() {
        return Vec::new();
    }
    let mut out = vec![heading(t, &format!("{title} ({})", items.len()))];
    let more = items.len().saturating_sub(LIST_MAX);
    out.extend(
        items
            .into_iter()
            .take(LIST_MAX)
            .map(|i| Line::raw(format!("   {i}"))),
    );
    if more > 0 {
        out.push(Line::styled(format!("   +{more} more"), t.dim()));
    }
    out
}

/// Where the popup goes in `area`: as wide as the terminal allows up to
/// [`MAX_WIDTH`], as tall as its `lines` (or the terminal) allow.
pub fn area(area: Rect, lines: usize) -> Rect {
    let height = u16::try_from(lines).unwrap_or(u16::MAX).saturating_add(2);
    area.centered(
        Constraint::Length(width(area)),
        Constraint::Length(height.min(area.height.saturating_sub(4))),
    )
}

/// The popup's width in `area`, borders included.
pub fn width(area: Rect) -> u16 {
    area.width.saturating_sub(4).min(MAX_WIDTH)
}

/// Draws the popup centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(popup) = &app.popup else { return };
    let t = &app.theme;
    let lines = lines(app, width(area).saturating_sub(2));
    let at = self::area(area, lines.len());
    let visible = usize::from(at.height.saturating_sub(2));
    let top = popup.scroll.min(lines.len().saturating_sub(visible));
    let keys = &app.settings.keys;
    let title = match popup.found.as_ref() {
        Some((p, _)) => format!(" process {}[{}] ", p.comm, p.pid),
        None => format!(" process {} ", popup.pid),
    };
    let first = |c: Command| keys.keys(c).first().map(|k| k.label()).unwrap_or_default();
    let close = format!(
        " {} or {} closes, {}{} scroll ",
        first(Command::Process),
        first(Command::Back),
        first(Command::Up),
        first(Command::Down),
    );
    let mut block = Block::bordered()
        .title(Span::styled(title, t.title()))
        .title_bottom(Line::styled(close, t.dim()).right_aligned());
    if lines.len() > visible + top {
        block = block.title_bottom(Line::styled(
            format!(" ↓ {} more ", lines.len() - visible - top),
            t.key(),
        ));
    }
    let shown: Vec<Line> = lines.into_iter().skip(top).take(visible).collect();
    frame.render_widget(Clear, at);
    frame.render_widget(Paragraph::new(shown).block(block), at);
}
