//! Colours: the 16 ANSI colours only (they work on every terminal), and none
//! at all under `NO_COLOR` (<https://no-color.org>), where emphasis falls back
//! to bold and reverse video.

use ratatui::style::{Color, Modifier, Style};

use crate::model::Severity;

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
    /// Normal: drawn plain (a count is not "healthy", just a count).
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
            Level::Ok => Style::new(),
            Level::Warn => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Level::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// The one severity palette: critical red, warning yellow, info cyan
    /// (alert markers, the alerts strip and panel).
    pub fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Critical => self.level(Level::Bad),
            Severity::Warning => self.level(Level::Warn),
            Severity::Info => self.fg(Color::Cyan),
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
