//! Which namespaces get a full-state dump this round (`--full-dump-budget`).
//!
//! The queues tier (LISTEN-only dumps, sockstat, counters) runs every
//! round everywhere; the dump of every other state walks the host-wide
//! established hash once per namespace, so it runs under a budget of CPU
//! time: a share of one core, earned as wall time passes and spent as
//! thread CPU time of the full dumps. Pure policy: the caller measures the
//! time and the costs and passes them in.
//!
//! Order of need: the focused namespace (the drill-down, the picked
//! namespace) and namespaces never dumped always get one; then namespaces
//! with active alerts, then those whose sockstat moved since their last
//! full dump, then the rest, each group oldest first (round-robin). The
//! first candidate that does not fit the credit stops the round, so an
//! expensive namespace is not starved by cheap ones behind it.

use std::time::Duration;

use jiff::Timestamp;

use crate::model::tiers::{Sockstat, StatesTier, Tiers};

/// The default budget: a fifth of one core.
pub const DEFAULT_BUDGET_PERCENT: f64 = 20.0;

/// Credit is earned for at most this much wall time ahead, so an idle
/// stretch does not buy a burst of dumps.
const CREDIT_HORIZON: Duration = Duration::from_secs(10);

/// A namespace's last full dump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastFull {
    /// Time since it started.
    pub age: Duration,
    /// Thread CPU time it cost, microseconds.
    pub cost_us: u64,
    /// How far the namespace's sockstat moved since then, in sockets
    /// ([`crate::model::tiers::Sockstat::distance`]).
    pub change: u64,
}

/// One namespace's standing for this round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    /// The user is looking at its states (drill-down, picked namespace).
    pub focused: bool,
    /// It has an active alert.
    pub alerting: bool,
    /// Its last full dump; `None` when it never had one.
    pub last: Option<LastFull>,
}

/// The credit of CPU time for full dumps, carried from round to round.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Share of one core, 0 to 1.
    share: f64,
    /// Microseconds of thread CPU time that may still be spent; negative
    /// after a round that had to spend more (focus, first dumps).
    credit_us: f64,
}

/// Why a budget is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "--full-dump-budget {0}: expected a percentage of one core from 0 to 100 (e.g. 20; 0 dumps only the focused and new namespaces' states)"
)]
pub struct BadBudget(pub String);

/// Parses `--full-dump-budget PERCENT`.
pub fn parse_budget(text: &str) -> Result<f64, BadBudget> {
    let bad = || BadBudget(text.to_owned());
    let v: f64 = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| bad())?;
    if !(0.0..=100.0).contains(&v) {
        return Err(bad());
    }
    Ok(v)
}

impl Schedule {
    /// A schedule spending `percent` of one core (0 to 100).
    pub fn new(percent: f64) -> Schedule {
        Schedule {
            share: percent.clamp(0.0, 100.0) / 100.0,
            credit_us: 0.0,
        }
    }

    /// Plans a round `elapsed` after the previous one: for each candidate,
    /// whether it gets a full dump.
    pub fn plan(&mut self, elapsed: Duration, candidates: &[Candidate]) -> Vec<bool> {
        let largest = candidates
            .iter()
            .filter_map(|c| c.last.map(|l| l.cost_us as f64))
            .fold(0.0, f64::max);
        let cap = (self.share * CREDIT_HORIZON.as_micros() as f64).max(largest);
        self.credit_us = (self.credit_us + self.share * elapsed.as_micros() as f64).min(cap);

        let mut full: Vec<bool> = candidates
            .iter()
            .map(|c| c.focused || c.last.is_none())
            .collect();
        let mut available = self.credit_us;
        for (c, &f) in candidates.iter().zip(&full) {
            if f {
                available -= c.last.map_or(0.0, |l| l.cost_us as f64);
            }
        }
        let mut rest: Vec<usize> = (0..candidates.len()).filter(|&i| !full[i]).collect();
        rest.sort_by_key(|&i| {
            let c = &candidates[i];
            let last = c.last.expect("never-dumped candidates are already chosen");
            let group = if c.alerting {
                0
            } else if last.change > 0 {
                1
            } else {
                2
            };
            (group, std::cmp::Reverse(last.age))
        });
        for i in rest {
            let cost = candidates[i].last.map_or(0.0, |l| l.cost_us as f64);
            if cost > available {
                break;
            }
            available -= cost;
            full[i] = true;
        }
        full
    }

