//! Views: answers and schedules turned into something to read: text for the terminal,
//! JSON, and the iCalendar feed.
//!
//! May use: the engine (answers, model, time). Knows no HTTP and no file format.

pub mod ical;
pub mod json;
pub mod text;
