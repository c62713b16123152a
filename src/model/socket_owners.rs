//! The socket → owning processes table, compact: one sorted array of socket
//! inodes with, at the same index, the id of its owner set; each distinct
//! owner set is stored once (most sockets of a server share one or two:
//! its worker's, or all its workers'). Eight bytes per socket and no
//! allocation per socket, which matters at a million sockets.
//!
//! A table may share part of its sockets with the tables of other rounds
//! ([`InodeSets`]: the owners of the kept states of one full dump, which
//! every queues-only round after it shows again), so that a round copies
//! only its own sockets' owners.
//!
//! Serialized exactly as the list it replaces: a sequence of
//! `{inode, processes}` entries, so recordings and JSON keep their format.

use std::sync::Arc;

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

/// Sockets with the id of their owner set, by ascending inode: a table's
/// own sockets, and the part of a [`SocketOwners`] that several tables
/// share ([`SocketOwners::share`]), whose set ids mean the sets each
/// sharing table adds first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InodeSets {
    inodes: Vec<u32>,
    sets: Vec<u32>,
}

impl InodeSets {
    /// Appends `inode` (larger than every inode pushed before) owned by set `set`.
    pub fn push(&mut self, inode: u32, set: u32) {
        debug_assert!(self.inodes.last().is_none_or(|&l| l < inode));
        self.inodes.push(inode);
        self.sets.push(set);
    }

    /// Reserves room for `n` more sockets.
    pub fn reserve(&mut self, n: usize) {
        self.inodes.reserve(n);
        self.sets.reserve(n);
    }

    /// Number of sockets.
    pub fn len(&self) -> usize {
        self.inodes.len()
    }

    /// True when it holds no socket.
    pub fn is_empty(&self) -> bool {
        self.inodes.is_empty()
    }

    /// Every socket with its set id, by ascending inode.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.inodes.iter().copied().zip(self.sets.iter().copied())
    }

    /// The set id of `inode`, when it is here.
    fn set_of(&self, inode: u32) -> Option<u32> {
        let i = self.inodes.binary_search(&inode).ok()?;
        Some(self.sets[i])
    }

    /// The highest set id used, plus one.
    fn sets_needed(&self) -> usize {
        self.sets.iter().max().map_or(0, |&m| m as usize + 1)
    }

    fn heap_bytes(&self) -> usize {
        4 * (self.inodes.capacity() + self.sets.capacity())
    }
}

/// Looked-up sockets with at least one owner, sorted by inode (see the
/// module documentation).
#[derive(Clone, Debug, Default)]
pub struct SocketOwners {
    /// The table's own sockets, ascending (a recording may break the
    /// order: `Snapshot::validate` refuses it); none of them is in `shared`.
    own: InodeSets,
    /// Sockets shared with other tables, read as if merged into `own`.
    shared: Option<Arc<InodeSets>>,
    /// Owner set `s` is `members[starts[s]..starts[s + 1]]`; `starts`
    /// begins with 0.
    starts: Vec<u32>,
    /// Every owner set's process indices, one after the other.
    members: Vec<u32>,
}

impl SocketOwners {
    /// Number of sockets with owners.
    pub fn len(&self) -> usize {
        self.own.len() + self.shared.as_ref().map_or(0, |s| s.len())
    }

    /// True when no socket has a known owner.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        let set = self
            .own
            .set_of(inode)
            .or_else(|| self.shared.as_ref()?.set_of(inode));
        set.map_or(&[], |set| self.set(set))
    }

    /// Every socket with its owners, in stored order: the own and the
    /// shared sockets merged by inode.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &[u32])> + '_ {
        let mut own = self.own.iter().peekable();
        let mut kept = self.shared.iter().flat_map(|s| s.iter()).peekable();
        std::iter::from_fn(move || {
            let next = match (own.peek(), kept.peek()) {
                (Some(a), Some(b)) if b.0 < a.0 => kept.next(),
                (Some(_), _) => own.next(),
                (None, _) => kept.next(),
            };
            next.map(|(inode, set)| (inode, self.set(set)))
        })
    }

    /// Shares `part` with the other tables holding it; its set ids are
    /// those of the sets added before (every id it uses must be).
    pub fn share(&mut self, part: Arc<InodeSets>) {
        debug_assert!(part.sets_needed() <= self.set_count());
        self.shared = Some(part);
    }

    /// Whether `self` and `other` share the same part (not a copy).
    pub fn shares_with(&self, other: &SocketOwners) -> bool {
        match (&self.shared, &other.shared) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
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
        debug_assert!((set as usize) < self.set_count());
        debug_assert!(
            self.shared
                .as_ref()
                .is_none_or(|s| s.set_of(inode).is_none())
        );
        self.own.push(inode, set);
    }

    /// Reserves room for `n` more sockets.
    pub fn reserve(&mut self, n: usize) {
        self.own.reserve(n);
    }

    /// Heap bytes held (capacity, not length), for the memory figures; a
    /// shared part counts whole in every table holding it.
    pub fn heap_bytes(&self) -> usize {
        self.own.heap_bytes()
            + 4 * (self.starts.capacity() + self.members.capacity())
            + self.shared.as_ref().map_or(0, |s| s.heap_bytes())
    }
}

impl PartialEq for SocketOwners {
    /// Equal when every socket has the same owners, however the sets are
    /// numbered. Two tables sharing one part and equal in the rest, set by
    /// set (the queues-only rounds after one dump), are told equal without
    /// walking the shared part.
    fn eq(&self, other: &Self) -> bool {
        let same_rest = || {
            self.own == other.own && self.starts == other.starts && self.members == other.members
        };
        if self.shares_with(other) && same_rest() {
            return true;
        }
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
            out.own.inodes.push(inode);
            out.own.sets.push(set);
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
    fn a_shared_part_reads_as_merged_with_the_own_sockets() {
        let mut part = InodeSets::default();
        part.push(4, 0);
        part.push(6, 1);
        part.push(20, 0);
        let part = Arc::new(part);
        let table = |own: &[(u32, u32)]| {
            let mut t = SocketOwners::default();
            t.add_set(&[0]);
            t.add_set(&[0, 1]);
            t.add_set(&[2]);
            t.share(Arc::clone(&part));
            for &(inode, set) in own {
                t.push(inode, set);
            }
            t
        };
        let a = table(&[(2, 2), (5, 2), (30, 1)]);
        let b = table(&[]);
        assert!(a.shares_with(&b) && b.shares_with(&a));
        assert!(!a.shares_with(&SocketOwners::from(vec![owned(4, vec![0])])));
        assert_eq!(a.len(), 6);
        assert_eq!(a.get(2), &[2]);
        assert_eq!(a.get(6), &[0, 1], "from the shared part");
        assert_eq!(a.get(20), &[0]);
        assert_eq!(a.get(7), &[] as &[u32]);
        let expected = vec![
            owned(2, vec![2]),
            owned(4, vec![0]),
            owned(5, vec![2]),
            owned(6, vec![0, 1]),
            owned(20, vec![0]),
            owned(30, vec![0, 1]),
        ];
        assert_eq!(a, SocketOwners::from(expected.clone()), "merged by inode");
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&expected).unwrap()
        );
        assert_eq!(b.iter().map(|(i, _)| i).collect::<Vec<_>>(), [4, 6, 20]);
        assert_eq!(Arc::strong_count(&part), 3, "one part, not copies");
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
