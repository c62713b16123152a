//! The dashboard's collection thread: a ticking [`Worker`] that creates
//! its [`RoundSource`] on itself (a namespace may have to be entered first),
//! collects a round every interval, builds each namespace's aggregate off
//! the UI thread, and sends whole rounds (or errors) over a channel; between
//! collections it serves destroy and recycle requests. A slow collection
//! delays only the next sample, never the keys.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::collector::destroy::DestroyTarget;
use crate::collector::worker::{Tick, Worker};
use crate::collector::{CollectError, RoundSource};
use crate::model::{Frame, LastFrame, Needs, Round, TcpList};

/// Creates the source on the collection thread.
pub type SourceFactory = Box<dyn FnOnce() -> Result<Box<dyn RoundSource>, CollectError> + Send>;

/// What the collection thread reports.
#[derive(Debug)]
pub enum Collected {
    /// A new round, each namespace's sample with its aggregate.
    Round(Round<Frame>),
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
    /// Rounds and errors, in order; closed when the thread has ended.
    pub rx: mpsc::Receiver<Collected>,
    worker: Worker<Watching>,
}

/// What the collection thread owns: the source and the way back.
struct Watching {
    source: Box<dyn RoundSource>,
    tx: mpsc::Sender<Collected>,
    /// The last frame, which the next is built from.
    last: LastFrame,
}

impl Collector {
    /// Asks the collection thread to destroy exactly `targets` (its source
    /// owns the netlink socket of the right namespace); the outcome comes
    /// back as [`Collected::Destroyed`].
    pub fn destroy(&self, targets: Vec<DestroyTarget>) {
        let _ = self.worker.send(move |w| {
            let outcome = destroy_all(w.source.as_mut(), &targets);
            let _ = w.tx.blocking_send(Collected::Destroyed(outcome));
        });
    }

    /// Hands an emptied socket list back to the collector of the namespace
    /// with `inode` (0 for one namespace) to fill again.
    pub fn recycle(&self, inode: u64, tcp: TcpList) {
        let _ = self.worker.send(move |w| w.source.recycle(inode, tcp));
    }

    /// Tells the source which namespaces' states the dashboard needs fresh
    /// (see [`RoundSource::needs`]), from the next collection on.
    pub fn needs(&self, needs: Needs) {
        let _ = self.worker.send(move |w| w.source.needs(&needs));
    }
}

/// Starts the collection thread: `factory` runs on it, then a round every
/// `interval` (measured from the start of each collection).
pub fn spawn(factory: SourceFactory, interval: Duration) -> std::io::Result<Collector> {
    let (tx, rx) = mpsc::channel(16);
    let open = move || match factory() {
        Ok(source) => Some(Watching {
            source,
            tx,
            last: LastFrame::default(),
        }),
        Err(e) => {
            tracing::error!("cannot create the source: {e}");
            let _ = tx.blocking_send(Collected::SourceFailed(e.to_string()));
            None
        }
    };
    let tick: Tick<Watching> = Box::new(|w| {
        let out = &w.tx;
        let msg = match w.source.round() {
            Ok(mut round) => {
                crate::sanitize::clean_round(&mut round);
                Collected::Round(w.last.frames(round))
            }
            Err(CollectError::Exhausted) => {
                let _ = out.blocking_send(Collected::Finished);
                return false;
            }
            Err(e) => {
                tracing::warn!("collection failed: {e}");
                Collected::Failed(e.to_string())
            }
        };
        out.blocking_send(msg).is_ok()
    });
    let worker = Worker::spawn_ticking("sockscope-collect", interval, open, tick)?;
    Ok(Collector { rx, worker })
}

/// Destroys `targets` one by one, stopping at the first refusal (a missing
/// privilege or kernel option applies to all); says what was done.
fn destroy_all(source: &mut dyn RoundSource, targets: &[DestroyTarget]) -> Result<String, String> {
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
    use std::thread;

    use super::*;
    use crate::collector::{ScriptedSource, Source};
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
            Ok(crate::collector::one(Flaky {
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
        let Some(Collected::Round(r)) = c.rx.blocking_recv() else {
            panic!("first a round")
        };
        let f = r.parts[0]
            .sample
            .as_ref()
            .expect("its one namespace's frame");
        assert_eq!(
            f.agg.listeners[0].accept_queue, 1,
            "built with its aggregate"
        );
        let Some(Collected::Failed(e)) = c.rx.blocking_recv() else {
            panic!("then the error")
        };
        assert!(e.starts_with("netlink tcp/ipv4 dump failed"), "{e}");
        assert!(matches!(c.rx.blocking_recv(), Some(Collected::Round(_))));
        assert!(matches!(c.rx.blocking_recv(), Some(Collected::Finished)));
        assert!(c.rx.blocking_recv().is_none(), "the thread has ended");
    }

    #[test]
    fn samples_reach_the_dashboard_with_outside_strings_escaped() {
        let factory: SourceFactory = Box::new(|| {
            let mut s = snapshot("2026-11-24T00:00:00Z", vec![]);
            s.hostname = "evil\x1b[2J".to_owned();
            Ok(crate::collector::one(ScriptedSource::new([s])))
        });
        let mut c = spawn(factory, Duration::ZERO).unwrap();
        let Some(Collected::Round(r)) = c.rx.blocking_recv() else {
            panic!("a round")
        };
        assert_eq!(r.hostname, "evil\\x1b[2J");
        let f = r.parts[0].sample.as_ref().unwrap();
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
