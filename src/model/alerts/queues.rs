//! Listener queue rules: `accept_queue_overflow` (with the attribution of
//! `ListenOverflows` rises to full listeners), `syn_backlog` and
//! `backlog_clamped`.

use std::net::SocketAddr;

use jiff::Timestamp;

use super::engine::Ctx;
use super::{
    Finding, Rule, Severity, Target, TargetKind, Thresholds, human_duration, window_words,
};
use crate::model::aggregate::Listener;
use crate::model::history::{Frame, History};
use crate::model::snapshot::{TcpState, UnixListener};

/// A rise of the namespace's `ListenOverflows` between two consecutive
/// samples, and the listeners it is attributed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overflow {
    /// Timestamp of the later sample.
    pub at: Timestamp,
    /// Rise of `TcpExt: ListenOverflows` (connections dropped on a full accept queue).
    pub overflows: u64,
    /// Rise of `TcpExt: ListenDrops` (every drop at a listener, overflows included);
    /// 0 when that counter is missing.
    pub drops: u64,
    /// Listeners whose accept queue was full or near full at either sample:
    /// one means attributed, several means "likely" each, none means unattributed.
    pub listeners: Vec<SocketAddr>,
}

/// `ListenOverflows` rise between the newest two frames and its attribution.
/// `None` on the first sample, when nothing rose, or when the counter is
/// missing (then a note says so).
pub(super) fn attribute_overflow(
    history: &History,
    t: &Thresholds,
    notes: &mut Vec<String>,
) -> Option<Overflow> {
    let cur = history.latest()?;
    let Some(&now) = cur.snapshot.counters.get("ListenOverflows") else {
        notes.push(
            "accept_queue_overflow: the ListenOverflows counter is missing, so drops cannot be \
             attributed; judging by queue fill alone"
                .to_owned(),
        );
        return None;
    };
    let prev = history.back(1)?;
    let before = *prev.snapshot.counters.get("ListenOverflows")?;
    let overflows = now.saturating_sub(before);
    if overflows == 0 {
        return None;
    }
    let drops = match (
        cur.snapshot.counters.get("ListenDrops"),
        prev.snapshot.counters.get("ListenDrops"),
    ) {
        (Some(a), Some(b)) => a.saturating_sub(*b),
        _ => 0,
    };
    let ratio = t.accept_queue.near_full_ratio;
    let mut listeners: Vec<SocketAddr> = [prev, cur]
        .iter()
        .flat_map(|f| f.agg.listeners.iter())
        .filter(|l| is_full(l) || l.fill() >= ratio)
        .map(|l| l.local)
        .collect();
    listeners.sort_unstable();
    listeners.dedup();
    Some(Overflow {
        at: cur.snapshot.taken_at,
        overflows,
        drops,
        listeners,
    })
}

/// Recv-Q at or above the backlog (the kernel lets it reach backlog + 1).
fn is_full(l: &Listener) -> bool {
    l.accept_queue > 0 && l.accept_queue >= l.backlog
}

/// Timestamp of the oldest frame of the run, ending at the newest frame, in
/// which `holds` is true; `None` when it does not hold now.
fn holds_since(history: &History, holds: impl Fn(&Frame) -> bool) -> Option<Timestamp> {
    history
        .iter()
        .rev()
        .take_while(|f| holds(f))
        .last()
        .map(|f| f.snapshot.taken_at)
}

/// "; oldest queued connection waited ≥4min: the app has stopped calling
/// accept()" when the oldest connection still in the queue (from the
/// kernel's `tcp_info`) has waited at least `stalled`, else how long it waited.
fn queued_words(waited_ms: u64, stalled: jiff::SignedDuration) -> String {
    let waited = jiff::SignedDuration::from_millis(waited_ms.min(i64::MAX as u64) as i64);
    let verdict = if waited >= stalled {
        ": the app has stopped calling accept()"
    } else {
        ""
    };
    format!(
        "; oldest queued connection waited ≥{}{verdict}",
        human_duration(waited)
    )
}

/// "once", "37 times".
fn times(n: u64) -> String {
    if n == 1 {
        "once".to_owned()
    } else {
        format!("{n} times")
    }
}

