//! `--all-netns`: every distinct network namespace of the host, each
//! collected on its own thread so that a slow one does not hold up the rest.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::destroy::{DestroyError, DestroyTarget};
use super::netns::{NetnsError, NetnsHandle, NetnsSource, NetnsTarget};
use super::netns_label::NetnsName;
use super::process_scan::list_pids;
use super::schedule::{Candidate, Schedule, Standing};
use super::tiered::{Needs, Tier};
use super::{CollectError, LiveSource, RoundSource, Source, identity, netns_label};
use crate::model::tiers::StatesTier;
use crate::model::{Part, Round, TcpList, Unreachable};

/// How long one round of a watching command (dashboard, `serve`,
/// `record`) waits for a slow namespace before going on without its sample.
pub const ALL_NETNS_ROUND_WAIT: Duration = Duration::from_millis(800);

/// A namespace found on the host.
#[derive(Debug)]
pub struct Found {
    /// How it was found: a `/run/netns` name or a process.
    pub target: NetnsTarget,
    /// Namespace inode.
    pub inode: u64,
    /// Its label (`host`, a container, the `/run/netns` name, or a
    /// process) and container id.
    pub name: NetnsName,
    file: File,
}

/// Every distinct network namespace: those named under `/run/netns` first
/// (sorted by name), then those of running processes (by lowest pid),
/// deduplicated by namespace inode. Namespaces whose file cannot be opened
/// (a process of another user without privilege) are returned in the
/// second list with the reason.
pub fn discover() -> (Vec<Found>, Vec<Unreachable>) {
    let mut found = Vec::new();
    let mut failed = Vec::new();
    let mut seen = HashSet::new();
    let host = super::identity::host_netns_inode();

    let mut names: Vec<String> = fs::read_dir("/run/netns")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    // The lowest pid in each namespace, to name a `/run/netns` namespace
    // after the container inside (Kubernetes pods live under `cni-<uuid>`).
    let pids = list_pids();
    let mut first_pid = HashMap::new();
    for &pid in &pids {
        if let Ok(meta) = fs::metadata(format!("/proc/{pid}/ns/net")) {
            first_pid.entry(meta.ino()).or_insert(pid);
        }
    }
    let candidates = names
        .into_iter()
        .map(NetnsTarget::Named)
        .chain(pids.into_iter().map(NetnsTarget::Pid));
    for target in candidates {
        let path = target.path();
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if !seen.insert(meta.ino()) {
            continue;
        }
        let name = match &target {
            _ if Some(meta.ino()) == host => NetnsName::plain("host"),
            NetnsTarget::Named(n) => {
                netns_label::label_of_named(n, first_pid.get(&meta.ino()).copied())
            }
            NetnsTarget::Pid(pid) => netns_label::label_of_pid(*pid),
            NetnsTarget::Path(p) => NetnsName::plain(p.display().to_string()),
        };
        match File::open(&path) {
            Ok(file) => found.push(Found {
                target,
                inode: meta.ino(),
                name,
                file,
            }),
            Err(e) => failed.push(Unreachable {
                label: name.label,
                path,
                reason: e.to_string(),
            }),
        }
    }
    (found, failed)
}

