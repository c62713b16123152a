//! AF_UNIX listeners through `unix_diag`.

use std::os::unix::ffi::OsStrExt;

use netlink_packet_core::Parseable;
use netlink_packet_sock_diag::{
    SockDiagMessage,
    unix::{
        ShowFlags, StateFlags, UnixRequest, UnixResponse,
        nlas::{Nla, UnixDiagName},
    },
};

use crate::model::{UnixKind, UnixListener};

const SOCK_STREAM: u8 = libc::SOCK_STREAM as u8;
const SOCK_SEQPACKET: u8 = libc::SOCK_SEQPACKET as u8;

/// A dump request for every listening AF_UNIX socket with its name and
/// queue lengths (`UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN`).
pub fn request() -> SockDiagMessage {
    SockDiagMessage::UnixRequest(UnixRequest {
        state_flags: StateFlags::LISTEN,
        inode: 0,
        show_flags: ShowFlags::NAME | ShowFlags::RQLEN,
        cookie: [0xff; 8],
    })
}

/// What one `unix_diag_msg` payload holds.
pub enum Parsed {
    /// A stream or seqpacket listener.
    Listener(UnixListener),
    /// A datagram socket or other type: not a listener, not an error.
    Ignored,
}

/// Parses one `unix_diag_msg` payload with its attributes; `None` when malformed.
pub fn parse(payload: &[u8]) -> Option<Parsed> {
    let resp = UnixResponse::parse(payload).ok()?;
    let kind = match resp.header.kind {
        SOCK_STREAM => UnixKind::Stream,
        SOCK_SEQPACKET => UnixKind::Seqpacket,
        _ => return Some(Parsed::Ignored),
    };
    let mut listener = UnixListener {
        path: String::new(),
        inode: resp.header.inode,
        kind,
        accept_queue: 0,
        backlog: 0,
    };
    for nla in &resp.nlas {
        match nla {
            Nla::Name(UnixDiagName::Pathname(p)) => {
                listener.path = String::from_utf8_lossy(p.as_bytes()).into_owned();
            }
            Nla::Name(UnixDiagName::Abstract(a)) => {
                listener.path = format!("@{}", String::from_utf8_lossy(a));
            }
            Nla::ReceiveQueueLength(rq, wq) => {
                listener.accept_queue = *rq;
                listener.backlog = *wq;
            }
            _ => {}
        }
    }
    Some(Parsed::Listener(listener))
}
