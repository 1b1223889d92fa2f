//! mado (窓, "window"): a maintenance-window calendar and availability oracle for
//! Kuroneko Web Collect (クロネコwebコレクト).
//!
//! Notices are TOML files (see `docs/format.md`); a [`Schedule`] loads and validates them and
//! answers one question precisely: **is function F available at instant T, as known at A?**
//!
//! ```
//! use mado::{Query, Schedule, Status};
//! use chrono::{TimeZone, Utc};
//!
//! let notice = r#"
//! id = "example"
//! published = "2023-10-10"
//! title = "メンテナンスのお知らせ"
//! source = "example"
//!
//! [[window]]
//! id = "db"
//! functions = ["webcollect"]
//! start = "2023-11-13 02:00"
//! end = "05:30"
//! "#;
//! let schedule = Schedule::from_notice_str(notice).unwrap();
//! let at = Utc.with_ymd_and_hms(2023, 11, 12, 18, 0, 0).unwrap(); // 03:00 JST
//! let as_of = Utc.with_ymd_and_hms(2023, 11, 1, 0, 0, 0).unwrap();
//! let answer = schedule.check(&Query::new("webcollect.credit_card", at).as_of(as_of)).unwrap();
//! assert_eq!(answer.status, Status::Unavailable);
//! assert_eq!(answer.until.unwrap().to_rfc3339(), "2023-11-13T05:30:00+09:00");
//! ```
//!
//! Intervals are half-open everywhere: a window `[start, end)` covers its start and not its
//! end. Instants are whole seconds.
//!
//! # Stages
//!
//! - `format`: the TOML files, where they come from, and validation into the model
//!   ([`Schedule::from_dir`], [`Schedule::embedded`], [`Schedule::from_notice_str`]);
//! - `engine`: the model and the one evaluator ([`Schedule::check`], [`Schedule::windows`]),
//!   with [`time`] and [`rrule`];
//! - [`views`]: text, JSON and the iCalendar feed;
//! - `server` (feature `server`): the HTTP API.
//!
//! # Features
//!
//! - `server` (default): `mado::server`, the HTTP interface (axum, tokio, arc-swap, notify,
//!   tower-http, tracing). Implies `schema`.
//! - `schema`: OpenAPI schemas (utoipa `ToSchema`) on the answer types; the engine itself
//!   knows nothing of the server.
//! - `cli` (default): the `mado` binary (clap). Implies `server`.
//!
//! With `default-features = false` the library is the format, the engine, the answer types
//! and the views, on chrono, chrono-tz, serde, serde_json, toml and thiserror alone.

#![deny(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "draft")]
pub mod draft;
mod engine;
mod format;
#[cfg(feature = "server")]
pub mod server;
pub mod views;

pub use chrono;
pub use chrono_tz;
pub use engine::answer::{Answer, DelayInfo, Query, RevisionInfo, WindowInfo, WindowKind, WindowList, WindowsQuery};
pub use engine::checkout::AnswerSet;
pub use engine::diff::{notice_diff, DiffError, FeedChange, FunctionDiff, NoticeDiff, StatusChange, WindowChange};
pub use engine::error::QueryError;
pub use engine::eval::Status;
pub use engine::model::{
    Action, Catalogue, Channel, ChannelEffect, Effect, EffectSource, Function, Inference, Kind, Lang, Notice, Provider, Published,
};
pub use engine::names::{normalize_name, NameError};
pub use engine::schedule::Schedule;
pub use engine::{limits, rrule, time, when};
pub use format::compiled;
pub use format::error::{Diagnostic, LoadError};
pub use format::source::{embedded_sources, read_dir_sources, read_source, replacing, SourceFile, CATALOGUE_FILE, EMBEDDED_BUILT};
#[doc(hidden)]
pub use format::synth;
pub use views::ical;
pub use views::json::catalogue_json;

/// Any error of the library: a schedule that does not load, or a query that cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading or validating schedules failed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A query could not be answered.
    #[error(transparent)]
    Query(#[from] QueryError),
}

/// One line naming where a schedule came from: the embedded copy (with its notice count and
/// build date) or a directory. The words are [`views::words`]'.
pub fn describe_source(dir: Option<&std::path::Path>, notices: usize, lang: engine::model::Lang) -> String {
    views::words::schedule_source(dir, notices, EMBEDDED_BUILT, lang)
}
