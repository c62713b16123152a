//! Keys as data: one table ([`TABLE`]) says, for every command, its
//! default keys, the layers (list, drill-down, panel, help, filter line,
//! question) it works in, its help line and its footer label. Dispatch, the
//! help overlay and the footer all read it, so they cannot disagree. The
//! keys of every command can be replaced in the config file (`[keys]`),
//! which gives a [`Keymap`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::app::{Action, App, Panel, Tab};

/// What has the keyboard, topmost first: a question, the filter line, the
/// help overlay, the process popup, a panel, the drill-down, the overview
/// list. Each layer covers the ones below it; [`App::layers`] is the stack
/// and [`App::layer`] its top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// The overview's tables (listeners, remotes, UNIX).
    List,
    /// The drill-down into one listener or remote.
    Drill,
    /// A panel over the body (alerts, counters, tunables, UNIX clients).
    Panel,
    /// The process popup (`i`).
    Popup,
    /// The help overlay.
    Help,
    /// The filter line while typing.
    Filter,
    /// A destroy question waiting for its answer.
    Prompt,
}

impl Layer {
    /// How the layer is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            Layer::List => "the overview",
            Layer::Drill => "the drill-down",
            Layer::Panel => "a panel",
            Layer::Popup => "the process popup",
            Layer::Help => "the help overlay",
            Layer::Filter => "the filter line",
            Layer::Prompt => "a question",
        }
    }
}

/// Something a key can be bound to; its [`Command::name`] is the key of
/// the `[keys]` config table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Command {
    Help,
    Open,
    Process,
    Back,
    Filter,
    Sort,
    ReverseSort,
    Pause,
    StepBack,
    StepForward,
    Export,
    NextTab,
    PrevTab,
    Listeners,
    Remotes,
    Unix,
    Alerts,
    Counters,
    Tunables,
    Destroy,
    DestroyCloseWait,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    End,
    NextNetns,
    Faster,
    Slower,
    ClearFilter,
    FilterDone,
    FilterBackspace,
    Yes,
    Age,
    Quit,
}

/// One row of [`TABLE`].
#[derive(Debug)]
pub struct Entry {
    /// The command.
    pub command: Command,
    /// Its name in `[keys]`.
    pub name: &'static str,
    /// Default keys, in config notation (`ctrl-k`, `delete`, `j`).
    pub keys: &'static [&'static str],
    /// The layers where the keys do it.
    pub layers: &'static [Layer],
    /// Its help line; `None` joins the previous entry's line (`↑ k / ↓ j`).
    pub help: Option<&'static str>,
    /// Its label in the footer and the layers whose footer shows it; an
    /// empty label joins the previous footer item (`←→ time`).
    pub footer: Option<(&'static str, &'static [Layer])>,
}

use Layer::*;
const BROWSE: &[Layer] = &[List, Drill];
const SHOWN: &[Layer] = &[List, Drill, Panel];
const MOVE: &[Layer] = &[List, Drill, Panel, Popup, Help];
const SCROLL: &[Layer] = &[Panel, Popup, Help];

const fn entry(
    command: Command,
    name: &'static str,
    keys: &'static [&'static str],
    layers: &'static [Layer],
    help: Option<&'static str>,
    footer: Option<(&'static str, &'static [Layer])>,
) -> Entry {
    Entry {
        command,
        name,
        keys,
        layers,
        help,
        footer,
    }
}

