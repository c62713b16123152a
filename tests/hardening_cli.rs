//! Hostile input to the real binary: crafted recordings, device nodes as
//! `-o`, unbounded config files, intervals that would spin, redirected
//! replays, and control characters in names that reach every output.

mod common;

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use sockscope::model::{ProcessInfo, Snapshot, SocketProcesses, fixtures};
use sockscope::record::{Recorder, RecordingHeader};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sockscope"))
}

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .stdin(Stdio::null())
        .output()
        .expect("run sockscope")
}

/// Standard error, checked to be exactly one line.
fn one_line(out: &Output) -> String {
    assert!(!out.status.success(), "refused");
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    err.trim_end().to_owned()
}

fn header() -> RecordingHeader {
    RecordingHeader {
        hostname: "test".to_owned(),
        netns: "test".to_owned(),
        interval_ms: 1000,
        started: "2026-11-24T02:40:00Z".parse().unwrap(),
        writer: "test".to_owned(),
    }
}

fn sample() -> Snapshot {
    fixtures::snapshot(
        "2026-11-24T02:40:00Z",
        vec![fixtures::listen("127.0.0.1:80", 0, 128, 7)],
    )
}

/// A recording of `snapshots`; returns the byte offset after its header.
fn record(path: &Path, snapshots: &[Snapshot]) -> u64 {
    let mut rec = Recorder::create(path, &header()).unwrap();
    let start = rec.bytes();
    for s in snapshots {
        rec.append(&sockscope::model::Round::one(s.clone()))
            .unwrap();
    }
    start
}

#[test]
fn a_decompression_bomb_is_one_line_naming_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.rec");
    let offset = record(&path, &[]);
    // 3 KB of compressed zeros whose size prefix claims 4 GiB, with a valid crc32.
    let mut payload = lz4_flex::compress_prepend_size(&vec![0u8; 700_000]);
    payload[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    let ts = sample().taken_at.as_nanosecond() as i64;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&ts.to_le_bytes());
    crc.update(&payload);
    let mut frame = (payload.len() as u32).to_le_bytes().to_vec();
    frame.extend(crc.finalize().to_le_bytes());
    frame.extend(ts.to_le_bytes());
    frame.extend(&payload);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(frame);
    std::fs::write(&path, bytes).unwrap();

    let file = path.to_str().unwrap();
    let err = one_line(&run(&["snapshot", "--from", file, "--format", "json"]));
    let block = payload.len() - 4;
    assert_eq!(
        err,
        format!(
            "sockscope: error: {file}: sample 0 at byte {offset} cannot be decoded: it announces 4294967295 decompressed bytes, more than the {} its {block} compressed bytes can hold",
            block * 255
        )
    );
}

#[test]
fn a_process_index_outside_the_table_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.rec");
    let mut s = sample();
    s.processes.enabled = true;
    s.processes.list = vec![ProcessInfo {
        pid: 1,
        comm: "init".to_owned(),
        cmdline: String::new(),
        uid: 0,
        user: "root".to_owned(),
    }];
    s.processes.sockets = vec![SocketProcesses {
        inode: 7,
        processes: vec![5],
    }]
    .into();
    let offset = record(&path, &[s]);
    let file = path.to_str().unwrap();
    let out = run(&["snapshot", "--from", file, "--format", "json", "--sockets"]);
    assert_eq!(out.status.code(), Some(1), "an error, not a panic (101)");
    assert_eq!(
        one_line(&out),
        format!(
            "sockscope: error: {file}: sample 0 at byte {offset} cannot be decoded: processes.sockets[0] (inode 7) names process 5 of a 1-entry process list"
        )
    );
}

#[test]
fn replay_refuses_a_redirected_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.rec");
    record(&path, &[sample()]);
    let out = run(&["replay", path.to_str().unwrap()]);
    assert!(out.stdout.is_empty(), "no escape codes written");
    assert_eq!(
        one_line(&out),
        "sockscope: error: the dashboard needs a terminal; for output to a file or pipe use `sockscope snapshot`"
    );
}

#[test]
fn watch_refuses_an_interval_that_would_spin() {
    let out = run(&["snapshot", "--watch", "1s", "--interval", "1ns"]);
    assert_eq!(
        one_line(&out),
        "sockscope: error: --interval 1ns is out of range; use a time between 100ms and 1h"
    );
}

