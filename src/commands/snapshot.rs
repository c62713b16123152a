//! `sockscope snapshot`: one collection (or one recorded sample), printed or
//! written atomically to a file; with `--watch`, the alerts that fired while
//! sampling for a while (see [`super::watch`]).

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::watch::{self, Report};
use crate::cli::{FailOn, Format, SnapshotArgs, TargetArgs};
use crate::config::Config;
use crate::export::json::{AlertDoc, SnapshotDoc};
use crate::export::netns_set::NetnsSetDoc;
use crate::export::prometheus::{self, AlertInput, Dialect, Limits, ScrapeInput};
use crate::export::sockets::socket_docs;
use crate::export::{atomic, csv, text};
use crate::model::{
    Aggregate, AlertSet, Frame, Model, ModelLimits, Round, Severity, Snapshot, Thresholds,
};
use crate::record::Recording;

use super::target::process_cache;

/// How long `snapshot --all-netns` waits for the slowest namespace.
const ALL_NETNS_WAIT: Duration = Duration::from_secs(10);

/// What to render besides the format.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Add `sockets[]` to JSON.
    pub sockets: bool,
    /// Cardinality limits of the Prometheus format.
    pub limits: Limits,
}

/// Renders `snapshot` in `format` into `out`, without alerts.
pub fn render(
    out: &mut dyn Write,
    format: Format,
    snapshot: &Snapshot,
    opts: RenderOptions,
) -> io::Result<()> {
    let agg = Aggregate::build(snapshot);
    render_with(out, format, snapshot, &agg, None, opts)
}

/// Renders `report` (its last frame and the alerts) in `format` into `out`.
/// The CSV and Prometheus formats carry no alerts.
pub fn render_report(
    out: &mut dyn Write,
    format: Format,
    report: &Report,
    opts: RenderOptions,
) -> io::Result<()> {
    let frame = &report.frame;
    render_with(out, format, &frame.snapshot, &frame.agg, Some(report), opts)
}

