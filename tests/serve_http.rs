//! `sockscope serve` as a real process in a private namespace, scraped over
//! real HTTP and parsed with a Prometheus text-format parser.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::serve::{get, parse, serve, value};
use common::tools;
use common::*;
use sockscope::model::TcpState::*;

#[test]
fn scrape_shows_the_listeners_the_test_opened() {
    if !private_netns() {
        return;
    }
    let _full = listener("127.0.0.1:7101", 2, false);
    let _queued: Vec<_> = (0..3).map(|_| connect("127.0.0.1:7101", None)).collect();
    let deferred = listener("[::1]:7102", 16, false);
    defer_accept(&deferred, 30);
    let _half_open = connect("[::1]:7102", None);
    let leaky = listener("127.0.0.1:7103", 8, false);
    let client = connect("127.0.0.1:7103", None);
    let (_accepted, _) = leaky.accept().unwrap();
    drop(client);
    collect_until("every state in place", |_, a| {
        a.totals[SynRecv] == 1 && a.totals[CloseWait] == 1 && a.totals[Established] >= 7
    });

    let server = serve(&["--listen", "127.0.0.1:0", "--cache", "1m"]);
    let (status, ctype, body) = get(&server.addr, "/metrics", None);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(ctype, "text/plain; version=0.0.4; charset=utf-8");
    let m = parse(&body);
    let l = |local| [("local", local), ("proto", "tcp")];
    assert_eq!(value(&m, "sockscope_up", &[]), 1.0);
    assert_eq!(
        value(&m, "sockscope_listener_accept_queue", &l("127.0.0.1:7101")),
        3.0
    );
    assert_eq!(
        value(&m, "sockscope_listener_backlog", &l("127.0.0.1:7101")),
        2.0
    );
    let conns = "sockscope_listener_connections";
    let st = |local, state| [("local", local), ("state", state)];
    assert_eq!(value(&m, conns, &st("127.0.0.1:7101", "established")), 3.0);
    assert_eq!(value(&m, conns, &st("[::1]:7102", "syn_recv")), 1.0);
    assert_eq!(
        value(&m, "sockscope_listener_backlog", &l("[::1]:7102")),
        16.0
    );
    assert_eq!(value(&m, conns, &st("127.0.0.1:7103", "close_wait")), 1.0);
    assert_eq!(value(&m, conns, &st("127.0.0.1:7103", "established")), 0.0);
    assert_eq!(
        value(&m, "sockscope_tcp_sockets", &[("state", "close_wait")]),
        1.0
    );
    assert_eq!(
        value(&m, "sockscope_tcp_sockets", &[("state", "syn_recv")]),
        1.0
    );
    assert_eq!(value(&m, "sockscope_collections_total", &[]), 1.0);

    let threads: Vec<_> = (0..6)
        .map(|i| {
            let addr = server.addr.clone();
            std::thread::spawn(move || {
                let accept = (i % 2 == 0).then_some("application/openmetrics-text; version=1.0.0");
                get(&addr, "/metrics", accept)
            })
        })
        .collect();
    for t in threads {
        let (status, ctype, body) = t.join().unwrap();
        assert_eq!(status, "HTTP/1.1 200 OK");
        if ctype.starts_with("application/openmetrics-text") {
            assert!(body.ends_with("# EOF\n"));
            assert!(body.contains("\n# TYPE sockscope_collections counter\n"));
            assert!(
                body.contains("\nsockscope_collections_total 1\n"),
                "shared: {body}"
            );
        } else {
            assert_eq!(
                value(&parse(&body), "sockscope_collections_total", &[]),
                1.0
            );
        }
    }

    assert_eq!(get(&server.addr, "/healthz", None).2, "ok\n");
    let (_, ctype, page) = get(&server.addr, "/", None);
    assert!(ctype.starts_with("text/html"));
    assert!(page.contains("<a href=\"/metrics\">"));
}

#[test]
fn port_in_use_is_one_clear_line() {
    if !private_netns() {
        return;
    }
    let _taken = listener("127.0.0.1:9917", 8, false);
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["serve", "--listen", "127.0.0.1:9917"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "sockscope: error: cannot listen on 127.0.0.1:9917: the port is already in use (another exporter running?); choose another with --listen\n"
    );
}

#[test]
fn promtool_accepts_a_live_scrape() {
    if !tools::need(
        "promtool",
        "Debian package `prometheus`; it lints the scrape",
    ) {
        return;
    }
    if !private_netns() {
        return;
    }
    let _l = listener("127.0.0.1:7111", 4, false);
    let _c = connect("127.0.0.1:7111", None);
    let dir = tempfile::tempdir().unwrap();
    let _u = std::os::unix::net::UnixListener::bind(dir.path().join("app.sock")).unwrap();
    let server = serve(&["--listen", "127.0.0.1:0"]);
    // promtool's linter reads the Prometheus text format (it takes an
    // OpenMetrics counter family for a metric without help).
    let (_, _, body) = get(&server.addr, "/metrics", None);
    assert!(body.contains("sockscope_listener_accept_queue{"), "{body}");
    let mut check = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = check.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}"
    );
}

