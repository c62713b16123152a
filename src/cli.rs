//! Command-line interface (clap derive). No logic here.

use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Parser, Subcommand, ValueEnum};

/// Live view of the TCP and UNIX-socket states that take Linux servers down.
///
/// Each command takes only the options that apply to it, grouped by what
/// they set: the target (which network namespace), the dashboard, the
/// alert thresholds, and the command's own. Options follow the command
/// (`sockscope snapshot --netns web`); `--config` goes anywhere. Parse with
/// [`Cli::try_parse_args`].
#[derive(Debug, Parser)]
#[command(name = "sockscope", version, about)]
pub struct Cli {
    /// What to do; without one, the live dashboard opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The dashboard's options, for `sockscope` without a subcommand.
    #[command(flatten)]
    pub top: TopArgs,
    /// Config file [default: $XDG_CONFIG_HOME/sockscope/config.toml when present].
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub config: Option<PathBuf>,
}

impl Cli {
    /// Parses the command line (`args`, the program name first) like
    /// [`Parser::try_parse_from`], and refuses the dashboard's options
    /// given before a command (`sockscope --netns web snapshot`), which
    /// would otherwise be ignored; `--config` goes anywhere.
    pub fn try_parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::{CommandFactory, FromArgMatches};
        let mut cmd = Cli::command();
        let matches = cmd.try_get_matches_from_mut(args)?;
        if let Some((name, _)) = matches.subcommand() {
            let before = matches.ids().find(|id| {
                id.as_str() != "config"
                    && matches.value_source(id.as_str()) == Some(ValueSource::CommandLine)
            });
            if let Some(id) = before {
                let flag = cmd
                    .get_arguments()
                    .find(|a| a.get_id() == id)
                    .and_then(|a| a.get_long())
                    .unwrap_or(id.as_str());
                let msg = format!(
                    "--{flag} goes after the command it is for: `sockscope {name} --{flag} …`"
                );
                return Err(cmd.error(ErrorKind::ArgumentConflict, msg));
            }
        }
        Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
    }

    /// The alert-threshold flags of the command run; `None` for `record`,
    /// which judges nothing.
    pub fn alerts(&self) -> Option<&AlertFlags> {
        match &self.command {
            None => Some(&self.top.alerts),
            Some(Command::Top(a)) => Some(&a.alerts),
            Some(Command::Snapshot(a)) => Some(&a.alerts),
            Some(Command::Serve(a)) => Some(&a.alerts),
            Some(Command::Replay(a)) => Some(&a.alerts),
            Some(Command::Config(a)) => Some(&a.alerts),
            Some(Command::Record(_)) => None,
        }
    }
}

/// The main alert thresholds as flags; each overrides its `[alerts]` key
/// (see `assets/config.example.toml`).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Alert thresholds")]
pub struct AlertFlags {
    /// Samples a condition must hold before its alert fires [alerts.fire_after].
    #[arg(long, value_name = "N")]
    pub fire_after: Option<u32>,
    /// Clear samples before an alert resolves [alerts.resolve_after].
    #[arg(long, value_name = "N")]
    pub resolve_after: Option<u32>,
    /// Look-back for counter rises and growth rates, e.g. `1m` [alerts.window].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub alert_window: Option<Duration>,
    /// Accept-queue fill counted as near full, 0-1 [alerts.accept_queue.near_full_ratio].
    #[arg(long, value_name = "RATIO")]
    pub near_full_ratio: Option<f64>,
    /// How long near full before it alerts [alerts.accept_queue.near_full_for].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub near_full_for: Option<Duration>,
    /// Age in CLOSE_WAIT from which a socket counts as leaked [alerts.close_wait.min_age].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub close_wait_min_age: Option<Duration>,
    /// Leaked CLOSE_WAIT sockets per listener that alert [alerts.close_wait.min_count].
    #[arg(long, value_name = "N")]
    pub close_wait_min_count: Option<u64>,
    /// Share of ip_local_port_range in use toward one destination that warns
    /// [alerts.ephemeral_ports.warn_ratio].
    #[arg(long, value_name = "RATIO")]
    pub port_warn_ratio: Option<f64>,
    /// Rule id not to evaluate; repeatable [alerts.disable].
    #[arg(long, value_name = "RULE")]
    pub disable_rule: Vec<String>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one collection of the current network namespace and exit, or
    /// with --watch, sample for a while and report the alerts that fired.
    Snapshot(SnapshotArgs),
    /// Open the live dashboard (the default).
    Top(TopArgs),
    /// Serve Prometheus metrics over HTTP, collecting on each scrape.
    Serve(ServeArgs),
    /// Append a sample to a recording file every interval.
    Record(RecordArgs),
    /// Open the dashboard on a recording.
    Replay(ReplayArgs),
    /// Show the effective configuration (defaults, config file, flags).
    Config(ConfigArgs),
}

