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
//! with active alerts, then those whose states may have changed since
//! their last full dump, then those proven unchanged ([`Evidence`]), each
//! group oldest first (round-robin: a namespace whose sockets keep
//! changing does not starve the others); a namespace proven unchanged is
//! dumped again only once its dump is [`UNCHANGED_REFRESH`] old. The first candidate that does
//! not fit the credit stops the round, so an expensive namespace is not
//! starved by cheap ones behind it; nor may a round spend more than
//! [`ROUND_SPEND`] rounds' worth of earnings (after its first dump), so
//! that credit saved in quiet rounds (the refreshes of a hundred proven
//! namespaces falling due together) is spread over the next rounds rather
//! than spent in one that then outlasts its interval.
//!
//! A namespace proven unchanged at a sample after its dump is collected
//! with [`Tier::QueuesUnlessMoved`]: if its evidence moves in that very
//! collection, it is dumped there and then, so that its kept states never
//! go out disproved with the age of an old dump (its first sample after
//! the move is a full dump); that unplanned dump is charged like any other.

use std::time::Duration;

use jiff::Timestamp;

use super::tiered::Tier;
use crate::model::tiers::{Sockstat, StatesTier};
use crate::model::{Snapshot, TcpSocket, TcpState};

/// The default budget: 15 % of one core. A state dump of 100k sockets
/// (about 0.1 s of CPU) still fits every 1 s interval; at a million
/// sockets (about 1.3 s each) the dumps leave room for the rest of a
/// dashboard held to 30 % of a core.
pub const DEFAULT_BUDGET_PERCENT: f64 = 15.0;

/// Credit is earned for at most this much wall time ahead, so an idle
/// stretch does not buy a burst of dumps.
const CREDIT_HORIZON: Duration = Duration::from_secs(10);

/// A round spends at most this many times what it earned on the dumps
/// it plans (its first dump excepted, so an expensive namespace still
/// gets its turn once the credit covers it).
pub const ROUND_SPEND: f64 = 2.0;

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
    /// Its states are proven unchanged since that dump ([`Standing::unchanged`]).
    pub unchanged: bool,
    /// And that proof was made at a later sample than the dump's own, on
    /// kept states ([`Standing::proven_kept`]): a namespace whose evidence
    /// moves at every sample is not dumped at every round outside the plan.
    pub proven_kept: bool,
}

/// How old the dump behind states proven unchanged may grow before it is
/// redone (within the budget, after every namespace that may have
/// changed): it refreshes what the proof does not cover, the queued bytes
/// of connections and the UNIX clients.
pub const UNCHANGED_REFRESH: Duration = Duration::from_secs(60);

