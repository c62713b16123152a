//! Namespace-wide counter rules: `syn_flood` and `time_wait_pressure`.

use super::engine::Ctx;
use super::{Finding, Rule, Severity, Target, TargetKind, window_words};
use crate::model::snapshot::TcpState;

/// The SYN-queue counters `syn_flood` reads, from `TcpExt`.
const SYN_COUNTERS: [&str; 3] = ["SyncookiesSent", "TCPReqQFullDoCookies", "TCPReqQFullDrop"];

/// Notes the counters of `names` missing from the newest sample.
fn note_missing(ctx: &Ctx, rule: Rule, names: &[&str], notes: &mut Vec<String>) {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !ctx.latest.snapshot.counters.contains_key(*n))
        .collect();
    if missing.len() == names.len() {
        notes.push(format!(
            "{rule}: counter {} missing from /proc/net/netstat; not checked",
            missing.join(", ")
        ));
    } else if !missing.is_empty() {
        notes.push(format!(
            "{rule}: counter {} missing from /proc/net/netstat; the rule reads the others",
            missing.join(", ")
        ));
    }
}

/// `syn_flood`: SYN cookies sent or SYNs dropped on a full SYN queue within the window.
pub(super) fn syn_flood(ctx: &Ctx, notes: &mut Vec<String>) -> Vec<Finding> {
    note_missing(ctx, Rule::SynFlood, &SYN_COUNTERS, notes);
    let [sent, cookies, dropped] = SYN_COUNTERS.map(|n| ctx.increase(n).unwrap_or(0));
    let min = ctx.t.syn_flood.min_increase;
    if sent + cookies < min && dropped < min {
        return Vec::new();
    }
    let busiest = ctx
        .latest
        .agg
        .listeners
        .iter()
        .filter(|l| l.states[TcpState::SynRecv] > 0)
        .max_by_key(|l| l.states[TcpState::SynRecv])
        .map(|l| {
            format!(
                "; most SYN_RECV: listener {} ({})",
                l.local,
                l.states[TcpState::SynRecv]
            )
        })
        .unwrap_or_default();
    vec![Finding {
        rule: Rule::SynFlood,
        target: Target::new(TargetKind::Namespace, ctx.latest.snapshot.netns.clone()),
        severity: if dropped >= min {
            Severity::Critical
        } else {
            Severity::Warning
        },
        message: format!(
            "SYN queue overflowing in {}: SyncookiesSent +{sent}, TCPReqQFullDoCookies +{cookies}, \
             TCPReqQFullDrop +{dropped}{busiest}",
            window_words(ctx.t.window)
        ),
    }]
}

/// `time_wait_pressure`: TIME_WAIT against `tcp_max_tw_buckets`, and
/// `TCPTimeWaitOverflow` rising (TIME_WAIT sockets not created: the table is full).
pub(super) fn time_wait_pressure(ctx: &Ctx, notes: &mut Vec<String>) -> Vec<Finding> {
    note_missing(ctx, Rule::TimeWaitPressure, &["TCPTimeWaitOverflow"], notes);
    let snap = &ctx.latest.snapshot;
    let tw = ctx.latest.agg.totals[TcpState::TimeWait];
    let buckets = snap.tunable_u64("net.ipv4.tcp_max_tw_buckets");
    if buckets.is_none() {
        notes.push(
            "time_wait_pressure: net.ipv4.tcp_max_tw_buckets is unknown; only \
             TCPTimeWaitOverflow is checked"
                .to_owned(),
        );
    }
    let overflow = ctx.increase("TCPTimeWaitOverflow").unwrap_or(0);
    let share = buckets.map(|b| if b == 0 { 1.0 } else { tw as f64 / b as f64 });
    let tw_t = &ctx.t.time_wait;
    let severity = if overflow > 0 || share.is_some_and(|s| s >= tw_t.critical_ratio) {
        Severity::Critical
    } else if share.is_some_and(|s| s >= tw_t.warn_ratio) {
        Severity::Warning
    } else {
        return Vec::new();
    };
    let mut message = match buckets {
        Some(b) => format!(
            "{tw} TIME_WAIT sockets, {}% of tcp_max_tw_buckets {b}",
            (share.unwrap_or(0.0) * 100.0) as u64
        ),
        None => format!("{tw} TIME_WAIT sockets"),
    };
    if overflow > 0 {
        message += &format!(
            "; TCPTimeWaitOverflow +{overflow} in {}: closing connections skip TIME_WAIT",
            window_words(ctx.t.window)
        );
    }
    vec![Finding {
        rule: Rule::TimeWaitPressure,
        target: Target::new(TargetKind::Namespace, snap.netns.clone()),
        severity,
        message,
    }]
}
