//! Listener queue rules: `accept_queue_overflow` (judged per SO_REUSEPORT
//! member, with the drops attributed in [`super::drops`]), `syn_backlog` and
//! `backlog_clamped`.

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use super::engine::Ctx;
use super::{Finding, Rule, Severity, Target, TargetKind, human_duration, window_words};
use crate::model::aggregate::{Listener, Member};
use crate::model::history::{Frame, History};
use crate::model::snapshot::{TcpState, UnixListener};

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

/// What the window's drop attributions say about one listener.
#[derive(Default)]
struct ListenerDrops {
    /// Exact: drops per member cookie (with its inode), from `sk_drops`.
    exact: FxHashMap<u64, (u32, u64)>,
    /// Fallback: `ListenOverflows` rises guessed onto this listener.
    guessed: u64,
    /// Fallback: the most listeners one guessed rise was shared by.
    shared: usize,
}

impl ListenerDrops {
    fn of(ctx: &Ctx, l: &Listener) -> ListenerDrops {
        let mut out = ListenerDrops::default();
        for o in ctx.overflows() {
            match &o.members {
                Some(members) => {
                    for m in members.iter().filter(|m| m.listener == l.local) {
                        out.exact.entry(m.cookie).or_insert((m.inode, 0)).1 += m.drops;
                    }
                }
                None if o.listeners.contains(&l.local) => {
                    out.guessed += o.overflows;
                    out.shared = out.shared.max(o.listeners.len());
                }
                None => {}
            }
        }
        out
    }

    fn exact_total(&self) -> u64 {
        self.exact.values().map(|(_, d)| d).sum()
    }

    /// The member that dropped most: (cookie, inode, drops).
    fn worst(&self) -> Option<(u64, u32, u64)> {
        self.exact
            .iter()
            .map(|(&c, &(inode, d))| (c, inode, d))
            .max_by_key(|&(c, _, d)| (d, std::cmp::Reverse(c)))
    }
}

/// "listener 127.0.0.1:8080", plus " member inode N" when the listener has
/// several members.
fn who(l: &Listener, inode: u32) -> String {
    if l.members.len() > 1 {
        format!("listener {} member inode {inode}", l.local)
    } else {
        format!("listener {}", l.local)
    }
}

/// `accept_queue_overflow` for every TCP and UNIX listener, plus the
/// namespace-wide finding for drops no listener accounts for.
pub(super) fn accept_queue_overflow(ctx: &Ctx) -> Vec<Finding> {
    let mut out: Vec<Finding> = ctx
        .latest
        .agg
        .listeners
        .iter()
        .filter_map(|l| listener_overflow(ctx, l))
        .collect();
    out.extend(namespace_drops(ctx));
    let near_for =
        jiff::SignedDuration::try_from(ctx.t.accept_queue.near_full_for).unwrap_or_default();
    for u in &ctx.latest.snapshot.unix_listeners {
        out.extend(unix_overflow(ctx, u, near_for));
    }
    out
}

