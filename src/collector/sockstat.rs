//! `/proc/net/sockstat` and `/proc/net/sockstat6` of the collecting
//! thread's namespace: its exact TCP in-use and TIME_WAIT counts in O(1)
//! (`sock_prot_inuse_get`, `tcp_death_row`), read every interval by the
//! queues tier.
//!
//! The files are the kernel's, but read as untrusted input: at most
//! [`MAX_BYTES`] are read, every value is checked, and what is wrong is
//! named in the error.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::tiers::Sockstat;

/// The most bytes read of either file (the kernel writes about 300).
pub const MAX_BYTES: u64 = 16 * 1024;

/// Why sockstat could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SockstatError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A line or field the kernel always writes is missing or malformed.
    #[error("{path}: {what}; expected lines like `TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1`")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the bad value.
        what: String,
    },
}

/// The value of field `name` on the line of group `group` (`TCP:`) of
/// `text`; an error names what is missing or not a number.
fn field(text: &str, group: &str, name: &str) -> Result<u64, String> {
    let prefix = format!("{group}:");
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .ok_or_else(|| format!("no {prefix} line"))?;
    let mut words = line.split_whitespace();
    while let Some(word) = words.next() {
        let value = words.next();
        if word == name {
            let value = value.ok_or_else(|| format!("{prefix} {name} has no value"))?;
            return value
                .parse()
                .map_err(|_| format!("{prefix} {name} is {value:?}, not a count"));
        }
    }
    Err(format!("no {name} on the {prefix} line"))
}

/// Parses the text of `sockstat` and `sockstat6` (`path` and `path6` name
/// them in errors).
pub fn parse(
    text: &str,
    text6: &str,
    path: &Path,
    path6: &Path,
) -> Result<Sockstat, SockstatError> {
    let bad = |path: &Path| {
        let path = path.to_owned();
        move |what| SockstatError::Malformed { path, what }
    };
    let tcp = |name| field(text, "TCP", name).map_err(bad(path));
    Ok(Sockstat {
        tcp_inuse: tcp("inuse")?,
        tcp_tw: tcp("tw")?,
        tcp_orphan: tcp("orphan")?,
        tcp_alloc: tcp("alloc")?,
        tcp6_inuse: field(text6, "TCP6", "inuse").map_err(bad(path6))?,
    })
}

fn read_bounded(path: &Path) -> Result<String, SockstatError> {
    let mut text = String::new();
    File::open(path)
        .and_then(|f| f.take(MAX_BYTES).read_to_string(&mut text))
        .map_err(|source| SockstatError::Read {
            path: path.to_owned(),
            source,
        })?;
    Ok(text)
}

/// Reads `<net_dir>/sockstat` and `<net_dir>/sockstat6` (normally
/// `/proc/thread-self/net`).
pub fn read(net_dir: &Path) -> Result<Sockstat, SockstatError> {
    let (path, path6) = (net_dir.join("sockstat"), net_dir.join("sockstat6"));
    let (text, text6) = (read_bounded(&path)?, read_bounded(&path6)?);
    parse(&text, &text6, &path, &path6)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V4: &str = "sockets: used 290\n\
                      TCP: inuse 5 orphan 1 tw 7 alloc 9 mem 2\n\
                      UDP: inuse 3 mem 2\n";
    const V6: &str = "TCP6: inuse 4\nUDP6: inuse 1\n";

    fn parsed(v4: &str, v6: &str) -> Result<Sockstat, String> {
        parse(v4, v6, Path::new("sockstat"), Path::new("sockstat6")).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_tcp_field() {
        assert_eq!(
            parsed(V4, V6).unwrap(),
            Sockstat {
                tcp_inuse: 5,
                tcp6_inuse: 4,
                tcp_tw: 7,
                tcp_orphan: 1,
                tcp_alloc: 9,
            }
        );
    }

    #[test]
    fn errors_name_the_file_and_the_bad_value() {
        let e = parsed("TCP: inuse five orphan 0 tw 0 alloc 0\n", V6).unwrap_err();
        assert!(
            e.starts_with(r#"sockstat: TCP: inuse is "five", not a count"#),
            "{e}"
        );
        let e = parsed(V4, "UDP6: inuse 1\n").unwrap_err();
        assert!(e.starts_with("sockstat6: no TCP6: line"), "{e}");
        let e = parsed("TCP: inuse 1 orphan 0 alloc 0\n", V6).unwrap_err();
        assert!(e.starts_with("sockstat: no tw on the TCP: line"), "{e}");
        let e = parsed("TCP: inuse 1 orphan 0 alloc 0 tw\n", V6).unwrap_err();
        assert!(e.starts_with("sockstat: TCP: tw has no value"), "{e}");
        let e = parsed("TCP: inuse -1 orphan 0 tw 0 alloc 0\n", V6).unwrap_err();
        assert!(e.contains(r#"inuse is "-1""#), "{e}");
    }

    #[test]
    fn a_huge_file_is_read_only_up_to_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let mut big = String::from(V4);
        big.push_str(&"x".repeat(MAX_BYTES as usize * 4));
        std::fs::write(dir.path().join("sockstat"), big).unwrap();
        std::fs::write(dir.path().join("sockstat6"), V6).unwrap();
        assert_eq!(read(dir.path()).unwrap().tcp_tw, 7);
        let e = read(Path::new("/nonexistent-sockscope")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read /nonexistent-sockscope/sockstat:"),
            "{e}"
        );
    }
}
