//! Worker processes: each holds both ends of its share of the ESTABLISHED
//! connections, so no process exceeds its fd limit.

use std::io::Write;
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

/// Raises the soft RLIMIT_NOFILE to `want` (capped at the hard limit) and
/// returns the hard limit.
pub fn raise_fd_limit(want: u64) -> anyhow::Result<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            bail!("getrlimit: {}", std::io::Error::last_os_error());
        }
        lim.rlim_cur = want.min(lim.rlim_max);
        if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
            bail!(
                "cannot raise the fd limit to {}: {}",
                lim.rlim_cur,
                std::io::Error::last_os_error()
            );
        }
    }
    Ok(lim.rlim_max)
}

/// Runs one worker: opens `connections` loopback connections to its own
/// listener on `listen`, half-closes the client end of the first
/// `close_wait` of them, says `ready`, and holds them until killed.
pub fn run(listen: SocketAddrV4, connections: u32, close_wait: u32) -> anyhow::Result<()> {
    raise_fd_limit(u64::from(connections) * 2 + 64)?;
    let listener =
        TcpListener::bind(listen).with_context(|| format!("worker cannot listen on {listen}"))?;
    let mut held = Vec::with_capacity(connections as usize * 2);
    for i in 0..connections {
        let client = TcpStream::connect(listen)
            .with_context(|| format!("connection {i} of {connections} to {listen}"))?;
        let (server, _) = listener.accept().context("accept")?;
        if i < close_wait {
            client
                .shutdown(std::net::Shutdown::Write)
                .context("half-close")?;
        }
        held.push(client);
        held.push(server);
    }
    hold(&format!("ready {connections}"))
}

/// Says `ready` (the line the parent waits for) and holds everything this
/// process has open until it is killed.
pub fn hold(ready: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{ready}")?;
    out.flush()?;
    drop(out);
    loop {
        // SAFETY: pause has no preconditions; the worker ends by a signal.
        unsafe { libc::pause() };
    }
}

/// Most connection workers: each listens on its own loopback address
/// (`127.1.H.L`, L from 1 to 250), so client 4-tuples never run out.
pub const MAX_WORKERS: usize = 250 * 256;

/// The listening address of connection worker `index` (below [`MAX_WORKERS`]).
fn worker_address(index: usize) -> SocketAddrV4 {
    let high = (index / 250) as u8;
    let low = (index % 250) as u8 + 1;
    SocketAddrV4::new([127, 1, high, low].into(), 8000)
}

/// The running children (connection workers, namespace holders); dropping
/// the pool kills them.
#[derive(Default)]
pub struct Pool {
    children: Vec<Child>,
    workers: usize,
}

impl Pool {
    /// Starts a worker holding `connections` connections, `close_wait` of
    /// them half-closed. It gets SIGKILL when this process dies, however it dies.
    pub fn spawn(&mut self, connections: u32, close_wait: u32) -> anyhow::Result<()> {
        if self.workers >= MAX_WORKERS {
            bail!("more than {MAX_WORKERS} worker processes; raise --fds-per-process");
        }
        let listen = worker_address(self.workers);
        self.workers += 1;
        self.start(&[
            "worker",
            "--listen",
            &listen.to_string(),
            "--connections",
            &connections.to_string(),
            "--close-wait",
            &close_wait.to_string(),
        ])
    }

    /// Starts a holder of one extra network namespace (see
    /// [`namespaces`](super::namespaces)).
    pub fn spawn_namespace(&mut self) -> anyhow::Result<()> {
        self.start(&["namespace"])
    }

    /// Starts this executable with `args`. The child gets SIGKILL when this
    /// process dies, however it dies.
    fn start(&mut self, args: &[&str]) -> anyhow::Result<()> {
        let exe = std::env::current_exe().context("cannot find our own executable")?;
        let parent = std::process::id() as libc::pid_t;
        let mut cmd = Command::new(exe);
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped());
        // SAFETY: prctl and getppid are async-signal-safe; the closure
        // allocates nothing.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let child = cmd.spawn().context("cannot start a worker process")?;
        self.children.push(child);
        Ok(())
    }

    /// Waits until every child has opened its connections.
    pub fn wait_ready(&mut self) -> anyhow::Result<()> {
        for (i, child) in self.children.iter_mut().enumerate() {
            super::read_ready(child, &format!("child {i}"))?;
        }
        Ok(())
    }

    /// Fails when a child has died (its connections are gone).
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        for (i, child) in self.children.iter_mut().enumerate() {
            if let Some(status) = child.try_wait()? {
                bail!("child {i} exited ({status}); its connections are gone");
            }
        }
        Ok(())
    }

    /// Number of connection workers.
    pub fn workers(&self) -> usize {
        self.workers
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
