//! The kept past: a bounded ring of frames, for time travel, sparklines and
//! the rules that look back.
//!
//! Every frame keeps its aggregate's rows (listeners, remotes, totals,
//! counters), so a paused screen shows any kept sample as it was. Only the
//! newest frames keep their per-socket detail (the socket list, each
//! socket's owners and kernel ages, UNIX clients), up to a budget of
//! sockets: per-socket detail is what grew with the load, so memory stays
//! bounded at 100k+ sockets. Alongside the frames, [`ListenerSeries`] keeps
//! each listener's charted and judged figures as one compact point per
//! sample, which the charts and rules read instead of every frame.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use super::aggregate::Aggregate;
use super::alerts::AlertSet;
use super::keys::ListenerKey;
use super::owner_list::OwnerList;
use super::series::{ListenerPoint, ListenerSeries};
use super::snapshot::Snapshot;
use super::socket_owners::SocketOwners;
use super::tcp_list::TcpList;

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
    /// Whether the per-socket detail was dropped ([`Frame::has_sockets`]).
    stripped: bool,
}

impl Frame {
    /// Builds the frame of `snapshot`.
    pub fn new(snapshot: Snapshot) -> Frame {
        let agg = Aggregate::build(&snapshot);
        Frame::with_aggregate(snapshot, agg)
    }

    /// The frame of `snapshot` with its aggregate built already, no alerts.
    pub fn with_aggregate(snapshot: Snapshot, agg: Aggregate) -> Frame {
        Frame {
            snapshot: Arc::new(snapshot),
            agg: Arc::new(agg),
            alerts: Arc::new(AlertSet::default()),
            stripped: false,
        }
    }

    /// Whether the per-socket detail (socket list, socket owners and ages,
    /// UNIX clients) is still kept for this frame.
    pub fn has_sockets(&self) -> bool {
        !self.stripped && self.snapshot.tcp.len() as u64 == self.snapshot.collector.sockets
    }

    /// Drops the per-socket detail: the socket list, each socket's owners
    /// (`processes.sockets`; the rows keep theirs) and kernel ages, the
    /// UNIX clients, and the aggregate's connection index. In place when no
    /// one else holds this frame (the usual case), else in a copy. Returns
    /// the socket list taken out.
    fn strip_sockets(&mut self) -> Option<TcpList> {
        if self.stripped {
            return None;
        }
        self.stripped = true;
        let snapshot = Arc::make_mut(&mut self.snapshot);
        let tcp = std::mem::take(&mut snapshot.tcp);
        snapshot.processes.sockets = SocketOwners::default();
        snapshot.tcp_times = Vec::new();
        snapshot.unix_peers = Vec::new();
        let agg = Arc::make_mut(&mut self.agg);
        agg.owners = OwnerList::default();
        agg.conn_offsets = Vec::new();
        agg.conn_index = Vec::new();
        tcp.has_storage().then_some(tcp)
    }
}

/// A bounded ring of frames, oldest first, and the listeners' series.
/// Frames are numbered in push order (the sequence numbers of
/// [`ListenerPoint::seq`]): the oldest kept frame is `first_seq`.
#[derive(Clone, Debug)]
pub struct History {
    frames: VecDeque<Frame>,
    first_seq: u64,
    listeners: ListenerSeries,
    span: Duration,
    socket_budget: usize,
    spare: Option<TcpList>,
}

impl History {
    /// Keeps frames no older than `span` before the newest, and per-socket
    /// lists for the newest frames up to `socket_budget` sockets in all
    /// (the newest frame always keeps its own).
    pub fn new(span: Duration, socket_budget: usize) -> History {
        History {
            frames: VecDeque::new(),
            first_seq: 0,
            listeners: ListenerSeries::default(),
            span,
            socket_budget,
            spare: None,
        }
    }

    /// Appends a frame and evicts what falls out of the span or the budget.
    pub fn push(&mut self, frame: Frame) {
        let newest = frame.snapshot.taken_at;
        let seq = self.first_seq + self.frames.len() as u64;
        self.listeners.push(seq, &frame.snapshot, &frame.agg);
        self.frames.push_back(frame);
        let span = jiff::SignedDuration::try_from(self.span).unwrap_or(jiff::SignedDuration::MAX);
        let mut evicted = false;
        while let Some(front) = self.frames.front() {
            let age = newest.duration_since(front.snapshot.taken_at);
            if age > span && self.frames.len() > 1 {
                self.frames.pop_front();
                self.first_seq += 1;
                evicted = true;
            } else {
                break;
            }
        }
        if evicted {
            self.listeners.evict_before(self.first_seq);
        }
        let mut kept = 0usize;
        for (i, f) in self.frames.iter_mut().rev().enumerate() {
            if f.stripped {
                // Older frames were stripped before this one.
                break;
            }
            kept += f.snapshot.tcp.len();
            if i > 0
                && kept > self.socket_budget
                && let Some(tcp) = f.strip_sockets()
            {
                self.spare = Some(tcp);
            }
        }
    }

    /// The socket list a push last stripped from an older frame: a
    /// collector can fill its own part again instead of allocating (and
    /// page-faulting in) a new one every sample, and take back its shared
    /// part once no one else holds it.
    pub fn take_spare(&mut self) -> Option<TcpList> {
        self.spare.take()
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

    /// Every listener's series.
    pub fn listeners(&self) -> &ListenerSeries {
        &self.listeners
    }

    /// Sequence number of the frame `back` steps before the newest.
    pub fn seq_back(&self, back: usize) -> Option<u64> {
        let i = self.frames.len().checked_sub(back + 1)?;
        Some(self.first_seq + i as u64)
    }

    /// The frame with sequence number `seq`, while it is kept.
    pub fn at_seq(&self, seq: u64) -> Option<&Frame> {
        let i = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.frames.get(i)
    }

    /// `value` of listener `key` at each frame from the oldest to the one
    /// `back` steps before the newest, 0 where the listener did not exist:
    /// a drill-down chart.
    pub fn listener_series(
        &self,
        key: &ListenerKey,
        back: usize,
        value: impl Fn(&ListenerPoint) -> u64,
    ) -> Vec<u64> {
        let Some(last) = self.seq_back(back) else {
            return Vec::new();
        };
        let mut out = vec![0; (last + 1 - self.first_seq) as usize];
        if let Some(track) = self.listeners.of_key(key) {
            for p in track.points().take_while(|p| p.seq <= last) {
                out[(p.seq - self.first_seq) as usize] = value(p);
            }
        }
        out
    }
}
