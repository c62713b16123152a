//! A [`Source`] on a thread of its own.
//!
//! Netlink dumps block, and a source bound to another network namespace must
//! stay on the thread that entered it; so the source is opened on a
//! dedicated thread and every collection runs there. Callers, blocking or
//! async, send requests and get whole snapshots back.

use std::sync::mpsc;
use std::thread;

use tokio::sync::oneshot;

use super::{CollectError, Source};
use crate::model::Snapshot;

type Reply = oneshot::Sender<Result<Snapshot, CollectError>>;

/// Handle to the collection thread; the thread ends when the handle is dropped.
pub struct Worker {
    requests: mpsc::Sender<Reply>,
}

/// The collection thread has ended (its source panicked).
#[derive(Debug, thiserror::Error)]
#[error("the collection thread has stopped")]
pub struct WorkerGone;

impl Worker {
    /// Spawns a thread named `name` that opens its source with `open` and
    /// then serves collection requests. Returns `open`'s error, if any, once
    /// the thread has tried.
    pub fn spawn<F>(name: &str, open: F) -> Result<Worker, CollectError>
    where
        F: FnOnce() -> Result<Box<dyn Source>, CollectError> + Send + 'static,
    {
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let (requests, rx) = mpsc::channel::<Reply>();
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let mut source = match open() {
                    Ok(s) => {
                        let _ = ready_tx.send(Ok(()));
                        s
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                for reply in rx {
                    let _ = reply.send(source.collect());
                }
            })
            .map_err(CollectError::Open)?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Worker { requests }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(CollectError::Open(std::io::Error::other(
                "the collection thread stopped while opening its source",
            ))),
        }
    }

    /// Spawns a worker over a [`super::LiveSource`] of the current namespace.
    pub fn live() -> Result<Worker, CollectError> {
        Worker::spawn("sockscope-collect", || {
            Ok(Box::new(super::LiveSource::open()?) as Box<dyn Source>)
        })
    }

    /// Collects one snapshot, awaiting the thread.
    pub async fn collect(&self) -> Result<Result<Snapshot, CollectError>, WorkerGone> {
        let (tx, rx) = oneshot::channel();
        self.requests.send(tx).map_err(|_| WorkerGone)?;
        rx.await.map_err(|_| WorkerGone)
    }
}
