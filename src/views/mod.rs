//! Views: answers and schedules turned into something to read: text for the terminal,
//! JSON, the iCalendar feed, HTML pages and Alertmanager time intervals.
//!
//! May use: the engine (answers, model, time). Knows no HTTP and no file format.

pub mod alertmanager;
pub mod ical;
pub mod json;
pub mod list;
pub mod maintnote;
#[cfg(feature = "html")]
pub mod pages;
pub mod statuspage;
pub mod text;
pub mod words;