/// Every command, in the order of the help overlay and the footer (the
/// footer shows as many as fit, then always the quit key). Columns:
/// command, `[keys]` name, default keys, layers, help line (`None` joins
/// the line above), footer label and the layers whose footer shows it.
#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    entry(Command::Help, "help", &["?", "f1"], &[List, Drill, Panel, Popup, Help], Some("this help"), Some(("help", BROWSE))),
    entry(Command::Open, "open", &["enter"], &[List, Panel], Some("drill into the row (UNIX: its clients); alerts: open the target"), Some(("drill", &[List]))),
    entry(Command::Process, "process", &["i"], &[List, Drill, Popup], Some("the row's process: pid, user, full command line, its sockets (or click PROCESS)"), Some(("process", BROWSE))),
    entry(Command::Back, "back", &["esc"], &[List, Drill, Panel, Popup, Help, Filter], Some("close help, popup or panel, clear the filter, leave the drill-down"), Some(("back", &[Drill, Panel, Popup, Help, Filter]))),
    entry(Command::Up, "up", &["up", "k"], MOVE, Some("move the selection, scroll"), Some(("scroll", SCROLL))),
    entry(Command::Down, "down", &["down", "j"], MOVE, None, Some(("", SCROLL))),
    entry(Command::PageUp, "page_up", &["pageup"], MOVE, Some("move by a page"), None),
    entry(Command::PageDown, "page_down", &["pagedown"], MOVE, None, None),
    entry(Command::Top, "top", &["home", "g"], MOVE, Some("first / last row"), None),
    entry(Command::Bottom, "bottom", &["G"], MOVE, None, None),
    entry(Command::End, "end", &["end"], BROWSE, Some("back to live when paused, else last row"), None),
    entry(Command::Filter, "filter", &["/"], BROWSE, Some("filter: :443  nginx  state:close_wait"), Some(("filter", BROWSE))),
    entry(Command::ClearFilter, "clear_filter", &["ctrl-u"], &[List, Drill, Filter], Some("clear the filter"), Some(("clear", &[Filter]))),
    entry(Command::FilterDone, "filter_done", &["enter"], &[Filter], Some("filter line: keep the filter"), Some(("keep", &[Filter]))),
    entry(Command::FilterBackspace, "filter_backspace", &["backspace"], &[Filter], Some("filter line: delete the last character"), None),
    entry(Command::Sort, "sort", &["s"], BROWSE, Some("sort by the next column shown (or click a header)"), Some(("sort", BROWSE))),
    entry(Command::ReverseSort, "reverse_sort", &["S"], BROWSE, Some("reverse the sort (▼ largest/Z first, ▲ smallest/A first)"), None),
    entry(Command::Pause, "pause", &["space"], SHOWN, Some("pause (collection goes on) / back to live"), Some(("pause", SHOWN))),
    entry(Command::StepBack, "step_back", &["left"], SHOWN, Some("step back / forward through history"), Some(("time", SHOWN))),
    entry(Command::StepForward, "step_forward", &["right"], SHOWN, None, Some(("", SHOWN))),
    entry(Command::Export, "export", &["e"], BROWSE, Some("export the shown sample as JSON"), Some(("export", BROWSE))),
    entry(Command::NextTab, "next_tab", &["tab"], &[List], Some("next / previous tab"), Some(("tabs", &[List]))),
    entry(Command::PrevTab, "prev_tab", &["backtab"], &[List], None, None),
    entry(Command::Listeners, "listeners", &["1"], &[List], Some("listeners / remotes / UNIX listeners"), None),
    entry(Command::Remotes, "remotes", &["2"], &[List], None, None),
    entry(Command::Unix, "unix", &["3"], &[List], None, None),
    entry(Command::Alerts, "alerts", &["a"], SHOWN, Some("alerts with what to do, and their log"), Some(("alerts", SHOWN))),
    entry(Command::Counters, "counters", &["c"], SHOWN, Some("counter and drop rates"), Some(("counters", &[List, Panel]))),
    entry(Command::Tunables, "tunables", &["t"], SHOWN, Some("tunables advisor"), Some(("tunables", &[List, Panel]))),
    entry(Command::Destroy, "destroy", &["ctrl-k", "delete"], &[Drill], Some("drill-down: destroy the connection (asks)"), Some(("destroy", &[Drill]))),
    entry(Command::DestroyCloseWait, "destroy_close_wait", &["K"], &[Drill], Some("drill-down: destroy old CLOSE_WAITs (asks)"), None),
    entry(Command::Yes, "yes", &["y", "Y"], &[Prompt], Some("question: yes (any other key says no)"), Some(("yes", &[Prompt]))),
    entry(Command::Age, "age", &["1", "2", "3", "4"], &[Prompt], Some("question: pick the age offered"), None),
    entry(Command::NextNetns, "next_netns", &["n"], BROWSE, Some("several namespaces: the next one alone / all"), None),
    entry(Command::Faster, "faster", &["+", "="], SHOWN, Some("replay: double / halve the playback speed"), None),
    entry(Command::Slower, "slower", &["-"], SHOWN, None, None),
    entry(Command::Quit, "quit", &["q", "f10"], MOVE, Some("quit (Ctrl-C always quits; Ctrl-Z suspends, `fg` resumes)"), Some(("quit", MOVE))),
];

