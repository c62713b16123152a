//! Closing one stuck TCP connection with `SOCK_DESTROY` (what `ss -K`
//! does): the kernel aborts exactly the socket with the given address pair
//! and cookie, and refuses when the cookie no longer matches.

use std::io;
use std::net::SocketAddr;

use netlink_packet_sock_diag::{SockDiagMessage, inet::ExtensionFlags};

use crate::model::{Snapshot, TcpSocket};

/// Exactly one socket: its address pair as the kernel dumped it and its cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DestroyTarget {
    /// Local address and port (`idiag_src`, `idiag_sport`).
    pub local: SocketAddr,
    /// Remote address and port (`idiag_dst`, `idiag_dport`).
    pub remote: SocketAddr,
    /// The socket cookie (`idiag_cookie`); the kernel refuses a socket whose
    /// cookie differs, so a reused address pair is never hit.
    pub cookie: u64,
    /// Inode of the socket's network namespace in a snapshot of several
    /// (`--all-netns`); `None` for the one namespace a source watches.
    pub netns: Option<u64>,
}

impl DestroyTarget {
    /// The target naming `sock`.
    pub fn of(sock: &TcpSocket) -> DestroyTarget {
        DestroyTarget {
            local: sock.local.socket_addr(),
            remote: sock.remote.socket_addr(),
            cookie: sock.cookie,
            netns: None,
        }
    }

    /// The target naming socket `i` of `snapshot`, with its namespace when
    /// the snapshot holds several.
    pub fn in_snapshot(snapshot: &Snapshot, i: usize) -> DestroyTarget {
        let mut t = DestroyTarget::of(&snapshot.tcp[i]);
        t.netns = snapshot
            .netns_parts
            .get(snapshot.part_of_tcp(i))
            .map(|p| p.inode);
        t
    }
}

impl std::fmt::Display for DestroyTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} -> {} (cookie {})",
            self.local, self.remote, self.cookie
        )
    }
}

/// Why a socket was not destroyed.
#[derive(Debug, thiserror::Error)]
pub enum DestroyError {
    /// `--read-only` was given.
    #[error("destroying sockets is disabled (--read-only)")]
    ReadOnly,
    /// The kernel answered EPERM.
    #[error("destroying a socket needs CAP_NET_ADMIN; run sockscope as root")]
    NotPermitted,
    /// The kernel answered EOPNOTSUPP.
    #[error("this kernel cannot destroy sockets: it was built without CONFIG_INET_DIAG_DESTROY")]
    NotSupported,
    /// No socket with that address pair.
    #[error("socket {0} no longer exists")]
    NotFound(DestroyTarget),
    /// A socket with that address pair exists but has another cookie.
    #[error(
        "the socket on {0} is not the selected one any more (cookie changed); nothing destroyed"
    )]
    Stale(DestroyTarget),
    /// This source cannot destroy sockets (a recording, a script).
    #[error("cannot destroy sockets here: {0}")]
    Unavailable(&'static str),
    /// Another error from the kernel or the netlink socket.
    #[error("destroying socket {target} failed: {source}")]
    Io {
        /// The socket.
        target: DestroyTarget,
        /// The error.
        #[source]
        source: io::Error,
    },
}

/// The `SOCK_DESTROY` request for `target`.
pub fn request(target: &DestroyTarget) -> SockDiagMessage {
    super::exact::request(
        target.local,
        target.remote,
        target.cookie,
        ExtensionFlags::empty(),
    )
}

/// Maps the kernel's answer to a [`DestroyError`].
pub fn classify(target: &DestroyTarget, err: io::Error) -> DestroyError {
    match err.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => DestroyError::NotPermitted,
        Some(libc::EOPNOTSUPP) => DestroyError::NotSupported,
        Some(libc::ENOENT) => DestroyError::NotFound(target.clone()),
        Some(libc::ESTALE) => DestroyError::Stale(target.clone()),
        _ => DestroyError::Io {
            target: target.clone(),
            source: err,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_answers_become_plain_words() {
        let t = DestroyTarget {
            local: "127.0.0.1:80".parse().unwrap(),
            remote: "127.0.0.1:5000".parse().unwrap(),
            cookie: 7,
            netns: None,
        };
        let say = |errno| classify(&t, io::Error::from_raw_os_error(errno)).to_string();
        assert!(say(libc::EPERM).contains("CAP_NET_ADMIN"));
        assert!(say(libc::EOPNOTSUPP).contains("CONFIG_INET_DIAG_DESTROY"));
        assert_eq!(
            say(libc::ENOENT),
            "socket 127.0.0.1:80 -> 127.0.0.1:5000 (cookie 7) no longer exists"
        );
        assert!(say(libc::ESTALE).contains("cookie changed"));
    }
}