impl Candidate {
    /// Proven unchanged, its dump younger than [`UNCHANGED_REFRESH`]
    /// (and not alerting): it needs no dump this round.
    fn fresh_enough(&self) -> bool {
        self.unchanged && !self.alerting && self.last.is_some_and(|l| l.age < UNCHANGED_REFRESH)
    }
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
        self.choose(elapsed, candidates).0
    }

    /// [`Schedule::plan`] as the tiers to collect: a full dump, the
    /// queues, or for a candidate [`Candidate::proven_kept`] the queues
    /// unless its evidence moved ([`Tier::QueuesUnlessMoved`]), while the
    /// budget is not zero and its debt stays within what the credit may
    /// hold (so unplanned dumps spend no more than the share over time).
    pub fn tiers(&mut self, elapsed: Duration, candidates: &[Candidate]) -> Vec<Tier> {
        let (full, available) = self.choose(elapsed, candidates);
        let may_borrow = self.share > 0.0 && available > -self.horizon_us();
        full.into_iter()
            .zip(candidates)
            .map(|(full, c)| match full {
                true => Tier::Full,
                false if c.proven_kept && may_borrow => Tier::QueuesUnlessMoved,
                false => Tier::Queues,
            })
            .collect()
    }

    /// What the credit may hold, microseconds: the share over [`CREDIT_HORIZON`].
    fn horizon_us(&self) -> f64 {
        self.share * CREDIT_HORIZON.as_micros() as f64
    }

    /// Which candidates get a full dump, and the credit left once they are planned.
    fn choose(&mut self, elapsed: Duration, candidates: &[Candidate]) -> (Vec<bool>, f64) {
        let largest = candidates
            .iter()
            .filter_map(|c| c.last.map(|l| l.cost_us as f64))
            .fold(0.0, f64::max);
        let cap = self.horizon_us().max(largest);
        let earned = self.share * elapsed.as_micros() as f64;
        self.credit_us = (self.credit_us + earned).min(cap);

        let mut full: Vec<bool> = candidates
            .iter()
            .map(|c| c.focused || c.last.is_none())
            .collect();
        let mut available = self.credit_us;
        let mut spent = 0.0;
        for (c, &f) in candidates.iter().zip(&full) {
            if f {
                let cost = c.last.map_or(0.0, |l| l.cost_us as f64);
                available -= cost;
                spent += cost;
            }
        }
        let mut rest: Vec<usize> = (0..candidates.len())
            .filter(|&i| !full[i] && !candidates[i].fresh_enough())
            .collect();
        rest.sort_by_key(|&i| {
            let c = &candidates[i];
            let last = c.last.expect("never-dumped candidates are already chosen");
            let group = if c.alerting {
                0
            } else if !c.unchanged {
                1
            } else {
                2
            };
            let age = std::cmp::Reverse(last.age);
            (group, age, std::cmp::Reverse(last.change))
        });
        let round_limit = ROUND_SPEND * earned;
        for i in rest {
            let cost = candidates[i].last.map_or(0.0, |l| l.cost_us as f64);
            if cost > available || (spent > 0.0 && spent + cost > round_limit) {
                break;
            }
            available -= cost;
            spent += cost;
            full[i] = true;
        }
        (full, available)
    }

    /// The credit left, microseconds of thread CPU time (negative in debt).
    pub fn credit_us(&self) -> i64 {
        self.credit_us as i64
    }

    /// Spends what the round's full dumps cost, microseconds of thread CPU time.
    pub fn charge(&mut self, cpu_us: u64) {
        self.credit_us -= cpu_us as f64;
    }
}

/// What a sample says, in O(1), of a namespace's sockets other than its
/// listeners. Equal evidence at two samples proves that no TCP socket of
/// the namespace entered, left or changed state in between: every such
/// change sends or receives a segment (`InSegs`, `OutSegs`, or
/// `RetransSegs` for a retransmitted SYN or FIN), except a socket closed
/// in SYN-SENT, an orphan timing out in FIN-WAIT-2 or TIME-WAIT ending,
/// which change `inuse` or `tw` without any segment (and no socket enters
/// without one), and a request socket dropped with its listener, which
/// changes the listener counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// `TCP: inuse`, `TCP6: inuse` and `TCP: tw` of its sockstat.
    inuse: [u64; 3],
    /// Its IPv4 and IPv6 listeners, from the LISTEN-only dumps.
    listeners: [u64; 2],
    /// `Tcp: InSegs`, `OutSegs` and `RetransSegs` of its `/proc/net/snmp`.
    segments: [u64; 3],
}

impl Evidence {
    /// The evidence of `snapshot`; `None` without its sockstat or one of
    /// the segment counters.
    pub fn of(snapshot: &Snapshot) -> Option<Evidence> {
        let stat = snapshot.collector.tiers.as_ref()?.sockstat?;
        Evidence::read(&stat, snapshot.tcp.iter(), &snapshot.counters)
    }

    /// The evidence of a collection's `sockstat`, TCP sockets (only its
    /// listeners count) and `counters`; `None` without one of the segment
    /// counters.
    pub fn read<'a>(
        stat: &Sockstat,
        sockets: impl Iterator<Item = &'a TcpSocket>,
        counters: &std::collections::BTreeMap<String, u64>,
    ) -> Option<Evidence> {
        let counter = |name: &str| counters.get(name).copied();
        let mut listeners = [0, 0];
        for s in sockets.filter(|s| s.state == TcpState::Listen) {
            listeners[usize::from(!s.local.is_ipv4())] += 1;
        }
        Some(Evidence {
            inuse: [stat.tcp_inuse, stat.tcp6_inuse, stat.tcp_tw],
            listeners,
            segments: [
                counter("InSegs")?,
                counter("OutSegs")?,
                counter("RetransSegs")?,
            ],
        })
    }
}