/// One key with its modifiers, as written in the config (`ctrl-k`,
/// `delete`, `f1`, `K`) and shown on screen (`Ctrl-K`, `Del`, `F1`, `K`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord {
    code: ChordCode,
    ctrl: bool,
    alt: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ChordCode {
    Char(char),
    F(u8),
    Named(Named),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Named {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

/// Config name, screen label and aliases of each named key.
const NAMED: &[(Named, &str, &str, &[&str])] = &[
    (Named::Enter, "enter", "Enter", &["return"]),
    (Named::Esc, "esc", "Esc", &["escape"]),
    (Named::Tab, "tab", "Tab", &[]),
    (Named::BackTab, "backtab", "S-Tab", &["shift-tab"]),
    (Named::Backspace, "backspace", "Bksp", &[]),
    (Named::Delete, "delete", "Del", &["del"]),
    (Named::Insert, "insert", "Ins", &["ins"]),
    (Named::Up, "up", "↑", &[]),
    (Named::Down, "down", "↓", &[]),
    (Named::Left, "left", "←", &[]),
    (Named::Right, "right", "→", &[]),
    (Named::PageUp, "pageup", "PgUp", &["pgup"]),
    (Named::PageDown, "pagedown", "PgDn", &["pgdn"]),
    (Named::Home, "home", "Home", &[]),
    (Named::End, "end", "End", &[]),
];

impl Chord {
    /// The chord of a key press (Shift is part of the character: `K`).
    pub fn of(key: &KeyEvent) -> Option<Chord> {
        let code = match key.code {
            KeyCode::Char(c) => ChordCode::Char(c),
            KeyCode::F(n) => ChordCode::F(n),
            KeyCode::Enter => ChordCode::Named(Named::Enter),
            KeyCode::Esc => ChordCode::Named(Named::Esc),
            KeyCode::Tab => ChordCode::Named(Named::Tab),
            KeyCode::BackTab => ChordCode::Named(Named::BackTab),
            KeyCode::Backspace => ChordCode::Named(Named::Backspace),
            KeyCode::Delete => ChordCode::Named(Named::Delete),
            KeyCode::Insert => ChordCode::Named(Named::Insert),
            KeyCode::Up => ChordCode::Named(Named::Up),
            KeyCode::Down => ChordCode::Named(Named::Down),
            KeyCode::Left => ChordCode::Named(Named::Left),
            KeyCode::Right => ChordCode::Named(Named::Right),
            KeyCode::PageUp => ChordCode::Named(Named::PageUp),
            KeyCode::PageDown => ChordCode::Named(Named::PageDown),
            KeyCode::Home => ChordCode::Named(Named::Home),
            KeyCode::End => ChordCode::Named(Named::End),
            _ => return None,
        };
        Some(Chord {
            code,
            ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
            alt: key.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// How the footer and help show it: `Ctrl-K`, `Del`, `↑`, `space`.
    pub fn label(&self) -> String {
        let key = match self.code {
            ChordCode::Char(' ') => "space".to_owned(),
            ChordCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            ChordCode::Char(c) => c.to_string(),
            ChordCode::F(n) => format!("F{n}"),
            ChordCode::Named(n) => named(n).2.to_owned(),
        };
        self.prefixed(key, "Ctrl-", "Alt-")
    }

    fn prefixed(&self, key: String, ctrl: &str, alt: &str) -> String {
        let mut s = String::new();
        if self.ctrl {
            s.push_str(ctrl);
        }
        if self.alt {
            s.push_str(alt);
        }
        s + &key
    }
}

fn named(n: Named) -> &'static (Named, &'static str, &'static str, &'static [&'static str]) {
    NAMED
        .iter()
        .find(|e| e.0 == n)
        .expect("every named key is in NAMED")
}

/// The config notation: `ctrl-k`, `delete`, `f1`, `space`, `K`.
impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = match self.code {
            ChordCode::Char(' ') => "space".to_owned(),
            ChordCode::Char(c) => c.to_string(),
            ChordCode::F(n) => format!("f{n}"),
            ChordCode::Named(n) => named(n).1.to_owned(),
        };
        f.write_str(&self.prefixed(key, "ctrl-", "alt-"))
    }
}

impl FromStr for Chord {
    type Err = String;

    fn from_str(text: &str) -> Result<Chord, String> {
        let bad = || {
            format!(
                "unknown key {text:?}: use one character (`k`, `K`, `/`), `space`, `f1`..`f12`, \
                 a key name ({}), optionally after `ctrl-` or `alt-`",
                NAMED.iter().map(|n| n.1).collect::<Vec<_>>().join(", ")
            )
        };
        let (mut ctrl, mut alt, mut rest) = (false, false, text);
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl-") && rest.len() > 5 {
                ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                ChordCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if lower == "space" {
                    ChordCode::Char(' ')
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse().ok()) {
                    if !(1..=12).contains(&n) {
                        return Err(bad());
                    }
                    ChordCode::F(n)
                } else {
                    let e = NAMED
                        .iter()
                        .find(|e| e.1 == lower || e.3.contains(&lower.as_str()))
                        .ok_or_else(bad)?;
                    ChordCode::Named(e.0)
                }
            }
        };
        Ok(Chord { code, ctrl, alt })
    }
}

/// The keys of every command: [`TABLE`]'s defaults with the config's
/// `[keys]` replacing the lists it names. Checked when built: no key does
/// two things in one layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    keys: BTreeMap<Command, Vec<Chord>>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let keys = TABLE
            .iter()
            .map(|e| {
                let chords = e.keys.iter().map(|k| k.parse().expect("default key"));
                (e.command, chords.collect())
            })
            .collect();
        Keymap { keys }
    }
}

