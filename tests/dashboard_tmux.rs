//! End to end: the real binary in a real terminal (tmux), in a private
//! network namespace, against sockets this test opens.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::{connect, listener, private_netns};
use sockscope::export::json::SnapshotDoc;

fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{screen}"))
}

/// `HH:MM:SS` of the shown sample in the header.
fn header_time(screen: &str) -> String {
    let header = screen.lines().next().unwrap();
    let utc = header
        .find(" UTC")
        .expect("the header shows the sample time");
    header[utc - 8..utc].to_owned()
}

#[test]
fn dashboard_in_tmux_against_real_sockets() {
    if !private_netns() {
        return;
    }
    let _listener = listener("127.0.0.1:7001", 2, false);
    let _clients: Vec<_> = (0..3).map(|_| connect("127.0.0.1:7001", None)).collect();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("exports");
    std::fs::create_dir(&export).unwrap();

    let Some(tmux) = Tmux::start() else { return };
    let command = format!(
        "NO_COLOR=1 {} top --interval 250ms --export-dir {} --log-file {}; echo EXITED $?",
        env!("CARGO_BIN_EXE_sockscope"),
        export.display(),
        dir.path().join("log").display(),
    );
    tmux.keys(&[&command, "Enter"]);

    // The listener with its full accept queue (Recv-Q = backlog + 1) and counts.
    let screen = tmux.wait_for("the listener with 3 queued", |s| {
        s.contains("127.0.0.1:7001") && s.contains("3/2")
    });
    let row: Vec<&str> = line_with(&screen, "127.0.0.1:7001")
        .split_whitespace()
        .collect();
    assert_eq!(
        &row[row.len() - 9..],
        ["150%", "0", "3", "0", "0", "0", "0", "0", "3"],
        "FILL SYN-RECV ESTAB FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSE-WAIT LAST-ACK SOCKETS in {row:?}"
    );
    let totals = screen.lines().nth(1).unwrap();
    assert!(
        totals.contains("ESTAB 6"),
        "3 server + 3 client sockets: {totals}"
    );
    assert!(totals.contains("LISTEN 1"), "{totals}");
    assert_eq!(tmux.display("#{alternate_on}"), "1");

    // Pause: collection goes on (the offset grows), the shown time stays.
    tmux.keys(&["Space"]);
    let paused = tmux.wait_for("PAUSED", |s| s.contains("PAUSED -00:00"));
    let frozen = header_time(&paused);
    let later = tmux.wait_for("newer samples while paused", |s| {
        s.contains("PAUSED") && !s.contains("PAUSED -00:00")
    });
    assert_eq!(
        header_time(&later),
        frozen,
        "pause freezes the shown sample"
    );
    tmux.keys(&["End"]);
    tmux.wait_for("live again", |s| s.contains(" LIVE "));

    // Drill-down: the three connections of the listener, all still in its
    // accept queue, with the kernel's proof of how long they waited.
    tmux.keys(&["Enter"]);
    let drill = tmux.wait_for("the drill-down", |s| {
        s.contains("connections 3") && s.contains("Esc back")
    });
    assert!(drill.contains("listener 127.0.0.1:7001"), "{drill}");
    let conns: Vec<&str> = drill
        .lines()
        .filter(|l| l.contains("127.0.0.1:") && l.contains(" QUEUED "))
        .collect();
    assert_eq!(conns.len(), 3, "{drill}");
    assert!(conns.iter().all(|l| l.contains(" ≥")), "{drill}");
    let top_peer = line_with(&drill, "TOP PEERS");
    assert!(top_peer.contains("CONNS"), "{top_peer}");

    // `k` moves (up from the first row: nothing to do) and never asks to
    // destroy; Ctrl-K asks, and `n` answers no.
    tmux.keys(&["j", "k"]);
    tmux.keys(&["C-k"]);
    let asked = tmux.wait_for("the destroy question", |s| {
        s.contains("destroy ESTAB connection")
    });
    assert_eq!(
        asked.matches("destroy ESTAB connection").count(),
        1,
        "{asked}"
    );
    tmux.keys(&["n"]);
    tmux.wait_for("the answer", |s| s.contains("nothing destroyed"));
    // F1 opens the help, any other key closes it.
    tmux.keys(&["F1"]);
    tmux.wait_for("the help", |s| s.contains("Ctrl-K Del"));
    tmux.keys(&["x"]);
    tmux.wait_for("the drill-down again", |s| {
        s.contains("connections 3") && !s.contains("Ctrl-K Del")
    });

    // Export: a JSON file that parses, with the listener's queue.
    tmux.keys(&["e"]);
    let status = tmux.wait_for("the export path", |s| s.contains("exported "));
    let line = line_with(&status, "exported ");
    let path = line.trim().trim_start_matches("exported ").trim();
    assert!(Path::new(path).starts_with(&export), "{path}");
    let doc: SnapshotDoc = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let l = doc
        .listeners
        .iter()
        .find(|l| l.local == "127.0.0.1:7001")
        .unwrap();
    assert_eq!((l.accept_queue, l.backlog, l.states.established), (3, 2, 3));

    // Quit: the shell is back with a sane terminal.
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for("the exit", |s| s.contains("EXITED 0"));
    assert_terminal_restored(&tmux);
}

