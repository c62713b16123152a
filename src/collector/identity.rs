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
    if netns_inode(Path::new("/proc/1/ns/net")) == Some(ino) {
        return "host".to_owned();
    }
    format!("net:[{ino}]")
}