/// One TCP listener, judged by its fullest member and its members' drops.
fn listener_overflow(ctx: &Ctx, l: &Listener) -> Option<Finding> {
    let now = ctx.now();
    let aq = &ctx.t.accept_queue;
    let near_for = jiff::SignedDuration::try_from(aq.near_full_for).unwrap_or_default();
    let window = window_words(ctx.t.window);
    let fullest = l.fullest()?;
    let full = l.full_members();
    let near_since = (l.fill() >= aq.near_full_ratio)
        .then(|| {
            let label = ctx.latest.snapshot.part_label(usize::from(l.netns));
            let track = ctx.history.listeners().get(label, l.local)?;
            let newest = ctx.history.seq_back(0)?;
            let first = track
                .run_back_from(newest)
                .take_while(|p| p.fill >= aq.near_full_ratio)
                .last()?;
            Some(ctx.history.at_seq(first.seq)?.snapshot.taken_at)
        })
        .flatten();
    let near = near_since.is_some_and(|s| now.duration_since(s) >= near_for);
    let drops = ListenerDrops::of(ctx, l);
    let exact = drops.exact_total();
    if full == 0 && !near && exact == 0 && drops.guessed == 0 {
        return None;
    }
    let table = &ctx.latest.snapshot.processes;
    let worst = drops.worst();
    // The member named: the one that dropped most, else the fullest.
    let dropper = worst.and_then(|(cookie, _, _)| l.members.iter().find(|m| m.cookie == cookie));
    let named: &Member = dropper.unwrap_or(fullest);
    let who = match (worst, dropper) {
        (Some((_, inode, _)), None) => {
            format!("listener {} member inode {inode} (closed since)", l.local)
        }
        _ => who(l, named.inode),
    };
    let queue = format!("{}/{}", named.accept_queue, named.backlog);
    let of_members = if l.members.len() > 1 {
        format!("; {full}/{} members full", l.members.len())
    } else {
        String::new()
    };
    let mut message = if let Some((_, _, most)) = worst {
        let mut m = format!(
            "{who} dropped {} in {window} (its sk_drops)",
            connections(most)
        );
        if exact > most {
            m += &format!(
                "; {} more at {} other member(s)",
                exact - most,
                drops.exact.len() - 1
            );
        }
        m += &format!("; queue now {queue}{of_members}");
        let ratio = aq.near_full_ratio;
        let looked_fine = |f: &Frame| {
            f.agg
                .listener(l.local)
                .and_then(|x| x.members.iter().find(|m| m.cookie == named.cookie))
                .is_none_or(|m| m.fill() < ratio)
        };
        let prev_fine = ctx.history.back(1).is_none_or(looked_fine);
        if looked_fine(ctx.latest) && prev_fine {
            m += "; the queue fills and drains between samples (a shorter --interval can catch it)";
        }
        m
    } else if drops.guessed > 0 {
        let likely = if drops.shared > 1 { "likely " } else { "" };
        let mut m = format!(
            "{who} {likely}overflowed its accept queue {} in {window} (ListenOverflows)",
            times(drops.guessed)
        );
        if drops.shared > 1 {
            m += &format!("; {} listeners were full at those samples", drops.shared);
        }
        m + &format!("; queue now {queue}{of_members}")
    } else if full > 0 {
        format!("{who} accept queue is full ({queue}){of_members}")
    } else {
        let since = near_since
            .map(|s| now.duration_since(s))
            .unwrap_or_default();
        format!(
            "{who} accept queue at {}% ({queue}) for {}{of_members}",
            percent(named.accept_queue, named.backlog),
            human_duration(since)
        )
    };
    if let Some(waited) = l.oldest_queued_ms {
        message += &queued_words(waited, near_for);
    }
    match ctx.latest.snapshot.tunable_u64("net.core.somaxconn") {
        Some(s) if named.backlog == s => {
            message += &format!("; backlog {} is capped by somaxconn", named.backlog)
        }
        Some(s) => message += &format!("; backlog {} (somaxconn {s})", named.backlog),
        None => {}
    }
    let holders = table.names(&named.processes);
    if !holders.is_empty() {
        message += &format!("; held by {holders}");
    }
    Some(Finding {
        rule: Rule::AcceptQueueOverflow,
        target: Target::listener(l.local),
        severity: if full > 0 || exact > 0 || drops.guessed > 0 {
            Severity::Critical
        } else {
            Severity::Warning
        },
        message,
    })
}

/// "1 connection", "37 connections".
fn connections(n: u64) -> String {
    if n == 1 {
        "1 connection".to_owned()
    } else {
        format!("{n} connections")
    }
}

/// The namespace's drops that no listener accounts for: with exact data the
/// `ListenDrops` rise beyond the members' `sk_drops` (or the reverse, when
/// `sk_drops` counted drops that are not listen drops); without it the
/// `ListenOverflows` rises no full listener was seen for.
fn namespace_drops(ctx: &Ctx) -> Option<Finding> {
    let window = window_words(ctx.t.window);
    let target = Target::new(TargetKind::Namespace, ctx.latest.snapshot.netns.clone());
    let (mut guessed, mut guessed_drops) = (0, 0);
    // Reconciled over the window, not per sample: a drop that lands between
    // the LISTEN dump and the counter read counts in ListenDrops at one
    // sample and in sk_drops at the next, and the two cancel out.
    let (mut listen_drops, mut attributed) = (0, 0);
    for o in ctx.overflows() {
        if o.is_exact() {
            listen_drops += o.drops;
            attributed += o.attributed();
        } else if o.listeners.is_empty() {
            guessed += o.overflows;
            guessed_drops += o.drops;
        }
    }
    let unattributed = listen_drops.saturating_sub(attributed);
    let other = attributed.saturating_sub(listen_drops);
    let counted = ctx.latest.snapshot.counters.contains_key("ListenDrops");
    let (severity, message) = if counted && unattributed > 0 {
        (
            Severity::Warning,
            format!(
                "ListenDrops rose by {listen_drops} in {window}, the listeners' sk_drops by \
                 {attributed}: unattributed {unattributed}, dropped at a listener that closed \
                 between samples (its counter closed with it)"
            ),
        )
    } else if counted && other > 0 {
        (
            Severity::Info,
            format!(
                "the listeners' sk_drops rose by {attributed} in {window}, ListenDrops by \
                 {listen_drops}: {other} of those drops are not accept-queue or SYN drops \
                 (sk_drops also counts segments a socket filter, MD5 or XFRM check dropped)"
            ),
        )
    } else if guessed > 0 {
        (
            Severity::Warning,
            format!(
                "ListenOverflows rose by {guessed} (ListenDrops by {guessed_drops}) in {window}, unattributed: \
                 no listener's accept queue was full or near full at those samples (a queue that fills \
                 and drains between samples; a shorter --interval can catch it)"
            ),
        )
    } else {
        return None;
    };
    Some(Finding {
        rule: Rule::AcceptQueueOverflow,
        target,
        severity,
        message,
    })
}

/// The target name of a UNIX listener: its path, or `inode N` when unnamed.
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
    let target = Target::unix(u);
    let name = &target.name;
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
        target,
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
