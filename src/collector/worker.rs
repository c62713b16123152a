//! A collector on a thread of its own.
//!
//! Netlink dumps block, so collections run on a dedicated thread that owns
//! the collector (a [`Source`], or every namespace's sources) for its whole
//! life; callers, blocking or async, send requests and get the results back.
//! A source bound to another network namespace keeps its own setns'd thread
//! underneath (see [`super::netns::NetnsSource`]).

use std::sync::mpsc;
use std::thread;

use tokio::sync::oneshot;

/// Handle to the collection thread; the thread ends when the handle is dropped.
pub struct Worker<T> {
    requests: mpsc::Sender<oneshot::Sender<T>>,
}

/// The collection thread has ended (its collector panicked).
#[derive(Debug, thiserror::Error)]
#[error("the collection thread has stopped")]
pub struct WorkerGone;

impl<T: Send + 'static> Worker<T> {
    /// Spawns a thread named `name` that owns `state` and answers every
    /// request with `job(&mut state)`.
    pub fn spawn<S, F>(name: &str, mut state: S, mut job: F) -> std::io::Result<Worker<T>>
    where
        S: Send + 'static,
        F: FnMut(&mut S) -> T + Send + 'static,
    {
        let (requests, rx) = mpsc::channel::<oneshot::Sender<T>>();
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                for reply in rx {
                    let _ = reply.send(job(&mut state));
                }
            })?;
        Ok(Worker { requests })
    }

    /// Runs the job once on the thread, awaiting its result.
    pub async fn run(&self) -> Result<T, WorkerGone> {
        let (tx, rx) = oneshot::channel();
        self.requests.send(tx).map_err(|_| WorkerGone)?;
        rx.await.map_err(|_| WorkerGone)
    }
}