fn percent(part: u64, whole: u64) -> u64 {
    (part * 100).checked_div(whole).unwrap_or(0)
}

/// `accept_queue_overflow` for every TCP and UNIX listener, plus the
/// namespace-wide finding for unattributed `ListenOverflows` rises.
pub(super) fn accept_queue_overflow(ctx: &Ctx) -> Vec<Finding> {
    let now = ctx.now();
    let aq = &ctx.t.accept_queue;
    let near_for = jiff::SignedDuration::try_from(aq.near_full_for).unwrap_or_default();
    let somaxconn = ctx.latest.snapshot.tunable_u64("net.core.somaxconn");
    let window = window_words(ctx.t.window);
    let mut out = Vec::new();

    for l in &ctx.latest.agg.listeners {
        let full = is_full(l);
        let near_since = (l.fill() >= aq.near_full_ratio)
            .then(|| {
                holds_since(ctx.history, |f| {
                    f.agg
                        .listener(l.local)
                        .is_some_and(|x| x.fill() >= aq.near_full_ratio)
                })
            })
            .flatten();
        let near = near_since.is_some_and(|s| now.duration_since(s) >= near_for);
        let (mut dropped, mut shared) = (0, 0);
        for o in ctx.overflows() {
            if o.listeners.contains(&l.local) {
                dropped += o.overflows;
                shared = shared.max(o.listeners.len());
            }
        }
        if !full && !near && dropped == 0 {
            continue;
        }
        let who = format!("listener {}", l.local);
        let queue = format!("{}/{}", l.accept_queue, l.backlog);
        let mut message = if dropped > 0 {
            let likely = if shared > 1 { "likely " } else { "" };
            let mut m = format!(
                "{who} {likely}overflowed its accept queue {} in {window} (ListenOverflows)",
                times(dropped)
            );
            if shared > 1 {
                m += &format!("; {shared} listeners were full at those samples");
            }
            m + &format!("; queue now {queue}")
        } else if full {
            format!("{who} accept queue is full ({queue})")
        } else {
            let since = near_since
                .map(|s| now.duration_since(s))
                .unwrap_or_default();
            format!(
                "{who} accept queue at {}% ({queue}) for {}",
                percent(l.accept_queue, l.backlog),
                human_duration(since)
            )
        };
        if let Some(waited) = l.oldest_queued_ms {
            message += &queued_words(waited, near_for);
        }
        let clamped = somaxconn.is_some_and(|s| l.members.iter().any(|m| m.backlog == s));
        match somaxconn {
            Some(_) if clamped => {
                message += &format!("; backlog {} is capped by somaxconn", l.backlog)
            }
            Some(s) => message += &format!("; backlog {} (somaxconn {s})", l.backlog),
            None => {}
        }
        out.push(Finding {
            rule: Rule::AcceptQueueOverflow,
            target: Target::listener(l.local),
            severity: if full || dropped > 0 {
                Severity::Critical
            } else {
                Severity::Warning
            },
            message,
        });
    }

    let (unattributed, drops): (u64, u64) = ctx
        .overflows()
        .filter(|o| o.listeners.is_empty())
        .fold((0, 0), |(a, b), o| (a + o.overflows, b + o.drops));
    if unattributed > 0 {
        out.push(Finding {
            rule: Rule::AcceptQueueOverflow,
            target: Target::new(TargetKind::Namespace, ctx.latest.snapshot.netns.clone()),
            severity: Severity::Warning,
            message: format!(
                "ListenOverflows rose by {unattributed} (ListenDrops by {drops}) in {window}, unattributed: \
                 no listener's accept queue was full or near full at those samples (a queue that fills \
                 and drains between samples; a shorter --interval can catch it)"
            ),
        });
    }

    for u in &ctx.latest.snapshot.unix_listeners {
        out.extend(unix_overflow(ctx, u, near_for));
    }
    out
}

/// The target name of a UNIX listener: its path, or `inode N` when unnamed.
fn unix_name(u: &UnixListener) -> String {
    if u.path.is_empty() {
        format!("inode {}", u.inode)
    } else {
        u.path.clone()
    }
}

