//! Where the connections dropped between two samples went: the exact
//! per-member attribution from the LISTEN sockets' own `sk_drops`, with the
//! fill-based guess kept for recordings made without drop data.
//!
//! The kernel's `tcp_listendrop()` adds one to the LISTEN socket's
//! `sk_drops` and to the namespace's `ListenDrops` for every accept-queue
//! overflow and every SYN dropped at a listener, so the members' rises add
//! up to the `ListenDrops` rise. What is left over is reported, never
//! guessed: drops of a listener that closed between the samples (its counter
//! went with it), and `sk_drops` rises that are not listen drops (a socket
//! filter, MD5 or XFRM failure drops the segment on the listener too).

use std::net::SocketAddr;

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use super::Thresholds;
use crate::model::aggregate::{Aggregate, Listener, Member};
use crate::model::history::History;

/// The rise of one LISTEN socket's `sk_drops` between two samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDrops {
    /// The listener it belongs to.
    pub listener: SocketAddr,
    /// The member's socket inode.
    pub inode: u32,
    /// The member's socket cookie (how it is matched across samples).
    pub cookie: u64,
    /// Connections and SYNs it dropped between the samples (the wrapping
    /// difference of its u32 counter; its whole count for a new member).
    pub drops: u64,
}

/// A rise of the namespace's listen-drop counters between two consecutive
/// samples, and the listeners it is attributed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overflow {
    /// Timestamp of the later sample.
    pub at: Timestamp,
    /// Rise of `TcpExt: ListenOverflows` (SYNs and final ACKs that found
    /// the accept queue full).
    pub overflows: u64,
    /// Rise of `TcpExt: ListenDrops` (every drop at a listener, overflows
    /// included); 0 when that counter is missing.
    pub drops: u64,
    /// Fill-based guess, for samples without drop data: listeners whose
    /// accept queue was full or near full at either sample (one means
    /// attributed, several "likely" each, none unattributed). Empty when
    /// `members` is known.
    pub listeners: Vec<SocketAddr>,
    /// Exact attribution: every member whose `sk_drops` rose, in listener
    /// order; `None` when either sample lacks drop data.
    pub members: Option<Vec<MemberDrops>>,
}

impl Overflow {
    /// Whether the attribution is exact (from the members' `sk_drops`).
    pub fn is_exact(&self) -> bool {
        self.members.is_some()
    }

    /// Drops the members' `sk_drops` account for, summed.
    pub fn attributed(&self) -> u64 {
        self.members.iter().flatten().map(|m| m.drops).sum()
    }

    /// Drops the members' `sk_drops` rose by for `listener`.
    pub fn attributed_to(&self, listener: SocketAddr) -> u64 {
        self.members
            .iter()
            .flatten()
            .filter(|m| m.listener == listener)
            .map(|m| m.drops)
            .sum()
    }

    /// With exact attribution: the part of the `ListenDrops` rise no
    /// present member accounts for (a listener closed between the samples,
    /// or a drop that fell between the LISTEN dump and the counter read:
    /// the next sample then shows it as [`Overflow::not_listen_drops`], so
    /// the rules reconcile sums over their window).
    pub fn unattributed(&self) -> u64 {
        if self.is_exact() {
            self.drops.saturating_sub(self.attributed())
        } else {
            0
        }
    }

    /// With exact attribution: how much more the members' `sk_drops` rose
    /// than `ListenDrops` (drops on a listener that are not listen drops:
    /// socket filter, MD5 or XFRM failures).
    pub fn not_listen_drops(&self) -> u64 {
        if self.is_exact() {
            self.attributed().saturating_sub(self.drops)
        } else {
            0
        }
    }
}

/// Whether every member of every listener carries drop data.
fn has_drop_data(agg: &Aggregate) -> bool {
    agg.listeners
        .iter()
        .all(|l| l.members.iter().all(|m| m.drops.is_some()))
}

/// Every LISTEN socket's `sk_drops` in `agg`, by socket cookie (members
/// without drop data left out).
pub(crate) fn drops_by_cookie(agg: &Aggregate) -> FxHashMap<u64, u32> {
    agg.listeners
        .iter()
        .flat_map(|l| l.members.iter())
        .filter_map(|m| Some((m.cookie, m.drops?)))
        .collect()
}

/// How much member `m`'s `sk_drops` rose since the sample whose counters
/// are `before` ([`drops_by_cookie`]): the wrapping difference of the u32
/// counter, or its whole count for a member new since then (it was created
/// after that sample). `None` when `m` has no drop data.
pub(crate) fn member_rise(before: &FxHashMap<u64, u32>, m: &Member) -> Option<u64> {
    let now = m.drops?;
    let rise = match before.get(&m.cookie) {
        Some(&was) => now.wrapping_sub(was),
        None => now,
    };
    Some(u64::from(rise))
}

/// Each member's `sk_drops` rise from `prev` to `cur`, matched by cookie.
fn member_rises(prev: &Aggregate, cur: &Aggregate) -> Vec<MemberDrops> {
    let before = drops_by_cookie(prev);
    let mut out = Vec::new();
    for l in &cur.listeners {
        for m in &l.members {
            match member_rise(&before, m) {
                Some(drops) if drops > 0 => out.push(MemberDrops {
                    listener: l.local,
                    inode: m.inode,
                    cookie: m.cookie,
                    drops,
                }),
                _ => {}
            }
        }
    }
    out
}

/// Counter `name`'s rise between the newest two frames: `None` when
/// either lacks it.
fn rise(history: &History, name: &str) -> Option<u64> {
    let cur = history.latest()?.snapshot.counters.get(name)?;
    let prev = history.back(1)?.snapshot.counters.get(name)?;
    Some(cur.saturating_sub(*prev))
}

/// The drops between the newest two frames and their attribution. `None`
/// on the first sample and when nothing was dropped. Without drop data the
/// `ListenOverflows` rise is attributed by queue fill (a note says so when
/// that counter is missing too).
pub(super) fn attribute(
    history: &History,
    t: &Thresholds,
    notes: &mut Vec<String>,
) -> Option<Overflow> {
    let cur = history.latest()?;
    let exact = has_drop_data(&cur.agg);
    if !exact && !cur.snapshot.counters.contains_key("ListenOverflows") {
        notes.push(
            "accept_queue_overflow: the ListenOverflows counter and the listeners' drop counts \
             are missing, so drops cannot be attributed; judging by queue fill alone"
                .to_owned(),
        );
        return None;
    }
    let prev = history.back(1)?;
    let overflows = rise(history, "ListenOverflows").unwrap_or(0);
    let drops = rise(history, "ListenDrops").unwrap_or(0);
    if exact && has_drop_data(&prev.agg) {
        let members = member_rises(&prev.agg, &cur.agg);
        if members.is_empty() && overflows == 0 && drops == 0 {
            return None;
        }
        return Some(Overflow {
            at: cur.snapshot.taken_at,
            overflows,
            drops,
            listeners: Vec::new(),
            members: Some(members),
        });
    }
    if overflows == 0 {
        return None;
    }
    let ratio = t.accept_queue.near_full_ratio;
    let mut listeners: Vec<SocketAddr> = [prev, cur]
        .iter()
        .flat_map(|f| f.agg.listeners.iter())
        .filter(|l| l.full_members() > 0 || l.fill() >= ratio)
        .map(|l: &Listener| l.local)
        .collect();
    listeners.sort_unstable();
    listeners.dedup();
    Some(Overflow {
        at: cur.snapshot.taken_at,
        overflows,
        drops,
        listeners,
        members: None,
    })
}
