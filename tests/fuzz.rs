//! A bounded fuzz run in `cargo test`: a few thousand mutated schedules, library queries and
//! HTTP requests (see `examples/fuzz/core.rs`), with a fixed seed so a failure replays. Long
//! runs: `cargo run --release --example fuzz -- --minutes 20`.
#[path = "../examples/fuzz/core.rs"]
mod core;

use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn mutated_schedules_and_queries_never_panic_or_hang() {
    core::quiet_panics();
    let current = Arc::new(core::Current::default());
    // Debug builds on a busy machine: a hang is an input that never ends, not a slow one.
    core::guard(current.clone(), Duration::from_secs(120));
    let t = core::run(8, 4_000, Instant::now() + Duration::from_secs(600), Duration::from_secs(30), &current, |_| {});
    current.done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(t.inputs >= 4_000, "ran {} inputs", t.inputs);
    assert!(t.schedules_loaded > 0 && t.schedules_loaded < t.schedules, "mutations both load and fail: {t:?}");
    assert!(t.failures.is_empty(), "{} panics, {} hangs:\n{}", t.panics, t.slow, t.failures.join("\n\n"));
}
