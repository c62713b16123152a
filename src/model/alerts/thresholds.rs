//! Alert thresholds: the `[alerts]` section of the config file. Defaults are
//! the values documented in `assets/config.example.toml`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Every alert threshold. Durations are wall time between snapshot
/// timestamps; counts are sockets; ratios are 0.0 to 1.0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// An alert fires once its condition has held for this many consecutive samples.
    pub fire_after: u32,
    /// An active alert resolves once its condition has been clear for this many
    /// consecutive samples.
    pub resolve_after: u32,
    /// Look-back for counter increases, overflow attribution and growth rates.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// Resolved alerts kept in the alert log, oldest dropped first.
    pub log_size: usize,
    /// Rule ids that are never evaluated (`["backlog_clamped"]`).
    pub disable: Vec<String>,
    /// `[alerts.accept_queue]`.
    pub accept_queue: AcceptQueue,
    /// `[alerts.syn_backlog]`.
    pub syn_backlog: SynBacklog,
    /// `[alerts.syn_flood]`.
    pub syn_flood: SynFlood,
    /// `[alerts.close_wait]`.
    pub close_wait: CloseWait,
    /// `[alerts.time_wait]`.
    pub time_wait: TimeWait,
    /// `[alerts.ephemeral_ports]`.
    pub ephemeral_ports: EphemeralPorts,
}

/// `accept_queue_overflow` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AcceptQueue {
    /// Accept-queue fill (Recv-Q / backlog of a LISTEN socket) counted as near full.
    pub near_full_ratio: f64,
    /// How long a listener must stay near full before the rule holds.
    #[serde(with = "humantime_serde")]
    pub near_full_for: Duration,
}

/// `syn_backlog` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SynBacklog {
    /// SYN_RECV count, as a share of min(backlog, `tcp_max_syn_backlog`), that warns.
    pub warn_ratio: f64,
}

/// `syn_flood` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SynFlood {
    /// Increase within `window` of `SyncookiesSent` + `TCPReqQFullDoCookies`,
    /// or of `TCPReqQFullDrop`, that makes the rule hold.
    pub min_increase: u64,
}

/// `close_wait_leak` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CloseWait {
    /// A CLOSE_WAIT socket counts as leaked once sockscope has seen it in
    /// CLOSE_WAIT for this long (tracked by socket cookie).
    #[serde(with = "humantime_serde")]
    pub min_age: Duration,
    /// Leaked sockets of one listener or remote that make the rule hold.
    pub min_count: u64,
    /// Leaked sockets that make it critical.
    pub critical_count: u64,
}

/// `time_wait_pressure` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeWait {
    /// TIME_WAIT total as a share of `tcp_max_tw_buckets` that warns.
    pub warn_ratio: f64,
    /// Share that is critical.
    pub critical_ratio: f64,
}

/// `ephemeral_port_exhaustion` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EphemeralPorts {
    /// Local ports in use toward one remote, as a share of the
    /// `ip_local_port_range` size, that warns.
    pub warn_ratio: f64,
    /// Share that is critical.
    pub critical_ratio: f64,
    /// Also warn when the growth over `window` would use the whole range within this time.
    #[serde(with = "humantime_serde")]
    pub forecast_horizon: Duration,
    /// ...but only once at least this share of the range is in use.
    pub forecast_min_ratio: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            fire_after: 3,
            resolve_after: 3,
            window: Duration::from_secs(60),
            log_size: 1000,
            disable: Vec::new(),
            accept_queue: AcceptQueue::default(),
            syn_backlog: SynBacklog::default(),
            syn_flood: SynFlood::default(),
            close_wait: CloseWait::default(),
            time_wait: TimeWait::default(),
            ephemeral_ports: EphemeralPorts::default(),
        }
    }
}

impl Default for AcceptQueue {
    fn default() -> Self {
        AcceptQueue {
            near_full_ratio: 0.8,
            near_full_for: Duration::from_secs(10),
        }
    }
}

impl Default for SynBacklog {
    fn default() -> Self {
        SynBacklog { warn_ratio: 0.8 }
    }
}

