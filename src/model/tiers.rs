//! Two tiers of collection: the queues (LISTEN-only dumps, sockstat and
//! counters, read every interval) and the states (the dump of every other
//! TCP state, under a CPU budget). A sample whose states were not dumped
//! this round carries the states of its last full dump; [`Tiers`] says so
//! and how old they are. Ages come from the collector's own timestamps:
//! nothing here reads a clock.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::alerts::AlertSet;
use super::snapshot::Snapshot;

/// What `/proc/net/sockstat` and `/proc/net/sockstat6` of a namespace said
/// at the sample: exact and O(1), so read every interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sockstat {
    /// `TCP: inuse` of `sockstat`: IPv4 TCP sockets in the namespace's
    /// hashes (LISTEN and connections; not TIME_WAIT, not request sockets).
    pub tcp_inuse: u64,
    /// `TCP6: inuse` of `sockstat6`: the same for IPv6.
    pub tcp6_inuse: u64,
    /// `TCP: tw`: the namespace's TIME_WAIT sockets, both families.
    pub tcp_tw: u64,
    /// `TCP: orphan`: sockets no process holds any more (host-wide).
    pub tcp_orphan: u64,
    /// `TCP: alloc`: TCP sockets allocated (host-wide).
    pub tcp_alloc: u64,
}

impl Sockstat {
    /// How far `self` is from `before`: the change of in-use and TIME_WAIT
    /// sockets, in sockets. The scheduler's measure of change.
    pub fn distance(&self, before: &Sockstat) -> u64 {
        let inuse = |s: &Sockstat| s.tcp_inuse + s.tcp6_inuse;
        inuse(self).abs_diff(inuse(before)) + self.tcp_tw.abs_diff(before.tcp_tw)
    }

    /// Namespace sums (the host-wide `orphan` and `alloc` are the largest
    /// seen, not summed).
    pub fn add(&mut self, other: &Sockstat) {
        self.tcp_inuse += other.tcp_inuse;
        self.tcp6_inuse += other.tcp6_inuse;
        self.tcp_tw += other.tcp_tw;
        self.tcp_orphan = self.tcp_orphan.max(other.tcp_orphan);
        self.tcp_alloc = self.tcp_alloc.max(other.tcp_alloc);
    }
}

/// Where a sample's queues came from: always this round's LISTEN-only dumps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueuesTier {
    /// `idiag_states = 1 << TCP_LISTEN` dumps with `INET_DIAG_SKMEMINFO`,
    /// the UNIX listeners, `/proc/net/sockstat{,6}` and the counters.
    #[default]
    ListenDump,
}

/// Where a sample's non-LISTEN sockets (states, connections, remotes,
/// CLOSE_WAIT ages) came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatesTier {
    /// Dumped in this round.
    #[default]
    FullDump,
    /// Kept from the namespace's last full dump, `states_age_ms` old.
    Kept,
    /// Kept from the namespace's last full dump (`dump_age_ms` old) and
    /// proven current: since that dump its sockstat (`inuse`, `tw`), its
    /// listener counts and its TCP segment counters (`InSegs`, `OutSegs`,
    /// `RetransSegs`) have not moved, and no TCP socket enters, leaves or
    /// changes state without one of them moving. The queued bytes of its
    /// connections and its UNIX clients are still the dump's.
    Unchanged,
}

