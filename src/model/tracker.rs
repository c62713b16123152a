//! Per-socket age tracking by socket cookie: when sockscope first saw each
//! socket, and the earliest start of its current state the kernel proved
//! (from `tcp_info`, which the collector takes once per CLOSE_WAIT socket),
//! for the drill-down's "seen for" column and the CLOSE_WAIT leak rule.
//! Entries leave with their socket, so memory follows the live set.
//!
//! One map is updated in place each cycle: every entry seen is stamped with
//! the cycle's generation, and entries with an old stamp (closed sockets)
//! are dropped only when some socket went away. Cookies are unique kernel
//! counters, so the cheap Fx hash is enough.

use std::collections::hash_map::Entry;
use std::sync::{Arc, Weak};

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use jiff::SignedDuration;

use super::kernel_ages::{SocketAge, kernel_age_ms, socket_age};
use super::snapshot::{Snapshot, TcpSocket, TcpState};

/// One tracked socket: 24 bytes (32 with its cookie in the map), since the
/// map holds one per socket (a million at the largest scale). Times are
/// nanoseconds since the Unix epoch (see [`nanos`]).
#[derive(Clone, Copy, Debug)]
struct Seen {
    at: i64,
    /// The kernel proved the socket in its state since at least then;
    /// [`NOT_PROVEN`] when it did not.
    proven: i64,
    generation: u32,
    state: TcpState,
}

/// A generation no stamp uses ("no kept states").
const NO_GENERATION: u32 = 0;

/// `Seen::proven` of a socket the kernel proved nothing about.
const NOT_PROVEN: i64 = i64::MIN;

/// `t` in nanoseconds since the Unix epoch: exact from 1677 to 2262, and
/// clamped there (only a made-up recording goes beyond).
fn nanos(t: Timestamp) -> i64 {
    t.as_nanosecond()
        .clamp(i128::from(i64::MIN + 1), i128::from(i64::MAX)) as i64
}