/// The tier a [`Tier::QueuesUnlessMoved`] collection takes, given the
/// evidence of its kept states' dump and that of its own queues: the
/// queues while they are equal, else a full dump.
pub fn unless_moved(kept: Option<&Evidence>, now: Option<&Evidence>) -> Tier {
    match (kept, now) {
        (Some(kept), Some(now)) if kept == now => Tier::Queues,
        _ => Tier::Full,
    }
}

/// A namespace's last full dump as the scheduler remembers it.
#[derive(Clone, Copy, Debug)]
struct Dumped {
    /// When its collection started.
    at: Timestamp,
    /// Thread CPU time of its state dumps, microseconds.
    cost_us: u64,
    /// Its sockstat.
    sockstat: Option<Sockstat>,
    /// Its evidence.
    evidence: Option<Evidence>,
}

/// What a scheduler of several namespaces remembers of one, from its samples.
#[derive(Clone, Debug, Default)]
pub struct Standing {
    /// Its last full dump.
    last_full: Option<Dumped>,
    /// Its newest sockstat.
    sockstat: Option<Sockstat>,
    /// Its newest evidence.
    evidence: Option<Evidence>,
    /// Whether its newest sample kept its states (was not a full dump).
    kept: bool,
}

impl Standing {
    /// Its candidacy for a round starting at `now`.
    pub fn candidate(&self, now: Timestamp, focused: bool, alerting: bool) -> Candidate {
        Candidate {
            focused,
            alerting,
            last: self.last_full.map(|d| LastFull {
                age: now.duration_since(d.at).unsigned_abs(),
                cost_us: d.cost_us,
                change: match (&self.sockstat, &d.sockstat) {
                    (Some(now), Some(then)) => now.distance(then),
                    _ => 0,
                },
            }),
            unchanged: self.unchanged(),
            proven_kept: self.proven_kept(),
        }
    }

    /// Whether the newest sample kept its states and proved them
    /// unchanged ([`Standing::unchanged`] at a sample after the dump's).
    pub fn proven_kept(&self) -> bool {
        self.kept && self.unchanged()
    }

    /// Whether the newest sample proves the states of the last full dump
    /// still current: both have [`Evidence`] and it is equal.
    pub fn unchanged(&self) -> bool {
        matches!(
            (&self.evidence, self.last_full.as_ref().and_then(|d| d.evidence.as_ref())),
            (Some(now), Some(then)) if now == then
        )
    }

