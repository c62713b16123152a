//! Collecting another network namespace: `--netns NAME`, `--netns-path
//! PATH`, `--pid PID`.
//!
//! A dedicated thread enters the namespace with `setns(CLONE_NEWNET)` and
//! opens its netlink socket there (the socket stays bound to that
//! namespace); `/proc/thread-self/net/*` and `/proc/sys/net/*` read from that
//! thread show the namespace's counters and sysctls. [`NetnsSource`] hands
//! requests to that thread (a [`Worker`]) and waits for the answers.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use super::destroy::{DestroyError, DestroyTarget};
use super::netns_label;
use super::tiered::{Needs, Tier};
use super::worker::Worker;
use super::{CollectError, LiveSource, Source};
use crate::model::{Snapshot, TcpList};

/// `NS_GET_NSTYPE` (`_IO(0xb7, 0x3)`, `include/uapi/linux/nsfs.h`).
const NS_GET_NSTYPE: libc::c_ulong = 0xb703;

/// Which network namespace to watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetnsTarget {
    /// A name under `/run/netns` (as `ip netns add` makes).
    Named(String),
    /// Any nsfs path (`/proc/<pid>/ns/net`, a bind mount).
    Path(PathBuf),
    /// The namespace of a process.
    Pid(u32),
}

/// Why a namespace cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    /// `/run/netns/NAME` does not exist.
    #[error(
        "no network namespace named {0:?} in /run/netns (see `ip netns list`) and none labelled so (see the NETNS column of `sockscope --all-netns`)"
    )]
    NoSuchName(String),
    /// Several namespaces carry the label asked for.
    #[error("{candidates} are all labelled {wanted:?}; pick one with --netns-path or --pid")]
    Ambiguous {
        /// The label asked for.
        wanted: String,
        /// Their nsfs paths and inodes.
        candidates: String,
    },
    /// No process with that pid.
    #[error("no process with pid {0} (it does not exist or has exited)")]
    NoSuchPid(u32),
    /// The path does not exist or cannot be opened.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The path is not an nsfs file of a network namespace.
    #[error(
        "{0} is not a network namespace (expected an nsfs file such as /proc/<pid>/ns/net or /run/netns/<name>)"
    )]
    NotNetns(PathBuf),
    /// `setns` was refused.
    #[error(
        "no permission to enter network namespace {label}: setns needs CAP_SYS_ADMIN; run sockscope as root"
    )]
    Permission {
        /// The namespace.
        label: String,
    },
    /// `setns` failed otherwise.
    #[error("cannot enter network namespace {label}: {source}")]
    Enter {
        /// The namespace.
        label: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The collector could not be opened inside the namespace.
    #[error("in network namespace {label}: {source}")]
    Collector {
        /// The namespace.
        label: String,
        /// Why.
        #[source]
        source: CollectError,
    },
}

impl NetnsTarget {
    /// The nsfs path this target designates.
    pub fn path(&self) -> PathBuf {
        match self {
            NetnsTarget::Named(n) => Path::new("/run/netns").join(n),
            NetnsTarget::Path(p) => p.clone(),
            NetnsTarget::Pid(pid) => PathBuf::from(format!("/proc/{pid}/ns/net")),
        }
    }

    /// Opens the namespace file and checks it is a network namespace.
    pub fn open(&self) -> Result<NetnsHandle, NetnsError> {
        let path = self.path();
        let file = File::open(&path).map_err(|source| match self {
            NetnsTarget::Named(n) if source.kind() == io::ErrorKind::NotFound => {
                NetnsError::NoSuchName(n.clone())
            }
            NetnsTarget::Pid(pid) if source.kind() == io::ErrorKind::NotFound => {
                NetnsError::NoSuchPid(*pid)
            }
            _ => NetnsError::Open {
                path: path.clone(),
                source,
            },
        })?;
        // SAFETY: NS_GET_NSTYPE takes no argument and only reads the fd.
        let kind = unsafe { libc::ioctl(file.as_raw_fd(), NS_GET_NSTYPE) };
        if kind != libc::CLONE_NEWNET {
            return Err(NetnsError::NotNetns(path));
        }
        let inode = file
            .metadata()
            .map_err(|source| NetnsError::Open {
                path: path.clone(),
                source,
            })?
            .ino();
        let name = match self {
            NetnsTarget::Named(n) => {
                netns_label::label_of_named(n, netns_label::first_pid_in(inode))
            }
            NetnsTarget::Pid(pid) => netns_label::label_of(inode, Some(*pid)),
            NetnsTarget::Path(_) => netns_label::label_of(inode, pid_of_path(&path)),
        };
        Ok(NetnsHandle {
            target: self.clone(),
            file,
            inode,
            label: name.label,
            id: name.id,
        })
    }
}

