//! Reading one process from `/proc`: its identity (procfs) and the socket
//! inodes among its open file descriptors (`/proc/<pid>/fd/*` links of the
//! form `socket:[inode]`, one `readlink` each).

use std::collections::HashMap;
use std::fs;
use std::io;

use procfs::process::Process;

use crate::model::ProcessInfo;

/// Why a process could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ScanFailure {
    /// It exited (or became a zombie) while we looked: skipped silently.
    Gone,
    /// Its fd table belongs to another user and we lack CAP_SYS_PTRACE.
    Denied,
}

/// A process as read from `/proc`.
pub struct Scanned {
    /// Who it is.
    pub info: ProcessInfo,
    /// Open descriptors when read, as [`fd_count`] counts them.
    pub fd_count: usize,
    /// Socket inodes among them (any family), unsorted, repeats possible.
    pub sockets: Vec<u32>,
    /// `readlink` calls made.
    pub links_read: u64,
}

fn classify(e: &io::Error) -> ScanFailure {
    if e.kind() == io::ErrorKind::PermissionDenied {
        ScanFailure::Denied
    } else {
        ScanFailure::Gone
    }
}

/// Parses a `/proc/<pid>/fd/N` link target `socket:[12345]`.
pub fn socket_inode(link: &[u8]) -> Option<u32> {
    let digits = link.strip_prefix(b"socket:[")?.strip_suffix(b"]")?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Reads the socket inodes of `pid`'s descriptors (and how many links were
/// read). Each link is read relative to one open `/proc/<pid>/fd` (a
/// `readlinkat` of the descriptor's number), so the kernel resolves one
/// path component per link instead of walking `/proc/<pid>/fd/N` anew.
fn socket_fds(pid: u32) -> Result<(Vec<u32>, u64), ScanFailure> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let path = format!("/proc/{pid}/fd");
    let dir = fs::File::open(&path).map_err(|e| classify(&e))?;
    let entries = fs::read_dir(&path).map_err(|e| classify(&e))?;
    let mut sockets = Vec::new();
    let mut links = 0u64;
    let mut name = Vec::with_capacity(16);
    let mut target = [0u8; 64];
    for entry in entries {
        let Ok(entry) = entry else { continue };
        links += 1;
        name.clear();
        name.extend_from_slice(entry.file_name().as_bytes());
        name.push(0);
        // SAFETY: `name` is NUL-terminated, `target` is writable for its
        // length, and `dir` stays open across the call.
        let n = unsafe {
            libc::readlinkat(
                dir.as_raw_fd(),
                name.as_ptr().cast(),
                target.as_mut_ptr().cast(),
                target.len(),
            )
        };
        // A descriptor closed since the listing has no link (n < 0): skip
        // it. Socket links (`socket:[4294967295]` at most) fit `target`.
        if let Ok(n) = usize::try_from(n)
            && let Some(inode) = socket_inode(&target[..n])
        {
            sockets.push(inode);
        }
    }
    Ok((sockets, links))
}

/// Number of open descriptors of `pid` (one `stat` of `/proc/<pid>/fd` on
/// Linux 6.2 and newer, a directory listing before).
pub fn fd_count(pid: u32) -> Result<usize, ScanFailure> {
    let proc = Process::new(pid as i32).map_err(|_| ScanFailure::Gone)?;
    proc.fd_count().map_err(|e| match e {
        procfs::ProcError::PermissionDenied(_) => ScanFailure::Denied,
        _ => ScanFailure::Gone,
    })
}