impl Keymap {
    /// The defaults with `overrides` (command name → keys) applied.
    pub fn with(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, keys) in overrides {
            let entry = TABLE.iter().find(|e| e.name == name).ok_or_else(|| {
                let names: Vec<&str> = TABLE.iter().map(|e| e.name).collect();
                format!(
                    "unknown command {name:?} in [keys]; the commands are: {}",
                    names.join(", ")
                )
            })?;
            let chords = keys
                .iter()
                .map(|k| k.parse::<Chord>().map_err(|e| format!("keys.{name}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            map.keys.insert(entry.command, chords);
        }
        map.check()?;
        Ok(map)
    }

    /// Refuses a key bound to two commands of one layer.
    fn check(&self) -> Result<(), String> {
        for a in TABLE {
            for b in TABLE.iter().filter(|b| b.command > a.command) {
                let Some(layer) = a.layers.iter().find(|l| b.layers.contains(l)) else {
                    continue;
                };
                if let Some(k) = self
                    .keys(a.command)
                    .iter()
                    .find(|k| self.keys(b.command).contains(k))
                {
                    return Err(format!(
                        "key {k} is bound to both {} and {} in {}; give one of them other keys in [keys]",
                        a.name,
                        b.name,
                        layer.name()
                    ));
                }
            }
        }
        Ok(())
    }

    /// The keys of `command`.
    pub fn keys(&self, command: Command) -> &[Chord] {
        self.keys.get(&command).map_or(&[], Vec::as_slice)
    }

    /// The keys of `command` as the screen shows them, joined by `sep`.
    pub fn label(&self, command: Command, sep: &str) -> String {
        let labels: Vec<String> = self.keys(command).iter().map(Chord::label).collect();
        labels.join(sep)
    }

    /// The command `chord` does in `layer`, and the position of the chord
    /// among the command's keys.
    pub fn lookup(&self, layer: Layer, chord: &Chord) -> Option<(Command, usize)> {
        TABLE
            .iter()
            .filter(|e| e.layers.contains(&layer))
            .find_map(|e| {
                let pos = self.keys(e.command).iter().position(|k| k == chord)?;
                Some((e.command, pos))
            })
    }

    /// As the `[keys]` table of `config --print`: every command's keys.
    pub fn to_names(&self) -> BTreeMap<String, Vec<String>> {
        TABLE
            .iter()
            .map(|e| {
                let keys = self.keys(e.command).iter().map(Chord::to_string);
                (e.name.to_owned(), keys.collect())
            })
            .collect()
    }
}

impl Serialize for Keymap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_names().serialize(s)
    }
}

/// One key or a list of keys.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for Keymap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Keymap, D::Error> {
        let raw = BTreeMap::<String, OneOrMany>::deserialize(d)?;
        let overrides = raw
            .into_iter()
            .map(|(k, v)| match v {
                OneOrMany::One(s) => (k, vec![s]),
                OneOrMany::Many(v) => (k, v),
            })
            .collect();
        Keymap::with(&overrides).map_err(serde::de::Error::custom)
    }
}