impl Default for SynFlood {
    fn default() -> Self {
        SynFlood { min_increase: 1 }
    }
}

impl Default for CloseWait {
    fn default() -> Self {
        CloseWait {
            min_age: Duration::from_secs(60),
            min_count: 10,
            critical_count: 200,
        }
    }
}

impl Default for TimeWait {
    fn default() -> Self {
        TimeWait {
            warn_ratio: 0.8,
            critical_ratio: 0.95,
        }
    }
}

impl Default for EphemeralPorts {
    fn default() -> Self {
        EphemeralPorts {
            warn_ratio: 0.7,
            critical_ratio: 0.9,
            forecast_horizon: Duration::from_secs(600),
            forecast_min_ratio: 0.3,
        }
    }
}

/// A threshold that is out of range: the dotted config key, the value as
/// given, and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutOfRange {
    /// Dotted key under `alerts` (`alerts.close_wait.min_count`).
    pub key: String,
    /// The value, formatted as in the config file.
    pub value: String,
    /// What is allowed.
    pub allowed: String,
}

impl Thresholds {
    /// Checks every range; the first bad value is returned.
    pub fn validate(&self) -> Result<(), OutOfRange> {
        let bad = |key: &str, value: String, allowed: &str| {
            Err(OutOfRange {
                key: format!("alerts.{key}"),
                value,
                allowed: allowed.to_owned(),
            })
        };
        let ratio = |key: &str, v: f64| {
            if v > 0.0 && v <= 1.0 {
                Ok(())
            } else {
                bad(key, v.to_string(), "a ratio above 0 and at most 1")
            }
        };
        if self.fire_after == 0 {
            return bad("fire_after", "0".into(), "at least 1 sample");
        }
        if self.resolve_after == 0 {
            return bad("resolve_after", "0".into(), "at least 1 sample");
        }
        if self.window.is_zero() {
            return bad("window", "0s".into(), "a positive duration such as \"1m\"");
        }
        for id in &self.disable {
            if super::Rule::from_id(id).is_none() {
                return bad(
                    "disable",
                    format!("{id:?}"),
                    &format!("rule ids: {}", super::Rule::ids().join(", ")),
                );
            }
        }
        ratio(
            "accept_queue.near_full_ratio",
            self.accept_queue.near_full_ratio,
        )?;
        ratio("syn_backlog.warn_ratio", self.syn_backlog.warn_ratio)?;
        ratio("time_wait.warn_ratio", self.time_wait.warn_ratio)?;
        ratio("time_wait.critical_ratio", self.time_wait.critical_ratio)?;
        ratio(
            "ephemeral_ports.warn_ratio",
            self.ephemeral_ports.warn_ratio,
        )?;
        ratio(
            "ephemeral_ports.critical_ratio",
            self.ephemeral_ports.critical_ratio,
        )?;
        ratio(
            "ephemeral_ports.forecast_min_ratio",
            self.ephemeral_ports.forecast_min_ratio,
        )?;
        if self.time_wait.critical_ratio < self.time_wait.warn_ratio {
            return bad(
                "time_wait.critical_ratio",
                self.time_wait.critical_ratio.to_string(),
                "at least time_wait.warn_ratio",
            );
        }
        if self.ephemeral_ports.critical_ratio < self.ephemeral_ports.warn_ratio {
            return bad(
                "ephemeral_ports.critical_ratio",
                self.ephemeral_ports.critical_ratio.to_string(),
                "at least ephemeral_ports.warn_ratio",
            );
        }
        if self.syn_flood.min_increase == 0 {
            return bad("syn_flood.min_increase", "0".into(), "at least 1");
        }
        if self.close_wait.min_count == 0 {
            return bad("close_wait.min_count", "0".into(), "at least 1 socket");
        }
        if self.close_wait.critical_count < self.close_wait.min_count {
            return bad(
                "close_wait.critical_count",
                self.close_wait.critical_count.to_string(),
                "at least close_wait.min_count",
            );
        }
        Ok(())
    }

    /// Whether rule `rule` is evaluated.
    pub fn enabled(&self, rule: super::Rule) -> bool {
        !self.disable.iter().any(|d| d == rule.id())
    }
}