/// Reads `pid`: identity and socket descriptors. `users` caches uid → name.
pub fn scan(pid: u32, users: &mut HashMap<u32, String>) -> Result<Scanned, ScanFailure> {
    // Counted exactly the way later checks count, before this scan opens
    // descriptors of its own (which matters when `pid` is us).
    let fd_count = fd_count(pid)?;
    let proc = Process::new(pid as i32).map_err(|_| ScanFailure::Gone)?;
    let (sockets, links_read) = socket_fds(pid)?;
    let comm = proc.stat().map_err(|_| ScanFailure::Gone)?.comm;
    let cmdline = cmdline(pid);
    let uid = proc.uid().map_err(|_| ScanFailure::Gone)?;
    let user = users
        .entry(uid)
        .or_insert_with(|| {
            nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
                .ok()
                .flatten()
                .map(|u| u.name)
                .unwrap_or_else(|| uid.to_string())
        })
        .clone();
    Ok(Scanned {
        info: ProcessInfo {
            pid,
            comm,
            cmdline,
            uid,
            user,
        },
        fd_count,
        sockets,
        links_read,
    })
}

/// The longest command line kept, in bytes: `/proc/<pid>/cmdline` holds
/// the process's whole argument area, which can be megabytes, and the
/// process writes it (untrusted: cleaned by [`crate::sanitize`] later).
pub const CMDLINE_MAX: u64 = 4096;

/// `/proc/<pid>/cmdline`: its NUL-separated arguments joined by spaces,
/// from at most [`CMDLINE_MAX`] bytes read (then `…`); empty when it
/// cannot be read or is empty (a kernel thread, a zombie, gone).
pub fn cmdline(pid: u32) -> String {
    use std::io::Read;
    let mut buf = Vec::new();
    let read = fs::File::open(format!("/proc/{pid}/cmdline"))
        .and_then(|f| f.take(CMDLINE_MAX + 1).read_to_end(&mut buf));
    if read.is_err() {
        return String::new();
    }
    let cut = buf.len() as u64 > CMDLINE_MAX;
    buf.truncate(CMDLINE_MAX as usize);
    while buf.last() == Some(&0) {
        buf.pop();
    }
    let mut text = String::from_utf8_lossy(&buf).replace('\0', " ");
    if cut {
        text.push('…');
    }
    text
}

/// Every pid under `/proc`, ascending.
pub fn list_pids() -> Vec<u32> {
    let mut pids: Vec<u32> = fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    pids.sort_unstable();
    pids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_are_read_up_to_the_bound() {
        let long = "x".repeat(20_000);
        // Two commands, so the shell stays (a lone command may be exec'd).
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30; exit 0", &long])
            .spawn()
            .unwrap();
        // spawn() returns once the child's new memory is in place, which
        // can be before the kernel sets its argument area: wait for it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut got = cmdline(child.id());
        while !got.starts_with("sh ") && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
            got = cmdline(child.id());
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(got.len(), CMDLINE_MAX as usize + '…'.len_utf8());
        assert!(got.starts_with("sh -c sleep 30; exit 0 xxx"), "{got:.40}");
        assert!(got.ends_with("xx…"));
        assert_eq!(cmdline(u32::MAX), "", "no such process");
        let me = cmdline(std::process::id());
        let args: Vec<String> = std::env::args().collect();
        assert_eq!(me, args.join(" "), "a short command line is whole");
    }

    #[test]
    fn parses_socket_links_only() {
        assert_eq!(socket_inode(b"socket:[4242]"), Some(4242));
        assert_eq!(socket_inode(b"pipe:[4242]"), None);
        assert_eq!(socket_inode(b"/dev/null"), None);
        assert_eq!(socket_inode(b"socket:[x]"), None);
    }

    #[test]
    fn reads_our_own_socket() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        use std::os::fd::AsRawFd;
        let link = fs::read_link(format!("/proc/self/fd/{}", l.as_raw_fd())).unwrap();
        use std::os::unix::ffi::OsStrExt;
        let inode = socket_inode(link.as_os_str().as_bytes()).unwrap();
        let me = scan(std::process::id(), &mut HashMap::new()).unwrap();
        assert!(me.sockets.contains(&inode));
        assert_eq!(me.info.pid, std::process::id());
        assert!(me.links_read >= me.fd_count as u64);
    }
}