/// Arguments of `sockscope config`.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// Print the effective configuration as TOML (what `sockscope config`
    /// does anyway; kept for scripts).
    #[arg(long)]
    pub print: bool,
    /// Alert thresholds that override the config file.
    #[command(flatten)]
    pub alerts: AlertFlags,
}

/// Output formats of `snapshot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A grouped human table, listeners first.
    Text,
    /// The `sockscope.snapshot.v1` JSON document.
    Json,
    /// One row per TCP listener with every figure of the JSON listener object.
    Csv,
    /// The Prometheus text exposition format (for node_exporter's textfile collector).
    Prometheus,
}

/// Arguments of `sockscope snapshot`.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Add every TCP socket: a SOCKETS section in `ss -tan`'s columns to
    /// the text report, `sockets[]` to the JSON document (not with csv or
    /// prometheus).
    #[arg(long)]
    pub sockets: bool,
    /// Print a sample of this recording instead of collecting.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// With --from: the sample taken at or last before TIME: RFC 3339
    /// (2026-11-24T19:08:45Z), a time of day in UTC (19:08:45) or a time
    /// back from the last sample (-5m) [default: the last sample].
    #[arg(
        long,
        value_name = "TIME",
        requires = "from",
        allow_hyphen_values = true
    )]
    pub at: Option<crate::record::At>,
    /// With --format prometheus: TCP listeners with series of their own; the
    /// rest are summed under local="other".
    #[arg(long, default_value_t = 500)]
    pub max_listeners: usize,
    /// Sample for this long (e.g. `10s`) and report the alerts that fired.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, conflicts_with = "from")]
    pub watch: Option<Duration>,
    /// Time between samples with --watch [default: dashboard.interval, 1s].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub interval: Option<Duration>,
    /// Exit with status 3 (worst alert warning) or 4 (critical) when an
    /// alert of this severity or worse is reported, after printing.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Which network namespace(s) to collect (not with --from).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Alert thresholds that override the config file.
    #[command(flatten)]
    pub alerts: AlertFlags,
}

/// The severity from which `snapshot --fail-on` exits non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Warning or critical alerts.
    Warning,
    /// Critical alerts only.
    Critical,
}

/// Arguments of `sockscope serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on; anything but loopback exposes the
    /// metrics to the network.
    #[arg(long, default_value = "127.0.0.1:9917")]
    pub listen: std::net::SocketAddr,
    /// TCP listeners (and UNIX listeners) with series of their own, most
    /// active first; the rest are summed under local="other" (path="other").
    #[arg(long, default_value_t = 500)]
    pub max_listeners: usize,
    /// Scrapes within this time of the last collection share it (`1s`, `500ms`).
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub cache: std::time::Duration,
    /// Connections served at once (1 to 10000); one more is answered 503
    /// and closed.
    #[arg(long, default_value_t = 64)]
    pub max_connections: usize,
    /// A connection that sends no (complete) request head for this long is
    /// closed, also between keep-alive requests, and so is one whose answer
    /// cannot be written for this long because it does not read (100ms to 30s).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub idle_timeout: std::time::Duration,
    /// Which network namespace(s) to serve.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Alert thresholds that override the config file.
    #[command(flatten)]
    pub alerts: AlertFlags,
}

