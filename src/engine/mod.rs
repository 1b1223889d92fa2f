//! The engine: the validated model, recurrence rules, time, and the one evaluator that
//! answers "is F available at T, as known at A?".
//!
//! May use: chrono, chrono-tz, serde (to serialize answers). Knows no file format (the
//! `format` stage builds its model), no HTTP and no terminal.
//!
//! `schedule.rs` holds `Schedule` (fields private to the engine) and its public methods;
//! `view_api.rs` the read-only views of a window's history that the views use instead of the
//! model's vectors.

pub(crate) mod answer;
pub(crate) mod checkout;
pub(crate) mod diff;
pub(crate) mod error;
pub(crate) mod eval;
pub mod limits;
pub(crate) mod model;
pub(crate) mod names;
pub mod rrule;
pub(crate) mod schedule;
pub mod time;
pub(crate) mod view_api;
pub mod when;

/// Unit tables and the property tests of the engine (with the format that builds its model).
#[cfg(test)]
mod tests;
