//! The dashboard's vocabulary: tabs, panels, modes, settings, the actions
//! the user can take and the effects they ask of the event loop.

use std::net::IpAddr;

use crate::model::{ListenerKey, RemoteKey, StateCounts, Target};
use std::path::PathBuf;
use std::time::Duration;

use super::filter::Filter;
use super::nav::TableNav;
use crate::collector::destroy::DestroyTarget;
use crate::model::{Frame, Thresholds};

/// The overview's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// TCP listeners.
    Listeners = 0,
    /// Outbound destinations.
    Remotes = 1,
    /// AF_UNIX listeners.
    Unix = 2,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 3] = [Tab::Listeners, Tab::Remotes, Tab::Unix];
}

/// Where the samples come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// The live kernel.
    Live,
    /// A recording played back at `speed` times real time.
    Replay {
        /// Playback speed factor (1.0 is real time).
        speed: f64,
    },
}

/// Settings the dashboard starts with.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Time between collections.
    pub interval: Duration,
    /// How much history is kept.
    pub history: Duration,
    /// Where `e` writes snapshot files.
    pub export_dir: PathBuf,
    /// Live or replay.
    pub mode: Mode,
    /// Alert thresholds (`[alerts]` of the config).
    pub thresholds: Thresholds,
    /// `--read-only`: the destroy keys refuse instead of asking.
    pub read_only: bool,
    /// The keys of every command (`[keys]` of the config).
    pub keys: super::keys::Keymap,
    /// A replay's sample times, in recording order, so the header can say
    /// which sample is shown (`sample 6/25`); empty when live.
    pub replay_samples: Vec<jiff::Timestamp>,
}

/// A full-body panel opened over the overview or drill-down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    /// Active alerts and the log of resolved ones (`a`).
    Alerts,
    /// Per-second rates of the kernel's overflow and reset counters (`c`).
    Counters,
    /// The tunables advisor (`t`).
    Tunables,
    /// The clients of the selected UNIX listener (`Enter` on the UNIX tab).
    UnixPeers,
}

/// Something the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave the dashboard.
    Quit,
    /// Selection up/down by this many rows.
    Move(isize),
    /// Selection up/down by a page.
    Page(isize),
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Back to live when paused, else the last row (`End`).
    End,
    /// Freeze or unfreeze the shown sample (`space`).
    TogglePause,
    /// One sample back in history (`←`).
    StepBack,
    /// One sample forward in history (`→`).
    StepForward,
    /// Next sort column (`s`).
    NextSort,
    /// Reverse the sort (`S`).
    ReverseSort,
    /// Next tab (`Tab`); previous with `BackTab`.
    CycleTab(isize),
    /// A given tab (`1`..`3`).
    Tab(Tab),
    /// Drill into the selected listener or remote (`Enter`).
    Open,
    /// Open the process popup on the selected row's process, or close it (`i`).
    Process,
    /// Close the overlay, the filter, or the drill-down (`Esc`).
    Back,
    /// Start typing a filter (`/`).
    StartFilter,
    /// A character typed into the filter line.
    FilterChar(char),
    /// Backspace in the filter line.
    FilterBackspace,
    /// Empty the filter (`Ctrl-U`), in the filter line or outside it.
    ClearFilter,
    /// Keep the typed filter and leave the filter line (`Enter`).
    FilterDone,
    /// Write the shown sample to the export directory (`e`).
    Export,
    /// Replay: double the playback speed (`+`).
    Faster,
    /// Replay: halve the playback speed (`-`).
    Slower,
    /// Show or hide the help overlay (`?`).
    Help,
    /// Open a panel, or close it when it is the one shown (`a`, `c`, `t`).
    Panel(Panel),
    /// Drill-down: destroy the selected connection, after a `y` (`Ctrl-K`, `Delete`).
    Kill,
    /// Drill-down: destroy the listener's CLOSE_WAIT sockets older than an
    /// age chosen next, after a `y` (`K`).
    KillCloseWait,
    /// Answer yes to the question on screen (`y`).
    ConfirmYes,
    /// Pick the age at index `n` of [`super::destroy::AGES`] (`1`..`4`).
    ChooseAge(usize),
    /// With several namespaces: show only the next one, then all again (`n`).
    NextNetns,
    /// Mouse click at a cell.
    Click {
        /// Column.
        x: u16,
        /// Row.
        y: u16,
    },
    /// The terminal was resized.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
}

/// What the caller must do after an action (the I/O the state machine does not do).
#[derive(Clone, Debug)]
pub enum Effect {
    /// Nothing.
    None,
    /// Leave: restore the terminal and exit.
    Quit,
    /// Write this frame as snapshot JSON to the export directory.
    Export(Frame),
    /// Destroy exactly these sockets (the user said yes).
    Destroy(Vec<DestroyTarget>),
}

/// A line for the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Information (an export path).
    Info(String),
    /// Something went wrong (a write error).
    Error(String),
}

/// What a drill-down lists the connections of: its identity across samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DrillTarget {
    /// A listener: the connections on its port (accepted, queued, closing).
    Listener(ListenerKey),
    /// A remote group: the outbound connections from one local address to
    /// one remote endpoint.
    Remote(RemoteKey),
}

impl DrillTarget {
    /// The listener's key, when the drill-down is into a listener.
    pub fn listener(&self) -> Option<&ListenerKey> {
        match self {
            DrillTarget::Listener(k) => Some(k),
            DrillTarget::Remote(_) => None,
        }
    }

    /// Label of the target's namespace.
    pub fn netns(&self) -> &str {
        match self {
            DrillTarget::Listener(k) => &k.netns,
            DrillTarget::Remote(k) => &k.netns,
        }
    }

    /// Index of the target in `frame`'s aggregate (into `listeners` or
    /// `remotes`, by kind), when it exists there.
    pub fn find(&self, frame: &Frame) -> Option<usize> {
        match self {
            DrillTarget::Listener(k) => frame.agg.find_listener(&frame.snapshot, k),
            DrillTarget::Remote(k) => frame.agg.find_remote(&frame.snapshot, k),
        }
    }

    /// The alert target the alerts of `frame` carry for it.
    pub fn alert_target(&self, frame: &Frame) -> Target {
        match self {
            DrillTarget::Listener(k) => frame.snapshot.listener_target(k),
            DrillTarget::Remote(k) => frame.snapshot.remote_target(k),
        }
    }

    /// Its states in `frame`, when it exists there.
    pub fn states(&self, frame: &Frame) -> Option<StateCounts> {
        let i = self.find(frame)?;
        Some(match self {
            DrillTarget::Listener(_) => frame.agg.listeners[i].states,
            DrillTarget::Remote(_) => frame.agg.remotes[i].states,
        })
    }
}

/// The drill-down into one listener or remote.
#[derive(Clone, Debug)]
pub struct Drill {
    /// What is drilled into.
    pub target: DrillTarget,
    /// Index of the target in the shown frame (into `agg.listeners` or
    /// `agg.remotes`, by the target's kind), when it exists there.
    pub index: Option<usize>,
    /// The connection list.
    pub nav: TableNav,
    /// The connection list's own filter.
    pub filter: Filter,
    /// A listener's top peers in the shown sample.
    pub peers: Vec<(IpAddr, u64)>,
    /// A remote's owning processes in the shown sample with their socket
    /// counts (indices into `snapshot.processes.list`), most first.
    pub owners: Vec<(u32, u64)>,
}
