//! In-process timing of one collection cycle, for scripts/bench.sh.
//!
//! `bench_cycle MODE [REPS]` runs MODE REPS times (after 2 warm-up runs) in
//! the calling network namespace and prints one line of `key=value` pairs:
//! the median wall time and the median CPU time (user + system, from
//! `getrusage`) per cycle, in microseconds, and the sockets seen.
//!
//! `bench_cycle pair BASE MODE [REPS]` runs BASE and MODE alternately, REPS
//! pairs (the order swapped every pair, after 2 warm-up pairs), and prints
//! each one's medians and the median over pairs of MODE / BASE (wall and
//! CPU): both sides of each ratio see the same moment's machine, so a floor
//! that drifts during the run (other jobs, the page cache, CPU frequency)
//! moves both.
//!
//! `bench_cycle paced MODE SECONDS` runs MODE once (a warm-up), waits a
//! second, then runs it once a second for SECONDS seconds, as the dashboard
//! collects at `--interval 1s`, and prints the CPU time of that window and
//! its share of a core: the raw dump's side of the dashboard's paired
//! measurement in scripts/bench.sh (each run finds the caches as cold as a
//! dashboard's round does, which back-to-back runs do not).
//!
//! Modes:
//! - `raw`: the floor. One all-states TCP dump per family (IPv4, IPv6; what
//!   `ss -tan` asks for) and the UNIX listeners through the same socket,
//!   every message received and discarded. sockscope's own collection splits
//!   the TCP dump in a LISTEN-only one with `INET_DIAG_SKMEMINFO` and one of
//!   every other state, so the ratio includes that split's cost.
//! - `collect`: `LiveSource::collect` (dumps, parsing, `/proc` counters),
//!   each socket list handed back to fill at the next collection.
//! - `model`: `collect` plus `Model::ingest` (aggregate, tracker, history),
//!   the dashboard's whole per-interval cost but the drawing: the lists the
//!   history lets go are handed back to the source, as the dashboard does.
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

use std::time::{Duration, Instant};

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

