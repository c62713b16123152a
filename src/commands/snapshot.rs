//! `sockscope snapshot`: one collection, printed.

use std::io::{self, Write};

use anyhow::Context;

use crate::cli::{Format, SnapshotArgs};
use crate::collector::{LiveSource, Source};
use crate::export::{json::SnapshotDoc, text};
use crate::model::{Aggregate, Snapshot};

/// Renders `snapshot` in `format` into `out`.
pub fn render(out: &mut dyn Write, format: Format, snapshot: &Snapshot) -> io::Result<()> {
    let agg = Aggregate::build(snapshot);
    match format {
        Format::Text => text::write(out, snapshot, &agg),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &SnapshotDoc::new(snapshot, &agg))?;
            writeln!(out)
        }
    }
}

/// Runs the subcommand.
pub fn run(args: &SnapshotArgs) -> anyhow::Result<()> {
    let mut source = LiveSource::open()?;
    let snapshot = source.collect()?;
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            render(&mut buf, args.format, &snapshot)?;
            std::fs::write(path, buf)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            render(&mut out, args.format, &snapshot)?;
            out.flush()?;
        }
    }
    Ok(())
}
