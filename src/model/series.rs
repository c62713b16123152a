//! Per-listener series: the few figures of each listener that the drill-down
//! charts and the alert rules read over time, one compact point per sample,
//! keyed like [`ListenerKey`] (namespace label, then address). Reading a
//! listener's past is a walk down its own points instead of a lookup in
//! every kept frame's aggregate.

use std::collections::VecDeque;
use std::net::SocketAddr;

use rustc_hash::FxHashMap;

use super::aggregate::{Aggregate, Listener};
use super::keys::ListenerKey;
use super::snapshot::{Snapshot, TcpState};

/// One listener at one sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ListenerPoint {
    /// Sequence number of the sample in its history (see [`ListenerSeries`]).
    pub seq: u64,
    /// Sum of the members' accept queues (Recv-Q of LISTEN), connections.
    pub accept_queue: u32,
    /// Accept-queue fill of the fullest member, 0.0 to 1.0 and above
    /// ([`Listener::fill`]).
    pub fill: f64,
    /// Members at or over their backlog ([`Listener::full_members`]).
    pub full_members: u32,
    /// Sum of the members' `sk_drops` ([`Listener::drops`]); `None` without drop data.
    pub drops: Option<u64>,
    /// Attributed sockets in SYN_RECV.
    pub syn_recv: u32,
    /// Attributed sockets in ESTABLISHED.
    pub established: u32,
    /// Attributed sockets in TIME_WAIT.
    pub time_wait: u32,
    /// Attributed sockets in CLOSE_WAIT.
    pub close_wait: u32,
}

fn narrow(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl ListenerPoint {
    /// The point of `l` at sample `seq`.
    pub fn of(seq: u64, l: &Listener) -> ListenerPoint {
        ListenerPoint {
            seq,
            accept_queue: narrow(l.accept_queue),
            fill: l.fill(),
            full_members: narrow(l.full_members() as u64),
            drops: l.drops(),
            syn_recv: narrow(l.states[TcpState::SynRecv]),
            established: narrow(l.states[TcpState::Established]),
            time_wait: narrow(l.states[TcpState::TimeWait]),
            close_wait: narrow(l.states[TcpState::CloseWait]),
        }
    }
}

/// One listener's points, oldest first, only at the samples where it existed.
#[derive(Clone, Debug, Default)]
pub struct ListenerTrack {
    points: VecDeque<ListenerPoint>,
}

impl ListenerTrack {
    /// Every point, oldest first.
    pub fn points(&self) -> impl DoubleEndedIterator<Item = &ListenerPoint> + ExactSizeIterator {
        self.points.iter()
    }

    /// The point at sample `seq`, if the listener existed then.
    pub fn at(&self, seq: u64) -> Option<&ListenerPoint> {
        let i = self.points.binary_search_by_key(&seq, |p| p.seq).ok()?;
        self.points.get(i)
    }

    /// The unbroken run of points ending at sample `newest` (the listener
    /// present at every sample of it), newest first.
    pub fn run_back_from(&self, newest: u64) -> impl Iterator<Item = &ListenerPoint> {
        let end = self.points.partition_point(|p| p.seq <= newest);
        self.points
            .range(..end)
            .rev()
            .zip((0..=newest).rev())
            .take_while(|(p, want)| p.seq == *want)
            .map(|(p, _)| p)
    }
}

/// The series of every listener in a history, by namespace label then
/// address. Samples are numbered by the history, one more per pushed
/// frame; points older than the history's oldest frame are dropped with it.
#[derive(Clone, Debug, Default)]
pub struct ListenerSeries {
    by_netns: FxHashMap<String, FxHashMap<SocketAddr, ListenerTrack>>,
}

impl ListenerSeries {
    /// Appends the point of every listener of a frame taken as sample `seq`.
    pub fn push(&mut self, seq: u64, snapshot: &Snapshot, agg: &Aggregate) {
        for l in &agg.listeners {
            let label = snapshot.part_label(usize::from(l.netns));
            let tracks = match self.by_netns.get_mut(label) {
                Some(t) => t,
                None => self.by_netns.entry(label.to_owned()).or_default(),
            };
            let track = tracks.entry(l.local).or_default();
            track.points.push_back(ListenerPoint::of(seq, l));
        }
    }

    /// Drops the points of samples before `oldest`, and the listeners left
    /// without any.
    pub fn evict_before(&mut self, oldest: u64) {
        self.by_netns.retain(|_, tracks| {
            tracks.retain(|_, t| {
                while t.points.front().is_some_and(|p| p.seq < oldest) {
                    t.points.pop_front();
                }
                if t.points.capacity() > 4 * t.points.len().max(16) {
                    t.points.shrink_to(2 * t.points.len());
                }
                !t.points.is_empty()
            });
            !tracks.is_empty()
        });
    }

    /// The track of the listener `local` in the namespace labelled `netns`.
    pub fn get(&self, netns: &str, local: SocketAddr) -> Option<&ListenerTrack> {
        self.by_netns.get(netns)?.get(&local)
    }

    /// The track of the listener `key` names.
    pub fn of_key(&self, key: &ListenerKey) -> Option<&ListenerTrack> {
        self.get(&key.netns, key.local)
    }

    /// Number of listeners with at least one point.
    pub fn len(&self) -> usize {
        self.by_netns.values().map(FxHashMap::len).sum()
    }

    /// True when no listener has a point.
    pub fn is_empty(&self) -> bool {
        self.by_netns.is_empty()
    }

    /// Points kept in all, over every listener.
    pub fn points(&self) -> usize {
        self.by_netns
            .values()
            .flat_map(FxHashMap::values)
            .map(|t| t.points.len())
            .sum()
    }
}
