//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use mado::{time, Schedule, SourceFile};

/// Parses a test instant: RFC 3339, or a local `YYYY-MM-DD HH:MM` in Asia/Tokyo.
pub fn at(s: &str) -> DateTime<Utc> {
    time::parse_instant(s, time::DEFAULT_ZONE, time::now()).unwrap_or_else(|e| panic!("bad test instant: {e}"))
}

/// The embedded seed schedules.
pub fn seeds() -> Schedule {
    Schedule::embedded().unwrap_or_else(|e| panic!("embedded schedules must load: {e}"))
}

/// The embedded schedules plus one fixture file from `tests/data/`.
pub fn with_fixture(rel: &str) -> Result<Schedule, mado::LoadError> {
    let mut files = mado::embedded_sources();
    let name = format!("tests/data/{rel}");
    let text = std::fs::read_to_string(&name).unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    files.push(SourceFile { name, text });
    Schedule::from_sources(files)
}
