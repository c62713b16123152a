//! What identifies each thing sockscope shows across samples: the same
//! address in two namespaces is two listeners, two alert targets, two rows.
//! A namespace is named by its label (its index among a snapshot's parts
//! shifts when namespaces come and go).

use std::net::{IpAddr, SocketAddr};

use super::aggregate::{Aggregate, Listener, Remote};
use super::alerts::Target;
use super::snapshot::Snapshot;

/// A TCP listener: its namespace and its bound address:port.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListenerKey {
    /// Label of its namespace.
    pub netns: String,
    /// The bound address and port.
    pub local: SocketAddr,
}

/// An outbound group: its namespace, the local address and the remote endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RemoteKey {
    /// Label of its namespace.
    pub netns: String,
    /// The local address the sockets leave from.
    pub local: IpAddr,
    /// The remote address and port.
    pub remote: SocketAddr,
}

/// A UNIX listener: its namespace, path and inode.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnixKey {
    /// Label of its namespace.
    pub netns: String,
    /// Path (`@name` for abstract sockets, empty when unnamed).
    pub path: String,
    /// Socket inode.
    pub inode: u32,
}

impl Snapshot {
    /// The label of namespace part `part`, only when the snapshot holds
    /// several: what alert targets carry.
    pub fn netns_of_part(&self, part: u16) -> Option<&str> {
        (!self.netns_parts.is_empty()).then(|| self.part_label(usize::from(part)))
    }

    /// The key of listener `l` of this snapshot's aggregate.
    pub fn listener_key(&self, l: &Listener) -> ListenerKey {
        ListenerKey {
            netns: self.part_label(usize::from(l.netns)).to_owned(),
            local: l.local,
        }
    }

    /// The key of remote group `r` of this snapshot's aggregate.
    pub fn remote_key(&self, r: &Remote) -> RemoteKey {
        RemoteKey {
            netns: self.part_label(usize::from(r.netns)).to_owned(),
            local: r.local_ip,
            remote: r.remote,
        }
    }

    /// The key of `unix_listeners[i]`.
    pub fn unix_key(&self, i: usize) -> UnixKey {
        let u = &self.unix_listeners[i];
        UnixKey {
            netns: self.part_label(self.part_of_unix(i)).to_owned(),
            path: u.path.clone(),
            inode: u.inode,
        }
    }

    /// The alert target of the listener `key` names, as the alerts of a
    /// frame of this snapshot carry it.
    pub fn listener_target(&self, key: &ListenerKey) -> Target {
        let multi = !self.netns_parts.is_empty();
        Target::listener(key.local).in_netns(multi.then_some(key.netns.as_str()))
    }

    /// The alert target of the remote group `key` names, as the alerts of
    /// a frame of this snapshot carry it.
    pub fn remote_target(&self, key: &RemoteKey) -> Target {
        let multi = !self.netns_parts.is_empty();
        Target::remote_from(key.remote, key.local).in_netns(multi.then_some(key.netns.as_str()))
    }

    /// Index into `netns_parts` of the namespace labelled `label` (0 for a
    /// snapshot of one namespace with that label).
    pub fn part_index(&self, label: &str) -> Option<u16> {
        if self.netns_parts.is_empty() {
            return (self.netns == label).then_some(0);
        }
        let at = self.netns_parts.iter().position(|p| p.label == label)?;
        u16::try_from(at).ok()
    }
}

impl Aggregate {
    /// Index of the listener `key` names in this aggregate of `snapshot`.
    pub fn find_listener(&self, snapshot: &Snapshot, key: &ListenerKey) -> Option<usize> {
        self.listener_index(snapshot.part_index(&key.netns)?, key.local)
    }

    /// Index of the remote group `key` names in this aggregate of
    /// `snapshot` (a linear search: remotes are few next to sockets).
    pub fn find_remote(&self, snapshot: &Snapshot, key: &RemoteKey) -> Option<usize> {
        let part = snapshot.part_index(&key.netns)?;
        self.remotes
            .iter()
            .position(|r| r.netns == part && r.local_ip == key.local && r.remote == key.remote)
    }
}
