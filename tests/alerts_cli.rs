//! The real binary: `snapshot --watch` reports the alerts that fired in a
//! namespace with one full accept queue and one CLOSE_WAIT leak, and
//! nothing for normal churn; `config --print` and bad config input.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;
use serde_json::Value;
use sockscope::model::TcpState::*;

fn sockscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .expect("run sockscope")
}

/// Connections that open, exchange a byte and close at once, on a thread
/// in this namespace, until the returned flag is set.
fn churn(addr: &'static str) -> (Arc<AtomicBool>, std::thread::JoinHandle<u64>) {
    let l = listener(addr, 128, false);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::spawn(move || {
        let mut n = 0;
        while !flag.load(Ordering::Relaxed) {
            let mut c = connect(addr, None);
            let (mut srv, _) = l.accept().unwrap();
            c.write_all(b"x").unwrap();
            drop(c);
            srv.read_to_end(&mut Vec::new()).unwrap();
            drop(srv);
            n += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
        n
    });
    (stop, handle)
}

fn alerts(out: &Output) -> Vec<(String, String, String)> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    doc["alerts"]
        .as_array()
        .expect("alerts array")
        .iter()
        .map(|a| {
            (
                a["rule"].as_str().unwrap().to_owned(),
                a["target"]["kind"].as_str().unwrap().to_owned(),
                a["target"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn watch_reports_exactly_the_full_queue_and_the_close_wait_leak() {
    if !private_netns() {
        return;
    }
    let _full = listener("127.0.0.1:7301", 2, false);
    let _waiting: Vec<_> = (0..3).map(|_| connect("127.0.0.1:7301", None)).collect();
    let leaky = listener("127.0.0.1:7302", 16, false);
    let mut leaked = Vec::new();
    for _ in 0..3 {
        let c = connect("127.0.0.1:7302", None);
        leaked.push(leaky.accept().unwrap().0);
        drop(c);
    }
    collect_until("queue full and 3 CLOSE_WAIT", |_, a| {
        a.totals[CloseWait] == 3 && a.listeners.iter().any(|l| l.accept_queue == 3)
    });
    let (stop, churner) = churn("127.0.0.1:7303");

    let out = sockscope(&[
        "snapshot",
        "--watch",
        "5s",
        "--interval",
        "250ms",
        "--format",
        "json",
        "--close-wait-min-age",
        "1s",
        "--close-wait-min-count",
        "3",
    ]);
    stop.store(true, Ordering::Relaxed);
    assert!(churner.join().unwrap() > 10, "the churn ran");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["watch"]["samples"], 21, "{}", doc["watch"]);
    assert_eq!(
        alerts(&out),
        [
            (
                "accept_queue_overflow".into(),
                "listener".into(),
                "127.0.0.1:7301".into()
            ),
            (
                "close_wait_leak".into(),
                "listener".into(),
                "127.0.0.1:7302".into()
            ),
        ]
    );
    let leak = &doc["alerts"][1];
    assert_eq!(leak["severity"], "warning");
    let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
    let prefix = format!(
        "listener 127.0.0.1:7302 of process {} (pid {}) leaks CLOSE_WAIT: 3 sockets (3 older \
         than 1s), oldest ",
        comm.trim_end(),
        std::process::id()
    );
    assert!(
        leak["message"].as_str().unwrap().starts_with(&prefix),
        "{leak}\nwant prefix {prefix}"
    );
    assert_eq!(doc["alerts"][0]["severity"], "critical");
}

#[test]
fn watch_text_names_the_alert() {
    if !private_netns() {
        return;
    }
    let _full = listener("127.0.0.1:7311", 1, false);
    let _waiting: Vec<_> = (0..2).map(|_| connect("127.0.0.1:7311", None)).collect();
    collect_until("queue full", |_, a| {
        a.listeners.iter().any(|l| l.accept_queue == 2)
    });
    let out = sockscope(&["snapshot", "--watch", "1s", "--interval", "200ms"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let section = &text[text
        .find("\nALERTS that fired during the watch (1, 6 samples")
        .expect(&text)..];
    assert!(
        section.contains("‼ critical accept_queue_overflow     listener 127.0.0.1:7311  since "),
        "{section}"
    );
    assert!(
        section.contains("listener 127.0.0.1:7311 accept queue is full (2/1)"),
        "{section}"
    );
}

#[test]
fn config_print_shows_flags_over_file_over_defaults() {
    let dir = std::env::temp_dir().join(format!("sockscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("c.toml");
    std::fs::write(&file, "[alerts]\nfire_after = 5\nwindow = \"2m\"\n").unwrap();
    let out = sockscope(&[
        "--config",
        file.to_str().unwrap(),
        "config",
        "--print",
        "--fire-after",
        "7",
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\n[alerts]\nfire_after = 7\nresolve_after = 3\nwindow = \"2m\"\n"),
        "{text}"
    );
}

#[test]
fn config_alone_prints_and_shows_rebound_keys() {
    let dir = std::env::temp_dir().join(format!("sockscope-cli-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("keys.toml");
    std::fs::write(&file, "[keys]\ndestroy = \"f9\"\n").unwrap();
    let out = sockscope(&["--config", file.to_str().unwrap(), "config"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\n[keys]\n"), "{text}");
    assert!(text.contains("\ndestroy = [\"f9\"]\n"), "{text}");
    assert!(
        text.contains("\nup = [\n    \"up\",\n    \"k\",\n]\n")
            || text.contains("\nup = [\"up\", \"k\"]\n"),
        "{text}"
    );

    std::fs::write(&file, "[keys]\ndestroy = \"j\"\n").unwrap();
    let out = sockscope(&["--config", file.to_str().unwrap(), "config"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("key j is bound to both destroy and down in the drill-down"),
        "{err}"
    );
}

#[test]
fn bad_config_is_one_error_line_naming_file_line_and_key() {
    let dir = std::env::temp_dir().join(format!("sockscope-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "[alerts.ephemeral_ports]\nwarn_ratio = 0.9\ncritical_ratio = 0.5\n",
    )
    .unwrap();
    let out = sockscope(&["--config", file.to_str().unwrap(), "snapshot"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "sockscope: error: invalid setting alerts.ephemeral_ports.critical_ratio = 0.5 in {} \
             line 3: at least ephemeral_ports.warn_ratio\n",
            file.display()
        )
    );
    let out = sockscope(&["snapshot", "--fire-after", "0"]);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "sockscope: error: invalid setting alerts.fire_after = 0 (from --fire-after): at least 1 sample\n"
    );
}