impl Command {
    /// What the command asks of the dashboard; `pos` is the position of
    /// the key pressed among the command's keys (the age of `Age`).
    fn action(self, pos: usize) -> Action {
        match self {
            Command::Help => Action::Help,
            Command::Open => Action::Open,
            Command::Process => Action::Process,
            Command::Back => Action::Back,
            Command::Filter => Action::StartFilter,
            Command::ClearFilter => Action::ClearFilter,
            Command::Sort => Action::NextSort,
            Command::ReverseSort => Action::ReverseSort,
            Command::Pause => Action::TogglePause,
            Command::StepBack => Action::StepBack,
            Command::StepForward => Action::StepForward,
            Command::Export => Action::Export,
            Command::NextTab => Action::CycleTab(1),
            Command::PrevTab => Action::CycleTab(-1),
            Command::Listeners => Action::Tab(Tab::Listeners),
            Command::Remotes => Action::Tab(Tab::Remotes),
            Command::Unix => Action::Tab(Tab::Unix),
            Command::Alerts => Action::Panel(Panel::Alerts),
            Command::Counters => Action::Panel(Panel::Counters),
            Command::Tunables => Action::Panel(Panel::Tunables),
            Command::Destroy => Action::Kill,
            Command::DestroyCloseWait => Action::KillCloseWait,
            Command::Up => Action::Move(-1),
            Command::Down => Action::Move(1),
            Command::PageUp => Action::Page(-1),
            Command::PageDown => Action::Page(1),
            Command::Top => Action::Top,
            Command::Bottom => Action::Bottom,
            Command::End => Action::End,
            Command::NextNetns => Action::NextNetns,
            Command::Faster => Action::Faster,
            Command::Slower => Action::Slower,
            Command::FilterDone => Action::FilterDone,
            Command::FilterBackspace => Action::FilterBackspace,
            Command::Yes => Action::ConfirmYes,
            Command::Age => Action::ChooseAge(pos),
            Command::Quit => Action::Quit,
        }
    }
}

/// Maps a terminal event in the layer `app` shows, with its keymap. Ctrl-C
/// quits everywhere; a key the layer does not bind types into the filter
/// line, answers "no" to a question and closes the help overlay.
pub fn for_app(event: &Event, app: &App) -> Option<Action> {
    action(event, app.layer(), &app.settings.keys)
}

/// Maps a terminal event in `layer` with `keymap` (see [`for_app`]).
pub fn action(event: &Event, layer: Layer, keymap: &Keymap) -> Option<Action> {
    let key = match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key,
        Event::Mouse(m) => return mouse_action(m),
        Event::Resize(width, height) => {
            return Some(Action::Resize {
                width: *width,
                height: *height,
            });
        }
        _ => return None,
    };
    let chord = Chord::of(key)?;
    if chord.ctrl && chord.code == ChordCode::Char('c') {
        return Some(Action::Quit);
    }
    // A terminal sends Alt-x as Esc then x, and Esc quickly followed by a
    // key reads as Alt-key: unbound Alt chords fall back to the bare key.
    let bare = Chord {
        alt: false,
        ..chord
    };
    let found = keymap
        .lookup(layer, &chord)
        .or_else(|| keymap.lookup(layer, &bare));
    if let Some((command, pos)) = found {
        return Some(command.action(pos));
    }
    match (layer, chord.code) {
        (Layer::Filter, ChordCode::Char(c)) if !chord.ctrl && !chord.alt => {
            Some(Action::FilterChar(c))
        }
        (Layer::Prompt, _) => Some(Action::Back),
        (Layer::Help, _) => Some(Action::Help),
        _ => None,
    }
}

