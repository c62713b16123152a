//! Named network namespaces and server processes inside them, for the
//! namespace, attribution and destroy tests. Everything is removed on drop,
//! also when the test fails.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// A namespace made with `ip netns add sockscope-test-<pid>-<n>`, `lo` up;
/// deleted on drop. In the non-root mode `/run/netns` is a private tmpfs
/// (see [`super::userns`]), so the name is seen only by this test binary
/// and its children.
pub struct NamedNetns {
    /// Its name under /run/netns.
    pub name: String,
    deleted: bool,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("run ip (install iproute2)");
    assert!(out.status.success(), "ip {args:?}: {out:?}");
}

impl NamedNetns {
    /// Creates a fresh, uniquely named namespace; `None` after a visible
    /// [`skip`](super::tools::skip) when `ip netns add` cannot work here.
    pub fn new() -> Option<NamedNetns> {
        if let Some(why) = super::userns::named_netns_failure() {
            super::tools::skip(&why);
            return None;
        }
        Some(Self::create())
    }

    /// Two namespaces, as [`NamedNetns::new`] (one skip line, not two).
    pub fn pair() -> Option<(NamedNetns, NamedNetns)> {
        let a = Self::new()?;
        Some((a, Self::create()))
    }

    fn create() -> NamedNetns {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("sockscope-test-{}-{n}", std::process::id());
        ip(&["netns", "add", &name]);
        let ns = NamedNetns {
            name,
            deleted: false,
        };
        ip(&["-n", &ns.name, "link", "set", "lo", "up"]);
        ns
    }

    /// `/run/netns/<name>`.
    pub fn path(&self) -> String {
        format!("/run/netns/{}", self.name)
    }

    /// Removes the namespace now (as `ip netns del` would while watched).
    pub fn delete(&mut self) {
        if !self.deleted {
            self.deleted = true;
            ip(&["netns", "del", &self.name]);
        }
    }
}

impl Drop for NamedNetns {
    fn drop(&mut self) {
        if !self.deleted {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.name])
                .status();
        }
    }
}

/// The server the child runs: a listener on 127.0.0.1:PORT with BACKLOG,
/// CW accepted connections whose client side is closed (so the server side
/// sits in CLOSE_WAIT), then QUEUED connections left in the accept queue.
/// It names itself COMM, prints `ready`, and lives until stdin closes.
const SERVER: &str = r#"
import socket, sys
port, backlog, cw, queued, comm = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
with open('/proc/self/comm', 'w') as f:
    f.write(comm)
l = socket.socket()
l.bind(('127.0.0.1', port))
l.listen(backlog)
keep = [l]
for _ in range(cw):
    c = socket.create_connection(('127.0.0.1', port))
    s, _ = l.accept()
    c.close()
    keep.append(s)
for _ in range(queued):
    keep.append(socket.create_connection(('127.0.0.1', port)))
print('ready', flush=True)
sys.stdin.read()
"#;

/// Where the server child runs.
pub enum Place<'a> {
    /// In a named namespace.
    Named(&'a NamedNetns),
    /// In a namespace of its own, without a name (`unshare -n`).
    Private,
}

/// A server process; killed and reaped on drop.
pub struct Server {
    child: Child,
    _stdin: ChildStdin,
    /// Its pid.
    pub pid: u32,
}

/// What the server sets up.
pub struct ServerSpec<'a> {
    /// Listening port on 127.0.0.1.
    pub port: u16,
    /// `listen()` backlog.
    pub backlog: u32,
    /// Connections left in CLOSE_WAIT on the server side.
    pub close_wait: u32,
    /// Connections left unaccepted in the accept queue.
    pub queued: u32,
    /// The process's command name.
    pub comm: &'a str,
}

impl Server {
    /// Starts the server and waits until its sockets are set up.
    pub fn start(place: Place<'_>, spec: ServerSpec<'_>) -> Server {
        let args = [
            spec.port.to_string(),
            spec.backlog.to_string(),
            spec.close_wait.to_string(),
            spec.queued.to_string(),
            spec.comm.to_owned(),
        ];
        let mut cmd = match place {
            Place::Named(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", &ns.name, "python3"]);
                c
            }
            Place::Private => {
                let mut c = Command::new("unshare");
                c.args([
                    "--net",
                    "sh",
                    "-c",
                    "ip link set lo up && exec python3 \"$@\"",
                    "sh",
                ]);
                c
            }
        };
        cmd.arg("-c")
            .arg(SERVER)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = cmd.spawn().expect("start python3 (install python3)");
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let pid = child.id();
        let mut server = Server {
            child,
            _stdin: stdin,
            pid,
        };
        assert_eq!(line.trim(), "ready", "server did not start");
        assert_eq!(
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .unwrap()
                .trim(),
            spec.comm,
            "the server runs as the spawned pid (ip netns exec and unshare exec in place)"
        );
        server.pid = pid;
        server
    }

    /// Kills the server now.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
