//! Collect-on-scrape with a short cache: concurrent scrapes wait for one
//! collection and share it; a scrape within `ttl` of the last collection
//! reuses it. The samples feed a [`Model`], so alerts are evaluated over the
//! scrape history as in the dashboard.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::collector::RoundSource;
use crate::collector::worker::Worker;
use crate::export::prometheus::{self, AlertInput, Dialect, ExporterStats, Limits, ScrapeInput};
use crate::model::{Frame, Model, ModelLimits, Round, Thresholds};

/// One collection as the exporter serves it.
#[derive(Clone, Debug)]
pub struct Scrape {
    /// Namespace label (`all` under `--all-netns`, whose parts carry their own).
    pub netns: String,
    /// The sample with its alerts, or why there is none.
    pub frame: Result<Frame, String>,
    /// Under `--all-netns`: each namespace's own frame (aggregated and
    /// judged once, by the model), in the order of `frame`'s parts.
    pub parts: Vec<Option<Frame>>,
    /// When the collection finished.
    pub finished: Instant,
    /// The exporter's counters after this collection.
    pub stats: ExporterStats,
}

impl Scrape {
    /// The `/metrics` body of this scrape.
    pub fn render(&self, dialect: Dialect, limits: Limits) -> String {
        let alerts: Vec<AlertInput> = match &self.frame {
            Ok(f) => vec![AlertInput {
                netns: &f.snapshot.netns,
                alerts: &f.alerts.active,
            }],
            Err(_) => Vec::new(),
        };
        let stats = Some(self.stats);
        let families = match &self.frame {
            // `--all-netns`: one input per namespace, each with its own label.
            Ok(f) if !f.snapshot.netns_parts.is_empty() => {
                let inputs: Vec<ScrapeInput> = f
                    .snapshot
                    .netns_parts
                    .iter()
                    .zip(&self.parts)
                    .map(|(p, frame)| ScrapeInput {
                        netns: &p.label,
                        sample: frame
                            .as_ref()
                            .filter(|_| p.error.is_none())
                            .map(|f| (f.snapshot.as_ref(), f.agg.as_ref())),
                    })
                    .collect();
                prometheus::families(&inputs, &alerts, stats, limits)
            }
            frame => {
                let input = ScrapeInput {
                    netns: &self.netns,
                    sample: frame
                        .as_ref()
                        .ok()
                        .map(|f| (f.snapshot.as_ref(), f.agg.as_ref())),
                };
                prometheus::families(&[input], &alerts, stats, limits)
            }
        };
        prometheus::encode(&families, dialect)
    }
}

#[derive(Default)]
struct State {
    last: Option<Arc<Scrape>>,
    netns: String,
}

/// The shared collector behind `/metrics`.
pub struct ScrapeCache {
    worker: Worker<Box<dyn RoundSource>>,
    ttl: Duration,
    model: std::sync::Mutex<Model>,
    state: Mutex<State>,
}

impl ScrapeCache {
    /// A cache over `worker`, labelling samples with namespace `netns` until
    /// a round names it (and whenever collection fails), evaluating
    /// alerts with `thresholds`.
    pub fn new(
        worker: Worker<Box<dyn RoundSource>>,
        netns: String,
        ttl: Duration,
        thresholds: Thresholds,
    ) -> ScrapeCache {
        ScrapeCache {
            worker,
            ttl,
            model: std::sync::Mutex::new(Model::with_thresholds(
                &ModelLimits::default(),
                thresholds,
            )),
            state: Mutex::new(State { last: None, netns }),
        }
    }

    /// A scrape no older than the cache allows: the last one when it finished
    /// after this call began (it was in flight) or within `ttl`, otherwise a
    /// new collection. Errors become a scrape without a sample.
    pub async fn scrape(&self) -> Arc<Scrape> {
        let arrived = Instant::now();
        let mut state = self.state.lock().await;
        if let Some(s) = state.last.as_ref()
            && (s.finished >= arrived || s.finished.elapsed() < self.ttl)
        {
            return Arc::clone(s);
        }
        let mut stats = state.last.as_ref().map(|s| s.stats).unwrap_or_default();
        stats.collections += 1;
        let mut parts = Vec::new();
        // Each namespace is aggregated once, on the collection thread.
        let collected = self.worker.run(|s| s.round().map(Round::aggregate)).await;
        let frame = match collected {
            Ok(Ok(round)) => {
                round.label().clone_into(&mut state.netns);
                let mut model = self.model.lock().unwrap_or_else(|p| p.into_inner());
                let frame = model.ingest_round(round);
                parts = model.namespace_frames().map(|(_, f)| f.cloned()).collect();
                Ok(frame)
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(why) = &frame {
            stats.errors += 1;
            tracing::warn!("collection failed: {why}");
        }
        let scrape = Arc::new(Scrape {
            netns: state.netns.clone(),
            frame,
            parts,
            finished: Instant::now(),
            stats,
        });
        state.last = Some(Arc::clone(&scrape));
        scrape
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::collector::{CollectError, ScriptedSource, Source};
    use crate::model::Snapshot;
    use crate::model::fixtures;

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

    fn sample(at: &str, queue: u32) -> Snapshot {
        fixtures::snapshot(at, vec![fixtures::listen("127.0.0.1:80", queue, 8, 1)])
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    fn cache(source: impl Source + 'static) -> ScrapeCache {
        let source = crate::collector::one(source);
        let worker = Worker::spawn("test", move || Some(source)).unwrap();
        ScrapeCache::new(
            worker,
            "start".to_owned(),
            Duration::ZERO,
            Thresholds::default(),
        )
    }

    #[test]
    fn concurrent_scrapes_share_the_collection_in_flight() {
        let (go, gate) = mpsc::channel();
        let cache = cache(Gated {
            go: gate,
            inner: ScriptedSource::new([
                sample("2026-11-24T02:40:00Z", 3),
                sample("2026-11-24T02:40:01Z", 3),
            ]),
        });
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
    fn failed_collection_answers_up_zero_under_the_last_label() {
        let cache = cache(ScriptedSource::new([sample("2026-11-24T02:40:00Z", 0)]));
        let rt = runtime();
        let first = rt.block_on(cache.scrape());
        assert_eq!(first.netns, "test", "named by its snapshot");
        let gone = rt.block_on(cache.scrape());
        assert_eq!(
            gone.stats,
            ExporterStats {
                collections: 2,
                errors: 1
            }
        );
        let text = gone.render(Dialect::OpenMetrics, Limits::default());
        assert!(
            text.contains("\nsockscope_up{netns=\"test\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("\nsockscope_collection_errors_total 1\n"),
            "{text}"
        );
        assert!(!text.contains("sockscope_listener_accept_queue{"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn alerts_are_evaluated_over_the_scrape_history() {
        let full = (0..10).map(|i| sample(&format!("2026-11-24T02:40:0{i}Z"), 9));
        let cache = cache(ScriptedSource::new(full));
        let rt = runtime();
        let scrapes: Vec<_> = (0..10).map(|_| rt.block_on(cache.scrape())).collect();
        let first = scrapes[0].render(Dialect::Prometheus, Limits::default());
        assert!(!first.contains("\nsockscope_alert{"), "hysteresis: {first}");
        let last = scrapes[9].render(Dialect::Prometheus, Limits::default());
        assert!(
            last.contains(
                "\nsockscope_alert{netns=\"test\",rule=\"accept_queue_overflow\",severity=\"critical\",target=\"127.0.0.1:80\"} 1\n"
            ),
            "{last}"
        );
    }
}
