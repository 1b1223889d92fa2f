//! A short fuzz run in `cargo test`: 500 mutated schedules, library queries and HTTP requests
//! (see `examples/fuzz/core.rs`), with a fixed seed so a failure replays, within a minute.
//! The 4,000-input run is `cargo test --test fuzz -- --ignored`; long runs (CI runs two
//! minutes): `cargo run --release --example fuzz -- --minutes 20`.
#[path = "../examples/fuzz/core.rs"]
mod core;

use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn mutated_schedules_and_queries_never_panic_or_hang() {
    fuzz(500, Duration::from_secs(60));
}

#[test]
#[ignore = "the 4,000-input run: cargo test --test fuzz -- --ignored"]
fn four_thousand_mutated_inputs() {
    fuzz(4_000, Duration::from_secs(600));
}

fn fuzz(inputs: u64, deadline: Duration) {
    core::quiet_panics();
    let current = Arc::new(core::Current::default());
    // Debug builds on a busy machine: a hang is an input that never ends, not a slow one.
    core::guard(current.clone(), Duration::from_secs(120));
    let t = core::run(8, inputs, Instant::now() + deadline, Duration::from_secs(30), &current, |_| {});
    current.done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(t.inputs >= inputs, "ran {} inputs", t.inputs);
    assert!(t.schedules_loaded > 0 && t.schedules_loaded < t.schedules, "mutations both load and fail: {t:?}");
    assert!(t.failures.is_empty(), "{} panics, {} hangs:\n{}", t.panics, t.slow, t.failures.join("\n\n"));
}
