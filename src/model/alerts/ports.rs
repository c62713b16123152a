//! `ephemeral_port_exhaustion`: local ports in use toward one destination
//! from one local address, against the ports `connect()` may pick
//! (`ip_local_port_range` less `ip_local_reserved_ports`), with a
//! time-to-exhaustion forecast from the growth over the window. Ports held
//! by TIME_WAIT do not count where `tcp_tw_reuse` lets `connect()` reuse
//! them toward that destination.

use std::net::IpAddr;

use jiff::SignedDuration;

use super::engine::Ctx;
use super::{Finding, Rule, Severity, Target, human_duration};
use crate::model::aggregate::Remote;
use crate::model::snapshot::{Snapshot, TcpState};

/// Whether `connect()` may take a port held by TIME_WAIT toward `r`
/// (`tcp_twsk_unique`: `tcp_tw_reuse` 1 for any destination, 2 when the
/// source or destination is loopback; timestamps on), with the sentence
/// saying which rule applied. `None` when `tcp_tw_reuse` is unknown.
fn time_wait_reuse(snapshot: &Snapshot, r: &Remote) -> Option<(bool, String)> {
    let reuse = snapshot.tunable_u64("net.ipv4.tcp_tw_reuse")?;
    let loopback = is_loopback(r.remote.ip()) || is_loopback(r.local_ip);
    let verdict = if snapshot.tunable_u64("net.ipv4.tcp_timestamps") == Some(0) {
        (
            false,
            "TIME_WAIT ports count: reusing them needs TCP timestamps, and tcp_timestamps=0"
                .to_owned(),
        )
    } else if reuse == 1 {
        (
            true,
            "TIME_WAIT ports are reusable here: tcp_tw_reuse=1".to_owned(),
        )
    } else if reuse == 2 && loopback {
        (
            true,
            "TIME_WAIT ports are reusable here: tcp_tw_reuse=2 and the destination is loopback"
                .to_owned(),
        )
    } else if reuse == 2 {
        (
            false,
            "TIME_WAIT ports count: tcp_tw_reuse=2 reuses them toward loopback only".to_owned(),
        )
    } else {
        (
            false,
            format!("TIME_WAIT ports count: tcp_tw_reuse={reuse}"),
        )
    };
    Some(verdict)
}

/// Loopback, IPv4-mapped IPv6 loopback included.
fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Local ports toward `r` that a new `connect()` cannot take: all in use,
/// or those not in TIME_WAIT when TIME_WAIT ports are reusable.
fn blocked(r: &Remote, reusable: bool) -> u64 {
    if reusable {
        r.local_ports.saturating_sub(r.states[TcpState::TimeWait])
    } else {
        r.local_ports
    }
}

/// The rule, for every remote.
pub(super) fn ephemeral_port_exhaustion(ctx: &Ctx, notes: &mut Vec<String>) -> Vec<Finding> {
    let snapshot = &ctx.latest.snapshot;
    let (Some(range), Some(size)) = (
        snapshot.usable_ephemeral_ports(),
        snapshot.ephemeral_port_count(),
    ) else {
        notes.push(
            "ephemeral_port_exhaustion: net.ipv4.ip_local_port_range is unknown; rule skipped"
                .to_owned(),
        );
        return Vec::new();
    };
    let reserved = size - range;
    let ep = &ctx.t.ephemeral_ports;
    let horizon = SignedDuration::try_from(ep.forecast_horizon).unwrap_or(SignedDuration::MAX);
    let first = ctx.window().next();
    let mut out = Vec::new();
    for r in &ctx.latest.agg.remotes {
        // Every port counted is the most a remote can use: most remotes stop here.
        if (r.local_ports as f64 / range.max(1) as f64) < ep.forecast_min_ratio.min(ep.warn_ratio) {
            continue;
        }
        let reuse = time_wait_reuse(snapshot, r);
        let reusable = reuse.as_ref().is_some_and(|(yes, _)| *yes);
        let used = blocked(r, reusable);
        let share = used as f64 / range.max(1) as f64;
        if share < ep.forecast_min_ratio.min(ep.warn_ratio) {
            continue;
        }
        // Ports per second over the window, from the oldest frame that has this remote.
        let rate = first.and_then(|f| {
            let then = f
                .agg
                .remotes
                .iter()
                .find(|x| x.remote == r.remote && x.local_ip == r.local_ip)?;
            let secs = ctx.now().duration_since(f.snapshot.taken_at).as_secs_f64();
            (secs > 0.0).then(|| (used as f64 - blocked(then, reusable) as f64) / secs)
        });
        let left = range.saturating_sub(used);
        let eta = rate
            .filter(|&v| v > 0.0)
            .map(|v| SignedDuration::from_secs_f64(left as f64 / v));
        let soon = share >= ep.forecast_min_ratio && eta.is_some_and(|e| e <= horizon);
        let severity = if share >= ep.critical_ratio {
            Severity::Critical
        } else if share >= ep.warn_ratio || soon {
            Severity::Warning
        } else {
            continue;
        };
        let reserved_words = if reserved > 0 {
            format!(" ({reserved} more reserved)")
        } else {
            String::new()
        };
        let mut message = format!(
            "connections to {} from {} use {used} of {range} local ports{reserved_words} ({}%, {} in TIME_WAIT{})",
            r.remote,
            r.local_ip,
            (share * 100.0) as u64,
            r.states[TcpState::TimeWait],
            if reusable { " not counted" } else { "" },
        );
        match (rate, eta) {
            (Some(v), Some(e)) => {
                message += &format!(
                    "; at +{v:.1} ports/s the range is exhausted in about {}",
                    human_duration(e)
                )
            }
            (Some(_), None) => message += "; not growing",
            _ => {}
        }
        if let Some((_, words)) = reuse {
            message += &format!("; {words}");
        }
        out.push(Finding {
            rule: Rule::EphemeralPortExhaustion,
            target: Target::remote(r),
            severity,
            message,
        });
    }
    out
}
