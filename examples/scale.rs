//! The generator and in-process probe behind `bench/scale.sh`.
//!
//! `cargo run --release --example scale -- write DIR N` writes the catalogue and N generated
//! notices (`mado::synth::notices(N, 7)`) under DIR, as a schedules directory.
//! `cargo run --release --example scale -- queries N [COUNT]` loads the same schedule and
//! prints the mean time of `Schedule::check` over COUNT random questions (random instant
//! 2019–2035 × random function, as of 2036-01-01, the same seed for every N), and writes the
//! questions to stdout's last lines as `function instant` when asked with `--list`.
use chrono::{DateTime, TimeZone, Utc};
use mado::{Query, Schedule};
use std::time::Instant as Clock;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// The random questions: the same for every N (the catalogue is the same).
fn questions(s: &Schedule, count: usize) -> Vec<(String, DateTime<Utc>)> {
    let functions: Vec<String> = s.catalogue().functions().iter().map(|f| f.id().to_string()).collect();
    let from = Utc.with_ymd_and_hms(2019, 1, 1, 0, 0, 0).unwrap().timestamp();
    let to = Utc.with_ymd_and_hms(2036, 1, 1, 0, 0, 0).unwrap().timestamp();
    let mut r = Lcg(42);
    (0..count)
        .map(|_| {
            let f = functions[r.next(functions.len() as u64) as usize].clone();
            let t = DateTime::from_timestamp(from + r.next((to - from) as u64) as i64, 0).unwrap();
            (f, t)
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = |i: usize| {
        args.get(i).and_then(|a| a.parse::<usize>().ok()).unwrap_or_else(|| panic!("usage: scale write DIR N | queries N [COUNT]"))
    };
    match args.first().map(String::as_str) {
        Some("write") => {
            let dir = std::path::Path::new(&args[1]);
            for f in mado::synth::notices(n(2), 7) {
                let path = dir.join(&f.name);
                std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
                std::fs::write(path, f.text).expect("write");
            }
        }
        Some("queries") => {
            let count = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20_000);
            let s = Schedule::from_sources(mado::synth::notices(n(1), 7)).expect("synthetic loads");
            let as_of = Utc.with_ymd_and_hms(2036, 1, 1, 0, 0, 0).unwrap();
            let qs: Vec<Query> = questions(&s, count).into_iter().map(|(f, t)| Query::new(f, t).as_of(as_of)).collect();
            if args.iter().any(|a| a == "--list") {
                for q in &qs {
                    println!("{} {}", q.function, q.at.to_rfc3339());
                }
                return;
            }
            let mut windows = 0;
            for q in qs.iter().take(1000) {
                windows += s.check(q).expect("known").windows.len();
            }
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t = Clock::now();
                for q in &qs {
                    windows += s.check(q).expect("known").windows.len();
                }
                best = best.min(t.elapsed().as_secs_f64() / qs.len() as f64);
            }
            let mut status_best = f64::MAX;
            let mut unavailable = 0;
            for _ in 0..5 {
                let t = Clock::now();
                for q in &qs {
                    unavailable += usize::from(s.status(&q.function, q.at, q.as_of).expect("known") != mado::Status::Available);
                }
                status_best = status_best.min(t.elapsed().as_secs_f64() / qs.len() as f64);
            }
            println!(
                "n={} queries={} best-of-5 mean per check: {:.2} µs, per status: {:.3} µs ({windows} windows seen, {unavailable} not available)",
                n(1),
                qs.len(),
                best * 1e6,
                status_best * 1e6
            );
        }
        Some("nine") => nine(n(1)),
        _ => panic!("usage: scale write DIR N | queries N [COUNT]"),
    }
}

#[allow(dead_code)]
fn nine(n: usize) {
    let s = Schedule::from_sources(mado::synth::notices(n, 7)).expect("synthetic loads");
    let as_of = Utc.with_ymd_and_hms(2042, 1, 1, 0, 0, 0).unwrap();
    let ats = [
        Utc.with_ymd_and_hms(2023, 11, 12, 18, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 1, 14, 30, 0).unwrap(),
        Utc.with_ymd_and_hms(2031, 7, 9, 3, 0, 0).unwrap(),
    ];
    let qs: Vec<Query> = ats
        .iter()
        .flat_map(|at| ["webcollect.credit_card", "webcollect.reauth", "atobarai.au_kantan"].map(|f| Query::new(f, *at).as_of(as_of)))
        .collect();
    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Clock::now();
        for _ in 0..2000 {
            for q in &qs {
                std::hint::black_box(s.check(std::hint::black_box(q)).expect("known"));
            }
        }
        best = best.min(t.elapsed().as_secs_f64() / 2000.0);
    }
    println!("n={n}: the bench's 9 questions take {:.2} µs (best of 20 runs of 2000)", best * 1e6);
    for at in ats {
        for f in ["webcollect.credit_card", "webcollect.reauth", "atobarai.au_kantan"] {
            let a = s.check(&Query::new(f, at).as_of(as_of)).unwrap();
            println!(
                "n={n} {f} {at}: {} windows, next {}, affected {}, stated {}, pending {} status {:?}",
                a.windows.len(),
                a.next.is_some(),
                a.affected.len(),
                a.stated_available.len(),
                a.pending.len(),
                a.status
            );
        }
    }
}
