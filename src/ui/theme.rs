//! Colours: the 16 ANSI colours only (they work on every terminal), and none
//! at all under `NO_COLOR` (<https://no-color.org>), where emphasis falls back
//! to bold and reverse video.

use ratatui::style::{Color, Modifier, Style};

/// How the screens are coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// False under `NO_COLOR`: only bold, dim and reverse are used.
    pub color: bool,
}

/// How alarming a figure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing to see (a zero).
    Quiet,
    /// Normal.
    Ok,
    /// Worth a look.
    Warn,
    /// Trouble.
    Bad,
}

impl Theme {
    /// Colour unless the `NO_COLOR` environment variable is set and non-empty.
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// Style of a figure at `level`.
    pub fn level(&self, level: Level) -> Style {
        match level {
            Level::Quiet => Style::new().add_modifier(Modifier::DIM),
            Level::Ok => self.fg(Color::Green),
            Level::Warn => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Level::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// Level of a queue filled to `fill` (0.0 to 1.0 and above).
    pub fn fill_level(fill: f64, queued: u64) -> Level {
        if queued == 0 {
            Level::Quiet
        } else if fill >= 1.0 {
            Level::Bad
        } else if fill >= 0.5 {
            Level::Warn
        } else {
            Level::Ok
        }
    }

    /// Table header rows.
    pub fn table_header(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Titles and the active tab.
    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text: labels, hints.
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// Key names in the footer and help.
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The PAUSED / REPLAY marker.
    pub fn marker(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// An error in the status line.
    pub fn error(&self) -> Style {
        self.level(Level::Bad)
    }

    /// Sparklines.
    pub fn spark(&self, level: Level) -> Style {
        match level {
            Level::Quiet | Level::Ok => self.fg(Color::Blue),
            other => self.level(other),
        }
    }
}