/// How a sample was collected, tier by tier (`collector.tiers` in JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tiers {
    /// Where the queues came from.
    pub queues: QueuesTier,
    /// Where the states came from.
    pub states: StatesTier,
    /// How much older the states are than the queues, milliseconds: the
    /// time from the start of the last full dump to the start of this
    /// collection (0 for a full dump and for states proven
    /// [`StatesTier::Unchanged`]). For several namespaces, the oldest.
    pub states_age_ms: u64,
    /// Namespaces whose states were kept this round (0 or 1 for one
    /// namespace), not counting those proven unchanged.
    #[serde(default)]
    pub kept_namespaces: u32,
    /// Namespaces whose kept states were proven [`StatesTier::Unchanged`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unchanged_namespaces: u32,
    /// The age of the full dump behind states proven unchanged,
    /// milliseconds (for several namespaces, the oldest); 0 when none is.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unchanged_dump_age_ms: u64,
    /// The namespace's sockstat (for several namespaces, their sums), when
    /// it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sockstat: Option<Sockstat>,
    /// CPU time spent on this collection, microseconds
    /// (`CLOCK_THREAD_CPUTIME_ID`): the collecting thread's, plus
    /// `states_cpu_us` when the state dump ran on the states thread; for
    /// several namespaces, the sum.
    #[serde(default)]
    pub cpu_us: u64,
    /// The part of `cpu_us` spent on the state dumps (the non-LISTEN
    /// dumps, `tcp_info`, UNIX peers) that finished for this collection:
    /// what `--full-dump-budget` counts; 0 when no dump finished (a kept
    /// round, or a dump still under way on the states thread). A dump that
    /// finished after its own round is counted by the round that takes it.
    #[serde(default)]
    pub states_cpu_us: u64,
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl Tiers {
    /// The tiers of a full dump that cost `cpu_us`.
    pub fn full(sockstat: Option<Sockstat>, cpu_us: u64) -> Tiers {
        Tiers {
            sockstat,
            cpu_us,
            ..Tiers::default()
        }
    }

    /// How much older the states are than the queues; `None` when they
    /// are this round's.
    pub fn states_age(&self) -> Option<Duration> {
        (self.states == StatesTier::Kept).then(|| Duration::from_millis(self.states_age_ms))
    }

    /// Marks kept states as proven [`StatesTier::Unchanged`]: their age
    /// moves to `unchanged_dump_age_ms`. Other tiers stay as they are.
    pub fn prove_unchanged(&mut self) {
        if self.states != StatesTier::Kept {
            return;
        }
        self.states = StatesTier::Unchanged;
        self.unchanged_dump_age_ms = self.states_age_ms;
        self.states_age_ms = 0;
        self.kept_namespaces = 0;
        self.unchanged_namespaces = 1;
    }

    /// Folds the tiers of one more namespace into a round's: kept if any
    /// was kept, else unchanged if any was, the oldest ages, sockstats and
    /// CPU summed.
    pub fn add(&mut self, part: &Tiers) {
        match part.states {
            StatesTier::Kept => {
                self.states = StatesTier::Kept;
                self.kept_namespaces += part.kept_namespaces.max(1);
            }
            StatesTier::Unchanged => {
                if self.states == StatesTier::FullDump {
                    self.states = StatesTier::Unchanged;
                }
                self.unchanged_namespaces += part.unchanged_namespaces.max(1);
            }
            StatesTier::FullDump => {}
        }
        self.states_age_ms = self.states_age_ms.max(part.states_age_ms);
        self.unchanged_dump_age_ms = self.unchanged_dump_age_ms.max(part.unchanged_dump_age_ms);
        self.cpu_us += part.cpu_us;
        self.states_cpu_us += part.states_cpu_us;
        if let Some(s) = &part.sockstat {
            self.sockstat.get_or_insert_with(Sockstat::default).add(s);
        }
    }

    /// The words the header and the text snapshot show when the states
    /// are older than the queues (`states 4.0s old`) or proven unchanged
    /// since an older dump (`states unchanged since a dump 43s ago`, or
    /// `states 4.0s old, 98 namespaces unchanged since dumps up to 43s
    /// ago`), `None` when every state is this round's.
    pub fn age_text(&self) -> Option<String> {
        let unchanged = (self.unchanged_namespaces > 0)
            .then(|| duration_text(Duration::from_millis(self.unchanged_dump_age_ms)));
        match (self.states_age(), unchanged) {
            (None, None) => None,
            (Some(age), None) => Some(format!("states {} old", duration_text(age))),
            (None, Some(dump)) if self.unchanged_namespaces == 1 => {
                Some(format!("states unchanged since a dump {dump} ago"))
            }
            (None, Some(dump)) => Some(format!(
                "states of {} namespaces unchanged since dumps up to {dump} ago",
                self.unchanged_namespaces
            )),
            (Some(age), Some(dump)) => Some(format!(
                "states {} old, {} namespace{} unchanged since dumps up to {dump} ago",
                duration_text(age),
                self.unchanged_namespaces,
                if self.unchanged_namespaces == 1 {
                    ""
                } else {
                    "s"
                }
            )),
        }
    }
}

