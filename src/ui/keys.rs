//! Terminal events to [`Action`]s, following htop/k9s habits. The help
//! overlay lists the same table ([`HELP`]).

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind,
};

use super::app::{Action, App, Panel, Tab};

/// Every key, as the help overlay and README list them: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    (
        "↑ ↓  j k",
        "move the selection (k destroys in the drill-down)",
    ),
    ("PgUp PgDn", "move by a page"),
    ("Home g / G", "first / last row"),
    ("End", "back to live when paused, else last row"),
    ("Tab 1 2 3", "listeners / remotes / UNIX listeners"),
    (
        "Enter",
        "drill into the listener / a UNIX listener's clients",
    ),
    ("Esc", "close help, clear the filter, leave the drill-down"),
    ("space", "pause (collection goes on) / back to live"),
    ("← →", "step back / forward through history"),
    ("s / S", "sort by the next column / reverse the sort"),
    (
        "/",
        "filter: :443  nginx  state:close_wait  (Enter keeps it)",
    ),
    ("e", "export the shown sample as JSON"),
    (
        "a c t",
        "alerts and their log / counter rates / tunables advisor",
    ),
    (
        "k / K",
        "drill-down: destroy the connection / old CLOSE_WAITs (asks)",
    ),
    ("n", "all namespaces: show the next one alone / all"),
    ("+ / -", "replay: double / halve the playback speed"),
    ("?", "this help"),
    ("q  Ctrl-C", "quit"),
    ("mouse", "wheel scrolls, click selects"),
];

/// Maps a terminal event; `editing` is true while the filter line is open.
pub fn action(event: &Event, editing: bool) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_action(key, editing),
        Event::Mouse(m) => mouse_action(m),
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

fn key_action(key: &KeyEvent, editing: bool) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Quit);
    }
    if editing {
        return match key.code {
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Char(c) if !ctrl => Some(Action::FilterChar(c)),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Up | KeyCode::Char('k') => Action::Move(-1),
        KeyCode::Down | KeyCode::Char('j') => Action::Move(1),
        KeyCode::PageUp => Action::Page(-1),
        KeyCode::PageDown => Action::Page(1),
        KeyCode::Home | KeyCode::Char('g') => Action::Top,
        KeyCode::Char('G') => Action::Bottom,
        KeyCode::End => Action::End,
        KeyCode::Char(' ') => Action::TogglePause,
        KeyCode::Left => Action::StepBack,
        KeyCode::Right => Action::StepForward,
        KeyCode::Char('s') => Action::NextSort,
        KeyCode::Char('S') => Action::ReverseSort,
        KeyCode::Tab => Action::CycleTab(1),
        KeyCode::BackTab => Action::CycleTab(-1),
        KeyCode::Char('1') => Action::Tab(Tab::Listeners),
        KeyCode::Char('2') => Action::Tab(Tab::Remotes),
        KeyCode::Char('3') => Action::Tab(Tab::Unix),
        KeyCode::Enter => Action::Open,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('/') => Action::StartFilter,
        KeyCode::Char('e') => Action::Export,
        KeyCode::Char('a') => Action::Panel(Panel::Alerts),
        KeyCode::Char('c') => Action::Panel(Panel::Counters),
        KeyCode::Char('t') => Action::Panel(Panel::Tunables),
        KeyCode::Char('n') => Action::NextNetns,
        KeyCode::Char('+') | KeyCode::Char('=') => Action::Faster,
        KeyCode::Char('-') => Action::Slower,
        KeyCode::Char('?') => Action::Help,
        _ => return None,
    })
}

/// Maps a terminal event in the state `app` is in: a question on screen
/// takes `y`, `n`, `1`..`4` and Esc; the drill-down takes `k` and `K`
/// (destroy) before the keys of every screen.
pub fn for_app(event: &Event, app: &App) -> Option<Action> {
    let Event::Key(key) = event else {
        return action(event, app.editing);
    };
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if app.confirm.is_some() {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        return Some(match key.code {
            KeyCode::Char('c') if ctrl => Action::Quit,
            KeyCode::Char('y') | KeyCode::Char('Y') => Action::ConfirmYes,
            KeyCode::Char(c @ '1'..='9') => Action::ChooseAge(c as usize - '1' as usize),
            _ => Action::Back,
        });
    }
    if app.drill.is_some() && !app.editing {
        match key.code {
            KeyCode::Char('k') => return Some(Action::Kill),
            KeyCode::Char('K') => return Some(Action::KillCloseWait),
            _ => {}
        }
    }
    action(event, app.editing)
}

fn mouse_action(m: &MouseEvent) -> Option<Action> {
    match m.kind {
        MouseEventKind::ScrollUp => Some(Action::Move(-3)),
        MouseEventKind::ScrollDown => Some(Action::Move(3)),
        MouseEventKind::Down(_) => Some(Action::Click {
            x: m.column,
            y: m.row,
        }),
        _ => None,
    }
}

/// A key press without modifiers, for tests and scripted input.
pub fn press(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