fn render_with(
    out: &mut dyn Write,
    format: Format,
    snapshot: &Snapshot,
    agg: &Aggregate,
    report: Option<&Report>,
    opts: RenderOptions,
) -> io::Result<()> {
    match format {
        Format::Text => {
            let sockets = opts
                .sockets
                .then(|| socket_docs(snapshot, agg, report.map(|r| &r.tracker)));
            let extras = text::Extras {
                alerts: report.map_or(&[][..], |r| &r.alerts),
                notes: report.map_or(&[][..], |r| &r.frame.alerts.notes),
                watch: report.and_then(|r| r.watch.as_ref()),
                sockets: sockets.as_deref(),
            };
            text::write(out, snapshot, agg, extras)
        }
        Format::Json => {
            let doc = json_doc(snapshot, agg, report, opts);
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        Format::Csv => csv::write(out, &SnapshotDoc::new(snapshot, agg)),
        Format::Prometheus => {
            let input = ScrapeInput {
                netns: &snapshot.netns,
                sample: Some((snapshot, agg)),
            };
            let alerts: Vec<AlertInput> = report
                .map(|r| AlertInput {
                    netns: &snapshot.netns,
                    alerts: &r.frame.alerts.active,
                })
                .into_iter()
                .collect();
            let families = prometheus::families(&[input], &alerts, None, opts.limits);
            out.write_all(prometheus::encode(&families, Dialect::Prometheus).as_bytes())
        }
    }
}

/// The JSON document of `snapshot` with `report`'s alerts.
fn json_doc(
    snapshot: &Snapshot,
    agg: &Aggregate,
    report: Option<&Report>,
    opts: RenderOptions,
) -> SnapshotDoc {
    let mut doc = SnapshotDoc::new(snapshot, agg);
    if opts.sockets {
        doc = doc.with_sockets(snapshot, agg, report.map(|r| &r.tracker));
    }
    if let Some(r) = report {
        doc = doc.with_alerts(r.alerts.clone(), &r.frame.alerts.notes);
        doc.watch = r.watch.clone();
    }
    doc
}

/// Judges each namespace of `round` alone, as `snapshot --netns` would
/// (its own model, `thresholds`, its frame as aggregated once): one report
/// per part of `round`, `None` for those without a sample. Alert targets
/// and messages name the namespace.
pub fn judge_round(round: &Round<Frame>, thresholds: &Thresholds) -> Vec<Option<Report>> {
    round
        .parts
        .iter()
        .map(|ns| {
            let frame = ns.sample.clone()?;
            let mut model = Model::with_thresholds(&ModelLimits::default(), thresholds.clone());
            model.ingest_frame(frame);
            let mut frame = model.history.latest().expect("just ingested").clone();
            let set = &frame.alerts;
            frame.alerts = Arc::new(AlertSet {
                active: set.active.iter().map(|a| a.in_netns(&ns.label)).collect(),
                notes: set
                    .notes
                    .iter()
                    .map(|n| format!("{}: {n}", ns.label))
                    .collect(),
                overflow: set.overflow.clone(),
            });
            Some(Report::single(frame, model.tracker))
        })
        .collect()
}

/// Renders one round over every namespace (`--all-netns`) with each
/// namespace's report from [`judge_round`]: JSON as one
/// `sockscope.netns-set.v1` document (each namespace's alerts in its own
/// document), CSV as the rows of every namespace under one header,
/// Prometheus as one exposition with a `netns` label, text as one report
/// per namespace with its alerts; namespaces not collected are listed with
/// the reason.
pub fn render_round<T>(
    out: &mut dyn Write,
    format: Format,
    round: &Round<T>,
    reports: &[Option<Report>],
    opts: RenderOptions,
) -> io::Result<()> {
    let judged = || round.parts.iter().zip(reports);
    let collected = || reports.iter().flatten();
    match format {
        Format::Json => {
            let docs = reports
                .iter()
                .map(|r| {
                    r.as_ref()
                        .map(|r| json_doc(&r.frame.snapshot, &r.frame.agg, Some(r), opts))
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &NetnsSetDoc::new(round, docs))?;
            writeln!(out)
        }
        Format::Csv => {
            let docs: Vec<SnapshotDoc> = collected()
                .map(|r| SnapshotDoc::new(&r.frame.snapshot, &r.frame.agg))
                .collect();
            csv::write_docs(out, &docs)
        }
        Format::Prometheus => {
            let inputs: Vec<ScrapeInput> = judged()
                .map(|(ns, r)| ScrapeInput {
                    netns: &ns.label,
                    sample: r
                        .as_ref()
                        .map(|r| (r.frame.snapshot.as_ref(), r.frame.agg.as_ref())),
                })
                .collect();
            let alerts: Vec<AlertInput> = judged()
                .filter_map(|(ns, r)| {
                    r.as_ref().map(|r| AlertInput {
                        netns: &ns.label,
                        alerts: &r.frame.alerts.active,
                    })
                })
                .collect();
            let families = prometheus::families(&inputs, &alerts, None, opts.limits);
            out.write_all(prometheus::encode(&families, Dialect::Prometheus).as_bytes())
        }
        Format::Text => {
            for (ns, report) in judged() {
                match (report, &ns.error) {
                    (Some(r), _) => render_report(out, format, r, opts)?,
                    (None, Some(e)) => writeln!(out, "netns {}: not collected: {e}", ns.label)?,
                    (None, None) => writeln!(out, "netns {}: no sample", ns.label)?,
                }
                writeln!(out)?;
            }
            for u in &round.unreachable {
                writeln!(
                    out,
                    "netns {} ({}): cannot be entered: {}",
                    u.label,
                    u.path.display(),
                    u.reason
                )?;
            }
            Ok(())
        }
    }
}

/// The sample of `--from FILE [--at TIME]`.
fn recorded(args: &SnapshotArgs) -> anyhow::Result<Option<Round>> {
    let Some(path) = &args.from else {
        return Ok(None);
    };
    let mut rec = Recording::open(path)?;
    if let Some(stop) = rec.stopped() {
        eprintln!(
            "sockscope: warning: {}: read {} whole samples; {stop}",
            path.display(),
            rec.samples().len()
        );
    }
    let (first, last) = match (rec.samples().first(), rec.samples().last()) {
        (Some(f), Some(l)) => (f.taken_at, l.taken_at),
        _ => anyhow::bail!("{} holds no whole sample", path.display()),
    };
    let index = match args.at {
        None => rec.samples().len() - 1,
        Some(at) => rec.at_or_before(at.resolve(last)).with_context(|| {
            let at = at.resolve(last);
            format!(
                "{} has no sample at or before {at}; it covers {first} to {last}",
                path.display()
            )
        })?,
    };
    Ok(Some(rec.read(index)?))
}

/// `snapshot --fail-on` found an alert of that severity or worse; the
/// output was written. The process exits with [`AlertsReported::status`].
#[derive(Debug, thiserror::Error)]
#[error("{count} alert(s) at {} or worse reported (--fail-on {}); worst: {}", .threshold.name(), .threshold.name(), .worst.name())]
pub struct AlertsReported {
    /// Alerts at or above the threshold.
    pub count: usize,
    /// The `--fail-on` severity.
    pub threshold: Severity,
    /// The most severe alert reported.
    pub worst: Severity,
}

impl AlertsReported {
    /// The exit status: 3 when the worst alert is a warning, 4 when critical.
    pub fn status(&self) -> u8 {
        match self.worst {
            Severity::Critical => 4,
            _ => 3,
        }
    }
}

/// The `--fail-on` verdict on `report`: its alerts (those active for one
/// sample; every one that fired, resolved or not, for a watch).
fn gate<'a>(
    fail_on: Option<FailOn>,
    alerts: impl IntoIterator<Item = &'a AlertDoc>,
) -> anyhow::Result<()> {
    let Some(fail_on) = fail_on else {
        return Ok(());
    };
    let threshold = match fail_on {
        FailOn::Warning => Severity::Warning,
        FailOn::Critical => Severity::Critical,
    };
    let hits: Vec<Severity> = alerts
        .into_iter()
        .map(|a| a.severity)
        .filter(|&s| s >= threshold)
        .collect();
    match hits.iter().max() {
        Some(&worst) => Err(AlertsReported {
            count: hits.len(),
            threshold,
            worst,
        }
        .into()),
        None => Ok(()),
    }
}

/// Runs the subcommand with the resolved `config`; `target` picks the
/// namespace(s) of a live collection. `fire_after_flag` is `--fire-after`
/// when given: a one-shot snapshot otherwise judges its one sample as if
/// `fire_after` were 1.
pub fn run(
    args: &SnapshotArgs,
    target: &TargetArgs,
    config: &Config,
    fire_after_flag: Option<u32>,
) -> anyhow::Result<()> {
    let opts = RenderOptions {
        sockets: args.sockets,
        limits: Limits {
            max_listeners: args.max_listeners,
        },
    };
    super::serve::check_max_listeners(args.max_listeners)?;
    anyhow::ensure!(
        !args.sockets || matches!(args.format, Format::Text | Format::Json),
        "--sockets lists every socket in the text and JSON formats; --format {} has one row per listener, so drop --sockets or use --format json",
        match args.format {
            Format::Csv => "csv",
            _ => "prometheus",
        }
    );
    anyhow::ensure!(
        args.from.is_none() || (target.netns_target().is_none() && !target.all_netns),
        "--netns, --netns-path, --pid and --all-netns pick what to collect; --from reads the namespace the recording holds"
    );
    if let Some(duration) = args.watch {
        anyhow::ensure!(
            !target.all_netns,
            "--watch follows one namespace; pick it with --netns, --netns-path or --pid instead of --all-netns"
        );
        let interval = args.interval.unwrap_or(config.dashboard.interval);
        if let Err(allowed) = crate::config::check_interval(interval) {
            anyhow::bail!(
                "--interval {} is out of range; use a time {allowed}",
                humantime::format_duration(interval)
            );
        }
        let (mut source, _) = target.open_source(process_cache())?;
        let report = watch::watch(source.as_mut(), config, duration, interval)?;
        emit(args, |out| render_report(out, args.format, &report, opts))?;
        return gate(args.fail_on, &report.alerts);
    }
    let round = match recorded(args)? {
        Some(round) => round,
        None if target.all_netns => target
            .open_all(process_cache())
            .collect_round(ALL_NETNS_WAIT),
        None => Round::one(target.open_source(process_cache())?.0.collect()?),
    };
    let round = round.aggregate();
    if round.all {
        let reports = judge_round(&round, &one_shot(config, fire_after_flag));
        emit(args, |out| {
            render_round(out, args.format, &round, &reports, opts)
        })?;
        return gate(
            args.fail_on,
            reports.iter().flatten().flat_map(|r| &r.alerts),
        );
    }
    let mut model =
        Model::with_thresholds(&ModelLimits::default(), one_shot(config, fire_after_flag));
    let frame = model.ingest_round(round);
    let report = Report::single(frame, model.tracker);
    emit(args, |out| render_report(out, args.format, &report, opts))?;
    gate(args.fail_on, &report.alerts)
}

/// The thresholds of a one-shot snapshot: `fire_after` is `--fire-after`
/// when given, else 1, so its one sample can fire.
fn one_shot(config: &Config, fire_after_flag: Option<u32>) -> Thresholds {
    let mut thresholds = config.alerts.clone();
    thresholds.fire_after = fire_after_flag.unwrap_or(1);
    thresholds
}

/// Writes what `write` produces to `-o FILE` (atomically) or standard output.
fn emit(
    args: &SnapshotArgs,
    write: impl Fn(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => atomic::write_atomic(path, |out| write(out))?,
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}
