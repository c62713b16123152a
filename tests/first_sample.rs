//! Diagnosis from the first sample, on real sockets in a private network
//! namespace: kernel-side ages of CLOSE_WAIT sockets and of connections
//! still in an accept queue, the unread/read split, one-shot alerts and
//! `--fail-on`.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use sockscope::collector::{LiveSource, Source};
use sockscope::model::TcpState::{CloseWait, Established};
use sockscope::model::kernel_ages::{kernel_age_ms, socket_age};
use sockscope::model::{AgeSource, Aggregate, Model, ModelLimits, Snapshot};

fn sockscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .output()
        .expect("run sockscope")
}

/// Accepts one connection on `listener` from a new client.
fn accepted(listener: &socket2::Socket, addr: &str) -> (TcpStream, TcpStream) {
    let client = connect(addr, None);
    let (server, _) = listener.accept().unwrap();
    (client, server.into())
}

fn listener_at<'a>(agg: &'a Aggregate, local: &str) -> &'a sockscope::model::Listener {
    agg.listeners
        .iter()
        .find(|l| l.local.to_string() == local)
        .unwrap_or_else(|| panic!("no listener {local}: {:#?}", agg.listeners))
}

/// Alerts of the JSON document in `out`: (rule, target name, severity, message).
fn alerts(out: &Output) -> Vec<(String, String, String, String)> {
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    doc["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                s(&a["rule"]),
                s(&a["target"]["name"]),
                s(&a["severity"]),
                s(&a["message"]),
            )
        })
        .collect()
}

