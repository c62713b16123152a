//! Per-socket age tracking by socket cookie: when sockscope first saw each
//! socket, and the earliest start of its current state the kernel proved
//! (from `tcp_info`, which the collector takes once per CLOSE_WAIT socket),
//! for the drill-down's "seen for" column and the CLOSE_WAIT leak rule.
//! Entries leave with their socket, so memory follows the live set.
//!
//! The tracker mirrors a snapshot's two parts ([`TcpList`](super::TcpList)):
//! the kept states (the shared list of the last state dump) and the round's
//! own sockets. Each part is a list of entries sorted by cookie, 12 bytes
//! each (the cookie and a [`Mark`]: the state and the round time it was first
//! seen in), rebuilt in one radix sort and one linear walk when its part
//! changes: the kept part once per state dump, the own part every round. A
//! lookup tries the own part first: it was stamped last. The few proven
//! starts sit in a side list per part, the round times in one table that is
//! compacted as it grows. Between state dumps a round costs O(own sockets).

use std::sync::{Arc, Weak};

use jiff::SignedDuration;
use jiff::Timestamp;

use super::kernel_ages::{SocketAge, kernel_age_ms, socket_age};
use super::snapshot::{Snapshot, TcpSocket, TcpState};

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

/// An entry's state ([`TcpState::index`], the low 4 bits) and the index in
/// the round-time table of when it was first seen in it (the other 28
/// bits: the table holds at most twice the live entries plus 64, see
/// [`RoundTimes::compact`], so 2^28 would take 2^27 tracked sockets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mark(u32);

impl Mark {
    fn new(state: TcpState, at: u32) -> Mark {
        Mark(at.min(u32::MAX >> 4) << 4 | state.index() as u32)
    }

    fn state(self) -> TcpState {
        TcpState::ALL[(self.0 & 15) as usize]
    }

    fn at(self) -> usize {
        (self.0 >> 4) as usize
    }

    fn with_at(self, at: u32) -> Mark {
        Mark::new(self.state(), at)
    }
}

/// A tracked entry as looked up: its mark and the start the kernel proved.
type Entry = (Mark, Option<i64>);

/// A proven start: `(cookie, nanoseconds)`, the kernel proved the socket in
/// its state since at least then.
type Proof = (u64, i64);

/// The tracked sockets of one part, sorted by cookie.
#[derive(Clone, Debug, Default)]
struct Entries {
    cookies: Vec<u64>,
    /// At the same index as `cookies`.
    marks: Vec<Mark>,
    /// The entries' proven starts, sorted by cookie; only the entries the
    /// kernel proved.
    proven: Vec<Proof>,
}

impl Entries {
    fn len(&self) -> usize {
        self.cookies.len()
    }

    fn heap_bytes(&self) -> usize {
        self.cookies.capacity() * size_of::<u64>()
            + self.marks.capacity() * size_of::<Mark>()
            + self.proven.capacity() * size_of::<Proof>()
    }

    fn position(&self, cookie: u64) -> Option<usize> {
        self.cookies.binary_search(&cookie).ok()
    }

    fn get(&self, cookie: u64) -> Option<Entry> {
        let i = self.position(cookie)?;
        Some((self.marks[i], self.proven_of(cookie)))
    }

    fn proven_of(&self, cookie: u64) -> Option<i64> {
        let i = self.proven.binary_search_by_key(&cookie, |p| p.0).ok()?;
        Some(self.proven[i].1)
    }

    /// Replaces the entry at `i` (of `cookie`).
    fn set(&mut self, i: usize, cookie: u64, (mark, proven): Entry) {
        self.marks[i] = mark;
        let at = self.proven.binary_search_by_key(&cookie, |p| p.0);
        match (at, proven) {
            (Ok(j), Some(p)) => self.proven[j].1 = p,
            (Ok(j), None) => {
                self.proven.remove(j);
            }
            (Err(j), Some(p)) => self.proven.insert(j, (cookie, p)),
            (Err(_), None) => {}
        }
    }
}

/// How many of `sorted`'s first items are `below` (which holds for a
/// prefix): found by galloping, so that a walk of ascending lookups costs
/// O(1) per step through a dense list and O(log gap) across a sparse one.
fn gallop<T>(sorted: &[T], below: impl Fn(&T) -> bool) -> usize {
    let (mut lo, mut step) = (0, 1);
    while lo + step <= sorted.len() && below(&sorted[lo + step - 1]) {
        lo += step;
        step *= 2;
    }
    let end = (lo + step).min(sorted.len());
    lo + sorted[lo..end].partition_point(below)
}

