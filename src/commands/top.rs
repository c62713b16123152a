//! `sockscope` / `sockscope top`: the live dashboard.

use std::io::IsTerminal;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use crate::cli::{TargetArgs, TopArgs, ViewArgs};
use crate::commands::target::process_cache;
use crate::config::Config;
use crate::ui::app::{Mode, Settings};
use crate::ui::collect::SourceFactory;

/// The effective configuration: `config` (defaults, file, alert flags),
/// then the dashboard flags: `interval` and `view`.
pub fn config(
    interval: Option<Duration>,
    view: &ViewArgs,
    mut config: Config,
) -> anyhow::Result<Config> {
    config
        .dashboard
        .override_with(interval, view.history, view.export_dir.as_deref());
    config.validate()?;
    Ok(config)
}

/// Dashboard settings of a validated config.
pub fn settings(config: &Config, mode: Mode) -> Settings {
    Settings {
        interval: config.dashboard.interval,
        history: config.dashboard.history,
        export_dir: config.dashboard.export_dir.clone(),
        mode,
        thresholds: config.alerts.clone(),
        read_only: false,
        keys: config.keys.clone(),
        replay_samples: Vec::new(),
    }
}

/// Sends `tracing` output to `path` (never to the terminal the dashboard
/// draws on). Logging is best effort: a log file that cannot be opened, or
/// is a symlink, disables logging rather than the dashboard.
pub fn init_logging(path: Option<&Path>) {
    let path = path.map(Path::to_owned).or_else(default_log_path);
    let Some(path) = path else { return };
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // O_NOFOLLOW: a symlink planted at the log path (a shared state
    // directory) must not send root's log lines into another file.
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SOCKSCOPE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}

/// What the dashboard (live or replay) needs before it takes the terminal:
/// an export directory that is a directory, and a terminal on stdin and
/// stdout (escape codes must not go into a file or pipe).
pub fn check_dashboard(config: &Config) -> anyhow::Result<()> {
    let dir = &config.dashboard.export_dir;
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => anyhow::bail!(
            "export directory {} is not a directory; pass --export-dir with a directory",
            dir.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "export directory {} does not exist; create it or pass --export-dir",
            dir.display()
        ),
        Err(e) => anyhow::bail!(
            "export directory {} cannot be used ({e}); pass --export-dir with a directory you can write",
            dir.display()
        ),
    }
    anyhow::ensure!(
        std::io::stdout().is_terminal() && std::io::stdin().is_terminal(),
        "the dashboard needs a terminal; for output to a file or pipe use `sockscope snapshot`"
    );
    Ok(())
}

fn default_log_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(base.join("sockscope").join("sockscope.log"))
}

/// Runs the dashboard on the live kernel of the current network namespace.
pub fn run(args: &TopArgs, base: Config) -> anyhow::Result<()> {
    let config = config(args.interval, &args.view, base)?;
    check_dashboard(&config)?;
    let target = TargetArgs {
        read_only: args.read_only,
        ..args.target.clone()
    };
    let (source, _label) = target.open_any(process_cache())?;
    init_logging(args.view.log_file.as_deref());
    let factory: SourceFactory = Box::new(move || Ok(source));
    let settings = Settings {
        read_only: args.read_only,
        ..settings(&config, Mode::Live)
    };
    crate::ui::run::run(settings, factory).context("dashboard failed")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "[dashboard]\ninterval = \"2s\"\nhistory = \"30m\"\n").unwrap();
        let base = Config::resolve(Some(&file), &crate::cli::AlertFlags::default()).unwrap();
        let mut args = TopArgs::default();
        let c = config(args.interval, &args.view, base.clone()).unwrap();
        assert_eq!(c.dashboard.interval, Duration::from_secs(2));
        assert_eq!(c.dashboard.history, Duration::from_secs(1800));
        assert_eq!(c.dashboard.export_dir, PathBuf::from("."));
        args.interval = Some(Duration::from_millis(250));
        args.view.export_dir = Some(dir.path().to_owned());
        let c = config(args.interval, &args.view, base.clone()).unwrap();
        assert_eq!(c.dashboard.interval, Duration::from_millis(250));
        assert_eq!(c.dashboard.history, Duration::from_secs(1800));
        assert_eq!(c.dashboard.export_dir, dir.path());
        args.view.history = Some(Duration::from_millis(100));
        let err = config(args.interval, &args.view, base)
            .unwrap_err()
            .to_string();
        assert!(err.contains("dashboard.history = 100ms"), "{err}");
    }
}
