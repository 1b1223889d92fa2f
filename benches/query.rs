//! Query and load benchmarks: the seed schedules against generated ones of 100, 1,000 and
//! 10,000 announcements. Run with `cargo bench --bench query`.
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
    for n in [100, 1_000, 10_000] {
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

criterion_group!(benches, bench_query, bench_load);
criterion_main!(benches);
