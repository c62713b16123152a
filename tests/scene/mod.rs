//! A synthetic incident for the screen and key tests: ten samples, one
//! second apart, of a web host where `127.0.0.1:8080` fills its accept
//! queue (full for the last three samples, so its alert has fired),
//! `[::]:443` leaks CLOSE_WAIT and TIME_WAIT toward a database grows.
#![allow(dead_code)]

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use sockscope::model::fixtures::{listen, process, sock};
use sockscope::model::process::{ProcessTable, SocketProcesses};
use sockscope::model::{Frame, Snapshot, TcpSocket, TcpState::*, Timer, UnixKind, UnixListener};
use sockscope::ui::app::{Action, App, Mode, Settings};
use sockscope::ui::render;
use sockscope::ui::theme::Theme;

/// The api's command line: longer than any terminal is wide.
pub const API_CMDLINE: &str = "/usr/local/bin/api --config /etc/api/config.yaml --workers 8 \
    --db postgres://api@10.0.0.5:5432/orders?pool_max=64&pool_idle_timeout=30s \
    --listen [::]:443 --log-level info --log-file /var/log/api/api.log";

/// Time of the first sample.
pub const T0: &str = "2026-11-24T02:40:00Z";
/// Samples in the incident.
pub const SAMPLES: usize = 10;

/// Time of sample `k`.
pub fn at(k: usize) -> Timestamp {
    T0.parse::<Timestamp>().unwrap() + SignedDuration::from_secs(k as i64)
}

fn with_queues(mut s: TcpSocket, recv_q: u32, send_q: u32) -> TcpSocket {
    s.recv_q = recv_q;
    s.send_q = send_q;
    s
}

/// Sample `k` (0-based) of the incident.
pub fn sample(k: usize) -> Snapshot {
    let queue = if k + 3 >= SAMPLES {
        129
    } else {
        (k as u32) * 16
    };
    let mut tcp = vec![
        listen("0.0.0.0:22", 0, 128, 1),
        listen("0.0.0.0:80", 2, 512, 2),
        listen("0.0.0.0:80", 1, 512, 3),
        listen("127.0.0.1:8080", queue, 128, 4),
        listen("[::]:443", 0, 4096, 5),
    ];
    for i in 0..6u64 {
        let peer = format!("10.0.0.{}:{}", 10 + i, 51000 + i);
        tcp.push(with_queues(
            sock(Established, "10.0.0.1:80", &peer, 100 + i),
            0,
            if i == 0 { 2896 } else { 0 },
        ));
    }
    for i in 0..3u64 {
        let peer = format!("10.0.0.20:{}", 52000 + i);
        tcp.push(sock(TimeWait, "10.0.0.1:80", &peer, 200 + i));
    }
    for i in 0..u64::from(queue) {
        let peer = format!("127.0.0.1:{}", 40000 + i);
        tcp.push(sock(Established, "127.0.0.1:8080", &peer, 300 + i));
    }
    for i in 0..=(k as u64) {
        let peer = format!("[2001:db8::{}]:{}", 7 + i % 3, 4000 + i);
        tcp.push(with_queues(
            sock(CloseWait, "[2001:db8::1]:443", &peer, 1000 + i),
            1,
            0,
        ));
    }
    for i in 0..2u64 {
        let peer = format!("[2001:db8::9]:{}", 5000 + i);
        let mut s = sock(SynRecv, "[2001:db8::1]:443", &peer, 2000 + i);
        s.timer = Timer::Retransmit;
        s.expires_ms = 2300 - 1000 * i as u32;
        s.retrans = 1 + i as u8;
        tcp.push(s);
    }
    for i in 0..(20 * k as u64 + 4) {
        let state = if i < 4 { Established } else { TimeWait };
        let local = format!("10.0.0.1:{}", 33000 + i);
        tcp.push(sock(state, &local, "10.0.0.5:5432", 3000 + i));
    }
    // The api's pool leaks two connections the database closed.
    for i in 0..2u64 {
        let local = format!("10.0.0.1:{}", 34000 + i);
        tcp.push(sock(CloseWait, &local, "10.0.0.5:5432", 3100 + i));
    }
    for i in 0..2u64 {
        let local = format!("10.0.0.1:{}", 45000 + i);
        tcp.push(sock(Established, &local, "93.184.216.34:443", 9000 + i));
    }
    tcp.push(sock(SynSent, "10.0.0.1:46000", "10.0.0.6:80", 9500));

    let mut snap = Snapshot::empty(at(k), "web-1", "host");
    snap.collector.sockets = tcp.len() as u64;
    snap.collector.duration_us = 1800;
    snap.tcp = tcp.into();
    snap.unix_listeners = vec![
        unix("/run/nginx.sock", 0, 511, UnixKind::Stream, 7001),
        unix("/run/php/php-fpm.sock", 128, 128, UnixKind::Stream, 7002),
        unix("@/org/example/bus", 3, 64, UnixKind::Stream, 7003),
        unix("/run/udev/control", 0, 4096, UnixKind::Seqpacket, 7004),
    ];
    snap.processes = processes();
    snap.tunables
        .insert("net.ipv4.ip_local_port_range".into(), "32768 60999".into());
    snap.tunables
        .insert("net.core.somaxconn".into(), "4096".into());
    snap
}

