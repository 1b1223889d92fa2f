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

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod error;
mod eval;
pub mod ical;
mod load;
mod model;
pub mod openapi;
mod raw;
pub mod render;
pub mod rrule;
pub mod server;
#[doc(hidden)]
pub mod synth;
pub mod time;

#[cfg(test)]
mod tests;

pub use api::{Answer, DelayInfo, Query, RevisionInfo, WindowInfo, WindowList, WindowsQuery};
pub use error::{Diagnostic, LoadError, QueryError};
pub use eval::{Schedule, Status};
pub use load::SourceFile;
pub use model::{Action, Catalogue, Channel, ChannelEffect, Effect, Function, Notice, Published};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The catalogue file's name inside a schedules directory.
pub const CATALOGUE_FILE: &str = "functions.toml";

impl Schedule {
    /// The schedules embedded in the binary at build time (`schedules/` of the source tree).
    ///
    /// # Errors
    /// [`LoadError`] if the embedded files are invalid (the tests make sure they are not).
    pub fn embedded() -> Result<Schedule, LoadError> {
        let files: Vec<SourceFile> = EMBEDDED.iter().map(|(n, t)| SourceFile { name: (*n).to_string(), text: (*t).to_string() }).collect();
        Schedule::from_sources(files)
    }

    /// Loads `dir` if given, else the embedded schedules: what the CLI and the server serve.
    ///
    /// # Errors
    /// As [`Schedule::from_dir`] and [`Schedule::embedded`].
    pub fn load(dir: Option<&std::path::Path>) -> Result<Schedule, LoadError> {
        match dir {
            Some(d) => Schedule::from_dir(d),
            None => Schedule::embedded(),
        }
    }

    /// Loads `functions.toml` and every other `*.toml` below `dir` (sorted by path).
    ///
    /// # Errors
    /// [`LoadError::Io`] when a file cannot be read, [`LoadError::Invalid`] with every problem
    /// found (file, line, column, message) when the schedule is not valid.
    pub fn from_dir(dir: impl AsRef<std::path::Path>) -> Result<Schedule, LoadError> {
        let dir = dir.as_ref();
        let mut paths = Vec::new();
        walk(dir, &mut paths)?;
        paths.sort();
        let mut files = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(|error| LoadError::Io { path: p.display().to_string(), error })?;
            files.push(SourceFile { name: p.display().to_string(), text });
        }
        Schedule::from_sources(files)
    }

    /// Loads from named files; the one named `functions.toml` (in any directory) is the
    /// catalogue, the others are notices.
    ///
    /// # Errors
    /// As [`Schedule::from_dir`]; a missing catalogue is an error too.
    pub fn from_sources(files: Vec<SourceFile>) -> Result<Schedule, LoadError> {
        let (cats, notices): (Vec<SourceFile>, Vec<SourceFile>) =
            files.into_iter().partition(|f| f.name == CATALOGUE_FILE || f.name.ends_with(&format!("/{CATALOGUE_FILE}")));
        match cats.as_slice() {
            [cat] => load::build(cat, &notices),
            [] => Err(LoadError::Invalid(vec![Diagnostic {
                file: CATALOGUE_FILE.into(),
                line: 0,
                column: 0,
                message: format!("no `{CATALOGUE_FILE}` found; a schedules directory needs the function catalogue"),
            }])),
            [_, second, ..] => Err(LoadError::Invalid(vec![Diagnostic {
                file: second.name.clone(),
                line: 0,
                column: 0,
                message: format!("a second `{CATALOGUE_FILE}`; a schedule has one catalogue"),
            }])),
        }
    }

    /// Loads one notice from a string, with the embedded catalogue.
    ///
    /// # Errors
    /// [`LoadError::Invalid`] when the notice is not valid.
    pub fn from_notice_str(text: &str) -> Result<Schedule, LoadError> {
        let cat =
            EMBEDDED.iter().find(|(n, _)| n.ends_with(CATALOGUE_FILE)).map(|(n, t)| SourceFile { name: (*n).into(), text: (*t).into() });
        let mut files: Vec<SourceFile> = cat.into_iter().collect();
        files.push(SourceFile { name: "<string>".into(), text: text.into() });
        Schedule::from_sources(files)
    }
}

/// The schedule files embedded at build time, to load with others (see `mado validate FILE`).
pub fn embedded_sources() -> Vec<SourceFile> {
    EMBEDDED.iter().map(|(n, t)| SourceFile { name: (*n).to_string(), text: (*t).to_string() }).collect()
}

/// Reads every `*.toml` below `dir` (sorted by path, hidden entries skipped).
///
/// # Errors
/// [`LoadError::Io`] when a file or directory cannot be read.
pub fn read_dir_sources(dir: &std::path::Path) -> Result<Vec<SourceFile>, LoadError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|source| LoadError::Io { path: p.display().to_string(), error: source })?;
            Ok(SourceFile { name: p.display().to_string(), text })
        })
        .collect()
}

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), LoadError> {
    let read = std::fs::read_dir(dir).map_err(|error| LoadError::Io { path: dir.display().to_string(), error })?;
    for entry in read {
        let entry = entry.map_err(|error| LoadError::Io { path: dir.display().to_string(), error })?;
        let p = entry.path();
        let name = entry.file_name();
        let hidden = name.to_string_lossy().starts_with('.');
        if p.is_dir() && !hidden {
            walk(&p, out)?;
        } else if !hidden && p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    Ok(())
}

/// The catalogue as JSON: `{ "functions": [...], "channels": [...] }`, each function with
/// its `parent`.
pub fn catalogue_json(c: &Catalogue) -> serde_json::Value {
    serde_json::json!({
        "functions": c.functions().iter().map(|f| serde_json::json!({
            "id": f.id(),
            "parent": f.id().rsplit_once('.').map(|(p, _)| p),
            "ja": f.ja(),
            "en": f.en(),
        })).collect::<Vec<_>>(),
        "channels": c.channels(),
    })
}
