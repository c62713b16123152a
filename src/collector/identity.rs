//! Who and where we are: host name and network namespace label.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// `kernel.hostname` of the UTS namespace, or `unknown`.
pub fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Inode of the network namespace behind an nsfs path.
pub fn netns_inode(path: &Path) -> Option<u64> {
    fs::metadata(path).ok().map(|m| m.ino())
}

/// Inode of the host's (initial) network namespace: that of `kthreadd`
/// (pid 2, always in the initial namespace when visible), else of pid 1.
pub fn host_netns_inode() -> Option<u64> {
    let kthreadd = fs::read_to_string("/proc/2/comm").is_ok_and(|c| c.trim() == "kthreadd");
    let pid = if kthreadd { 2 } else { 1 };
    netns_inode(Path::new(&format!("/proc/{pid}/ns/net")))
}

/// Labels the network namespace of the calling thread: its name under
/// `/run/netns` when it has one, `host` when it is init's namespace,
/// otherwise `net:[inode]`.
pub fn netns_label() -> String {
    let Some(ino) = netns_inode(Path::new("/proc/thread-self/ns/net")) else {
        return "unknown".to_owned();
    };
    if let Ok(entries) = fs::read_dir("/run/netns") {
        for entry in entries.flatten() {
            if netns_inode(&entry.path()) == Some(ino) {
                return entry.file_name().to_string_lossy().into_owned();
            }
        }
    }
    if host_netns_inode() == Some(ino) {
        return "host".to_owned();
    }
    format!("net:[{ino}]")
}
