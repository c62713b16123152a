//! `e`: the shown sample as snapshot JSON (`sockscope.snapshot.v1`) in the
//! export directory, written atomically (temporary file, then rename).

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
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
    let fail = |e: &dyn std::fmt::Display| format!("export to {} failed: {e}", path.display());
    let mut tmp = tempfile::Builder::new()
        .prefix(".sockscope-export-")
        .tempfile_in(dir)
        .map_err(|e| fail(&e))?;
    serde_json::to_writer_pretty(&mut tmp, &doc).map_err(|e| fail(&e))?;
    tmp.write_all(b"\n").map_err(|e| fail(&e))?;
    // A temporary file is private (0600); an export is a normal file.
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .map_err(|e| fail(&e))?;
    tmp.persist(&path).map_err(|e| fail(&e.error))?;
    Ok(path)
}
