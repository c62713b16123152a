//! A collector on a thread of its own: the one collection-thread wrapper.
//!
//! Netlink dumps block, and a collector bound to another network namespace
//! must run on the thread that entered it, so every collector lives on a
//! dedicated thread that builds it (`open` runs there) and owns it for its
//! whole life. Callers, blocking or async, hand it jobs and get the results
//! back; a ticking worker also runs one job of its own every interval (the
//! dashboard's collections) and serves the others in between. Each
//! namespace of `--all-netns` has one ([`super::netns::NetnsSource`]);
//! `serve`, `record` and the dashboard have one over what they watch.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

type Job<S> = Box<dyn FnOnce(&mut S) + Send>;

/// Handle to a collection thread owning an `S`; the thread ends when the
/// handle is dropped (after the job under way).
pub struct Worker<S> {
    jobs: mpsc::Sender<Job<S>>,
}

/// The collection thread has ended (its state could not be built, or a job
/// panicked).
#[derive(Debug, thiserror::Error)]
#[error("the collection thread has stopped")]
pub struct WorkerGone;

/// What a ticking worker does every interval; it returns `false` to end
/// the thread (nobody listens any more, the source has run out).
pub type Tick<S> = Box<dyn FnMut(&mut S) -> bool + Send>;

impl<S: 'static> Worker<S> {
    /// Spawns thread `name`, which builds its state with `open` (`None`
    /// ends it: `open` reports why to whoever waits) and then runs the jobs
    /// it is handed, in order.
    pub fn spawn<F>(name: &str, open: F) -> std::io::Result<Worker<S>>
    where
        F: FnOnce() -> Option<S> + Send + 'static,
    {
        Worker::spawn_inner(name, open, None)
    }

    /// Like [`Worker::spawn`], and runs `tick` right after `open` and then
    /// every `interval` (measured from the start of each tick), serving the
    /// jobs handed to it in between.
    pub fn spawn_ticking<F>(
        name: &str,
        interval: Duration,
        open: F,
        tick: Tick<S>,
    ) -> std::io::Result<Worker<S>>
    where
        F: FnOnce() -> Option<S> + Send + 'static,
    {
        Worker::spawn_inner(name, open, Some((interval, tick)))
    }

    fn spawn_inner<F>(
        name: &str,
        open: F,
        tick: Option<(Duration, Tick<S>)>,
    ) -> std::io::Result<Worker<S>>
    where
        F: FnOnce() -> Option<S> + Send + 'static,
    {
        let (jobs, rx) = mpsc::channel::<Job<S>>();
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                if let Some(state) = open() {
                    serve(state, &rx, tick);
                }
            })?;
        Ok(Worker { jobs })
    }

    /// Hands `job` to the thread without waiting for it.
    pub fn send(&self, job: impl FnOnce(&mut S) + Send + 'static) -> Result<(), WorkerGone> {
        self.jobs.send(Box::new(job)).map_err(|_| WorkerGone)
    }

    /// Hands `job` to the thread; its result arrives on the receiver
    /// (`recv` gives an error when the thread ended without running it).
    pub fn call<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut S) -> T + Send + 'static,
    ) -> Result<mpsc::Receiver<T>, WorkerGone> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.send(move |s| {
            let _ = tx.send(job(s));
        })?;
        Ok(rx)
    }

    /// Runs `job` on the thread, awaiting its result.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut S) -> T + Send + 'static,
    ) -> Result<T, WorkerGone> {
        let (tx, rx) = oneshot::channel();
        self.send(move |s| {
            let _ = tx.send(job(s));
        })?;
        rx.await.map_err(|_| WorkerGone)
    }
}

fn serve<S>(mut state: S, jobs: &mpsc::Receiver<Job<S>>, mut tick: Option<(Duration, Tick<S>)>) {
    loop {
        let started = Instant::now();
        let interval = match &mut tick {
            Some((interval, tick)) => {
                if !tick(&mut state) {
                    return;
                }
                Some(*interval)
            }
            None => None,
        };
        loop {
            let job = match interval {
                Some(interval) => {
                    match jobs.recv_timeout(interval.saturating_sub(started.elapsed())) {
                        Ok(job) => job,
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
                None => match jobs.recv() {
                    Ok(job) => job,
                    Err(_) => return,
                },
            };
            job(&mut state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_order_on_the_thread_that_built_the_state() {
        let w = Worker::spawn("w-test", || {
            Some(vec![thread::current().name().map(str::to_owned)])
        })
        .unwrap();
        w.send(|v| v.push(Some("second".to_owned()))).unwrap();
        let got = w.call(|v| v.clone()).unwrap().recv().unwrap();
        assert_eq!(
            got,
            vec![Some("w-test".to_owned()), Some("second".to_owned())]
        );
    }

    #[test]
    fn a_state_that_cannot_be_built_ends_the_thread() {
        let w: Worker<u32> = Worker::spawn("w-none", || None).unwrap();
        let answer = w.call(|n| *n).map(|rx| rx.recv());
        assert!(matches!(answer, Err(WorkerGone) | Ok(Err(_))), "{answer:?}");
    }

    #[test]
    fn a_ticking_worker_ticks_until_told_to_stop_and_serves_jobs_between() {
        let (tx, rx) = mpsc::channel();
        let tick: Tick<u32> = Box::new(move |n| {
            *n += 1;
            tx.send(*n).is_ok() && *n < 3
        });
        let w = Worker::spawn_ticking("w-tick", Duration::ZERO, || Some(0), tick).unwrap();
        let ticks: Vec<u32> = rx.iter().collect();
        assert_eq!(ticks, vec![1, 2, 3], "the third tick ended the thread");
        let after = w.call(|n| *n).map(|rx| rx.recv());
        assert!(matches!(after, Err(WorkerGone) | Ok(Err(_))), "{after:?}");
    }
}
