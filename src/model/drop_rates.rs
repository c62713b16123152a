//! Which listeners drop connections, and how fast: each LISTEN socket's own
//! `sk_drops` (`Member::drops`) rise between consecutive samples, summed per
//! listener, as drops per second, for the counters panel. Pure: the time
//! between samples is the difference of their `taken_at`.
//!
//! Members are matched across samples by socket cookie, with the same
//! wrap-around and new-member rules as the alert's exact attribution
//! ([`super::alerts::drops`]), so the panel and the alert count the same
//! drops.

use rustc_hash::FxHashMap;

use super::alerts::drops::{drops_by_cookie, member_rise};
use super::history::Frame;
use super::keys::ListenerKey;

/// Share of a listener's drops one member must hold to be named as where
/// they happen (the rest is noise from its siblings).
pub const DOMINANT_SHARE: f64 = 0.9;

/// One member's drops over the frames looked at.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberDropTotal {
    /// The member's socket inode.
    pub inode: u32,
    /// The member's socket cookie.
    pub cookie: u64,
    /// Connections and SYNs it dropped (its `sk_drops` rises), summed.
    pub dropped: u64,
    /// The processes holding it, as `comm[pid]` (empty when unknown), in the
    /// newest frame that had it.
    pub process: String,
}

/// One listener's drops over the frames looked at.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerDropRate {
    /// The listener.
    pub key: ListenerKey,
    /// Drops per second between the newest two frames (0 when it dropped
    /// nothing then; `None` when either lacks its drop data).
    pub now_per_sec: Option<f64>,
    /// The highest drops per second between any two consecutive frames.
    pub peak_per_sec: f64,
    /// Connections and SYNs its members dropped, summed over the frames.
    pub dropped: u64,
    /// Its members that dropped, most drops first.
    pub members: Vec<MemberDropTotal>,
    /// How many members (LISTEN sockets) it had in the newest frame it
    /// dropped in.
    pub member_count: usize,
}

impl ListenerDropRate {
    /// The member holding at least [`DOMINANT_SHARE`] of the drops, if one does.
    pub fn dominant(&self) -> Option<&MemberDropTotal> {
        let top = self.members.first()?;
        (top.dropped as f64 >= DOMINANT_SHARE * self.dropped as f64).then_some(top)
    }
}

/// Each LISTEN socket's drops per second between `prev` and `cur`, by
/// socket cookie, counted as [`drop_rates`] and the alert count them (a
/// member new since `prev` counts its whole `sk_drops`); members without
/// drop data are left out, and so is everything when no time passed.
pub fn member_rates(prev: &Frame, cur: &Frame) -> FxHashMap<u64, f64> {
    let secs = cur
        .snapshot
        .taken_at
        .duration_since(prev.snapshot.taken_at)
        .as_secs_f64();
    if secs <= 0.0 {
        return FxHashMap::default();
    }
    let was = drops_by_cookie(&prev.agg);
    cur.agg
        .listeners
        .iter()
        .flat_map(|l| l.members.iter())
        .filter_map(|m| Some((m.cookie, member_rise(&was, m)? as f64 / secs)))
        .collect()
}

