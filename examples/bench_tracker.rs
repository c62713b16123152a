//! Time and memory of the socket-age tracker (`Tracker::update`) on a
//! synthetic snapshot, for docs/benchmark.md.
//!
//! `bench_tracker [SOCKETS] [REPS]` (default 1,000,000 and 9) builds
//! `fixtures::busy_host` with 5,000 listeners and SOCKETS other sockets,
//! in a scrambled order (a dump comes in hash-bucket order, not by
//! cookie), with `tcp_info` times for every CLOSE_WAIT socket, as the
//! collector takes them. A second dump replaces 1% of the sockets with new
//! cookies and moves 1% to CLOSE_WAIT. It prints the median wall time, in
//! microseconds, of:
//! - `dump`: an update with a new shared list of kept states (dumps A and
//!   B alternately, so that every update is a state dump's);
//! - `queues`: an update that keeps the states (the same shared list, a new
//!   own part of LISTEN sockets: a round that read only the queues);
//! - `flat`: an update with one flat list (no shared part), A and B
//!   alternately, as below the full-dump budget or under `--all-netns`;
//!
//! and the tracker's heap bytes and tracked sockets after each.

use std::sync::Arc;
use std::time::Instant;

use jiff::SignedDuration;
use sockscope::model::{Snapshot, TcpList, TcpSocket, TcpState, TcpTimes, Tracker, fixtures};

/// A deterministic scramble of `v` (xorshift Fisher–Yates).
fn scramble<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

/// The listeners and the other sockets of a busy host with `sockets`
/// connections, the second scrambled.
fn host(sockets: usize) -> (Vec<TcpSocket>, Vec<TcpSocket>) {
    let snap = fixtures::busy_host("2026-12-01T00:00:00Z", 5_000, sockets);
    let (listen, mut rest): (Vec<_>, Vec<_>) = snap
        .tcp
        .iter()
        .cloned()
        .partition(|s| s.state == TcpState::Listen);
    scramble(&mut rest, 0x9e37_79b9_7f4a_7c15);
    (listen, rest)
}

/// Dump B from A: every hundredth socket replaced by a new one, every
/// hundredth (another) moved to CLOSE_WAIT.
fn churned(a: &[TcpSocket], first_new_cookie: u64) -> Vec<TcpSocket> {
    let mut b = a.to_vec();
    let mut next = first_new_cookie;
    for (i, s) in b.iter_mut().enumerate() {
        if i % 100 == 0 {
            s.cookie = next;
            next += 1;
        } else if i % 100 == 50 {
            s.state = TcpState::CloseWait;
        }
    }
    b
}

/// The `tcp_info` times the collector takes: every CLOSE_WAIT socket's.
fn times(list: &[TcpSocket]) -> Vec<TcpTimes> {
    let mut t: Vec<TcpTimes> = list
        .iter()
        .filter(|s| s.state == TcpState::CloseWait)
        .map(|s| TcpTimes {
            cookie: s.cookie,
            last_data_sent_ms: Some(900),
            last_data_recv_ms: Some(900),
            last_ack_recv_ms: Some((s.cookie % 5000) as u32),
        })
        .collect();
    t.sort_unstable_by_key(|t| t.cookie);
    t
}

fn median(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// Median microseconds of `reps` updates of `tracker` with `next(i)`.
fn time(tracker: &mut Tracker, reps: usize, mut next: impl FnMut(usize) -> Snapshot) -> u64 {
    let mut us = Vec::with_capacity(reps);
    for i in 0..reps {
        let snap = next(i);
        let start = Instant::now();
        tracker.update(&snap);
        us.push(start.elapsed().as_micros() as u64);
        std::hint::black_box(&snap);
    }
    median(&mut us)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let sockets: usize = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let reps: usize = args.next().map_or(Ok(9), |a| a.parse())?;
    let (listen, a) = host(sockets);
    let b = churned(&a, 10 * sockets as u64);
    let dumps = [(Arc::new(a), 0), (Arc::new(b), 1)];
    let dump_times = [times(&dumps[0].0), times(&dumps[1].0)];
    let base = fixtures::snapshot("2026-12-01T00:00:00Z", Vec::new());
    let snapshot = |round: usize, tcp: TcpList, times: &[TcpTimes]| {
        let mut s = base.clone();
        s.taken_at += SignedDuration::from_secs(round as i64);
        s.tcp = tcp;
        s.tcp_times = times.to_vec();
        s
    };
    let report = |what: &str, us: u64, t: &Tracker| {
        println!(
            "{what}: median {us} us, heap {} bytes ({:.1} per socket), {} tracked",
            t.heap_bytes(),
            t.heap_bytes() as f64 / t.len().max(1) as f64,
            t.len()
        );
    };
    let mut round = 0;
    let mut tracker = Tracker::default();
    let us = time(&mut tracker, reps, |_| {
        round += 1;
        let (list, i) = &dumps[round % 2];
        snapshot(
            round,
            TcpList::with_shared(listen.clone(), Arc::clone(list)),
            &dump_times[*i],
        )
    });
    report("dump", us, &tracker);
    let (list, i) = &dumps[round % 2];
    let us = time(&mut tracker, reps, |_| {
        round += 1;
        snapshot(
            round,
            TcpList::with_shared(listen.clone(), Arc::clone(list)),
            &dump_times[*i],
        )
    });
    report("queues", us, &tracker);
    let mut flat = Tracker::default();
    let lists: Vec<Vec<TcpSocket>> = dumps
        .iter()
        .map(|(l, _)| listen.iter().chain(l.iter()).cloned().collect())
        .collect();
    drop(dumps);
    let us = time(&mut flat, reps, |_| {
        round += 1;
        let i = round % 2;
        snapshot(round, lists[i].clone().into(), &dump_times[i])
    });
    report("flat", us, &flat);
    Ok(())
}
