//! Per-socket age tracking by socket cookie: when sockscope first saw each
//! socket, for the drill-down's "seen for" column and the CLOSE_WAIT leak
//! rule. Entries leave with their socket, so memory follows the live set.

use std::collections::HashMap;

use jiff::Timestamp;

use super::snapshot::{Snapshot, TcpState};

/// First-seen times of the sockets in the latest snapshot.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    first_seen: HashMap<u64, (Timestamp, TcpState)>,
    scratch: HashMap<u64, (Timestamp, TcpState)>,
}

impl Tracker {
    /// Records `snapshot`: sockets seen for the first time (or seen in a new
    /// state) start their clock at `snapshot.taken_at`; sockets gone are
    /// forgotten. Sockets with cookie 0 are not tracked.
    pub fn update(&mut self, snapshot: &Snapshot) {
        self.scratch.clear();
        for s in &snapshot.tcp {
            if s.cookie == 0 {
                continue;
            }
            let entry = match self.first_seen.get(&s.cookie) {
                Some(&(at, state)) if state == s.state => (at, state),
                _ => (snapshot.taken_at, s.state),
            };
            self.scratch.insert(s.cookie, entry);
        }
        std::mem::swap(&mut self.first_seen, &mut self.scratch);
        if self.scratch.capacity() > 4 * self.first_seen.len().max(1024) {
            self.scratch = HashMap::new();
        }
    }

    /// When the socket with `cookie` was first seen in its current state.
    pub fn first_seen(&self, cookie: u64) -> Option<Timestamp> {
        self.first_seen.get(&cookie).map(|&(at, _)| at)
    }

    /// Number of sockets tracked.
    pub fn len(&self) -> usize {
        self.first_seen.len()
    }

    /// True when nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.first_seen.is_empty()
    }
}
