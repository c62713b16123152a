//! Turns `--netns`, `--netns-path`, `--pid`, `--all-netns` and
//! `--read-only` into collectors.

use anyhow::Context;

use crate::cli::TargetArgs;
use std::time::Duration;

use crate::collector::all_netns::{self, AllNetns, AllNetnsSource};
use crate::collector::identity;
use crate::collector::netns::{NetnsError, NetnsHandle, NetnsSource, NetnsTarget};
use crate::collector::process::{ProcessCache, SharedProcesses};
use crate::collector::worker::Worker;
use crate::collector::{CollectError, LiveSource, Source};
use crate::model::Snapshot;

/// How long one `--all-netns` round of a watching command waits for a slow
/// namespace before showing its previous sample.
pub const ALL_NETNS_ROUND_WAIT: Duration = Duration::from_millis(800);

impl TargetArgs {
    /// The one namespace asked for, `None` for the current one (and for
    /// `--all-netns`, which [`TargetArgs::all_netns`] says).
    pub fn netns_target(&self) -> Option<NetnsTarget> {
        if let Some(name) = &self.netns {
            Some(NetnsTarget::Named(name.clone()))
        } else if let Some(path) = &self.netns_path {
            Some(NetnsTarget::Path(path.clone()))
        } else {
            self.pid.map(NetnsTarget::Pid)
        }
    }

    /// How each live collector is set up: process attribution through
    /// `processes` (none under `--no-processes`), destroying refused under
    /// `--read-only`.
    pub fn configure(
        &self,
        processes: SharedProcesses,
    ) -> impl Fn(LiveSource) -> LiveSource + Clone + Send + Sync + 'static {
        let read_only = self.read_only;
        let processes = (!self.no_processes).then_some(processes);
        move |s: LiveSource| {
            let s = s.read_only(read_only);
            match &processes {
                Some(p) => s.with_processes(p.clone()),
                None => s,
            }
        }
    }

    /// Opens the collector of the single namespace asked for (the current
    /// one by default) and names it. Fails with one clear sentence when the
    /// namespace does not exist, is not a network namespace, or cannot be
    /// entered.
    pub fn open_source(
        &self,
        processes: SharedProcesses,
    ) -> anyhow::Result<(Box<dyn Source>, String)> {
        let configure = self.configure(processes);
        match self.netns_target() {
            None => {
                let live =
                    LiveSource::open().context("cannot collect the current network namespace")?;
                Ok((Box::new(configure(live)), identity::netns_label()))
            }
            Some(target) => {
                let handle = open_target(&target)?;
                let label = handle.label.clone();
                Ok((Box::new(NetnsSource::open(handle, configure)?), label))
            }
        }
    }

    /// Opens the collector asked for, `--all-netns` included (one merged
    /// snapshot per round), and names what it watches. Errors at start are
    /// one clear sentence.
    pub fn open_any(
        &self,
        processes: SharedProcesses,
    ) -> anyhow::Result<(Box<dyn Source>, String)> {
        if self.all_netns {
            let all = AllNetnsSource::new(self.open_all(processes), ALL_NETNS_ROUND_WAIT);
            return Ok((Box::new(all), "all".to_owned()));
        }
        self.open_source(processes)
    }

    /// A collection thread over [`TargetArgs::open_any`], for `serve` and
    /// `record`; returns it with the namespace label.
    pub fn worker(&self) -> anyhow::Result<(Worker<Result<Snapshot, CollectError>>, String)> {
        let (source, label) = self.open_any(process_cache())?;
        let worker = Worker::spawn("sockscope-collect", source, |s| s.collect())?;
        Ok((worker, label))
    }

    /// Opens one collector per namespace of the host (`--all-netns`).
    pub fn open_all(&self, processes: SharedProcesses) -> AllNetns {
        AllNetns::open(self.configure(processes))
    }
}

/// Opens `target`; a `--netns` value that is no `/run/netns` name is
/// looked up among the labels and container ids of every namespace.
fn open_target(target: &NetnsTarget) -> Result<NetnsHandle, NetnsError> {
    match target.open() {
        Err(NetnsError::NoSuchName(name)) => {
            all_netns::find_labelled(&name)?.ok_or(NetnsError::NoSuchName(name))
        }
        other => other,
    }
}

/// A process cache at the default pace.
pub fn process_cache() -> SharedProcesses {
    ProcessCache::shared()
}
