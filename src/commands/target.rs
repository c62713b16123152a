//! Turns `--netns`, `--netns-path`, `--pid`, `--all-netns` and
//! `--read-only` into collectors.

use anyhow::Context;

use crate::cli::TargetArgs;

use crate::collector::all_netns::{self, AllNetns};
use crate::collector::identity;
use crate::collector::netns::{NetnsError, NetnsHandle, NetnsSource, NetnsTarget};
use crate::collector::process::{ProcessCache, SharedProcesses};
use crate::collector::states::STATES_WAIT;
use crate::collector::worker::Worker;
use crate::collector::{LiveSource, RoundSource, Source};

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
        let budget = self.full_dump_budget;
        match self.netns_target() {
            None => {
                let live =
                    LiveSource::open().context("cannot collect the current network namespace")?;
                let live = configure(live)
                    .with_budget(budget)
                    .waiting_for_states(STATES_WAIT);
                Ok((Box::new(live), identity::netns_label()))
            }
            Some(target) => {
                let handle = open_target(&target)?;
                let label = handle.label.clone();
                let source = NetnsSource::open(handle, move |s| {
                    configure(s)
                        .with_budget(budget)
                        .waiting_for_states(STATES_WAIT)
                })?;
                Ok((Box::new(source), label))
            }
        }
    }

    /// Opens the collector asked for, `--all-netns` included (every
    /// namespace in each round), and names what it watches. Errors at start
    /// are one clear sentence.
    pub fn open_any(
        &self,
        processes: SharedProcesses,
    ) -> anyhow::Result<(Box<dyn RoundSource>, String)> {
        if self.all_netns {
            return Ok((Box::new(self.open_all(processes)), "all".to_owned()));
        }
        let (source, label) = self.open_source(processes)?;
        Ok((Box::new(source), label))
    }

    /// A collection thread over [`TargetArgs::open_any`], for `serve` and
    /// `record`; returns it with the namespace label.
    pub fn worker(&self) -> anyhow::Result<(Worker<Box<dyn RoundSource>>, String)> {
        let (source, label) = self.open_any(process_cache())?;
        let worker = Worker::spawn("sockscope-collect", move || Some(source))?;
        Ok((worker, label))
    }

    /// Opens one collector per namespace of the host (`--all-netns`).
    pub fn open_all(&self, processes: SharedProcesses) -> AllNetns {
        AllNetns::open(self.configure(processes), self.full_dump_budget)
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
