//! Keeps a constant number of TIME_WAIT sockets. Each comes from a loopback
//! connection that the client closes first; the kernel reaps TIME_WAIT after
//! a fixed 60 s (`TCP_TIMEWAIT_LEN`), so every batch is replaced shortly
//! before that.

use std::collections::VecDeque;
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

/// Listeners the TIME_WAIT connections go to, on distinct loopback
/// addresses so that client 4-tuples do not run out.
const LISTENERS: u8 = 8;
/// Sockets created and later replaced together.
const BATCH: u32 = 1000;
/// Age at which a batch is replaced (the kernel reaps at 60 s).
const REPLACE_AFTER: Duration = Duration::from_secs(58);

/// Owns the TIME_WAIT listeners and the schedule of batches.
pub struct Keeper {
    listeners: Vec<TcpListener>,
    target: u32,
    batches: VecDeque<(Instant, u32)>,
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
            batches: VecDeque::new(),
            next: 0,
        })
    }

    /// Number of TIME_WAIT listeners.
    pub fn listeners(&self) -> usize {
        self.listeners.len()
    }

    /// Creates the whole target, batch by batch.
    pub fn fill(&mut self, stop: &AtomicBool) -> anyhow::Result<()> {
        let mut left = self.target;
        while left > 0 && !stop.load(Ordering::Relaxed) {
            let n = left.min(BATCH);
            self.batch(n)?;
            left -= n;
        }
        Ok(())
    }

    /// Replaces the batches that are about to expire.
    pub fn refresh(&mut self, stop: &AtomicBool) -> anyhow::Result<()> {
        while let Some(&(born, n)) = self.batches.front() {
            if born.elapsed() < REPLACE_AFTER || stop.load(Ordering::Relaxed) {
                break;
            }
            self.batches.pop_front();
            self.batch(n)?;
        }
        Ok(())
    }

    fn batch(&mut self, n: u32) -> anyhow::Result<()> {
        for _ in 0..n {
            self.one()?;
        }
        self.batches.push_back((Instant::now(), n));
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
