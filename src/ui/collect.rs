//! The collection thread: creates its [`Source`] on itself (a namespace may
//! have to be entered first), collects every interval, builds each frame's
//! aggregate off the UI thread, and sends whole frames (or errors) over a
//! channel. A slow collection delays only the next sample, never the keys.

use std::sync::mpsc as std_mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::collector::destroy::DestroyTarget;
use crate::collector::{CollectError, Source};
use crate::model::{Frame, TcpSocket};

/// Creates the source on the collection thread.
pub type SourceFactory = Box<dyn FnOnce() -> Result<Box<dyn Source>, CollectError> + Send>;

/// What the collection thread reports.
#[derive(Debug)]
pub enum Collected {
    /// A new sample with its aggregate.
    Frame(Frame),
    /// One collection failed; the thread retries at the next interval.
    Failed(String),
    /// The source could not be created; the thread has ended.
    SourceFailed(String),
    /// The source has no more samples (end of a recording); the thread has ended.
    Finished,
    /// What became of a [`Collector::destroy`] request, in words.
    Destroyed(Result<String, String>),
}

/// Stops the collection thread when dropped.
pub struct Collector {
    /// Samples and errors, in order.
    pub rx: mpsc::Receiver<Collected>,
    commands: std_mpsc::Sender<Command>,
}

/// A request to the collection thread between collections.
enum Command {
    /// Destroy exactly these sockets.
    Destroy(Vec<DestroyTarget>),
    /// An emptied socket list to fill at the next collection.
    Recycle(Vec<TcpSocket>),
}

impl Collector {
    /// Asks the collection thread to destroy exactly `targets` (its source
    /// owns the netlink socket of the right namespace); the outcome comes
    /// back as [`Collected::Destroyed`].
    pub fn destroy(&self, targets: Vec<DestroyTarget>) {
        let _ = self.commands.send(Command::Destroy(targets));
    }

    /// Hands an emptied socket list back to the source to fill again.
    pub fn recycle(&self, tcp: Vec<TcpSocket>) {
        let _ = self.commands.send(Command::Recycle(tcp));
    }
}