/// Arguments of `sockscope record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The recording to create (an existing file is never overwritten).
    pub file: PathBuf,
    /// Time between samples (`1s`, `250ms`).
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub interval: std::time::Duration,
    /// Stop after this long (`10m`); without it, record until interrupted.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Which network namespace(s) to record.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Arguments of `sockscope replay`: the dashboard's options but the
/// target (the recording holds one namespace), `--interval` (samples keep
/// their recorded pace) and `--read-only` (nothing to destroy).
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The recording to play.
    pub file: PathBuf,
    /// Playback speed, times real time (0.25 to 64; `+`/`-` change it).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Dashboard options; `--history` is raised to hold the whole recording.
    #[command(flatten)]
    pub view: ViewArgs,
    /// Alert thresholds that override the config file.
    #[command(flatten)]
    pub alerts: AlertFlags,
}

/// Arguments of the dashboard (`sockscope` or `sockscope top`). Flags
/// override the config file, which overrides the defaults.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TopArgs {
    /// Which network namespace(s) to watch.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Time between collections (`250ms`, `1s`, `2s`; default 1s).
    #[arg(long, value_parser = humantime::parse_duration, help_heading = "Dashboard")]
    pub interval: Option<Duration>,
    /// Never destroy sockets (the destroy keys, Ctrl-K, Delete and K, refuse).
    #[arg(long, help_heading = "Dashboard")]
    pub read_only: bool,
    /// Dashboard options shared with `replay`.
    #[command(flatten)]
    pub view: ViewArgs,
    /// Alert thresholds that override the config file.
    #[command(flatten)]
    pub alerts: AlertFlags,
}

/// Dashboard options of both `top` and `replay`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Dashboard")]
pub struct ViewArgs {
    /// How far back history is kept for time travel (`10m`, `1h`; default 10m).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub history: Option<Duration>,
    /// Where `e` writes snapshot files (default: the current directory).
    #[arg(long)]
    pub export_dir: Option<PathBuf>,
    /// Log file for diagnostics (default: $XDG_STATE_HOME/sockscope/sockscope.log).
    #[arg(long)]
    pub log_file: Option<PathBuf>,
}

/// Which network namespace(s) a live command collects, and how: the
/// options of `top`, `snapshot`, `serve` and `record`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Target namespace")]
pub struct TargetArgs {
    /// Watch the network namespace NAME under /run/netns (see `ip netns list`),
    /// or the one labelled NAME (`k8s:shop/cart-7d9f`, `docker:web-1`, a container id).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["netns_path", "pid", "all_netns"])]
    pub netns: Option<String>,
    /// Watch the network namespace of an nsfs file (e.g. /proc/<pid>/ns/net).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["pid", "all_netns"])]
    pub netns_path: Option<PathBuf>,
    /// Watch the network namespace of process PID (e.g. a container's main process).
    #[arg(long, value_name = "PID", conflicts_with = "all_netns")]
    pub pid: Option<u32>,
    /// Watch every network namespace of the host at once.
    #[arg(long)]
    pub all_netns: bool,
    /// Do not look up owning processes: skips the scan of /proc/<pid>/fd
    /// (like `ss` without `-p`); process columns and fields stay empty.
    #[arg(long)]
    pub no_processes: bool,
    /// Share of one core, in percent, spent on full-state dumps; every
    /// interval still reads the queues (LISTEN sockets, sockstat, counters)
    /// and the focused namespace's states. 0 dumps states only there and
    /// in new namespaces.
    #[arg(long, value_name = "PERCENT",
          default_value_t = crate::collector::schedule::DEFAULT_BUDGET_PERCENT,
          value_parser = crate::collector::schedule::parse_budget)]
    pub full_dump_budget: f64,
    /// Whether the collectors refuse to destroy sockets: the dashboard's
    /// `--read-only` ([`TopArgs::read_only`]); the other commands never destroy.
    #[arg(skip)]
    pub read_only: bool,
}
