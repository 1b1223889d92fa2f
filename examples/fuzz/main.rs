//! Long fuzz runs on demand: `cargo run --release --example fuzz -- --minutes 20`.
//!
//! Options: `--minutes N` (default 1), `--inputs N` (stop after N inputs), `--seed S`
//! (default: the time), `--hang-ms N` (an input slower than this counts as a hang; default
//! 1000; one running 10 times longer stops the run). Prints progress every 10 s and a
//! summary; exits 1 if anything panicked or hung.

#[path = "core.rs"]
mod core;

use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(args: &[String], name: &str) -> Option<u64> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let minutes = arg(&args, "--minutes").unwrap_or(1);
    let inputs = arg(&args, "--inputs").unwrap_or(u64::MAX);
    let seed = arg(&args, "--seed")
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs()));
    let hang = Duration::from_millis(arg(&args, "--hang-ms").unwrap_or(1000));
    core::quiet_panics();
    let current = Arc::new(core::Current::default());
    core::guard(current.clone(), hang * 10);
    let started = Instant::now();
    let mut last = Instant::now();
    let t = core::run(seed, inputs, started + Duration::from_secs(minutes * 60), hang, &current, |t| {
        if last.elapsed() >= Duration::from_secs(10) {
            last = Instant::now();
            eprintln!("fuzz: {:>5.0} s  {} inputs  {} panics  {} slow", started.elapsed().as_secs_f64(), t.inputs, t.panics, t.slow);
        }
    });
    current.done.store(true, std::sync::atomic::Ordering::Relaxed);
    for f in &t.failures {
        println!("FAILURE {f}\n");
    }
    println!(
        "fuzz: seed {seed}, {} inputs in {:.0} s ({} mutated schedules, {} of them loaded; {} library queries; {} HTTP requests): {} panics, {} slower than {} ms (slowest {} ms)",
        t.inputs,
        started.elapsed().as_secs_f64(),
        t.schedules,
        t.schedules_loaded,
        t.queries,
        t.http,
        t.panics,
        t.slow,
        hang.as_millis(),
        t.slowest.as_millis()
    );
    if t.panics > 0 || t.slow > 0 {
        std::process::exit(1);
    }
}