fn pid_of_path(path: &Path) -> Option<u32> {
    let mut parts = path.strip_prefix("/proc").ok()?.components();
    parts.next()?.as_os_str().to_str()?.parse().ok()
}

/// An opened network namespace.
#[derive(Debug)]
pub struct NetnsHandle {
    /// What was asked for.
    pub target: NetnsTarget,
    file: File,
    /// Inode of the namespace (the `[N]` of `net:[N]`).
    pub inode: u64,
    /// Its label in snapshots and on screen.
    pub label: String,
    /// The container behind it (`docker:4f1c2b3a9d8e`), if any.
    pub id: Option<String>,
}

impl NetnsHandle {
    /// A handle on a namespace found by discovery, called `name`.
    pub fn from_parts(
        target: NetnsTarget,
        file: File,
        inode: u64,
        name: netns_label::NetnsName,
    ) -> NetnsHandle {
        NetnsHandle {
            target,
            file,
            inode,
            label: name.label,
            id: name.id,
        }
    }

    /// Its label and container id.
    pub fn name(&self) -> netns_label::NetnsName {
        netns_label::NetnsName {
            label: self.label.clone(),
            id: self.id.clone(),
        }
    }

    /// `Err(why)` when the name, process or path no longer leads to this
    /// namespace (removed with `ip netns del`, container stopped).
    pub fn check_present(&self) -> Result<(), String> {
        let now = std::fs::metadata(self.target.path()).map(|m| m.ino());
        match (&self.target, now) {
            (_, Ok(ino)) if ino == self.inode => Ok(()),
            (NetnsTarget::Named(n), Err(_)) => Err(format!("{n} was removed from /run/netns")),
            (NetnsTarget::Pid(pid), Err(_)) => Err(format!("process {pid} has exited")),
            (NetnsTarget::Path(p), Err(e)) => Err(format!("{}: {e}", p.display())),
            (_, Ok(_)) => Err(format!(
                "{} now leads to another namespace",
                self.target.path().display()
            )),
        }
    }

    /// When watched through a process that exited, follows another process
    /// still in the namespace (the lowest pid); `false` when none is left.
    pub fn reanchor(&mut self) -> bool {
        if !matches!(self.target, NetnsTarget::Pid(_)) {
            return false;
        }
        match netns_label::first_pid_in(self.inode) {
            Some(pid) => {
                self.target = NetnsTarget::Pid(pid);
                true
            }
            None => false,
        }
    }

    /// Moves the calling thread into this namespace (nothing to do, and no
    /// privilege needed, when it is already there).
    pub fn enter(&self) -> Result<(), NetnsError> {
        if super::identity::netns_inode(Path::new("/proc/thread-self/ns/net")) == Some(self.inode) {
            return Ok(());
        }
        // SAFETY: setns only changes the calling thread's namespace.
        if unsafe { libc::setns(self.file.as_raw_fd(), libc::CLONE_NEWNET) } == 0 {
            return Ok(());
        }
        let source = io::Error::last_os_error();
        Err(if source.kind() == io::ErrorKind::PermissionDenied {
            NetnsError::Permission {
                label: self.label.clone(),
            }
        } else {
            NetnsError::Enter {
                label: self.label.clone(),
                source,
            }
        })
    }
}

/// A [`Source`] for a network namespace other than ours: its
/// [`LiveSource`] lives on a [`Worker`] thread that entered the namespace.
pub struct NetnsSource {
    handle: NetnsHandle,
    worker: Worker<LiveSource>,
    pending: Option<mpsc::Receiver<Result<Snapshot, CollectError>>>,
}