    /// Spends what the round's full dumps cost, microseconds of thread CPU time.
    pub fn charge(&mut self, cpu_us: u64) {
        self.credit_us -= cpu_us as f64;
    }
}

/// What a scheduler of several namespaces remembers of one, from the
/// tiers of its samples.
#[derive(Clone, Debug, Default)]
pub struct Standing {
    /// Start, state-dump cost and sockstat of its last full dump.
    last_full: Option<(Timestamp, u64, Option<Sockstat>)>,
    /// Its newest sockstat.
    sockstat: Option<Sockstat>,
}

impl Standing {
    /// Its candidacy for a round starting at `now`.
    pub fn candidate(&self, now: Timestamp, focused: bool, alerting: bool) -> Candidate {
        Candidate {
            focused,
            alerting,
            last: self.last_full.map(|(at, cost_us, then)| LastFull {
                age: now.duration_since(at).unsigned_abs(),
                cost_us,
                change: match (&self.sockstat, &then) {
                    (Some(now), Some(then)) => now.distance(then),
                    _ => 0,
                },
            }),
        }
    }

    /// Takes in a sample collected at `taken_at` with `tiers`; returns
    /// the CPU time its state dumps cost, to [`Schedule::charge`] (0 for a
    /// namespace's first full dump, which happens whatever the budget: its
    /// debt would cost the next rounds their dumps).
    pub fn update(&mut self, taken_at: Timestamp, tiers: &Tiers) -> u64 {
        self.sockstat = tiers.sockstat;
        if tiers.states != StatesTier::FullDump {
            return 0;
        }
        let first = self.last_full.is_none();
        self.last_full = Some((taken_at, tiers.states_cpu_us, tiers.sockstat));
        if first { 0 } else { tiers.states_cpu_us }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn dumped(age_s: u64, cost_us: u64, change: u64) -> Candidate {
        Candidate {
            last: Some(LastFull {
                age: Duration::from_secs(age_s),
                cost_us,
                change,
            }),
            ..Candidate::default()
        }
    }

    /// Runs `rounds` one second apart over candidates that cost `costs`,
    /// charging what was dumped; returns each round's plan.
    fn run(schedule: &mut Schedule, mut cands: Vec<Candidate>, rounds: usize) -> Vec<Vec<bool>> {
        (0..rounds)
            .map(|_| {
                let plan = schedule.plan(SECOND, &cands);
                for (c, &f) in cands.iter_mut().zip(&plan) {
                    let last = c.last.get_or_insert(LastFull {
                        age: Duration::ZERO,
                        cost_us: 1_000,
                        change: 0,
                    });
                    if f {
                        schedule.charge(last.cost_us);
                        last.age = Duration::ZERO;
                    }
                    last.age += SECOND;
                }
                plan
            })
            .collect()
    }

    #[test]
    fn below_the_budget_every_round_is_a_full_dump() {
        let mut s = Schedule::new(20.0);
        let plans = run(&mut s, vec![dumped(1, 80_000, 0)], 30);
        assert!(plans.iter().all(|p| p == &[true]), "{plans:?}");
    }

    #[test]
    fn over_the_budget_a_namespace_is_dumped_as_often_as_the_budget_allows() {
        let mut s = Schedule::new(20.0);
        let plans = run(&mut s, vec![dumped(1, 600_000, 0)], 30);
        let dumps = plans.iter().filter(|p| p[0]).count();
        assert_eq!(dumps, 10, "0.2 s of CPU a second buys one 0.6 s dump in 3");
    }

    #[test]
    fn a_zero_budget_still_dumps_the_focused_namespace_every_round() {
        let mut s = Schedule::new(0.0);
        let mut focused = dumped(1, 5_000, 0);
        focused.focused = true;
        let cands = vec![dumped(9, 10, 50), focused, dumped(3, 10, 0)];
        for plan in run(&mut s, cands, 20) {
            assert_eq!(plan, [false, true, false]);
        }
    }

    #[test]
    fn never_dumped_namespaces_are_dumped_at_once_whatever_the_budget() {
        let mut s = Schedule::new(0.0);
        let cands = [Candidate::default(), dumped(100, 10, 0)];
        assert_eq!(s.plan(Duration::ZERO, &cands), [true, false]);
    }

    #[test]
    fn alerts_then_change_then_age_decide_who_fits() {
        let mut s = Schedule::new(1.0);
        let mut alerting = dumped(1, 4_000, 0);
        alerting.alerting = true;
        let cands = [
            dumped(50, 4_000, 0),
            dumped(2, 4_000, 7),
            alerting,
            dumped(60, 4_000, 0),
        ];
        // 1% of 1 s is 10 ms: two dumps of 4 ms fit, the third does not.
        assert_eq!(s.plan(SECOND, &cands), [false, true, true, false]);
        let mut s = Schedule::new(1.0);
        let calm = [
            dumped(50, 4_000, 0),
            dumped(60, 4_000, 0),
            dumped(5, 4_000, 0),
        ];
        assert_eq!(s.plan(SECOND, &calm), [true, true, false], "oldest first");
    }

    #[test]
    fn round_robin_reaches_every_namespace() {
        let mut s = Schedule::new(10.0);
        let cands: Vec<Candidate> = (0..10).map(|i| dumped(i, 30_000, 0)).collect();
        let plans = run(&mut s, cands, 30);
        for ns in 0..10 {
            let rounds: Vec<usize> = plans
                .iter()
                .enumerate()
                .filter(|(_, plan)| plan[ns])
                .map(|(r, _)| r)
                .collect();
            let gaps = rounds.windows(2).map(|w| w[1] - w[0]);
            assert!(rounds.len() >= 9, "namespace {ns}: {rounds:?}");
            assert!(gaps.max().unwrap() <= 4, "namespace {ns}: {rounds:?}");
        }
    }

    #[test]
    fn an_expensive_namespace_is_not_starved_by_cheap_ones() {
        let mut s = Schedule::new(10.0);
        let mut cands = vec![dumped(30, 900_000, 0)];
        cands.extend((0..5).map(|_| dumped(1, 1_000, 3)));
        let plans = run(&mut s, cands, 40);
        assert!(
            plans.iter().filter(|p| p[0]).count() >= 3,
            "the costly one gets its turn: {plans:?}"
        );
    }

    #[test]
    fn budgets_parse_as_percent_of_a_core() {
        assert_eq!(parse_budget("20"), Ok(20.0));
        assert_eq!(parse_budget("2.5%"), Ok(2.5));
        assert_eq!(parse_budget("0"), Ok(0.0));
        let e = parse_budget("150").unwrap_err().to_string();
        assert!(e.starts_with("--full-dump-budget 150: expected"), "{e}");
        assert!(parse_budget("lots").is_err());
        assert!(parse_budget("-1").is_err());
        assert!(parse_budget("NaN").is_err());
    }

    #[test]
    fn a_standing_follows_its_samples_tiers() {
        let at = |s: &str| -> Timestamp { s.parse().unwrap() };
        let stat = |inuse| Sockstat {
            tcp_inuse: inuse,
            ..Sockstat::default()
        };
        let mut st = Standing::default();
        assert_eq!(
            st.candidate(at("2026-12-01T00:00:00Z"), true, false).last,
            None
        );
        let full = Tiers::full(Some(stat(10)), 900);
        let full = Tiers {
            states_cpu_us: 700,
            ..full
        };
        assert_eq!(
            st.update(at("2026-11-30T23:59:59Z"), &full),
            0,
            "the first is free"
        );
        assert_eq!(st.update(at("2026-12-01T00:00:00Z"), &full), 700);
        let kept = Tiers {
            states: StatesTier::Kept,
            sockstat: Some(stat(14)),
            ..Tiers::default()
        };
        assert_eq!(
            st.update(at("2026-12-01T00:00:01Z"), &kept),
            0,
            "nothing to charge"
        );
        let c = st.candidate(at("2026-12-01T00:00:03Z"), false, true);
        assert!(c.alerting && !c.focused);
        assert_eq!(
            c.last,
            Some(LastFull {
                age: Duration::from_secs(3),
                cost_us: 700,
                change: 4
            })
        );
    }
}
