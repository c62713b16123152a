//! `close_wait_leak`: CLOSE_WAIT sockets that stay. A socket's age is the
//! larger of what the kernel proves from its `tcp_info` (see
//! [`kernel_ages`](crate::model::kernel_ages)) and how long the
//! [`Tracker`](crate::model::Tracker) has seen it in CLOSE_WAIT, so a leak
//! hours old fires from the first sample; only sockets older than `min_age`
//! count, so the brief CLOSE_WAIT of normal connection churn never fires.
//! Recv-Q tells the two bugs apart: the FIN unread (the app stopped
//! reading) or read (the app never called `close()`).

use std::collections::HashMap;

use jiff::SignedDuration;

use super::engine::Ctx;
use super::{Finding, Rule, Severity, Target, TargetKind, human_duration};
use crate::model::aggregate::{Aggregate, Owner};
use crate::model::history::History;
use crate::model::kernel_ages::{AgeSource, SocketAge};
use crate::model::snapshot::{Snapshot, TcpState};

#[derive(Default)]
struct Tally {
    total: u64,
    leaked: u64,
    /// Leaked sockets whose FIN is still unread (Recv-Q ≥ 1).
    unread: u64,
    oldest: Option<SocketAge>,
    /// Inodes of the leaked sockets, to name their processes.
    inodes: Vec<u32>,
}

/// The rule, for every listener and remote with CLOSE_WAIT sockets.
pub(super) fn close_wait_leak(ctx: &Ctx) -> Vec<Finding> {
    let snap = &ctx.latest.snapshot;
    let agg = &ctx.latest.agg;
    let cw = &ctx.t.close_wait;
    let min_age = SignedDuration::try_from(cw.min_age).unwrap_or(SignedDuration::MAX);
    let mut tallies: HashMap<Owner, Tally> = HashMap::new();
    if agg.totals[TcpState::CloseWait] == 0 {
        return Vec::new();
    }
    for (s, owner) in snap.tcp.iter().zip(agg.owners.iter()) {
        if s.state != TcpState::CloseWait {
            continue;
        }
        let age = ctx.tracker.age_of(snap, s);
        let t = tallies.entry(owner).or_default();
        t.total += 1;
        if age.is_some_and(|a| a.duration() >= min_age) {
            t.leaked += 1;
            t.unread += u64::from(s.close_wait_unread());
            t.inodes.push(s.inode);
        }
        if age.is_some_and(|a| t.oldest.is_none_or(|o| a.ms > o.ms)) {
            t.oldest = age;
        }
    }
    let mut out: Vec<Finding> = tallies
        .into_iter()
        .filter(|(_, t)| t.leaked >= cw.min_count)
        .filter_map(|(owner, t)| {
            let (target, count_in) = describe(snap, agg, owner)?;
            let oldest = t.oldest.map_or("unknown".to_owned(), age_words);
            let growth = growth_per_min(ctx, t.total, &count_in);
            let owners = snap.processes.union_of(t.inodes.iter().copied());
            Some(Finding {
                rule: Rule::CloseWaitLeak,
                message: format!(
                    "{} {}{} leaks CLOSE_WAIT: {} sockets ({} older than {}), oldest {oldest}, {growth}; {}",
                    match target.kind {
                        TargetKind::Remote => "connections to",
                        _ => "listener",
                    },
                    target.name,
                    processes(snap, &owners),
                    t.total,
                    t.leaked,
                    human_duration(min_age),
                    which_bug(t.unread, t.leaked - t.unread),
                ),
                target,
                severity: if t.leaked >= cw.critical_count {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
            })
        })
        .collect();
    out.sort_by(|a, b| a.target.cmp(&b.target));
    out
}

/// "≥4min" for an age the kernel proves, "4min" for one watched.
fn age_words(age: SocketAge) -> String {
    match age.source {
        AgeSource::Kernel => format!("≥{}", human_duration(age.duration())),
        AgeSource::Watched => human_duration(age.duration()),
    }
}

/// "38 never read EOF — the app stopped reading; 4 read EOF but never
/// closed", leaving out a kind with no socket.
fn which_bug(unread: u64, read: u64) -> String {
    let mut parts = Vec::new();
    if unread > 0 {
        parts.push(format!("{unread} never read EOF — the app stopped reading"));
    }
    if read > 0 {
        parts.push(format!("{read} read EOF but never closed"));
    }
    parts.join("; ")
}

/// " of process api (pid 4121)", " of processes api (pid 4121) and 2
/// more", or nothing when the owners are unknown.
fn processes(snap: &Snapshot, owners: &[u32]) -> String {
    let Some(first) = owners.first().and_then(|&i| snap.processes.get(i)) else {
        return String::new();
    };
    match owners.len() {
        1 => format!(" of process {} (pid {})", first.comm, first.pid),
        n => format!(
            " of processes {} (pid {}) and {} more",
            first.comm,
            first.pid,
            n - 1
        ),
    }
}

/// How to count an owner's CLOSE_WAIT sockets at an older frame of the
/// history, given by its sequence number: a listener from its series, a
/// remote from that frame's rows.
type CountIn = Box<dyn Fn(&History, u64) -> u64>;

fn describe(snap: &Snapshot, agg: &Aggregate, owner: Owner) -> Option<(Target, CountIn)> {
    match owner {
        Owner::Listener(i) => {
            let l = agg.listeners.get(i as usize)?;
            let local = l.local;
            let netns = snap.part_label(usize::from(l.netns)).to_owned();
            Some((
                Target::listener(local),
                Box::new(move |h: &History, seq| {
                    h.listeners()
                        .get(&netns, local)
                        .and_then(|t| t.at(seq))
                        .map_or(0, |p| u64::from(p.close_wait))
                }),
            ))
        }
        Owner::Remote(i) => {
            let r = agg.remotes.get(i as usize)?;
            let (remote, local_ip) = (r.remote, r.local_ip);
            Some((
                Target::remote(r),
                Box::new(move |h: &History, seq| {
                    h.at_seq(seq)
                        .and_then(|f| {
                            f.agg
                                .remotes
                                .iter()
                                .find(|x| x.remote == remote && x.local_ip == local_ip)
                        })
                        .map_or(0, |x| x.states[TcpState::CloseWait])
                }),
            ))
        }
        Owner::Listening(_) => None,
    }
}

/// "growing 5/min", "steady", "shrinking 2/min": the change of the count
/// from the oldest frame of the window to now.
fn growth_per_min(ctx: &Ctx, now_count: u64, count_in: &CountIn) -> String {
    let in_window = ctx.window().count();
    let first = in_window
        .checked_sub(1)
        .and_then(|back| Some((ctx.history.back(back)?, ctx.history.seq_back(back)?)));
    let Some((first, first_seq)) = first else {
        return "steady".to_owned();
    };
    let secs = ctx
        .now()
        .duration_since(first.snapshot.taken_at)
        .as_secs_f64();
    if secs <= 0.0 {
        return "growth unknown yet".to_owned();
    }
    let per_min = (now_count as f64 - count_in(ctx.history, first_seq) as f64) * 60.0 / secs;
    let fmt = |v: f64| {
        if v >= 10.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    if per_min > 0.0 {
        format!("growing {}/min", fmt(per_min))
    } else if per_min < 0.0 {
        format!("shrinking {}/min", fmt(-per_min))
    } else {
        "steady".to_owned()
    }
}
