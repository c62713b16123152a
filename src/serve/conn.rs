//! The exporter's connections: an accept loop that bounds what a client
//! can hold. A connection that sends nothing, half a request, or nothing
//! more after an answer is closed after the idle timeout (hyper's header
//! read timeout, which runs whenever a request head is awaited), and so is
//! one that stops reading its answer (a write that makes no progress for
//! the idle timeout, once the socket buffers are full); at most
//! `max_connections` are served at once, and one above that gets a short
//! `503 Service Unavailable` with `Retry-After` and is closed.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;

/// How much a client may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnLimits {
    /// Connections served at once.
    pub max_connections: usize,
    /// How long a connection may wait for (the rest of) a request head,
    /// and how long a write of its answer may make no progress.
    pub idle_timeout: Duration,
}

/// The answer above the connection cap.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 50\r\n\r\nsockscope: too many connections; try again later\r\n";

/// How long a shutdown waits for requests being answered.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` within `limits` until `shutdown` completes,
/// then lets requests being answered finish (at most [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.idle_timeout);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors or similar: say so and back off
                    // instead of spinning on the error.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Never waits: a client that does not read its refusal loses it.
            let _ = stream.try_write(BUSY);
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let mut io = TimeoutStream::new(stream);
        io.set_write_timeout(Some(limits.idle_timeout));
        let io = TokioIo::new(Box::pin(io));
        let conn = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
}