/// One line of the help overlay: the keys (`↑ k / ↓ j`) and what they do.
pub fn help_lines(keymap: &Keymap) -> Vec<(String, &'static str)> {
    let mut lines: Vec<(String, &'static str)> = Vec::new();
    for e in TABLE {
        let keys = keymap.label(e.command, " ");
        match (e.help, lines.last_mut()) {
            (Some(help), _) => lines.push((keys, help)),
            (None, Some(last)) if !keys.is_empty() => {
                last.0 = format!("{} / {keys}", last.0);
            }
            _ => {}
        }
    }
    lines.retain(|(keys, _)| !keys.is_empty());
    lines
}

/// The footer of `layer`: (first key of each command or group, label),
/// in table order; the quit key comes last.
pub fn footer(keymap: &Keymap, layer: Layer) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut quit = None;
    for e in TABLE {
        let first = keymap.keys(e.command).first().map(Chord::label);
        let shown = e.footer.filter(|(_, layers)| layers.contains(&layer));
        match (shown, first) {
            (Some(("", _)), Some(k)) => {
                if let Some(last) = out.last_mut() {
                    last.0.push_str(&k);
                }
            }
            (Some((label, _)), Some(k)) if e.command == Command::Quit => quit = Some((k, label)),
            (Some((label, _)), Some(k)) => out.push((k, label)),
            _ => {}
        }
    }
    out.extend(quit);
    out
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

/// A key press with Ctrl, for tests and scripted input.
pub fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn over(pairs: &[(&str, &[&str])]) -> Result<Keymap, String> {
        let map = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect();
        Keymap::with(&map)
    }

    #[test]
    fn chords_parse_print_and_label() {
        for (text, shown, label) in [
            ("ctrl-k", "ctrl-k", "Ctrl-K"),
            ("Ctrl-K", "ctrl-k", "Ctrl-K"),
            ("delete", "delete", "Del"),
            ("del", "delete", "Del"),
            ("F9", "f9", "F9"),
            ("K", "K", "K"),
            ("space", "space", "space"),
            ("pgdn", "pagedown", "PgDn"),
            ("shift-tab", "backtab", "S-Tab"),
            ("-", "-", "-"),
        ] {
            let c: Chord = text.parse().unwrap();
            assert_eq!((c.to_string().as_str(), c.label().as_str()), (shown, label));
        }
        for bad in ["", "ctrl-", "f13", "hyper-x", "kk"] {
            let err = bad.parse::<Chord>().unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    /// Every command's default keys parse, and no key does two things in a
    /// layer; no movement key destroys.
    #[test]
    fn defaults_are_consistent_and_destroy_is_off_movement_keys() {
        let map = Keymap::default();
        map.check().unwrap();
        let destroy = map.keys(Command::Destroy);
        for mover in [Command::Up, Command::Down, Command::Top, Command::Bottom] {
            assert!(map.keys(mover).iter().all(|k| !destroy.contains(k)));
        }
        let k: Chord = "k".parse().unwrap();
        assert_eq!(map.lookup(Layer::Drill, &k), Some((Command::Up, 1)));
    }

    #[test]
    fn overrides_replace_and_conflicts_are_refused() {
        let map = over(&[("destroy", &["f9"])]).unwrap();
        assert_eq!(map.label(Command::Destroy, " "), "F9");
        assert_eq!(map.label(Command::Up, " "), "↑ k", "others keep their keys");
        let err = over(&[("destroy", &["j"])]).unwrap_err();
        assert_eq!(
            err,
            "key j is bound to both destroy and down in the drill-down; give one of them other keys in [keys]"
        );
        let err = over(&[("destory", &["x"])]).unwrap_err();
        assert!(
            err.starts_with("unknown command \"destory\" in [keys]; the commands are: help, open"),
            "{err}"
        );
        assert!(
            over(&[("quit", &["hyper-q"])])
                .unwrap_err()
                .starts_with("keys.quit: unknown key")
        );
    }

    #[test]
    fn help_and_footer_come_from_the_table() {
        let map = over(&[("destroy", &["f9"]), ("sort", &["o"])]).unwrap();
        let help = help_lines(&map);
        assert!(help.contains(&("↑ k / ↓ j".to_owned(), "move the selection, scroll")));
        assert!(
            help.iter()
                .any(|(k, what)| k == "F9" && what.contains("destroy"))
        );
        let foot = footer(&map, Layer::Drill);
        assert!(foot.contains(&("F9".to_owned(), "destroy")));
        assert!(foot.contains(&("o".to_owned(), "sort")));
        assert!(foot.contains(&("←→".to_owned(), "time")));
        assert_eq!(foot.last(), Some(&("q".to_owned(), "quit")));
        assert!(
            !footer(&map, Layer::List)
                .iter()
                .any(|(_, l)| *l == "destroy")
        );
    }
}
