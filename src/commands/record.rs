//! `sockscope record`: append a sample to a recording every interval.

use std::time::Duration;

use anyhow::Context;
use jiff::Timestamp;

use crate::cli::{RecordArgs, TargetArgs};
use crate::collector::identity;
use crate::record::{Recorder, RecordingHeader};

/// Runs the subcommand until `--duration` passes or SIGINT, SIGTERM or
/// SIGHUP (a closed terminal) arrives; each ends with the summary line.
pub fn run(args: &RecordArgs, target: &TargetArgs) -> anyhow::Result<()> {
    if args.interval < Duration::from_millis(100) {
        anyhow::bail!(
            "--interval {} is too short; use 100ms or more",
            humantime::format_duration(args.interval)
        );
    }
    let (worker, netns) = target.worker()?;
    let header = RecordingHeader {
        hostname: identity::hostname(),
        netns,
        interval_ms: args.interval.as_millis() as u64,
        started: Timestamp::now(),
        writer: format!("sockscope {}", env!("CARGO_PKG_VERSION")),
    };
    let mut rec = Recorder::create(&args.file, &header)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let file = args.file.display().to_string();
    eprintln!(
        "sockscope: recording {file} every {}{}; Ctrl-C stops",
        humantime::format_duration(args.interval),
        args.duration
            .map(|d| format!(" for {}", humantime::format_duration(d)))
            .unwrap_or_default()
    );
    let result: anyhow::Result<()> = rt.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        let mut hup = signal(SignalKind::hangup())?;
        let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
        let mut tick = tokio::time::interval(args.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = int.recv() => return Ok(()),
                _ = term.recv() => return Ok(()),
                _ = hup.recv() => return Ok(()),
            }
            if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                return Ok(());
            }
            let round = worker.run(|s| s.round()).await??;
            rec.append(&round)?;
        }
    });
    eprintln!(
        "sockscope: {file}: {} samples, {} bytes",
        rec.samples(),
        rec.bytes()
    );
    result
}
