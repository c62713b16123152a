//! The kept past: a bounded ring of frames, for time travel, sparklines and
//! the rules that look back.
//!
//! Every frame keeps its aggregate (listeners, remotes, totals, counters);
//! only the newest frames keep their per-socket list, up to a budget of
//! sockets, so memory stays bounded at 100k+ sockets.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use super::aggregate::Aggregate;
use super::alerts::AlertSet;
use super::snapshot::{Snapshot, TcpSocket};

/// One sample as shown: the snapshot, its aggregate and the alerts active then.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The collected snapshot. In older frames `tcp` is emptied (see
    /// [`Frame::has_sockets`]).
    pub snapshot: Arc<Snapshot>,
    /// Its aggregate. In older frames `owners` and the connection index are
    /// emptied with the sockets.
    pub agg: Arc<Aggregate>,
    /// The alerts active at this sample (empty for a frame built outside
    /// [`Model::ingest`](crate::model::Model::ingest)).
    pub alerts: Arc<AlertSet>,
}

impl Frame {
    /// Builds the frame of `snapshot`.
    pub fn new(snapshot: Snapshot) -> Frame {
        let agg = Aggregate::build(&snapshot);
        Frame {
            snapshot: Arc::new(snapshot),
            agg: Arc::new(agg),
            alerts: Arc::new(AlertSet::default()),
        }
    }

    /// Whether the per-socket list is still kept for this frame.
    pub fn has_sockets(&self) -> bool {
        self.snapshot.tcp.len() as u64 == self.snapshot.collector.sockets
    }

    /// Drops the per-socket list, its owners and connection index: in place
    /// when no one else holds this frame (the usual case), else in a copy.
    /// Returns the socket list taken out.
    fn strip_sockets(&mut self) -> Option<Vec<TcpSocket>> {
        if self.snapshot.tcp.is_empty() {
            return None;
        }
        let tcp = std::mem::take(&mut Arc::make_mut(&mut self.snapshot).tcp);
        let agg = Arc::make_mut(&mut self.agg);
        agg.owners = Vec::new();
        agg.conn_offsets = Vec::new();
        agg.conn_index = Vec::new();
        Some(tcp)
    }
}

/// A bounded ring of frames, oldest first.
#[derive(Clone, Debug)]
pub struct History {
    frames: VecDeque<Frame>,
    span: Duration,
    socket_budget: usize,
    spare: Option<Vec<TcpSocket>>,
}

impl History {
    /// Keeps frames no older than `span` before the newest, and per-socket
    /// lists for the newest frames up to `socket_budget` sockets in all
    /// (the newest frame always keeps its own).
    pub fn new(span: Duration, socket_budget: usize) -> History {
        History {
            frames: VecDeque::new(),
            span,
            socket_budget,
            spare: None,
        }
    }

    /// Appends a frame and evicts what falls out of the span or the budget.
    pub fn push(&mut self, frame: Frame) {
        let newest = frame.snapshot.taken_at;
        self.frames.push_back(frame);
        let span = jiff::SignedDuration::try_from(self.span).unwrap_or(jiff::SignedDuration::MAX);
        while let Some(front) = self.frames.front() {
            let age = newest.duration_since(front.snapshot.taken_at);
            if age > span && self.frames.len() > 1 {
                self.frames.pop_front();
            } else {
                break;
            }
        }
        let mut kept = 0usize;
        for (i, f) in self.frames.iter_mut().rev().enumerate() {
            kept += f.snapshot.tcp.len();
            if i > 0
                && kept > self.socket_budget
                && let Some(tcp) = f.strip_sockets()
            {
                self.spare = Some(tcp);
            }
        }
    }

    /// The socket list a push last stripped from an older frame, emptied
    /// with its capacity kept: a collector can fill it again instead of
    /// allocating (and page-faulting in) a new one every sample.
    pub fn take_spare(&mut self) -> Option<Vec<TcpSocket>> {
        let mut tcp = self.spare.take()?;
        tcp.clear();
        Some(tcp)
    }

    /// How far back frames are kept.
    pub fn span(&self) -> Duration {
        self.span
    }

    /// Number of frames kept.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The newest frame.
    pub fn latest(&self) -> Option<&Frame> {
        self.frames.back()
    }

    /// The newest frame, to attach what is derived from it after the push.
    pub(crate) fn latest_mut(&mut self) -> Option<&mut Frame> {
        self.frames.back_mut()
    }

    /// Frame `back` steps before the newest (0 is the newest).
    pub fn back(&self, back: usize) -> Option<&Frame> {
        self.frames
            .len()
            .checked_sub(back + 1)
            .and_then(|i| self.frames.get(i))
    }

    /// Every frame, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Frame> + ExactSizeIterator {
        self.frames.iter()
    }

    /// `value` of each frame, oldest first: a series for sparklines and rules.
    pub fn series(&self, value: impl Fn(&Frame) -> u64) -> Vec<u64> {
        self.frames.iter().map(value).collect()
    }
}