/// Listeners whose members dropped connections between consecutive
/// `frames` (oldest first), fastest dropping now first, then most drops;
/// listeners that dropped nothing are left out. Frames without drop data
/// (recordings made before it was collected) contribute nothing.
pub fn drop_rates<'a>(frames: impl IntoIterator<Item = &'a Frame>) -> Vec<ListenerDropRate> {
    let mut by_key: FxHashMap<ListenerKey, ListenerDropRate> = FxHashMap::default();
    let mut prev: Option<(&Frame, FxHashMap<u64, u32>)> = None;
    let mut newest_pair: Vec<(ListenerKey, Option<f64>)> = Vec::new();
    for cur in frames {
        let counts = drops_by_cookie(&cur.agg);
        if let Some((p, was)) = &prev {
            let secs = cur
                .snapshot
                .taken_at
                .duration_since(p.snapshot.taken_at)
                .as_secs_f64();
            newest_pair.clear();
            for l in &cur.agg.listeners {
                let key = cur.snapshot.listener_key(l);
                let mut rise_sum = 0;
                let mut known = true;
                for m in &l.members {
                    let Some(rise) = member_rise(was, m) else {
                        known = false;
                        continue;
                    };
                    if rise == 0 {
                        continue;
                    }
                    rise_sum += rise;
                    let entry = by_key
                        .entry(key.clone())
                        .or_insert_with(|| ListenerDropRate {
                            key: key.clone(),
                            now_per_sec: None,
                            peak_per_sec: 0.0,
                            dropped: 0,
                            members: Vec::new(),
                            member_count: 0,
                        });
                    entry.dropped += rise;
                    entry.member_count = l.members.len();
                    let process = cur.snapshot.processes.label(&m.processes);
                    match entry.members.iter_mut().find(|x| x.cookie == m.cookie) {
                        Some(x) => {
                            x.dropped += rise;
                            x.process = process;
                        }
                        None => entry.members.push(MemberDropTotal {
                            inode: m.inode,
                            cookie: m.cookie,
                            dropped: rise,
                            process,
                        }),
                    }
                }
                let rate = (known && secs > 0.0).then(|| rise_sum as f64 / secs);
                if let (Some(r), Some(e)) = (rate, by_key.get_mut(&key)) {
                    e.peak_per_sec = e.peak_per_sec.max(r);
                }
                newest_pair.push((key, rate));
            }
        }
        prev = Some((cur, counts));
    }
    for (key, rate) in newest_pair {
        if let Some(e) = by_key.get_mut(&key) {
            e.now_per_sec = rate;
        }
    }
    let mut out: Vec<ListenerDropRate> = by_key.into_values().collect();
    for l in &mut out {
        l.members
            .sort_by(|a, b| b.dropped.cmp(&a.dropped).then(a.inode.cmp(&b.inode)));
    }
    out.sort_by(|a, b| {
        let now = |x: &ListenerDropRate| x.now_per_sec.unwrap_or(0.0);
        now(b)
            .total_cmp(&now(a))
            .then(b.dropped.cmp(&a.dropped))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{self, snapshot};
    use crate::model::snapshot::TcpSocket;

    /// A LISTEN socket on `local` with inode `inode` (cookie = inode) that
    /// has dropped `drops` so far (`None`: no drop data).
    fn listen(local: &str, inode: u32, drops: Option<u32>) -> TcpSocket {
        TcpSocket {
            inode,
            drops,
            ..fixtures::listen(local, 0, 8, u64::from(inode))
        }
    }

    fn frame(at: &str, socks: Vec<TcpSocket>) -> Frame {
        Frame::new(snapshot(at, socks))
    }

    #[test]
    fn rates_rank_listeners_and_name_the_member_that_drops() {
        let frames = [
            frame(
                "2026-11-24T00:00:00Z",
                vec![
                    listen("127.0.0.1:8080", 1, Some(100)),
                    listen("127.0.0.1:8080", 2, Some(5)),
                    listen("127.0.0.1:9090", 3, Some(0)),
                    listen("127.0.0.1:7070", 4, Some(0)),
                ],
            ),
            frame(
                "2026-11-24T00:00:02Z",
                vec![
                    listen("127.0.0.1:8080", 1, Some(120)),
                    listen("127.0.0.1:8080", 2, Some(5)),
                    listen("127.0.0.1:9090", 3, Some(2)),
                    listen("127.0.0.1:7070", 4, Some(0)),
                ],
            ),
            frame(
                "2026-11-24T00:00:03Z",
                vec![
                    listen("127.0.0.1:8080", 1, Some(130)),
                    listen("127.0.0.1:8080", 2, Some(6)),
                    listen("127.0.0.1:9090", 3, Some(2)),
                    listen("127.0.0.1:7070", 4, Some(0)),
                ],
            ),
        ];
        let r = drop_rates(&frames);
        assert_eq!(r.len(), 2, "7070 never dropped: {r:?}");
        assert_eq!(r[0].key.local.to_string(), "127.0.0.1:8080");
        assert_eq!(r[0].dropped, 31);
        assert_eq!(r[0].now_per_sec, Some(11.0));
        assert_eq!(r[0].peak_per_sec, 11.0, "20 in 2 s, then 11 in 1 s");
        let top = r[0].dominant().expect("inode 1 dropped 30 of 31");
        assert_eq!((top.inode, top.dropped), (1, 30));
        assert_eq!(r[0].member_count, 2);
        assert_eq!(r[1].key.local.to_string(), "127.0.0.1:9090");
        assert_eq!((r[1].dropped, r[1].now_per_sec), (2, Some(0.0)));
        assert_eq!(r[1].peak_per_sec, 1.0);
    }

    #[test]
    fn member_rates_match_cookies_wrap_and_count_a_new_member_whole() {
        let prev = frame(
            "2026-11-24T00:00:00Z",
            vec![
                listen("127.0.0.1:8080", 1, Some(u32::MAX - 1)),
                listen("127.0.0.1:8080", 2, Some(10)),
                listen("127.0.0.1:9090", 4, None),
            ],
        );
        let cur = frame(
            "2026-11-24T00:00:02Z",
            vec![
                listen("127.0.0.1:8080", 1, Some(3)),
                listen("127.0.0.1:8080", 2, Some(10)),
                listen("127.0.0.1:8080", 3, Some(8)),
                listen("127.0.0.1:9090", 4, None),
            ],
        );
        let r = member_rates(&prev, &cur);
        let mut got: Vec<(u64, f64)> = r.into_iter().collect();
        got.sort_by_key(|g| g.0);
        assert_eq!(
            got,
            vec![(1, 2.5), (2, 0.0), (3, 4.0)],
            "5 across the wrap in 2 s; none; a new member's 8; no data left out"
        );
        assert!(member_rates(&cur, &cur).is_empty(), "no time passed");
    }

    #[test]
    fn spread_drops_have_no_dominant_member_and_counters_wrap() {
        let frames = [
            frame(
                "2026-11-24T00:00:00Z",
                vec![
                    listen("127.0.0.1:8080", 1, Some(u32::MAX - 1)),
                    listen("127.0.0.1:8080", 2, Some(0)),
                ],
            ),
            frame(
                "2026-11-24T00:00:01Z",
                vec![
                    listen("127.0.0.1:8080", 1, Some(3)),
                    listen("127.0.0.1:8080", 2, Some(4)),
                ],
            ),
        ];
        let r = drop_rates(&frames);
        assert_eq!(r[0].dropped, 9, "5 across the wrap, 4 on the sibling");
        assert_eq!(r[0].members.len(), 2);
        assert_eq!(r[0].dominant(), None);
    }

    #[test]
    fn frames_without_drop_data_count_nothing() {
        let frames = [
            frame(
                "2026-11-24T00:00:00Z",
                vec![listen("127.0.0.1:8080", 1, None)],
            ),
            frame(
                "2026-11-24T00:00:01Z",
                vec![listen("127.0.0.1:8080", 1, None)],
            ),
        ];
        assert!(drop_rates(&frames).is_empty());
    }
}