#[test]
fn config_reads_are_bounded_and_never_block() {
    let err = one_line(&run(&["--config", "/dev/zero", "config", "--print"]));
    assert_eq!(
        err,
        "sockscope: error: cannot read config file /dev/zero: it is not a regular file (a device, FIFO, socket or directory); give a TOML file"
    );

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("config.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let err = one_line(&run(&[
        "--config",
        fifo.to_str().unwrap(),
        "config",
        "--print",
    ]));
    assert!(
        err.ends_with(
            "it is not a regular file (a device, FIFO, socket or directory); give a TOML file"
        ),
        "{err}"
    );

    // The same for the default config file.
    std::fs::create_dir(dir.path().join("sockscope")).unwrap();
    std::fs::rename(&fifo, dir.path().join("sockscope/config.toml")).unwrap();
    let out = bin()
        .args(["config", "--print"])
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(one_line(&out).ends_with("give a TOML file"));

    let big = dir.path().join("big.toml");
    std::fs::write(&big, "#".repeat(2 << 20)).unwrap();
    let err = one_line(&run(&[
        "--config",
        big.to_str().unwrap(),
        "config",
        "--print",
    ]));
    assert!(
        err.ends_with("it is larger than 1048576 bytes; a config file is a few lines of TOML"),
        "{err}"
    );
}

#[test]
fn os_causes_are_said_once_and_the_export_dir_must_be_a_directory() {
    let err = one_line(&run(&["snapshot", "--netns-path", "/nonexistent"]));
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    let err = one_line(&run(&["top", "--export-dir", "/etc/passwd"]));
    assert_eq!(
        err,
        "sockscope: error: export directory /etc/passwd is not a directory; pass --export-dir with a directory"
    );
}

/// Runs `script` with `sh` in a private mount namespace whose `/dev` is a
/// fresh tmpfs holding only what the script creates; never the real `/dev`.
fn in_private_dev(script: &str) -> Output {
    if !common::tools::have_root("mknod in a private /dev") {
        return Command::new("true").output().unwrap();
    }
    Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c"])
        .arg(format!("mount -t tmpfs none /dev && {script}"))
        .env("SOCKSCOPE", env!("CARGO_BIN_EXE_sockscope"))
        .output()
        .expect("run unshare")
}

#[test]
fn output_to_a_device_writes_into_it_and_keeps_it_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("ok.rec");
    record(&rec, &[sample()]);
    let out = in_private_dev(&format!(
        "mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/full c 1 7 && \
         \"$SOCKSCOPE\" snapshot --from {r} -o /dev/null && echo null-ok && stat -c '%F %a' /dev/null && \
         ! \"$SOCKSCOPE\" snapshot --from {r} -o /dev/full && stat -c '%F %a' /dev/full",
        r = rec.display()
    ));
    if out.stdout.is_empty() && out.stderr.is_empty() {
        return;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "null-ok\ncharacter special file 666\ncharacter special file 666\n"
    );
    assert!(
        stderr.starts_with("sockscope: error: cannot write /dev/full: No space left on device"),
        "{stderr}"
    );
}

