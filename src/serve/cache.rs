//! Collect-on-scrape with a short cache: concurrent scrapes wait for one
//! collection and share it; a scrape within `ttl` of the last collection
//! reuses it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::collector::worker::Worker;
use crate::export::prometheus::{self, Dialect, ExporterStats, Limits, ScrapeInput};
use crate::model::{Aggregate, Frame};

/// One collection as the exporter serves it.
#[derive(Clone, Debug)]
pub struct Scrape {
    /// Namespace label.
    pub netns: String,
    /// The sample, or why there is none.
    pub frame: Result<Frame, String>,
    /// When the collection finished.
    pub finished: Instant,
    /// The exporter's counters after this collection.
    pub stats: ExporterStats,
}

impl Scrape {
    /// The `/metrics` body of this scrape.
    pub fn render(&self, dialect: Dialect, limits: Limits) -> String {
        let families = match &self.frame {
            // `--all-netns`: one input per namespace, each with its own label.
            Ok(f) if !f.snapshot.netns_parts.is_empty() => {
                let parts = f.snapshot.split_parts();
                let aggs: Vec<Aggregate> = parts.iter().map(Aggregate::build).collect();
                let inputs: Vec<ScrapeInput> = parts
                    .iter()
                    .zip(&aggs)
                    .zip(&f.snapshot.netns_parts)
                    .map(|((s, agg), p)| ScrapeInput {
                        netns: &p.label,
                        sample: p.error.is_none().then_some((s, agg)),
                    })
                    .collect();
                prometheus::families(&inputs, Some(self.stats), limits)
            }
            frame => {
                let input = ScrapeInput {
                    netns: &self.netns,
                    sample: frame
                        .as_ref()
                        .ok()
                        .map(|f| (f.snapshot.as_ref(), f.agg.as_ref())),
                };
                prometheus::families(&[input], Some(self.stats), limits)
            }
        };
        prometheus::encode(&families, dialect)
    }
}

/// The shared collector behind `/metrics`.
pub struct ScrapeCache {
    worker: Worker,
    netns: String,
    ttl: Duration,
    last: Mutex<Option<Arc<Scrape>>>,
}

impl ScrapeCache {
    /// A cache over `worker`, labelling samples with namespace `netns`.
    pub fn new(worker: Worker, netns: String, ttl: Duration) -> ScrapeCache {
        ScrapeCache {
            worker,
            netns,
            ttl,
            last: Mutex::new(None),
        }
    }

    /// A scrape no older than the cache allows: the last one when it finished
    /// after this call began (it was in flight) or within `ttl`, otherwise a
    /// new collection. Errors become a scrape without a sample.
    pub async fn scrape(&self) -> Arc<Scrape> {
        let arrived = Instant::now();
        let mut last = self.last.lock().await;
        if let Some(s) = last.as_ref()
            && (s.finished >= arrived || s.finished.elapsed() < self.ttl)
        {
            return Arc::clone(s);
        }
        let mut stats = last.as_ref().map(|s| s.stats).unwrap_or_default();
        stats.collections += 1;
        let frame = match self.worker.collect().await {
            Ok(Ok(snapshot)) => Ok(Frame::new(snapshot)),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(why) = &frame {
            stats.errors += 1;
            tracing::warn!("collection failed: {why}");
        }
        let netns = match &frame {
            Ok(f) => f.snapshot.netns.clone(),
            Err(_) => self.netns.clone(),
        };
        let scrape = Arc::new(Scrape {
            netns,
            frame,
            finished: Instant::now(),
            stats,
        });
        *last = Some(Arc::clone(&scrape));
        scrape
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::collector::{CollectError, ScriptedSource, Source};
    use crate::model::{Snapshot, fixtures};

    /// A source that waits for a go-ahead before each collection.
    struct Gated {
        go: mpsc::Receiver<()>,
        inner: ScriptedSource,
    }

    impl Source for Gated {
        fn collect(&mut self) -> Result<Snapshot, CollectError> {
            let _ = self.go.recv();
            self.inner.collect()
        }
    }

    fn sample(at: &str) -> Snapshot {
        fixtures::snapshot(at, vec![fixtures::listen("127.0.0.1:80", 3, 8, 1)])
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn concurrent_scrapes_share_the_collection_in_flight() {
        let (go, gate) = mpsc::channel();
        let worker = Worker::spawn("test", move || {
            Ok(Box::new(Gated {
                go: gate,
                inner: ScriptedSource::new([
                    sample("2026-11-24T02:40:00Z"),
                    sample("2026-11-24T02:40:01Z"),
                ]),
            }) as Box<dyn Source>)
        })
        .unwrap();
        let cache = ScrapeCache::new(worker, "test".to_owned(), Duration::ZERO);
        let scrapes = runtime().block_on(async {
            // Every scrape has begun before the collection may finish; once
            // the gate's sender is gone, later collections run unhindered.
            let release = async move {
                tokio::task::yield_now().await;
                go.send(()).unwrap();
            };
            let scrapes = futures::future::join_all((0..8).map(|_| cache.scrape()));
            tokio::join!(scrapes, release).0
        });
        assert_eq!(scrapes.len(), 8);
        for s in &scrapes {
            assert!(Arc::ptr_eq(s, &scrapes[0]), "every scrape shares one");
            assert_eq!(s.stats.collections, 1);
        }
        let text = scrapes[0].render(Dialect::Prometheus, Limits::default());
        assert!(text.contains("\nsockscope_collections_total 1\n"), "{text}");
        assert!(text.contains(
            "\nsockscope_listener_accept_queue{netns=\"test\",proto=\"tcp\",local=\"127.0.0.1:80\"} 3\n"
        ));
    }

    #[test]
    fn failed_collection_answers_up_zero() {
        let worker = Worker::spawn("test", || {
            Ok(Box::new(ScriptedSource::new([])) as Box<dyn Source>)
        })
        .unwrap();
        let cache = ScrapeCache::new(worker, "gone".to_owned(), Duration::ZERO);
        let scrape = runtime().block_on(cache.scrape());
        assert_eq!(
            scrape.stats,
            ExporterStats {
                collections: 1,
                errors: 1
            }
        );
        let text = scrape.render(Dialect::OpenMetrics, Limits::default());
        assert!(
            text.contains("\nsockscope_up{netns=\"gone\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("\nsockscope_collection_errors_total 1\n"),
            "{text}"
        );
        assert!(!text.contains("sockscope_listener_accept_queue{"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
