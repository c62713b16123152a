//! Taking over the terminal and always giving it back: on normal exit (the
//! guard's drop), on panic (a hook that restores before the message is
//! printed), and on SIGTERM/SIGHUP/SIGQUIT (the event loop ends, then the
//! guard drops). Job control hands it back for a while: Ctrl-Z or SIGTSTP
//! restores it and stops the process ([`TerminalGuard::suspend`]); SIGCONT
//! takes it again and redraws ([`TerminalGuard::resume`]).

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

impl TerminalGuard {
    /// Restores the terminal and stops the process, as the default action of
    /// SIGTSTP would (the shell sees the job stopped); returns once a
    /// SIGCONT (`fg`) continues it, with the dashboard's terminal taken again.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        // SAFETY: raise(3) has no preconditions; SIGSTOP cannot be caught.
        unsafe { libc::raise(libc::SIGSTOP) };
        self.resume()
    }

    /// Takes the terminal again after a stop: raw mode (set afresh, since
    /// the shell may have put the tty back into cooked mode while the job
    /// was stopped), the alternate screen and mouse capture, and a cleared
    /// screen so that the next draw repaints everything.
    pub fn resume(&mut self) -> io::Result<()> {
        let _ = disable_raw_mode();
        enable_raw_mode()?;
        execute!(
            stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            crossterm::cursor::Hide
        )?;
        // `Terminal::clear` would ask the terminal for the cursor position,
        // racing the event reader for the answer; a resize to the current
        // size clears and resets the back buffer without asking.
        let size = self.terminal.size()?;
        self.terminal
            .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}
