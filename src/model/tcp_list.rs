//! A snapshot's TCP sockets ([`TcpList`]): a list of its own followed by a
//! shared one. A round that reads only the queues owns its listeners and
//! shares the states of the last full dump with the collector and with the
//! frames before it, so that a million kept sockets exist once, not once
//! per round.

use std::ops::{Index, IndexMut};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::snapshot::TcpSocket;

/// The TCP sockets of a snapshot: `own` then `shared`, read as one list
/// (indices run through both). Writing to it ([`TcpList::owned_mut`],
/// `list[i] = …`, [`TcpList::push`]) first copies the shared part in, so a
/// shared list is never changed under its other holders.
#[derive(Clone, Debug, Default)]
pub struct TcpList {
    own: Vec<TcpSocket>,
    shared: Option<Arc<Vec<TcpSocket>>>,
}

impl TcpList {
    /// An empty list.
    pub fn new() -> TcpList {
        TcpList::default()
    }

    /// `own` followed by `shared`.
    pub fn with_shared(own: Vec<TcpSocket>, shared: Arc<Vec<TcpSocket>>) -> TcpList {
        TcpList {
            own,
            shared: Some(shared),
        }
    }

    /// How many sockets.
    pub fn len(&self) -> usize {
        self.own.len() + self.shared.as_ref().map_or(0, |s| s.len())
    }

    /// The capacity of the list of its own (what a collector refills).
    pub fn capacity(&self) -> usize {
        self.own.capacity()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Socket `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&TcpSocket> {
        match self.own.get(i) {
            Some(s) => Some(s),
            None => self.shared.as_ref()?.get(i - self.own.len()),
        }
    }

    /// Every socket, in order.
    pub fn iter(
        &self,
    ) -> std::iter::Chain<std::slice::Iter<'_, TcpSocket>, std::slice::Iter<'_, TcpSocket>> {
        let shared: &[TcpSocket] = self.shared.as_deref().map_or(&[], Vec::as_slice);
        self.own.iter().chain(shared)
    }

    /// The whole list as one vector of its own, to change at will (the
    /// shared part is copied in first).
    pub fn owned_mut(&mut self) -> &mut Vec<TcpSocket> {
        if let Some(shared) = self.shared.take() {
            match Arc::try_unwrap(shared) {
                Ok(mut alone) if self.own.is_empty() => std::mem::swap(&mut self.own, &mut alone),
                Ok(alone) => self.own.extend(alone),
                Err(shared) => self.own.extend_from_slice(&shared),
            }
        }
        &mut self.own
    }

    /// Appends a socket.
    pub fn push(&mut self, socket: TcpSocket) {
        self.owned_mut().push(socket);
    }

    /// Appends a copy of every socket of `other`.
    pub fn extend_from_list(&mut self, other: &TcpList) {
        self.owned_mut().extend(other.iter().cloned());
    }

    /// The list as one vector.
    pub fn into_vec(mut self) -> Vec<TcpSocket> {
        self.owned_mut();
        self.own
    }

    /// The parts: the list of its own, and the shared one.
    pub fn into_parts(self) -> (Vec<TcpSocket>, Option<Arc<Vec<TcpSocket>>>) {
        (self.own, self.shared)
    }

    /// The list of its own and the shared one, borrowed.
    pub fn parts(&self) -> (&[TcpSocket], Option<&Arc<Vec<TcpSocket>>>) {
        (&self.own, self.shared.as_ref())
    }

    /// Whether `self` and `other` share their shared part (the same kept
    /// states, not a copy): every socket after the own part is then the
    /// same in both, which a consumer may use to skip them.
    pub fn shares_states_with(&self, other: &TcpList) -> bool {
        match (&self.shared, &other.shared) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Whether it holds memory worth handing back to a collector: an own
    /// list with capacity, or a shared one.
    pub fn has_storage(&self) -> bool {
        self.own.capacity() > 0 || self.shared.is_some()
    }
}

impl From<Vec<TcpSocket>> for TcpList {
    fn from(own: Vec<TcpSocket>) -> TcpList {
        TcpList { own, shared: None }
    }
}

impl FromIterator<TcpSocket> for TcpList {
    fn from_iter<I: IntoIterator<Item = TcpSocket>>(iter: I) -> TcpList {
        TcpList::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl<'a> IntoIterator for &'a TcpList {
    type Item = &'a TcpSocket;
    type IntoIter =
        std::iter::Chain<std::slice::Iter<'a, TcpSocket>, std::slice::Iter<'a, TcpSocket>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Index<usize> for TcpList {
    type Output = TcpSocket;

    fn index(&self, i: usize) -> &TcpSocket {
        let len = self.len();
        self.get(i)
            .unwrap_or_else(|| panic!("socket {i} of a list of {len}"))
    }
}

impl IndexMut<usize> for TcpList {
    fn index_mut(&mut self, i: usize) -> &mut TcpSocket {
        &mut self.owned_mut()[i]
    }
}

impl PartialEq for TcpList {
    fn eq(&self, other: &TcpList) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for TcpList {}

impl Serialize for TcpList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for TcpList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TcpList, D::Error> {
        Vec::<TcpSocket>::deserialize(deserializer).map(TcpList::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TcpState;
    use crate::model::fixtures::{listen, sock};

    fn cookies(list: &TcpList) -> Vec<u64> {
        list.iter().map(|s| s.cookie).collect()
    }

    fn split() -> (TcpList, Arc<Vec<TcpSocket>>) {
        let shared = Arc::new(vec![
            sock(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5000", 2),
            sock(TcpState::TimeWait, "127.0.0.1:80", "127.0.0.1:5001", 3),
        ]);
        let list = TcpList::with_shared(vec![listen("127.0.0.1:80", 0, 8, 1)], shared.clone());
        (list, shared)
    }

    #[test]
    fn reads_as_one_list_through_both_parts() {
        let (list, _) = split();
        assert_eq!((list.len(), cookies(&list)), (3, vec![1, 2, 3]));
        assert_eq!((list[0].cookie, list[2].cookie), (1, 3));
        assert!(list.get(3).is_none());
        assert_eq!(
            list,
            TcpList::from(list.iter().cloned().collect::<Vec<_>>())
        );
        let json = serde_json::to_string(&list).unwrap();
        let back: TcpList = serde_json::from_str(&json).unwrap();
        assert_eq!(back, list);
    }

    #[test]
    fn a_clone_shares_and_writing_leaves_the_shared_part_alone() {
        let (mut list, shared) = split();
        let copy = list.clone();
        assert_eq!(Arc::strong_count(&shared), 3, "the clone shares, no copy");
        assert!(copy.shares_states_with(&list));
        list[1].recv_q = 7;
        list.push(listen("127.0.0.1:81", 0, 8, 4));
        assert_eq!((list[1].recv_q, cookies(&list)), (7, vec![1, 2, 3, 4]));
        assert_eq!((shared[0].recv_q, copy[1].recv_q), (0, 0));
        assert_eq!(Arc::strong_count(&shared), 2);
        assert!(!copy.shares_states_with(&list), "written: its own now");
    }

    #[test]
    fn its_parts_go_back_whole() {
        let (list, shared) = split();
        drop(shared);
        let (own, back) = list.into_parts();
        assert_eq!(own.len(), 1);
        let back = Arc::try_unwrap(back.unwrap()).expect("the last holder gets the list");
        assert_eq!(back.len(), 2);
    }
}