/// The dashboard left the alternate screen, released the mouse and put the
/// tty back into cooked mode with echo.
fn assert_terminal_restored(tmux: &Tmux) {
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "left the alternate screen"
    );
    assert_eq!(tmux.display("#{mouse_any_flag}"), "0", "released the mouse");
    tmux.keys(&[
        "clear; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo -e -icanon -e -echo",
        "Enter",
    ]);
    let stty = tmux.wait_for("stty", |s| s.lines().any(|l| l.trim() == "echo"));
    assert!(
        stty.lines().any(|l| l.trim() == "icanon"),
        "cooked mode again:\n{stty}"
    );
    assert!(
        !stty.contains("-icanon") && !stty.contains("-echo"),
        "{stty}"
    );
}

#[test]
fn tiny_terminal_then_sigterm_and_sighup_restore_the_terminal() {
    if !private_netns() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (signal, name) in [(libc::SIGTERM, "TERM"), (libc::SIGHUP, "HUP")] {
        let Some(tmux) = Tmux::start() else { return };
        let pidfile = dir.path().join(format!("{name}.pid"));
        let command = format!(
            "sh -c 'echo $$ > {}; exec {} --interval 250ms --log-file {}'; echo EXITED $?",
            pidfile.display(),
            env!("CARGO_BIN_EXE_sockscope"),
            dir.path().join("log").display(),
        );
        tmux.keys(&[&command, "Enter"]);
        tmux.wait_for("the dashboard", |s| s.contains(" LIVE "));
        assert!(
            tmux.run(&["resize-window", "-t", "0", "-x", "30", "-y", "8"])
                .status
                .success()
        );
        tmux.wait_for("the too-small notice", |s| s.contains("terminal too small"));
        assert!(
            tmux.run(&["resize-window", "-t", "0", "-x", "160", "-y", "48"])
                .status
                .success()
        );
        tmux.wait_for("the dashboard again", |s| s.contains(" LIVE "));
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // SAFETY: kill(2) on the pid of the dashboard this test started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill -{name} {pid}");
        tmux.wait_for("the exit", |s| s.contains("EXITED 0"));
        assert_terminal_restored(&tmux);
    }
}

