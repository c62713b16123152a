//! Keeps a constant number of TIME_WAIT sockets. Each comes from a loopback
//! connection that the client closes first. The kernel reaps TIME_WAIT after
//! 60 s plus timer-wheel slack (up to a few seconds), so rather than guess
//! when, the keeper reads the namespace's TIME_WAIT count (`tw` in
//! `/proc/self/net/sockstat`) and makes up the difference.

use std::fs;
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};

/// Listeners the TIME_WAIT connections go to, on distinct loopback
/// addresses so that client 4-tuples do not run out.
const LISTENERS: u8 = 8;

/// Owns the TIME_WAIT listeners.
pub struct Keeper {
    listeners: Vec<TcpListener>,
    target: u32,
    next: usize,
}

impl Keeper {
    /// Binds the listeners.
    pub fn new(target: u32) -> anyhow::Result<Keeper> {
        let listeners = (0..LISTENERS)
            .map(|i| {
                let addr = SocketAddrV4::new([127, 0, 2, 1 + i].into(), 9000);
                TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Keeper {
            listeners,
            target,
            next: 0,
        })
    }

    /// Number of TIME_WAIT listeners.
    pub fn listeners(&self) -> usize {
        self.listeners.len()
    }

    /// Creates exactly the target number of TIME_WAIT sockets.
    pub fn fill(&mut self, stop: &AtomicBool) -> anyhow::Result<()> {
        for _ in 0..self.target {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            self.one()?;
        }
        Ok(())
    }

    /// Replaces the TIME_WAIT sockets the kernel has reaped since last time.
    pub fn refresh(&mut self, stop: &AtomicBool) -> anyhow::Result<()> {
        let missing = u64::from(self.target).saturating_sub(time_wait_count()?);
        for _ in 0..missing {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            self.one()?;
        }
        Ok(())
    }

    /// One connection, closed by the client first: the client's socket
    /// ends in TIME_WAIT once the server closes too.
    fn one(&mut self) -> anyhow::Result<()> {
        let listener = &self.listeners[self.next];
        self.next = (self.next + 1) % self.listeners.len();
        let addr = listener.local_addr()?;
        let client = TcpStream::connect(addr).with_context(|| {
            format!("cannot connect to {addr} (ephemeral ports or TIME_WAIT buckets exhausted?)")
        })?;
        let (server, _) = listener.accept().context("accept")?;
        drop(client);
        drop(server);
        Ok(())
    }
}

/// TIME_WAIT sockets of this namespace: `tw` on the `TCP:` line of
/// `/proc/self/net/sockstat`.
fn time_wait_count() -> anyhow::Result<u64> {
    let text = fs::read_to_string("/proc/self/net/sockstat")
        .context("cannot read /proc/self/net/sockstat")?;
    let tcp = text.lines().find(|l| l.starts_with("TCP:"));
    let mut words = tcp.into_iter().flat_map(str::split_whitespace);
    while let Some(w) = words.next() {
        if w == "tw" {
            let n = words.next().unwrap_or_default();
            return n
                .parse()
                .with_context(|| format!("bad tw count {n:?} in /proc/self/net/sockstat"));
        }
    }
    bail!("no TCP tw count in /proc/self/net/sockstat")
}