    /// Takes in a sample; returns the CPU time its state dumps cost, to
    /// [`Schedule::charge`] (0 for a namespace's first full dump, which
    /// happens whatever the budget: its debt would cost the next rounds
    /// their dumps).
    pub fn update(&mut self, snapshot: &Snapshot) -> u64 {
        let Some(tiers) = &snapshot.collector.tiers else {
            return 0;
        };
        self.sockstat = tiers.sockstat;
        self.evidence = Evidence::of(snapshot);
        self.kept = tiers.states != StatesTier::FullDump;
        if self.kept {
            return 0;
        }
        let first = self.last_full.is_none();
        self.last_full = Some(Dumped {
            at: snapshot.taken_at,
            cost_us: tiers.states_cpu_us,
            sockstat: tiers.sockstat,
            evidence: self.evidence,
        });
        if first { 0 } else { tiers.states_cpu_us }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

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

    /// The rounds of `plans` in which namespace `ns` got a full dump.
    fn dumped_in(plans: &[Vec<bool>], ns: usize) -> Vec<usize> {
        (0..plans.len()).filter(|&r| plans[r][ns]).collect()
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
    fn alerts_then_possible_change_then_age_decide_who_fits() {
        let mut s = Schedule::new(1.0);
        let mut alerting = dumped(1, 4_000, 0);
        alerting.alerting = true;
        let mut proven = dumped(90, 4_000, 0);
        proven.unchanged = true;
        let mut recent = dumped(59, 1, 0);
        recent.unchanged = true;
        let cands = [
            dumped(50, 4_000, 0),
            dumped(2, 4_000, 7),
            alerting,
            proven,
            dumped(60, 4_000, 0),
            recent,
        ];
        // 1% of 1 s is 10 ms: two dumps of 4 ms fit, the third does not.
        assert_eq!(
            s.plan(SECOND, &cands),
            [false, false, true, false, true, false]
        );
        let mut s = Schedule::new(1.0);
        let calm = [
            dumped(50, 4_000, 0),
            dumped(60, 4_000, 0),
            dumped(5, 4_000, 9),
        ];
        assert_eq!(s.plan(SECOND, &calm), [true, true, false], "oldest first");
        let mut s = Schedule::new(2.0);
        let mut proven = calm;
        proven[1].unchanged = true;
        assert!(proven[1].last.unwrap().age >= UNCHANGED_REFRESH);
        assert_eq!(
            s.plan(SECOND, &proven),
            [true, true, true],
            "proven unchanged ones get what is left"
        );
        let mut s = Schedule::new(1.0);
        assert_eq!(s.plan(SECOND, &proven), [true, false, true]);
    }

    #[test]
    fn proven_unchanged_namespaces_wait_for_their_refresh_whatever_the_credit() {
        let mut s = Schedule::new(100.0);
        let mut quiet = dumped(1, 1_000, 0);
        quiet.unchanged = true;
        let mut plans = Vec::new();
        for age in [1, 30, 59, 60, 61] {
            quiet.last = quiet.last.map(|l| LastFull {
                age: Duration::from_secs(age),
                ..l
            });
            plans.push(s.plan(SECOND, &[quiet])[0]);
        }
        assert_eq!(plans, [false, false, false, true, true]);
        quiet.alerting = true;
        quiet.last = quiet.last.map(|l| LastFull { age: SECOND, ..l });
        assert_eq!(s.plan(SECOND, &[quiet]), [true], "an alert wants it fresh");
    }

    #[test]
    fn a_namespace_that_keeps_changing_does_not_starve_the_quiet_ones() {
        // The --namespaces 100 bench: the load's namespace (125 ms a dump,
        // its sockstat moving every round) and 100 small namespaces whose
        // dumps walk the same host-wide hash (15 ms each), at 20 %.
        let mut s = Schedule::new(20.0);
        let mut cands = vec![dumped(1, 125_000, 500)];
        cands.extend((0..100).map(|i| dumped(i % 10 + 1, 15_000, 0)));
        let plans = run(&mut s, cands, 60);
        for ns in 0..101 {
            let rounds = dumped_in(&plans, ns);
            let gaps = rounds.windows(2).map(|w| w[1] - w[0]).max();
            assert!(
                rounds.first().is_some_and(|&r| r < 10) && gaps.is_some_and(|g| g <= 10),
                "namespace {ns} dumped in rounds {rounds:?}"
            );
        }
    }

    #[test]
    fn round_robin_reaches_every_namespace() {
        let mut s = Schedule::new(10.0);
        let cands: Vec<Candidate> = (0..10).map(|i| dumped(i, 30_000, 0)).collect();
        let plans = run(&mut s, cands, 30);
        for ns in 0..10 {
            let rounds = dumped_in(&plans, ns);
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

    /// One namespace of [`Bench`]: what a dump costs and the rounds in
    /// which its sockets move.
    struct Scripted {
        cost_us: u64,
        moves: Vec<usize>,
        dump_age: Duration,
        moved_since_dump: bool,
        kept: bool,
    }

    /// What [`Bench::run`] saw.
    #[derive(Debug, Default)]
    struct Seen {
        /// Kept states shown although disproved, so with their dump's
        /// age: (namespace, round, age).
        shown: Vec<(usize, usize, Duration)>,
        /// The CPU time of the dumps of each round, microseconds.
        spent_us: Vec<u64>,
        /// The rounds in which each namespace was dumped.
        dumps: Vec<Vec<usize>>,
    }

    /// The collectors of `AllNetns` with scripted costs: each round plans
    /// [`Schedule::tiers`] from what the samples so far proved, then each
    /// namespace's sockets move if its script says so, then it is
    /// collected at its tier (a [`Tier::QueuesUnlessMoved`] one dumps when
    /// it moved since its dump); a kept sample that moved since its dump
    /// shows that dump's age. With `old_plan`, every tier the schedule
    /// would collect unless moved is collected as the queues alone, as
    /// before it could ask for that.
    struct Bench {
        spaces: Vec<Scripted>,
        old_plan: bool,
    }

    impl Bench {
        fn new(costs_moves: Vec<(u64, Vec<usize>)>) -> Bench {
            let spaces = costs_moves
                .into_iter()
                .map(|(cost_us, moves)| Scripted {
                    cost_us,
                    moves,
                    dump_age: Duration::ZERO,
                    moved_since_dump: false,
                    kept: false,
                })
                .collect();
            Bench {
                spaces,
                old_plan: false,
            }
        }

        /// `rounds` rounds one second apart, after every namespace's first
        /// dump (taken in round 0).
        fn run(&mut self, schedule: &mut Schedule, rounds: usize) -> Seen {
            let mut seen = Seen {
                dumps: vec![vec![0]; self.spaces.len()],
                ..Seen::default()
            };
            for round in 1..=rounds {
                for ns in &mut self.spaces {
                    ns.dump_age += SECOND;
                }
                let cands: Vec<Candidate> = self
                    .spaces
                    .iter()
                    .map(|ns| Candidate {
                        last: Some(LastFull {
                            age: ns.dump_age,
                            cost_us: ns.cost_us,
                            change: u64::from(ns.moved_since_dump),
                        }),
                        unchanged: !ns.moved_since_dump,
                        proven_kept: ns.kept && !ns.moved_since_dump,
                        ..Candidate::default()
                    })
                    .collect();
                let tiers = schedule.tiers(SECOND, &cands);
                let mut spent = 0;
                for (i, (ns, tier)) in self.spaces.iter_mut().zip(tiers).enumerate() {
                    ns.moved_since_dump |= ns.moves.contains(&round);
                    let dump = match tier {
                        Tier::Full => true,
                        Tier::QueuesUnlessMoved => !self.old_plan && ns.moved_since_dump,
                        Tier::Queues => false,
                    };
                    ns.kept = !dump;
                    if dump {
                        ns.dump_age = Duration::ZERO;
                        ns.moved_since_dump = false;
                        schedule.charge(ns.cost_us);
                        spent += ns.cost_us;
                        seen.dumps[i].push(round);
                    } else if ns.moved_since_dump {
                        seen.shown.push((i, round, ns.dump_age));
                    }
                }
                seen.spent_us.push(spent);
            }
            seen
        }
    }

    /// The `--namespaces 100` bench as the dashboard's debug log showed
    /// it: the load's namespace (a 100 ms dump), the host (40 ms) and 100
    /// small namespaces (15 ms, their dumps walking the same host-wide
    /// hash), all quiet after their first dump, so proven unchanged; the
    /// load's 50,000 TIME_WAIT sockets expire from 51 s on, 60 s after they
    /// were made, and the host sees a few segments at 59 s.
    fn bench_of_the_log() -> Bench {
        let mut spaces = vec![(100_000, (51..=62).collect()), (40_000, vec![59])];
        spaces.extend((0..100).map(|_| (15_000, Vec::new())));
        Bench::new(spaces)
    }

    #[test]
    fn a_proof_that_breaks_brings_a_full_dump_in_the_round_it_breaks() {
        let mut old = bench_of_the_log();
        old.old_plan = true;
        let seen = old.run(&mut Schedule::new(DEFAULT_BUDGET_PERCENT), 90);
        for event in [(0, 51, secs(51)), (1, 59, secs(59))] {
            assert!(
                seen.shown.contains(&event),
                "queues alone for a proven namespace: the load's states go out 51 s old, the host's 59 s: {:?}",
                seen.shown
            );
        }

        let seen = bench_of_the_log().run(&mut Schedule::new(DEFAULT_BUDGET_PERCENT), 90);
        assert!(
            !seen.shown.is_empty(),
            "the load keeps moving after its dump"
        );
        assert!(
            seen.shown
                .iter()
                .all(|&(ns, _, age)| ns == 0 && age == SECOND),
            "only the round after the load's dump, its TIME_WAIT sockets still expiring, shows kept states, a second old: {:?}",
            seen.shown
        );
        assert_eq!(&seen.dumps[1][..2], [0, 59], "the host, dumped as it moves");
        assert!(
            seen.dumps[0].starts_with(&[0, 51]),
            "the load, dumped as its proof breaks: {:?}",
            seen.dumps[0]
        );
    }

    #[test]
    fn refreshes_falling_due_together_are_spread_over_rounds() {
        let mut bench = bench_of_the_log();
        let mut s = Schedule::new(DEFAULT_BUDGET_PERCENT);
        let seen = bench.run(&mut s, 150);
        // 20 % of a 1 s round, twice over, beside the round's first dump.
        let limit = 400_000 + 100_000;
        let busiest = seen.spent_us.iter().copied().max().unwrap();
        assert!(
            busiest <= limit,
            "a round spent {busiest} us: {:?}",
            seen.spent_us
        );
        for (ns, rounds) in seen.dumps.iter().enumerate() {
            let gaps = rounds.iter().chain([&150]).collect::<Vec<_>>();
            let longest = gaps.windows(2).map(|w| w[1] - w[0]).max();
            assert!(
                rounds.len() >= 3 && longest.is_some_and(|g| g <= 60 + 20),
                "namespace {ns}, dumped in rounds {rounds:?}: refreshed within 20 s of falling due"
            );
        }
        assert!(
            seen.shown.iter().all(|&(_, _, age)| age <= secs(10)),
            "{:?}",
            seen.shown
        );
    }

    #[test]
    fn queues_unless_moved_needs_a_budget_and_a_proof_on_kept_states() {
        let mut proven = dumped(5, 15_000, 0);
        proven.unchanged = true;
        let mut kept = proven;
        kept.proven_kept = true;
        let cands = [proven, kept, dumped(5, 15_000, 3)];
        assert_eq!(
            Schedule::new(20.0).tiers(Duration::ZERO, &cands),
            [Tier::Queues, Tier::QueuesUnlessMoved, Tier::Queues],
            "proven only by its own dump's sample: its sockets may move at every round"
        );
        assert_eq!(
            Schedule::new(0.0).tiers(SECOND, &cands),
            [Tier::Queues; 3],
            "no budget: only the focused and new namespaces are dumped"
        );
        let mut s = Schedule::new(20.0);
        s.charge(2_000_001);
        assert_eq!(
            s.tiers(Duration::ZERO, &cands)[1],
            Tier::Queues,
            "in debt beyond what the credit may hold"
        );
    }

    #[test]
    fn unless_moved_dumps_when_the_evidence_moved_or_is_missing() {
        let at = "2026-12-01T00:00:00Z";
        let ls = ["127.0.0.1:80"];
        let e =
            |inuse, segs| Evidence::of(&sample(at, StatesTier::Kept, inuse, segs, &ls)).unwrap();
        let kept = e(3, [10, 20, 1]);
        assert_eq!(
            unless_moved(Some(&kept), Some(&e(3, [10, 20, 1]))),
            Tier::Queues
        );
        assert_eq!(
            unless_moved(Some(&kept), Some(&e(3, [11, 20, 1]))),
            Tier::Full
        );
        assert_eq!(
            unless_moved(Some(&kept), Some(&e(4, [10, 20, 1]))),
            Tier::Full
        );
        assert_eq!(unless_moved(None, Some(&kept)), Tier::Full);
        assert_eq!(unless_moved(Some(&kept), None), Tier::Full);
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

    /// A sample at `at` of tier `states`, with sockstat `inuse`, the
    /// counters `segments` (`InSegs`, `OutSegs`, `RetransSegs`) and the
    /// listeners at `listen`.
    fn sample(
        at: &str,
        states: StatesTier,
        inuse: u64,
        segments: [u64; 3],
        listen: &[&str],
    ) -> Snapshot {
        use crate::model::Tiers;
        use crate::model::fixtures::{listen as listener, snapshot};
        let mut snap = snapshot(at, listen.iter().map(|a| listener(a, 0, 8, 1)).collect());
        snap.tcp.push(crate::model::fixtures::sock(
            TcpState::Established,
            "127.0.0.1:80",
            "127.0.0.1:5000",
            9,
        ));
        for (name, v) in ["InSegs", "OutSegs", "RetransSegs"]
            .into_iter()
            .zip(segments)
        {
            snap.counters.insert(name.to_owned(), v);
        }
        let stat = Sockstat {
            tcp_inuse: inuse,
            ..Sockstat::default()
        };
        snap.collector.tiers = Some(Tiers {
            states,
            states_cpu_us: 700,
            ..Tiers::full(Some(stat), 900)
        });
        snap
    }

    #[test]
    fn a_standing_follows_its_samples_tiers() {
        let at = |s: &str| -> Timestamp { s.parse().unwrap() };
        let full = |t, inuse| sample(t, StatesTier::FullDump, inuse, [5, 5, 0], &[]);
        let mut st = Standing::default();
        assert_eq!(
            st.candidate(at("2026-12-01T00:00:00Z"), true, false).last,
            None
        );
        assert_eq!(
            st.update(&full("2026-11-30T23:59:59Z", 10)),
            0,
            "the first is free"
        );
        assert_eq!(st.update(&full("2026-12-01T00:00:00Z", 10)), 700);
        let kept = sample("2026-12-01T00:00:01Z", StatesTier::Kept, 14, [5, 5, 0], &[]);
        assert_eq!(st.update(&kept), 0, "nothing to charge");
        let c = st.candidate(at("2026-12-01T00:00:03Z"), false, true);
        assert!(c.alerting && !c.focused && !c.unchanged);
        assert_eq!(
            c.last,
            Some(LastFull {
                age: Duration::from_secs(3),
                cost_us: 700,
                change: 4
            })
        );
        assert_eq!(
            st.update(&Snapshot::empty(at("2026-12-01T00:00:04Z"), "h", "n")),
            0
        );
    }

    #[test]
    fn equal_evidence_proves_the_states_unchanged_and_any_move_disproves_it() {
        let t0 = "2026-12-01T00:00:00Z";
        let t1 = "2026-12-01T00:00:05Z";
        let ls = ["127.0.0.1:80", "[::]:80"];
        let mut st = Standing::default();
        st.update(&sample(t0, StatesTier::FullDump, 3, [10, 20, 1], &ls));
        assert!(st.unchanged(), "a sample proves itself");
        st.update(&sample(t1, StatesTier::Kept, 3, [10, 20, 1], &ls));
        assert!(st.unchanged());
        assert!(st.candidate(t1.parse().unwrap(), false, false).unchanged);
        let moved = [
            sample(t1, StatesTier::Kept, 4, [10, 20, 1], &ls),
            sample(t1, StatesTier::Kept, 3, [11, 20, 1], &ls),
            sample(t1, StatesTier::Kept, 3, [10, 21, 1], &ls),
            sample(t1, StatesTier::Kept, 3, [10, 20, 2], &ls),
            sample(t1, StatesTier::Kept, 3, [10, 20, 1], &ls[..1]),
            sample(
                t1,
                StatesTier::Kept,
                3,
                [10, 20, 1],
                &["127.0.0.1:80", "127.0.0.1:81"],
            ),
        ];
        for snap in &moved {
            st.update(snap);
            assert!(!st.unchanged(), "{:?} {:?}", snap.counters, snap.tcp);
        }
        let mut no_counters = sample(t1, StatesTier::Kept, 3, [10, 20, 1], &ls);
        no_counters.counters.remove("RetransSegs");
        st.update(&no_counters);
        assert!(!st.unchanged(), "no proof without every counter");
        let after = sample(t1, StatesTier::FullDump, 4, [10, 20, 1], &ls[..1]);
        st.update(&after);
        st.update(&sample(t1, StatesTier::Kept, 4, [10, 20, 1], &ls[..1]));
        assert!(st.unchanged(), "measured against the newest full dump");
    }
}