#[test]
fn output_to_a_file_keeps_its_mode_and_owner() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("ok.rec");
    record(&rec, &[sample()]);
    let prom = dir.path().join("sockscope.prom");
    std::fs::write(&prom, "old").unwrap();
    std::fs::set_permissions(&prom, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let _ = std::os::unix::fs::chown(&prom, Some(65534), Some(65534));
    let before = std::fs::metadata(&prom).unwrap();
    let out = run(&[
        "snapshot",
        "--from",
        rec.to_str().unwrap(),
        "--format",
        "prometheus",
        "-o",
        prom.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::metadata(&prom).unwrap();
    assert!(after.file_type().is_file() && !after.file_type().is_char_device());
    assert_eq!(
        (after.mode() & 0o7777, after.uid(), after.gid()),
        (0o644, before.uid(), before.gid())
    );
    assert!(
        std::fs::read_to_string(&prom)
            .unwrap()
            .contains("sockscope_up")
    );
}

/// Clears FD_CLOEXEC so that a child inherits (and so owns) the socket.
fn inheritable(fd: i32) {
    // SAFETY: fcntl on a descriptor this test owns.
    assert_eq!(unsafe { libc::fcntl(fd, libc::F_SETFD, 0) }, 0);
}

#[test]
fn control_characters_in_names_are_escaped_in_every_output() {
    use std::os::fd::AsRawFd;
    if !common::private_netns() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("\x1b[2J\nrow");
    let unix = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let tcp = common::listener("127.0.0.1:7301", 16, false);
    // A process whose command name (the name it was executed by) holds ESC.
    let evil = dir.path().join("\x1b[2Jx\ny");
    std::os::unix::fs::symlink("/bin/sleep", &evil).unwrap();
    inheritable(unix.as_raw_fd());
    inheritable(tcp.as_raw_fd());
    let mut child = Command::new(&evil).arg("30").spawn().unwrap();
    let comm = format!("/proc/{}/comm", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read(&comm).unwrap_or_default().contains(&0x1b) {
        assert!(std::time::Instant::now() < deadline, "the child never ran");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }

    for format in ["text", "csv", "prometheus"] {
        let out = run(&["snapshot", "--format", format]);
        assert!(out.status.success(), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains('\x1b'),
            "{format}: no ESC reaches the reader"
        );
        let want = match format {
            "text" => "\\x1b[2J\\nrow",
            "csv" => "\\x1b[2Jx\\ny[",
            // The exposition's own escape for a newline, `\\` before the rest.
            _ => "\\\\x1b[2J\\nrow\",kind",
        };
        assert!(text.contains(want), "{format}: {text}");
        if format == "csv" {
            assert_eq!(text.lines().count(), 2, "header and one row: {text}");
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn flags_that_would_be_ignored_or_hide_everything_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("ok.rec");
    record(&rec, &[sample()]);
    let file = rec.to_str().unwrap();
    assert_eq!(
        one_line(&run(&["snapshot", "--netns", "web", "--from", file])),
        "sockscope: error: --netns, --netns-path, --pid and --all-netns pick what to collect; --from reads the namespace the recording holds"
    );
    assert_eq!(
        one_line(&run(&[
            "snapshot",
            "--from",
            file,
            "--format",
            "prometheus",
            "--max-listeners",
            "0"
        ])),
        "sockscope: error: --max-listeners 0 would hide every listener; give at least 1"
    );
}

#[test]
fn record_ends_with_its_summary_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("hup.rec");
    let child = bin()
        .args(["record", rec.to_str().unwrap(), "--interval", "100ms"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::metadata(&rec).map(|m| m.len()).unwrap_or(0) < 200 {
        assert!(std::time::Instant::now() < deadline, "no sample recorded");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGHUP) }, 0);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    let summary = err.lines().last().unwrap();
    assert!(
        summary.starts_with(&format!("sockscope: {}: ", rec.display()))
            && summary.contains(" samples, "),
        "{err}"
    );
}

#[test]
fn a_full_disk_during_record_leaves_only_whole_samples() {
    if !common::tools::have_ns_root("a size-limited tmpfs in a private mount namespace") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c"])
        .arg(
            "mount -t tmpfs -o size=48k none \"$DIR\" && \
             \"$SOCKSCOPE\" record \"$DIR/r.rec\" --interval 100ms; echo rc=$?; \
             stat -c 'size=%s' \"$DIR/r.rec\"; \
             \"$SOCKSCOPE\" snapshot --from \"$DIR/r.rec\" --format json >/dev/null && echo read-ok",
        )
        .env("DIR", dir.path())
        .env("SOCKSCOPE", env!("CARGO_BIN_EXE_sockscope"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("rc=1\n"),
        "the full disk is an error: {stdout}{stderr}"
    );
    assert!(stdout.ends_with("read-ok\n"), "{stdout}{stderr}");
    let size = stdout
        .lines()
        .find_map(|l| l.strip_prefix("size="))
        .unwrap();
    let summary = stderr
        .lines()
        .find(|l| l.contains(" samples, "))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        summary.ends_with(&format!(" samples, {size} bytes")),
        "{stderr}"
    );
    assert!(!stderr.contains("cut off"), "no partial tail: {stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
}
