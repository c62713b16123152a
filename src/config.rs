//! One validated [`Config`], layered: defaults, then the TOML file, then
//! command-line flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cli::AlertFlags;
use crate::collector::runtime_state::RuntimeRoots;
use crate::model::Thresholds;

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema (toml names line and key).
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// toml's message, with line, column and key.
        message: String,
    },
    /// A value is out of range; `origin` says where it was set.
    #[error("invalid setting {key} = {value}{origin}: {why}")]
    Invalid {
        /// Dotted key.
        key: String,
        /// The value given.
        value: String,
        /// What is allowed.
        why: String,
        /// ` in FILE line N`, ` (from --flag)`, or empty for a default.
        origin: String,
    },
}

/// The effective configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Dashboard and watch settings.
    pub dashboard: DashboardConfig,
    /// Alert thresholds (`[alerts]`, `[alerts.close_wait]`, ...).
    pub alerts: Thresholds,
    /// Where the container runtimes keep the state that names namespaces
    /// (`[runtimes]`).
    pub runtimes: RuntimeRoots,
    /// Dashboard keys (`[keys]`: command = key or list of keys).
    pub keys: crate::ui::keys::Keymap,
}

/// `[dashboard]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DashboardConfig {
    /// Time between collections (`"1s"`, `"250ms"`).
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// How far back history is kept (`"10m"`).
    #[serde(with = "humantime_serde")]
    pub history: Duration,
    /// Where `e` writes snapshot files.
    pub export_dir: PathBuf,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig {
            interval: Duration::from_secs(1),
            history: Duration::from_secs(600),
            export_dir: PathBuf::from("."),
        }
    }
}

impl DashboardConfig {
    /// Applies command-line values over the file's (each `Some` wins).
    pub fn override_with(
        &mut self,
        interval: Option<Duration>,
        history: Option<Duration>,
        export_dir: Option<&Path>,
    ) {
        if let Some(i) = interval {
            self.interval = i;
        }
        if let Some(h) = history {
            self.history = h;
        }
        if let Some(d) = export_dir {
            self.export_dir = d.to_owned();
        }
    }
}

impl Config {
    /// Parses TOML text; `path` is only used in messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim().replace('\n', " "),
        })
    }

    /// Reads `path`, or the default file (`$XDG_CONFIG_HOME/sockscope/config.toml`,
    /// else `~/.config/sockscope/config.toml`) when `path` is `None` and that
    /// file exists; defaults otherwise.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        Ok(Config::read(path)?.0)
    }

    /// The file layer: the parsed config and, when a file was read, its path and text.
    fn read(path: Option<&Path>) -> Result<(Config, Option<(PathBuf, String)>), ConfigError> {
        // The default file counts only when it visibly exists: a HOME that
        // this user cannot even search (`sudo -u nobody`) means no file.
        let path = match path {
            Some(p) => p.to_owned(),
            None => match default_path() {
                Some(p) if p.try_exists().unwrap_or(false) => p,
                _ => return Ok((Config::default(), None)),
            },
        };
        match read_bounded(&path) {
            Ok(text) => Ok((Config::from_toml(&text, &path)?, Some((path, text)))),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// Every layer: defaults, then the file (`path` or the default file),
    /// then the command-line flags; validated. A bad value is reported with
    /// the flag that set it, or the file and line it came from.
    pub fn resolve(path: Option<&Path>, flags: &AlertFlags) -> Result<Config, ConfigError> {
        let (mut config, file) = Config::read(path)?;
        let from_flags = config.apply_flags(flags);
        match config.validate() {
            Ok(()) => Ok(config),
            Err(ConfigError::Invalid {
                key, value, why, ..
            }) => {
                let origin = if let Some((_, flag)) = from_flags.iter().find(|(k, _)| *k == key) {
                    format!(" (from {flag})")
                } else if let Some((path, text)) = &file
                    && let Some(line) = key_line(text, &key)
                {
                    format!(" in {} line {line}", path.display())
                } else {
                    String::new()
                };
                Err(ConfigError::Invalid {
                    key,
                    value,
                    why,
                    origin,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Applies the flags that were given; returns (dotted key, flag) of each.
    fn apply_flags(&mut self, f: &AlertFlags) -> Vec<(&'static str, &'static str)> {
        let a = &mut self.alerts;
        let mut set = Vec::new();
        let mut note = |key, flag| set.push((key, flag));
        if let Some(v) = f.fire_after {
            a.fire_after = v;
            note("alerts.fire_after", "--fire-after");
        }
        if let Some(v) = f.resolve_after {
            a.resolve_after = v;
            note("alerts.resolve_after", "--resolve-after");
        }
        if let Some(v) = f.alert_window {
            a.window = v;
            note("alerts.window", "--alert-window");
        }
        if let Some(v) = f.near_full_ratio {
            a.accept_queue.near_full_ratio = v;
            note("alerts.accept_queue.near_full_ratio", "--near-full-ratio");
        }
        if let Some(v) = f.near_full_for {
            a.accept_queue.near_full_for = v;
            note("alerts.accept_queue.near_full_for", "--near-full-for");
        }
        if let Some(v) = f.close_wait_min_age {
            a.close_wait.min_age = v;
            note("alerts.close_wait.min_age", "--close-wait-min-age");
        }
        if let Some(v) = f.close_wait_min_count {
            a.close_wait.min_count = v;
            note("alerts.close_wait.min_count", "--close-wait-min-count");
        }
        if let Some(v) = f.port_warn_ratio {
            a.ephemeral_ports.warn_ratio = v;
            note("alerts.ephemeral_ports.warn_ratio", "--port-warn-ratio");
        }
        if !f.disable_rule.is_empty() {
            a.disable.extend(f.disable_rule.iter().cloned());
            note("alerts.disable", "--disable-rule");
        }
        set
    }

    /// Checks ranges; call after every layer is applied.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let d = &self.dashboard;
        check_interval(d.interval)
            .map_err(|why| invalid("dashboard.interval", &d.interval, why))?;
        if d.history < d.interval {
            return Err(invalid(
                "dashboard.history",
                &d.history,
                "at least one interval",
            ));
        }
        self.alerts.validate().map_err(|e| ConfigError::Invalid {
            key: e.key,
            value: e.value,
            why: e.allowed,
            origin: String::new(),
        })
    }

    /// The effective configuration as TOML, for `sockscope config --print`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("Config serializes to TOML")
    }
}

/// Shortest and longest time between samples of the dashboard and of
/// `snapshot --watch`.
pub const INTERVAL_RANGE: (Duration, Duration) =
    (Duration::from_millis(100), Duration::from_secs(3600));

/// Checks a sampling interval against [`INTERVAL_RANGE`]; the error says what is allowed.
pub fn check_interval(interval: Duration) -> Result<(), &'static str> {
    if interval < INTERVAL_RANGE.0 || interval > INTERVAL_RANGE.1 {
        return Err("between 100ms and 1h");
    }
    Ok(())
}

/// The largest config file read (1 MiB); a real one is a few hundred bytes.
pub const MAX_CONFIG_LEN: u64 = 1 << 20;

/// Reads the config file at `path`: a regular file (after symlinks) of at
/// most [`MAX_CONFIG_LEN`] bytes, opened without blocking so that a FIFO
/// or device is refused instead of waited on or read forever.
fn read_bounded(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it is not a regular file (a device, FIFO, socket or directory); give a TOML file",
        ));
    }
    let mut text = String::new();
    file.take(MAX_CONFIG_LEN + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG_LEN {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "it is larger than {MAX_CONFIG_LEN} bytes; a config file is a few lines of TOML"
            ),
        ));
    }
    Ok(text)
}