#[test]
fn replay_in_tmux_steps_through_a_recording() {
    use sockscope::record::{Recorder, RecordingHeader};

    if !private_netns() {
        return;
    }
    let _listener = listener("127.0.0.1:7005", 8, false);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incident.rec");
    let start: jiff::Timestamp = "2026-11-24T02:40:00Z".parse().unwrap();
    let header = RecordingHeader {
        hostname: "rec-host".to_owned(),
        netns: "rec-ns".to_owned(),
        interval_ms: 1000,
        started: start,
        writer: "test".to_owned(),
    };
    // Three samples one second apart, with 1, 2 and 3 connections queued.
    let mut rec = Recorder::create(&path, &header).unwrap();
    let mut clients = Vec::new();
    for i in 0..3u64 {
        clients.push(connect("127.0.0.1:7005", None));
        let (mut snap, _) = common::collect_until("the queue to grow", |_, a| {
            a.listeners.iter().any(|l| l.accept_queue == i + 1)
        });
        snap.taken_at = start + Duration::from_secs(i);
        snap.hostname = "rec-host".to_owned();
        rec.append(&sockscope::model::Round::one(snap)).unwrap();
    }
    drop(rec);

    let Some(tmux) = Tmux::start() else { return };
    let command = format!(
        "NO_COLOR=1 {} replay {} --speed 4 --export-dir {} --log-file {}; echo EXITED $?",
        env!("CARGO_BIN_EXE_sockscope"),
        path.display(),
        dir.path().display(),
        dir.path().join("log").display(),
    );
    tmux.keys(&[&command, "Enter"]);
    let end = tmux.wait_for("the last sample", |s| {
        s.contains("REPLAY x4") && s.contains("02:40:02 UTC") && s.contains("3/8")
    });
    assert!(end.contains("host rec-host"), "{end}");

    tmux.keys(&["Space", "Left", "Left"]);
    let first = tmux.wait_for("the first sample", |s| s.contains("02:40:00 UTC"));
    assert!(
        line_with(&first, "127.0.0.1:7005").contains("1/8"),
        "{first}"
    );
    tmux.keys(&["Right"]);
    let second = tmux.wait_for("the second sample", |s| s.contains("02:40:01 UTC"));
    assert!(
        line_with(&second, "127.0.0.1:7005").contains("2/8"),
        "{second}"
    );
    tmux.keys(&["-"]);
    tmux.wait_for("half speed", |s| s.contains("REPLAY x2"));

    tmux.keys(&["e"]);
    let status = tmux.wait_for("the export path", |s| s.contains("exported "));
    let line = line_with(&status, "exported ");
    let exported = line.trim().trim_start_matches("exported ").trim();
    let doc: SnapshotDoc = serde_json::from_slice(&std::fs::read(exported).unwrap()).unwrap();
    assert_eq!(doc.taken_at, start + Duration::from_secs(1));
    let l = doc
        .listeners
        .iter()
        .find(|l| l.local == "127.0.0.1:7005")
        .unwrap();
    assert_eq!((l.accept_queue, l.backlog), (2, 8));

    tmux.keys(&["q"]);
    tmux.wait_for("the exit", |s| s.contains("EXITED 0"));
}

