//! `e`: the shown sample as snapshot JSON (`sockscope.snapshot.v1`) in the
//! export directory, written atomically (temporary file, then rename).

use std::path::{Path, PathBuf};

use crate::export::json::{AlertDoc, SnapshotDoc};
use crate::model::Frame;

/// File name for a sample: `sockscope-<host>-<UTC time>.json`, with any
/// character outside `[A-Za-z0-9.-]` of the host replaced by `_`.
pub fn file_name(frame: &Frame) -> String {
    let snap = &frame.snapshot;
    let host: String = snap
        .hostname
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let at = snap
        .taken_at
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y%m%dT%H%M%S%.3fZ");
    format!("sockscope-{host}-{at}.json")
}

/// Writes `frame` into `dir` and returns the path; the error names the path
/// and the cause. Nothing half-written is left behind.
pub fn write(dir: &Path, frame: &Frame) -> Result<PathBuf, String> {
    let path = dir.join(file_name(frame));
    let alerts = frame.alerts.active.iter().map(AlertDoc::from).collect();
    let doc =
        SnapshotDoc::new(&frame.snapshot, &frame.agg).with_alerts(alerts, &frame.alerts.notes);
    crate::export::atomic::write_atomic(&path, |out| {
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        out.write_all(b"\n")
    })
    .map_err(|e| format!("export to {} failed: {}", path.display(), e.source))?;
    Ok(path)
}
