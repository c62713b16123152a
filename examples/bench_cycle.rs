//! In-process timing of one collection cycle, for scripts/bench.sh.
//!
//! `bench_cycle MODE [REPS]` runs MODE REPS times (after 2 warm-up runs) in
//! the calling network namespace and prints one line of `key=value` pairs:
//! the median wall time and the median CPU time (user + system, from
//! `getrusage`) per cycle, in microseconds, and the sockets seen.
//!
//! Modes:
//! - `raw`: the floor. One all-states TCP dump per family (IPv4, IPv6; what
//!   `ss -tan` asks for) and the UNIX listeners through the same socket,
//!   every message received and discarded. sockscope's own collection splits
//!   the TCP dump in a LISTEN-only one with `INET_DIAG_SKMEMINFO` and one of
//!   every other state, so the ratio includes that split's cost.
//! - `collect`: `LiveSource::collect` (dumps, parsing, `/proc` counters).
//! - `model`: `collect` plus `Model::ingest` (aggregate, tracker, history),
//!   the dashboard's whole per-interval cost but the drawing.
//! - `attributed-cold`: `model` with process attribution through a new
//!   process cache each time (a full scan of `/proc/*/fd`).
//! - `attributed-warm`: `model` with process attribution through one cache
//!   kept across cycles, as the dashboard refreshes.
//! - `tcp-info-first`: only the `tcp_info` requests of a collection that
//!   sees every CLOSE_WAIT socket for the first time (the filtered dump),
//!   over one snapshot taken beforehand.
//! - `tcp-info-steady`: the same when every CLOSE_WAIT socket was seen the
//!   collection before (only the queued connections are asked for).
//! - `netns-model`: no kernel; the model's cost of one `--all-netns` round
//!   of 4 namespaces of 15,000 synthetic sockets each (each namespace
//!   aggregated, judged in its own model, and the merged view built).

use std::time::Instant;

use anyhow::{Context, bail};
use netlink_packet_sock_diag::{AF_INET, AF_INET6};
use sockscope::collector::process::ProcessCache;
use sockscope::collector::{LiveSource, Source, inet, netlink::DiagSocket, tcp_info, unix};
use sockscope::model::{Model, ModelLimits, Part, Round, Snapshot, fixtures};

/// CPU time (user + system) of this process so far, microseconds.
fn cpu_us() -> u64 {
    // SAFETY: getrusage writes into the zeroed struct we pass.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        ru
    };
    let us = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    us(ru.ru_utime) + us(ru.ru_stime)
}

fn median(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// One run of the mode; returns the sockets seen.
type Cycle = Box<dyn FnMut() -> anyhow::Result<u64>>;

/// Each run collects with `next` and feeds the snapshot to one model.
fn ingesting(mut next: impl FnMut() -> anyhow::Result<Snapshot> + 'static) -> Cycle {
    let mut model = Model::new(&ModelLimits::default());
    Box::new(move || Ok(model.ingest(next()?).agg.totals.total()))
}

fn cycle(mode: &str) -> anyhow::Result<Cycle> {
    Ok(match mode {
        "raw" => {
            let mut diag = DiagSocket::open()?;
            Box::new(move || {
                let mut n = 0;
                for (family, what) in [(AF_INET, "tcp/ipv4"), (AF_INET6, "tcp/ipv6")] {
                    n += diag
                        .dump(what, inet::all_states_request(family), |_| true)?
                        .messages;
                }
                diag.dump("unix", unix::request(), |_| true)?;
                Ok(n)
            })
        }
        "collect" => {
            let mut source = LiveSource::open()?;
            Box::new(move || Ok(source.collect()?.tcp.len() as u64))
        }
        "model" => {
            let mut source = LiveSource::open()?;
            ingesting(move || Ok(source.collect()?))
        }
        "attributed-cold" => ingesting(|| {
            let mut source = LiveSource::open()?.with_processes(ProcessCache::shared());
            Ok(source.collect()?)
        }),
        "attributed-warm" => {
            let mut source = LiveSource::open()?.with_processes(ProcessCache::shared());
            ingesting(move || Ok(source.collect()?))
        }
        "tcp-info-first" | "tcp-info-steady" => {
            let mut diag = DiagSocket::open()?;
            let snap = LiveSource::open()?.collect()?;
            let known = match mode {
                "tcp-info-first" => Vec::new(),
                _ => tcp_info::collect(&mut diag, &snap.tcp, &[])?.1,
            };
            Box::new(move || {
                let (got, _) = tcp_info::collect(&mut diag, &snap.tcp, &known)?;
                Ok(got.times.len() as u64)
            })
        }
        "netns-model" => {
            // The dashboard's per-round model cost under --all-netns, without
            // the kernel: NETNS_PARTS namespaces of synthetic sockets, each
            // round aggregated per namespace and ingested (the copy of the
            // samples is counted too).
            let parts = netns_parts();
            let mut model = Model::new(&ModelLimits::default());
            let mut k = 0;
            Box::new(move || {
                k += 1;
                let at = parts[0].taken_at + jiff::SignedDuration::from_secs(k);
                let round = Round {
                    taken_at: at,
                    hostname: "bench".to_owned(),
                    all: true,
                    parts: parts
                        .iter()
                        .enumerate()
                        .map(|(i, s)| Part {
                            label: s.netns.clone(),
                            id: None,
                            inode: i as u64 + 1,
                            sample: Some(Snapshot {
                                taken_at: at,
                                ..s.clone()
                            }),
                            error: None,
                        })
                        .collect(),
                    unreachable: Vec::new(),
                };
                Ok(model.ingest_round(round.aggregate()).agg.totals.total())
            })
        }
        other => bail!(
            "unknown mode {other:?}; use raw, collect, model, attributed-cold, attributed-warm, tcp-info-first, tcp-info-steady or netns-model"
        ),
    })
}

/// Namespaces of the `netns-model` mode, and the sockets of each.
const NETNS_PARTS: usize = 4;
const NETNS_SOCKETS: usize = 15_000;

/// `NETNS_PARTS` namespaces of `NETNS_SOCKETS` synthetic sockets each.
fn netns_parts() -> Vec<Snapshot> {
    (0..NETNS_PARTS)
        .map(|i| {
            let mut s = fixtures::busy_host("2026-11-24T02:40:00Z", 50, NETNS_SOCKETS);
            s.netns = format!("ns{i}");
            s
        })
        .collect()
}

fn main() -> anyhow::Result<()> {
    sockscope::memory::return_large_buffers_to_the_kernel();
    let mut args = std::env::args().skip(1);
    let mode = args.next().context("usage: bench_cycle MODE [REPS]")?;
    let reps: usize = match args.next() {
        Some(r) => r
            .parse()
            .with_context(|| format!("REPS {r:?} is not a count"))?,
        None => 15,
    };
    let mut run = cycle(&mode)?;
    for _ in 0..2 {
        run()?;
    }
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let mut sockets = 0;
    for _ in 0..reps.max(1) {
        let (t, c) = (Instant::now(), cpu_us());
        sockets = run()?;
        wall.push(t.elapsed().as_micros() as u64);
        cpu.push(cpu_us() - c);
    }
    println!(
        "mode={mode} reps={} sockets={sockets} wall_us={} cpu_us={}",
        wall.len(),
        median(&mut wall),
        median(&mut cpu)
    );
    Ok(())
}
