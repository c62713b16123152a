//! `ephemeral_port_exhaustion`: local ports in use toward one destination
//! from one local address, against the size of `ip_local_port_range`, with
//! a time-to-exhaustion forecast from the growth over the window.

use jiff::SignedDuration;

use super::engine::Ctx;
use super::{Finding, Rule, Severity, Target, human_duration};
use crate::model::snapshot::TcpState;

/// The rule, for every remote.
pub(super) fn ephemeral_port_exhaustion(ctx: &Ctx, notes: &mut Vec<String>) -> Vec<Finding> {
    let Some(range) = ctx.latest.snapshot.ephemeral_port_count() else {
        notes.push(
            "ephemeral_port_exhaustion: net.ipv4.ip_local_port_range is unknown; rule skipped"
                .to_owned(),
        );
        return Vec::new();
    };
    let ep = &ctx.t.ephemeral_ports;
    let horizon = SignedDuration::try_from(ep.forecast_horizon).unwrap_or(SignedDuration::MAX);
    let first = ctx.window().next();
    let mut out = Vec::new();
    for r in &ctx.latest.agg.remotes {
        let share = r.local_ports as f64 / range as f64;
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
            (secs > 0.0).then(|| (r.local_ports as f64 - then.local_ports as f64) / secs)
        });
        let left = range.saturating_sub(r.local_ports);
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
        let mut message = format!(
            "connections to {} from {} use {} of {range} local ports ({}%, {} in TIME_WAIT)",
            r.remote,
            r.local_ip,
            r.local_ports,
            (share * 100.0) as u64,
            r.states[TcpState::TimeWait]
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
        out.push(Finding {
            rule: Rule::EphemeralPortExhaustion,
            target: Target::remote(r),
            severity,
            message,
        });
    }
    out
}
