//! `sockscope replay FILE`: the dashboard on a recording.

use std::time::Duration;

use anyhow::Context;

use crate::cli::ReplayArgs;
use crate::collector::RoundSource;
use crate::commands::top;
use crate::config::Config;
use crate::record::{Playback, Recording, RecordingSource, SPEEDS};
use crate::ui::app::Mode;
use crate::ui::collect::SourceFactory;

/// Runs the subcommand with `base`, the configuration resolved from
/// defaults, the config file and the alert flags.
pub fn run(args: &ReplayArgs, base: Config) -> anyhow::Result<()> {
    if !(SPEEDS.0..=SPEEDS.1).contains(&args.speed) {
        anyhow::bail!(
            "--speed {} is out of range; use {} to {}",
            args.speed,
            SPEEDS.0,
            SPEEDS.1
        );
    }
    let recording = Recording::open(&args.file)?;
    let path = args.file.display().to_string();
    let (Some(first), Some(last)) = (recording.samples().first(), recording.samples().last())
    else {
        anyhow::bail!(
            "{path} holds no whole sample{}",
            recording
                .stopped()
                .map(|s| format!("; {s}"))
                .unwrap_or_default()
        );
    };
    let span = Duration::try_from(last.taken_at.duration_since(first.taken_at)).unwrap_or_default();
    let stopped = recording.stopped().map(|s| s.to_string());
    if let Some(why) = &stopped {
        eprintln!(
            "sockscope: warning: {path}: replaying {} whole samples; {why}",
            recording.samples().len()
        );
    }

    let config = top::config(None, &args.view, base)?;
    top::check_dashboard(&config)?;
    top::init_logging(args.view.log_file.as_deref());

    let mut settings = top::settings(&config, Mode::Replay { speed: args.speed });
    settings.interval = Duration::from_millis(recording.header.interval_ms.max(1));
    settings.replay_samples = recording.samples().iter().map(|s| s.taken_at).collect();
    // Keep the whole recording in history, so time travel reaches its start.
    settings.history = settings.history.max(span + 2 * settings.interval);

    let playback = Playback::new(args.speed);
    let source_playback = playback.clone();
    let factory: SourceFactory = Box::new(move || {
        Ok(Box::new(RecordingSource::new(recording, source_playback)) as Box<dyn RoundSource>)
    });
    crate::ui::run::run_with(settings, factory, Some(playback)).context("dashboard failed")?;
    if let Some(why) = stopped {
        eprintln!("sockscope: {path}: the replay stopped early: {why}");
    }
    Ok(())
}