/// Ascending lookups in [`Entries`], each starting where the last ended.
struct Reader<'a> {
    entries: &'a Entries,
    at: usize,
    proven_at: usize,
}

impl<'a> Reader<'a> {
    fn new(entries: &'a Entries) -> Reader<'a> {
        Reader {
            entries,
            at: 0,
            proven_at: 0,
        }
    }

    /// The entry of `cookie`; cookies asked must not decrease.
    fn get(&mut self, cookie: u64) -> Option<Entry> {
        let e = self.entries;
        self.at += gallop(&e.cookies[self.at..], |&c| c < cookie);
        if e.cookies.get(self.at) != Some(&cookie) {
            return None;
        }
        self.proven_at += gallop(&e.proven[self.proven_at..], |p| p.0 < cookie);
        let proven = e.proven.get(self.proven_at).filter(|p| p.0 == cookie);
        Some((e.marks[self.at], proven.map(|p| p.1)))
    }
}

/// The round times entries point to ([`Mark`]), nanoseconds since the
/// Unix epoch (see [`nanos`]).
#[derive(Clone, Debug, Default)]
struct RoundTimes {
    times: Vec<i64>,
    /// Its length after the last compaction.
    compacted: usize,
}

impl RoundTimes {
    /// The index of time `t`, added unless it is the newest.
    fn stamp(&mut self, t: i64) -> u32 {
        if self.times.last() != Some(&t) {
            self.times.push(t);
        }
        (self.times.len() - 1) as u32
    }

    /// Once the table has more than doubled (plus 64) since the last
    /// compaction, keeps only the times `parts` point to and renumbers
    /// their marks: at most twice the live entries plus 64 are held, and
    /// a round adds at most one.
    fn compact(&mut self, parts: [&mut Entries; 2]) {
        if self.times.len() <= 2 * self.compacted + 64 {
            return;
        }
        let mut renumber = vec![u32::MAX; self.times.len()];
        let mut kept = Vec::new();
        for part in parts {
            for m in &mut part.marks {
                let old = m.at();
                if renumber[old] == u32::MAX {
                    renumber[old] = kept.len() as u32;
                    kept.push(self.times[old]);
                }
                *m = m.with_at(renumber[old]);
            }
        }
        self.times = kept;
        self.compacted = self.times.len();
    }
}

/// Tag bits of a sorted socket: its state's index and whether the kernel
/// proved a start ([`PROVEN`]).
type Tag = u8;

/// The [`Tag`] bit of a socket with a proven start.
const PROVEN: Tag = 16;

/// The sockets of one part (cookie 0 left out) sorted by cookie, each with
/// its [`Tag`] (equal cookies in list order: the first one counts), and
/// the proven starts sorted alike.
fn sorted(snapshot: &Snapshot, sockets: &[TcpSocket]) -> (Vec<(u64, Tag)>, Vec<Proof>) {
    let mut items = Vec::with_capacity(sockets.len());
    let mut proofs = Vec::new();
    for s in sockets.iter().filter(|s| s.cookie != 0) {
        let mut tag = s.state.index() as Tag;
        if let Some(p) = proven_start(snapshot, s) {
            proofs.push((s.cookie, nanos(p)));
            tag |= PROVEN;
        }
        items.push((s.cookie, tag));
    }
    radsort::sort_by_key(&mut items, |i| i.0);
    radsort::sort_by_key(&mut proofs, |p| p.0);
    (items, proofs)
}

/// The entry of a socket now in `state`, with the start the kernel proves
/// now (`proof`), that was `before`: in the same state it keeps its time
/// and the earlier proof; otherwise its clock starts at `now`.
fn restamp(
    before: Option<Entry>,
    state: TcpState,
    proof: Option<i64>,
    times: &mut RoundTimes,
    now: i64,
) -> Entry {
    match before {
        Some((mark, proven)) if mark.state() == state => {
            let earlier = match (proven, proof) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            (mark, earlier)
        }
        _ => (Mark::new(state, times.stamp(now)), proof),
    }
}

/// First-seen times of the sockets in the latest snapshot.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    /// The sockets of the kept states (the shared part of the snapshots'
    /// socket lists), as of the round that brought that list.
    kept: Entries,
    /// The latest round's own sockets, stamped after `kept`: where a cookie
    /// is in both, this entry counts.
    own: Entries,
    /// How many cookies are in both parts.
    both: usize,
    times: RoundTimes,
    /// The shared list `kept` was built from (`None`: from no list, so
    /// `kept` is empty), held weakly: its address stays unique while this
    /// lives, and its sockets are freed with their last snapshot.
    states: Option<Weak<Vec<TcpSocket>>>,
}

