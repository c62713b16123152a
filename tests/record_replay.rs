//! `sockscope record` over real sockets in a private namespace, read back
//! through the library and through `snapshot --from`.

mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use ratatui::layout::Rect;
use sockscope::collector::RoundSource;
use sockscope::model::{Aggregate, TcpState::*};
use sockscope::record::{Playback, Recording, RecordingSource};
use sockscope::ui::app::{Action, App, Mode, Settings};
use sockscope::ui::collect::{self, Collected, SourceFactory};
use sockscope::ui::theme::Theme;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sockscope"))
}

#[test]
fn recorded_samples_read_back_exactly() {
    if !private_netns() {
        return;
    }
    let _l = listener("127.0.0.1:7201", 4, false);
    let _clients: Vec<_> = (0..2).map(|_| connect("127.0.0.1:7201", None)).collect();
    collect_until("2 queued connections", |_, a| a.totals[Established] == 4);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incident.rec");
    let mut child = bin()
        .args(["record", path.to_str().unwrap(), "--interval", "100ms"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Recording::open(&path).map_or(0, |r| r.samples().len()) < 3 {
        assert!(Instant::now() < deadline, "no 3 samples recorded");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: kill sends a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    assert!(
        child.wait().unwrap().success(),
        "SIGTERM ends recording cleanly"
    );

    let mut rec = Recording::open(&path).unwrap();
    assert_eq!(rec.stopped(), None);
    assert_eq!(rec.header.interval_ms, 100);
    assert_eq!(
        rec.header.hostname,
        sockscope::collector::identity::hostname()
    );
    let n = rec.samples().len();
    assert!(n >= 3);
    let addr: SocketAddr = "127.0.0.1:7201".parse().unwrap();
    let mut previous = None;
    for i in 0..n {
        let round = rec.read(i).unwrap();
        assert!(!round.all);
        assert_eq!(round.label(), rec.header.netns);
        let snap = round.parts[0].sample.as_ref().unwrap();
        assert_eq!(snap.taken_at, rec.samples()[i].taken_at);
        assert!(previous < Some(snap.taken_at), "samples in time order");
        previous = Some(snap.taken_at);
        assert_eq!(snap.netns, rec.header.netns);
        let agg = Aggregate::build(snap);
        let l = agg.listener(addr).unwrap();
        assert_eq!((l.accept_queue, l.backlog), (2, 4), "sample {i}");
        assert_eq!(l.states[Established], 2, "sample {i}");
        assert_eq!(agg.totals[Listen], 1, "sample {i}");
    }

    // `snapshot --from --at` prints the sample at or before the time.
    let second = rec.samples()[1].taken_at;
    let at = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args([
            "snapshot",
            "--format",
            "json",
            "--from",
            path.to_str().unwrap(),
        ])
        .args(["--at", &(second + Duration::from_millis(1)).to_string()])
        .output()
        .unwrap();
    assert!(at.status.success(), "{at:?}");
    let doc: serde_json::Value = serde_json::from_slice(&at.stdout).unwrap();
    assert_eq!(doc["taken_at"], second.to_string());
    assert_eq!(doc["listeners"][0]["local"], "127.0.0.1:7201");
    assert_eq!(doc["listeners"][0]["accept_queue"], 2);

    // The same sample as a time of day in UTC and as a time back from the end.
    let last = rec.samples().last().unwrap().taken_at;
    let clock = second.to_zoned(jiff::tz::TimeZone::UTC).time().to_string();
    let back = format!("-{}ms", last.duration_since(second).as_millis());
    for when in [clock.as_str(), back.as_str()] {
        let out = bin()
            .args([
                "snapshot",
                "--format",
                "json",
                "--from",
                path.to_str().unwrap(),
            ])
            .args(["--at", when])
            .output()
            .unwrap();
        assert!(out.status.success(), "--at {when}: {out:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["taken_at"], second.to_string(), "--at {when}");
    }
    let out = bin()
        .args([
            "snapshot",
            "--from",
            path.to_str().unwrap(),
            "--at",
            "19:08:4x",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("invalid time \"19:08:4x\": use an RFC 3339 time"),
        "{err}"
    );

    // A cut-off file still gives its whole samples and says where it stopped.
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.rec");
    std::fs::write(&cut, &bytes[..bytes.len() - 3]).unwrap();
    let out = bin()
        .args([
            "snapshot",
            "--format",
            "csv",
            "--from",
            cut.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "sockscope: warning: {}: read {} whole samples; the file is cut off at byte {}",
            cut.display(),
            n - 1,
            bytes.len() - 3
        )),
        "{stderr}"
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let taken = rec.samples()[n - 2].taken_at.to_string();
    assert!(csv.lines().nth(1).unwrap().starts_with(&taken), "{csv}");

    replay_headless(
        &path,
        &rec.samples().iter().map(|s| s.taken_at).collect::<Vec<_>>(),
    );
}

/// Plays `path` through the dashboard's collection thread into the
/// dashboard's state machine, then steps back through every sample.
fn replay_headless(path: &std::path::Path, times: &[jiff::Timestamp]) {
    let recording = Recording::open(path).unwrap();
    let playback = Playback::new(64.0);
    let factory: SourceFactory = Box::new(move || {
        Ok(Box::new(RecordingSource::new(recording, playback)) as Box<dyn RoundSource>)
    });
    let mut collector = collect::spawn(factory, Duration::ZERO).unwrap();
    let settings = Settings {
        interval: Duration::from_millis(100),
        history: Duration::from_secs(3600),
        export_dir: std::env::temp_dir(),
        mode: Mode::Replay { speed: 64.0 },
        thresholds: Default::default(),
        read_only: false,
        keys: Default::default(),
        replay_samples: Vec::new(),
    };
    let mut app = App::new(settings, Theme::from_env(), Rect::new(0, 0, 160, 48));
    loop {
        match collector.rx.blocking_recv() {
            Some(Collected::Round(round)) => app.ingest_round(round),
            Some(Collected::Finished) => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(app.model.history.len(), times.len());
    app.handle(Action::TogglePause);
    let addr: SocketAddr = "127.0.0.1:7201".parse().unwrap();
    for (i, want) in times.iter().enumerate().rev() {
        let shown = app.shown().unwrap();
        assert_eq!(shown.snapshot.taken_at, *want, "sample {i}");
        assert_eq!(shown.agg.listener(addr).unwrap().accept_queue, 2);
        app.handle(Action::StepBack);
    }
    app.handle(Action::Faster);
    assert_eq!(
        app.settings.mode,
        Mode::Replay { speed: 64.0 },
        "64 is the top speed"
    );
    app.handle(Action::Slower);
    assert_eq!(app.settings.mode, Mode::Replay { speed: 32.0 });
}

#[test]
fn bad_recordings_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("snap.json");
    std::fs::write(&json, "{\"schema\":\"sockscope.snapshot.v1\"}").unwrap();
    let out = bin()
        .args(["snapshot", "--from", json.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "sockscope: error: {} is not a sockscope recording (it does not start with the SSCOPREC magic)\n",
            json.display()
        )
    );

    let out = bin()
        .args([
            "snapshot",
            "--format",
            "csv",
            "-o",
            "/nonexistent-dir/out.csv",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("sockscope: error: cannot write /nonexistent-dir/out.csv:"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
