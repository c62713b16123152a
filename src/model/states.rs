//! Per-state socket counts.

use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

use super::snapshot::TcpState;

/// Number of TCP sockets in each state, indexed by [`TcpState`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StateCounts(pub [u64; 11]);

impl StateCounts {
    /// Counts one more socket in `state`.
    pub fn add(&mut self, state: TcpState) {
        self[state] += 1;
    }

    /// Sum over every state.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// Sum over every state but LISTEN: the connections.
    pub fn connections(&self) -> u64 {
        self.total() - self[TcpState::Listen]
    }

    /// Adds every count of `other` into `self`.
    pub fn merge(&mut self, other: &StateCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }
}

impl Index<TcpState> for StateCounts {
    type Output = u64;
    fn index(&self, state: TcpState) -> &u64 {
        &self.0[state.index()]
    }
}

impl IndexMut<TcpState> for StateCounts {
    fn index_mut(&mut self, state: TcpState) -> &mut u64 {
        &mut self.0[state.index()]
    }
}
