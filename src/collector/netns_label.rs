//! Human labels for network namespaces: a container from the cgroup path
//! of a process inside (named from its runtime's state), a `/run/netns`
//! name, or that process.

use std::fs;
use std::os::unix::fs::MetadataExt;

use super::identity::{host_netns_inode, netns_inode};
use super::runtime_state::{self, RuntimeRoots};

/// What a namespace is called: the label shown everywhere, and the
/// container id behind it when a container's (`docker:4f1c2b3a9d8e`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetnsName {
    /// `host`, `k8s:<namespace>/<pod>`, `docker:<name>`, a `/run/netns`
    /// name, `pid <pid> (<comm>)` or `net:[<inode>]`.
    pub label: String,
    /// The runtime and short id of the container it belongs to.
    pub id: Option<String>,
}

impl NetnsName {
    /// A name without a container id.
    pub fn plain(label: impl Into<String>) -> NetnsName {
        NetnsName {
            label: label.into(),
            id: None,
        }
    }
}

/// The container a cgroup file (`/proc/<pid>/cgroup`) places a process in,
/// named from the runtime state under `roots` (`k8s:shop/cart-7d9f`,
/// `docker:web-1`), else by its short id (`docker:4f1c2b3a9d8e`);
/// `lxc:<name>` for LXC.
pub fn container_from_cgroup(text: &str, roots: &RuntimeRoots) -> Option<NetnsName> {
    for line in text.lines() {
        let path = line.rsplit(':').next().unwrap_or("");
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segments.iter().enumerate() {
            let lxc = seg.strip_prefix("lxc.payload.").or_else(|| {
                (*seg == "lxc")
                    .then(|| segments.get(i + 1).copied())
                    .flatten()
            });
            if let Some(name) = lxc {
                return Some(NetnsName::plain(format!("lxc:{name}")));
            }
        }
    }
    let container = runtime_state::container_from_cgroup(text)?;
    let short = container.short();
    Some(NetnsName {
        label: container.name(roots).unwrap_or_else(|| short.clone()),
        id: Some(short),
    })
}

/// Name of the namespace of process `pid`: its container, else
/// `pid <pid> (<comm>)`.
pub fn label_of_pid(pid: u32) -> NetnsName {
    if let Some(c) = container_of_pid(pid) {
        return c;
    }
    NetnsName::plain(match fs::read_to_string(format!("/proc/{pid}/comm")) {
        Ok(comm) => format!("pid {pid} ({})", comm.trim()),
        Err(_) => format!("pid {pid}"),
    })
}

fn container_of_pid(pid: u32) -> Option<NetnsName> {
    let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    container_from_cgroup(&text, runtime_state::roots())
}

/// Name of a namespace that has a `/run/netns` name: the container of a
/// process inside (`pid`) when its runtime state names it (Kubernetes
/// keeps pod namespaces under `/run/netns/cni-<uuid>`), else the name.
pub fn label_of_named(name: &str, pid: Option<u32>) -> NetnsName {
    pid.and_then(container_of_pid)
        .filter(|c| c.id.as_deref() != Some(c.label.as_str()))
        .unwrap_or_else(|| NetnsName::plain(name))
}

/// The `/run/netns` name of the namespace with inode `ino`, if any.
pub fn run_netns_name(ino: u64) -> Option<String> {
    fs::read_dir("/run/netns")
        .ok()?
        .flatten()
        .find(|e| netns_inode(&e.path()) == Some(ino))
        .map(|e| e.file_name().to_string_lossy().into_owned())
}

/// The lowest pid whose network namespace has inode `ino`.
pub fn first_pid_in(ino: u64) -> Option<u32> {
    super::process_scan::list_pids()
        .into_iter()
        .find(|pid| fs::metadata(format!("/proc/{pid}/ns/net")).is_ok_and(|m| m.ino() == ino))
}

/// Names namespace `ino`: `host` for init's, else as
/// [`label_of_named`] for a `/run/netns` name, else the container or
/// process of `pid` (or of the first process found in it), or
/// `net:[ino]` when nothing names it.
pub fn label_of(ino: u64, pid: Option<u32>) -> NetnsName {
    if host_netns_inode() == Some(ino) {
        return NetnsName::plain("host");
    }
    let pid = pid.or_else(|| first_pid_in(ino));
    if let Some(name) = run_netns_name(ino) {
        return label_of_named(&name, pid);
    }
    match pid {
        Some(pid) => label_of_pid(pid),
        None => NetnsName::plain(format!("net:[{ino}]")),
    }
}