impl Tracker {
    /// Records `snapshot`: sockets seen for the first time (or seen in a new
    /// state) start their clock at `snapshot.taken_at`, and keep the
    /// earliest start the kernel proves while in that state; sockets gone
    /// are forgotten. Sockets with cookie 0 are not tracked; of a cookie
    /// listed twice the first socket counts.
    ///
    /// A snapshot that shares its kept states with the last one recorded
    /// (a round that read only the queues) has only its own sockets looked
    /// at: the kept ones are the same sockets in the same states, and the
    /// start the kernel proves for them cannot be earlier than the one
    /// kept (their `tcp_info` times grow with the snapshot's time).
    pub fn update(&mut self, snapshot: &Snapshot) {
        let (own, shared) = snapshot.tcp.parts();
        let now = nanos(snapshot.taken_at);
        let same_states = match (shared, &self.states) {
            (Some(list), Some(stamped)) => std::ptr::eq(Arc::as_ptr(list), stamped.as_ptr()),
            (None, None) => true,
            _ => false,
        };
        let new_own = self.entries(snapshot, own, now);
        if !same_states {
            let list = shared.map_or(&[][..], |l| l.as_slice());
            self.kept = self.entries(snapshot, list, now);
            self.states = shared.map(Arc::downgrade);
        } else if let Some(list) = shared {
            self.restore_unshadowed(snapshot, list, &new_own, now);
        }
        self.own = new_own;
        let mut kept = Reader::new(&self.kept);
        self.both = self
            .own
            .cookies
            .iter()
            .filter(|&&c| kept.get(c).is_some())
            .count();
        self.times.compact([&mut self.kept, &mut self.own]);
    }

    /// The entries of `sockets` (of `snapshot`), each restamped from the
    /// tracker's entry before this round (own part first).
    fn entries(&mut self, snapshot: &Snapshot, sockets: &[TcpSocket], now: i64) -> Entries {
        let (items, proofs) = sorted(snapshot, sockets);
        let mut out = Entries {
            cookies: Vec::with_capacity(items.len()),
            marks: Vec::with_capacity(items.len()),
            proven: Vec::with_capacity(proofs.len()),
        };
        let (mut own, mut kept) = (Reader::new(&self.own), Reader::new(&self.kept));
        let mut p = 0;
        for (i, &(cookie, tag)) in items.iter().enumerate() {
            if i > 0 && items[i - 1].0 == cookie {
                continue;
            }
            let state = TcpState::ALL[usize::from(tag & (PROVEN - 1))];
            let proof = (tag & PROVEN != 0).then(|| {
                p += gallop(&proofs[p..], |q| q.0 < cookie);
                proofs[p].1
            });
            let before = own.get(cookie).or_else(|| kept.get(cookie));
            let (mark, proven) = restamp(before, state, proof, &mut self.times, now);
            out.cookies.push(cookie);
            out.marks.push(mark);
            if let Some(p) = proven {
                out.proven.push((cookie, p));
            }
        }
        out
    }

    /// In a round that keeps the states: a kept socket that was in the last
    /// round's own part but is not in this one's counts again with its kept
    /// state, restamped from the own entry it had (as a flat list of the
    /// round would have it). Needs the kept list only when there is one.
    fn restore_unshadowed(
        &mut self,
        snapshot: &Snapshot,
        list: &[TcpSocket],
        new_own: &Entries,
        now: i64,
    ) {
        let (mut still, mut kept) = (Reader::new(new_own), Reader::new(&self.kept));
        let back: Vec<u64> = (self.own.cookies.iter().copied())
            .filter(|&c| still.get(c).is_none() && kept.get(c).is_some())
            .collect();
        if back.is_empty() {
            return;
        }
        let mut done = vec![false; back.len()];
        for s in list {
            let Ok(b) = back.binary_search(&s.cookie) else {
                continue;
            };
            if std::mem::replace(&mut done[b], true) {
                continue;
            }
            let proof = proven_start(snapshot, s).map(nanos);
            let entry = restamp(self.own.get(s.cookie), s.state, proof, &mut self.times, now);
            if let Some(i) = self.kept.position(s.cookie) {
                self.kept.set(i, s.cookie, entry);
            }
        }
    }

    /// The entry of `cookie`: the own part's, else the kept part's.
    fn entry(&self, cookie: u64) -> Option<Entry> {
        self.own.get(cookie).or_else(|| self.kept.get(cookie))
    }

    /// When the socket with `cookie` was first seen in its current state.
    pub fn first_seen(&self, cookie: u64) -> Option<Timestamp> {
        let (mark, _) = self.entry(cookie)?;
        Some(timestamp(self.times.times[mark.at()]))
    }

