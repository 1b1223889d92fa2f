//! Query and load benchmarks: the seed schedules against generated ones of 100, 1,000 and
//! 10,000 announcements, and the status-only call. Run with `cargo bench --bench query`
//! (`cargo bench --bench query -- status` for the status-only figures).
use chrono::{TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use mado::{Query, Schedule};
use std::time::Duration;

fn queries() -> Vec<Query> {
    let as_of = Utc.with_ymd_and_hms(2042, 1, 1, 0, 0, 0).unwrap();
    let ats = [
        Utc.with_ymd_and_hms(2023, 11, 12, 18, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 1, 14, 30, 0).unwrap(),
        Utc.with_ymd_and_hms(2031, 7, 9, 3, 0, 0).unwrap(),
    ];
    let funcs = ["webcollect.credit_card", "webcollect.reauth", "atobarai.au_kantan"];
    ats.iter().flat_map(|at| funcs.iter().map(move |f| Query::new(*f, *at).as_of(as_of))).collect()
}

fn bench_query(c: &mut Criterion) {
    let mut g = c.benchmark_group("query");
    g.measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    let qs = queries();
    let seeds = Schedule::embedded().expect("seeds load");
    g.bench_function("seeds", |b| b.iter(|| qs.iter().map(|q| seeds.check(black_box(q)).expect("ok").windows.len()).sum::<usize>()));
    for n in [10, 100, 1_000, 10_000] {
        let s = Schedule::from_sources(mado::synth::notices(n, 7)).expect("synthetic loads");
        g.bench_with_input(BenchmarkId::new("generated", n), &s, |b, s| {
            b.iter(|| qs.iter().map(|q| s.check(black_box(q)).expect("ok").windows.len()).sum::<usize>())
        });
    }
    g.finish();
}

fn bench_load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    g.bench_function("seeds", |b| b.iter(|| Schedule::embedded().expect("ok").indexed_len()));
    for n in [100, 1_000, 10_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in mado::synth::notices(n, 7) {
            let path = dir.path().join(&f.name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, f.text).expect("write");
        }
        g.bench_with_input(BenchmarkId::new("generated_from_dir", n), dir.path(), |b, d| {
            b.iter(|| Schedule::from_dir(d).expect("ok").indexed_len())
        });
    }
    g.finish();
}

/// `Schedule::status`: the verdict alone, no descriptions. Target: under 200 ns on the seeds.
fn bench_status(c: &mut Criterion) {
    let mut g = c.benchmark_group("status");
    g.measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    let qs = queries();
    let seeds = Schedule::embedded().expect("seeds load");
    // One call per iteration, cycling through the 9 questions, so the figure is per call.
    let mut i = 0;
    g.bench_function("seeds, one call", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            let q = &qs[i];
            seeds.status(black_box(&q.function), black_box(q.at), black_box(q.as_of)).expect("ok")
        })
    });
    g.bench_function("seeds, full check for comparison", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            seeds.check(black_box(&qs[i])).expect("ok").status
        })
    });
    let s = Schedule::from_sources(mado::synth::notices(10_000, 7)).expect("synthetic loads");
    g.bench_function("10,000 generated, one call", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            let q = &qs[i];
            s.status(black_box(&q.function), black_box(q.at), black_box(q.as_of)).expect("ok")
        })
    });
    g.finish();
}

criterion_group!(benches, bench_query, bench_load, bench_status);
criterion_main!(benches);
