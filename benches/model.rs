//! The model's per-interval cost on a synthetic 100k-socket snapshot
//! (5,000 listeners): aggregation alone, per-socket tracking, and a whole
//! `Model::ingest` (aggregate + tracker + history).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sockscope::model::{Aggregate, Model, ModelLimits, Tracker, fixtures};

fn model(c: &mut Criterion) {
    let snap = fixtures::busy_host("2026-11-24T00:00:00Z", 5_000, 95_000);
    c.bench_function("aggregate_100k", |b| {
        b.iter(|| Aggregate::build(std::hint::black_box(&snap)))
    });
    let mut tracker = Tracker::default();
    tracker.update(&snap);
    c.bench_function("tracker_100k_steady", |b| b.iter(|| tracker.update(&snap)));
    let mut model = Model::new(&ModelLimits::default());
    let mut next = snap.clone();
    c.bench_function("ingest_100k", |b| {
        b.iter_batched(
            || {
                next.taken_at += jiff::SignedDuration::from_secs(1);
                next.clone()
            },
            |s| model.ingest(s),
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, model);
criterion_main!(benches);
