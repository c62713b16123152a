//! Writing an export file all at once: the bytes go to a temporary file in
//! the destination's directory, which is renamed over the destination only
//! when everything was written. A failure leaves no partial file behind.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why an export file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source} (check that the directory exists and is writable)")]
pub struct WriteError {
    /// The destination.
    pub path: PathBuf,
    /// The OS error.
    #[source]
    pub source: io::Error,
}

/// Writes whatever `fill` writes to `path`, atomically: a temporary file next
/// to `path`, synced, then renamed over it. On any error, from `fill` or the
/// file system, the temporary file is removed and `path` is left untouched.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".sockscope-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut out).map_err(err)?;
        out.flush().map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_and_nothing_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, |w| w.write_all(b"first")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");

        let failed = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.unwrap_err().to_string().contains("disk full"));
        assert_eq!(std::fs::read(&path).unwrap(), b"first", "old file kept");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.json")]);
    }

    #[test]
    fn missing_directory_is_named() {
        let err = write_atomic(Path::new("/nonexistent-dir/x.csv"), |_| Ok(())).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot write /nonexistent-dir/x.csv:"),
            "{err}"
        );
    }
}
