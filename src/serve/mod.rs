//! `sockscope serve`: the Prometheus exporter's HTTP side.
//!
//! `/metrics` collects on scrape through a [`ScrapeCache`] and answers in the
//! Prometheus text format, or OpenMetrics when the `Accept` header asks for
//! it; `/` is a short page; `/healthz` answers `ok`. A failed collection is
//! answered with `sockscope_up 0`, never an HTTP error. [`conn`] bounds
//! what clients can hold: an idle timeout and a connection cap.

pub mod cache;
pub mod conn;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;

pub use cache::{Scrape, ScrapeCache};
pub use conn::{ConnLimits, serve};

use crate::export::prometheus::{Dialect, Limits};

/// What the handlers share.
pub struct Exporter {
    /// The collector behind `/metrics`.
    pub cache: ScrapeCache,
    /// Cardinality limits.
    pub limits: Limits,
}

const INDEX: &str = "<!doctype html>
<html><head><title>sockscope exporter</title></head>
<body><h1>sockscope exporter</h1>
<p>Per-listener accept queues, backlogs and connection states, TCP totals by state and the kernel's
overflow counters of this host's network namespace, collected on each scrape.</p>
<ul><li><a href=\"/metrics\">/metrics</a>: Prometheus text format (OpenMetrics when asked for)</li>
<li><a href=\"/healthz\">/healthz</a>: liveness</li></ul>
</body></html>
";

async fn index() -> Html<&'static str> {
    Html(INDEX)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn metrics(State(app): State<Arc<Exporter>>, headers: HeaderMap) -> impl IntoResponse {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let dialect = Dialect::negotiate(accept);
    let scrape = app.cache.scrape().await;
    let body = scrape.render(dialect, app.limits);
    ([(header::CONTENT_TYPE, dialect.content_type())], body)
}

/// The exporter's routes.
pub fn router(app: Arc<Exporter>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(app)
}
