//! One validated [`Config`], layered: defaults, then the TOML file, then
//! command-line flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
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
    /// A value is out of range.
    #[error("invalid setting {key} = {value}: {why}")]
    Invalid {
        /// Dotted key.
        key: String,
        /// The value given.
        value: String,
        /// What is allowed.
        why: String,
    },
}

/// The effective configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Dashboard and watch settings.
    pub dashboard: DashboardConfig,
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
        let (path, required) = match path {
            Some(p) => (p.to_owned(), true),
            None => match default_path() {
                Some(p) => (p, false),
                None => return Ok(Config::default()),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::from_toml(&text, &path),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Config::default())
            }
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// Checks ranges; call after every layer is applied.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let d = &self.dashboard;
        if d.interval < Duration::from_millis(100) || d.interval > Duration::from_secs(3600) {
            return Err(invalid(
                "dashboard.interval",
                &d.interval,
                "between 100ms and 1h",
            ));
        }
        if d.history < d.interval {
            return Err(invalid(
                "dashboard.history",
                &d.history,
                "at least one interval",
            ));
        }
        Ok(())
    }

    /// The effective configuration as TOML, for `sockscope config --print`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("Config serializes to TOML")
    }
}

fn invalid(key: &str, value: &Duration, why: &str) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        value: humantime::format_duration(*value).to_string(),
        why: why.to_owned(),
    }
}

fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("sockscope").join("config.toml"))
}

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
    fn printed_config_reads_back() {
        let c = Config::default();
        assert_eq!(Config::from_toml(&c.to_toml(), Path::new("x")).unwrap(), c);
    }
}
