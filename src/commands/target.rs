//! Turns `--netns`, `--netns-path`, `--pid`, `--all-netns` and
//! `--read-only` into collectors.

use anyhow::Context;

use crate::cli::TargetArgs;
use crate::collector::all_netns::AllNetns;
use crate::collector::netns::{NetnsSource, NetnsTarget};
use crate::collector::process::{ProcessCache, SharedProcesses};
use crate::collector::{LiveSource, Source};

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
    /// `processes`, destroying refused under `--read-only`.
    pub fn configure(
        &self,
        processes: SharedProcesses,
    ) -> impl Fn(LiveSource) -> LiveSource + Clone + Send + 'static {
        let read_only = self.read_only;
        move |s: LiveSource| s.with_processes(processes.clone()).read_only(read_only)
    }

    /// Opens the collector of the single namespace asked for (the current
    /// one by default). Fails with one clear sentence when the namespace
    /// does not exist, is not a network namespace, or cannot be entered.
    pub fn open_source(&self, processes: SharedProcesses) -> anyhow::Result<Box<dyn Source>> {
        let configure = self.configure(processes);
        match self.netns_target() {
            None => Ok(Box::new(configure(
                LiveSource::open().context("cannot collect the current network namespace")?,
            ))),
            Some(target) => {
                let handle = target.open()?;
                Ok(Box::new(NetnsSource::open(handle, configure)?))
            }
        }
    }

    /// Opens one collector per namespace of the host (`--all-netns`).
    pub fn open_all(&self, processes: SharedProcesses) -> AllNetns {
        AllNetns::open(self.configure(processes))
    }
}

/// A process cache at the default pace.
pub fn process_cache() -> SharedProcesses {
    ProcessCache::shared()
}