#[test]
fn dashboard_shows_the_full_queue_and_the_close_wait_leak_as_alerts() {
    if !private_netns() {
        return;
    }
    let _full = listener("127.0.0.1:7401", 2, false);
    let _waiting: Vec<_> = (0..3).map(|_| connect("127.0.0.1:7401", None)).collect();
    let leaky = listener("127.0.0.1:7402", 16, false);
    let mut leaked = Vec::new();
    for _ in 0..3 {
        let c = connect("127.0.0.1:7402", None);
        leaked.push(leaky.accept().unwrap().0);
        drop(c);
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::start() else { return };
    let command = format!(
        "NO_COLOR=1 {} --interval 250ms --close-wait-min-age 1s --close-wait-min-count 3 \
         --log-file {}; echo EXITED $?",
        env!("CARGO_BIN_EXE_sockscope"),
        dir.path().join("log").display(),
    );
    tmux.keys(&[&command, "Enter"]);

    // The counts are short (`‼1 !1`) when the message would not fit whole.
    let screen = tmux.wait_for("both alerts in the strip", |s| {
        s.contains("alerts ‼ 1 critical ! 1 warning") || s.contains("alerts ‼1 !1 ")
    });
    // The rows carry the markers (the selected row's `▶` sits before its marker).
    assert!(
        line_with(&screen, "‼ 127.0.0.1:7401").contains("3/2"),
        "{screen}"
    );
    assert!(
        line_with(&screen, "! 127.0.0.1:7402").contains("0/16"),
        "{screen}"
    );

    tmux.keys(&["a"]);
    let panel = tmux.wait_for("the alerts panel", |s| s.contains("ACTIVE AT"));
    let active = line_with(&panel, "ACTIVE AT");
    assert!(
        active.ends_with("(2)") || active.contains("(2) "),
        "{active}"
    );
    assert!(
        line_with(&panel, "accept_queue_overflow").contains("listener 127.0.0.1:7401"),
        "{panel}"
    );
    assert!(
        line_with(&panel, "close_wait_leak").contains("listener 127.0.0.1:7402"),
        "{panel}"
    );
    assert!(
        panel.contains("what to do: the app does not close()"),
        "{panel}"
    );
    // Select the second alert (the leak, critical first) and open it: the
    // drill-down of its listener, and the status line says what to do.
    tmux.keys(&["j", "Enter"]);
    let drill = tmux.wait_for("the leaking listener's drill-down", |s| {
        s.contains("listener 127.0.0.1:7402") && s.contains("connections 3")
    });
    assert!(
        drill.contains("close_wait_leak: the app does not close() after the peer hung up"),
        "{drill}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("the dashboard to exit", |s| s.contains("EXITED 0"));
}

/// Waits until tmux reports `format` as `want` (up to 20 s).
fn wait_display(tmux: &Tmux, what: &str, format: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tmux.display(format) != want {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; screen:\n{}",
            tmux.capture()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ctrl_z_sigtstp_sigcont_and_sigquit_hand_the_terminal_back() {
    if !private_netns() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::start() else { return };
    let pidfile = dir.path().join("pid");
    let command = format!(
        "sh -c 'echo $$ > {}; exec {} --interval 250ms --log-file {}'",
        pidfile.display(),
        env!("CARGO_BIN_EXE_sockscope"),
        dir.path().join("log").display(),
    );
    tmux.keys(&[&command, "Enter"]);
    tmux.wait_for("the dashboard", |s| s.contains(" LIVE "));
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let signal = |sig: i32| {
        // SAFETY: kill(2) on the pid of the dashboard this test started.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill {sig} {pid}");
    };

    // Ctrl-Z suspends like htop or vim: the shell's terminal is back.
    tmux.keys(&["C-z"]);
    wait_display(&tmux, "the suspend", "#{alternate_on}", "0");
    assert_terminal_restored(&tmux);
    // `fg`: the dashboard is redrawn, in raw mode (`q` needs no Enter).
    tmux.keys(&["clear; fg", "Enter"]);
    wait_display(&tmux, "the dashboard after fg", "#{alternate_on}", "1");
    tmux.wait_for("the redraw", |s| s.contains(" LIVE "));

    // kill -TSTP from outside: restored; `fg` (SIGCONT): raw and redrawn.
    signal(libc::SIGTSTP);
    wait_display(&tmux, "the stop", "#{alternate_on}", "0");
    assert_eq!(tmux.display("#{mouse_any_flag}"), "0", "released the mouse");
    tmux.keys(&["clear; fg", "Enter"]);
    wait_display(&tmux, "the dashboard after fg", "#{alternate_on}", "1");
    tmux.wait_for("the redraw", |s| s.contains(" LIVE "));
    tmux.keys(&["?"]);
    tmux.wait_for("a key taken without Enter", |s| s.contains(" keys "));
    tmux.keys(&["Escape"]);

    // SIGQUIT: restored before the exit.
    signal(libc::SIGQUIT);
    let deadline = Instant::now() + Duration::from_secs(20);
    // SAFETY: signal 0 only checks that the pid still exists.
    while unsafe { libc::kill(pid, 0) } == 0 {
        assert!(Instant::now() < deadline, "SIGQUIT ends the dashboard");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_terminal_restored(&tmux);
}

/// A remote is a row to drill into, and `i` shows who holds it: the
/// process popup with its pid, user and full command line (wrapped), its
/// sockets; Esc closes it and leaves the drill-down as it was.
#[test]
fn enter_on_a_remote_drills_in_and_i_shows_the_full_command_line() {
    use std::io::BufRead;
    if !private_netns() {
        return;
    }
    let _listener = listener("127.0.0.1:7002", 8, false);
    // A client with a command line longer than the popup is wide.
    let script = "import socket, time; s = socket.create_connection(('127.0.0.1', 7002)); \
                  print('connected', flush=True); time.sleep(120)";
    let args = [
        "--pool",
        "orders-db",
        "--reason",
        "a command line long enough to wrap in the popup",
    ];
    /// The client, killed and reaped however the test ends.
    struct Reap(std::process::Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut client = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is installed (.ci/run installs it)");
    let out = client.stdout.take().unwrap();
    let client = Reap(client);
    let mut line = String::new();
    std::io::BufReader::new(out).read_line(&mut line).unwrap();
    assert_eq!(line, "connected\n");
    // The kernel's own copy (a python shim may have rewritten argv[0]).
    let raw = std::fs::read(format!("/proc/{}/cmdline", client.0.id())).unwrap();
    let expected = String::from_utf8(raw)
        .unwrap()
        .trim_end_matches('\0')
        .replace('\0', " ");
    assert!(
        expected.ends_with(&format!(" -c {script} {}", args.join(" "))),
        "{expected}"
    );

    let Some(tmux) = Tmux::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let command = format!(
        "NO_COLOR=1 {} top --interval 250ms --log-file {}; echo EXITED $?",
        env!("CARGO_BIN_EXE_sockscope"),
        dir.path().join("log").display(),
    );
    tmux.keys(&[&command, "Enter"]);
    tmux.wait_for("the listener", |s| s.contains("127.0.0.1:7002"));
    tmux.keys(&["2"]);
    let remotes = tmux.wait_for("the remote and its process", |s| {
        s.contains("sort: SOCKETS") && s.contains(&format!("python3[{}]", client.0.id()))
    });
    assert!(
        line_with(&remotes, "python3[").contains("127.0.0.1:7002"),
        "{remotes}"
    );

    tmux.keys(&["Enter"]);
    let drill = tmux.wait_for("the remote's drill-down", |s| {
        s.contains("remote 127.0.0.1:7002 from 127.0.0.1") && s.contains("connections 1")
    });
    assert!(line_with(&drill, " LOCAL ").contains("STATE"), "{drill}");
    assert!(
        line_with(&drill, "▶127.0.0.1:").contains("ESTAB"),
        "{drill}"
    );

    tmux.keys(&["i"]);
    let popup = tmux.wait_for("the process popup", |s| s.contains("command line"));
    assert!(
        line_with(&popup, " pid ").contains(&format!(
            "pid {}  name python3  user root (uid 0)",
            client.0.id()
        )),
        "{popup}"
    );
    // The popup's lines between its border characters, trimmed.
    let inner: Vec<String> = popup
        .lines()
        .filter_map(|l| {
            let (a, b) = (l.find('│')?, l.rfind('│')?);
            (b > a).then(|| l[a + '│'.len_utf8()..b].trim().to_owned())
        })
        .collect();
    let at = inner.iter().position(|l| l == "command line").unwrap();
    let end = inner
        .iter()
        .position(|l| l.starts_with("TCP sockets it holds"))
        .unwrap();
    assert!(
        end > at + 2,
        "the command line wraps over several lines: {inner:?}"
    );
    assert_eq!(inner[at + 1..end].join(" "), expected);
    assert_eq!(inner[end], "TCP sockets it holds (1)");
    assert_eq!(inner[end + 1], "ESTAB 1");
    assert!(
        inner.contains(&"127.0.0.1:7002 from 127.0.0.1  1".to_owned()),
        "{inner:?}"
    );

    tmux.keys(&["Escape"]);
    tmux.wait_for("the drill-down without the popup", |s| {
        !s.contains("command line") && s.contains("remote 127.0.0.1:7002 from 127.0.0.1")
    });
    tmux.keys(&["q"]);
    tmux.wait_for("the exit", |s| s.contains("EXITED 0"));
}