/// Owners: sshd holds :22 (inode 1), nginx and a worker hold both :80
/// members (inodes 2, 3), java holds :8080 (4), api holds :443 (5), its
/// CLOSE_WAIT connections (1000 on) and its connections to the database
/// (ESTABLISHED 3000-3003, CLOSE_WAIT 3100-3101). The api runs as user
/// `api` with a long command line.
fn processes() -> ProcessTable {
    let p = process;
    let owned = |inode: u32, processes: Vec<u32>| SocketProcesses { inode, processes };
    let api = sockscope::model::ProcessInfo {
        cmdline: API_CMDLINE.to_owned(),
        uid: 998,
        user: "api".to_owned(),
        ..p(4121, "api")
    };
    ProcessTable {
        enabled: true,
        denied: 0,
        list: vec![
            p(640, "sshd"),
            p(812, "nginx"),
            p(813, "nginx"),
            p(2211, "java"),
            api,
        ],
        sockets: vec![
            owned(1, vec![0]),
            owned(2, vec![1, 2]),
            owned(3, vec![1, 2]),
            owned(4, vec![3]),
            owned(5, vec![4]),
        ]
        .into_iter()
        .chain((1000..1000 + SAMPLES as u32).map(|inode| owned(inode, vec![4])))
        .chain((3000..3004).map(|inode| owned(inode, vec![4])))
        .chain((3100..3102).map(|inode| owned(inode, vec![4])))
        .collect(),
    }
}

fn unix(path: &str, q: u32, b: u32, kind: UnixKind, inode: u32) -> UnixListener {
    UnixListener {
        path: path.to_owned(),
        inode,
        kind,
        accept_queue: q,
        backlog: b,
    }
}

/// Dashboard settings of the tests (export into `dir`).
pub fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        interval: Duration::from_secs(1),
        history: Duration::from_secs(600),
        export_dir: dir.to_owned(),
        mode: Mode::Live,
        thresholds: Default::default(),
        read_only: false,
        keys: Default::default(),
        replay_samples: Vec::new(),
    }
}

/// An app of `width`x`height` that has ingested the whole incident.
pub fn app(width: u16, height: u16) -> App {
    let mut app = App::new(
        settings(std::path::Path::new(".")),
        Theme { color: true },
        Rect::new(0, 0, width, height),
    );
    for k in 0..SAMPLES {
        app.ingest(Frame::new(sample(k)));
    }
    app
}

/// Applies `actions` in order.
pub fn drive(app: &mut App, actions: &[Action]) {
    for a in actions {
        app.handle(*a);
    }
}

/// Selects the listener bound to `local` in the overview.
pub fn select_listener(app: &mut App, local: &str) {
    app.handle(Action::Top);
    for _ in 0..100 {
        let row = app.active_nav().selected_row().unwrap();
        if app.shown().unwrap().agg.listeners[row as usize]
            .local
            .to_string()
            == local
        {
            return;
        }
        app.handle(Action::Move(1));
    }
    panic!("listener {local} not in the table");
}

/// Draws `app` on a test terminal of its size.
pub fn draw(app: &App) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    term.draw(|f| render::draw(f, app)).unwrap();
    term
}
