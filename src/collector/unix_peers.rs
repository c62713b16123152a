//! Who is connected to each UNIX listener: the clients still waiting in its
//! accept queue (`UDIAG_SHOW_ICONS` on the listener gives their inodes) and
//! the clients of connections it accepted (accepted sockets carry the
//! listener's name; `UDIAG_SHOW_PEER` gives the client's inode).

use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;

use netlink_packet_core::Parseable;
use netlink_packet_sock_diag::{
    SockDiagMessage,
    unix::{
        ShowFlags, StateFlags, UnixRequest, UnixResponse,
        nlas::{Nla, UnixDiagName},
    },
};

use super::CollectError;
use super::netlink::DiagSocket;
use crate::model::{UnixListener, UnixPeer};

fn request(states: StateFlags, show: ShowFlags) -> SockDiagMessage {
    SockDiagMessage::UnixRequest(UnixRequest {
        state_flags: states,
        inode: 0,
        show_flags: show,
        cookie: [0xff; 8],
    })
}

fn name_of(nlas: &[Nla]) -> Option<String> {
    nlas.iter().find_map(|n| match n {
        Nla::Name(UnixDiagName::Pathname(p)) => {
            Some(String::from_utf8_lossy(p.as_bytes()).into_owned())
        }
        Nla::Name(UnixDiagName::Abstract(a)) => Some(format!("@{}", String::from_utf8_lossy(a))),
        _ => None,
    })
}

/// The peers of `listeners`, by two dumps: listeners with their pending
/// connections, then connected sockets with their names and peers.
/// Unnamed listeners have no accepted connections to match.
pub fn collect(
    diag: &mut DiagSocket,
    listeners: &[UnixListener],
) -> Result<Vec<UnixPeer>, CollectError> {
    let mut out = Vec::new();
    diag.dump(
        "unix",
        request(StateFlags::LISTEN, ShowFlags::ICONS),
        |payload| {
            let Ok(resp) = UnixResponse::parse(payload) else {
                return false;
            };
            for nla in &resp.nlas {
                if let Nla::PendingConnections(peers) = nla {
                    out.extend(peers.iter().filter(|&&p| p != 0).map(|&peer| UnixPeer {
                        listener: resp.header.inode,
                        server: 0,
                        peer,
                    }));
                }
            }
            true
        },
    )?;
    let by_name: HashMap<&str, u32> = listeners
        .iter()
        .filter(|l| !l.path.is_empty())
        .map(|l| (l.path.as_str(), l.inode))
        .collect();
    if by_name.is_empty() {
        return Ok(out);
    }
    diag.dump(
        "unix",
        request(StateFlags::ESTABLISHED, ShowFlags::NAME | ShowFlags::PEER),
        |payload| {
            let Ok(resp) = UnixResponse::parse(payload) else {
                return false;
            };
            let listener = name_of(&resp.nlas).and_then(|n| by_name.get(n.as_str()).copied());
            let peer = resp.nlas.iter().find_map(|n| match n {
                Nla::Peer(p) => Some(*p),
                _ => None,
            });
            if let (Some(listener), Some(peer)) = (listener, peer)
                && listener != resp.header.inode
            {
                out.push(UnixPeer {
                    listener,
                    server: resp.header.inode,
                    peer,
                });
            }
            true
        },
    )?;
    Ok(out)
}