impl NetnsSource {
    /// Starts the namespace's collector thread; fails when the namespace
    /// cannot be entered or the collector cannot be opened there.
    /// `configure` adjusts the [`LiveSource`] opened inside (process
    /// attribution, read-only); its namespace label is set here.
    pub fn open<F>(handle: NetnsHandle, configure: F) -> Result<NetnsSource, NetnsError>
    where
        F: FnOnce(LiveSource) -> LiveSource + Send + 'static,
    {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), NetnsError>>();
        let thread_handle = NetnsHandle {
            target: handle.target.clone(),
            file: handle
                .file
                .try_clone()
                .map_err(|source| NetnsError::Enter {
                    label: handle.label.clone(),
                    source,
                })?,
            inode: handle.inode,
            label: handle.label.clone(),
            id: handle.id.clone(),
        };
        let open = move || {
            let opened = thread_handle.enter().and_then(|()| {
                LiveSource::open().map_err(|source| NetnsError::Collector {
                    label: thread_handle.label.clone(),
                    source,
                })
            });
            match opened {
                Ok(s) => {
                    let _ = ready_tx.send(Ok(()));
                    Some(configure(s).with_netns_name(thread_handle.name()))
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    None
                }
            }
        };
        let worker = Worker::spawn(&format!("netns {}", handle.label), open).map_err(|source| {
            NetnsError::Enter {
                label: handle.label.clone(),
                source,
            }
        })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(NetnsSource {
                handle,
                worker,
                pending: None,
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(NetnsError::Enter {
                label: handle.label.clone(),
                source: io::Error::other("the collector thread stopped"),
            }),
        }
    }

    /// The namespace's label.
    pub fn label(&self) -> &str {
        &self.handle.label
    }

    /// The container behind the namespace, if any.
    pub fn id(&self) -> Option<&str> {
        self.handle.id.as_deref()
    }

    /// The namespace's inode.
    pub fn inode(&self) -> u64 {
        self.handle.inode
    }

    /// Asks the namespace's thread for a collection unless one is already
    /// under way; the answer comes from [`NetnsSource::wait_collect`].
    pub fn start_collect(&mut self) -> Result<(), CollectError> {
        self.start(|s| s.collect())
    }

    /// [`NetnsSource::start_collect`] of the tiers asked for
    /// ([`LiveSource::collect_tier`]).
    pub fn start_collect_tier(&mut self, tier: Tier) -> Result<(), CollectError> {
        self.start(move |s| s.collect_tier(tier))
    }

    fn start(
        &mut self,
        job: impl FnOnce(&mut LiveSource) -> Result<Snapshot, CollectError> + Send + 'static,
    ) -> Result<(), CollectError> {
        if let Err(why) = self.handle.check_present()
            && !self.handle.reanchor()
        {
            return Err(self.gone(why));
        }
        if self.pending.is_none() {
            let rx = self.worker.call(job).map_err(|_| self.stopped())?;
            self.pending = Some(rx);
        }
        Ok(())
    }

    /// The answer to [`NetnsSource::start_collect`], waiting at most
    /// `timeout` (`None` when it is not ready yet; ask again later).
    pub fn wait_collect(&mut self, timeout: Duration) -> Option<Result<Snapshot, CollectError>> {
        let answer = match self.pending.as_ref()?.recv_timeout(timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => return None,
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(self.stopped()),
        };
        self.pending = None;
        Some(answer)
    }

    fn stopped(&self) -> CollectError {
        self.gone("its collector thread stopped".to_owned())
    }

    fn gone(&self, why: String) -> CollectError {
        CollectError::NamespaceGone {
            label: self.handle.label.clone(),
            why,
        }
    }
}

impl Source for NetnsSource {
    fn collect(&mut self) -> Result<Snapshot, CollectError> {
        self.start_collect()?;
        loop {
            if let Some(result) = self.wait_collect(Duration::from_secs(3600)) {
                return result;
            }
        }
    }

    /// Hands the list to the namespace's thread, whose next collection fills it.
    fn recycle(&mut self, tcp: TcpList) {
        let _ = self.worker.send(move |s| s.recycle(tcp));
    }

    /// Passes the needs to the namespace's own schedule (`--netns` with a budget).
    fn needs(&mut self, needs: &Needs) {
        let needs = needs.clone();
        let _ = self.worker.send(move |s| s.needs(&needs));
    }

    /// Destroys on the namespace's thread, after the collection under way
    /// (whose answer stays for [`NetnsSource::wait_collect`]).
    fn destroy(&mut self, target: &DestroyTarget) -> Result<(), DestroyError> {
        let target = target.clone();
        self.worker
            .call(move |s| s.destroy(&target))
            .ok()
            .and_then(|rx| rx.recv().ok())
            .unwrap_or(Err(DestroyError::Unavailable(
                "the namespace's collector thread stopped",
            )))
    }
}