/// `4.0s`, `2m05s`.
fn duration_text(age: Duration) -> String {
    let secs = age.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        format!("{}m{:02}s", age.as_secs() / 60, age.as_secs() % 60)
    }
}

/// What a consumer needs fresh states of, by namespace inode (a
/// snapshot of one namespace has no inode: 0 stands for it, and a source
/// of one namespace takes any entry as its own).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Namespaces the user is looking at (the drill-down's, the one picked).
    pub focused: Vec<u64>,
    /// Namespaces with an active alert.
    pub alerting: Vec<u64>,
}

impl Needs {
    /// The needs of a consumer of `snapshot` looking at the namespaces
    /// labelled `focused`, with `alerts` active.
    pub fn of(snapshot: &Snapshot, focused: &[&str], alerts: &AlertSet) -> Needs {
        let inode = |label: &str| {
            if snapshot.netns_parts.is_empty() {
                return Some(0);
            }
            let part = snapshot.netns_parts.iter().find(|p| p.label == label)?;
            Some(part.inode)
        };
        let mut needs = Needs {
            focused: focused.iter().filter_map(|l| inode(l)).collect(),
            alerting: alerts
                .active
                .iter()
                .filter_map(|a| inode(a.target.netns.as_deref().unwrap_or(&snapshot.netns)))
                .collect(),
        };
        for list in [&mut needs.focused, &mut needs.alerting] {
            list.sort_unstable();
            list.dedup();
        }
        needs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(inuse: u64, inuse6: u64, tw: u64) -> Sockstat {
        Sockstat {
            tcp_inuse: inuse,
            tcp6_inuse: inuse6,
            tcp_tw: tw,
            ..Sockstat::default()
        }
    }

    #[test]
    fn distance_counts_both_families_and_time_wait_changes() {
        assert_eq!(stat(10, 2, 5).distance(&stat(10, 2, 5)), 0);
        assert_eq!(stat(12, 2, 5).distance(&stat(10, 2, 5)), 2);
        assert_eq!(stat(10, 0, 9).distance(&stat(10, 2, 5)), 6);
    }

    #[test]
    fn a_full_dump_has_no_age_and_says_nothing() {
        let t = Tiers::full(None, 900);
        assert_eq!((t.states_age(), t.age_text()), (None, None));
        let json = serde_json::to_value(t).unwrap();
        assert_eq!(json["queues"], "listen_dump");
        assert_eq!(json["states"], "full_dump");
        assert_eq!(json["states_age_ms"], 0);
    }

    #[test]
    fn kept_states_say_how_old_they_are() {
        let kept = Tiers {
            states: StatesTier::Kept,
            states_age_ms: 4_049,
            kept_namespaces: 1,
            ..Tiers::default()
        };
        assert_eq!(kept.states_age(), Some(Duration::from_millis(4_049)));
        assert_eq!(kept.age_text().as_deref(), Some("states 4.0s old"));
        let old = Tiers {
            states_age_ms: 125_000,
            ..kept
        };
        assert_eq!(old.age_text().as_deref(), Some("states 2m05s old"));
        assert_eq!(serde_json::to_value(kept).unwrap()["states"], "kept");
    }

    #[test]
    fn a_round_is_kept_when_any_namespace_is_and_as_old_as_the_oldest() {
        let mut round = Tiers::full(Some(stat(1, 0, 0)), 100);
        round.add(&Tiers::full(Some(stat(3, 1, 4)), 200));
        assert_eq!(round.states, StatesTier::FullDump);
        round.add(&Tiers {
            states: StatesTier::Kept,
            states_age_ms: 3_000,
            kept_namespaces: 1,
            sockstat: Some(stat(5, 0, 1)),
            cpu_us: 10,
            ..Tiers::default()
        });
        assert_eq!(
            (round.states, round.states_age_ms, round.kept_namespaces),
            (StatesTier::Kept, 3_000, 1)
        );
        assert_eq!(round.cpu_us, 310);
        assert_eq!(round.sockstat, Some(stat(9, 1, 5)));
    }

    #[test]
    fn states_proven_unchanged_are_current_and_say_how_old_their_dump_is() {
        let kept = |age_ms| Tiers {
            states: StatesTier::Kept,
            states_age_ms: age_ms,
            kept_namespaces: 1,
            ..Tiers::default()
        };
        let mut proven = kept(43_000);
        proven.prove_unchanged();
        assert_eq!(
            (
                proven.states,
                proven.states_age(),
                proven.unchanged_dump_age_ms
            ),
            (StatesTier::Unchanged, None, 43_000)
        );
        assert_eq!(
            proven.age_text().as_deref(),
            Some("states unchanged since a dump 43.0s ago")
        );
        let json = serde_json::to_value(proven).unwrap();
        assert_eq!(
            (
                &json["states"],
                &json["states_age_ms"],
                &json["unchanged_dump_age_ms"]
            ),
            (&"unchanged".into(), &0.into(), &43_000.into())
        );
        assert!(
            serde_json::to_value(kept(1))
                .unwrap()
                .get("unchanged_namespaces")
                .is_none()
        );
        let mut full = Tiers::full(None, 1);
        full.prove_unchanged();
        assert_eq!(full, Tiers::full(None, 1), "only kept states can be proven");

        let mut round = Tiers::full(None, 0);
        round.add(&proven);
        round.add(&proven);
        assert_eq!(
            round.age_text().as_deref(),
            Some("states of 2 namespaces unchanged since dumps up to 43.0s ago")
        );
        round.add(&kept(4_000));
        assert_eq!(
            (
                round.states,
                round.states_age_ms,
                round.kept_namespaces,
                round.unchanged_namespaces
            ),
            (StatesTier::Kept, 4_000, 1, 2)
        );
        assert_eq!(
            round.age_text().as_deref(),
            Some("states 4.0s old, 2 namespaces unchanged since dumps up to 43.0s ago")
        );
    }

    #[test]
    fn needs_name_namespaces_by_inode_and_a_single_one_as_zero() {
        use crate::model::fixtures::snapshot;
        use crate::model::{Alert, NetnsPart, Rule, Severity, Target, TargetKind};
        let at = "2026-12-01T00:00:00Z";
        let mut merged = snapshot(at, vec![]);
        merged.netns_parts = [("host", 11), ("web", 22), ("db", 33)]
            .into_iter()
            .map(|(label, inode)| NetnsPart {
                label: label.to_owned(),
                id: None,
                inode,
                tcp: 0,
                unix: 0,
                error: None,
                counters: Default::default(),
                tunables: Default::default(),
            })
            .collect();
        let alert = |netns: Option<&str>| Alert {
            rule: Rule::AcceptQueueOverflow,
            severity: Severity::Critical,
            peak: Severity::Critical,
            target: Target::new(TargetKind::Listener, "127.0.0.1:80").in_netns(netns),
            message: String::new(),
            since: at.parse().unwrap(),
        };
        let alerts = AlertSet {
            active: vec![alert(Some("db")), alert(Some("db")), alert(Some("gone"))],
            ..AlertSet::default()
        };
        let needs = Needs::of(&merged, &["web", "web"], &alerts);
        assert_eq!((needs.focused, needs.alerting), (vec![22], vec![33]));

        let single = snapshot(at, vec![]);
        let quiet = Needs::of(&single, &[], &AlertSet::default());
        assert_eq!(quiet, Needs::default());
        let one = AlertSet {
            active: vec![alert(None)],
            ..AlertSet::default()
        };
        let drilled = Needs::of(&single, &["test"], &one);
        assert_eq!((drilled.focused, drilled.alerting), (vec![0], vec![0]));
    }
}
