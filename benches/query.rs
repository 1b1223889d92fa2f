//! Query and load benchmarks: the seed schedules against generated ones of 100, 1,000 and
//! 10,000 announcements, and the status-only call. Run with `cargo bench --bench query`
//! (`cargo bench --bench query -- status` for the status-only figures, `-- random` for the
//! random mix at N = 10 and 10,000 and their ratio).
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

/// The random mix of `bench/scale.sh`: 200 questions, random instant 2019-2035 × random
/// function of the catalogue, as of 2036, the same for every N. Criterion reports each N;
/// the ratio of N = 10,000 to N = 10 (best of 20 passes each, the two interleaved) is
/// printed after them.
fn bench_random(c: &mut Criterion) {
    let mut g = c.benchmark_group("random");
    g.measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    let as_of = Utc.with_ymd_and_hms(2036, 1, 1, 0, 0, 0).unwrap();
    let (from, to) = (Utc.with_ymd_and_hms(2019, 1, 1, 0, 0, 0).unwrap().timestamp(), as_of.timestamp());
    let mut seed = 42u64;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let schedules: Vec<(usize, Schedule)> =
        [10, 10_000].into_iter().map(|n| (n, Schedule::from_sources(mado::synth::notices(n, 7)).expect("synthetic loads"))).collect();
    let ids: Vec<String> = schedules[0].1.catalogue().functions().iter().map(|f| f.id().to_string()).collect();
    let qs: Vec<Query> = (0..200)
        .map(|_| {
            let f = ids[next(ids.len() as u64) as usize].clone();
            Query::new(f, chrono::DateTime::from_timestamp(from + next((to - from) as u64) as i64, 0).unwrap()).as_of(as_of)
        })
        .collect();
    let pass = |s: &Schedule| qs.iter().map(|q| s.check(black_box(q)).expect("ok").windows.len()).sum::<usize>();
    for (n, s) in &schedules {
        g.bench_with_input(BenchmarkId::new("generated", n), s, |b, s| b.iter(|| pass(s)));
    }
    g.finish();
    let mut best = [f64::MAX; 2];
    for _ in 0..20 {
        for (i, (_, s)) in schedules.iter().enumerate() {
            let t = std::time::Instant::now();
            black_box(pass(s));
            best[i] = best[i].min(t.elapsed().as_secs_f64());
        }
    }
    println!(
        "random/ratio: 200 questions take {:.1} µs at N = 10 and {:.1} µs at N = 10,000: throughput at 10,000 is {:.2}x that at 10",
        best[0] * 1e6,
        best[1] * 1e6,
        best[0] / best[1]
    );
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

criterion_group!(benches, bench_query, bench_random, bench_load, bench_status);
criterion_main!(benches);