#[test]
fn a_leak_and_a_stalled_queue_older_than_sockscope_show_on_the_first_sample() {
    if !private_netns() {
        return;
    }
    let created = Instant::now();
    // Six CLOSE_WAIT sockets on the server side: three whose FIN (after a
    // byte of data) was never read, three read to EOF and never closed.
    let leaky = listener("127.0.0.1:7401", 16, false);
    let mut servers = Vec::new();
    for unread in [true, true, true, false, false, false] {
        let (mut client, mut server) = accepted(&leaky, "127.0.0.1:7401");
        if unread {
            client.write_all(b"x").unwrap();
        }
        drop(client);
        if !unread {
            let mut rest = Vec::new();
            server.read_to_end(&mut rest).unwrap();
        }
        servers.push(server);
    }
    // A listener that never accepts: four connections wait in its queue.
    let stalled = listener("127.0.0.1:7402", 8, false);
    let waiting: Vec<TcpStream> = (0..4).map(|_| connect("127.0.0.1:7402", None)).collect();
    collect_until("6 CLOSE_WAIT and 4 queued", |_, a| {
        a.totals[CloseWait] == 6 && listener_at(a, "127.0.0.1:7402").accept_queue == 4
    });
    std::thread::sleep(Duration::from_secs(21));

    let (snap, agg): (Snapshot, Aggregate) = collect();
    // The kernel counts in jiffies (4 ms at HZ=250): one of slack above.
    let elapsed_ms = created.elapsed().as_millis() as u64 + 4;
    // Every CLOSE_WAIT socket's kernel age is at least the 21 s slept and
    // at most the time since the test began.
    let close_wait: Vec<_> = snap.tcp.iter().filter(|s| s.state == CloseWait).collect();
    assert_eq!(close_wait.len(), 6);
    for s in &close_wait {
        let kernel = snap.times_of(s.cookie).and_then(|t| kernel_age_ms(s, t));
        let age = socket_age(kernel, None, snap.taken_at)
            .unwrap_or_else(|| panic!("no kernel age for {s:?}"));
        assert_eq!(age.source, AgeSource::Kernel);
        assert!(
            (21_000..=elapsed_ms).contains(&age.ms),
            "age {} ms of {s:?}, elapsed {elapsed_ms} ms",
            age.ms
        );
    }
    let l = listener_at(&agg, "127.0.0.1:7401");
    assert_eq!((l.close_wait_unread, l.close_wait_read), (3, 3));
    assert_eq!(
        close_wait.iter().filter(|s| s.close_wait_unread()).count(),
        3,
        "Recv-Q 1 (the FIN) on exactly the unread ones"
    );

    let q = listener_at(&agg, "127.0.0.1:7402");
    assert_eq!((q.queued, q.accept_queue), (4, 4));
    let oldest = q
        .oldest_queued_ms
        .expect("kernel ages of queued connections");
    assert!(
        (21_000..=elapsed_ms).contains(&oldest),
        "{oldest} of {elapsed_ms}"
    );
    let queued: Vec<_> = snap
        .tcp
        .iter()
        .filter(|s| s.local.port() == 7402 && s.state == Established)
        .collect();
    assert_eq!(queued.len(), 4);
    assert!(queued.iter().all(|s| s.awaits_accept()));

    // A source asks the kernel once per CLOSE_WAIT socket; the model keeps
    // the start it proved.
    let mut source = LiveSource::open().unwrap();
    let mut model = Model::new(&ModelLimits::default());
    let first = model.ingest(source.collect().unwrap());
    let second = model.ingest(source.collect().unwrap());
    let old_cw = |f: &sockscope::model::Frame| {
        f.snapshot
            .tcp
            .iter()
            .filter(|s| s.state == CloseWait)
            .filter(|s| f.snapshot.times_of(s.cookie).is_some())
            .count()
    };
    assert_eq!((old_cw(&first), old_cw(&second)), (6, 0));
    for s in second.snapshot.tcp.iter().filter(|s| s.state == CloseWait) {
        let age = model.tracker.age_of(&second.snapshot, s).unwrap();
        assert_eq!(age.source, AgeSource::Kernel);
        assert!(age.ms >= 21_000, "{age:?}");
    }
    assert_eq!(
        second.agg.listeners.iter().map(|l| l.queued).sum::<u64>(),
        4,
        "queued connections are asked for at every collection"
    );
    assert!(listener_at(&second.agg, "127.0.0.1:7402").oldest_queued_ms >= Some(21_000));

    // A one-shot snapshot reports the leak at once, with both bugs.
    let out = sockscope(&[
        "snapshot",
        "--format",
        "json",
        "--sockets",
        "--close-wait-min-age",
        "10s",
        "--close-wait-min-count",
        "1",
    ]);
    assert!(out.status.success(), "{out:?}");
    let got = alerts(&out);
    let leak = got
        .iter()
        .find(|a| a.0 == "close_wait_leak" && a.1 == "127.0.0.1:7401")
        .unwrap_or_else(|| panic!("no leak alert in {got:?}"));
    assert!(
        leak.3.contains("6 sockets (6 older than 10s), oldest ≥2")
            && leak.3.ends_with(
                "3 never read EOF — the app stopped reading; 3 read EOF but never closed"
            ),
        "{}",
        leak.3
    );
    // The same in the JSON fields, per listener and per socket.
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listener = |local: &str| {
        doc["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["local"] == local)
            .unwrap()
            .clone()
    };
    let l = listener("127.0.0.1:7401");
    assert_eq!(
        (&l["close_wait_unread"], &l["close_wait_read"]),
        (&3.into(), &3.into())
    );
    let q = listener("127.0.0.1:7402");
    assert_eq!(q["queued"], 4);
    assert!(q["oldest_queued_ms"].as_u64().unwrap() >= 21_000, "{q}");
    let sockets = doc["sockets"].as_array().unwrap();
    let cw: Vec<&Value> = sockets
        .iter()
        .filter(|s| s["state"] == "close_wait")
        .collect();
    assert_eq!(cw.len(), 6);
    for s in &cw {
        assert_eq!(s["age_source"], "kernel", "{s}");
        assert!(s["age_ms"].as_u64().unwrap() >= 21_000, "{s}");
        assert_eq!(s["age_ms"], s["last_ack_recv_ms"], "{s}");
        assert!(
            s["last_data_recv_ms"].as_u64() >= s["last_ack_recv_ms"].as_u64(),
            "{s}"
        );
        assert_eq!(s["queued"], false);
    }
    let queued: Vec<&Value> = sockets.iter().filter(|s| s["queued"] == true).collect();
    assert_eq!(queued.len(), 4);
    assert!(
        queued
            .iter()
            .all(|s| s["local"] == "127.0.0.1:7402" && s.get("process").is_none()),
        "{queued:#?}"
    );
    assert!(
        sockets
            .iter()
            .filter(|s| s["state"] == "listen")
            .all(|s| s.get("age_ms").is_none()),
        "a first sight proves no age"
    );
    drop((servers, waiting, leaky, stalled));
}

#[test]
fn fail_on_critical_exits_4_on_a_full_queue_and_0_when_healthy() {
    if !private_netns() {
        return;
    }
    let healthy = sockscope(&["snapshot", "--fail-on", "critical"]);
    assert_eq!(healthy.status.code(), Some(0), "{healthy:?}");
    let text = String::from_utf8(healthy.stdout).unwrap();
    assert!(text.contains("\nALERTS (0)\n"), "{text}");

    let full = listener("127.0.0.1:7403", 2, false);
    let waiting: Vec<TcpStream> = (0..3).map(|_| connect("127.0.0.1:7403", None)).collect();
    collect_until("queue full", |_, a| {
        listener_at(a, "127.0.0.1:7403").accept_queue == 3
    });
    let out = sockscope(&["snapshot", "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("critical accept_queue_overflow     listener 127.0.0.1:7403"),
        "the one-shot text shows the alert: {text}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "sockscope: 1 alert(s) at critical or worse reported (--fail-on critical); worst: critical\n"
    );
    let warning = sockscope(&["snapshot", "--fail-on", "warning"]);
    assert_eq!(warning.status.code(), Some(4), "worst is critical");
    let later = sockscope(&["snapshot", "--fire-after", "2", "--fail-on", "critical"]);
    assert_eq!(
        later.status.code(),
        Some(0),
        "--fire-after 2 cannot fire on one sample"
    );
    let watched = sockscope(&[
        "snapshot",
        "--watch",
        "1s",
        "--interval",
        "250ms",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(
        watched.status.code(),
        Some(4),
        "the watch fires after fire_after samples: {watched:?}"
    );
    drop((full, waiting));
}

#[test]
fn a_queued_connection_whose_client_left_keeps_its_wait_at_every_collection() {
    if !private_netns() {
        return;
    }
    let stalled = listener("127.0.0.1:7404", 8, false);
    drop(connect("127.0.0.1:7404", None));
    collect_until("the queued child in CLOSE_WAIT", |s, _| {
        s.tcp
            .iter()
            .any(|t| t.local.port() == 7404 && t.state == CloseWait && t.awaits_accept())
    });
    let mut source = LiveSource::open().unwrap();
    for round in 0..2 {
        let snap = source.collect().unwrap();
        let agg = Aggregate::build(&snap);
        let l = listener_at(&agg, "127.0.0.1:7404");
        assert_eq!((l.queued, l.accept_queue), (1, 1), "round {round}");
        assert!(l.oldest_queued_ms.is_some(), "round {round}: {l:?}");
    }
    drop(stalled);
}
