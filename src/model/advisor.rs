//! The tunables advisor: for each TCP tunable sockscope reads, its current
//! value, the commonly recommended production value, and one line of why,
//! tied to the live alerts when one concerns it. Advice only: sockscope
//! never writes a sysctl.

use super::aggregate::Aggregate;
use super::alerts::{AlertSet, Rule, Severity};
use super::snapshot::{Snapshot, TcpState};

/// Advice on one tunable.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    /// Sysctl name (`net.core.somaxconn`).
    pub sysctl: &'static str,
    /// Current value, whitespace folded; `None` when it could not be read.
    pub current: Option<String>,
    /// The recommended value.
    pub recommended: String,
    /// Whether the current value already meets the recommendation.
    pub ok: bool,
    /// One line of why, with today's numbers.
    pub reason: String,
    /// The most severe live alert this tunable bears on, if any.
    pub alert: Option<(Rule, Severity)>,
}

/// The least `tcp_max_tw_buckets` advised, whatever the TIME_WAIT count.
const MIN_TW_BUCKETS: u64 = 65_536;

/// Size of the port range `1024 65535`.
const FULL_RANGE: u64 = 65535 - 1024 + 1;

/// Advice for every tunable of `snapshot`, given the `alerts` active at it.
pub fn advise(snapshot: &Snapshot, agg: &Aggregate, alerts: &AlertSet) -> Vec<Advice> {
    let num = |name| snapshot.tunable_u64(name);
    let cur = |name: &str| snapshot.tunables.get(name).cloned();
    let hot = |rules: &[Rule]| {
        alerts
            .active
            .iter()
            .filter(|a| rules.contains(&a.rule))
            .map(|a| (a.rule, a.severity))
            .max_by_key(|(_, s)| *s)
    };
    let count = |rule: Rule| alerts.active.iter().filter(|a| a.rule == rule).count();
    let tw = agg.totals[TcpState::TimeWait];
    let mut out = Vec::new();

    let alert = hot(&[Rule::AcceptQueueOverflow, Rule::BacklogClamped]);
    out.push(Advice {
        sysctl: "net.core.somaxconn",
        current: cur("net.core.somaxconn"),
        recommended: "4096".into(),
        ok: num("net.core.somaxconn").is_some_and(|v| v >= 4096),
        reason: match alert {
            Some(_) => format!(
                "{} listener(s) with a full accept queue, {} at the somaxconn cap: listen() backlogs are capped here",
                count(Rule::AcceptQueueOverflow),
                count(Rule::BacklogClamped)
            ),
            None => "caps every listen() backlog; room for bursts while the app accepts".into(),
        },
        alert,
    });

    let alert = hot(&[Rule::SynBacklog, Rule::SynFlood]);
    out.push(Advice {
        sysctl: "net.ipv4.tcp_max_syn_backlog",
        current: cur("net.ipv4.tcp_max_syn_backlog"),
        recommended: "4096".into(),
        ok: num("net.ipv4.tcp_max_syn_backlog").is_some_and(|v| v >= 4096),
        reason: match alert {
            Some(_) => format!(
                "{} SYN_RECV now and the SYN queue is filling: half-open handshakes are limited here",
                agg.totals[TcpState::SynRecv]
            ),
            None => "limit of half-open handshakes per listener (with the backlog)".into(),
        },
        alert,
    });

    let alert = hot(&[Rule::SynFlood]);
    out.push(Advice {
        sysctl: "net.ipv4.tcp_syncookies",
        current: cur("net.ipv4.tcp_syncookies"),
        recommended: "1".into(),
        ok: num("net.ipv4.tcp_syncookies") == Some(1),
        reason: match alert {
            Some(_) => "the SYN queue overflows: cookies keep accepting handshakes instead of dropping them".into(),
            None => "answers with SYN cookies only when the SYN queue overflows".into(),
        },
        alert,
    });

    let alert = hot(&[Rule::AcceptQueueOverflow]);
    out.push(Advice {
        sysctl: "net.ipv4.tcp_abort_on_overflow",
        current: cur("net.ipv4.tcp_abort_on_overflow"),
        recommended: "0".into(),
        ok: num("net.ipv4.tcp_abort_on_overflow") == Some(0),
        reason: match alert {
            Some(_) if num("net.ipv4.tcp_abort_on_overflow") == Some(1) => {
                "accept queues overflow now and 1 resets those clients; 0 lets them retry".into()
            }
            Some(_) => {
                "accept queues overflow now; 0 lets clients retry instead of being reset".into()
            }
            None => "0 lets clients retry a handshake that met a full accept queue".into(),
        },
        alert,
    });

    out.push(Advice {
        sysctl: "net.ipv4.tcp_fin_timeout",
        current: cur("net.ipv4.tcp_fin_timeout"),
        recommended: "30".into(),
        ok: num("net.ipv4.tcp_fin_timeout").is_some_and(|v| v <= 30),
        reason: format!(
            "how long orphaned FIN_WAIT2 sockets linger ({} in FIN_WAIT2 now)",
            agg.totals[TcpState::FinWait2]
        ),
        alert: None,
    });

    let alert = hot(&[Rule::EphemeralPortExhaustion]);
    out.push(Advice {
        sysctl: "net.ipv4.tcp_tw_reuse",
        current: cur("net.ipv4.tcp_tw_reuse"),
        recommended: "1".into(),
        ok: num("net.ipv4.tcp_tw_reuse") == Some(1),
        reason: match alert {
            Some(_) => format!(
                "{} destination(s) running out of local ports: outbound connects may reuse TIME_WAIT ports",
                count(Rule::EphemeralPortExhaustion)
            ),
            None => "outbound connects may reuse TIME_WAIT ports (safe with TCP timestamps)".into(),
        },
        alert,
    });

    let alert = hot(&[Rule::TimeWaitPressure]);
    let want_tw = (2 * tw).max(MIN_TW_BUCKETS);
    out.push(Advice {
        sysctl: "net.ipv4.tcp_max_tw_buckets",
        current: cur("net.ipv4.tcp_max_tw_buckets"),
        recommended: format!(">= {want_tw}"),
        ok: num("net.ipv4.tcp_max_tw_buckets").is_some_and(|v| v >= want_tw) && alert.is_none(),
        reason: match alert {
            Some(_) => format!(
                "{tw} TIME_WAIT sockets are near the limit: closing connections skip TIME_WAIT"
            ),
            None => format!("TIME_WAIT sockets kept at most; {tw} now, keep twice that or more"),
        },
        alert,
    });

    let alert = hot(&[Rule::EphemeralPortExhaustion]);
    let size = snapshot.ephemeral_port_count();
    out.push(Advice {
        sysctl: "net.ipv4.ip_local_port_range",
        current: cur("net.ipv4.ip_local_port_range"),
        recommended: "1024 65535".into(),
        ok: size.is_some_and(|s| s >= FULL_RANGE),
        reason: match (alert, size) {
            (Some(_), Some(s)) => format!(
                "{} destination(s) near the {s} local ports of the range: widen it",
                count(Rule::EphemeralPortExhaustion)
            ),
            (_, Some(s)) => format!("{s} local ports per destination and local address"),
            (_, None) => "local ports per destination and local address".into(),
        },
        alert,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerts::{Alert, Target};
    use crate::model::fixtures::snapshot;

    fn snap(tunables: &[(&str, &str)]) -> Snapshot {
        let mut s = snapshot("2026-11-24T00:00:00Z", vec![]);
        for (k, v) in tunables {
            s.tunables.insert((*k).into(), (*v).into());
        }
        s
    }

    #[test]
    fn a_live_alert_makes_its_advice_stand_out() {
        let s = snap(&[
            ("net.core.somaxconn", "128"),
            ("net.ipv4.tcp_abort_on_overflow", "1"),
        ]);
        let agg = Aggregate::build(&s);
        let alert = Alert {
            rule: Rule::AcceptQueueOverflow,
            severity: Severity::Critical,
            peak: Severity::Critical,
            target: Target::new(crate::model::TargetKind::Listener, "0.0.0.0:80"),
            message: String::new(),
            since: s.taken_at,
        };
        let set = AlertSet {
            active: vec![alert],
            ..AlertSet::default()
        };
        let advice = advise(&s, &agg, &set);
        let somaxconn = &advice[0];
        assert_eq!(somaxconn.current.as_deref(), Some("128"));
        assert!(!somaxconn.ok);
        assert_eq!(
            somaxconn.alert,
            Some((Rule::AcceptQueueOverflow, Severity::Critical))
        );
        assert_eq!(
            somaxconn.reason,
            "1 listener(s) with a full accept queue, 0 at the somaxconn cap: listen() backlogs are capped here"
        );
        assert_eq!(
            advice[3].reason,
            "accept queues overflow now and 1 resets those clients; 0 lets them retry"
        );
        let quiet = advise(&s, &agg, &AlertSet::default());
        assert!(quiet.iter().all(|a| a.alert.is_none()));
        assert_eq!(quiet[7].current, None, "unread tunables show as unknown");
        assert!(!quiet[7].ok);
    }
}