/// Starts the collection thread: `factory` runs on it, then `collect` every
/// `interval` (measured from the start of each collection).
pub fn spawn(factory: SourceFactory, interval: Duration) -> std::io::Result<Collector> {
    let (tx, rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = std_mpsc::channel::<Command>();
    thread::Builder::new()
        .name("sockscope-collect".to_owned())
        .spawn(move || run(factory, interval, &tx, &stop_rx))?;
    Ok(Collector {
        rx,
        commands: stop_tx,
    })
}

fn run(
    factory: SourceFactory,
    interval: Duration,
    tx: &mpsc::Sender<Collected>,
    stop: &std_mpsc::Receiver<Command>,
) {
    let mut source = match factory() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("cannot create the source: {e}");
            let _ = tx.blocking_send(Collected::SourceFailed(e.to_string()));
            return;
        }
    };
    loop {
        let started = Instant::now();
        let msg = match source.collect() {
            Ok(mut snapshot) => {
                crate::sanitize::clean_snapshot(&mut snapshot);
                Collected::Frame(Frame::new(snapshot))
            }
            Err(CollectError::Exhausted) => {
                let _ = tx.blocking_send(Collected::Finished);
                return;
            }
            Err(e) => {
                tracing::warn!("collection failed: {e}");
                Collected::Failed(e.to_string())
            }
        };
        if tx.blocking_send(msg).is_err() {
            return;
        }
        // Until the next collection is due, serve destroy requests; the
        // user dropping the collector ends the thread.
        loop {
            let wait = interval.saturating_sub(started.elapsed());
            match stop.recv_timeout(wait) {
                Err(std_mpsc::RecvTimeoutError::Timeout) => break,
                Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
                Ok(Command::Recycle(tcp)) => source.recycle(tcp),
                Ok(Command::Destroy(targets)) => {
                    let outcome = destroy_all(source.as_mut(), &targets);
                    if tx.blocking_send(Collected::Destroyed(outcome)).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Destroys `targets` one by one, stopping at the first refusal (a missing
/// privilege or kernel option applies to all); says what was done.
fn destroy_all(source: &mut dyn Source, targets: &[DestroyTarget]) -> Result<String, String> {
    let mut done = 0;
    for t in targets {
        match source.destroy(t) {
            Ok(()) => {
                tracing::info!("destroyed socket {t}");
                done += 1;
            }
            Err(e) => {
                tracing::warn!("not destroyed: {e}");
                return Err(if done == 0 {
                    e.to_string()
                } else {
                    format!("destroyed {done} of {} sockets, then: {e}", targets.len())
                });
            }
        }
    }
    Ok(match targets {
        [one] => format!("destroyed socket {one}"),
        _ => format!("destroyed {done} sockets"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collector::ScriptedSource;
    use crate::model::fixtures::{listen, snapshot};

    /// A source that fails once between two good samples, then runs out.
    struct Flaky {
        inner: ScriptedSource,
        calls: u32,
    }

    impl Source for Flaky {
        fn collect(&mut self) -> Result<crate::model::Snapshot, CollectError> {
            self.calls += 1;
            if self.calls == 2 {
                return Err(CollectError::Io {
                    what: "tcp/ipv4",
                    error: std::io::Error::from_raw_os_error(libc::ESRCH),
                });
            }
            self.inner.collect()
        }
    }

    #[test]
    fn frames_errors_and_the_end_arrive_in_order_from_the_collection_thread() {
        let factory: SourceFactory = Box::new(|| {
            assert_eq!(thread::current().name(), Some("sockscope-collect"));
            Ok(Box::new(Flaky {
                inner: ScriptedSource::new([
                    snapshot(
                        "2026-11-24T00:00:00Z",
                        vec![listen("127.0.0.1:80", 1, 8, 1)],
                    ),
                    snapshot("2026-11-24T00:00:01Z", vec![]),
                ]),
                calls: 0,
            }))
        });
        let mut c = spawn(factory, Duration::ZERO).unwrap();
        let Some(Collected::Frame(f)) = c.rx.blocking_recv() else {
            panic!("first a frame")
        };
        assert_eq!(
            f.agg.listeners[0].accept_queue, 1,
            "built with its aggregate"
        );
        let Some(Collected::Failed(e)) = c.rx.blocking_recv() else {
            panic!("then the error")
        };
        assert!(e.starts_with("netlink tcp/ipv4 dump failed"), "{e}");
        assert!(matches!(c.rx.blocking_recv(), Some(Collected::Frame(_))));
        assert!(matches!(c.rx.blocking_recv(), Some(Collected::Finished)));
        assert!(c.rx.blocking_recv().is_none(), "the thread has ended");
    }

    #[test]
    fn samples_reach_the_dashboard_with_outside_strings_escaped() {
        let factory: SourceFactory = Box::new(|| {
            let mut s = snapshot("2026-11-24T00:00:00Z", vec![]);
            s.hostname = "evil\x1b[2J".to_owned();
            Ok(Box::new(ScriptedSource::new([s])))
        });
        let mut c = spawn(factory, Duration::ZERO).unwrap();
        let Some(Collected::Frame(f)) = c.rx.blocking_recv() else {
            panic!("a frame")
        };
        assert_eq!(f.snapshot.hostname, "evil\\x1b[2J");
    }

    #[test]
    fn a_source_that_cannot_be_created_is_reported() {
        let factory: SourceFactory = Box::new(|| {
            Err(CollectError::Open(std::io::Error::from_raw_os_error(
                libc::EPERM,
            )))
        });
        let mut c = spawn(factory, Duration::from_secs(1)).unwrap();
        let Some(Collected::SourceFailed(e)) = c.rx.blocking_recv() else {
            panic!("the factory error")
        };
        assert!(e.contains("NETLINK_SOCK_DIAG"), "{e}");
    }
}
