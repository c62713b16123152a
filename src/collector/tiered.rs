//! The collector's side of the two tiers (see [`crate::model::tiers`]):
//! the states a [`LiveSource`](super::LiveSource) keeps from its last full
//! dump for the rounds that only read the queues, the thread CPU clock the
//! budget is measured with, and the schedule of a single namespace.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::schedule::{Candidate, Evidence, LastFull, Schedule};
pub use crate::model::tiers::Needs;
use crate::model::tiers::Sockstat;
use crate::model::{TcpSocket, TcpTimes, UnixPeer};

/// Which tiers a collection reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// Queues and states: every dump, as `ss -tan` sees it.
    Full,
    /// Queues only (LISTEN dumps, UNIX listeners, sockstat, counters,
    /// tunables); the states are those of the last full dump. A source
    /// that has none yet collects in full.
    Queues,
    /// The queues, and the states in full only if the namespace's
    /// [`Evidence`] (sockstat, listener counts, segment counters) moved
    /// since the dump of the kept states: states proven unchanged are
    /// kept, disproved ones are dumped in the same collection rather than
    /// shown as old as their dump.
    QueuesUnlessMoved,
}

/// The states of a namespace's last full dump.
#[derive(Debug, Default)]
pub struct KeptStates {
    /// Its sockets in every state but LISTEN, IPv4 then IPv6, each in
    /// dump order.
    pub sockets: Arc<Vec<TcpSocket>>,
    /// How many of `sockets` are IPv4.
    pub v4_len: usize,
    /// Their `tcp_info` times as dumped.
    pub tcp_times: Vec<TcpTimes>,
    /// The UNIX listeners' clients.
    pub unix_peers: Vec<UnixPeer>,
    /// When the collection that asked for the dump started.
    pub taken_at: Timestamp,
    /// That collection's sockstat.
    pub sockstat: Option<Sockstat>,
    /// Thread CPU time the state dumps took, microseconds.
    pub cost_us: u64,
    /// That collection's evidence, for [`Tier::QueuesUnlessMoved`].
    pub evidence: Option<Evidence>,
}

impl KeptStates {
    /// The IPv4 sockets.
    pub fn v4(&self) -> &[TcpSocket] {
        &self.sockets[..self.v4_len]
    }

    /// The IPv6 sockets.
    pub fn v6(&self) -> &[TcpSocket] {
        &self.sockets[self.v4_len..]
    }

    /// The kept `tcp_info` times as they stand `age` later: every "ms
    /// since" figure grown by `age` (kept sockets are assumed quiet, as a
    /// CLOSE_WAIT socket or a queued connection is).
    pub fn times_after(&self, age: Duration) -> Vec<TcpTimes> {
        let add = |ms: Option<u32>| {
            ms.map(|v| v.saturating_add(u32::try_from(age.as_millis()).unwrap_or(u32::MAX)))
        };
        self.tcp_times
            .iter()
            .map(|t| TcpTimes {
                cookie: t.cookie,
                last_data_sent_ms: add(t.last_data_sent_ms),
                last_data_recv_ms: add(t.last_data_recv_ms),
                last_ack_recv_ms: add(t.last_ack_recv_ms),
            })
            .collect()
    }

    /// This namespace's standing for the scheduler at `now`, with `sockstat`
    /// just read.
    pub fn last_full(&self, now: Timestamp, sockstat: Option<&Sockstat>) -> LastFull {
        let change = match (sockstat, &self.sockstat) {
            (Some(now), Some(then)) => now.distance(then),
            _ => 0,
        };
        LastFull {
            age: now.duration_since(self.taken_at).unsigned_abs(),
            cost_us: self.cost_us,
            change,
        }
    }
}

/// CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`),
/// microseconds.
pub fn thread_cpu_us() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000
}

/// The budget of a source that schedules only itself (one namespace).
#[derive(Debug)]
pub struct OwnSchedule {
    schedule: Schedule,
    needs: Needs,
    last_round: Option<Instant>,
}

impl OwnSchedule {
    /// Spends `percent` of one core on full dumps.
    pub fn new(percent: f64) -> OwnSchedule {
        OwnSchedule {
            schedule: Schedule::new(percent),
            needs: Needs::default(),
            last_round: None,
        }
    }

    /// Sets what the consumer needs fresh.
    pub fn set_needs(&mut self, needs: &Needs) {
        self.needs.clone_from(needs);
    }

    /// The tier of this round, given the last full dump (if any).
    pub fn tier(&mut self, last: Option<LastFull>) -> Tier {
        let now = Instant::now();
        let elapsed = self
            .last_round
            .map_or(Duration::ZERO, |t| now.duration_since(t));
        self.last_round = Some(now);
        let me = Candidate {
            focused: !self.needs.focused.is_empty(),
            alerting: !self.needs.alerting.is_empty(),
            last,
            unchanged: false,
            proven_kept: false,
        };
        if self.schedule.plan(elapsed, &[me])[0] {
            Tier::Full
        } else {
            Tier::Queues
        }
    }

    /// Spends what a full dump cost.
    pub fn charge(&mut self, cpu_us: u64) {
        self.schedule.charge(cpu_us);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_times_age_with_the_states() {
        let kept = KeptStates {
            tcp_times: vec![TcpTimes {
                cookie: 9,
                last_data_sent_ms: Some(1_000),
                last_data_recv_ms: None,
                last_ack_recv_ms: Some(u32::MAX - 5),
            }],
            ..KeptStates::default()
        };
        let t = kept.times_after(Duration::from_millis(2_500))[0];
        assert_eq!(
            (
                t.cookie,
                t.last_data_sent_ms,
                t.last_data_recv_ms,
                t.last_ack_recv_ms
            ),
            (9, Some(3_500), None, Some(u32::MAX))
        );
    }

    #[test]
    fn standing_says_age_cost_and_sockstat_change() {
        let then = Sockstat {
            tcp_inuse: 10,
            tcp_tw: 2,
            ..Sockstat::default()
        };
        let kept = KeptStates {
            taken_at: "2026-12-01T00:00:00Z".parse().unwrap(),
            sockstat: Some(then),
            cost_us: 700,
            ..KeptStates::default()
        };
        let now_stat = Sockstat {
            tcp_inuse: 13,
            ..then
        };
        let last = kept.last_full("2026-12-01T00:00:04Z".parse().unwrap(), Some(&now_stat));
        assert_eq!(
            last,
            LastFull {
                age: Duration::from_secs(4),
                cost_us: 700,
                change: 3
            }
        );
    }

    #[test]
    fn the_thread_cpu_clock_moves_with_work() {
        let before = thread_cpu_us();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i * i));
        }
        assert!(thread_cpu_us() > before, "{x}");
    }

    #[test]
    fn a_focused_single_namespace_is_always_dumped_even_with_no_budget() {
        let mut own = OwnSchedule::new(0.0);
        let last = Some(LastFull {
            age: Duration::from_secs(1),
            cost_us: 50_000,
            change: 0,
        });
        assert_eq!(own.tier(None), Tier::Full, "never dumped");
        assert_eq!(own.tier(last), Tier::Queues);
        own.set_needs(&Needs {
            focused: vec![0],
            alerting: Vec::new(),
        });
        assert_eq!(own.tier(last), Tier::Full);
        assert_eq!(own.tier(last), Tier::Full);
    }
}