    /// The age of `sock` (a socket of `snapshot`) at the snapshot's time:
    /// the larger of the kernel's proof (this snapshot's `tcp_times`, or the
    /// start proven by an earlier one while in the same state) and how long
    /// it has been seen in its state (first sightings after the snapshot,
    /// as when an older frame is shown, do not count).
    pub fn age_of(&self, snapshot: &Snapshot, sock: &TcpSocket) -> Option<SocketAge> {
        let now = nanos(snapshot.taken_at);
        let entry = self
            .entry(sock.cookie)
            .map(|(mark, proven)| (self.times.times[mark.at()], proven))
            .filter(|&(at, _)| at <= now);
        let seen = entry.map(|(at, _)| timestamp(at));
        let since = |t: i64| (i128::from(now) - i128::from(t)).max(0) as u64 / 1_000_000;
        let kept = entry.and_then(|(_, proven)| proven).map(since);
        let here = snapshot
            .times_of(sock.cookie)
            .and_then(|t| kernel_age_ms(sock, t));
        socket_age(kept.max(here), seen, snapshot.taken_at)
    }

    /// Entries the tracker can hold before it reallocates: stays bounded
    /// by the live set, however many sockets come and go.
    pub fn capacity(&self) -> usize {
        self.kept.cookies.capacity() + self.own.cookies.capacity()
    }

    /// Heap bytes of the tracker (capacities: 12 bytes per entry of each
    /// part, 16 per proven start, 8 per round time), for the memory
    /// figures.
    pub fn heap_bytes(&self) -> usize {
        self.kept.heap_bytes() + self.own.heap_bytes() + self.times.times.capacity() * 8
    }

    /// Number of sockets tracked.
    pub fn len(&self) -> usize {
        self.kept.len() + self.own.len() - self.both
    }

    /// True when nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    /// Every tracked socket as `(cookie, first seen, state, proven)`, the
    /// own part's entry where a cookie is in both.
    fn seen(t: &Tracker) -> Vec<(u64, i64, TcpState, Option<i64>)> {
        let mut cookies: Vec<u64> = t
            .kept
            .cookies
            .iter()
            .chain(&t.own.cookies)
            .copied()
            .collect();
        cookies.sort_unstable();
        cookies.dedup();
        assert_eq!(cookies.len(), t.len());
        cookies
            .into_iter()
            .map(|c| {
                let (mark, proven) = t.entry(c).unwrap();
                (c, t.times.times[mark.at()], mark.state(), proven)
            })
            .collect()
    }

    /// The tracker's rule on flat lists, written plainly: what every round
    /// of the tests below must come out as.
    #[derive(Default)]
    struct Reference(std::collections::BTreeMap<u64, (i64, TcpState, Option<i64>)>);

    impl Reference {
        fn update(&mut self, snapshot: &Snapshot) {
            let mut next = std::collections::BTreeMap::new();
            let at = nanos(snapshot.taken_at);
            for s in snapshot.tcp.iter().filter(|s| s.cookie != 0) {
                if next.contains_key(&s.cookie) {
                    continue;
                }
                let proof = proven_start(snapshot, s).map(nanos);
                let entry = match self.0.get(&s.cookie) {
                    Some(&(seen, state, proven)) if state == s.state => {
                        let earlier = match (proven, proof) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                        (seen, state, earlier)
                    }
                    _ => (at, s.state, proof),
                };
                next.insert(s.cookie, entry);
            }
            self.0 = next;
        }

        fn seen(&self) -> Vec<(u64, i64, TcpState, Option<i64>)> {
            self.0.iter().map(|(&c, &(a, s, p))| (c, a, s, p)).collect()
        }
    }