fn unix_overflow(ctx: &Ctx, u: &UnixListener, near_for: jiff::SignedDuration) -> Option<Finding> {
    let (q, b) = (u64::from(u.accept_queue), u64::from(u.backlog));
    let ratio = ctx.t.accept_queue.near_full_ratio;
    let fill = |q: u32, b: u32| b > 0 && f64::from(q) / f64::from(b) >= ratio;
    let full = q > 0 && q >= b;
    let since = fill(u.accept_queue, u.backlog)
        .then(|| {
            holds_since(ctx.history, |f| {
                f.snapshot
                    .unix_listeners
                    .iter()
                    .any(|x| x.inode == u.inode && fill(x.accept_queue, x.backlog))
            })
        })
        .flatten();
    let near = since.is_some_and(|s| ctx.now().duration_since(s) >= near_for);
    if !full && !near {
        return None;
    }
    let name = unix_name(u);
    let message = if full {
        format!("UNIX listener {name} accept queue is full ({q}/{b}); new connections wait or fail")
    } else {
        let held = since
            .map(|s| ctx.now().duration_since(s))
            .unwrap_or_default();
        format!(
            "UNIX listener {name} accept queue at {}% ({q}/{b}) for {}",
            percent(q, b),
            human_duration(held)
        )
    };
    Some(Finding {
        rule: Rule::AcceptQueueOverflow,
        target: Target::new(TargetKind::UnixSocket, name),
        severity: if full {
            Severity::Critical
        } else {
            Severity::Warning
        },
        message,
    })
}

/// `syn_backlog`: SYN_RECV of a listener against min(backlog,
/// `tcp_max_syn_backlog` per member).
pub(super) fn syn_backlog(ctx: &Ctx, notes: &mut Vec<String>) -> Vec<Finding> {
    let snap = &ctx.latest.snapshot;
    let max_syn = snap.tunable_u64("net.ipv4.tcp_max_syn_backlog");
    if max_syn.is_none() {
        notes.push(
            "syn_backlog: net.ipv4.tcp_max_syn_backlog is unknown; the SYN queue limit is taken \
             as the backlog alone"
                .to_owned(),
        );
    }
    let mut out = Vec::new();
    for l in &ctx.latest.agg.listeners {
        let syn = l.states[TcpState::SynRecv];
        let limit = match max_syn {
            Some(m) => l.backlog.min(m * l.members.len() as u64),
            None => l.backlog,
        };
        if syn == 0 || limit == 0 {
            continue;
        }
        let severity = if syn >= limit {
            Severity::Critical
        } else if syn as f64 >= ctx.t.syn_backlog.warn_ratio * limit as f64 {
            Severity::Warning
        } else {
            continue;
        };
        let of = match max_syn {
            Some(m) => format!("min(backlog {}, tcp_max_syn_backlog {m})", l.backlog),
            None => format!("the backlog {}", l.backlog),
        };
        out.push(Finding {
            rule: Rule::SynBacklog,
            target: Target::listener(l.local),
            severity,
            message: format!(
                "listener {} holds {syn} half-open connections (SYN_RECV), {}% of its SYN queue limit {limit} = {of}",
                l.local,
                percent(syn, limit)
            ),
        });
    }
    out
}

/// `backlog_clamped`: a listener with a member whose backlog equals `net.core.somaxconn`.
pub(super) fn backlog_clamped(ctx: &Ctx, notes: &mut Vec<String>) -> Vec<Finding> {
    let Some(somaxconn) = ctx.latest.snapshot.tunable_u64("net.core.somaxconn") else {
        notes.push("backlog_clamped: net.core.somaxconn is unknown; rule skipped".to_owned());
        return Vec::new();
    };
    ctx.latest
        .agg
        .listeners
        .iter()
        .filter(|l| l.members.iter().any(|m| m.backlog == somaxconn))
        .map(|l| Finding {
            rule: Rule::BacklogClamped,
            target: Target::listener(l.local),
            severity: Severity::Info,
            message: format!(
                "listener {} backlog equals net.core.somaxconn ({somaxconn}): its listen() backlog \
                 was probably capped; raise somaxconn if its queue fills",
                l.local
            ),
        })
        .collect()
}
