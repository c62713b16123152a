//! `sockscope snapshot`: one collection (or one recorded sample), printed or
//! written atomically to a file.

use std::io::{self, Write};

use anyhow::Context;

use crate::cli::{Format, SnapshotArgs};
use crate::collector::{LiveSource, Source};
use crate::export::prometheus::{self, Dialect, Limits, ScrapeInput};
use crate::export::{atomic, csv, json::SnapshotDoc, text};
use crate::model::{Aggregate, Snapshot};
use crate::record::Recording;

/// What to render besides the format.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Add `sockets[]` to JSON.
    pub sockets: bool,
    /// Cardinality limits of the Prometheus format.
    pub limits: Limits,
}

/// Renders `snapshot` in `format` into `out`.
pub fn render(
    out: &mut dyn Write,
    format: Format,
    snapshot: &Snapshot,
    opts: RenderOptions,
) -> io::Result<()> {
    let agg = Aggregate::build(snapshot);
    match format {
        Format::Text => text::write(out, snapshot, &agg),
        Format::Json => {
            let mut doc = SnapshotDoc::new(snapshot, &agg);
            if opts.sockets {
                doc = doc.with_sockets(snapshot, &agg);
            }
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        Format::Csv => csv::write(out, &SnapshotDoc::new(snapshot, &agg)),
        Format::Prometheus => {
            let input = ScrapeInput {
                netns: &snapshot.netns,
                sample: Some((snapshot, &agg)),
            };
            let families = prometheus::families(&[input], None, opts.limits);
            out.write_all(prometheus::encode(&families, Dialect::Prometheus).as_bytes())
        }
    }
}

/// The sample of `--from FILE [--at TIME]`.
fn recorded(args: &SnapshotArgs) -> anyhow::Result<Option<Snapshot>> {
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
        Some(at) => rec.at_or_before(at).with_context(|| {
            format!(
                "{} has no sample at or before {at}; it covers {first} to {last}",
                path.display()
            )
        })?,
    };
    Ok(Some(rec.read(index)?))
}

/// Runs the subcommand.
pub fn run(args: &SnapshotArgs) -> anyhow::Result<()> {
    let snapshot = match recorded(args)? {
        Some(s) => s,
        None => LiveSource::open()?.collect()?,
    };
    let opts = RenderOptions {
        sockets: args.sockets,
        limits: Limits {
            max_listeners: args.max_listeners,
        },
    };
    match &args.output {
        Some(path) => atomic::write_atomic(path, |out| render(out, args.format, &snapshot, opts))?,
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            render(&mut out, args.format, &snapshot, opts)?;
            out.flush()?;
        }
    }
    Ok(())
}