    /// A socket that changes state between the kept list and the round's
    /// own part, leaves the own part while the kept list stays, comes back
    /// to it, and is then in a new dump; a socket that leaves and a new
    /// one with the next cookie; a cookie listed twice; kept states
    /// replaced by a flat list and back. Each round against the plain rule
    /// (the own part is listed first, so it counts).
    #[test]
    fn the_own_part_counts_over_the_kept_states_and_every_merge_keeps_the_rule() {
        use crate::model::fixtures::{listen, snapshot, sock};
        use crate::model::{TcpList, TcpTimes};
        let with = |state, c| sock(state, "127.0.0.1:80", "127.0.0.1:5000", c);
        let est = |c| with(TcpState::Established, c);
        let cw = |c| with(TcpState::CloseWait, c);
        let a = Arc::new(vec![est(20), est(21), cw(22), est(23), est(30)]);
        // B: 21 is now CLOSE_WAIT, 23 left and 24 is new, 30 is listed twice.
        let b = Arc::new(vec![est(20), cw(21), cw(22), est(24), est(30), cw(30)]);
        let l = |c| listen("127.0.0.1:81", 0, 8, c);
        let rounds = vec![
            (vec![l(1)], Some(&a)),
            // 21 seen in CLOSE_WAIT before any dump shows it.
            (vec![l(1), cw(21)], Some(&a)),
            (vec![l(1), cw(21)], Some(&a)),
            // 21 leaves the own part: A's ESTABLISHED counts again.
            (vec![l(1)], Some(&a)),
            (vec![l(1), cw(21), est(20)], Some(&a)),
            // B confirms 21 CLOSE_WAIT: its clock runs on.
            (vec![l(1)], Some(&b)),
            (vec![l(1), l(2)], Some(&b)),
            (vec![l(2), est(24)], None),
            (vec![l(2)], Some(&b)),
            (vec![], Some(&a)),
        ];
        let (mut tracker, mut reference) = (Tracker::default(), Reference::default());
        for (r, (own, states)) in rounds.into_iter().enumerate() {
            let mut snap = snapshot(&format!("2026-12-01T00:00:{r:02}Z"), vec![]);
            snap.tcp = match states {
                Some(list) => TcpList::with_shared(own, Arc::clone(list)),
                None => own.into(),
            };
            snap.tcp_times = [21, 22]
                .map(|cookie| TcpTimes {
                    cookie,
                    last_ack_recv_ms: Some(1000 * (10 - r as u32)),
                    ..TcpTimes::default()
                })
                .to_vec();
            tracker.update(&snap);
            reference.update(&snap);
            assert_eq!(seen(&tracker), reference.seen(), "round {r}");
        }
        let at = |s: u32| nanos(format!("2026-12-01T00:00:{s:02}Z").parse().unwrap());
        let (_, seen_21, state, _) = seen(&tracker)[1];
        assert_eq!((seen_21, state), (at(9), TcpState::Established), "A again");
    }

    /// A part's entries in cookie order, whatever the list's order, and
    /// exactly 12 bytes per entry (no rounding up): 8 of cookie, 4 of mark.
    #[test]
    fn entries_are_sorted_and_heap_bytes_are_their_capacities() {
        use crate::model::fixtures::{snapshot, sock};
        let tcp: Vec<TcpSocket> = (0..1000u64)
            .map(|i| {
                sock(
                    TcpState::TimeWait,
                    "10.0.0.1:1",
                    "10.0.0.2:2",
                    (i * 7919) % 1000 + 1,
                )
            })
            .collect();
        let mut t = Tracker::default();
        t.update(&snapshot("2026-12-01T00:00:00Z", tcp));
        assert!(t.own.cookies.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(t.len(), 1000);
        assert_eq!(t.own.cookies.capacity(), 1000);
        assert_eq!(t.heap_bytes(), 1000 * 12 + t.times.times.capacity() * 8);
        assert_eq!(size_of::<Mark>(), 4);
    }

    /// The round-time table keeps only times some entry points to once it
    /// has grown past twice that plus 64, and the entries keep their times.
    #[test]
    fn round_times_are_compacted_to_the_ones_entries_hold() {
        use crate::model::fixtures::{snapshot, sock};
        let mut t = Tracker::default();
        let tw = |c| sock(TcpState::TimeWait, "10.0.0.1:1", "10.0.0.2:2", c);
        for r in 0..200u64 {
            // Socket 1 stays from round 0; the other is new every round.
            let at = Timestamp::UNIX_EPOCH + SignedDuration::from_secs(1_000_000 + r as i64);
            let mut snap = snapshot("2026-12-01T00:00:00Z", vec![tw(1), tw(r + 2)]);
            snap.taken_at = at;
            t.update(&snap);
            assert!(t.times.times.len() <= 2 * 2 + 64 + 1, "round {r}");
            assert_eq!(t.first_seen(r + 2), Some(at));
        }
        let start = Timestamp::UNIX_EPOCH + SignedDuration::from_secs(1_000_000);
        assert_eq!(t.first_seen(1), Some(start));
    }

    #[test]
    fn times_are_kept_to_the_nanosecond_and_clamped_beyond_i64() {
        let t: Timestamp = "2026-11-24T00:00:05.123456789Z".parse().unwrap();
        assert_eq!(timestamp(nanos(t)), t);
        assert_eq!(nanos(Timestamp::MAX), i64::MAX);
        assert_eq!(nanos(Timestamp::MIN), i64::MIN + 1, "never NOT_PROVEN");
    }
}
