//! The event loop: a current-thread tokio runtime that waits on terminal
//! events, samples from the collection thread and signals, and redraws
//! after each. Nothing on screen reads a clock (every age shown is counted
//! from a sample's own time), so there is no redraw tick: between two
//! wake-ups the screen cannot change.

use std::time::Duration;

use anyhow::Context;
use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};

use super::app::{App, Effect, Mode, Settings};
use super::collect::{self, Collected, SourceFactory};
use super::terminal::TerminalGuard;
use super::theme::Theme;
use super::{export, keys, render};
use crate::model::Needs;
use crate::record::Playback;

/// Opens the dashboard on the samples of `factory` until the user quits or
/// a SIGTERM, SIGHUP, SIGINT or SIGQUIT arrives. The terminal is restored in
/// every case. Ctrl-Z and SIGTSTP suspend it (terminal restored, process
/// stopped); SIGCONT re-enters raw mode and redraws.
pub fn run(settings: Settings, factory: SourceFactory) -> anyhow::Result<()> {
    run_with(settings, factory, None)
}

/// Like [`run`]; a replay passes the [`Playback`] its source is paced by, and
/// the dashboard's pause and speed keys steer it.
pub fn run_with(
    settings: Settings,
    factory: SourceFactory,
    playback: Option<Playback>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the event loop")?;
    runtime.block_on(event_loop(settings, factory, playback))
}

/// Ctrl-Z: in raw mode the terminal sends it as a key, not as SIGTSTP.
fn is_suspend(event: &Event) -> bool {
    matches!(
        event,
        Event::Key(KeyEvent {
            code: KeyCode::Char('z'),
            modifiers,
            kind: KeyEventKind::Press,
            ..
        }) if modifiers.contains(KeyModifiers::CONTROL)
    )
}

/// Hands the dashboard's pause and speed to the replay's source.
fn steer(playback: Option<&Playback>, app: &App) {
    if let (Some(p), Mode::Replay { speed }) = (playback, app.settings.mode) {
        p.set_speed(speed);
        p.set_paused(app.paused.is_some());
    }
}

async fn event_loop(
    settings: Settings,
    factory: SourceFactory,
    playback: Option<Playback>,
) -> anyhow::Result<()> {
    // A replay's source paces itself by the recorded timestamps.
    let pace = match settings.mode {
        Mode::Live => settings.interval,
        Mode::Replay { .. } => Duration::ZERO,
    };
    let mut collector =
        collect::spawn(factory, pace).context("cannot start the collection thread")?;
    let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut hup = signal(SignalKind::hangup()).context("cannot watch SIGHUP")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
    let mut quit = signal(SignalKind::quit()).context("cannot watch SIGQUIT")?;
    let mut tstp = signal(SignalKind::from_raw(libc::SIGTSTP)).context("cannot watch SIGTSTP")?;
    let mut cont = signal(SignalKind::from_raw(libc::SIGCONT)).context("cannot watch SIGCONT")?;

    let mut guard = TerminalGuard::enter().context("cannot set up the terminal")?;
    let size = guard
        .terminal
        .size()
        .context("cannot read the terminal size")?;
    let mut app = App::new(
        settings,
        Theme::from_env(),
        ratatui::layout::Rect::new(0, 0, size.width, size.height),
    );
    let mut events = EventStream::new();
    let mut collecting = true;

    let mut needs = Needs::default();
    loop {
        guard.terminal.draw(|f| render::draw(f, &app))?;
        let now_needed = app.needs();
        if now_needed != needs {
            needs.clone_from(&now_needed);
            collector.needs(now_needed);
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) if is_suspend(&event) => {
                    guard.suspend().context("cannot take the terminal back after a stop")?;
                }
                Some(Ok(event)) => {
                    if let Some(action) = keys::for_app(&event, &app) {
                        match app.handle(action) {
                            Effect::Quit => break,
                            Effect::Export(frame) => {
                                let result = export::write(&app.settings.export_dir, &frame);
                                match &result {
                                    Ok(p) => tracing::info!("exported {}", p.display()),
                                    Err(e) => tracing::warn!("{e}"),
                                }
                                app.exported(result);
                            }
                            Effect::Destroy(targets) => collector.destroy(targets),
                            Effect::None => {}
                        }
                        steer(playback.as_ref(), &app);
                    }
                }
                Some(Err(e)) => return Err(e).context("cannot read terminal events"),
                None => break,
            },
            msg = collector.rx.recv(), if collecting => match msg {
                Some(Collected::Round(round)) => {
                    app.ingest_round(round);
                    for (inode, tcp) in app.spare_sockets() {
                        collector.recycle(inode, tcp);
                    }
                }
                Some(Collected::Failed(e)) => app.collect_failed(e),
                Some(Collected::Destroyed(outcome)) => app.destroyed(outcome),
                Some(Collected::SourceFailed(e)) => {
                    drop(guard);
                    anyhow::bail!("cannot start collecting: {e}");
                }
                Some(Collected::Finished) => {
                    collecting = false;
                    app.source_finished();
                }
                None => collecting = false,
            },
            _ = term.recv() => break,
            _ = hup.recv() => break,
            _ = int.recv() => break,
            _ = quit.recv() => break,
            _ = tstp.recv() => {
                guard.suspend().context("cannot take the terminal back after a stop")?;
            }
            _ = cont.recv() => {
                guard.resume().context("cannot take the terminal back after a stop")?;
            }
        }
    }
    drop(guard);
    Ok(())
}