/// Each run collects from `source` and feeds the snapshot to one model,
/// then hands the socket lists the history let go back to the source, as
/// the dashboard does between samples.
fn ingesting_from(mut source: LiveSource) -> Cycle {
    let mut model = Model::new(&ModelLimits::default());
    Box::new(move || {
        let total = model.ingest(source.collect()?).agg.totals.total();
        for (_, tcp) in model.take_spares() {
            source.recycle(tcp);
        }
        Ok(total)
    })
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
            Box::new(move || {
                let tcp = source.collect()?.tcp;
                let n = tcp.len() as u64;
                source.recycle(tcp);
                Ok(n)
            })
        }
        "model" => ingesting_from(LiveSource::open()?),
        "attributed-cold" => ingesting(|| {
            let mut source = LiveSource::open()?.with_processes(ProcessCache::shared());
            Ok(source.collect()?)
        }),
        "attributed-warm" => {
            ingesting_from(LiveSource::open()?.with_processes(ProcessCache::shared()))
        }
        "tcp-info-first" | "tcp-info-steady" => {
            let mut diag = DiagSocket::open()?;
            let tcp = LiveSource::open()?.collect()?.tcp.into_vec();
            let known = match mode {
                "tcp-info-first" => Vec::new(),
                _ => tcp_info::collect(&mut diag, &tcp, &[])?.1,
            };
            Box::new(move || {
                let (got, _) = tcp_info::collect(&mut diag, &tcp, &known)?;
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

/// One measured run: wall and CPU time, microseconds, and the sockets seen.
fn timed(run: &mut Cycle) -> anyhow::Result<(u64, u64, u64)> {
    let (t, c) = (Instant::now(), cpu_us());
    let sockets = run()?;
    Ok((t.elapsed().as_micros() as u64, cpu_us() - c, sockets))
}

/// The median of `num[i] / den[i]`.
fn median_ratio(num: &[u64], den: &[u64]) -> f64 {
    let mut r: Vec<f64> = num
        .iter()
        .zip(den)
        .map(|(&n, &d)| n as f64 / d.max(1) as f64)
        .collect();
    r.sort_by(f64::total_cmp);
    r[r.len() / 2]
}

fn parse_reps(arg: Option<String>) -> anyhow::Result<usize> {
    Ok(match arg {
        Some(r) => r
            .parse::<usize>()
            .with_context(|| format!("REPS {r:?} is not a count"))?
            .max(1),
        None => 15,
    })
}

/// `pair BASE MODE [REPS]`: alternating runs, ratios per pair.
fn pair(base: &str, mode: &str, reps: usize) -> anyhow::Result<()> {
    let mut runs = [cycle(base)?, cycle(mode)?];
    for _ in 0..2 {
        for run in &mut runs {
            run()?;
        }
    }
    let mut wall = [Vec::new(), Vec::new()];
    let mut cpu = [Vec::new(), Vec::new()];
    let mut sockets = 0;
    for rep in 0..reps {
        let order = if rep % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let (w, c, n) = timed(&mut runs[i])?;
            wall[i].push(w);
            cpu[i].push(c);
            sockets = n;
        }
    }
    let ratio_wall = median_ratio(&wall[1], &wall[0]);
    let ratio_cpu = median_ratio(&cpu[1], &cpu[0]);
    let [base_wall, mode_wall] = wall.map(|mut v| median(&mut v));
    let [base_cpu, mode_cpu] = cpu.map(|mut v| median(&mut v));
    println!(
        "mode=pair base={base} of={mode} reps={reps} sockets={sockets} base_wall_us={base_wall} base_cpu_us={base_cpu} mode_wall_us={mode_wall} mode_cpu_us={mode_cpu} ratio_wall={ratio_wall:.3} ratio_cpu={ratio_cpu:.3}"
    );
    Ok(())
}

/// `paced MODE SECONDS`: one run a second for SECONDS seconds.
fn paced(mode: &str, seconds: usize) -> anyhow::Result<()> {
    let mut run = cycle(mode)?;
    run()?;
    std::thread::sleep(Duration::from_secs(1));
    let (start, cpu) = (Instant::now(), cpu_us());
    let mut sockets = 0;
    for k in 0..seconds {
        let due = start + Duration::from_secs(k as u64);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        sockets = run()?;
    }
    let end = start + Duration::from_secs(seconds as u64);
    std::thread::sleep(end.saturating_duration_since(Instant::now()));
    let (wall, cpu) = (start.elapsed().as_micros() as u64, cpu_us() - cpu);
    println!(
        "mode=paced of={mode} seconds={seconds} sockets={sockets} wall_us={wall} cpu_us={cpu} core_pct={:.2}",
        cpu as f64 / wall as f64 * 100.0
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    sockscope::memory::return_large_buffers_to_the_kernel();
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_cycle MODE [REPS] | bench_cycle pair BASE MODE [REPS] | bench_cycle paced MODE SECONDS";
    let mode = args.next().context(usage)?;
    if mode == "pair" {
        let base = args.next().context(usage)?;
        let of = args.next().context(usage)?;
        return pair(&base, &of, parse_reps(args.next())?);
    }
    if mode == "paced" {
        let of = args.next().context(usage)?;
        let secs = args.next().context(usage)?;
        let secs = secs
            .parse::<usize>()
            .with_context(|| format!("SECONDS {secs:?} is not a count of seconds"))?;
        return paced(&of, secs.max(1));
    }
    let reps = parse_reps(args.next())?;
    let mut run = cycle(&mode)?;
    for _ in 0..2 {
        run()?;
    }
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let mut sockets = 0;
    for _ in 0..reps {
        let (w, c, n) = timed(&mut run)?;
        wall.push(w);
        cpu.push(c);
        sockets = n;
    }
    println!(
        "mode={mode} reps={} sockets={sockets} wall_us={} cpu_us={}",
        wall.len(),
        median(&mut wall),
        median(&mut cpu)
    );
    Ok(())
}