/// The namespace whose label or container id is `wanted` (`--netns
/// k8s:shop/cart-7d9f`, `--netns docker:web-1`), opened; `Ok(None)` when
/// none is, an error naming the candidates when several are.
pub fn find_labelled(wanted: &str) -> Result<Option<NetnsHandle>, NetnsError> {
    let (found, _) = discover();
    let mut hits: Vec<Found> = found
        .into_iter()
        .filter(|f| f.name.label == wanted || f.name.id.as_deref() == Some(wanted))
        .collect();
    match hits.len() {
        0 => Ok(None),
        1 => {
            let f = hits.remove(0);
            Ok(Some(NetnsHandle::from_parts(
                f.target, f.file, f.inode, f.name,
            )))
        }
        _ => Err(NetnsError::Ambiguous {
            wanted: wanted.to_owned(),
            candidates: hits
                .iter()
                .map(|f| format!("{} (net:[{}])", f.target.path().display(), f.inode))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

struct Member {
    source: NetnsSource,
    gone: bool,
    standing: Standing,
}

/// How each namespace's [`LiveSource`] is set up.
type Configure = Arc<dyn Fn(LiveSource) -> LiveSource + Send + Sync>;

/// Rounds between two discoveries of namespaces that appeared or went away.
pub const REDISCOVER_EVERY: u32 = 30;

/// Collects every namespace found by [`discover`], concurrently.
pub struct AllNetns {
    members: Vec<Member>,
    unreachable: Vec<Unreachable>,
    configure: Configure,
    rounds: u32,
    hostname: String,
    schedule: Schedule,
    needs: Needs,
    last_round: Option<Instant>,
}

impl AllNetns {
    /// Discovers the namespaces and starts one collector thread in each;
    /// `configure` adjusts each inner [`LiveSource`] (which keeps its
    /// states for the rounds that read only its queues). Full dumps spend
    /// `budget_percent` of one core ([`Schedule`]).
    pub fn open<F>(configure: F, budget_percent: f64) -> AllNetns
    where
        F: Fn(LiveSource) -> LiveSource + Send + Sync + 'static,
    {
        let mut all = AllNetns {
            members: Vec::new(),
            unreachable: Vec::new(),
            configure: Arc::new(move |s| configure(s).keeping_states()),
            rounds: 0,
            hostname: identity::hostname(),
            schedule: Schedule::new(budget_percent),
            needs: Needs::default(),
            last_round: None,
        };
        all.rediscover();
        all
    }

    /// Which members get a full dump this round, starting at `taken_at`,
    /// and their candidacies.
    fn plan(&mut self, taken_at: jiff::Timestamp) -> (Vec<Candidate>, Vec<Tier>) {
        let now = Instant::now();
        let elapsed = self
            .last_round
            .map_or(Duration::ZERO, |t| now.duration_since(t));
        self.last_round = Some(now);
        let candidates: Vec<Candidate> = self
            .members
            .iter()
            .map(|m| {
                let inode = m.source.inode();
                m.standing.candidate(
                    taken_at,
                    self.needs.focused.contains(&inode),
                    self.needs.alerting.contains(&inode),
                )
            })
            .collect();
        let tiers = self.schedule.tiers(elapsed, &candidates);
        (candidates, tiers)
    }

    /// Starts collecting namespaces that appeared since the last discovery
    /// and forgets those found gone (their last sample goes with them).
    /// [`AllNetns::collect_round`] does this every [`REDISCOVER_EVERY`] rounds.
    pub fn rediscover(&mut self) {
        self.members.retain(|m| !m.gone);
        let (found, mut unreachable) = discover();
        for f in found {
            if self.members.iter().any(|m| m.source.inode() == f.inode) {
                continue;
            }
            let path = f.target.path();
            let label = f.name.label.clone();
            let handle = NetnsHandle::from_parts(f.target, f.file, f.inode, f.name);
            let configure = Arc::clone(&self.configure);
            match NetnsSource::open(handle, move |s| configure(s)) {
                Ok(source) => self.members.push(Member {
                    source,
                    gone: false,
                    standing: Standing::default(),
                }),
                Err(e) => unreachable.push(Unreachable {
                    label,
                    path,
                    reason: e.to_string(),
                }),
            }
        }
        self.unreachable = unreachable;
    }

    /// Asks every namespace for a collection and gathers the answers that
    /// arrive within `wait`; a namespace still busy brings no sample this
    /// round and an error saying so (its answer is taken in a later round).
    pub fn collect_round(&mut self, wait: Duration) -> Round {
        let taken_at = jiff::Timestamp::now();
        self.rounds += 1;
        if self.rounds.is_multiple_of(REDISCOVER_EVERY) {
            self.rediscover();
        }
        let started = Instant::now();
        let (candidates, tiers) = self.plan(taken_at);
        let planned = tiers.clone();
        let mut errors: Vec<Option<String>> = self
            .members
            .iter_mut()
            .zip(tiers)
            .map(|(m, tier)| match m.source.start_collect_tier(tier) {
                Ok(()) => None,
                Err(e) => {
                    m.gone = matches!(e, CollectError::NamespaceGone { .. });
                    Some(e.to_string())
                }
            })
            .collect();
        let deadline = Instant::now() + wait;
        let mut samples = Vec::with_capacity(self.members.len());
        for (m, err) in self.members.iter_mut().zip(errors.iter_mut()) {
            let mut sample = None;
            if err.is_none() {
                let left = deadline.saturating_duration_since(Instant::now());
                match m.source.wait_collect(left) {
                    Some(Ok(mut snap)) => {
                        self.schedule.charge(m.standing.update(&snap));
                        if m.standing.unchanged()
                            && let Some(t) = &mut snap.collector.tiers
                        {
                            t.prove_unchanged();
                        }
                        sample = Some(snap);
                    }
                    Some(Err(e)) => *err = Some(e.to_string()),
                    None => {
                        *err = Some(format!(
                            "still collecting after {}",
                            humantime::format_duration(wait)
                        ))
                    }
                }
            }
            samples.push(sample);
        }
        if tracing::enabled!(tracing::Level::DEBUG) {
            self.log_round(started, &candidates, &planned, &samples, &errors);
        }
        Round {
            taken_at,
            hostname: self.hostname.clone(),
            all: true,
            parts: self
                .members
                .iter()
                .zip(samples.into_iter().zip(errors))
                .map(|(m, (sample, error))| Part {
                    label: m.source.label().to_owned(),
                    id: m.source.id().map(str::to_owned),
                    inode: m.source.inode(),
                    sample,
                    error,
                })
                .collect(),
            unreachable: self.unreachable.clone(),
        }
    }

    /// Logs the schedule's decisions of a round (`SOCKSCOPE_LOG=debug`):
    /// the credit left, then each namespace that was planned or brought a
    /// full dump, brought states older than the queues or no sample.
    fn log_round(
        &self,
        started: Instant,
        candidates: &[Candidate],
        planned: &[Tier],
        samples: &[Option<crate::model::Snapshot>],
        errors: &[Option<String>],
    ) {
        tracing::debug!(
            "all-netns round {}: {} ms, {} namespaces, {} full dumps planned, credit left {} ms",
            self.rounds,
            started.elapsed().as_millis(),
            self.members.len(),
            planned.iter().filter(|&&t| t == Tier::Full).count(),
            self.schedule.credit_us() / 1000,
        );
        for (i, m) in self.members.iter().enumerate() {
            let tiers = samples[i].as_ref().and_then(|s| s.collector.tiers);
            let kept_ms = tiers.and_then(|t| t.states_age()).map(|a| a.as_millis());
            let dumped = tiers.is_some_and(|t| t.states == StatesTier::FullDump);
            if planned[i] != Tier::Full && !dumped && kept_ms.is_none() && errors[i].is_none() {
                continue;
            }
            let c = &candidates[i];
            tracing::debug!(
                "  {}: planned {:?} (focused {}, alerting {}, unchanged {}, dump age {:?}, cost {:?} us, change {:?}); got {:?}, states {} ms old, dump cost {} us{}",
                m.source.label(),
                planned[i],
                c.focused,
                c.alerting,
                c.unchanged,
                c.last.map(|l| l.age),
                c.last.map(|l| l.cost_us),
                c.last.map(|l| l.change),
                tiers.map(|t| t.states),
                kept_ms.unwrap_or(0),
                tiers.map_or(0, |t| t.states_cpu_us),
                errors[i]
                    .as_deref()
                    .map(|e| format!("; {e}"))
                    .unwrap_or_default(),
            );
        }
    }

    /// The collector of the namespace with `inode`, for destroying a socket there.
    pub fn source_mut(&mut self, inode: u64) -> Option<&mut NetnsSource> {
        self.members
            .iter_mut()
            .map(|m| &mut m.source)
            .find(|s| s.inode() == inode)
    }
}

impl RoundSource for AllNetns {
    /// One round, waiting at most [`ALL_NETNS_ROUND_WAIT`] for slow namespaces.
    fn round(&mut self) -> Result<Round, CollectError> {
        Ok(self.collect_round(ALL_NETNS_ROUND_WAIT))
    }

    /// Hands the list to the collector of the namespace with `inode`.
    fn recycle(&mut self, inode: u64, tcp: TcpList) {
        if let Some(source) = self.source_mut(inode) {
            source.recycle(tcp);
        }
    }

    fn destroy(&mut self, target: &DestroyTarget) -> Result<(), DestroyError> {
        let inode = target.netns.ok_or(DestroyError::Unavailable(
            "the socket's namespace is not known",
        ))?;
        self.source_mut(inode)
            .ok_or(DestroyError::Unavailable(
                "its namespace is no longer watched",
            ))?
            .destroy(target)
    }

    /// The focused and alerting namespaces get their full dumps first.
    fn needs(&mut self, needs: &Needs) {
        self.needs.clone_from(needs);
    }
}
