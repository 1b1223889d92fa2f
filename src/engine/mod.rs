//! The engine: the validated model, recurrence rules, time, and the one evaluator that
//! answers "is F available at T, as known at A?".
//!
//! May use: chrono, chrono-tz, serde (to serialize answers). Knows no file format (the
//! `format` stage builds its model), no HTTP and no terminal.

pub(crate) mod answer;
pub(crate) mod checkout;
pub(crate) mod error;
pub(crate) mod eval;
pub mod limits;
pub(crate) mod model;
pub mod rrule;
pub mod time;