#[test]
fn serve_a_named_namespace_then_answer_up_zero_when_it_is_gone() {
    use common::netns::{NamedNetns, Place, Server as NsServer, ServerSpec};
    if !private_netns() {
        return;
    }
    let Some(mut ns) = NamedNetns::new() else {
        return;
    };
    let mut app = NsServer::start(
        Place::Named(&ns),
        ServerSpec {
            port: 7121,
            backlog: 4,
            close_wait: 1,
            queued: 2,
            comm: "sstest-serve",
        },
    );
    let server = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--cache",
        "0s",
        "--netns",
        &ns.name,
    ]);
    let (status, _, body) = get(&server.addr, "/metrics", None);
    assert_eq!(status, "HTTP/1.1 200 OK");
    let m = parse(&body);
    let name = ns.name.clone();
    let netns = name.as_str();
    let l = [
        ("netns", netns),
        ("local", "127.0.0.1:7121"),
        ("process", "sstest-serve"),
    ];
    assert_eq!(value(&m, "sockscope_up", &[("netns", netns)]), 1.0);
    assert_eq!(value(&m, "sockscope_listener_accept_queue", &l), 2.0);
    assert_eq!(value(&m, "sockscope_listener_backlog", &l), 4.0);
    let cw = [l[0], l[1], l[2], ("state", "close_wait")];
    assert_eq!(value(&m, "sockscope_listener_connections", &cw), 1.0);

    app.kill();
    ns.delete();
    let (status, _, body) = get(&server.addr, "/metrics", None);
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    let m = parse(&body);
    assert_eq!(value(&m, "sockscope_up", &[("netns", netns)]), 0.0);
    assert_eq!(value(&m, "sockscope_collection_errors_total", &[]), 1.0);
    assert!(!body.contains("sockscope_listener_accept_queue{"), "{body}");
}

/// Reads what the server sends until it closes the connection (a reset
/// counts as closed); the read timeout only guards against a hang.
fn read_until_closed(s: &mut TcpStream) -> String {
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut got = Vec::new();
    match s.read_to_end(&mut got) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server did not close the connection: {e}"),
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[test]
fn idle_clients_are_dropped_and_above_the_cap_refused_while_metrics_answers() {
    if !private_netns() {
        return;
    }
    let server = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--max-connections",
        "4",
        "--idle-timeout",
        "4s",
    ]);
    // Four slots: two clients that send nothing, two that send half a request.
    let held: Vec<TcpStream> = (0..4)
        .map(|i| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            if i % 2 == 1 {
                s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                    .unwrap();
            }
            s
        })
        .collect();
    // The server accepts in order, so the four hold every slot when a fifth
    // comes (the idle timeout is far longer than five connects take).
    let mut extra = TcpStream::connect(&server.addr).unwrap();
    let refusal = read_until_closed(&mut extra);
    assert!(
        refusal.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{refusal}"
    );
    assert!(refusal.contains("Retry-After: 1\r\n"), "{refusal}");
    assert!(
        refusal.ends_with("too many connections; try again later\r\n"),
        "{refusal}"
    );
    // The idle and half-request clients are closed by the idle timeout.
    for mut s in held {
        let said = read_until_closed(&mut s);
        assert!(
            !said.starts_with("HTTP/1.1 200"),
            "no answer to half a request: {said}"
        );
    }
    // And /metrics answers again.
    let (status, _, body) = get(&server.addr, "/metrics", None);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("sockscope_up"), "{body}");
}

/// GETs `/metrics` on a fresh connection; the status line, or `refused`
/// when the connection was reset before a whole answer came.
fn metrics_status(addr: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    let _ = write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut raw = Vec::new();
    match s.read_to_end(&mut raw) {
        Ok(_) => String::from_utf8_lossy(&raw)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned(),
        Err(_) => "refused".to_owned(),
    }
}

#[test]
fn a_client_that_never_reads_its_answers_loses_its_slot() {
    if !private_netns() {
        return;
    }
    // Small socket buffers in this namespace: unread answers fill them at once.
    std::fs::write("/proc/sys/net/ipv4/tcp_wmem", "4096 4096 4096").unwrap();
    std::fs::write("/proc/sys/net/ipv4/tcp_rmem", "4096 4096 4096").unwrap();
    let server = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--max-connections",
        "1",
        "--idle-timeout",
        "2s",
    ]);
    // One client asks 400 times (pipelined) and never reads; the writer
    // blocks as soon as the server stops reading too.
    let mut stuck = TcpStream::connect(&server.addr).unwrap();
    let port = stuck.local_addr().unwrap().port();
    let mut writer = stuck.try_clone().unwrap();
    let asks = std::thread::spawn(move || {
        let _ = writer.write_all(
            "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                .repeat(400)
                .as_bytes(),
        );
    });
    // Answers wait unread in its socket: it holds the one slot.
    collect_until("unread answers", |s, _| {
        s.tcp
            .iter()
            .any(|t| t.local.port() == port && t.state == Established && t.recv_q > 0)
    });
    // Its answer's write makes no progress, so after the idle timeout the
    // server gives up on it and the slot is free again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let status = metrics_status(&server.addr);
        if status == "HTTP/1.1 200 OK" {
            break;
        }
        assert!(
            status.starts_with("HTTP/1.1 503") || status == "refused",
            "{status}"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the client that does not read kept its slot"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let unread = read_until_closed(&mut stuck);
    assert!(unread.starts_with("HTTP/1.1 200 OK"), "{unread}");
    asks.join().unwrap();
}

#[test]
fn connection_limits_out_of_range_are_one_line() {
    for (args, want) in [
        (
            ["--max-connections", "0"],
            "sockscope: error: --max-connections 0 is out of range; use 1 to 10000\n",
        ),
        (
            ["--idle-timeout", "5m"],
            "sockscope: error: --idle-timeout 5m is out of range; use 100ms to 30s\n",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
            .arg("serve")
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert_eq!(String::from_utf8(out.stderr).unwrap(), want);
    }
}
