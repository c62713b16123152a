//! Which group each socket of a snapshot was attributed to ([`Owner`]),
//! and the list that holds one per socket in 4 bytes ([`OwnerList`]): a
//! million sockets, in two aggregates while a new one is built beside the
//! one shown, would take 16 MiB more as a `Vec<Owner>` of 8-byte enums.

use std::ops::Range;

/// Which group a socket of the snapshot was attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A LISTEN socket of listener `n` (index into [`Aggregate::listeners`](super::Aggregate::listeners)).
    Listening(u32),
    /// A connection of listener `n`.
    Listener(u32),
    /// A connection counted under remote `n` (index into [`Aggregate::remotes`](super::Aggregate::remotes)).
    Remote(u32),
}

/// The index bits of an encoded owner; the two bits above say which kind.
const INDEX: u32 = (1 << 30) - 1;
const LISTENING: u32 = 1 << 30;
const LISTENER: u32 = 2 << 30;

impl Owner {
    /// The 4-byte form. Indices count listeners or remotes, so they stay
    /// far below 2^30 (a list of 2^30 sockets would be 80 GiB).
    fn encode(self) -> u32 {
        let (kind, i) = match self {
            Owner::Remote(i) => (0, i),
            Owner::Listening(i) => (LISTENING, i),
            Owner::Listener(i) => (LISTENER, i),
        };
        debug_assert!(i <= INDEX, "owner index {i} beyond 2^30");
        kind | (i & INDEX)
    }

    fn decode(code: u32) -> Owner {
        let i = code & INDEX;
        match code & !INDEX {
            LISTENING => Owner::Listening(i),
            LISTENER => Owner::Listener(i),
            _ => Owner::Remote(i),
        }
    }
}

/// One [`Owner`] per socket, at the socket's index, 4 bytes each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnerList(Vec<u32>);

impl OwnerList {
    /// `n` times `owner`.
    pub fn filled(n: usize, owner: Owner) -> OwnerList {
        OwnerList(vec![owner.encode(); n])
    }

    /// An empty list with room for `n`.
    pub fn with_capacity(n: usize) -> OwnerList {
        OwnerList(Vec::with_capacity(n))
    }

    /// How many owners.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The owner of socket `i`, if the list reaches it.
    pub fn get(&self, i: usize) -> Option<Owner> {
        self.0.get(i).copied().map(Owner::decode)
    }

    /// Sets the owner of socket `i` (which must be in the list).
    pub fn set(&mut self, i: usize, owner: Owner) {
        self.0[i] = owner.encode();
    }

    /// Appends one.
    pub fn push(&mut self, owner: Owner) {
        self.0.push(owner.encode());
    }

    /// Appends the owners of `other` at `range`; `None` (and nothing
    /// appended) when the range lies outside it.
    pub fn extend_from(&mut self, other: &OwnerList, range: Range<usize>) -> Option<()> {
        self.0.extend_from_slice(other.0.get(range)?);
        Some(())
    }

    /// Makes the list `n` long, appending `owner` as needed.
    pub fn resize(&mut self, n: usize, owner: Owner) {
        self.0.resize(n, owner.encode());
    }

    /// Every owner, in socket order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Owner> + '_ {
        self.0.iter().map(|&c| Owner::decode(c))
    }

    /// Replaces every owner `o` with `f(o)`.
    pub fn map_in_place(&mut self, f: impl Fn(Owner) -> Owner) {
        for c in &mut self.0 {
            *c = f(Owner::decode(*c)).encode();
        }
    }

    /// The sockets whose owner is `owner`, ascending.
    pub fn positions(&self, owner: Owner) -> impl Iterator<Item = usize> + '_ {
        let want = owner.encode();
        self.0
            .iter()
            .enumerate()
            .filter(move |(_, c)| **c == want)
            .map(|(i, _)| i)
    }
}

impl Extend<Owner> for OwnerList {
    fn extend<I: IntoIterator<Item = Owner>>(&mut self, iter: I) {
        self.0.extend(iter.into_iter().map(Owner::encode));
    }
}

impl FromIterator<Owner> for OwnerList {
    fn from_iter<I: IntoIterator<Item = Owner>>(iter: I) -> OwnerList {
        OwnerList(iter.into_iter().map(Owner::encode).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_owner_comes_back_as_it_went_in() {
        let owners = [
            Owner::Remote(0),
            Owner::Listening(0),
            Owner::Listener(0),
            Owner::Remote(INDEX),
            Owner::Listening(INDEX),
            Owner::Listener(INDEX),
            Owner::Listener(7),
            Owner::Remote(7),
        ];
        let list: OwnerList = owners.iter().copied().collect();
        assert_eq!(list.iter().collect::<Vec<_>>(), owners);
        assert_eq!(list.get(8), None);
        assert_eq!(list.positions(Owner::Remote(7)).collect::<Vec<_>>(), [7]);
        assert_eq!(list.positions(Owner::Listener(0)).collect::<Vec<_>>(), [2]);
        let mut moved = list.clone();
        moved.map_in_place(|o| match o {
            Owner::Listener(i) => Owner::Remote(i),
            o => o,
        });
        assert_eq!(moved.get(6), Some(Owner::Remote(7)));
        assert_eq!(moved.get(1), Some(Owner::Listening(0)));
        let mut tail = OwnerList::with_capacity(2);
        assert_eq!(tail.extend_from(&list, 6..9), None);
        tail.extend_from(&list, 6..8).unwrap();
        assert_eq!(tail.iter().collect::<Vec<_>>(), owners[6..]);
    }
}