/// The timestamp of [`nanos`] `n`.
fn timestamp(n: i64) -> Timestamp {
    Timestamp::from_nanosecond(i128::from(n)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// [`proven_start`] as stored in [`Seen::proven`].
fn proven_nanos(snapshot: &Snapshot, sock: &TcpSocket) -> i64 {
    proven_start(snapshot, sock).map_or(NOT_PROVEN, nanos)
}

/// When the kernel proves `sock` entered its state at the latest, from the
/// snapshot's `tcp_info` times (`None` without them).
fn proven_start(snapshot: &Snapshot, sock: &TcpSocket) -> Option<Timestamp> {
    if !matches!(sock.state, TcpState::CloseWait | TcpState::Established) {
        return None;
    }
    let ms = kernel_age_ms(sock, snapshot.times_of(sock.cookie)?)?;
    snapshot
        .taken_at
        .checked_sub(SignedDuration::from_millis(ms.min(i64::MAX as u64) as i64))
        .ok()
}

/// First-seen times of the sockets in the latest snapshot.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    seen: FxHashMap<u64, Seen>,
    generation: u32,
    /// The kept states (the shared part of the snapshots' socket lists)
    /// the map was last stamped with.
    states: Option<StampedStates>,
}

/// A shared socket list whose sockets all carry one generation.
#[derive(Clone, Debug)]
struct StampedStates {
    /// The list itself, held weakly: its address stays unique while this
    /// lives, and its sockets are freed with their last snapshot.
    list: Weak<Vec<TcpSocket>>,
    /// The generation its sockets were stamped with.
    generation: u32,
    /// How many of them the map holds.
    live: usize,
}

impl Tracker {
    /// Records `snapshot`: sockets seen for the first time (or seen in a new
    /// state) start their clock at `snapshot.taken_at`, and keep the
    /// earliest start the kernel proves while in that state; sockets gone
    /// are forgotten. Sockets with cookie 0 are not tracked.
    ///
    /// A snapshot that shares its kept states with the last one recorded
    /// (a round that read only the queues) has only its own sockets looked
    /// at: the kept ones are the same sockets in the same states, and the
    /// start the kernel proves for them cannot be earlier than the one
    /// kept (their `tcp_info` times grow with the snapshot's time).
    pub fn update(&mut self, snapshot: &Snapshot) {
        let (own, shared) = snapshot.tcp.parts();
        let same_states = match (shared, &self.states) {
            (Some(list), Some(stamped)) => std::ptr::eq(Arc::as_ptr(list), stamped.list.as_ptr()),
            _ => false,
        };
        let mut live = 0;
        if !same_states {
            self.states = None;
            if let Some(list) = shared {
                let generation = self.next_generation();
                let live = self.stamp(snapshot, list, generation);
                self.states = Some(StampedStates {
                    list: Arc::downgrade(list),
                    generation,
                    live,
                });
            }
        }
        let generation = self.next_generation();
        live += self.stamp(snapshot, own, generation);
        let kept = self.states.as_ref().map_or(NO_GENERATION, |s| s.generation);
        live += self.states.as_ref().map_or(0, |s| s.live);
        if live < self.seen.len() {
            self.seen
                .retain(|_, e| e.generation == generation || e.generation == kept);
        }
        if self.seen.capacity() > 4 * self.seen.len().max(1024) {
            self.seen.shrink_to(2 * self.seen.len());
        }
    }

    /// A generation for the next stamp, never [`NO_GENERATION`].
    fn next_generation(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == NO_GENERATION {
            self.generation = 1;
        }
        self.generation
    }

    /// Stamps `sockets` (of `snapshot`) with `generation`, adding those new
    /// or in a new state; returns how many distinct tracked sockets it
    /// stamped.
    fn stamp(&mut self, snapshot: &Snapshot, sockets: &[TcpSocket], generation: u32) -> usize {
        let at = nanos(snapshot.taken_at);
        let mut live = 0;
        for s in sockets {
            if s.cookie == 0 {
                continue;
            }
            match self.seen.entry(s.cookie) {
                Entry::Vacant(v) => {
                    v.insert(Seen {
                        at,
                        proven: proven_nanos(snapshot, s),
                        state: s.state,
                        generation,
                    });
                    live += 1;
                }
                Entry::Occupied(o) => {
                    let e = o.into_mut();
                    if e.generation == generation {
                        continue;
                    }
                    live += 1;
                    e.generation = generation;
                    if e.state != s.state {
                        e.state = s.state;
                        e.at = at;
                        e.proven = proven_nanos(snapshot, s);
                    } else if let Some(p) = proven_start(snapshot, s) {
                        let p = nanos(p);
                        e.proven = if e.proven == NOT_PROVEN {
                            p
                        } else {
                            e.proven.min(p)
                        };
                    }
                }
            }
        }
        live
    }

    /// When the socket with `cookie` was first seen in its current state.
    pub fn first_seen(&self, cookie: u64) -> Option<Timestamp> {
        self.seen.get(&cookie).map(|e| timestamp(e.at))
    }

    /// The age of `sock` (a socket of `snapshot`) at the snapshot's time:
    /// the larger of the kernel's proof (this snapshot's `tcp_times`, or the
    /// start proven by an earlier one while in the same state) and how long
    /// it has been seen in its state (first sightings after the snapshot,
    /// as when an older frame is shown, do not count).
    pub fn age_of(&self, snapshot: &Snapshot, sock: &TcpSocket) -> Option<SocketAge> {
        let now = snapshot.taken_at;
        let entry = self.seen.get(&sock.cookie).filter(|e| e.at <= nanos(now));
        let seen = entry.map(|e| timestamp(e.at));
        let since = |t: i64| (i128::from(nanos(now)) - i128::from(t)).max(0) as u64 / 1_000_000;
        let kept = entry
            .map(|e| e.proven)
            .filter(|&p| p != NOT_PROVEN)
            .map(since);
        let here = snapshot
            .times_of(sock.cookie)
            .and_then(|t| kernel_age_ms(sock, t));
        socket_age(kept.max(here), seen, now)
    }

    /// Entries the tracker can hold before it reallocates: stays bounded
    /// by the live set, however many sockets come and go.
    pub fn capacity(&self) -> usize {
        self.seen.capacity()
    }

    /// Heap bytes of the map (its capacity: entries, cookies and hashbrown's
    /// control bytes), for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.seen.capacity() * (std::mem::size_of::<(u64, Seen)>() + 1)
    }

    /// Number of sockets tracked.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rounds over kept states: shared lists (`A` twice, then `B`, a new
    /// dump) under changing listeners, each also given as one flat list.
    #[test]
    fn rounds_keeping_the_states_track_what_flat_lists_track() {
        use crate::model::TcpList;
        use crate::model::fixtures::{listen, snapshot, sock};
        let est = |c: u64| sock(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5000", c);
        let a = Arc::new(vec![est(10), est(11), est(12)]);
        let mut closing = est(11);
        closing.state = TcpState::CloseWait;
        let b = Arc::new(vec![est(10), closing, est(13)]);
        let rounds = [
            (
                0,
                vec![
                    listen("127.0.0.1:80", 0, 8, 1),
                    listen("127.0.0.1:81", 0, 8, 2),
                ],
                &a,
            ),
            (1, vec![listen("127.0.0.1:80", 0, 8, 1)], &a),
            (
                2,
                vec![
                    listen("127.0.0.1:80", 0, 8, 1),
                    listen("127.0.0.1:82", 0, 8, 3),
                ],
                &a,
            ),
            (3, vec![listen("127.0.0.1:80", 0, 8, 1)], &b),
            (4, vec![listen("127.0.0.1:80", 0, 8, 1)], &b),
        ];
        let (mut kept, mut flat) = (Tracker::default(), Tracker::default());
        for (s, own, states) in rounds {
            let mut snap = snapshot(&format!("2026-12-01T00:00:0{s}Z"), vec![]);
            snap.tcp = TcpList::with_shared(own.clone(), Arc::clone(states));
            kept.update(&snap);
            snap.tcp = own.into_iter().chain(states.iter().cloned()).collect();
            flat.update(&snap);
            let seen = |t: &Tracker| {
                let mut v: Vec<(u64, i64, TcpState)> =
                    t.seen.iter().map(|(c, e)| (*c, e.at, e.state)).collect();
                v.sort_unstable();
                v
            };
            assert_eq!(seen(&kept), seen(&flat), "round {s}");
        }
        let at = |s: &str| s.parse::<Timestamp>().ok();
        assert_eq!(kept.first_seen(2), None, ":81 closed in round 1");
        assert_eq!(kept.first_seen(3), None, ":82 closed in round 3");
        assert_eq!(kept.first_seen(1), at("2026-12-01T00:00:00Z"));
        assert_eq!(
            kept.first_seen(11),
            at("2026-12-01T00:00:03Z"),
            "CLOSE_WAIT since B"
        );
        assert_eq!(kept.first_seen(12), None, "gone with B");
        assert_eq!(kept.first_seen(10), at("2026-12-01T00:00:00Z"));
    }

    #[test]
    fn an_entry_is_32_bytes_with_its_cookie() {
        assert_eq!(std::mem::size_of::<(u64, Seen)>(), 32);
    }

    #[test]
    fn times_are_kept_to_the_nanosecond_and_clamped_beyond_i64() {
        let t: Timestamp = "2026-11-24T00:00:05.123456789Z".parse().unwrap();
        assert_eq!(timestamp(nanos(t)), t);
        assert_eq!(nanos(Timestamp::MAX), i64::MAX);
        assert_eq!(nanos(Timestamp::MIN), i64::MIN + 1, "never NOT_PROVEN");
    }
}
