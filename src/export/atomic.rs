//! Writing an export file (`snapshot -o`, the dashboard's `e`).
//!
//! A regular file, or a path that does not exist yet, gets the whole output
//! at once: the bytes go to a temporary file in the destination's
//! directory, which is renamed over the destination only when everything
//! was written, so a failure leaves no partial file behind. A file it
//! replaces keeps its mode and (when allowed) its owner; a new file is 0644.
//! A symlink to a regular file replaces the file it points to and stays a
//! symlink. Anything else (`/dev/null`, `/dev/stdout`, a FIFO, or a symlink
//! to one) is written in place, like a shell's `>` redirect: never renamed
//! over or turned into a regular file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode of a newly created export file.
pub const NEW_FILE_MODE: u32 = 0o644;

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

/// Writes whatever `fill` writes to `path`, as the module describes: atomic
/// replacement of a regular file (keeping its mode and owner), in place for
/// anything else. On any error the temporary file is removed and a regular
/// `path` is left untouched.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_owned(),
        source,
    };
    let (target, old) = match fs::metadata(path) {
        Ok(m) if m.is_file() => (fs::canonicalize(path).map_err(err)?, Some(m)),
        Ok(_) => {
            let file = OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)
                .map_err(err)?;
            return write_all(file, fill).map_err(err);
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => (path.to_owned(), None),
        Err(e) => return Err(err(e)),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".sockscope-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    write_all(tmp.as_file_mut(), fill).map_err(err)?;
    let file = tmp.as_file();
    match &old {
        Some(m) => {
            // Only root may give a file away; others keep what they may.
            if let Err(e) = std::os::unix::fs::fchown(file, Some(m.uid()), Some(m.gid()))
                && e.kind() != io::ErrorKind::PermissionDenied
            {
                return Err(err(e));
            }
            file.set_permissions(fs::Permissions::from_mode(m.mode() & 0o7777))
        }
        None => file.set_permissions(fs::Permissions::from_mode(NEW_FILE_MODE)),
    }
    .map_err(err)?;
    file.sync_all().map_err(err)?;
    tmp.persist(&target).map_err(|e| err(e.error))?;
    Ok(())
}

fn write_all(
    mut file: impl io::Write,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(&mut file);
    fill(&mut out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::FileTypeExt;

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
    fn a_replaced_file_keeps_its_mode_and_owner_and_a_new_one_is_0644() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("textfile.prom");
        write_atomic(&path, |w| w.write_all(b"new")).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().mode() & 0o7777;
        assert_eq!(mode(&path), 0o644);

        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let owner = fs::metadata(&path).unwrap().uid();
        // As root, hand the file to another user first, as node_exporter's would be.
        let theirs = if owner == 0 { 65534 } else { owner };
        let _ = std::os::unix::fs::chown(&path, Some(theirs), Some(theirs));
        let before = fs::metadata(&path).unwrap();
        write_atomic(&path, |w| w.write_all(b"again")).unwrap();
        let after = fs::metadata(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"again");
        assert_eq!(after.mode() & 0o7777, 0o640);
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        assert_ne!(after.ino(), before.ino(), "replaced, not rewritten");
    }

    #[test]
    fn a_symlink_to_a_file_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, |w| w.write_all(b"new")).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn a_fifo_is_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo reads a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, |w| w.write_all(b"through the pipe")).unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
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