fn invalid(key: &str, value: &Duration, why: &str) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        value: humantime::format_duration(*value).to_string(),
        why: why.to_owned(),
        origin: String::new(),
    }
}

/// Line (1-based) of the dotted `key` in TOML `text`, if the file sets it.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == part)?;
        if parts.peek().is_none() {
            let start = k.span().start;
            return Some(text[..start].matches('\n').count() + 1);
        }
        table = v.get_ref().as_table()?;
    }
    None
}

fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("sockscope").join("config.toml"))
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod layering_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_with_line_and_key() {
        let err = Config::from_toml(
            "[dashboard]\ninterval = \"1s\"\nintervall = \"2s\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("c.toml"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("intervall"), "{err}");
    }

    #[test]
    fn durations_parse_and_validate() {
        let c =
            Config::from_toml("[dashboard]\ninterval = \"250ms\"\n", Path::new("c.toml")).unwrap();
        assert_eq!(c.dashboard.interval, Duration::from_millis(250));
        c.validate().unwrap();
        let bad =
            Config::from_toml("[dashboard]\ninterval = \"10ms\"\n", Path::new("c.toml")).unwrap();
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("dashboard.interval = 10ms")
        );
    }

    #[test]
    fn keys_are_rebound_printed_and_checked() {
        use crate::ui::keys::Command;
        let c = Config::from_toml(
            "[keys]\ndestroy = \"f9\"\nup = [\"up\", \"w\"]\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.keys.label(Command::Destroy, " "), "F9");
        assert_eq!(c.keys.label(Command::Up, " "), "↑ w");
        assert_eq!(c.keys.label(Command::Down, " "), "↓ j");
        let printed = c.to_toml();
        assert!(printed.contains("destroy = [\"f9\"]"), "{printed}");
        assert!(
            printed.contains("quit = [\n    \"q\",\n    \"f10\",\n]")
                || printed.contains("quit = [\"q\", \"f10\"]"),
            "{printed}"
        );
        assert_eq!(Config::from_toml(&printed, Path::new("x")).unwrap(), c);
        let err = Config::from_toml(
            "[dashboard]\n\n[keys]\ndestroy = \"j\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(
            err.contains("key j is bound to both destroy and down in the drill-down"),
            "{err}"
        );
    }

    #[test]
    fn printed_config_reads_back() {
        let c = Config::default();
        assert_eq!(Config::from_toml(&c.to_toml(), Path::new("x")).unwrap(), c);
    }
}
