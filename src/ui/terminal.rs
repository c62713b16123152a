//! Taking over the terminal and always giving it back: on normal exit (the
//! guard's drop), on panic (a hook that restores before the message is
//! printed), and on SIGTERM/SIGHUP (the event loop ends, then the guard drops).

use std::io::{self, Stdout, stdout};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The dashboard's terminal; restores the user's terminal when dropped.
pub struct TerminalGuard {
    /// The ratatui terminal on standard output.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

/// Puts the terminal back: cursor shown, mouse released, main screen, cooked mode.
pub fn restore() {
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

impl TerminalGuard {
    /// Enters raw mode, the alternate screen and mouse capture, and installs
    /// a panic hook that restores the terminal first.
    pub fn enter() -> io::Result<TerminalGuard> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        enable_raw_mode()?;
        let setup = execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)
            .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
        match setup {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}
