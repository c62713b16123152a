//! The socket → owning processes table, compact: one sorted array of socket
//! inodes with, at the same index, the id of its owner set; each distinct
//! owner set is stored once (most sockets of a server share one or two:
//! its worker's, or all its workers'). Eight bytes per socket and no
//! allocation per socket, which matters at a million sockets.
//!
//! Serialized exactly as the list it replaces: a sequence of
//! `{inode, processes}` entries, so recordings and JSON keep their format.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The processes holding one socket inode (the serialized form of one
/// entry of [`SocketOwners`], and how tests write them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketProcesses {
    /// Socket inode (`idiag_inode`, `udiag_ino`).
    pub inode: u32,
    /// Indices into [`ProcessTable::list`](super::ProcessTable::list), ascending.
    pub processes: Vec<u32>,
}

/// Looked-up sockets with at least one owner, sorted by inode (see the
/// module documentation).
#[derive(Clone, Debug, Default)]
pub struct SocketOwners {
    /// Socket inodes, ascending (a recording may break the order:
    /// `Snapshot::validate` refuses it).
    inodes: Vec<u32>,
    /// For each inode at the same index, its owner set.
    sets: Vec<u32>,
    /// Owner set `s` is `members[starts[s]..starts[s + 1]]`; `starts`
    /// begins with 0.
    starts: Vec<u32>,
    /// Every owner set's process indices, one after the other.
    members: Vec<u32>,
}

impl SocketOwners {
    /// Number of sockets with owners.
    pub fn len(&self) -> usize {
        self.inodes.len()
    }

    /// True when no socket has a known owner.
    pub fn is_empty(&self) -> bool {
        self.inodes.is_empty()
    }

    /// Number of distinct owner sets stored.
    pub fn set_count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Owner set `set`'s process indices.
    fn set(&self, set: u32) -> &[u32] {
        let s = set as usize;
        &self.members[self.starts[s] as usize..self.starts[s + 1] as usize]
    }

    /// The processes holding `inode` (indices into the process list);
    /// empty when unknown.
    pub fn get(&self, inode: u32) -> &[u32] {
        match self.inodes.binary_search(&inode) {
            Ok(i) => self.set(self.sets[i]),
            Err(_) => &[],
        }
    }

    /// Every socket with its owners, in stored (inode) order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &[u32])> + '_ {
        self.inodes
            .iter()
            .zip(&self.sets)
            .map(|(&inode, &set)| (inode, self.set(set)))
    }

    /// Stores one more owner set (process indices, ascending) and returns
    /// its id for [`SocketOwners::push`]; the caller interns (passes each
    /// distinct set once).
    pub fn add_set(&mut self, members: &[u32]) -> u32 {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.members.extend_from_slice(members);
        self.starts.push(self.members.len() as u32);
        (self.starts.len() - 2) as u32
    }

    /// Appends `inode` (larger than every inode pushed before) owned by
    /// set `set` (from [`SocketOwners::add_set`]).
    pub fn push(&mut self, inode: u32, set: u32) {
        debug_assert!(self.inodes.last().is_none_or(|&l| l < inode));
        debug_assert!((set as usize) < self.set_count());
        self.inodes.push(inode);
        self.sets.push(set);
    }

    /// Reserves room for `n` more sockets.
    pub fn reserve(&mut self, n: usize) {
        self.inodes.reserve(n);
        self.sets.reserve(n);
    }

    /// Heap bytes held (capacity, not length), for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        4 * (self.inodes.capacity()
            + self.sets.capacity()
            + self.starts.capacity()
            + self.members.capacity())
    }
}

impl PartialEq for SocketOwners {
    /// Equal when every socket has the same owners, however the sets are numbered.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for SocketOwners {}

impl FromIterator<(u32, Vec<u32>)> for SocketOwners {
    /// Interns the owner sets of `(inode, processes)` pairs, kept in their order.
    fn from_iter<I: IntoIterator<Item = (u32, Vec<u32>)>>(pairs: I) -> Self {
        let mut out = SocketOwners::default();
        let mut ids: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
        for (inode, processes) in pairs {
            let set = match ids.get(&processes) {
                Some(&id) => id,
                None => {
                    let id = out.add_set(&processes);
                    ids.insert(processes, id);
                    id
                }
            };
            out.inodes.push(inode);
            out.sets.push(set);
        }
        out
    }
}

impl FromIterator<SocketProcesses> for SocketOwners {
    /// Interns the owner sets of `entries`, kept in their order.
    fn from_iter<I: IntoIterator<Item = SocketProcesses>>(entries: I) -> Self {
        entries
            .into_iter()
            .map(|s| (s.inode, s.processes))
            .collect()
    }
}

impl From<Vec<SocketProcesses>> for SocketOwners {
    fn from(list: Vec<SocketProcesses>) -> Self {
        list.into_iter().collect()
    }
}

/// One entry as serialized, borrowed from the table.
#[derive(Serialize)]
struct Entry<'a> {
    inode: u32,
    processes: &'a [u32],
}

impl Serialize for SocketOwners {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.iter()
                .map(|(inode, processes)| Entry { inode, processes }),
        )
    }
}

impl<'de> Deserialize<'de> for SocketOwners {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<SocketProcesses>::deserialize(deserializer).map(SocketOwners::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(inode: u32, processes: Vec<u32>) -> SocketProcesses {
        SocketProcesses { inode, processes }
    }

    #[test]
    fn sets_are_stored_once_and_read_back_per_inode() {
        let list = vec![
            owned(3, vec![0]),
            owned(5, vec![0, 1]),
            owned(8, vec![0]),
            owned(9, vec![2]),
            owned(12, vec![0, 1]),
        ];
        let t = SocketOwners::from(list.clone());
        assert_eq!((t.len(), t.set_count()), (5, 3));
        assert_eq!(t.get(5), &[0, 1]);
        assert_eq!(t.get(8), &[0]);
        assert_eq!(t.get(12), &[0, 1]);
        assert_eq!(t.get(4), &[] as &[u32]);
        let back: Vec<SocketProcesses> = t.iter().map(|(i, p)| owned(i, p.to_vec())).collect();
        assert_eq!(back, list);
    }

    #[test]
    fn serialized_as_the_list_of_entries() {
        let list = vec![owned(3, vec![0]), owned(7, vec![1, 2]), owned(9, vec![0])];
        let t = SocketOwners::from(list.clone());
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, serde_json::to_string(&list).unwrap());
        assert_eq!(
            json,
            r#"[{"inode":3,"processes":[0]},{"inode":7,"processes":[1,2]},{"inode":9,"processes":[0]}]"#
        );
        let again: SocketOwners = serde_json::from_str(&json).unwrap();
        assert_eq!(again, t);
    }

    #[test]
    fn equality_ignores_how_sets_are_numbered() {
        let mut a = SocketOwners::default();
        let x = a.add_set(&[1]);
        let y = a.add_set(&[0]);
        a.push(4, y);
        a.push(6, x);
        let b = SocketOwners::from(vec![owned(4, vec![0]), owned(6, vec![1])]);
        assert_eq!(a, b);
        let c = SocketOwners::from(vec![owned(4, vec![0]), owned(6, vec![0])]);
        assert_ne!(a, c);
    }
}
